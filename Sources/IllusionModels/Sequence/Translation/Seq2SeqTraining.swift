import Foundation

/// Training options of `illusion train seq2seq` (config.json "training").
public struct Seq2SeqTrainingOptions: Codable, Equatable, Sendable {
    public var epochs = 12
    public var batchSize = 64
    public var learningRate: Float = 2e-3
    /// Generated examples: training, validation (best epoch), test (the reported figures).
    public var trainSize = 20000
    public var validationSize = 1000
    public var testSize = 2000
    /// Beam width of the final test decoding (besides greedy).
    public var beam = 4
    public var maxStepsPerEpoch = 0
    public var seed: UInt64 = 0
    public var loop: TrainingLoopOptions?
    public init() {}

    public func validate() throws {
        func check(_ ok: Bool, _ flag: String, _ expected: String, _ got: Any) throws {
            guard ok else { throw ModelError.invalidArgument("--\(flag) must be \(expected), got \(got)") }
        }
        try check(epochs >= 1, "epochs", "≥ 1", epochs)
        try check(batchSize >= 1, "batch-size", "≥ 1", batchSize)
        try check(learningRate > 0 && learningRate.isFinite, "lr", "a positive number", learningRate)
        try check(trainSize >= 1 && trainSize <= 10_000_000, "train-size", "in 1…10000000", trainSize)
        try check(validationSize >= 1 && validationSize <= 1_000_000, "validation-size", "in 1…1000000", validationSize)
        try check(testSize >= 1 && testSize <= 1_000_000, "test-size", "in 1…1000000", testSize)
        try check(beam >= 1 && beam <= 64, "beam", "in 1…64", beam)
        try check(maxStepsPerEpoch >= 0, "max-steps", "≥ 0", maxStepsPerEpoch)
    }
}

/// config.json of a seq2seq run.
public struct Seq2SeqRunConfig: Codable, Equatable {
    public var kind = "seq2seq"
    public var task = "date-normalisation"
    public var model: Seq2SeqConfig
    public var training: Seq2SeqTrainingOptions
    public init(model: Seq2SeqConfig, training: Seq2SeqTrainingOptions) { self.model = model; self.training = training }
}

/// Encoded examples of the date task.
public struct Seq2SeqExamples {
    public let texts: [DateNormalizationTask.Example]
    public let sources: [[Int]]
    public let targets: [[Int]]
    public init(_ texts: [DateNormalizationTask.Example]) throws {
        self.texts = texts
        sources = try texts.map { try DateVocabulary.encodeSource($0.source) }
        targets = texts.map { DateVocabulary.encodeTarget($0.target) }
    }
    public var count: Int { texts.count }
}

/// Held-out figures of a trained model.
public struct Seq2SeqEvaluation: Codable {
    /// Whole outputs equal to the ISO date, greedy decoding.
    public var exactMatch: Double
    /// Fraction of output characters (end token included) equal to the target's at the same position:
    /// free running (greedy, the decoder reads its own outputs) and teacher forced (it reads the truth).
    public var characterAccuracyFreeRunning: Double
    public var characterAccuracyTeacherForced: Double
    /// Exact match when every step is the teacher-forced argmax (each character right given a right prefix).
    public var exactMatchTeacherForced: Double
    /// Mean cross-entropy per target character under teacher forcing (nats).
    public var loss: Double
    public var examples: Int
}

