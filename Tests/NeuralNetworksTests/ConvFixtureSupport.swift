import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// Golden fixtures written by `scripts/make_conv_fixtures.py` (PyTorch): configuration i's tensors
/// are named "i.x", "i.weight", …; metadata "configs" is a JSON list of hyper-parameters.
struct ConvFixture {
    let file: SafeTensors
    let configs: [[String: Any]]

    init(_ name: String) throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures resource missing")
        file = try SafeTensors(contentsOf: dir.appendingPathComponent("conv_\(name).safetensors").path)
        let json = try XCTUnwrap(file.metadata["configs"]?.data(using: .utf8))
        configs = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [[String: Any]])
    }

    func tensor(_ i: Int, _ name: String) throws -> Tensor { try file.tensor("\(i).\(name)") }
    func optionalTensor(_ i: Int, _ name: String) -> Tensor? { try? file.tensor("\(i).\(name)") }

    /// A leaf that requires gradients (for inputs and parameters).
    func leaf(_ i: Int, _ name: String) throws -> Tensor {
        let t = try tensor(i, name); t.requiresGrad = true; return t
    }
}

/// Reads an int pair `[a, b]` or a single int from a config entry.
func size2D(_ value: Any?) -> Size2D {
    if let pair = value as? [Int] { return Size2D(pair[0], pair[1]) }
    if let v = value as? Int { return Size2D(v, v) }
    fatalError("not a size: \(String(describing: value))")
}

/// Asserts max |a−b|/max(1,|b|) ≤ tolerance (the project's relative-error measure).
func assertClose(_ a: [Float]?, _ b: [Float]?, tolerance: Float = 1e-4, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard let a, let b else { XCTFail("\(what): missing values", file: file, line: line); return }
    XCTAssertEqual(a.count, b.count, "\(what): element count", file: file, line: line)
    guard a.count == b.count else { return }
    let d = maxRelativeDifference(a, b)
    XCTAssertLessThanOrEqual(d, tolerance, "\(what): relative error \(d)", file: file, line: line)
}

/// Σ y·gy — the scalar whose gradients the fixtures store.
func weightedSum(_ y: Tensor, _ gy: Tensor) -> Tensor { (y * gy).sum() }
