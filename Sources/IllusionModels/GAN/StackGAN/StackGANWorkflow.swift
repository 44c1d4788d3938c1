import Foundation

/// `illusion train stackgan` end to end: check the Stage-I run against the request, load the data at
/// Stage-II's side, train (or resume), write pictures, loss curves and report.html, return the summary.
public enum StackGANWorkflow {
    /// What a new Stage-II run is asked for (the CLI's flags).
    public struct Request {
        /// `--stage1-run`; nil with ``stage1Plan`` (Stage-I trained first, into `DIR/stage1`).
        public var stage1Run: String?
        public var stage1Plan: StackGANStageIPlan?
        public var imageSize: Int?
        /// nil: the Stage-I run's dataset.
        public var dataset: String?
        public var directory: String?
        public var generatorWidth = 16, discriminatorWidth = 16, residualBlocks = 2
        public var augmentedDim: Int?
        public var training: GANTrainingOptions
        public var limit: Int?, evalLimit: Int?
        /// Progress of Stage-I's training on stderr unless quiet.
        public var quiet = false
        public init(stage1Run: String, training: GANTrainingOptions) { self.stage1Run = stage1Run; self.training = training }
        /// Stage-I trained by the same command (`--stage1-epochs`) on `dataset` (nil: faces-synthetic).
        public init(stage1Plan: StackGANStageIPlan, dataset: String?, training: GANTrainingOptions) {
            self.stage1Plan = stage1Plan; self.dataset = dataset; self.training = training
        }
    }

    /// Opens `--stage1-run` as a conditional GAN run; one clear line when it is anything else.
    public static func openStage1(_ path: String) throws -> GANRun {
        let folder = RunFolder(path: path)
        guard FileManager.default.fileExists(atPath: folder.file("config.json")) else {
            throw ModelError.invalidArgument("--stage1-run \(path): no run folder there (config.json missing); train Stage-I first with illusion train cgan")
        }
        let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "cgan" else {
            throw ModelError.invalidArgument("--stage1-run \(path): this is a \(kind) run, not a cGAN run (Stage-I must be illusion train cgan)")
        }
        return try GANRun(path: path)
    }

