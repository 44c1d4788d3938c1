import Foundation

/// A run folder (contract, see DESIGN.md): `config.json`, `model.safetensors`,
/// `training_state.safetensors` (optimizer moments, step, epoch, RNG state), `metrics.jsonl`,
/// pictures and `report.html`. Every file is written to a temporary name and renamed.
public struct RunFolder {
    public let path: String

    public init(path: String) { self.path = path }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public var configPath: String { file("config.json") }
    public var modelPath: String { file("model.safetensors") }
    public var trainingStatePath: String { file("training_state.safetensors") }
    public var metricsPath: String { file("metrics.jsonl") }

    /// Creates the folder (and parents) for writing.
    public func create() throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ModelError.invalidRun("--out \(path): cannot create the run folder (\(error.localizedDescription))")
        }
    }

    /// Checks that an existing run can be opened (used by every command taking `--run`).
    public func requireExisting() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw ModelError.invalidRun("--run \(path): no such run folder")
        }
        guard FileManager.default.fileExists(atPath: configPath) else {
            throw ModelError.invalidRun("--run \(path): not a run folder (config.json is missing)")
        }
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw ModelError.invalidRun("--run \(path): no checkpoint yet (model.safetensors is missing)")
        }
    }

    // MARK: JSON

    public func writeJSON<T: Encodable>(_ value: T, to name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeFileAtomically(file(name), bytes: [UInt8](try encoder.encode(value)) + [10])
    }

    public func readJSON<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        let p = file(name)
        guard let data = FileManager.default.contents(atPath: p) else {
            throw ModelError.invalidRun("\(p): cannot read file")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw ModelError.invalidRun("\(p): not a valid \(name) (\(error))")
        }
    }

    /// Appends one JSON object as a line to `metrics.jsonl`. The new content is written to a
    /// temporary file and renamed, so an interrupted write never leaves a torn line.
    public func appendMetrics(_ object: [String: Any]) throws {
        var existing = FileManager.default.contents(atPath: metricsPath) ?? Data()
        let line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        existing.append(line)
        existing.append(10)
        try writeFileAtomically(metricsPath, bytes: [UInt8](existing))
    }

    /// Every line of `metrics.jsonl` as a dictionary.
    public func readMetrics() -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: metricsPath),
              let text = String(data: data, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Truncates `metrics.jsonl` to the entries with `epoch ≤ lastEpoch` (used on resume).
    public func truncateMetrics(afterEpoch lastEpoch: Int) throws {
        let kept = readMetrics().filter { (($0["epoch"] as? Int) ?? 0) <= lastEpoch }
        var out = Data()
        for m in kept {
            out.append(try JSONSerialization.data(withJSONObject: m, options: [.sortedKeys])); out.append(10)
        }
        try writeFileAtomically(metricsPath, bytes: [UInt8](out))
    }
}

/// Saving and loading a layer's state dict as safetensors (PyTorch names and layouts).
public enum Checkpoint {
    /// Writes every parameter and buffer of `layer` (plus BatchNorm batch counters as I64) atomically.
    public static func save(_ layer: Layer, to path: String, metadata: [String: String] = [:]) throws {
        var file = SafeTensors()
        for (name, t) in layer.stateDict() { file.set(name, t) }
        for (name, count) in batchCounters(layer) { file.set(name, shape: [], int64s: [count]) }
        file.metadata = metadata
        try file.write(to: path)
    }

    /// Loads a checkpoint into `layer`; the error names the file and the first tensor that does not fit.
    public static func load(_ layer: Layer, from path: String) throws {
        let file = try SafeTensors(contentsOf: path)
        var state: [String: Tensor] = [:]
        for name in file.names where !name.hasSuffix("num_batches_tracked") { state[name] = try file.tensor(name) }
        try layer.loadStateDict(state, source: path)
        for (name, bn) in batchNormLayers(layer) {
            if let counts = try? file.int64s(name + ".num_batches_tracked"), let c = counts.first { bn.numBatchesTracked = c }
        }
    }

    static func batchCounters(_ layer: Layer) -> [(String, Int64)] {
        batchNormLayers(layer).map { ($0.0 + ".num_batches_tracked", $0.1.numBatchesTracked) }
    }

    static func batchNormLayers(_ layer: Layer, prefix: String = "") -> [(String, BatchNormalization)] {
        var out: [(String, BatchNormalization)] = []
        if let bn = layer as? BatchNormalization { out.append((String(prefix.dropLast()), bn)) }
        for c in layer.children { out += batchNormLayers(c.layer, prefix: prefix + c.name + ".") }
        return out
    }
}

/// `training_state.safetensors`: what `--resume` needs beyond the weights — each optimizer's
/// state under its prefix (`optimizer.` for one optimizer, `optimizer.generator.` …), the RNG
/// state (`rng`: state and increment as I64 bit patterns), `epoch` and `step`.
public struct TrainingState {
    public var rng: RandomGenerator
    public var epoch: Int
    public var step: Int

    public init(rng: RandomGenerator, epoch: Int, step: Int) { self.rng = rng; self.epoch = epoch; self.step = step }

    /// Writes the optimizers' states and this state atomically to the run's training_state.safetensors.
    public func save(to run: RunFolder, optimizers: [(prefix: String, optimizer: Optimizer)]) throws {
        var file = SafeTensors()
        for (prefix, optimizer) in optimizers { for (name, t) in optimizer.state() { file.set(prefix + name, t) } }
        file.set("rng", shape: [2], int64s: [Int64(bitPattern: rng.state), Int64(bitPattern: rng.increment)])
        file.set("epoch", shape: [1], int64s: [Int64(epoch)])
        file.set("step", shape: [1], int64s: [Int64(step)])
        try file.write(to: run.trainingStatePath)
    }

    /// Reads the run's training_state.safetensors, loading each optimizer's state in place.
    public static func load(from run: RunFolder, optimizers: [(prefix: String, optimizer: Optimizer)]) throws -> TrainingState {
        let file = try SafeTensors(contentsOf: run.trainingStatePath)
        for (prefix, optimizer) in optimizers {
            var state: [String: Tensor] = [:]
            for name in file.names where name.hasPrefix(prefix) { state[String(name.dropFirst(prefix.count))] = try file.tensor(name) }
            try optimizer.loadState(state)
        }
        let r = try file.int64s("rng")
        guard r.count == 2 else { throw ModelError.invalidRun("\(run.trainingStatePath): rng must hold 2 values") }
        return TrainingState(rng: RandomGenerator(state: UInt64(bitPattern: r[0]), increment: UInt64(bitPattern: r[1])),
                             epoch: Int(try file.int64s("epoch").first ?? 0), step: Int(try file.int64s("step").first ?? 0))
    }
}
