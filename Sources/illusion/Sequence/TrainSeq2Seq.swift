import ArgumentParser
import Foundation
import IllusionModels

struct TrainSeq2Seq: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seq2seq",
        abstract: "Encoder–decoder (GRU or LSTM) with additive (Bahdanau) attention and teacher forcing on generated dates: human formats → ISO 1998-05-03; greedy and beam-search exact match on held-out dates.")

    @Option(help: "gru or lstm (encoder and decoder).") var arch: String = "gru"
    @Flag(inversion: .prefixedNo, help: "Additive attention over the encoder outputs (--no-attention: the ablation, a fixed context from the encoder's final states).")
    var attention = true
    @Option(parsing: .unconditional, help: "Character embedding size.") var embedding: Int = 32
    @Option(parsing: .unconditional, help: "Hidden size of each encoder direction and of the decoder.") var hidden: Int = 64
    @Option(name: .customLong("attention-size"), parsing: .unconditional, help: "Width of the additive attention's tanh layer.") var attentionSize: Int = 64
    @Option(parsing: .unconditional, help: "Epochs to train (with --resume: the new total).") var epochs: Int = 12
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 64
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Float = 2e-3
    @Option(name: .customLong("train-size"), parsing: .unconditional, help: "Generated training examples.") var trainSize: Int = 20000
    @Option(name: .customLong("validation-size"), parsing: .unconditional, help: "Generated validation examples (best epoch).") var validationSize: Int = 1000
    @Option(name: .customLong("test-size"), parsing: .unconditional, help: "Generated held-out test examples (dates disjoint from training).") var testSize: Int = 2000
    @Option(parsing: .unconditional, help: "Beam width of the final test decoding (1: greedy only).") var beam: Int = 4
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "At most this many steps per epoch (0 = full epochs).") var maxSteps: Int = 0
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @OptionGroup var output: RunOutputArguments
    @OptionGroup var checkpoints: CheckpointArguments
    @OptionGroup var optimization: OptimizationArguments
    @OptionGroup var compute: ComputeArguments
    @OptionGroup var logging: TensorBoardArguments

    func run() throws {
        try runReportingErrors {
            try compute.apply()
            useBLASThreadsForRecurrentWork()
            try logging.start()
            let folder = RunFolder(path: output.out)
            if checkpoints.isResuming {
                try checkpoints.checkResumeFlags()
                let summary = try Seq2SeqWorkflow.resume(folder: folder, overridingEpochs: CheckpointArguments.typedEpochs(epochs),
                                                         from: checkpoints.resumeFrom,
                                                         checkpointing: (checkpoints.checkpointEvery, checkpoints.keepCheckpoints), quiet: output.quiet)
                if output.json { printJSON(summary) }
                return
            }
            guard let kind = RecurrentKind(rawValue: arch), kind == .gru || kind == .lstm else {
                throw ModelError.invalidArgument("--arch must be gru or lstm, got '\(arch)'")
            }
            if FileManager.default.fileExists(atPath: folder.modelPath) {
                throw ModelError.invalidArgument("--out \(output.out): already holds a trained model (use --resume to continue it, or another folder)")
            }
            var model = Seq2SeqConfig()
            model.arch = kind; model.attention = attention; model.embedding = embedding; model.hidden = hidden; model.attentionSize = attentionSize
            var training = Seq2SeqTrainingOptions()
            training.epochs = epochs; training.batchSize = batchSize; training.learningRate = lr; training.trainSize = trainSize
            training.validationSize = validationSize; training.testSize = testSize; training.beam = beam
            training.maxStepsPerEpoch = maxSteps; training.seed = seed
            let loop = try optimization.loopOptions(checkpoints)
            training.loop = loop == TrainingLoopOptions() ? nil : loop
            let summary = try Seq2SeqWorkflow.run(Seq2SeqRunConfig(model: model, training: training), folder: folder, quiet: output.quiet)
            if output.json { printJSON(summary) }
        }
    }
}
