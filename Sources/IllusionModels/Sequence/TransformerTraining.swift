import Foundation
import IllusionNeuralNetworks

/// nanoGPT's CPU recipe for a character model (defaults = `../shared/peers/charlm_transformer.py`):
/// AdamW(lr 1e-3, betas (0.9, 0.99), eps 1e-8) with weight decay 0.1 on the ≥ 2-D parameters only
/// (matmul weights and embeddings), gradient clipping at global norm 1.0, batches of `batch` random
/// windows of `blockSize + 1` contiguous characters, and the learning rate
///
///     lr(it) = lr·(it+1)/(warmup+1)                               for it < warmup
///            = minLR + ½(1 + cos(π·(it − warmup)/(decay − warmup)))·(lr − minLR)   up to `decaySteps`
///            = minLR                                              after.
public struct TransformerRecipe: Codable, Equatable, Sendable {
    public var steps: Int = 2000
    public var batch: Int = 12
    public var learningRate: Float = 1e-3
    public var minLearningRate: Float = 1e-4
    public var warmupSteps: Int = 100
    /// 0 = `steps`.
    public var decaySteps: Int = 0
    public var beta1: Float = 0.9
    public var beta2: Float = 0.99
    public var weightDecay: Float = 0.1
    /// 0 = off.
    public var gradientClip: Float = 1.0
    public var seed: UInt64 = 0

    public init() {}

    /// nanoGPT's `get_lr` at optimizer step `it` (0-based).
    public func learningRate(at it: Int) -> Float {
        let decay = decaySteps > 0 ? decaySteps : steps
        if it < warmupSteps { return learningRate * Float(it + 1) / Float(warmupSteps + 1) }
        if it > decay { return minLearningRate }
        let ratio = Double(it - warmupSteps) / Double(max(decay - warmupSteps, 1))
        return minLearningRate + Float(0.5 * (1 + cos(Double.pi * ratio))) * (learningRate - minLearningRate)
    }

    public func validate(trainingTokens: Int, blockSize: Int) throws {
        guard steps >= 0, batch > 0 else { throw ModelError.invalidArgument("--steps must be ≥ 0 and --batch positive") }
        guard learningRate > 0, minLearningRate >= 0 else { throw ModelError.invalidArgument("--lr must be positive") }
        guard trainingTokens > blockSize + 1 else {
            throw ModelError.invalidArgument("the training text has \(trainingTokens) characters; --block \(blockSize) needs more than \(blockSize + 1)")
        }
    }
}

/// The training loop of the recipe over a token stream: one ``trainStep(on:)`` per optimizer step.
/// A self-contained loop (batches, schedule, clipping, AdamW); evaluation is ``fullStreamLoss``.
public final class TransformerTrainer {
    public let model: CharTransformer
    public let recipe: TransformerRecipe
    public let optimizer: AdamW
    /// Draws the training windows (seeded from the recipe's seed; checkpointed with the run).
    public var batchGenerator: RandomGenerator
    public private(set) var stepsDone = 0
    let parameters: [Tensor]

    public init(model: CharTransformer, recipe: TransformerRecipe) {
        self.model = model
        self.recipe = recipe
        parameters = model.uniqueParameters.map(\.tensor)
        optimizer = AdamW(parameters: parameters, learningRate: recipe.learningRate, beta1: recipe.beta1, beta2: recipe.beta2,
                          epsilon: 1e-8, weightDecay: recipe.weightDecay)
        optimizer.parameterWeightDecays = parameters.map { $0.rank >= 2 ? recipe.weightDecay : 0 }
        batchGenerator = RandomGenerator(seed: recipe.seed, stream: 0xBA7C)
    }

    /// `batch` windows with uniform starts in `0..<(stream.count − T)`: inputs and the next characters.
    public func drawBatch(from stream: [Int]) -> (tokens: [Int], targets: [Int]) {
        let t = model.config.blockSize
        var x: [Int] = [], y: [Int] = []
        x.reserveCapacity(recipe.batch * t); y.reserveCapacity(recipe.batch * t)
        for _ in 0..<recipe.batch {
            let s = batchGenerator.nextInt(below: stream.count - t)
            x += stream[s ..< s + t]
            y += stream[s + 1 ... s + t]
        }
        return (x, y)
    }

    /// One optimizer step; returns the batch's mean loss (nats/char) before the update.
    @discardableResult
    public func trainStep(on stream: [Int]) -> Float {
        model.setTraining(true)
        optimizer.learningRate = recipe.learningRate(at: stepsDone)
        let (x, y) = drawBatch(from: stream)
        optimizer.zeroGrad()
        let loss = model.loss(tokens: x, targets: y, batch: recipe.batch)
        loss.backward()
        if recipe.gradientClip > 0 { clipGradientNorm(parameters: parameters, maxNorm: recipe.gradientClip) }
        optimizer.step()
        stepsDone += 1
        return loss.scalar
    }

    /// Restores the step counter after loading a checkpoint (the schedule continues from it).
    public func resume(atStep step: Int) { stepsDone = step }

    /// Mean loss (nats/char) over the whole `stream` as non-overlapping windows of T characters,
    /// each character after the first predicted once — the peer's `full_stream_loss`.
    /// Returns the loss and the number of characters scored.
    public static func fullStreamLoss(_ model: CharTransformer, stream: [Int], windowsPerBatch: Int = 64) -> (loss: Double, characters: Int) {
        let t = model.config.blockSize
        let windows = (stream.count - 1) / t
        guard windows > 0 else { return (.nan, 0) }
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        var total: Double = 0
        var w = 0
        while w < windows {
            let n = min(windowsPerBatch, windows - w)
            let x = Array(stream[w * t ..< (w + n) * t]), y = Array(stream[w * t + 1 ... (w + n) * t])
            total += Double(noGrad { crossEntropy(logits: model.logits(tokens: x, batch: n), labels: y, reduction: .sum) }.scalar)
            w += n
        }
        return (total / Double(windows * t), windows * t)
    }
}

extension CharTransformerWorkflow {
    /// Threads for the transformer: OpenBLAS runs each projection GEMM on `n` threads, and our
    /// attention/LayerNorm loops spread (batch, head) pairs and rows over `n` threads. The two never
    /// run at once (the tape runs one op at a time; the per-head GEMMs inside the attention loops are
    /// below OpenBLAS's threading threshold, so they run single-threaded in each of our threads).
    public static func configureThreads(_ n: Int) {
        BLASThreads.set(max(1, n))
        ParallelLoops.configure(max(1, n))
    }
}
