import Foundation
import XCTest
@testable import IllusionTensors

final class SafeTensorsTests: XCTestCase {
    func sample() -> SafeTensors {
        var s = SafeTensors()
        s.set("encoder.weight", Tensor(shape: [2, 3], storage: [1, -2, 3.5, 4, 5, 6e-8]))
        s.set("encoder.bias", Tensor(shape: [2], storage: [0.25, -0.5]))
        s.set("scalar", Tensor(7))
        s.set("steps", shape: [3], int64s: [1, -2, 1 << 40])
        s.metadata = ["format": "pt"]
        return s
    }

    func testRoundTripInMemoryAndOnDisk() throws {
        let bytes = try sample().serialized()
        // Layout: 8-byte little-endian header length, JSON padded to 8 bytes, then data.
        let n = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        XCTAssertEqual(n % 8, 0)
        XCTAssertEqual(bytes[8], UInt8(ascii: "{"))
        let back = try SafeTensors(bytes: bytes)
        XCTAssertEqual(back.names, ["encoder.bias", "encoder.weight", "scalar", "steps"])
        XCTAssertEqual(try back.tensor("encoder.weight").shape, [2, 3])
        XCTAssertEqual(try back.floats("encoder.weight"), [1, -2, 3.5, 4, 5, 6e-8])
        XCTAssertEqual(try back.tensor("scalar").shape, [])
        XCTAssertEqual(try back.int64s("steps"), [1, -2, 1 << 40])
        XCTAssertEqual(back.metadata, ["format": "pt"])

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("core-st-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("model.safetensors").path
        try sample().write(to: path)
        let disk = try SafeTensors(contentsOf: path)
        XCTAssertEqual(try disk.floats("encoder.bias"), [0.25, -0.5])
        // No temporary file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["model.safetensors"])
    }

    func testReadsAFileWrittenByPyTorch() throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let file = try SafeTensors(contentsOf: dir.appendingPathComponent("core_ops.safetensors").path)
        XCTAssertEqual(file.metadata["generator"], "scripts/make_core_fixtures.py")
        XCTAssertEqual(try file.tensor("matmul.x").shape, [3, 5])
        XCTAssertEqual(try file.int64s("gather_rows.indices"), [4, 0, 4, 2])
    }

    /// Builds a file from a raw header string and data bytes.
    func raw(_ header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        var n = (declaredLength ?? UInt64(h.count)).littleEndian
        return withUnsafeBytes(of: &n) { Array($0) } + h + data
    }

    func assertMalformed(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors(bytes: bytes, source: "bad.safetensors"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("bad.safetensors") && message.contains(fragment),
                          "message '\(message)' should mention '\(fragment)'", file: file, line: line)
        }
    }

    func testMalformedInputsThrowClearErrors() throws {
        let good = try sample().serialized()
        assertMalformed([1, 2, 3], "shorter than")
        assertMalformed(Array(good.prefix(good.count - 5)), "outside")                 // truncated data
        assertMalformed(Array(good.prefix(20)), "exceeds file size")                   // truncated header
        assertMalformed(raw("{}", data: [], declaredLength: 1 << 40), "exceeds file size")
        assertMalformed(raw("not json", data: []), "not a JSON object")
        assertMalformed(raw("[1, 2]", data: []), "not a JSON object")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}}"#, data: [UInt8](repeating: 0, count: 8)),
                        "outside")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 4]}}"#, data: [UInt8](repeating: 0, count: 8)),
                        "outside")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [-4, 4]}}"#, data: [UInt8](repeating: 0, count: 8)),
                        "outside")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, data: [UInt8](repeating: 0, count: 8)),
                        "needs 12 bytes")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 8]}}"#,
                            data: [UInt8](repeating: 0, count: 8)), "shape")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 8]}}"#, data: [UInt8](repeating: 0, count: 8)),
                        "outside")
        assertMalformed(raw(#"{"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}"#, data: [UInt8](repeating: 0, count: 8)),
                        "unsupported dtype C64")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [1]}}"#, data: []), "lacks")
    }

    /// The data ranges must tile the data section, as the reference reader (`safetensors` 0.8.0,
    /// `safe_open`/`load`) requires: it refuses each of these files with `InvalidOffset` or
    /// `MetadataIncompleteBuffer` (checked by hand with /tmp/peers/venv, see docs/reliability.md).
    func testOverlappingGappedAndUncoveredRangesAreRefused() throws {
        let eight = [UInt8](repeating: 0, count: 8), sixteen = [UInt8](repeating: 0, count: 16)
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#,
                            data: sixteen), "overlaps")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#,
                            data: eight), "overlaps")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}"#,
                            data: sixteen), "gap")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#, data: eight), "gap")
        assertMalformed(raw(#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#, data: eight), "cover 4 of the 8")
        // Zero-sized tensors and any order of entries in the header are fine.
        let ok = try SafeTensors(bytes: raw(#"{"b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}, "e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#,
                                            data: [0, 0, 128, 63, 0, 0, 0, 64]))
        XCTAssertEqual(try ok.floats("a"), [1]); XCTAssertEqual(try ok.floats("b"), [2]); XCTAssertEqual(try ok.floats("e"), [])
    }

    /// Found by the libFuzzer target (scripts/fuzz.sh safetensors, on the F16 fixture's ±∞/NaN):
    /// reading a float tensor as integers trapped in `Int64(Float)`; now it throws.
    func testFloatTensorsReadAsIntegersThrowOnNonIntegers() throws {
        var file = SafeTensors()
        file.set("step", shape: [2], floats: [3, 4])
        XCTAssertEqual(try file.int64s("step"), [3, 4])
        for bad: Float in [.nan, .infinity, -.infinity, 1e30, 2.5] {
            file.set("bad", shape: [1], floats: [bad])
            XCTAssertThrowsError(try file.int64s("bad")) { XCTAssertTrue("\($0)".contains("'bad'") && "\($0)".contains("not an integer"), "\($0)") }
        }
        let fixture = try SafeTensors(bytes: raw(#"{"h": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}"#, data: [0x00, 0x7C]))
        XCTAssertThrowsError(try fixture.int64s("h"))  // F16 +∞
    }

    func testMissingFileAndTensorErrors() throws {
        XCTAssertThrowsError(try SafeTensors(contentsOf: "/nonexistent/model.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/model.safetensors"))
        }
        XCTAssertThrowsError(try sample().tensor("decoder.weight")) { error in
            XCTAssertTrue("\(error)".contains("decoder.weight"))
        }
        XCTAssertThrowsError(try sample().write(to: "/nonexistent-dir/x.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent-dir/x.safetensors"))
        }
    }
}
