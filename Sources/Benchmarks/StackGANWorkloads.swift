import Foundation
import IllusionModels

/// StackGAN Stage-II on synthetic faces 32 → 64, the README's recipe (`illusion train stackgan
/// --stage1-run runs/stage1-faces32 --image-size 64 --g-lr 8e-4`: widths 16, 2 residual blocks,
/// batch 32, Adam β₁ 0.5, D lr 2e-4, λ = 1, the 11 attributes as conditions). One step is
/// ``StackGANTrainer/trainStep(real:condition:)`` — the trainer's own: the frozen Stage-I draws s₀
/// (evaluation mode, no tape), one discriminator update on (x, c), (G(s₀, ĉ), c) and (x, c̃) plus the
/// unconditional head, one generator update with λ·KL — after assembling the batch as the training
/// task does. Stage-I has random (seeded) weights: the speed does not depend on them. "images" =
/// Stage-II images; the PyTorch peer is scripts/stackgan_stage2.py.
enum StackGANWorkloads {
    static let all: [Workload] = [
        Workload(name: "stage2", title: "StackGAN Stage-II faces 32→64, widths 16, batch 32", batch: 32, steps: (30, 8), warmup: 3),
    ]

    static func make(_ workload: Workload) throws -> TrainingSetup {
        let batch = workload.batch
        let spec = DatasetSpec(name: "faces-synthetic", imageSize: 64, limit: 10 * batch, evalLimit: 1)
        let train = try spec.load().train
        var stage1 = GANModelConfig(imageSize: 32, channels: 3, noiseDim: 100, generatorWidth: 16, discriminatorWidth: 16)
        try GANWorkflow.configureCondition(&stage1, kind: "attributes", data: train)
        stage1.auxiliaryClassifier = true   // the README's Stage-I run (--aux-weight 1); only its D has the head
        let model = StackGANModelConfig(imageSize: 64, stage1: stage1, generatorWidth: 16, discriminatorWidth: 16, residualBlocks: 2)
        var t = GANTrainingOptions()
        t.batchSize = batch
        t.generatorLearningRate = 8e-4
        t.writePictures = false
        let config = StackGANRunConfig(stage1Run: "(benchmark: random Stage-I)", stage1: stage1, model: model, training: t, dataset: spec)
        // The run folder is never written: trainStep only names it in a divergence message.
        let trainer = try StackGANTrainer(run: RunFolder(path: NSTemporaryDirectory() + "illusion-bench-stage2"), config: config)
        trainer.quiet = true
        var rng = RandomGenerator(seed: 3)
        var order = rng.permutation(train.count)
        var position = 0
        return TrainingSetup(flops: flops(trainer.gan, batch: batch)) {
            if position + batch > order.count { order = rng.permutation(train.count); position = 0 }
            let indices = Array(order[position..<(position + batch)])
            position += batch
            let x = train.floatImages(at: indices, encoding: .symmetricRange, generator: &rng)
            let c = GANConditions.conditions(train, indices: indices, config: stage1)
            do {
                return Float(try trainer.trainStep(real: x, condition: c)["loss_d"] ?? .nan)
            } catch {
                note("[stage2] \(error)")
                return .nan
            }
        }
    }

    /// Convolution and dense FLOPs of one step (``FLOPCount``'s conventions): Stage-I forward only;
    /// D's update: `main` on x and on G's detached images (weight gradients only), the conditional
    /// head on real, fake and mismatched, the unconditional head on real and fake; G's update: D's
    /// `main` and both heads on G's images (input gradients only, D frozen), then all of G (weight and
    /// input gradients, except the input gradient of the encoder's first conv: s₀ is detached).
    static func flops(_ gan: StackGAN, batch n: Int) -> FLOPCount {
        let g = gan.generator, d = gan.discriminator, m = gan.config
        var total = FLOPCount()
        /// One pass of `layer` from `shape`: forward, and which backward parts are taken.
        func pass(_ layer: Layer, _ shape: [Int], inputGradient: Bool, weightGradient: Bool, times: Double = 1, forwardOnly: Bool = false) -> [Int] {
            var c = FLOPCount()
            var needs = inputGradient
            let out = c.visit(layer, shape, needsGradient: &needs)
            total.forward += times * c.forward
            if !forwardOnly { total.backward += times * ((weightGradient ? c.forward : 0) + (c.backward - c.forward)) }
            return out
        }
        let s1 = gan.stage1Config
        _ = pass(gan.stage1.conditioning!, [n, s1.conditionDim], inputGradient: false, weightGradient: false, forwardOnly: true)
        _ = pass(gan.stage1.main, [n, s1.noiseDim + s1.augmentedDim], inputGradient: false, weightGradient: false, forwardOnly: true)

        // Generator forward (its backward comes in the G update).
        _ = pass(g.conditioning, [n, m.conditionDim], inputGradient: false, weightGradient: true)
        var h = pass(g.encoder, [n, m.channels, m.stage1ImageSize, m.stage1ImageSize], inputGradient: false, weightGradient: true)
        h = pass(g.joint, [n, h[1] + m.augmentedDim, h[2], h[3]], inputGradient: true, weightGradient: true)
        h = pass(g.residual, h, inputGradient: true, weightGradient: true)
        for block in g.upsampling { h = pass(block, h, inputGradient: true, weightGradient: true) }
        _ = pass(g.output, h, inputGradient: true, weightGradient: true)

        let image = [n, m.channels, m.imageSize, m.imageSize]
        // D update: main on x and on the detached fakes; heads with input gradients into the features.
        let f = pass(d.main, image, inputGradient: false, weightGradient: true, times: 2)
        let joined = [n, f[1] + m.discriminatorConditionDim, f[2], f[3]]
        _ = pass(d.conditionEmbedding, [n, m.conditionDim], inputGradient: false, weightGradient: true, times: 3)
        _ = pass(d.head, joined, inputGradient: true, weightGradient: true, times: 3)
        _ = pass(d.unconditionalHead, f, inputGradient: true, weightGradient: true, times: 2)
        // G update through the frozen D.
        _ = pass(d.main, image, inputGradient: true, weightGradient: false)
        _ = pass(d.conditionEmbedding, [n, m.conditionDim], inputGradient: false, weightGradient: false)
        _ = pass(d.head, joined, inputGradient: true, weightGradient: false)
        _ = pass(d.unconditionalHead, f, inputGradient: true, weightGradient: false)
        return total
    }
}
