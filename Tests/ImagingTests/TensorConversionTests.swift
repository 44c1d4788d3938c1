import XCTest
@testable import IllusionImaging

final class TensorConversionTests: XCTestCase {
    func testCHWTensorToImageClampsAndInterleaves() throws {
        // [3, 1, 2]: R = [0, 1], G = [0.5, 2 (clamped)], B = [-1 (clamped), 0.25]
        let tensor = Tensor(shape: [3, 1, 2], storage: [0, 1, 0.5, 2, -1, 0.25])
        let image = try PixelImage(tensor: tensor)
        XCTAssertEqual(image.width, 2)
        XCTAssertEqual(image.height, 1)
        XCTAssertEqual(image.pixels, [0, 128, 0, 255, 255, 64])
    }

    func testBatchConversionAndValueRange() throws {
        let tensor = Tensor(shape: [2, 1, 2, 2], storage: [-1, 0, 1, .nan, 1, 1, 1, 1])
        let images = try PixelImage.images(fromBatch: tensor, valueRange: -1...1)
        XCTAssertEqual(images.count, 2)
        XCTAssertEqual(images[0].pixels, [0, 128, 255, 0])
        XCTAssertEqual(images[1].pixels, [255, 255, 255, 255])
        XCTAssertThrowsError(try PixelImage.images(fromBatch: Tensor(shape: [2, 2, 2, 2], storage: [Float](repeating: 0, count: 16))))
        XCTAssertThrowsError(try PixelImage(tensor: Tensor(shape: [4], storage: [0, 0, 0, 0])))
    }

    func testImageToCHWFloats() throws {
        let image = try PixelImage(width: 2, height: 1, channels: 3, pixels: [255, 0, 51, 0, 255, 102])
        XCTAssertEqual(image.chwFloats(), [1, 0, 0, 1, 0.2, 0.4])
        let tensor = image.tensor()
        XCTAssertEqual(tensor.shape, [3, 1, 2])
        XCTAssertEqual(try PixelImage(tensor: tensor), image)
    }

    func testPixelCountValidation() {
        XCTAssertThrowsError(try PixelImage(width: 2, height: 2, channels: 3, pixels: [0, 0, 0]))
        XCTAssertThrowsError(try PixelImage(width: 1, height: 1, channels: 2, pixels: [0, 0]))
    }
}