    /// A new trainer for `request`, with the data it trains on. Refuses a Stage-I run of another
    /// dataset or condition set and a side that is not 2× or 4× Stage-I's. With a ``Request/stage1Plan``
    /// it checks everything first, writes Stage-II's config.json, then trains Stage-I into `out`/stage1.
    public static func makeTrainer(_ request: Request, out: RunFolder) throws -> (StackGANTrainer, (train: ImageDataset, test: ImageDataset)) {
        let s1: GANModelConfig, s1Data: DatasetSpec, stage1Path: String
        var stage1: GANRun?, planned: (config: GANRunConfig, data: (train: ImageDataset, test: ImageDataset))?
        if let plan = request.stage1Plan {
            guard request.stage1Run == nil else {
                throw ModelError.invalidArgument("--stage1-run and --stage1-epochs: give one (an existing Stage-I run, or Stage-I trained here)")
            }
            let name = request.dataset ?? "faces-synthetic"
            let grey = ["fashion-mnist", "mnist"].contains(name)
            let size = request.imageSize ?? (grey ? 56 : 64)
            let spec = DatasetSpec(name: name, directory: request.directory, imageSize: size, limit: request.limit, evalLimit: request.evalLimit)
            planned = try StackGANStageI.config(plan, stage2Size: size, dataset: spec, training: request.training)
            s1 = planned!.config.model; s1Data = planned!.config.dataset; stage1Path = StackGANStageI.folder(out).path
        } else {
            guard let path = request.stage1Run else {
                throw ModelError.invalidArgument("--stage1-run is required (the cGAN run folder whose generator is Stage-I), or --stage1-epochs N to train Stage-I first")
            }
            let run = try openStage1(path)
            stage1 = run; s1 = run.config.model; s1Data = run.config.dataset; stage1Path = path
        }
        if let dataset = request.dataset, dataset != s1Data.name {
            throw ModelError.invalidArgument("--dataset \(dataset): the Stage-I run \(stage1Path) was trained on \(s1Data.name); Stage-II must refine the same data")
        }
        let size = request.imageSize ?? 2 * s1.imageSize
        var model = StackGANModelConfig(imageSize: size, stage1: s1, generatorWidth: request.generatorWidth,
                                        discriminatorWidth: request.discriminatorWidth, residualBlocks: request.residualBlocks)
        if let a = request.augmentedDim { model.augmentedDim = a }
        model.auxiliaryClassifier = request.training.auxiliaryWeight != nil
        try model.validate()
        var spec = s1Data
        spec.imageSize = size
        spec.padTo32 = false
        if let directory = request.directory { spec.directory = directory }
        if let limit = request.limit { spec.limit = limit }
        if let evalLimit = request.evalLimit { spec.evalLimit = evalLimit }
        let data = try spec.load()
        var probe = GANModelConfig(imageSize: size, channels: s1.channels)
        try GANWorkflow.configureCondition(&probe, kind: s1.conditionKind ?? "", data: data.train)
        guard probe.conditionDim == s1.conditionDim, probe.conditionNames == s1.conditionNames else {
            throw ModelError.invalidArgument("--stage1-run \(stage1Path): its \(s1.conditionKind ?? "") conditions (\(s1.conditionNames.joined(separator: ", "))) are not this data's (\(probe.conditionNames.joined(separator: ", ")))")
        }
        guard data.train.channels == s1.channels, data.train.height == size else {
            throw ModelError.invalidArgument("--stage1-run \(stage1Path): Stage-I draws \(s1.channels)-channel images, the data at side \(size) is \(data.train.channels)×\(data.train.height)×\(data.train.width)")
        }
        var config = StackGANRunConfig(stage1Run: stage1Path, stage1: s1, model: model, training: request.training, dataset: spec)
        guard let planned else {
            return (try StackGANTrainer(run: out, config: config, stage1Weights: stage1!.gan.generator), data)
        }
        config.stage1TrainedHere = true
        let s1Folder = StackGANStageI.folder(out)
        if FileManager.default.fileExists(atPath: s1Folder.configPath) {
            throw ModelError.invalidArgument("--out \(out.path): already holds a Stage-I run in \(s1Folder.path) (use --resume to continue it, or another folder)")
        }
        try StackGANTrainer(run: out, config: config).writeConfig()   // --resume finds the plan even if Stage-I is interrupted
        try StackGANStageI.start(s1Folder, config: planned.config, data: planned.data, quiet: request.quiet)
        return (try StackGANTrainer(run: out, config: config, stage1Weights: try GANRun(path: s1Folder.path).gan.generator), data)
    }

    /// `--resume DIR`: continues Stage-II from its newest checkpoint; for a run that trains its own
    /// Stage-I, first finishes Stage-I if it was interrupted and starts Stage-II if it never committed
    /// a checkpoint.
    public static func resumeTrainer(out: RunFolder, overridingEpochs epochs: Int? = nil, from path: String? = nil,
                                     checkpointing: (every: Int, keep: Int)? = nil, quiet: Bool = false) throws -> StackGANTrainer {
        if !FileManager.default.fileExists(atPath: out.configPath) { try out.requireExisting() }   // its error names what is missing
        let kind = try out.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "stackgan" else { throw ModelError.invalidRun("--run \(out.path): this is a \(kind) run, not a StackGAN run") }
        let config = try RunResumption.config(StackGANRunConfig.self, run: out, overridingEpochs: epochs, checkpointing: checkpointing,
                                              modelRequired: false)
        if config.stage1TrainedHere == true {
            let s1Folder = StackGANStageI.folder(out)
            try StackGANStageI.finish(s1Folder, checkpointing: checkpointing, quiet: quiet)
            if path == nil, try CheckpointStore(run: out).latest() == nil {
                return try StackGANTrainer(run: out, config: config, stage1Weights: try GANRun(path: s1Folder.path).gan.generator)
            }
        }
        return try StackGANTrainer.resume(run: out, overridingEpochs: epochs, from: path, checkpointing: checkpointing)
    }

