import Foundation
import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// Open MPI's mpirun, when installed.
let mpirunPath = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Launching the real `illusion` under `mpirun` and comparing the models runs end with
/// (DataParallelCLITests, DataParallelModelsCLITests).
extension XCTestCase {
    func requireMPI() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        try requireData(mpirunPath != nil, "Open MPI's mpirun is not installed (make test installs openmpi-bin)")
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"),
                        "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
    }

    /// `mpirun -np ranks illusion arguments…` (as root here, in a container: see docs/distributed.md),
    /// with the replicas compared after every step (ILLUSION_CHECK_REPLICAS=1).
    func mpi(_ ranks: Int, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let arguments = ["-np", String(ranks), "--oversubscribe", "--allow-run-as-root", try XCTUnwrap(IllusionExecutable.url).path] + arguments
        var env = ProcessInfo.processInfo.environment
        env["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        env["ILLUSION_CHECK_REPLICAS"] = "1"
        for (k, v) in extra { env[k] = v }
        return try runProcess(URL(fileURLWithPath: try XCTUnwrap(mpirunPath)), arguments, environment: env)
    }

    /// ‖a − b‖ / ‖a‖ over every Float tensor of two model.safetensors (names in `excluding` left out).
    func relativeDifference(_ a: String, _ b: String, excluding: Set<String> = []) throws -> Double {
        let x = try SafeTensors(contentsOf: a + "/model.safetensors"), y = try SafeTensors(contentsOf: b + "/model.safetensors")
        var num = 0.0, den = 0.0, compared = 0
        for name in x.names where !excluding.contains(name) {
            guard let s = try? x.tensor(name) else { continue }  // I64 counters
            let t = try y.tensor(name)
            XCTAssertEqual(s.shape, t.shape, name)
            for (u, v) in zip(s.storage, t.storage) { num += Double(u - v) * Double(u - v); den += Double(u) * Double(u) }
            compared += 1
        }
        XCTAssertGreaterThan(compared, 3)
        return (num / max(den, 1e-30)).squareRoot()
    }
}
