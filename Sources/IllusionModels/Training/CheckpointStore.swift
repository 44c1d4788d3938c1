import Foundation

/// Where the trainer is inside a run, committed with every checkpoint (manifest.json `progress`).
public struct TrainingProgress: Codable, Equatable {
    /// Epochs finished.
    public var epoch = 0
    /// Steps finished inside the current (unfinished) epoch; 0 at an epoch boundary.
    public var stepInEpoch = 0
    /// Optimisation steps finished over the whole run.
    public var globalStep = 0
    /// Running sums of the current epoch's step figures (each × examples) and their example count.
    public var sums: [String: Double] = [:]
    public var order: [String] = []
    public var examples = 0
    /// The monitored value of every finished epoch (nil where the task reported none).
    public var monitored: [Double?] = []
    /// 1-based epoch of the best monitored value so far.
    public var bestEpoch: Int?
    public var stoppedEarly = false
    public init() {}
}

/// A verified checkpoint on disk.
public struct CommittedCheckpoint {
    public var path: String
    public var progress: TrainingProgress
    public var modelPath: String { (path as NSString).appendingPathComponent("model.safetensors") }
    public var trainingStatePath: String { (path as NSString).appendingPathComponent("training_state.safetensors") }
}

/// The checkpoint protocol (contract, see DESIGN.md): a checkpoint is a folder
/// `checkpoints/step-<global step>/` with `model.safetensors`, `training_state.safetensors`,
/// `config.json` and, written last, `manifest.json` (progress, and each file's size and CRC-32).
///
/// Commit: every file is written into `checkpoints/.incoming-<step>/` and fsync'd, the folder is
/// fsync'd and renamed into place (one atomic rename), then the run's top-level `model.safetensors`
/// is pointed at it (a hard link renamed over the old one). A crash at any instant leaves the
/// previous checkpoint complete; a folder without a valid manifest is never resumed from.
public struct CheckpointStore {
    public let run: RunFolder
    public init(run: RunFolder) { self.run = run }

    public var directory: String { run.file("checkpoints") }
    public var bestPath: String { (directory as NSString).appendingPathComponent("best") }

    static let manifestName = "manifest.json"
    static let files = ["model.safetensors", "training_state.safetensors", "config.json"]

