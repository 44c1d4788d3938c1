import ArgumentParser
import Foundation

/// `--config FILE`: start a new run with the settings of an earlier run's config.json; flags given
/// on the command line override them. Shown by `--help` of each command that takes it; the work is
/// done before parsing by ``ConfigFileExpansion/expand(_:)``, which turns the file into flags.
struct ConfigFileArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Take every setting from this config.json of an earlier run (RUN/config.json); flags given here override it (e.g. --config runs/a/config.json --seed 1 --out runs/b).", valueName: "FILE"))
    var config: String?
}

/// Turns `train KIND … --config FILE …` into `train KIND <flags from FILE> …`: ArgumentParser keeps
/// the last value of an option given twice, so the flags typed after the file's win. One table per
/// train command maps each flag to its config.json field (the same fields the command writes).
enum ConfigFileExpansion {
    /// A flag and the command-line words it becomes for a decoded config ([] when the field is absent).
    struct Entry {
        var flag: String
        var words: ([String: Any]) -> [String]
    }

    static func field(_ json: [String: Any], _ path: String) -> Any? {
        var current: Any? = json
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        if current is NSNull { return nil }
        return current
    }

    static func text(_ v: Any) -> String? {
        switch v {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        case let a as [Any]: return a.compactMap(text).joined(separator: ",")
        default: return nil
        }
    }

    static func option(_ flag: String, _ path: String, when condition: @escaping ([String: Any]) -> Bool = { _ in true }) -> Entry {
        Entry(flag: flag) { json in
            guard condition(json), let value = field(json, path).flatMap(text) else { return [] }
            return [flag, value]
        }
    }

    /// A `--name/--no-name` flag from a Boolean field.
    static func toggle(_ flag: String, _ path: String) -> Entry {
        Entry(flag: flag) { json in
            guard let on = field(json, path) as? Bool else { return [] }
            return [on ? flag : "--no-" + flag.dropFirst(2)]
        }
    }

    static let dataset = [option("--dataset", "dataset.name"), option("--data", "dataset.directory"),
                          option("--limit", "dataset.limit"), option("--eval-limit", "dataset.evalLimit")]
    static func loop(schedule: Bool = true, checkpoints: Bool = true) -> [Entry] {
        var entries = [option("--clip-grad-norm", "training.loop.clipGradNorm"), option("--log-every", "training.loop.logEvery")]
        if schedule { entries += [option("--schedule", "training.loop.schedule"), option("--patience", "training.loop.patience")] }
        entries.append(option("--checkpoint-every", "training.loop.checkpointEvery"))
        if checkpoints { entries.append(option("--keep-checkpoints", "training.loop.keepCheckpoints")) }
        return entries
    }
    static let common = [option("--epochs", "training.epochs"), option("--batch-size", "training.batchSize"),
                         option("--lr", "training.learningRate"), option("--seed", "training.seed"),
                         option("--max-steps", "training.maxStepsPerEpoch")]

    static let gan: [Entry] = dataset + common + [
        option("--noise-dim", "model.noiseDim"), option("--image-size", "model.imageSize"), option("--width", "model.generatorWidth"),
        option("--g-lr", "training.generatorLearningRate"), option("--d-lr", "training.discriminatorLearningRate"),
        option("--beta1", "training.beta1"), option("--real-label", "training.realLabel"),
        option("--instance-noise", "training.instanceNoise"), option("--generator-loss", "training.generatorLoss"),
        option("--log-every", "training.logEvery"),
    ] + loop().filter { $0.flag != "--log-every" }

    /// `--data A B …` from a list of file names (`--data` takes several words).
    static func files(_ flag: String, _ path: String) -> Entry {
        Entry(flag: flag) { json in
            guard let list = field(json, path) as? [String], !list.isEmpty else { return [] }
            return [flag] + list
        }
    }

