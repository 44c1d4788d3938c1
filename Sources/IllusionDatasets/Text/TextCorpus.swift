import Foundation

/// A text corpus as a sequence of Unicode code points (scalars), read from UTF-8 files.
///
/// Contract (the same as the PyTorch peers' `charlm_common.load_corpus`): each file is decoded as
/// strict UTF-8 *without* newline translation (`\r\n` stays two code points) and the files are
/// concatenated in the order given. A file that is empty or not valid UTF-8 is refused with an
/// error naming it. Train / validation = the first 90 % / the last 10 % by position, split index
/// `Int(0.9 · n)` (as nanoGPT's `shakespeare_char/prepare.py`).
public struct TextCorpus: Sendable {
    /// Every code point of the corpus, in order.
    public let scalars: [Unicode.Scalar]
    /// The files read, in order (empty for an in-memory corpus).
    public let files: [String]

    /// A corpus from text held in memory (tests, tiny generated corpora).
    public init(text: String) {
        scalars = Array(text.unicodeScalars)
        files = []
    }

    /// Reads and concatenates `paths` in the order given.
    /// Throws ``DatasetError`` naming the file when one is missing, empty or not valid UTF-8.
    public init(contentsOf paths: [String]) throws {
        guard !paths.isEmpty else { throw DatasetError.invalidArgument("no text files given") }
        var all: [Unicode.Scalar] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DatasetError.missingFile(path: path, reason: "no readable file at this path")
            }
            guard !data.isEmpty else { throw DatasetError.malformed(path: path, reason: "the file is empty (a text corpus needs characters)") }
            all += try TextCorpus.decodeUTF8([UInt8](data), path: path)
        }
        scalars = all
        files = paths
    }

    /// Strict UTF-8 decoding; the error gives the byte offset of the first invalid sequence.
    static func decodeUTF8(_ bytes: [UInt8], path: String) throws -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        var codec = UTF8()
        var consumed = 0
        while true {
            switch codec.decode(&iterator) {
            case .scalarValue(let s):
                out.append(s)
                consumed += UTF8.width(s)
            case .emptyInput:
                return out
            case .error:
                throw DatasetError.malformed(path: path, reason: "not valid UTF-8 text (invalid byte sequence at byte \(consumed)); a binary file?")
            }
        }
    }

    /// Number of characters (code points).
    public var count: Int { scalars.count }

    /// The position where validation starts: `Int(trainFraction · count)`.
    public func splitIndex(trainFraction: Double = 0.9) -> Int { Int(trainFraction * Double(count)) }

    /// The corpus as a String (for small corpora and tests).
    public var text: String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
    }

    /// First 12 hex digits of the SHA-256 of the corpus's UTF-8 bytes (the peers record the same),
    /// so two programs can show they read the same text.
    public var sha256Prefix: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        for s in scalars { bytes.append(contentsOf: UTF8.encode(s)!) }
        return String(SHA256.hexDigest(bytes).prefix(12))
    }
}
