import Foundation

/// A run folder (contract, see DESIGN.md): `config.json`, `model.safetensors`,
/// `training_state.safetensors` (optimizer moments, step, epoch, RNG state), `metrics.jsonl`,
/// pictures and `report.html`. Every file is written to a temporary name and renamed.
public struct RunFolder {
    public let path: String

    /// Under mpirun, ranks other than 0 get their private copy of the folder (``DataParallel``).
    public init(path: String) { self.path = DataParallel.writablePath(path) }

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
        if name.hasSuffix("config.json") { return try ConfigFileCheck.decode(T.self, from: data, source: p) }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw ModelError.invalidRun(ConfigFileCheck.describe(error, source: p))
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

    /// Keeps only the `metrics.jsonl` lines for which `keep` is true (a resumed run drops the lines
    /// written after its checkpoint).
    public func filterMetrics(_ keep: ([String: Any]) -> Bool) throws {
        guard FileManager.default.fileExists(atPath: metricsPath) else { return }
        var out = Data()
        for m in readMetrics() where keep(m) {
            out.append(try JSONSerialization.data(withJSONObject: m, options: [.sortedKeys])); out.append(10)
        }
        try writeFileAtomically(metricsPath, bytes: [UInt8](out))
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
