import XCTest
import IllusionTestSupport
import Foundation

/// The `illusion` executable on bad input: one clear line on stderr, a non-zero exit, no trap.
/// (Skipped when the executable has not been built beside the tests, e.g. `swift test` alone.)
final class CLITests: XCTestCase {
    var binary: URL? { IllusionExecutable.url }
    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) { try IllusionExecutable.run(arguments) }

    func testBadInputGivesOneLineErrors() throws {
        try requireData(binary != nil, "illusion executable not built next to the tests")
        let tmp = NSTemporaryDirectory() + "cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let cases: [([String], String)] = [
            (["eval", "--run", tmp + "/nope"], "no such run folder"),
            (["sample", "--run", tmp, "--out", tmp + "/s.png"], "config.json is missing"),
            (["train", "vae", "--arch", "resnet", "--out", tmp + "/r"], "--arch"),
            (["train", "vae", "--dataset", "imagenet", "--out", tmp + "/r"], "--dataset"),
            (["train", "vae", "--dataset", "mnist", "--data", tmp + "/missing", "--out", tmp + "/r"], "--data"),
            (["train", "vae", "--epochs", "0", "--out", tmp + "/r"], "--epochs"),
            (["summary", "--arch", "faces", "--image-size", "100"], "--image-size"),
        ]
        for (args, needle) in cases {
            let r = try run(args)
            XCTAssertNotEqual(r.status, 0, "\(args) should fail")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): stderr was \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): expected one line, got \(r.stderr)")
            XCTAssertEqual(r.stdout, "")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/s.png"))
    }

    func testCheckpointThatDoesNotFitIsRejected() throws {
        try requireData(binary != nil, "illusion executable not built next to the tests")
        let tmp = NSTemporaryDirectory() + "cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let config = #"{"kind":"vae","model":{"architecture":"mlp","latentDim":20,"channels":1,"imageSize":28,"likelihood":"bernoulli","gaussianSigma":0.7,"leakySlope":0.2},"training":{"epochs":1,"batchSize":10,"learningRate":0.001,"seed":0,"beta":1,"klWarmupEpochs":0,"klSchedule":"linear","validationFraction":0,"maxStepsPerEpoch":0,"writePictures":true},"dataset":{"name":"fashion-mnist","imageSize":28,"padTo32":false,"syntheticCount":10}}"#
        try config.write(toFile: tmp + "/config.json", atomically: true, encoding: .utf8)
        try Data([8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8)).write(to: URL(fileURLWithPath: tmp + "/model.safetensors"))
        let r = try run(["sample", "--run", tmp, "--out", tmp + "/s.png"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("model.safetensors") && r.stderr.contains("missing"), r.stderr)
    }

    func testSummaryOfTheFaceVAEPrintsTheTrueCounts() throws {
        try requireData(binary != nil, "illusion executable not built next to the tests")
        let r = try run(["summary", "--arch", "faces", "--image-size", "256", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let parts = try XCTUnwrap(object?["parts"] as? [[String: Any]])
        XCTAssertEqual(parts[0]["totalParameters"] as? Int, 1_770_128)
        XCTAssertEqual(parts[0]["nonTrainableParameters"] as? Int, 576)
        XCTAssertEqual(parts[1]["totalParameters"] as? Int, 954_307)
        XCTAssertEqual(parts[1]["nonTrainableParameters"] as? Int, 448)
    }
}
