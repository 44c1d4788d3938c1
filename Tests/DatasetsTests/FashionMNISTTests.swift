import Foundation
import XCTest
import IllusionTestSupport
import IllusionDatasets

/// Tests on the real Fashion-MNIST files (skipped when they are not installed).
final class FashionMNISTTests: XCTestCase {
    override func setUpWithError() throws {
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"),
                          "Fashion-MNIST not installed")
    }

    func testTrainAndTestCountsAndHistogram() throws {
        let start = Date()
        let train = try FashionMNIST.load(.train)
        let seconds = Date().timeIntervalSince(start)
        print("Fashion-MNIST train load: \(String(format: "%.3f", seconds)) s")
        XCTAssertEqual(train.count, 60000)
        XCTAssertEqual([train.channels, train.height, train.width], [1, 28, 28])
        XCTAssertEqual(train.labelHistogram(), Array(repeating: 6000, count: 10))
        XCTAssertEqual(train.classNames[0], "T-shirt/top")
        XCTAssertEqual(train.classNames[9], "Ankle boot")
        let test = try FashionMNIST.load(.test)
        XCTAssertEqual(test.count, 10000)
        XCTAssertEqual(test.labelHistogram(), Array(repeating: 1000, count: 10))
        // Known first labels of the published files.
        XCTAssertEqual(Array(train.labels.prefix(5)), [9, 0, 0, 3, 0])
        XCTAssertEqual(Array(test.labels.prefix(5)), [9, 2, 1, 1, 6])
    }

    func testPaddedLoad() throws {
        let train = try FashionMNIST.load(.train, options: .init(padding: 2, limit: 100))
        XCTAssertEqual([train.count, train.height, train.width], [100, 32, 32])
    }
}
