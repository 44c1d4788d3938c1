import Foundation
import XCTest
@testable import IllusionModels

/// Tiny seeded models whose ONNX export is committed under `Fixtures/onnx/` together with the
/// outputs onnxruntime computed from it (`scripts/onnx_check.py --fixtures`): CI checks, without
/// Python, that (1) today's export is byte-identical to the file onnxruntime verified and
/// (2) our forward pass reproduces onnxruntime's outputs on the committed inputs to 1e-4.
enum ONNXFixtureModels {
    /// Random γ, β and running statistics, so BatchNormalization's inference form is really exercised.
    static func randomizeBatchNorm(_ layer: Layer, rng: inout RandomGenerator) {
        if let bn = layer as? BatchNormalization {
            bn.weight?.storage = Tensor.uniform([bn.numFeatures], low: 0.5, high: 1.5, rng: &rng).storage
            bn.bias?.storage = Tensor.uniform([bn.numFeatures], low: -0.5, high: 0.5, rng: &rng).storage
            bn.runningMean.storage = Tensor.uniform([bn.numFeatures], low: -0.5, high: 0.5, rng: &rng).storage
            bn.runningVar.storage = Tensor.uniform([bn.numFeatures], low: 0.5, high: 2, rng: &rng).storage
        }
        for c in layer.children { randomizeBatchNorm(c.layer, rng: &rng) }
    }

    /// Every layer type the exporter translates, on a `[2, 8, 8]` input.
    static func layers() throws -> ONNXExport {
        var rng = RandomGenerator(seed: 7)
        let model = Sequential([
            Conv2D(2, 3, kernelSize: 3, padding: .same, rng: &rng), BatchNorm2D(3), LeakyReLU(slope: 0.2),
            Conv2D(3, 4, kernelSize: 3, stride: 2, padding: 1, bias: false, rng: &rng), ReLU(),
            Residual(Sequential([Conv2D(4, 4, kernelSize: 3, padding: .same, rng: &rng), Tanh()])),
            AvgPool2D(kernelSize: 2), Upsample(scaleFactor: 2), MaxPool2D(kernelSize: 2),
            Conv2DTranspose(4, 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng), Sigmoid(),
            Dropout(p: 0.5, rng: &rng), Flatten(), Dense(48, 6, rng: &rng), BatchNorm1D(6), Reshape([2, 3]), Softmax(),
        ])
        randomizeBatchNorm(model, rng: &rng)
        model.setTraining(false)
        return try ONNXExporter.layer(model, inputShape: [2, 8, 8], part: "layers")
    }

    /// The real CNN classifier architecture, narrowed (2 and 3 filters, 4 dense units, 8×8 input).
    static func classifier() throws -> ONNXExport {
        var rng = RandomGenerator(seed: 8)
        var config = CNNConfig(classNames: ["a", "b", "c"], channels: 1, imageSize: 8)
        config.conv1Filters = 2; config.conv2Filters = 3; config.denseUnits = 4; config.convolutionDropout = 0.1
        let model = CNNClassifier.make(config, rng: &rng)
        randomizeBatchNorm(model, rng: &rng)
        model.setTraining(false)
        return try ONNXExporter.classifier(model, channels: 1, imageSize: 8, classNames: config.classNames)
    }

    /// A conditional DCGAN generator for 8×8 images (noise 3, three classes, ĉ of length 2).
    static func conditionalGenerator() throws -> ONNXExport {
        var rng = RandomGenerator(seed: 9)
        var config = GANModelConfig(imageSize: 8, channels: 1, noiseDim: 3, generatorWidth: 2, discriminatorWidth: 2)
        config.conditionDim = 3; config.conditionKind = "class"; config.conditionNames = ["a", "b", "c"]; config.augmentedDim = 2
        let g = DCGANGenerator(config: config, rng: &rng)
        randomizeBatchNorm(g, rng: &rng)
        g.setTraining(false)
        return try ONNXExporter.generator(g)
    }

