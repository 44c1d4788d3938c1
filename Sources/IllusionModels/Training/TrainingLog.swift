import Foundation

/// Forwards what a training loop logs to its ``TrainingLogSink``s (TensorBoard event files…):
/// every numeric field of a metrics.jsonl record becomes a scalar, every per-epoch picture an image.
///
/// ``sinks`` is process configuration, like ``ComputeThreads``: the CLI's `--tensorboard DIR` sets it
/// once before training, and every ``Trainer`` created afterwards starts with it as its
/// ``Trainer/logSinks`` (a library user may instead set `logSinks` on one trainer).
public enum TrainingLog {
    /// The sinks every new ``Trainer`` starts with (default none).
    nonisolated(unsafe) public static var sinks: [TrainingLogSink] = []

    /// Fields of a record that are positions or labels, never scalars.
    static let positionFields: Set<String> = ["kind", "epoch", "step", "best", "warnings", "phase"]

    /// Reports every finite numeric field of `record` as the scalar `<kind>/<field>` (kind `step` or
    /// `epoch`, `epoch` when the record has none) at the record's `step` (else `fallbackStep`).
    /// Example: `{"kind": "epoch", "step": 600, "val_neg_elbo": 266.7}` → `epoch/val_neg_elbo` = 266.7 at step 600.
    public static func record(_ record: [String: Any], fallbackStep: Int = 0, to sinks: [TrainingLogSink] = sinks) throws {
        guard !sinks.isEmpty else { return }
        let kind = (record["kind"] as? String) ?? "epoch"
        let step = (record["step"] as? Int) ?? fallbackStep
        for key in record.keys.sorted() where !positionFields.contains(key) {
            let value: Double
            switch record[key] {
            case let v as Double: value = v
            case let v as Float: value = Double(v)
            case let v as Int: value = Double(v)
            default: continue
            }
            guard value.isFinite else { continue }
            for sink in sinks { try sink.scalar(tag: "\(kind)/\(key)", value: value, step: step) }
        }
    }

    /// Reports the PNG file at `path` as the image `tag` at `step` (nothing when the file is absent).
    public static func picture(tag: String, file path: String, step: Int, to sinks: [TrainingLogSink] = sinks) throws {
        guard !sinks.isEmpty, let data = FileManager.default.contents(atPath: path) else { return }
        let png = [UInt8](data)
        guard let header = PNGHeader(png) else { throw ModelError.invalidRun("\(path): not a PNG file") }
        for sink in sinks {
            if let writer = sink as? TensorBoardWriter {
                try writer.image(tag: tag, png: png, width: header.width, height: header.height, channels: header.channels, step: step)
            } else {
                try sink.image(tag: tag, png: png, width: header.width, height: header.height, step: step)
            }
        }
    }

    /// For the trainers that compare several small models in one run without the shared loop
    /// (`train mlp`, `linear-regression`, `logistic-regression`): replays the finished run's
    /// metrics.jsonl — one scalar `<series>=<value>/<field>` per numeric field at step = the line's
    /// epoch, e.g. `optimizer=adam/train_loss` — and reports each PNG in the run folder as an image at
    /// the last epoch. Returns the number of scalars written.
    @discardableResult
    public static func replayFinishedRun(_ folder: RunFolder, series key: String, to sinks: [TrainingLogSink] = sinks) throws -> Int {
        guard !sinks.isEmpty else { return 0 }
        var written = 0, lastEpoch = 0
        for line in folder.readMetrics() {
            let epoch = (line["epoch"] as? Int) ?? 0
            lastEpoch = max(lastEpoch, epoch)
            let series = line[key].map { "\(key)=\($0)/" } ?? ""
            for field in line.keys.sorted() where field != key && !positionFields.contains(field) {
                guard let value = (line[field] as? Double) ?? (line[field] as? Int).map(Double.init), value.isFinite else { continue }
                for sink in sinks { try sink.scalar(tag: series + field, value: value, step: epoch) }
                written += 1
            }
        }
        let pictures = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        for file in pictures {
            try picture(tag: "pictures/" + String(file.dropLast(4)), file: folder.path + "/" + file, step: lastEpoch, to: sinks)
        }
        try flush(sinks)
        return written
    }

    /// Flushes every sink (the trainer calls this at each epoch's end).
    public static func flush(_ sinks: [TrainingLogSink] = sinks) throws { for sink in sinks { try sink.flush() } }
}

/// Width, height and channel count from a PNG's IHDR chunk (bytes 16–25: big-endian width and
/// height, bit depth, colour type 0 grey / 2 RGB / 4 grey+alpha / 6 RGBA / 3 palette).
struct PNGHeader {
    var width: Int, height: Int, channels: Int

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 26, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              bytes[12..<16].elementsEqual(Array("IHDR".utf8)) else { return nil }
        func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        width = int(16); height = int(20)
        switch bytes[25] {
        case 0: channels = 1
        case 4: channels = 2
        case 6: channels = 4
        default: channels = 3
        }
    }
}
