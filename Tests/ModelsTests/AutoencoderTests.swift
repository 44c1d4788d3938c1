import XCTest
@testable import IllusionModels

/// The convolutional autoencoder with a 2-D code and its latent classifier, on small stroke images.
final class AutoencoderTests: XCTestCase {
    func testAutoencoderCodesAreClassifiable() throws {
        let dir = NSTemporaryDirectory() + "illusion-ae-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var model = AutoencoderConfig(classNames: ["horizontal", "vertical", "diagonal"], imageSize: 12, latentDim: 2)
        model.conv1Filters = 8; model.conv2Filters = 16; model.classifierHiddenUnits = [32]
        var training = AutoencoderTrainingOptions()
        training.epochs = 4; training.batchSize = 32; training.learningRate = 3e-3
        training.classifierEpochs = 30; training.classifierBatchSize = 64; training.seed = 2
        let config = AutoencoderRunConfig(model: model, training: training, dataset: DatasetSpec(name: "fashion-mnist", imageSize: 12))
        let train = strokeImages(count: 600, seed: 1), test = strokeImages(count: 150, seed: 2)
        let folder = RunFolder(path: dir)
        let summary = try AutoencoderWorkflow.run(config, folder: folder, quiet: true, data: (train, test))
        XCTAssertGreaterThan(summary["test_accuracy"] as! Double, 0.6, "chance is 1/3")

        let epochs = folder.readMetrics().compactMap { $0["train_reconstruction"] as? Double }
        XCTAssertEqual(epochs.count, 4)
        XCTAssertLessThan(epochs.last!, 0.9 * epochs.first!, "the reconstruction loss falls")
        for file in ["config.json", "model.safetensors", "reconstructions.png", "latent_scatter.png", "latent_probability_map.png",
                     "confusion_matrix.png", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + file), file)
        }
        let checkpoint = try SafeTensors(contentsOf: dir + "/model.safetensors")
        XCTAssertEqual(try checkpoint.tensor("encoder.5.weight").shape, [2, 16 * 3 * 3])
        XCTAssertEqual(try checkpoint.tensor("decoder.3.weight").shape, [16, 8, 3, 3], "ConvTranspose2d layout [in, out, kh, kw]")
        XCTAssertEqual(try checkpoint.tensor("classifier.2.weight").shape, [3, 32])

        // The run reopens with the same codes' standardisation and the same accuracy.
        let run = try AutoencoderRun(path: dir)
        XCTAssertEqual(run.model.config.codeMean.count, 2)
        let again = ClassifierEvaluator.evaluate(on: test, classCount: 3) { run.model.classify($0) }
        XCTAssertEqual(again.accuracy, summary["test_accuracy"] as! Double, accuracy: 1e-9)
        let files = try AutoencoderPlots.writeLatentPlots(run.model, test: test, out: dir + "/plots", limit: 100)
        XCTAssertEqual(files.count, 2)
    }
}
