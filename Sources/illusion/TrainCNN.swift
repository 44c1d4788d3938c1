import ArgumentParser
import Foundation
import IllusionModels

struct TrainCNN: ParsableCommand, RunOutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnn",
        abstract: "CNN classifier (default --arch double-conv: conv32-conv32-pool-conv64-conv64-pool-dense256; the seeds' network by --arch seed) with early stopping, LR schedule and augmentation.")

    @Option(help: "fashion-mnist or mnist.") var dataset: DatasetName = .fashionMNIST
    @Option(help: "Data directory (mnist; fashion-mnist defaults to /usr/share/datasets/fashion-mnist).") var data: String?
    @Option(parsing: .unconditional, help: "Epochs to train (with --resume: the new total).") var epochs: Int = 20
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 128
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Float = 1e-3
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "Decoupled weight decay λ (AdamW); 0 = plain Adam.") var weightDecay: Float = 0
    @Option(help: "Network: double-conv (conv32-conv32-pool-conv64-conv64-pool-dense256), seed (the seeds' conv32-pool-conv64-pool-dense128) or three-block (conv32-pool-conv64-pool-conv128-pool-dense256).")
    var arch: ArchitectureName = .doubleConv
    @Option(name: .customLong("label-smoothing"), parsing: .unconditional, help: "Label smoothing ε of the training loss (0 = plain cross-entropy; default 0.1 for three-block and double-conv, 0 for seed).")
    var labelSmoothing: Float?
    @Option(name: .customLong("validation-fraction"), parsing: .unconditional, help: "Training images held out for validation (0 = validate on the test split).")
    var validationFraction: Double = 0.1
    @Flag(inversion: .prefixedNo, help: "Random shifts of up to --max-shift px (and horizontal flips on fashion-mnist).") var augment = true
    @Option(name: .customLong("max-shift"), parsing: .unconditional, help: "Largest random shift in pixels when augmenting (0 = flips only; default 0 for double-conv, 2 for seed and three-block).")
    var maxShift: Int?
    @Option(parsing: .unconditional, help: "Dropout probability before the last layer.") var dropout: Float = 0.4
    @Option(name: .customLong("conv-dropout"), parsing: .unconditional, help: "Dropout probability after each pooling block (0 = none; 0.25 measured worse within 20 epochs).")
    var convDropout: Float = 0
    @Option(help: "Filters of the convolutions, one per block: A,B,C for three-block (default 32,64,128), A,B for seed and double-conv (32,64).") var filters: String?
    @Option(name: .customLong("dense-units"), parsing: .unconditional, help: "Units of the hidden dense layer (default 256 for three-block and double-conv, 128 for seed).") var denseUnits: Int?
    @Option(name: .customLong("weight-init"), help: "Initialiser of the convolution and hidden dense weights: he (He-uniform) or pytorch (PyTorch's default U(±1/√fanIn)); default pytorch for double-conv, he for seed and three-block.")
    var weightInit: WeightInitName?
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
    enum WeightInitName: String, CaseIterable, ExpressibleByArgument { case he, pytorch }
    enum ArchitectureName: String, CaseIterable, ExpressibleByArgument {
        case seed, threeBlock = "three-block", doubleConv = "double-conv"
        var architecture: CNNArchitecture { CNNArchitecture(rawValue: rawValue)! }
    }

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
            let architecture = arch.architecture
            let initName = weightInit?.rawValue ?? architecture.defaultWeightInit
            model.weightInit = initName == "he" ? nil : initName  // nil means he (configs written before the field)
            model.convolutionDropout = convDropout
            var counts: [Int]?
            if let filters {
                let parsed = filters.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !parsed.contains(nil) else {
                    throw ModelError.invalidArgument("--filters must be integers separated by commas (e.g. \(architecture.defaultFilters.map(String.init).joined(separator: ","))), got '\(filters)'")
                }
                counts = parsed.compactMap { $0 }
            }
            try architecture.configure(&model, filters: counts, denseUnits: denseUnits)
            let labelSmoothing = self.labelSmoothing ?? architecture.defaultLabelSmoothing
            var training = ImageClassifierTrainingOptions()
            training.epochs = epochs; training.batchSize = batchSize; training.learningRate = lr; training.schedule = (optimization.schedule ?? .cosine).rawValue
            training.weightDecay = weightDecay > 0 ? weightDecay : nil
            training.labelSmoothing = labelSmoothing > 0 ? labelSmoothing : nil
            training.patience = optimization.patience ?? 5; training.validationFraction = validationFraction; training.augment = augment
            training.maxShift = maxShift ?? architecture.defaultMaxShift
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
