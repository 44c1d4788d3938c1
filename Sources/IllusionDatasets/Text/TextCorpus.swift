import Foundation

/// A character corpus: text files read as UTF-8 (no newline translation), concatenated in the
/// order given; the vocabulary of the whole text; train / validation = the first 90 % / last 10 %
/// of the token stream by position (split at ⌊0.9·n⌋, as nanoGPT's shakespeare_char and the peers'
/// `charlm_common.py`).
public struct TextCorpus: Sendable {
    public let vocabulary: CharVocabulary
    public let train: [Int]
    public let validation: [Int]
    /// Characters in the whole text.
    public var count: Int { train.count + validation.count }

    /// Reads and concatenates `paths`; throws naming a file that is missing or not UTF-8, or when
    /// the text is empty.
    public init(paths: [String], trainFraction: Double = 0.9) throws {
        guard !paths.isEmpty else { throw DatasetError.invalidArgument("--data: no text files given") }
        var text = ""
        for p in paths {
            guard let data = FileManager.default.contents(atPath: p) else {
                throw DatasetError.missingFile(path: p, reason: "expected a UTF-8 text file")
            }
            guard let s = String(data: data, encoding: .utf8) else {
                throw DatasetError.malformed(path: p, reason: "not valid UTF-8 text")
            }
            text += s
        }
        try self.init(text: text, trainFraction: trainFraction, source: paths.joined(separator: " "))
    }

    public init(text: String, trainFraction: Double = 0.9, source: String = "<text>") throws {
        guard !text.isEmpty else { throw DatasetError.invalidArgument("\(source): the text is empty") }
        vocabulary = CharVocabulary(text: text)
        let ids = try vocabulary.encode(text)
        let split = Int(trainFraction * Double(ids.count))
        train = Array(ids[..<split])
        validation = Array(ids[split...])
    }
}