    /// A linear VAE on 4×4 images with a Bernoulli likelihood (so the decoder ends in a sigmoid).
    static func vae() -> VariationalAutoencoder {
        var rng = RandomGenerator(seed: 10)
        var config = VAEConfig(architecture: .linear, latentDim: 2, imageSize: 4)
        config.likelihood = .bernoulli
        let vae = VariationalAutoencoder(config: config, rng: &rng)
        vae.setTraining(false)
        return vae
    }

    /// A two-layer character model of each recurrent cell (vocabulary 5, E 3, H 4), on 6 steps.
    static func charLanguageModels() throws -> [ONNXExport] {
        try [CharLMArchitecture.lstm, .gru, .rnn].enumerated().map { i, arch in
            var config = CharLMConfig(vocabulary: try CharVocabulary(characters: ["a", "b", "c", "d", "e"]))
            config.architecture = arch; config.embedding = 3; config.hidden = 4; config.layers = 2
            var rng = RandomGenerator(seed: 11 + UInt64(i))
            return try ONNXExporter.charLanguageModel(CharLanguageModel(config: config, rng: &rng), steps: 6)
        }
    }

    /// A two-block transformer char-LM with biases (vocabulary 5, block 6, width 4, 2 heads).
    static func charTransformer() throws -> ONNXExport {
        var rng = RandomGenerator(seed: 14)
        let model = try CharTransformer(config: CharTransformerConfig(vocabularySize: 5, blockSize: 6, layers: 2, heads: 2, width: 4, bias: true),
                                        rng: &rng)
        return try ONNXExporter.charTransformer(model)
    }

    static func all() throws -> [ONNXExport] {
        [try layers(), try classifier(), try conditionalGenerator(), try ONNXExporter.vaeEncoder(vae()), try ONNXExporter.vaeDecoder(vae())]
            + (try charLanguageModels()) + [try charTransformer()]
    }

    /// `tiny_<part>`; the char-LMs (part `model`) by their graph name, `tiny_char_lm_lstm`.
    static func fileStem(_ e: ONNXExport) -> String { "tiny_" + (e.part == "model" ? e.model.graph.name : e.part) }
}

