import IllusionTestSupport
import XCTest
@testable import IllusionModels

/// Linear and logistic regression: gradient-based fits agree with closed-form least squares,
/// CSV input, and a logistic model that learns.
final class RegressionTests: XCTestCase {
    var tempDir: String!

    override func setUpWithError() throws {
        tempDir = try makeTemporaryFolder("regression")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: tempDir) }

    func testClosedFormRecoversNoiseFreeCoefficients() throws {
        let g = RegressionData.generatedLinear(count: 50, featureCount: 4, noise: 0, seed: 7)
        let fit = try LeastSquares.solve(g.data)
        for (a, b) in zip(fit.weights, g.weights) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertEqual(fit.bias, g.bias, accuracy: 1e-9)
    }

    func testGradientFitsAgreeWithClosedForm() throws {
        var data = RegressionDataSource()
        data.samples = 300; data.featureCount = 3; data.noise = 0.3; data.seed = 11
        var training = RegressionTrainingOptions()
        training.epochs = 300; training.batchSize = 32; training.seed = 1
        let summary = try LinearRegressionWorkflow.run(LinearRegressionRunConfig(data: data, training: training),
                                                       folder: RunFolder(path: tempDir + "/linear"), quiet: true)
        let fits = summary["optimizers"] as! [[String: Any]]
        let difference = Dictionary(uniqueKeysWithValues: fits.map { ($0["optimizer"] as! String, $0["max_difference_from_closed_form"] as! Double) })
        XCTAssertLessThan(difference["gd"]!, 1e-4, "full-batch GD converges to the least-squares solution")
        XCTAssertLessThan(difference["sgd"]!, 0.05)
        XCTAssertLessThan(difference["adam"]!, 0.05)
        let closedTest = (summary["closed_form"] as! [String: Any])["test_loss"] as! Double
        XCTAssertEqual(summary["test_loss"] as! Double, closedTest, accuracy: 0.05 * closedTest)
        for file in ["config.json", "model.safetensors", "metrics.jsonl", "loss_curves.png", "predictions.png", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: tempDir + "/linear/" + file), file)
        }
        let checkpoint = try SafeTensors(contentsOf: tempDir + "/linear/model.safetensors")
        XCTAssertEqual(try checkpoint.tensor("weight").shape, [1, 3])
    }

    func testCSVWithNumericColumnsAndTarget() throws {
        var lines = ["size, name, rooms, price"]
        var rng = RandomGenerator(seed: 3)
        for i in 0..<80 {
            let size = 50 + 100 * rng.nextDouble(), rooms = Double(1 + rng.nextInt(below: 5))
            lines.append(String(format: "%.3f, house%d, %.0f, %.4f", size, i, rooms, 2 * size - 3 * rooms + 10))
        }
        let path = tempDir + "/houses.csv"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let table = try CSVTable(contentsOf: path)
        let data = try table.regressionData(target: "price")
        XCTAssertEqual(data.featureNames, ["size", "rooms"], "the non-numeric column is skipped")
        let closed = try LeastSquares.solve(data)
        XCTAssertEqual(closed.weights[0], 2, accuracy: 1e-3)
        XCTAssertEqual(closed.weights[1], -3, accuracy: 1e-3)
        XCTAssertEqual(closed.bias, 10, accuracy: 1e-2)

        var training = RegressionTrainingOptions()
        training.epochs = 400; training.optimizers = [.gd]
        let summary = try LinearRegressionWorkflow.run(
            LinearRegressionRunConfig(data: RegressionDataSource(csvPath: path, target: "price"), training: training),
            folder: RunFolder(path: tempDir + "/csv"), quiet: true)
        let weights = (summary["optimizers"] as! [[String: Any]])[0]["weights"] as! [Double]
        XCTAssertEqual(weights[0], 2, accuracy: 1e-2)
        XCTAssertEqual(weights[1], -3, accuracy: 5e-2)
        XCTAssertLessThan(summary["test_loss"] as! Double, 1e-2)

        XCTAssertThrowsError(try table.regressionData(target: "cost")) { error in
            XCTAssertTrue("\(error)".contains("--target cost"), "\(error)")
        }
        XCTAssertThrowsError(try CSVTable(text: "a,b\n1,2\n3", path: "bad.csv")) { error in
            XCTAssertTrue("\(error)".contains("line 3"), "\(error)")
        }
    }

    func testLogisticRegressionLearns() throws {
        var data = RegressionDataSource()
        data.samples = 600; data.featureCount = 2; data.seed = 5
        var training = RegressionTrainingOptions()
        training.epochs = 60
        let summary = try LogisticRegressionWorkflow.run(LogisticRegressionRunConfig(data: data, training: training),
                                                         folder: RunFolder(path: tempDir + "/logistic"), quiet: true)
        XCTAssertGreaterThan(summary["test_accuracy"] as! Double, 0.75, "chance is about 0.5")
        XCTAssertLessThan(summary["test_loss"] as! Double, 0.5, "ln 2 ≈ 0.69 is the loss of a constant 50% guess")
        XCTAssertTrue(FileManager.default.fileExists(atPath: tempDir + "/logistic/decision_regions.png"))
    }
}
