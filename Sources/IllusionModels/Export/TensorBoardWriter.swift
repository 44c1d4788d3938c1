import Foundation

/// Where a training loop reports what it measured, step by step: scalars (losses, accuracies,
/// learning rates) and pictures (sample grids). ``TensorBoardWriter`` is one; a trainer holds
/// `[TrainingLogSink]` and calls every one of them. Errors are the sink's (a full disk…).
public protocol TrainingLogSink: AnyObject {
    /// One scalar `value` under `tag` (e.g. `train/loss`) at global step `step`.
    func scalar(tag: String, value: Double, step: Int) throws
    /// One PNG-encoded picture of `width`×`height` pixels under `tag` at `step`.
    func image(tag: String, png: [UInt8], width: Int, height: Int, step: Int) throws
    /// Makes everything reported so far durable.
    func flush() throws
}

/// Writes TensorBoard event files: `events.out.tfevents.<seconds>.<host>` in `directory`, a
/// sequence of TFRecords (uint64 length, masked CRC-32C of the length, the bytes, masked CRC-32C
/// of the bytes; all little-endian), each holding one serialised `tensorflow.Event`:
/// first `file_version = "brain.Event:2"`, then one `Summary` per scalar (`simple_value`) or image
/// (`Summary.Image` with the PNG bytes). Field numbers from tensorflow/core/util/event.proto and
/// tensorflow/core/framework/summary.proto. Records are buffered and appended on ``flush()``
/// (and when the buffer passes 1 MiB, and on deinit).
public final class TensorBoardWriter: TrainingLogSink {
    public let path: String
    private let clock: () -> Double
    private var pending: [UInt8] = []
    private var handle: FileHandle?

    /// Creates `directory` if needed and starts a new event file. `fileName` (default the
    /// standard `events.out.tfevents.<seconds>.<host>`) must contain `tfevents` for TensorBoard
    /// to read it; `clock` gives each event's wall time in seconds since 1970 (injectable for tests).
    public init(directory: String, fileName: String? = nil, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.clock = clock
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelError.invalidArgument("--tensorboard \(directory): cannot create the folder (\(error.localizedDescription))")
        }
        let name = fileName ?? "events.out.tfevents.\(Int(clock())).\(ProcessInfo.processInfo.hostName)"
        path = (directory as NSString).appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw ModelError.invalidArgument("--tensorboard \(directory): cannot create \(name)")
        }
        handle = h
        var event = event(step: 0)
        event.string(3, "brain.Event:2")         // file_version
        append(event)
        try flush()
    }

    deinit { try? flush(); try? handle?.close() }

    public func scalar(tag: String, value: Double, step: Int) throws {
        var v = ProtobufMessage()                // Summary.Value
        v.string(1, tag)                         // tag
        v.float(2, Float(value))                 // simple_value
        try append(summary: v, step: step)
    }

    /// `channels` (1 grey, 3 RGB, 4 RGBA) sets `Summary.Image.colorspace`; TensorBoard reads the PNG either way.
    public func image(tag: String, png: [UInt8], width: Int, height: Int, step: Int) throws {
        try image(tag: tag, png: png, width: width, height: height, channels: nil, step: step)
    }

    public func image(tag: String, png: [UInt8], width: Int, height: Int, channels: Int?, step: Int) throws {
        var image = ProtobufMessage()            // Summary.Image
        image.int(1, Int64(height))              // height
        image.int(2, Int64(width))               // width
        if let channels { image.int(3, Int64(channels)) }   // colorspace
        image.bytes(4, png)                      // encoded_image_string
        var v = ProtobufMessage()                // Summary.Value
        v.string(1, tag)                         // tag
        v.message(4, image)                      // image
        try append(summary: v, step: step)
    }

    /// A picture of ours, PNG-encoded by our codec.
    public func image(tag: String, _ picture: PixelImage, step: Int) throws {
        try image(tag: tag, png: try picture.pngData(), width: picture.width, height: picture.height,
                  channels: picture.channels, step: step)
    }

    public func flush() throws {
        guard !pending.isEmpty, let handle else { return }
        do {
            try handle.write(contentsOf: Data(pending))
            try handle.synchronize()
        } catch {
            throw ModelError.invalidArgument("\(path): cannot write the event file (\(error.localizedDescription))")
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func event(step: Int) -> ProtobufMessage {
        var e = ProtobufMessage()                // Event
        e.double(1, clock())                     // wall_time
        e.int(2, Int64(step))                    // step
        return e
    }

    private func append(summary value: ProtobufMessage, step: Int) throws {
        var summary = ProtobufMessage()          // Summary
        summary.message(1, value)                // value
        var e = event(step: step)
        e.message(5, summary)                    // summary
        append(e)
        if pending.count > 1 << 20 { try flush() }
    }

    private func append(_ event: ProtobufMessage) { pending += TFRecord.frame(event.bytes) }
}

/// TFRecord framing of one record.
public enum TFRecord {
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var length = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { length[i] = UInt8(truncatingIfNeeded: UInt64(data.count) >> (8 * UInt64(i))) }
        return length + littleEndian(CRC32C.masked(length)) + data + littleEndian(CRC32C.masked(data))
    }

    static func littleEndian(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
}