    /// `train char-lm`: the recurrent models write snake_case fields at the top level, the
    /// transformer its `model` and `recipe` objects; each entry applies to the config that has it.
    static let charLM: [Entry] = {
        func recurrent(_ json: [String: Any]) -> Bool { json["architecture"] as? String != "transformer" }
        func transformer(_ json: [String: Any]) -> Bool { json["architecture"] as? String == "transformer" }
        let r: [Entry] = [
            files("--data", "data_files"),
            option("--seq-len", "seq_len"), option("--hidden", "hidden"), option("--embedding", "embedding"),
            option("--layers", "layers"), option("--dropout", "dropout"), option("--batch-size", "batch_size"),
            option("--lr", "learning_rate"), option("--clip-grad-norm", "clip_norm"), option("--epochs", "epochs"),
            option("--max-steps", "max_steps"), option("--sample-length", "sample_length"), option("--seed", "seed"),
            option("--checkpoint-every", "loop.checkpointEvery"), option("--keep-checkpoints", "loop.keepCheckpoints"),
        ].map { e in Entry(flag: e.flag) { recurrent($0) ? e.words($0) : [] } }
        let t: [Entry] = [
            files("--data", "data"), option("--eval-interval", "evalInterval"),
            option("--layers", "model.layers"), option("--heads", "model.heads"), option("--embed", "model.width"),
            option("--block", "model.blockSize"), option("--batch-size", "recipe.batch"), option("--lr", "recipe.learningRate"),
            option("--min-lr", "recipe.minLearningRate"), option("--steps", "recipe.steps"),
            option("--warmup-steps", "recipe.warmupSteps"), option("--weight-decay", "recipe.weightDecay"),
            option("--clip-grad-norm", "recipe.gradientClip"), option("--seed", "recipe.seed"),
            Entry(flag: "--bias") { field($0, "model.bias") as? Bool == true ? ["--bias"] : [] },
            Entry(flag: "--untied-head") { field($0, "model.tiedHead") as? Bool == false ? ["--untied-head"] : [] },
        ].map { e in Entry(flag: e.flag) { transformer($0) ? e.words($0) : [] } }
        return [option("--arch", "architecture")] + r + t
    }()

