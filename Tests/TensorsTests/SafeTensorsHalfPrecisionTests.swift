import XCTest
@testable import IllusionTensors

/// F16 and BF16 tensors written by PyTorch (`scripts/make_half_fixture.py`) read as the Float32
/// values PyTorch itself widens them to — normals, subnormals, extremes, ±0 and ±∞.
final class SafeTensorsHalfPrecisionTests: XCTestCase {
    func testHalfAndBFloat16MatchPyTorchsWidening() throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let file = try SafeTensors(contentsOf: dir.appendingPathComponent("half_precision.safetensors").path)
        XCTAssertEqual(file.entries["f16"]?.dtype, .f16)
        XCTAssertEqual(file.entries["bf16"]?.dtype, .bf16)
        for (half, expected) in [("f16", "f16_as_f32"), ("bf16", "bf16_as_f32")] {
            let got = try file.tensor(half), want = try file.tensor(expected)
            XCTAssertEqual(got.shape, [3, 4])
            XCTAssertEqual(got.storage.map(\.bitPattern), want.storage.map(\.bitPattern), "\(half): bit-exact, signed zeros included")
        }
    }

    func testHalfBitPatterns() {
        XCTAssertEqual(SafeTensors.halfToFloat(0x3C00), 1)
        XCTAssertEqual(SafeTensors.halfToFloat(0xC000), -2)
        XCTAssertEqual(SafeTensors.halfToFloat(0x7BFF), 65504)
        XCTAssertEqual(SafeTensors.halfToFloat(0x0001), Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertEqual(SafeTensors.halfToFloat(0x8001), -Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertEqual(SafeTensors.halfToFloat(0x7C00), .infinity)
        XCTAssertTrue(SafeTensors.halfToFloat(0x7E00).isNaN)
    }
}
