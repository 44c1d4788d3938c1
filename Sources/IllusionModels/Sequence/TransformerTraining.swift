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

/// One optimizer step of the recipe over a token stream, and its evaluation (``fullStreamLoss``).
/// The loop around it is the shared ``Trainer`` (``TransformerTask``); ``trainStep(on:)`` runs one
/// step on its own (benchmarks, tests) with the same arithmetic.
public final class TransformerTrainer {
    public let model: CharTransformer
    public let recipe: TransformerRecipe
    public let optimizer: AdamW
    /// Draws the windows of ``trainStep(on:)`` (seeded from the recipe's seed, stream 0xBA7C — the
    /// stream the ``Trainer`` of a run starts from too).
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
        batchGenerator = Self.batchStream(recipe)
    }

    /// The generator the training windows are drawn from.
    static func batchStream(_ recipe: TransformerRecipe) -> RandomGenerator { RandomGenerator(seed: recipe.seed, stream: 0xBA7C) }

    /// `batch` windows with uniform starts in `0..<(stream.count − T)` drawn from `rng`: inputs and
    /// the next characters, both `[batch·T]`.
    public func drawBatch(from stream: [Int], rng: inout RandomGenerator) -> (tokens: [Int], targets: [Int]) {
        let t = model.config.blockSize
        var x: [Int] = [], y: [Int] = []
        x.reserveCapacity(recipe.batch * t); y.reserveCapacity(recipe.batch * t)
        for _ in 0..<recipe.batch {
            let s = rng.nextInt(below: stream.count - t)
            x += stream[s ..< s + t]
            y += stream[s + 1 ... s + t]
        }
        return (x, y)
    }

    /// The loss of optimizer step `it` (0-based) after setting its learning rate: draws the batch
    /// from `rng`; the caller minimizes it (clipping the global norm of ``parameters``).
    /// Data-parallel (`shard` of W > 1): every rank draws all `batch` windows and trains on its own
    /// (windows r, r + W, …), so the windows of a step do not depend on W.
    func stepLoss(_ it: Int, on stream: [Int], rng: inout RandomGenerator, shard: BatchShard? = nil) -> Tensor {
        model.setTraining(true)
        optimizer.learningRate = recipe.learningRate(at: it)
        let (x, y) = drawBatch(from: stream, rng: &rng)
        guard let shard, shard.worldSize > 1 else { return model.loss(tokens: x, targets: y, batch: recipe.batch) }
        let t = model.config.blockSize
        var mineX: [Int] = [], mineY: [Int] = []
        for i in 0..<shard.localCount {
            let g = shard.globalRow(i)
            mineX += x[g * t ..< (g + 1) * t]
            mineY += y[g * t ..< (g + 1) * t]
        }
        return model.loss(tokens: mineX, targets: mineY, batch: shard.localCount)
    }

    /// One optimizer step outside a run; returns the batch's mean loss (nats/char) before the update.
    @discardableResult
    public func trainStep(on stream: [Int]) -> Float {
        let loss = stepLoss(stepsDone, on: stream, rng: &batchGenerator)
        optimizer.zeroGrad()
        loss.backward()
        if recipe.gradientClip > 0 { clipGradientNorm(parameters: parameters, maxNorm: recipe.gradientClip) }
        optimizer.step()
        stepsDone += 1
        return loss.scalar
    }

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

/// The transformer's part of the shared loop: the recipe's `steps` as one epoch, each step one
/// batch of random windows drawn from the trainer's stream, the warm-up + cosine rate set per step
/// (the trainer's per-epoch schedule is constant and overridden), clipping through the loop
/// (`--clip-grad-norm`), and the validation loss over the whole held-out stream at the end.
final class TransformerTask: TrainingTask {
    let trainer: TransformerTrainer
    let stream: [Int]
    let validation: [Int]
    var evaluation: (loss: Double, characters: Int, seconds: Double)?

    init(trainer: TransformerTrainer, train: [Int], validation: [Int]) {
        self.trainer = trainer; stream = train; self.validation = validation
    }

    var model: Layer { trainer.model }
    var checkpointFormat: String { "illusioncraft-char-transformer" }
    var optimizers: [(prefix: String, optimizer: Optimizer)] { [("optimizer.", trainer.optimizer)] }
    var stepsPerEpoch: Int { trainer.recipe.steps }
    /// Characters per step.
    var batchSize: Int { trainer.recipe.batch * trainer.model.config.blockSize }
    var exampleUnit: String { "chars" }

    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws {}

    func step(_ index: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        let shard = try context.shard(rows: trainer.recipe.batch)
        try shard.requireEqualParts(trainer.recipe.batch, of: "random windows")
        let loss = trainer.stepLoss(context.globalStep, on: stream, rng: &rng, shard: shard)
        let value = try context.minimize(loss, with: trainer.optimizer, parameters: trainer.parameters)
        return StepOutcome(figures: [("loss", Double(value))], examples: shard.localCount * trainer.model.config.blockSize)
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        let start = Date()
        let (loss, scored) = TransformerTrainer.fullStreamLoss(trainer.model, stream: validation)
        evaluation = (loss, scored, Date().timeIntervalSince(start))
        return EpochOutcome(figures: [("val_loss", loss), ("val_chars_scored", Double(scored))], monitored: loss)
    }
}

extension CharTransformerWorkflow {
    /// Threads for the transformer: ``ComputeContext/layers(_:)`` — OpenBLAS single-threaded and
    /// everything on our `n` threads: each projection GEMM split by rows of C (``rowSplitSGEMM``:
    /// tokens forward and for dx, output features for dW), the attention's (batch, head) pairs,
    /// the elementwise, LayerNorm and AdamW passes. A threaded OpenBLAS (``ComputeContext/gemmBound(_:)``,
    /// used before) scaled these small GEMMs poorly and its idle workers spun in `sched_yield`
    /// through every pass between them. Results do not depend on `n` (`CharTransformerTests`).
    public static func computeContext(threads n: Int) -> ComputeContext { .layers(n) }
}
