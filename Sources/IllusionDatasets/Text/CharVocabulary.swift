/// A character-level vocabulary: the sorted set of the code points of a text; a character's id is
/// its rank in that sorted order (exactly as `sorted(set(text))` in the PyTorch peers, which sort
/// by code point).
public struct CharVocabulary: Sendable, Equatable, Codable {
    /// The characters in id order (ascending code point).
    public let characters: [Unicode.Scalar]
    private let ids: [UInt32: Int]

    /// The vocabulary of `scalars` (every distinct code point).
    public init<S: Sequence>(of scalars: S) where S.Element == Unicode.Scalar {
        let distinct = Set(scalars.map(\.value)).sorted()
        self.init(sortedValues: distinct)
    }

    /// The vocabulary of a corpus.
    public init(corpus: TextCorpus) { self.init(of: corpus.scalars) }

    /// Rebuilds a saved vocabulary from its characters (one code point per string), in id order.
    /// Throws when an entry is not exactly one code point or the list is not strictly ascending.
    public init(characters strings: [String]) throws {
        var values: [UInt32] = []
        for (i, s) in strings.enumerated() {
            let u = Array(s.unicodeScalars)
            guard u.count == 1 else {
                throw DatasetError.invalidArgument("vocabulary entry \(i) is \(u.count) code points, expected exactly one")
            }
            guard values.last.map({ $0 < u[0].value }) ?? true else {
                throw DatasetError.invalidArgument("vocabulary entry \(i) (\(CharVocabulary.describe(u[0]))) is not in ascending code-point order")
            }
            values.append(u[0].value)
        }
        guard !values.isEmpty else { throw DatasetError.invalidArgument("the vocabulary is empty") }
        self.init(sortedValues: values)
    }

    private init(sortedValues: [UInt32]) {
        characters = sortedValues.map { Unicode.Scalar($0)! }
        var map: [UInt32: Int] = [:]
        for (i, v) in sortedValues.enumerated() { map[v] = i }
        ids = map
    }

    /// Number of distinct characters.
    public var count: Int { characters.count }

    /// The characters as one-code-point strings (for config.json).
    public var characterStrings: [String] { characters.map { String($0) } }

    /// The id of a character, nil when it is not in the vocabulary.
    public func id(of scalar: Unicode.Scalar) -> Int? { ids[scalar.value] }

    /// Ids of every code point of `scalars`; throws naming each unknown character (once, in order of appearance).
    public func encode<S: Sequence>(_ scalars: S) throws -> [Int] where S.Element == Unicode.Scalar {
        var out: [Int] = []
        var unknown: [Unicode.Scalar] = []
        for s in scalars {
            if let i = ids[s.value] { out.append(i) } else if !unknown.contains(s) { unknown.append(s) }
        }
        guard unknown.isEmpty else {
            throw DatasetError.invalidArgument("\(unknown.count == 1 ? "character" : "characters") not in the vocabulary: " +
                unknown.map(CharVocabulary.describe).joined(separator: ", "))
        }
        return out
    }

    /// Ids of the code points of `text`; throws naming unknown characters.
    public func encode(_ text: String) throws -> [Int] { try encode(text.unicodeScalars) }

    /// The text of `ids` (each must be in 0..<count).
    public func decode(_ ids: [Int]) -> String {
        var s = String.UnicodeScalarView()
        for i in ids {
            require(i >= 0 && i < characters.count, "CharVocabulary.decode: id \(i) out of range 0..<\(characters.count)")
            s.append(characters[i])
        }
        return String(s)
    }

    /// `'a' (U+0061)`, with control characters escaped, for error messages.
    public static func describe(_ s: Unicode.Scalar) -> String {
        let hex = String(s.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let shown = s.properties.generalCategory == .control ? s.escaped(asASCII: true) : String(s)
        return "'\(shown)' (\(code))"
    }

    // Codable as the list of characters.
    public init(from decoder: Decoder) throws {
        try self.init(characters: try decoder.singleValueContainer().decode([String].self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(characterStrings)
    }

    public static func == (a: CharVocabulary, b: CharVocabulary) -> Bool { a.characters == b.characters }
}