    /// The flags of each train command, in the order they are inserted.
    static let tables: [String: [Entry]] = [
        "vae": dataset + common + [
            option("--arch", "model.architecture"), option("--latent-dim", "model.latentDim"), option("--image-size", "model.imageSize"),
            option("--gaussian-sigma", "model.gaussianSigma", when: { field($0, "model.likelihood") as? String == "gaussianFixed" }),
            option("--beta", "training.beta"), option("--kl-warmup", "training.klWarmupEpochs"),
            option("--kl-schedule", "training.klSchedule"), option("--validation-fraction", "training.validationFraction"),
        ] + loop(),
        "dcgan": gan,
        "cgan": gan + [option("--condition-kind", "model.conditionKind"), option("--augmented-dim", "model.augmentedDim"),
                       option("--kl-weight", "training.klWeight"), option("--aux-weight", "training.auxiliaryWeight")],
        // A run that trained its own Stage-I names it in stage1Run (DIR/stage1): the new run refines that Stage-I.
        "stackgan": dataset + common + [
            option("--stage1-run", "stage1Run"), option("--image-size", "model.imageSize"), option("--width", "model.generatorWidth"),
            option("--residual-blocks", "model.residualBlocks"), option("--augmented-dim", "model.augmentedDim"),
            option("--g-lr", "training.generatorLearningRate"), option("--d-lr", "training.discriminatorLearningRate"),
            option("--beta1", "training.beta1"), option("--kl-weight", "training.klWeight"), option("--aux-weight", "training.auxiliaryWeight"),
            option("--generator-loss", "training.generatorLoss"), option("--log-every", "training.logEvery"),
        ] + loop().filter { $0.flag != "--log-every" },
        "cnn": dataset + common + [
            option("--weight-decay", "training.weightDecay"),
            option("--validation-fraction", "training.validationFraction"), option("--dropout", "model.dropout"),
            option("--conv-dropout", "model.convolutionDropout"),
            Entry(flag: "--filters") { json in
                guard let a = field(json, "model.conv1Filters").flatMap(text), let b = field(json, "model.conv2Filters").flatMap(text) else { return [] }
                let c = field(json, "model.conv3Filters").flatMap(text)
                let double = field(json, "model.convolutionsPerBlock").flatMap(text) == "2"
                return ["--arch", double ? "double-conv" : c == nil ? "seed" : "three-block", "--filters", ([a, b] + (c.map { [$0] } ?? [])).joined(separator: ",")]
            },
            Entry(flag: "--label-smoothing") { json in [
                "--label-smoothing", field(json, "training.labelSmoothing").flatMap(text) ?? "0"] },
            option("--dense-units", "model.denseUnits"), option("--padding", "model.padding"),
            // nil is he (configs written before the field): said explicitly, since double-conv's default is pytorch
            Entry(flag: "--weight-init") { json in ["--weight-init", field(json, "model.weightInit").flatMap(text) ?? "he"] },
            option("--schedule", "training.schedule"), option("--patience", "training.patience"),
            toggle("--augment", "training.augment"), toggle("--batch-norm", "model.batchNorm"),
            Entry(flag: "--max-shift") { json in ["--max-shift", field(json, "training.maxShift").flatMap(text) ?? "2"] },
        ] + loop(schedule: false),
        "autoencoder": dataset + common + [
            option("--latent-dim", "model.latentDim"), option("--classifier-epochs", "training.classifierEpochs"),
            option("--classifier-lr", "training.classifierLearningRate"), option("--classifier-hidden", "model.classifierHiddenUnits"),
        ] + loop(checkpoints: false),
        "char-lm": charLM,
        "seq-classifier": [
            option("--data", "dataDirectory"), option("--hidden", "hidden"), option("--epochs", "epochs"),
            option("--batch-size", "batchSize"), option("--lr", "learningRate"), option("--seed", "seed"),
            option("--limit", "limit"), option("--eval-limit", "evalLimit"), option("--max-steps", "maxStepsPerEpoch"),
            option("--clip-grad-norm", "loop.clipGradNorm"), option("--schedule", "loop.schedule"),
            option("--patience", "loop.patience"), option("--log-every", "loop.logEvery"),
            option("--checkpoint-every", "loop.checkpointEvery"), option("--keep-checkpoints", "loop.keepCheckpoints"),
        ],
    ]

    /// `arguments` (without the program name) with the flags of `--config FILE` inserted right
    /// after `train KIND`; unchanged when there is no `--config` or the command takes none.
    static func expand(_ arguments: [String]) throws -> [String] {
        guard arguments.count >= 2, arguments[0] == "train", let table = tables[arguments[1]] else { return arguments }
        var path: String?
        for (i, a) in arguments.enumerated() {
            if a == "--config", i + 1 < arguments.count { path = arguments[i + 1] }
            if a.hasPrefix("--config=") { path = String(a.dropFirst("--config=".count)) }
        }
        guard let path else { return arguments }
        if arguments.contains(where: { $0 == "--resume" || $0 == "--resume-from" || $0.hasPrefix("--resume-from=") }) {
            throw ValidationError("--config starts a new run from another run's settings; --resume continues a run with its own config.json (give one of them)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("--config \(path): cannot read the file") }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ValidationError("--config \(path): not a JSON object (expected a run's config.json)")
        }
        let kind = json["kind"] as? String
        guard kind == arguments[1] else {
            throw ValidationError("--config \(path): this is the config of a \(kind.map { "\($0) run" } ?? "file without a \"kind\""), not of train \(arguments[1])")
        }
        let flags = table.flatMap { $0.words(json) }
        return Array(arguments[0..<2]) + flags + Array(arguments[2...])
    }
}
