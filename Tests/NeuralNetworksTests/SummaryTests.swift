import XCTest
@testable import IllusionNeuralNetworks

/// The face VAE of the slide deck (seed 002) built from our layers at 256×256×3, and the totals
/// our `summary` reports for it (docs/theory/face-vae-parameters.md explains the slide's misprints).
final class SummaryTests: XCTestCase {
    /// Encoder: 5 × [Conv 3×3 s2 p1 → BatchNorm → LeakyReLU(0.2)], Flatten, then two Dense heads.
    final class FaceEncoder: SummaryRecording {
        let body: Sequential, mean: Dense, logVariance: Dense
        var isTraining = true
        init(rng: inout RandomGenerator) {
            var layers: [Layer] = []
            var c = 3
            for out in [32, 64, 64, 64, 64] {
                layers += [Conv2D(c, out, kernelSize: 3, stride: 2, padding: 1, rng: &rng), BatchNorm2D(out), LeakyReLU(slope: 0.2)]
                c = out
            }
            body = Sequential(layers + [Flatten()])
            mean = Dense(4096, 200, rng: &rng)
            logVariance = Dense(4096, 200, rng: &rng)
        }
        var children: [(name: String, layer: Layer)] { [("body", body), ("mean", mean), ("log_var", logVariance)] }
        func forward(_ x: Tensor) -> Tensor { mean(body(x)) }
        func recordSummary(into summary: inout ModelSummary, name: String, input: Tensor) -> Tensor {
            let h = summary.record(body, name: "body", input: input)
            let m = summary.record(mean, name: "mean", input: h)
            summary.record(logVariance, name: "log_var", input: h)
            return m
        }
    }

    /// Decoder: Dense 200→4096, reshape 64×8×8, 4 × [ConvTranspose 3×3 s2 p1 op1 → BatchNorm → LeakyReLU],
    /// then ConvTranspose 3×3 s2 p1 op1 to 3 channels.
    static func faceDecoder(rng: inout RandomGenerator) -> Sequential {
        var layers: [Layer] = [Dense(200, 4096, rng: &rng), Reshape([64, 8, 8])]
        var c = 64
        for out in [64, 64, 64, 32] {
            layers += [Conv2DTranspose(c, out, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng),
                       BatchNorm2D(out), LeakyReLU(slope: 0.2)]
            c = out
        }
        layers.append(Conv2DTranspose(c, 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng))
        return Sequential(layers)
    }

    func testFaceVAEEncoderTotals() {
        var rng = RandomGenerator(seed: 1)
        let s = summary(FaceEncoder(rng: &rng), inputShape: [3, 256, 256], title: "Encoder")
        XCTAssertEqual(s.totalParameters, 1_770_128)
        XCTAssertEqual(s.trainableParameters, 1_769_552)
        XCTAssertEqual(s.nonTrainableParameters, 576)
        XCTAssertEqual(s.rows.map(\.parameters), [896, 128, 0, 18_496, 256, 0, 36_928, 256, 0, 36_928, 256, 0,
                                                  36_928, 256, 0, 0, 819_400, 819_400])
        XCTAssertEqual(s.rows[0].outputShape, [32, 128, 128])
        XCTAssertEqual(s.rows[15].outputShape, [4096])
        XCTAssertEqual(s.rows.last?.name, "log_var")
        XCTAssertTrue(s.description.contains("Total params: 1,770,128"), s.description)
    }

    func testFaceVAEDecoderTotals() {
        var rng = RandomGenerator(seed: 2)
        let s = summary(Self.faceDecoder(rng: &rng), inputShape: [200], title: "Decoder")
        XCTAssertEqual(s.totalParameters, 954_307)
        XCTAssertEqual(s.trainableParameters, 953_859)
        XCTAssertEqual(s.nonTrainableParameters, 448)
        XCTAssertEqual(s.rows.last?.parameters, 867) // the slide prints 807
        XCTAssertEqual(s.rows.last?.outputShape, [3, 256, 256])
        XCTAssertEqual(s.rows.map(\.outputShape[0]), [4096, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 32, 32, 32, 3])
        XCTAssertTrue(s.description.contains("Trainable params: 953,859"), s.description)
    }

    func testSummaryRestoresTrainingFlagsAndLeavesRunningStatsAlone() throws {
        var rng = RandomGenerator(seed: 3)
        let bn = BatchNorm2D(4)
        let model = Sequential(Conv2D(1, 4, kernelSize: 3, rng: &rng), bn, Dropout(p: 0.5, seed: 1))
        let s = summary(model, inputShape: [1, 7, 7])
        XCTAssertTrue(model.isTraining && bn.isTraining)
        XCTAssertEqual(bn.numBatchesTracked, 0)
        XCTAssertEqual(bn.runningMean.storage, [0, 0, 0, 0])
        XCTAssertEqual(s.rows.map(\.name), ["0", "1", "2"])
        XCTAssertEqual(s.rows[0].outputShape, [4, 5, 5])
        // JSON-friendly
        let json = try JSONEncoder().encode(s)
        let back = try JSONDecoder().decode(ModelSummary.self, from: json)
        XCTAssertEqual(back, s)
    }

    func testGroupedDigits() {
        XCTAssertEqual(ModelSummary.grouped(1_770_128), "1,770,128")
        XCTAssertEqual(ModelSummary.grouped(576), "576")
        XCTAssertEqual(ModelSummary.grouped(1000), "1,000")
    }
}
