// A VAE in ~30 lines: the MLP VAE (PyTorch's example architecture) on 8×8 pictures of one bright
// square at a random place, trained with Adam on the ELBO; then a run folder (config.json +
// checkpoint, which GenerateFromCheckpoint opens) and a grid of samples.  TinyVAE [RUN-FOLDER]
import Foundation
import IllusionCraft

var rng = RandomGenerator(seed: 0)
func squares(_ n: Int) -> Tensor {               // [n, 1, 8, 8] in {0, 1}
    var pixels = [Float](repeating: 0, count: n * 64)
    for i in 0..<n {
        let x = rng.nextInt(below: 6), y = rng.nextInt(below: 6)
        for dy in 0..<3 { for dx in 0..<3 { pixels[i * 64 + (y + dy) * 8 + x + dx] = 1 } }
    }
    return Tensor(shape: [n, 1, 8, 8], storage: pixels)
}

let config = VAEConfig(architecture: .mlp, latentDim: 2, imageSize: 8)
let vae = VariationalAutoencoder(config: config, rng: &rng)
let adam = Adam(parameters: vae.parameters, learningRate: 2e-3)
var first: Float = 0, last: Float = 0
for step in 1...200 {
    adam.zeroGrad()
    let loss = vae.loss(squares(64), beta: 1, rng: &rng)   // −ELBO per image, in nats
    loss.total.backward()
    adam.step()
    if step == 1 { first = loss.total.scalar }
    last = loss.total.scalar
}
print("negative ELBO: \(first) → \(last) nats per image")
vae.setTraining(false)
let out = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory() + "tiny-vae"
let run = RunFolder(path: out)
try run.create()
try run.writeJSON(VAERunConfig(model: config, training: VAETrainingOptions(), dataset: DatasetSpec(name: "squares", imageSize: 8)),
                  to: "config.json")
try Checkpoint.save(vae, to: run.modelPath)
let (_, images) = VAEExplorer.sample(vae, count: 16, seed: 1)
try VAEPictures.grid(images, columns: 4).writePNG(to: out + "/samples.png")
print("wrote \(out)/model.safetensors and \(out)/samples.png")
guard last < 0.8 * first else { fatalError("the VAE did not learn") }