final class ONNXExportTests: XCTestCase {
    func fixtureDirectory() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("onnx")
    }

    /// Writes the fixtures (our export and our outputs) when ILLUSION_WRITE_ONNX_FIXTURES names a folder;
    /// `scripts/onnx_check.py --fixtures` then adds onnxruntime's outputs. A no-op otherwise.
    func testWriteFixturesWhenAsked() throws {
        guard let dir = ProcessInfo.processInfo.environment["ILLUSION_WRITE_ONNX_FIXTURES"] else { return }
        for e in try ONNXFixtureModels.all() {
            let stem = (dir as NSString).appendingPathComponent(ONNXFixtureModels.fileStem(e))
            try writeFileAtomically(stem + ".onnx", bytes: e.serialized())
            try e.referenceData(batch: 3, seed: 1).write(to: stem + ".ours.safetensors")
        }
    }

    func testExportIsByteIdenticalToTheFileOnnxruntimeVerified() throws {
        let dir = try fixtureDirectory()
        for e in try ONNXFixtureModels.all() {
            let url = dir.appendingPathComponent(ONNXFixtureModels.fileStem(e) + ".onnx")
            let committed = try XCTUnwrap(FileManager.default.contents(atPath: url.path), "missing \(url.path)")
            XCTAssertEqual([UInt8](committed), e.serialized(), "\(e.part): the export changed; regenerate the fixture with scripts/onnx_check.py")
        }
    }

    func testOurOutputsMatchOnnxruntimeOnTheCommittedInputs() throws {
        let dir = try fixtureDirectory()
        for e in try ONNXFixtureModels.all() {
            let path = dir.appendingPathComponent(ONNXFixtureModels.fileStem(e) + ".onnxruntime.safetensors").path
            let file = try SafeTensors(contentsOf: path)
            var inputs: [String: Tensor] = [:]
            for i in e.inputs { inputs[i.name] = try file.tensor("input." + i.name) }
            let ours = noGrad { e.evaluate(inputs) }
            for name in e.outputs {
                let runtime = try file.tensor("output." + name)
                let mine = try XCTUnwrap(ours[name])
                XCTAssertEqual(mine.shape, runtime.shape, "\(e.part).\(name)")
                let diff = zip(mine.storage, runtime.storage).map { abs($0 - $1) }.max() ?? .infinity
                XCTAssertLessThanOrEqual(diff, 1e-4, "\(e.part).\(name): max |ours − onnxruntime|")
                XCTAssertGreaterThan(Set(runtime.storage).count, 2, "\(e.part).\(name): degenerate fixture output")
            }
        }
    }

    /// Decodes our file with the schema-less reader: opset, graph inputs/outputs, operator list and
    /// initializer names (the state-dict names) are what the model says.
    func testExportDecodesToTheExpectedGraph() throws {
        let e = try ONNXFixtureModels.classifier()
        let model = try ProtobufFields(e.serialized())
        XCTAssertEqual(model.int(1), 8, "ir_version")
        let opset = try XCTUnwrap(model.messages(8).first)
        XCTAssertEqual(opset.int(2), 17)
        let graph = try XCTUnwrap(model.messages(7).first)
        let ops = try graph.messages(1).compactMap { $0.string(4) }
        XCTAssertEqual(ops, ["Conv", "BatchNormalization", "Relu", "MaxPool", "Conv", "BatchNormalization", "Relu", "MaxPool",
                             "Flatten", "Gemm", "Relu", "Gemm", "Identity"])
        let initializers = try graph.messages(5).compactMap { $0.string(8) }
        var c = CNNConfig(classNames: ["a", "b", "c"], channels: 1, imageSize: 8)
        c.conv1Filters = 2; c.conv2Filters = 3; c.denseUnits = 4; c.convolutionDropout = 0.1
        var rng = RandomGenerator(seed: 0)
        XCTAssertEqual(Set(initializers), Set(CNNClassifier.make(c, rng: &rng).stateDict().map(\.name)))
        XCTAssertEqual(try graph.messages(11).compactMap { $0.string(1) }, ["images"])
        XCTAssertEqual(try graph.messages(12).compactMap { $0.string(1) }, ["logits"])
    }

    func testUnsupportedLayerNamesItsPath() {
        var rng = RandomGenerator(seed: 0)
        let model = Sequential([Dense(2, 2, rng: &rng), Lambda("square") { $0 * $0 }])
        XCTAssertThrowsError(try ONNXExporter.layer(model, inputShape: [2])) { error in
            XCTAssertTrue("\(error)".contains("1 (square)"), "\(error)")
        }
    }
}

final class ProtobufWireTests: XCTestCase {
    /// The examples of the protobuf encoding guide: field 1 = 150 → 08 96 01; field 2 = "testing".
    func testEncodingGuideExamples() {
        var m = ProtobufMessage()
        m.int(1, 150)
        XCTAssertEqual(m.bytes, [0x08, 0x96, 0x01])
        var s = ProtobufMessage()
        s.string(2, "testing")
        XCTAssertEqual(s.bytes, [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67])
        var n = ProtobufMessage()
        n.int(1, -1)
        XCTAssertEqual(n.bytes, [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01], "negative int64 = 10-byte varint")
        var f = ProtobufMessage()
        f.float(3, 1)
        XCTAssertEqual(f.bytes, [0x1D, 0x00, 0x00, 0x80, 0x3F])
    }

    func testReaderRoundTripsEveryWireType() throws {
        var inner = ProtobufMessage()
        inner.string(1, "x")
        var m = ProtobufMessage()
        m.int(1, 300); m.double(2, 2.5); m.float(3, -0.75); m.message(4, inner); m.packedInts(5, [1, 300])
        let fields = try ProtobufFields(m.bytes)
        XCTAssertEqual(fields.int(1), 300)
        XCTAssertEqual(fields.all(2), [.fixed64((2.5 as Double).bitPattern)])
        XCTAssertEqual(fields.all(3), [.fixed32((-0.75 as Float).bitPattern)])
        XCTAssertEqual(try fields.messages(4).first?.string(1), "x")
        XCTAssertEqual(fields.all(5), [.bytes([0x01, 0xAC, 0x02])])
        XCTAssertThrowsError(try ProtobufFields([0x0A, 0x05, 0x01]), "a length past the end is an error, not a trap")
    }
}