    /// Commits one checkpoint; returns its folder. `pointRootAt` says which folder the top-level
    /// model.safetensors should name afterwards (this one, or the best).
    @discardableResult
    public func commit(files contents: [String: [UInt8]], progress: TrainingProgress, format: String,
                       asBest: Bool, pointRootAtBest: Bool, keep: Int) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = String(format: "step-%09d", progress.globalStep)
        let final = (directory as NSString).appendingPathComponent(name)
        try write(contents, progress: progress, format: format, into: final)
        if asBest {
            // best/ is replaced through best.old/, so one of them is complete at every instant.
            let old = bestPath + ".old"
            try? FileManager.default.removeItem(atPath: old)
            try write(contents, progress: progress, format: format, into: old + ".incoming", rename: false)
            if FileManager.default.fileExists(atPath: bestPath) { try DurableFile.rename(bestPath, to: old) }
            try DurableFile.rename(old + ".incoming", to: bestPath)
            try DurableFile.syncDirectory(directory)
            try? FileManager.default.removeItem(atPath: old)
        }
        try pointRoot(at: pointRootAtBest && FileManager.default.fileExists(atPath: bestPath) ? bestPath : final)
        try prune(keep: keep)
        return final
    }

    private func write(_ contents: [String: [UInt8]], progress: TrainingProgress, format: String,
                       into final: String, rename: Bool = true) throws {
        let incoming = rename ? (directory as NSString).appendingPathComponent(".incoming-" + (final as NSString).lastPathComponent) : final
        try? FileManager.default.removeItem(atPath: incoming)
        do {
            try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: false)
        } catch {
            throw ModelError.invalidRun("cannot create \(incoming): \(error.localizedDescription)")
        }
        do {
            var entries: [String: Any] = [:]
            for name in Self.files {
                guard let bytes = contents[name] else { continue }
                try DurableFile.write(bytes, to: (incoming as NSString).appendingPathComponent(name), sync: true)
                entries[name] = ["bytes": bytes.count, "crc32": Int(CRC32.checksum(bytes))]
            }
            let progressJSON = try JSONSerialization.jsonObject(with: JSONEncoder().encode(progress))
            let manifest: [String: Any] = ["format": "illusioncraft-checkpoint", "version": 1, "model_format": format,
                                           "files": entries, "progress": progressJSON,
                                           "created": ISO8601DateFormatter().string(from: Date())]
            let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
            try DurableFile.write([UInt8](data), to: (incoming as NSString).appendingPathComponent(Self.manifestName), sync: true)
            try DurableFile.syncDirectory(incoming)
            if rename {
                try? FileManager.default.removeItem(atPath: final)
                try DurableFile.rename(incoming, to: final)
                try DurableFile.syncDirectory(directory)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: incoming)
            throw error
        }
    }

    /// After a crash: finishes an interrupted swap of `best/` and points the top-level
    /// model.safetensors at the newest checkpoint (or the best one), in case the crash came between
    /// a commit and its pointer update. Called when a run resumes.
    public func recover(pointRootAtBest: Bool) throws {
        let old = bestPath + ".old"
        if !FileManager.default.fileExists(atPath: bestPath) && FileManager.default.fileExists(atPath: old) {
            try DurableFile.rename(old, to: bestPath)
        }
        if pointRootAtBest && FileManager.default.fileExists(atPath: bestPath) {
            try pointRoot(at: bestPath)
        } else if let newest = stepFolders().last {
            try pointRoot(at: newest)
        }
    }

    /// Points the run's top-level model.safetensors at `folder`'s (hard link, or a copy where links fail).
    private func pointRoot(at folder: String) throws {
        let source = (folder as NSString).appendingPathComponent("model.safetensors")
        let temporary = run.file(".model.safetensors.link-\(getpid())")
        unlink(temporary)
        if link(source, temporary) != 0 {
            let bytes = try readBytes(source)
            try DurableFile.write(bytes, to: temporary, sync: true)
        }
        try DurableFile.rename(temporary, to: run.modelPath)
        try DurableFile.syncDirectory(run.path)
    }

    /// Removes all but the newest `keep` step folders (and leftovers of interrupted commits).
    private func prune(keep: Int) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for leftover in names where leftover.hasPrefix(".incoming-") {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(leftover))
        }
        let steps = names.filter { $0.hasPrefix("step-") }.sorted()
        for name in steps.dropLast(max(keep, 1)) {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }

    /// The committed step folders, oldest first.
    public func stepFolders() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("step-") }.sorted().map { (directory as NSString).appendingPathComponent($0) }
    }

    /// The checkpoint `--resume` continues from: `path` (`--resume-from`) or the newest, verified;
    /// an error naming the folder when the run has none.
    public func checkpointToResume(from path: String?) throws -> CommittedCheckpoint {
        guard let checkpoint = try path.map({ try verify($0) }) ?? latest() else {
            throw ModelError.invalidRun("--resume \(run.path): no verified checkpoint in \(directory) (a run written by an older version, or one that never finished a step)")
        }
        return checkpoint
    }

    /// The newest checkpoint, verified; nil when the run has none. A damaged newest checkpoint is an
    /// error (never silently skipped): the message names the file and how to resume from an older one.
    public func latest() throws -> CommittedCheckpoint? {
        guard let newest = stepFolders().last else { return nil }
        return try verify(newest)
    }

    /// Reads and checks a checkpoint folder: the manifest parses, every file is present with the
    /// recorded size and CRC-32.
    public func verify(_ folder: String) throws -> CommittedCheckpoint {
        let manifestPath = (folder as NSString).appendingPathComponent(Self.manifestName)
        let older = stepFolders().filter { $0 != folder }.last.map { " (an older one: --resume-from \($0))" } ?? ""
        guard let data = FileManager.default.contents(atPath: manifestPath),
              let manifest = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              manifest["format"] as? String == "illusioncraft-checkpoint",
              let files = manifest["files"] as? [String: Any], let progressObject = manifest["progress"],
              let progressData = try? JSONSerialization.data(withJSONObject: progressObject),
              let progress = try? JSONDecoder().decode(TrainingProgress.self, from: progressData) else {
            throw ModelError.invalidRun("\(manifestPath): missing or not a checkpoint manifest; this checkpoint is incomplete\(older)")
        }
        for name in ["model.safetensors", "training_state.safetensors"] {
            guard let entry = files[name] as? [String: Any], let size = entry["bytes"] as? Int, let crc = entry["crc32"] as? Int else {
                throw ModelError.invalidRun("\(manifestPath): no record of \(name)\(older)")
            }
            let path = (folder as NSString).appendingPathComponent(name)
            let bytes = try readBytes(path)
            guard bytes.count == size, Int(CRC32.checksum(bytes)) == crc else {
                throw ModelError.invalidRun("\(path): damaged (expected \(size) bytes with CRC-32 \(crc), found \(bytes.count) bytes with CRC-32 \(CRC32.checksum(bytes))); refusing to resume from a torn checkpoint\(older)")
            }
        }
        return CommittedCheckpoint(path: folder, progress: progress)
    }

    func readBytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError.invalidRun("\(path): cannot read file")
        }
        return [UInt8](data)
    }
}
