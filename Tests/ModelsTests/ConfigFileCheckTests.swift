import XCTest
import IllusionTestSupport
import Foundation
@testable import IllusionModels
import IllusionDatasets

/// config.json as untrusted input: every field checked with the file named before anything is built.
final class ConfigFileCheckTests: XCTestCase {
    var tmp = ""
    override func setUpWithError() throws {
        tmp = NSTemporaryDirectory() + "configcheck-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    static let vocabulary = CharVocabulary(of: "abc\n".unicodeScalars)

    /// A written config of every run kind read back from disk, with the loop options present.
    static func sampleConfigs() -> [(name: String, json: Data)] {
        var loop = TrainingLoopOptions(); loop.clipGradNorm = 1; loop.schedule = .cosine
        var vae = VAETrainingOptions(); vae.loop = loop
        var gan = GANModelConfig(imageSize: 32, channels: 3)
        gan.conditionDim = 2; gan.conditionKind = "class"; gan.conditionNames = ["a", "b"]; gan.auxiliaryClassifier = true
        var ganTraining = GANTrainingOptions()
        ganTraining.generatorLearningRate = 1e-4; ganTraining.discriminatorLearningRate = 2e-4; ganTraining.auxiliaryWeight = 1
        ganTraining.realLabel = 0.9; ganTraining.instanceNoise = 0.1; ganTraining.collapseCheckAfterSteps = 10; ganTraining.loop = loop
        var cnn = CNNConfig(classNames: ["a", "b"]); cnn.convolutionDropout = 0.1
        var cnnTraining = ImageClassifierTrainingOptions(); cnnTraining.weightDecay = 0.01; cnnTraining.labelSmoothing = 0.1; cnnTraining.loop = loop
        var ae = AutoencoderConfig(classNames: ["a", "b"]); ae.codeMean = [0, 0]; ae.codeStd = [1, 1]
        var aeTraining = AutoencoderTrainingOptions(); aeTraining.loop = loop
        let data = DatasetSpec(name: "fashion-mnist", imageSize: 28, limit: 10, evalLimit: 5)
        let encoder = JSONEncoder()
        func encode<T: Encodable>(_ v: T) -> Data { try! encoder.encode(v) }
        return [
            ("vae", encode(VAERunConfig(model: VAEConfig(architecture: .mlp), training: vae, dataset: data))),
            ("cgan", encode(GANRunConfig(model: gan, training: ganTraining, dataset: data))),
            ("cnn", encode(CNNRunConfig(model: cnn, training: cnnTraining, dataset: data))),
            ("autoencoder", encode(AutoencoderRunConfig(model: ae, training: aeTraining, dataset: data))),
            ("char-lm", encode(CharLMConfig(vocabulary: vocabulary))),
            ("transformer", encode(CharTransformerRunConfig(model: CharTransformerConfig(vocabularySize: 4, blockSize: 8, layers: 1, heads: 2, width: 8),
                                                            recipe: TransformerRecipe(), vocabulary: vocabulary, data: ["x.txt"], evalInterval: 10))),
            ("seq-classifier", encode(SequenceClassifierConfig())),
        ]
    }

    /// Every numeric leaf key (booleans excluded) of a JSON object.
    static func numericKeys(_ value: Any, key: String? = nil) -> Set<String> {
        if let d = value as? [String: Any] { return d.reduce(into: Set()) { $0.formUnion(numericKeys($1.value, key: $1.key)) } }
        if let a = value as? [Any] { return a.reduce(into: Set()) { $0.formUnion(numericKeys($1, key: key)) } }
        if let n = value as? NSNumber, let key, String(cString: n.objCType) != "c" { return [key] }
        return []
    }

    func testEveryNumericFieldOfEveryRunKindHasALimit() throws {
        let booleans: Set = ["writePictures", "padTo32", "batchNorm", "augment", "flip", "bias", "tiedHead", "auxiliaryClassifier"]
        var seen = Set<String>()
        for (name, json) in Self.sampleConfigs() {
            let keys = Self.numericKeys(try JSONSerialization.jsonObject(with: json)).subtracting(booleans)
            seen.formUnion(keys)
            let missing = keys.filter { ConfigFileCheck.limits[$0] == nil }
            XCTAssertEqual(missing, [], "\(name): numeric fields without a limit")
        }
        XCTAssertGreaterThan(seen.count, 60)
    }

    func testTheWrittenConfigsReadBackAndPassAllGates() throws {
        let folder = RunFolder(path: tmp)
        for (name, json) in Self.sampleConfigs() {
            try json.write(to: URL(fileURLWithPath: folder.configPath))
            switch name {
            case "vae": _ = try folder.readJSON(VAERunConfig.self, from: "config.json")
            case "cgan": _ = try folder.readJSON(GANRunConfig.self, from: "config.json")
            case "cnn": _ = try folder.readJSON(CNNRunConfig.self, from: "config.json")
            case "autoencoder": _ = try folder.readJSON(AutoencoderRunConfig.self, from: "config.json")
            case "char-lm": _ = try folder.readJSON(CharLMConfig.self, from: "config.json")
            case "transformer": _ = try folder.readJSON(CharTransformerRunConfig.self, from: "config.json")
            default: _ = try folder.readJSON(SequenceClassifierConfig.self, from: "config.json")
            }
        }
    }

    /// Writes `kind`'s sample config with `edit` applied to its JSON object, reads it as `T`, and
    /// asserts the one-line error names the file and contains `fragment`.
    func assertRefused<T: Decodable>(_ type: T.Type, _ kind: String, _ fragment: String,
                                     file: StaticString = #filePath, line: UInt = #line,
                                     edit: (inout [String: Any]) -> Void) throws {
        let json = try XCTUnwrap(Self.sampleConfigs().first { $0.name == kind }?.json)
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        edit(&object)
        let folder = RunFolder(path: tmp)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: folder.configPath))
        XCTAssertThrowsError(try folder.readJSON(T.self, from: "config.json"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(folder.configPath + ": ") && message.contains(fragment),
                          "'\(message)' should name the file and say '\(fragment)'", file: file, line: line)
            XCTAssertFalse(message.contains("\n") || message.contains("CodingKeys") || message.contains("DecodingError"),
                           "not one plain line: \(message)", file: file, line: line)
        }
        // The run-kind probe every command reads first fails the same way on out-of-range numbers.
    }

    func set(_ object: inout [String: Any], _ section: String, _ key: String, _ value: Any) {
        var inner = object[section] as! [String: Any]; inner[key] = value; object[section] = inner
    }

    func testOutOfRangeFieldsNameTheFileAndTheField() throws {
        try assertRefused(VAERunConfig.self, "vae", "model.channels must be an integer in 1…4096, got -1") { set(&$0, "model", "channels", -1) }
        try assertRefused(VAERunConfig.self, "vae", "model.channels must be an integer in 1…4096, got 1099511627776") { set(&$0, "model", "channels", 1 << 40) }
        try assertRefused(VAERunConfig.self, "vae", "model.latentDim must be an integer in 1…4096, got -2") { set(&$0, "model", "latentDim", -2) }
        try assertRefused(VAERunConfig.self, "vae", "model.imageSize must be an integer in 1…4096, got 1000000000") { set(&$0, "model", "imageSize", 1_000_000_000) }
        try assertRefused(VAERunConfig.self, "vae", "model.latentDim must be an integer") { set(&$0, "model", "latentDim", 2.5) }
        try assertRefused(VAERunConfig.self, "vae", "training.learningRate must be a number in (0, 1000]") { set(&$0, "training", "learningRate", -1) }
        try assertRefused(VAERunConfig.self, "vae", "dataset.syntheticCount must be") { set(&$0, "dataset", "syntheticCount", 1e12) }
        try assertRefused(VAERunConfig.self, "vae", "training.loop.keepCheckpoints must be an integer in 1…1000, got 0") {
            var t = $0["training"] as! [String: Any]; var l = t["loop"] as! [String: Any]; l["keepCheckpoints"] = 0; t["loop"] = l; $0["training"] = t
        }
        try assertRefused(AutoencoderRunConfig.self, "autoencoder", "model.classifierHiddenUnits[1] must be an integer in 1…65536, got 0") {
            set(&$0, "model", "classifierHiddenUnits", [64, 0])
        }
        try assertRefused(CharLMConfig.self, "char-lm", "hidden must be an integer in 1…65536, got -5") { $0["hidden"] = -5 }
        try assertRefused(CharTransformerRunConfig.self, "transformer", "model.heads must be an integer in 1…4096, got 0") { set(&$0, "model", "heads", 0) }
        // The probe of the run kind (read first by every command) applies the same limits.
        let folder = RunFolder(path: tmp)
        XCTAssertThrowsError(try folder.readJSON(RunKind.self, from: "config.json")) { XCTAssertTrue("\($0)".contains("model.heads must be")) }
    }

    func testBadTypesAndMissingFieldsArePlainLines() throws {
        try assertRefused(VAERunConfig.self, "vae", "model.channels must be an integer in 1…4096, got the text \"three\"") { set(&$0, "model", "channels", "three") }
        try assertRefused(VAERunConfig.self, "vae", "model.architecture: expected a string") { set(&$0, "model", "architecture", 3) }
        try assertRefused(VAERunConfig.self, "vae", "missing field model.latentDim") {
            var m = $0["model"] as! [String: Any]; m["latentDim"] = nil; $0["model"] = m
        }
        try assertRefused(VAERunConfig.self, "vae", "model.architecture: ") { set(&$0, "model", "architecture", "resnet") }
        try assertRefused(VAERunConfig.self, "vae", "training.writePictures: expected true or false") { set(&$0, "training", "writePictures", "yes") }
        try assertRefused(VAERunConfig.self, "vae", "model: expected an object") { $0["model"] = [1, 2] }
        try "{\"kind\": \"vae\", ".write(toFile: RunFolder(path: tmp).configPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunFolder(path: tmp).readJSON(RunKind.self, from: "config.json")) { XCTAssertTrue("\($0)".hasSuffix("config.json: not valid JSON"), "\($0)") }
    }

    func testFieldCombinationsThatWouldBuildGiantModelsAreRefused() throws {
        try assertRefused(CNNRunConfig.self, "cnn", "parameters (more than the limit") {
            set(&$0, "model", "imageSize", 1024); set(&$0, "model", "conv2Filters", 4096); set(&$0, "model", "denseUnits", 65536)
        }
        try assertRefused(GANRunConfig.self, "cgan", "parameters (more than the limit") {
            set(&$0, "model", "imageSize", 4096); set(&$0, "model", "generatorWidth", 4096)
        }
        try assertRefused(VAERunConfig.self, "vae", "parameters (more than the limit") {
            set(&$0, "model", "imageSize", 256); set(&$0, "model", "channels", 4096)
        }
        try assertRefused(CharTransformerRunConfig.self, "transformer", "parameters (more than the limit") {
            set(&$0, "model", "width", 65536); set(&$0, "model", "heads", 1); set(&$0, "model", "layers", 100)
        }
        try assertRefused(CharLMConfig.self, "char-lm", "parameters (more than the limit") { $0["hidden"] = 65536; $0["layers"] = 64 }
    }

    func testCrossFieldRulesNameTheFile() throws {
        try assertRefused(VAERunConfig.self, "vae", "--image-size must be in 4…256") { set(&$0, "model", "imageSize", 2) }
        try assertRefused(GANRunConfig.self, "cgan", "must be B·2^k") { set(&$0, "model", "imageSize", 33) }
        try assertRefused(GANRunConfig.self, "cgan", "conditionNames has 2 names for conditionDim 5") { set(&$0, "model", "conditionDim", 5) }
        try assertRefused(CNNRunConfig.self, "cnn", "--kernel-size must be odd") { set(&$0, "model", "kernelSize", 4) }
        try assertRefused(AutoencoderRunConfig.self, "autoencoder", "model.codeStd has 3 values") { set(&$0, "model", "codeStd", [1, 1, 1]) }
        try assertRefused(CharTransformerRunConfig.self, "transformer", "does not divide") { set(&$0, "model", "heads", 3) }
        try assertRefused(CharTransformerRunConfig.self, "transformer", "vocabulary has 4 characters") { set(&$0, "model", "vocabularySize", 7) }
    }

    /// Through the executable: `sample` on a run whose config.json says channels −1 prints one line.
    func testTheExecutableReportsABadConfigFieldInOneLine() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Self.sampleConfigs()[0].json) as? [String: Any])
        set(&object, "model", "channels", -1)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: tmp + "/config.json"))
        try Data([8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8)).write(to: URL(fileURLWithPath: tmp + "/model.safetensors"))
        let r = try IllusionExecutable.run(["sample", "--run", tmp, "--out", tmp + "/s.png"])
        XCTAssertNotEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(tmp + "/config.json: model.channels must be an integer in 1…4096, got -1"), r.stderr)
    }
}
