import XCTest
@testable import IllusionTensors

/// Forward values and vector–Jacobian products of every op against PyTorch (core_ops.safetensors).
final class OpsFixtureTests: XCTestCase {
    /// Op name in the fixture → how to compute it from the inputs x, y, z (in that order).
    static func cases(_ fixture: CoreFixture) throws -> [(String, ([Tensor]) -> Tensor)] {
        let indices = try fixture.file.int64s("gather_rows.indices").map { Int($0) }
        return [
            ("add", { $0[0] + $0[1] }),
            ("subtract", { $0[0] - $0[1] }),
            ("multiply", { $0[0] * $0[1] }),
            ("divide", { $0[0] / $0[1] }),
            ("divide_scalar", { $0[0] / $0[1] }),
            ("matmul", { $0[0].matmul($0[1]) }),
            ("sum", { $0[0].sum() }),
            ("mean", { $0[0].mean() }),
            ("sum_axis1", { $0[0].sum(axis: 1) }),
            ("sum_axes02_keep", { $0[0].sum(axes: [0, 2], keepDims: true) }),
            ("mean_axis_last", { $0[0].mean(axis: -1) }),
            ("mean_axes01", { $0[0].mean(axes: [0, 1]) }),
            ("exp", { $0[0].exp() }),
            ("log", { $0[0].log() }),
            ("sqrt", { $0[0].sqrt() }),
            ("pow2_5", { $0[0].pow(2.5) }),
            ("pow3", { $0[0].pow(3) }),
            ("square", { $0[0].squared() }),
            ("abs", { $0[0].abs() }),
            ("clamp", { $0[0].clamp(min: -0.5, max: 0.5) }),
            ("max_axis1", { $0[0].max(axis: 1) }),
            ("reshape", { $0[0].reshaped([3, 4]) }),
            ("transpose", { $0[0].transposed() }),
            ("permute", { $0[0].permuted([2, 0, 1]) }),
            ("concat", { Tensor.concatenate($0, axis: 1) }),
            ("narrow", { $0[0].narrowed(axis: 1, start: 1, length: 2) }),
            ("batch", { $0[0].batch(1..<3) }),
            ("gather_rows", { $0[0].gatherRows(indices) }),
            ("sigmoid", { $0[0].sigmoid() }),
            ("tanh", { $0[0].tanh() }),
            ("relu", { $0[0].relu() }),
            ("leaky_relu", { $0[0].leakyReLU(slope: 0.2) }),
            ("elu", { $0[0].elu(alpha: 0.7) }),
            ("softplus", { $0[0].softplus() }),
            ("softmax", { $0[0].softmax() }),
            ("log_softmax", { $0[0].logSoftmax() }),
        ]
    }

    func testEveryOpMatchesPyTorch() throws {
        let fixture = try CoreFixture("ops")
        let cases = try Self.cases(fixture)
        var covered = Set<String>()
        for (name, op) in cases {
            let inputNames = ["x", "y", "z"].filter { fixture.has("\(name).\($0)") }
            let inputs = try inputNames.map { try fixture.leaf("\(name).\($0)") }
            let out = op(inputs)
            coreAssertClose(out, try fixture.tensor("\(name).out"), tolerance: 1e-5, "\(name) forward")
            out.backward(gradient: try fixture.tensor("\(name).gout").storage)
            for (inputName, input) in zip(inputNames, inputs) {
                coreAssertClose(input.gradient, try fixture.tensor("\(name).grad_\(inputName)"), tolerance: 1e-5,
                                "\(name) gradient of \(inputName)")
            }
            covered.insert(name)
        }
        // Every op in the fixture file has a case here.
        let inFile = Set(fixture.file.names.filter { $0.hasSuffix(".out") }.map { String($0.dropLast(4)) })
        XCTAssertEqual(inFile, covered)
    }
}
