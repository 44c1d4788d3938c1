import XCTest
@testable import IllusionDatasets

final class TextCorpusTests: XCTestCase {
    func testFilesConcatenateInOrderWithoutNewlineTranslation() throws {
        let dir = try TemporaryDirectory()
        let a = try dir.write("a.txt", text: "ba\r\n")
        let b = try dir.write("b.txt", text: "é!\n")
        let corpus = try TextCorpus(contentsOf: [a, b])
        XCTAssertEqual(corpus.count, 7)  // \r and \n stay two code points
        XCTAssertEqual(corpus.text, "ba\r\né!\n")
        XCTAssertEqual(try TextCorpus(contentsOf: [b, a]).text, "é!\nba\r\n")
        XCTAssertEqual(corpus.files, [a, b])
    }

    func testEmptyAndBinaryFilesAreRefusedByName() throws {
        let dir = try TemporaryDirectory()
        let good = try dir.write("good.txt", text: "hello")
        let empty = try dir.write("empty.txt", [])
        let binary = try dir.write("binary.bin", [0x68, 0x69, 0xFF, 0xFE, 0x00, 0xC3])
        for (path, needle) in [(empty, "empty"), (binary, "UTF-8")] {
            XCTAssertThrowsError(try TextCorpus(contentsOf: [good, path])) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.contains(path), message)
                XCTAssertTrue(message.contains(needle), message)
            }
        }
        XCTAssertThrowsError(try TextCorpus(contentsOf: [dir.url("absent.txt")]))
        XCTAssertThrowsError(try TextCorpus(contentsOf: []))
    }

    func testSplitByPositionMatchesThePeers() {
        // Python: int(0.9 * n)
        XCTAssertEqual(TextCorpus(text: String(repeating: "x", count: 10)).splitIndex(), 9)
        XCTAssertEqual(TextCorpus(text: String(repeating: "x", count: 101)).splitIndex(), 90)
        XCTAssertEqual(TextCorpus(text: String(repeating: "x", count: 1_115_394)).splitIndex(), 1_003_854)
    }

    func testVocabularyIsTheSortedCodePointSet() throws {
        let corpus = TextCorpus(text: "hello, World\n\u{e9}")
        let vocab = CharVocabulary(corpus: corpus)
        XCTAssertEqual(vocab.characterStrings, ["\n", " ", ",", "W", "d", "e", "h", "l", "o", "r", "\u{e9}"])
        let ids = try vocab.encode("held")
        XCTAssertEqual(ids, [6, 5, 7, 4])
        XCTAssertEqual(vocab.decode(ids), "held")
        XCTAssertEqual(vocab.decode(try vocab.encode(corpus.scalars)), corpus.text)
    }

    func testUnknownCharactersAreNamed() {
        let vocab = CharVocabulary(of: "abc".unicodeScalars)
        XCTAssertThrowsError(try vocab.encode("abzqz\t")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("'z' (U+007A)"), message)
            XCTAssertTrue(message.contains("'q' (U+0071)"), message)
            XCTAssertTrue(message.contains("U+0009"), message)
            XCTAssertEqual(message.components(separatedBy: "'z'").count, 2, "each unknown character once: \(message)")
        }
    }

    func testVocabularyRoundTripsThroughJSON() throws {
        let vocab = CharVocabulary(of: "To be, or not\n\"to\" be".unicodeScalars)
        let data = try JSONEncoder().encode(vocab)
        XCTAssertEqual(try JSONDecoder().decode(CharVocabulary.self, from: data), vocab)
        XCTAssertThrowsError(try CharVocabulary(characters: ["b", "a"]))
        XCTAssertThrowsError(try CharVocabulary(characters: ["ab"]))
        XCTAssertThrowsError(try CharVocabulary(characters: []))
    }

    func testCorpusFingerprintIsSHA256() {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        XCTAssertEqual(SHA256.hexDigest(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hexDigest([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = [UInt8](repeating: 0x61, count: 1000)  // python: hashlib.sha256(b"a"*1000)
        XCTAssertEqual(SHA256.hexDigest(long).prefix(12), "41edece42d63")
        XCTAssertEqual(TextCorpus(text: "abc").sha256Prefix, "ba7816bf8f01")
    }
}