    @discardableResult
    public static func trainAndReport(_ trainer: StackGANTrainer, data: (train: ImageDataset, test: ImageDataset)? = nil) throws -> [String: Any] {
        let started = Date()
        let data = try data ?? trainer.config.dataset.load()
        let m = trainer.config.model
        if !trainer.quiet {
            let g = trainer.gan.generator.parameterCounts.trainable, d = trainer.gan.discriminator.parameterCounts.trainable
            logLine("training StackGAN Stage-II \(m.stage1ImageSize) → \(m.imageSize) (generator \(g) / discriminator \(d) parameters; Stage-I frozen from \(trainer.config.stage1Run)) on \(data.train.count) \(data.train.name) images; run folder \(trainer.run.path)")
        }
        try trainer.train(on: data.train)
        var summary: [String: Any] = ["run": trainer.run.path, "kind": "stackgan", "dataset": trainer.config.dataset.name,
                                      "stage1_run": trainer.config.stage1Run, "epochs": trainer.epoch, "steps": trainer.step]
        if let last = trainer.run.readMetrics().last(where: { ($0["kind"] as? String) == "epoch" }) {
            for key in ["loss_d", "loss_g", "kl", "d_real", "d_fake", "d_wrong", "d_accuracy", "diversity_ratio", "images_per_s"] { summary[key] = last[key] }
        }
        try StackGANReport.write(run: trainer.run, config: trainer.config)
        summary["wall_seconds"] = Date().timeIntervalSince(started)
        if !trainer.quiet { logLine("wrote \(trainer.run.file("report.html"))") }
        return summary
    }
}

/// report.html of a Stage-II run: the last epoch's figures, Stage-I/Stage-II pairs, loss curves, configuration.
public enum StackGANReport {
    public static func write(run: RunFolder, config: StackGANRunConfig) throws {
        let losses = GANReport.lossChart(run), outputs = GANReport.probabilityChart(run)
        try losses.writePNG(to: run.file("loss_curves.png"))
        try losses.writeSVG(to: run.file("loss_curves.svg"))
        try outputs.writePNG(to: run.file("d_outputs.png"))
        let m = config.model, t = config.training
        var report = HTMLReport(title: "IllusionCraft — StackGAN Stage-II \(m.stage1ImageSize) → \(m.imageSize) on \(config.dataset.name)",
                                subtitle: "run folder \(run.path); Stage-I from \(config.stage1Run)")
        if let last = run.readMetrics().last(where: { ($0["kind"] as? String) == "epoch" }) {
            func f(_ k: String) -> Double { (last[k] as? Double) ?? .nan }
            report.addSection("Last epoch")
            report.addKeyValueTable([
                ("discriminator loss (conditional + unconditional heads)", String(format: "%.3f nats", f("loss_d"))),
                ("generator loss (\(t.generatorLoss.rawValue), both heads)", String(format: "%.3f nats", f("loss_g"))),
                ("mean D(x, c) / D(G(s₀, ĉ), c) / D(x, c̃)", String(format: "%.3f / %.3f / %.3f", f("d_real"), f("d_fake"), f("d_wrong"))),
                ("KL(N(μ, σ²) ‖ N(0, I)) of Stage-II's ĉ", String(format: "%.3f nats", f("kl"))),
                ("sample diversity / data's", String(format: "%.2f", f("diversity_ratio"))),
            ])
        }
        report.addSection("Stage-I (rows I, enlarged) and Stage-II (rows II), same noise and condition")
        GANReport.addPNG(&report, run.file("samples.png"), "last epoch, fixed noise")
        report.addSection("Loss curves")
        try report.addChart(losses, caption: "means over \(t.logEvery) steps")
        try report.addChart(outputs, caption: "D's mean probability of \"real\" (conditional head)")
        report.addSection("Configuration")
        report.addKeyValueTable([
            ("Stage-I", "\(config.stage1Run): \(config.stage1.imageSize)², noise \(config.stage1.noiseDim), frozen"),
            ("Stage-II", "\(m.imageSize)², widths G \(m.generatorWidth) / D \(m.discriminatorWidth), \(m.residualBlocks) residual blocks, ĉ \(m.augmentedDim)"),
            ("condition", "\(m.conditionKind) (\(m.conditionDim)): \(m.conditionNames.joined(separator: ", "))"),
            ("Adam", "G \(t.effectiveGeneratorLearningRate), D \(t.effectiveDiscriminatorLearningRate), β₁ \(t.beta1)"),
            ("λ (KL weight)", "\(t.klWeight)"), ("batch size", "\(t.batchSize)"), ("epochs", "\(t.epochs)"), ("seed", "\(t.seed)"),
        ])
        try report.write(to: run.file("report.html"))
    }
}