public enum Seq2SeqEvaluator {
    /// Greedy and teacher-forced figures over `data` (no gradients).
    public static func evaluate(_ model: AttentionSeq2Seq, _ data: Seq2SeqExamples, batch: Int = 256) -> Seq2SeqEvaluation {
        let decoded = Seq2SeqDecoding.translate(model, data.sources, beam: 1, batch: batch)
        var exact = 0, freeRight = 0, forcedRight = 0, forcedExact = 0, chars = 0
        var lossSum = 0.0
        for (d, target) in zip(decoded, data.targets) {
            if d.ids == target { exact += 1 }
            for (i, t) in target.enumerated() where i < d.ids.count && d.ids[i] == t { freeRight += 1 }
            chars += target.count
        }
        noGrad {
            for start in stride(from: 0, to: data.count, by: batch) {
                let range = start..<min(start + batch, data.count)
                let sources = Array(data.sources[range]), targets = Array(data.targets[range])
                let logits = model.teacherForcedLogits(sources: sources, targets: targets)
                let l = targets[0].count, v = DateVocabulary.targetCount
                let flat = logits.reshaped([sources.count * l, v])
                lossSum += Double(crossEntropy(logits: flat, labels: targets.flatMap { $0 }).scalar) * Double(sources.count)
                let predictions = flat.argmaxLastAxis()
                for (i, target) in targets.enumerated() {
                    var all = true
                    for (t, y) in target.enumerated() { if predictions[i * l + t] == y { forcedRight += 1 } else { all = false } }
                    if all { forcedExact += 1 }
                }
            }
        }
        let n = Double(max(data.count, 1))
        return Seq2SeqEvaluation(exactMatch: Double(exact) / n, characterAccuracyFreeRunning: Double(freeRight) / Double(max(chars, 1)),
                                 characterAccuracyTeacherForced: Double(forcedRight) / Double(max(chars, 1)),
                                 exactMatchTeacherForced: Double(forcedExact) / n, loss: lossSum / n, examples: data.count)
    }

    /// Exact match of beam-search decoding with width `beam`.
    public static func beamExactMatch(_ model: AttentionSeq2Seq, _ data: Seq2SeqExamples, beam: Int) -> Double {
        let decoded = Seq2SeqDecoding.translate(model, data.sources, beam: beam, batch: max(256 / beam, 16))
        return Double(zip(decoded, data.targets).filter { $0.0.ids == $0.1 }.count) / Double(max(data.count, 1))
    }
}

/// The seq2seq model's part of the shared loop: Adam on the teacher-forced cross-entropy of one
/// shuffled batch; greedy exact match on the validation dates after each epoch (monitored, higher is better).
final class Seq2SeqTask: TrainingTask {
    let seq2seq: AttentionSeq2Seq
    let optimizer: Adam
    let train: Seq2SeqExamples
    let validation: Seq2SeqExamples
    let size: Int
    var batches: ShuffledBatches
    var lastValidation: Seq2SeqEvaluation?
    var committed: ((EpochRecord) throws -> Void)?

    init(model: AttentionSeq2Seq, options: Seq2SeqTrainingOptions, train: Seq2SeqExamples, validation: Seq2SeqExamples) {
        seq2seq = model
        optimizer = Adam(parameters: model.parameters, learningRate: options.learningRate)
        self.train = train; self.validation = validation
        size = options.batchSize
        batches = ShuffledBatches(count: train.count, batchSize: options.batchSize)
    }

    var model: Layer { seq2seq }
    var checkpointFormat: String { "illusioncraft-seq2seq" }
    var optimizers: [(prefix: String, optimizer: Optimizer)] { [("optimizer.", optimizer)] }
    var batchSize: Int { size }
    var exampleUnit: String { "pairs" }
    var stepsPerEpoch: Int { batches.steps }

    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws { batches.shuffle(&rng) }

    func step(_ index: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        let idx = batches.indices(step: index)
        let loss = seq2seq.loss(sources: idx.map { train.sources[$0] }, targets: idx.map { train.targets[$0] })
        let value = try context.minimize(loss, with: optimizer)
        return StepOutcome(figures: [("loss", Double(value))], examples: idx.count)
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        let e = Seq2SeqEvaluator.evaluate(seq2seq, validation)
        lastValidation = e
        return EpochOutcome(figures: [("val_loss", e.loss), ("val_exact_match", e.exactMatch),
                                      ("val_char_accuracy", e.characterAccuracyFreeRunning)], monitored: e.exactMatch)
    }

    func epochCommitted(_ record: EpochRecord) throws { try committed?(record) }
}
