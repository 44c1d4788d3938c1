import Foundation
import IllusionModels

/// The measured workloads: the four training set-ups and the Fashion-MNIST load.
struct Workload {
    let name: String
    let title: String
    let batch: Int
    /// Steady-state steps timed and warm-up steps before them (full run, `--quick` run).
    let steps: (full: Int, quick: Int)
    let warmup: Int
    /// True for the data-loading workload (figures are loads, not training steps).
    var isLoad = false

    static let all: [Workload] = [
        Workload(name: "fashion", title: "fashion VAE D=2, 32×32, batch 100", batch: 100, steps: (80, 20), warmup: 5),
        Workload(name: "faces64", title: "faces VAE 64×64, batch 32", batch: 32, steps: (50, 12), warmup: 3),
        Workload(name: "faces256", title: "faces VAE 256×256, batch 32", batch: 32, steps: (12, 4), warmup: 2),
        Workload(name: "cnn", title: "CNN conv32-pool-conv64-pool-dense128, batch 128", batch: 128, steps: (120, 30), warmup: 5),
        Workload(name: "load", title: "load Fashion-MNIST train (60k, gzip)", batch: 60_000, steps: (5, 2), warmup: 1, isLoad: true),
    ] + TransformerWorkloads.all + RecurrentWorkloads.all + StackGANWorkloads.all

    static var allNames: [String] { all.map(\.name) }

    static func named(_ name: String) -> Workload? { all.first { $0.name == name } }

    /// The faces VAE at any image size and batch (the scaling charts): about 512 timed images at
    /// 64×64, fewer steps as the images grow (the larger steps are long and steady).
    static func faces(size: Int, batch: Int) -> Workload {
        let images = size <= 64 ? 512 : (size <= 128 ? 192 : 96)
        let steps = max(3, images / batch)
        return Workload(name: "faces\(size)", title: "faces VAE \(size)×\(size), batch \(batch)", batch: batch,
                        steps: (steps, max(2, steps / 2)), warmup: size <= 64 ? 2 : 1)
    }
}

/// One prepared training set-up: `step()` runs forward, loss, backward and the Adam update exactly
/// as the project's trainers do (`VAETrainer`, `ImageClassifierTrainer`), including assembling the batch.
struct TrainingSetup {
    let flops: FLOPCount
    let step: () -> Float
}

enum TrainingSetups {
    static func make(_ workload: Workload) throws -> TrainingSetup {
        switch workload.name {
        case "fashion": return try fashionVAE(batch: workload.batch)
        case let name where name.hasPrefix("faces") && Int(name.dropFirst(5)) != nil:
            return facesVAE(size: Int(name.dropFirst(5))!, batch: workload.batch)
        case "cnn": return try cnn(batch: workload.batch)
        case "transformer", "gen-cache", "gen-nocache": return try TransformerWorkloads.make(workload)
        case "charlm-lstm", "seq-fmnist": return try RecurrentWorkloads.make(workload)
        case "stage2": return try StackGANWorkloads.make(workload)
        default: throw BenchmarkError.failed("no training set-up for workload '\(workload.name)'")
        }
    }

    /// `illusion train vae --arch fashion`: real Fashion-MNIST padded to 32×32, Adam lr 5e-4, β = 1.
    static func fashionVAE(batch: Int) throws -> TrainingSetup {
        let data = try FashionMNIST.load(.train, options: .paddedTo32)
        var rng = RandomGenerator(seed: 0)
        let model = VariationalAutoencoder(config: VAEConfig(architecture: .fashion), rng: &rng)
        let optimizer = Adam(parameters: model.parameters, learningRate: 5e-4)
        var order = rng.permutation(data.count)
        var position = 0
        let flops = FLOPCount.vae(model, batch: batch)
        return TrainingSetup(flops: flops) {
            if position + batch > order.count { order = rng.permutation(data.count); position = 0 }
            let indices = Array(order[position..<(position + batch)])
            position += batch
            let x = data.floatImages(at: indices, generator: &rng)
            let loss = model.loss(x, beta: 1, rng: &rng)
            let value = loss.total.scalar
            optimizer.zeroGrad()
            loss.total.backward()
            optimizer.step()
            return value
        }
    }

    /// The slide deck's face VAE on uniform random images (as the peer script), Adam lr 5e-4.
    static func facesVAE(size: Int, batch: Int) -> TrainingSetup {
        var rng = RandomGenerator(seed: 0)
        let model = VariationalAutoencoder(config: VAEConfig(architecture: .faces, imageSize: size), rng: &rng)
        let optimizer = Adam(parameters: model.parameters, learningRate: 5e-4)
        var dataRNG = RandomGenerator(seed: 1)
        let batches = (0..<4).map { _ in Tensor.uniform([batch, 3, size, size], rng: &dataRNG) }
        var i = 0
        let flops = FLOPCount.vae(model, batch: batch)
        return TrainingSetup(flops: flops) {
            let x = batches[i % batches.count]
            i += 1
            let loss = model.loss(x, beta: 1, rng: &rng)
            let value = loss.total.scalar
            optimizer.zeroGrad()
            loss.total.backward()
            optimizer.step()
            return value
        }
    }

    /// The peer `cnn_fashion.py`: 28×28, valid 3×3 convs (→ 64·5·5 = 1600 features), dropout 0.25,
    /// softmax cross-entropy, Adam lr 1e-3, real Fashion-MNIST.
    static func cnn(batch: Int) throws -> TrainingSetup {
        let data = try FashionMNIST.load(.train)
        var config = CNNConfig(classNames: FashionMNIST.classNames)
        config.padding = "valid"
        config.dropout = 0.25
        config.batchNorm = false
        var rng = RandomGenerator(seed: 0)
        let model = CNNClassifier.make(config, rng: &rng)
        model.setTraining(true)
        let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
        var order = rng.permutation(data.count)
        var position = 0
        let flops = FLOPCount.sequential(model, inputShape: [1, 28, 28], batch: batch)
        return TrainingSetup(flops: flops) {
            if position + batch > order.count { order = rng.permutation(data.count); position = 0 }
            let indices = Array(order[position..<(position + batch)])
            position += batch
            let x = data.floatImages(at: indices, generator: &rng)
            let labels = indices.map { data.labels[$0] }
            let loss = crossEntropy(logits: model(x), labels: labels)
            let value = loss.scalar
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            return value
        }
    }
}
