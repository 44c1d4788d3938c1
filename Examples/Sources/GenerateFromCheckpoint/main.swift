// Load a trained run (a VAE, DCGAN or conditional GAN folder written by `illusion train …`) and
// draw new images from its checkpoint: GenerateFromCheckpoint RUN OUT.png [COUNT]
import Foundation
import IllusionCraft

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: GenerateFromCheckpoint RUN OUT.png [COUNT]")
    exit(2)
}
let run = arguments[1], out = arguments[2], count = arguments.count > 3 ? Int(arguments[3]) ?? 16 : 16
do {
    let kind = try RunFolder(path: run).readJSON(RunKind.self, from: "config.json").kind
    let images: Tensor
    if kind == "vae" {
        images = VAEExplorer.sample(try VAERun(path: run).model, count: count, seed: 7).images     // [N, C, H, W] in [0, 1]
    } else {
        let gan = try GANRun(path: run)
        let input = try GANSampling.inputs(config: gan.config.model, count: count, seed: 7, condition: nil)
        images = GANSampling.generate(gan.gan.generator, noise: input.noise, conditions: input.conditions, seed: 7)
            * 0.5 + 0.5                                                                             // [−1, 1] → [0, 1]
    }
    try VAEPictures.grid(images, columns: Int(Double(images.shape[0]).squareRoot().rounded(.up))).writePNG(to: out)
    print("\(kind) run \(run): wrote \(images.shape[0]) images to \(out)")
} catch {
    print("error: \(error)")
    exit(1)
}
