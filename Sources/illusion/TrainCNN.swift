import ArgumentParser
import Foundation
import IllusionModels

struct TrainCNN: ParsableCommand, RunOutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnn",
        abstract: "CNN classifier (conv32-pool-conv64-pool-dense128, dropout, softmax) with early stopping, LR schedule and optional augmentation.")

    @Option(help: "fashion-mnist or mnist.") var dataset: DatasetName = .fashionMNIST
    @Option(help: "Data directory (mnist; fashion-mnist defaults to /usr/share/datasets/fashion-mnist).") var data: String?
    @Option(parsing: .unconditional, help: "Epochs to train (with --resume: the new total).") var epochs: Int = 20
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 128
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Float = 1e-3
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "Decoupled weight decay λ (AdamW); 0 = plain Adam.") var weightDecay: Float = 0
    @Option(name: .customLong("label-smoothing"), parsing: .unconditional, help: "Label smoothing ε of the training loss (0 = plain cross-entropy).")
    var labelSmoothing: Float = 0
    @Option(name: .customLong("validation-fraction"), parsing: .unconditional, help: "Training images held out for validation (0 = validate on the test split).")
    var validationFraction: Double = 0.1
    @Flag(inversion: .prefixedNo, help: "Random ±2 px shifts (and horizontal flips on fashion-mnist).") var augment = true
    @Option(parsing: .unconditional, help: "Dropout probability before the last layer.") var dropout: Float = 0.4
    @Option(name: .customLong("conv-dropout"), parsing: .unconditional, help: "Dropout probability after each pooling block (0 = none; 0.25 measured worse within 20 epochs).")
    var convDropout: Float = 0
    @Option(help: "Filters of the two convolutions, as A,B (the original course network: 32,64).") var filters: String = "32,64"
    @Option(name: .customLong("dense-units"), parsing: .unconditional, help: "Units of the hidden dense layer.") var denseUnits: Int = 128
    @Option(help: "Convolution padding.") var padding: PaddingName = .same
    @Flag(name: .customLong("batch-norm"), inversion: .prefixedNo, help: "BatchNorm after each convolution.") var batchNorm = true
    @OptionGroup var limits: DataLimitArguments
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "At most this many steps per epoch (0 = full epochs).") var maxSteps: Int = 0
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @OptionGroup var output: RunOutputArguments
    @OptionGroup var checkpoints: CheckpointArguments
    @OptionGroup var optimization: OptimizationArguments
    @OptionGroup var compute: ComputeArguments
    @OptionGroup var logging: TensorBoardArguments
    @OptionGroup var configFile: ConfigFileArguments

    enum PaddingName: String, CaseIterable, ExpressibleByArgument { case same, valid }

    func run() throws {
        try runReportingErrors {
            try compute.apply()
            try logging.start()
            if checkpoints.isResuming {
                try checkpoints.checkResumeFlags()
                let summary = try CNNClassifierWorkflow.resume(folder: RunFolder(path: out), overridingEpochs: CheckpointArguments.typedEpochs(epochs),
                                                               from: checkpoints.resumeFrom,
                                                               checkpointing: (checkpoints.checkpointEvery, checkpoints.keepCheckpoints), quiet: quiet)
                if json { printJSON(summary) }
                return
            }
            guard dataset.isGrey else {
                throw ModelError.invalidArgument("--dataset: the CNN trains on fashion-mnist or mnist, got '\(dataset.rawValue)'")
            }
            var model = CNNConfig(classNames: dataset == .mnist ? MNIST.classNames : FashionMNIST.classNames)
            model.dropout = dropout; model.padding = padding.rawValue; model.batchNorm = batchNorm
            model.convolutionDropout = convDropout
            let counts = filters.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard counts.count == 2, let first = counts[0], let second = counts[1] else {
                throw ModelError.invalidArgument("--filters must be two integers A,B (e.g. 32,64), got '\(filters)'")
            }
            model.conv1Filters = first; model.conv2Filters = second; model.denseUnits = denseUnits
            var training = ImageClassifierTrainingOptions()
            training.epochs = epochs; training.batchSize = batchSize; training.learningRate = lr; training.schedule = (optimization.schedule ?? .cosine).rawValue
            training.weightDecay = weightDecay > 0 ? weightDecay : nil
            training.labelSmoothing = labelSmoothing > 0 ? labelSmoothing : nil
            training.patience = optimization.patience ?? 5; training.validationFraction = validationFraction; training.augment = augment
            training.flip = dataset == .fashionMNIST; training.maxStepsPerEpoch = maxSteps; training.seed = seed
            var loop = try optimization.loopOptions(checkpoints)
            loop.schedule = nil; loop.patience = 0  // the classifier's own fields above hold them
            training.loop = loop == TrainingLoopOptions() ? nil : loop
            let folder = RunFolder(path: out)
            if FileManager.default.fileExists(atPath: folder.modelPath) {
                throw ModelError.invalidArgument("--out \(out): already holds a trained model (use --resume to continue it, or another folder)")
            }
            let spec = DatasetSpec(name: dataset.rawValue, directory: data, imageSize: 28, padTo32: false, limit: limits.limit,
                                   evalLimit: limits.evalLimit)
            let summary = try CNNClassifierWorkflow.run(CNNRunConfig(model: model, training: training, dataset: spec),
                                                        folder: folder, quiet: quiet)
            if json { printJSON(summary) }
        }
    }
}
