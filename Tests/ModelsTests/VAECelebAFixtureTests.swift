import XCTest
@testable import IllusionModels

/// The whole faces path on a small CelebA tree in its published layout: train the faces VAE,
/// write the run folder, open it again, edit faces with the attribute vector and judge them.
final class VAECelebAFixtureTests: XCTestCase {
    /// Writes `count` 178×218 JPEGs (synthetic faces on a border) plus the partition and attribute files.
    static func makeCelebATree(at root: String, count: Int) throws {
        let images = root + "/img_align_celeba"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        let faces = try SyntheticFaces.dataset(count: count, size: 148, seed: 9)
        var partition = "", attributes = "\(count)\n" + SyntheticFaces.attributeNames.joined(separator: " ") + "\n"
        for i in 0..<count {
            let name = String(format: "%06d.jpg", i + 1)
            var canvas = PixelImage(width: 178, height: 218, channels: 3, fill: RGBColor(red: 90, green: 90, blue: 100))
            let face = try PixelImage(chw: faces.images[(i * faces.imageSize)..<((i + 1) * faces.imageSize)].map { Float($0) / 255 }[...],
                                      channels: 3, height: 148, width: 148)
            for y in 0..<148 { for x in 0..<148 { canvas.setColor(face.color(x: x, y: y)!, x: 15 + x, y: 35 + y) } }
            try Data(try JPEGCodec.encode(canvas, quality: 92)).write(to: URL(fileURLWithPath: images + "/" + name))
            partition += "\(name) \(i < count * 3 / 4 ? 0 : (i < count * 7 / 8 ? 1 : 2))\n"
            let a = faces.attributeNames.indices.map { faces.attributes[i * faces.attributeCount + $0] ? " 1" : "-1" }
            attributes += name + " " + a.joined(separator: " ") + "\n"
        }
        try partition.write(toFile: root + "/list_eval_partition.txt", atomically: true, encoding: .utf8)
        try attributes.write(toFile: root + "/list_attr_celeba.txt", atomically: true, encoding: .utf8)
    }

    func testFacesVAEOnCelebAFixtureEndToEnd() throws {
        let root = NSTemporaryDirectory() + "celeba-fixture-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.makeCelebATree(at: root + "/celeba", count: 48)
        var training = VAETrainingOptions()
        training.epochs = 1; training.batchSize = 8; training.maxStepsPerEpoch = 2; training.learningRate = 1e-3
        let config = VAERunConfig(model: VAEConfig(architecture: .faces, latentDim: 16, imageSize: 64), training: training,
                                  dataset: DatasetSpec(name: "celeba", directory: root + "/celeba", imageSize: 64))
        let trainer = try VAETrainer(run: RunFolder(path: root + "/run"), config: config)
        trainer.quiet = true
        let summary = try VAEWorkflow.trainAndReport(trainer)
        XCTAssertEqual(summary["images"] as? Int, 6)  // 48/8 test images
        XCTAssertNotNil(try CheckpointStore(run: RunFolder(path: root + "/run")).latest(), "no verified checkpoint")
        for file in ["config.json", "model.safetensors", "metrics.jsonl", "samples.png",
                     "reconstructions.png", "loss_curves.png", "latent_scatter.png", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/run/" + file), "missing \(file)")
        }
        let samples = try PixelImage(contentsOfFile: root + "/run/samples.png")
        XCTAssertEqual(samples.channels, 3)
        // the checkpoint holds PyTorch names, BatchNorm buffers and counters
        let ckpt = try SafeTensors(contentsOf: root + "/run/model.safetensors")
        XCTAssertEqual(ckpt.entries["encoder.0.weight"]?.shape, [32, 3, 3, 3])
        XCTAssertEqual(ckpt.entries["decoder.2.weight"]?.shape, [64, 64, 3, 3])  // ConvTranspose2d: [in, out, kh, kw]
        XCTAssertEqual(try ckpt.int64s("encoder.1.num_batches_tracked"), [2])
        XCTAssertEqual(ckpt.entries["encoder.1.running_var"]?.shape, [32])
        // reopen and edit
        let vae = try VAERun(path: root + "/run")
        let result = try AttributeVectorExperiment.run(vae, attribute: "Smiling", scale: 1.5, steps: 3, rows: 2, edited: 6,
                                                       out: root + "/smile.png")
        XCTAssertEqual(result.attribute, "Smiling")
        XCTAssertEqual(result.imagesWith + result.imagesWithout, 36)
        XCTAssertGreaterThan(result.vectorNorm, 0)
        XCTAssertTrue((0...1).contains(result.fractionBefore) && (0...1).contains(result.fractionAfter))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/smile.png"))
        XCTAssertEqual(result.judgeSeed, 0)
        // another judge seed: the same vector, another judge (its weights and batch order follow the seed)
        let other = try AttributeVectorExperiment.run(vae, attribute: "Smiling", scale: 1.5, steps: 3, rows: 2, edited: 6,
                                                      judgeSeed: 7, out: root + "/smile7.png")
        XCTAssertEqual(other.judgeSeed, 7)
        XCTAssertEqual(other.vectorNorm, result.vectorNorm)
        let faces = try vae.config.dataset.load()
        func judgeProbabilities(seed: UInt64) throws -> [Float] {
            let judge = AttributeJudge(attribute: "Smiling", channels: 3, imageSize: 64, seed: seed)
            try judge.train(on: faces.train, test: faces.test, epochs: 1, batchSize: 8, seed: seed)
            return judge.probabilities(faces.test.floatImages(at: Array(0..<faces.test.count)))
        }
        XCTAssertEqual(try judgeProbabilities(seed: 7), try judgeProbabilities(seed: 7))
        XCTAssertNotEqual(try judgeProbabilities(seed: 0), try judgeProbabilities(seed: 7))
        XCTAssertThrowsError(try AttributeVectorExperiment.run(vae, attribute: "Wings", out: root + "/x.png")) { e in
            XCTAssertTrue("\(e)".contains("Wings"), "\(e)")
        }
    }
}
