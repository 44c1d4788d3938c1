/// A corpus prepared for a char-LM: token ids, the 90/10 split by position, and the training
/// stream cut into B contiguous streams (truncated BPTT), exactly as the peers' `charlm_common.py`.
public struct CharLMCorpus {
    public let vocabulary: CharVocabulary
    public let train: [Int32]
    public let validation: [Int32]
    public let characters: Int
    public let sha256Prefix: String

    public init(corpus: TextCorpus, vocabulary: CharVocabulary? = nil) throws {
        let vocab = vocabulary ?? CharVocabulary(corpus: corpus)
        let ids = try vocab.encode(corpus.scalars).map { Int32($0) }
        let split = corpus.splitIndex()
        self.vocabulary = vocab
        train = Array(ids[..<split])
        validation = Array(ids[split...])
        characters = ids.count
        sha256Prefix = corpus.sha256Prefix
    }

    /// `data` cut into `batch` rows of S = ⌊count / batch⌋ consecutive ids (the tail is dropped):
    /// row b is data[b·S ..< (b+1)·S] (PyTorch's word_language_model `batchify`).
    public static func streams(_ data: [Int32], batch: Int) -> (rows: [[Int32]], length: Int) {
        let s = data.count / batch
        return ((0..<batch).map { Array(data[($0 * s)..<(($0 + 1) * s)]) }, s)
    }

    /// The window [start, start + n) of every stream as ids `[B·n]` and the next characters as labels.
    static func window(_ rows: [[Int32]], start: Int, length n: Int) -> (inputs: [Int], labels: [Int]) {
        var x: [Int] = [], y: [Int] = []
        x.reserveCapacity(rows.count * n); y.reserveCapacity(rows.count * n)
        for r in rows {
            for i in start..<(start + n) { x.append(Int(r[i])); y.append(Int(r[i + 1])) }
        }
        return (x, y)
    }
}
