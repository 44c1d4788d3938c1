import XCTest
@testable import IllusionModels

/// report.html of a VAE run: provenance, per-epoch table, every picture inlined, no duplicate files.
final class VAEReportTests: XCTestCase {
    func testReportShowsEpochsProvenanceAndEveryPictureOnce() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"),
                          "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
        let root = NSTemporaryDirectory() + "vae-report-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let model = VAEConfig(architecture: .mlp, latentDim: 2)
        var t = VAETrainingOptions()
        t.epochs = 2; t.batchSize = 50; t.maxStepsPerEpoch = 2; t.seed = 3
        let config = VAERunConfig(model: model, training: t,
                                  dataset: DatasetSpec(name: "fashion-mnist", imageSize: model.imageSize, limit: 300))
        let trainer = try VAETrainer(run: RunFolder(path: root), config: config)
        trainer.quiet = true
        try VAEWorkflow.trainAndReport(trainer, iwaeSamples: 2)
        let html = try String(contentsOfFile: root + "/report.html", encoding: .utf8)
        for needle in ["illusion version", BuildInfo.version, "report written", "command", "Training, per epoch",
                       "<td>1</td>", "<td>2</td>", "images/s", "IWAE bound", "KL per image", "interpolation", "epoch 2",
                       "z1", "width: 200px"] {
            XCTAssertTrue(html.contains(needle), "report.html lacks \(needle)")
        }
        // Every picture of the run folder's top level is in the report, and no two files are identical.
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { !$0.hasSuffix("/") }
        var seen: [Data: String] = [:]
        for f in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + f, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: root + "/" + f) else { continue }
            XCTAssertNil(seen[data], "\(f) is byte-identical to \(seen[data] ?? "")")
            seen[data] = f
        }
        for png in ["samples.png", "reconstructions.png", "interpolation.png", "latent_scatter.png", "manifold.png"] {
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: root + "/" + png), "missing \(png)")
            XCTAssertTrue(html.contains(bytes.base64EncodedString()), "\(png) is not inlined in the report")
        }
    }

    func testEpochRowsTakeTheLastEntryOfEachEpoch() {
        let rows = VAEReport.epochRows([
            ["epoch": 1, "train_loss": 300.0, "epoch_seconds": 2.0, "images_per_s": 1000.0],
            ["epoch": 2, "train_loss": 280.0, "epoch_seconds": 2.5, "images_per_s": 900.0],
            ["epoch": 2, "train_loss": 279.0, "epoch_seconds": 2.4, "images_per_s": 950.0],
            ["step": 7, "loss": 1.0],
        ])
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[1][0], "2")
        XCTAssertEqual(rows[1][1], "279.00")
        XCTAssertEqual(rows[1][7], "950")
        XCTAssertEqual(rows[0][3], "–", "a missing figure is a dash")
    }

    func testCommandLineIsQuotedForAShell() {
        XCTAssertEqual(VAEReport.shellQuoted(["illusion", "train", "vae", "--out", "runs/my run", "--lr", "5e-4", "it's"]),
                       "illusion train vae --out 'runs/my run' --lr 5e-4 'it'\\''s'")
    }
}
