import Foundation
import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// `train KIND --config RUN/config.json`, through the executable: a run started from another run's
/// config.json writes the same config.json, except for the flags typed beside `--config`.
final class ConfigFileCLITests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"),
                        "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
        dir = try makeTemporaryFolder("config-cli")
    }
    override func tearDown() { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    func config(_ run: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json")))
        return try XCTUnwrap(object as? [String: Any])
    }

    /// `config` with `training.<key>` set to `value`.
    func with(_ config: [String: Any], training changes: [String: Any]) throws -> NSDictionary {
        var config = config
        var training = try XCTUnwrap(config["training"] as? [String: Any])
        for (k, v) in changes { training[k] = v }
        config["training"] = training
        return config as NSDictionary
    }

    func train(_ arguments: [String]) throws {
        let r = try IllusionExecutable.run(["train"] + arguments + ["--threads", "1", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func testVAEConfigIsRerunWithTypedFlagsWinning() throws {
        let a = dir + "/a", b = dir + "/b"
        try train(["vae", "--arch", "mlp", "--latent-dim", "3", "--limit", "200", "--eval-limit", "50", "--batch-size", "20",
                   "--max-steps", "2", "--epochs", "2", "--beta", "0.5", "--kl-warmup", "1", "--kl-schedule", "cyclical",
                   "--lr", "0.002", "--clip-grad-norm", "5", "--log-every", "1", "--schedule", "step", "--out", a])
        try train(["vae", "--config", a + "/config.json", "--seed", "3", "--epochs", "1", "--out", b])
        let expected = try with(config(a), training: ["seed": 3, "epochs": 1])
        XCTAssertEqual(try config(b) as NSDictionary, expected)
        XCTAssertNotEqual(try config(a) as NSDictionary, expected, "the typed flags changed something")
    }

    func testCNNConfigKeepsFiltersTogglesAndSchedule() throws {
        let a = dir + "/a", b = dir + "/b"
        try train(["cnn", "--arch", "seed", "--filters", "4,6", "--dense-units", "12", "--no-augment", "--no-batch-norm", "--dropout", "0.1", "--weight-init", "pytorch",
                   "--limit", "200", "--batch-size", "20", "--max-steps", "2", "--epochs", "1", "--schedule", "constant",
                   "--patience", "2", "--validation-fraction", "0.2", "--out", a])
        try train(["cnn", "--config", a + "/config.json", "--lr", "0.003", "--out", b])
        let expected = try with(config(a), training: ["learningRate": 0.003])
        XCTAssertEqual(try config(b) as NSDictionary, expected)
        XCTAssertNotEqual(try config(a) as NSDictionary, expected, "the typed flag changed something")
    }

    /// A double-conv config with He-uniform weights (`weightInit` nil, as every config before the field)
    /// replays as He-uniform, not as double-conv's default `pytorch`.
    func testCNNConfigWithHeInitKeepsItUnderDoubleConvsPyTorchDefault() throws {
        let a = dir + "/a", b = dir + "/b"
        try train(["cnn", "--filters", "4,6", "--dense-units", "12", "--weight-init", "he",
                   "--limit", "200", "--batch-size", "20", "--max-steps", "1", "--epochs", "1", "--out", a])
        let model = try XCTUnwrap(config(a)["model"] as? [String: Any])
        XCTAssertNil(model["weightInit"], "he is written as nil")
        XCTAssertEqual(model["convolutionsPerBlock"] as? Int, 2, "double-conv is the default")
        try train(["cnn", "--config", a + "/config.json", "--out", b])
        XCTAssertEqual(try config(b) as NSDictionary, try config(a) as NSDictionary)
    }

    func testConfigOfAnotherKindOrWithResumeIsRefusedInOneLine() throws {
        let a = dir + "/a"
        try train(["vae", "--arch", "mlp", "--limit", "100", "--batch-size", "20", "--max-steps", "1", "--epochs", "1", "--out", a])
        let wrong = try IllusionExecutable.run(["train", "cnn", "--config", a + "/config.json", "--out", dir + "/c"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("--config \(a)/config.json: this is the config of a vae run, not of train cnn"), wrong.stderr)
        XCTAssertEqual(wrong.stderr.split(separator: "\n").count, 1, wrong.stderr)
        let both = try IllusionExecutable.run(["train", "vae", "--config", a + "/config.json", "--resume", "--out", a])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--resume continues a run with its own config.json"), both.stderr)
        let missing = try IllusionExecutable.run(["train", "vae", "--config", dir + "/none.json", "--out", dir + "/d"])
        XCTAssertTrue(missing.stderr.contains("--config \(dir!)/none.json: cannot read the file"), missing.stderr)
    }

    /// `train char-lm --config`: the recurrent (top-level fields) and the transformer (`model`/`recipe`)
    /// configs are re-run with every setting kept and the typed `--seed` winning.
    func testCharLMConfigsAreRerunForBothArchitectures() throws {
        let text = dir + "/text.txt"
        try String(repeating: "the quick brown fox jumps over the lazy dog.\nto be or not to be.\n", count: 60)
            .write(toFile: text, atomically: true, encoding: .utf8)
        func rerun(_ arguments: [String], seedAt path: [String]) throws {
            let a = dir + "/\(arguments[1])-a", b = dir + "/\(arguments[1])-b"
            try train(["char-lm", "--data", text] + arguments + ["--sample-length", "5", "--out", a])
            try train(["char-lm", "--config", a + "/config.json", "--seed", "7", "--out", b])
            var expected = try config(a)
            if path.count == 1 { expected[path[0]] = 7 } else {
                var inner = try XCTUnwrap(expected[path[0]] as? [String: Any]); inner[path[1]] = 7; expected[path[0]] = inner
            }
            XCTAssertEqual(try config(b) as NSDictionary, expected as NSDictionary, arguments[1])
            XCTAssertNotEqual(try config(a) as NSDictionary, expected as NSDictionary, "the typed --seed changed something")
        }
        try rerun(["--arch", "gru", "--seq-len", "12", "--hidden", "10", "--embedding", "6", "--layers", "1", "--batch-size", "4",
                   "--lr", "0.003", "--max-steps", "2", "--clip-grad-norm", "2"], seedAt: ["seed"])
        try rerun(["--arch", "transformer", "--layers", "1", "--heads", "2", "--embed", "8", "--block", "8", "--batch-size", "2",
                   "--steps", "3", "--warmup-steps", "1", "--eval-interval", "3", "--untied-head", "--min-lr", "0.0002"],
                  seedAt: ["recipe", "seed"])
    }

    func testSeqClassifierConfigIsRerunWithTypedFlagsWinning() throws {
        let a = dir + "/sa", b = dir + "/sb"
        try train(["seq-classifier", "--hidden", "8", "--limit", "100", "--eval-limit", "50", "--batch-size", "25", "--max-steps", "2",
                   "--lr", "0.003", "--schedule", "cosine", "--clip-grad-norm", "2", "--out", a])
        try train(["seq-classifier", "--config", a + "/config.json", "--seed", "4", "--out", b])
        var expected = try config(a)
        expected["seed"] = 4
        XCTAssertEqual(try config(b) as NSDictionary, expected as NSDictionary)
        XCTAssertNotEqual(try config(a) as NSDictionary, expected as NSDictionary, "the typed --seed changed something")
    }
}
