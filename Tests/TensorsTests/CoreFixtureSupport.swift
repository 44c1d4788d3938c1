import Foundation
import XCTest
@testable import IllusionTensors

/// Golden values from `scripts/make_core_fixtures.py` (PyTorch), stored in `Fixtures/core_*.safetensors`.
struct CoreFixture {
    let file: SafeTensors

    init(_ name: String) throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures resource missing")
        file = try SafeTensors(contentsOf: dir.appendingPathComponent("core_\(name).safetensors").path)
    }

    func tensor(_ name: String) throws -> Tensor { try file.tensor(name) }
    func has(_ name: String) -> Bool { file.entries[name] != nil }

    /// A fresh leaf that requires gradients.
    func leaf(_ name: String) throws -> Tensor {
        let t = try tensor(name); t.requiresGrad = true; return t
    }
}

/// Asserts shape equality and max |a−b|/max(1,|b|) ≤ tolerance.
func coreAssertClose(_ actual: Tensor?, _ expected: Tensor, tolerance: Float = 1e-5, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
    guard let actual else { return XCTFail("\(what): missing (nil)", file: file, line: line) }
    XCTAssertEqual(actual.shape, expected.shape, "\(what): shape", file: file, line: line)
    guard actual.count == expected.count else { return }
    let d = maxRelativeDifference(actual.storage, expected.storage)
    XCTAssertLessThanOrEqual(d, tolerance, "\(what): max relative difference \(d)", file: file, line: line)
}
