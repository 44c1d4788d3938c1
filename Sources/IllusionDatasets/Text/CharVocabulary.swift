import Foundation

/// A character vocabulary: the sorted set of Unicode scalars (code points) of a text; a
/// character's id is its rank. Same rule as the PyTorch peers' `charlm_common.py` (sorted set of
/// code points), so ids agree with theirs.
public struct CharVocabulary: Codable, Equatable, Sendable {
    /// The characters in id order.
    public let characters: [Unicode.Scalar]
    let index: [UInt32: Int]

    public init(text: String) {
        self.init(characters: Array(Set(text.unicodeScalars)).sorted { $0.value < $1.value })
    }

    public init(characters: [Unicode.Scalar]) {
        self.characters = characters
        index = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1.value, $0) })
    }

    public var count: Int { characters.count }

    /// Ids of every character of `text`; throws naming the first character outside the vocabulary.
    public func encode(_ text: String) throws -> [Int] {
        try text.unicodeScalars.map { c in
            guard let i = index[c.value] else {
                throw DatasetError.invalidArgument(
                    "character '\(c.escaped(asASCII: true))' (U+\(String(c.value, radix: 16, uppercase: true))) is not in the model's vocabulary of \(count) characters")
            }
            return i
        }
    }

    public func decode(_ ids: [Int]) -> String {
        var s = String.UnicodeScalarView()
        for i in ids where i >= 0 && i < characters.count { s.append(characters[i]) }
        return String(s)
    }

    /// The characters as one-character strings (for `config.json`).
    public var strings: [String] { characters.map { String($0) } }

    public init(strings: [String]) throws {
        let scalars = try strings.map { s -> Unicode.Scalar in
            guard s.unicodeScalars.count == 1, let c = s.unicodeScalars.first else {
                throw DatasetError.invalidArgument("vocabulary entry '\(s)' is not one character")
            }
            return c
        }
        self.init(characters: scalars)
    }

    enum CodingKeys: String, CodingKey { case characters }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(strings, forKey: .characters)
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(strings: try c.decode([String].self, forKey: .characters))
    }
}
