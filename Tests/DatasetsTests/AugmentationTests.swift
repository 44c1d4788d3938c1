import XCTest
@testable import IllusionDatasets

final class AugmentationTests: XCTestCase {
    /// A seeded random batch `[n, c, h, w]` in [0, 1).
    func randomImages(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in g.nextFloat() })
    }

    func assertClose(_ a: Tensor, _ b: Tensor, accuracy: Float = 1e-6, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, file: file, line: line)
        let worst = zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, accuracy, file: file, line: line)
    }

    /// Every random op, run twice from the same seed, gives identical output.
    func testEveryRandomOpIsDeterministicPerSeed() {
        let x = randomImages([3, 3, 12, 10])
        let ops: [(String, (inout RandomGenerator) -> Tensor)] = [
            ("hflip", { Augmentation.randomHorizontalFlip(x, generator: &$0) }),
            ("vflip", { Augmentation.randomVerticalFlip(x, generator: &$0) }),
            ("rotation", { Augmentation.randomRotation(x, maxDegrees: 30, generator: &$0) }),
            ("affine", { Augmentation.randomAffine(x, degrees: 10, translate: 0.1, scale: 0.9...1.1, shear: 5, generator: &$0) }),
            ("crop", { Augmentation.randomResizedCrop(x, outputHeight: 8, outputWidth: 8, generator: &$0) }),
            ("elastic", { Augmentation.elastic(x, alpha: 4, sigma: 2, generator: &$0) }),
            ("jitter", { Augmentation.colorJitter(x, brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 0.1, generator: &$0) }),
            ("noise", { Augmentation.gaussianNoise(x, standardDeviation: 0.1, generator: &$0) }),
            ("erasing", { Augmentation.randomErasing(x, probability: 1, generator: &$0) }),
            ("cutout", { Augmentation.cutout(x, size: 4, generator: &$0) }),
            ("mixup", { Augmentation.mixup(x, labels: [0, 1, 2], classCount: 3, alpha: 0.4, generator: &$0).images }),
            ("cutmix", { Augmentation.cutmix(x, labels: [0, 1, 2], classCount: 3, generator: &$0).images }),
            ("augmix", { Augmentation.augMix(x, generator: &$0) }),
        ]
        for (name, op) in ops {
            var g1 = RandomGenerator(seed: 99), g2 = RandomGenerator(seed: 99), g3 = RandomGenerator(seed: 100)
            let a = op(&g1), b = op(&g2), c = op(&g3)
            XCTAssertEqual(a.storage, b.storage, name)
            XCTAssertFalse(a.storage.contains { !$0.isFinite }, name)
            if name != "hflip" && name != "vflip" { XCTAssertNotEqual(a.storage, c.storage, name) }
        }
    }

    func testFlipTwiceIsIdentity() {
        let x = randomImages([2, 3, 5, 7])
        XCTAssertEqual(Augmentation.horizontalFlip(Augmentation.horizontalFlip(x)).storage, x.storage)
        XCTAssertEqual(Augmentation.verticalFlip(Augmentation.verticalFlip(x)).storage, x.storage)
        let single = randomImages([1, 2, 3])
        let flipped = Augmentation.horizontalFlip(single)
        XCTAssertEqual(flipped.shape, [1, 2, 3])
        XCTAssertEqual(Array(flipped.storage[0..<3]), Array(single.storage[0..<3].reversed()))
        var g = RandomGenerator(seed: 4)
        let always = Augmentation.randomHorizontalFlip(x, probability: 1, generator: &g)
        XCTAssertEqual(always.storage, Augmentation.horizontalFlip(x).storage)
    }

    func testRotationZeroIsIdentityAndQuarterTurnIsTransposeFlip() {
        let x = randomImages([2, 3, 9, 9])
        XCTAssertEqual(Augmentation.rotated(x, degrees: 0).storage, x.storage)
        XCTAssertEqual(Augmentation.rotated(x, degrees: 360).storage, x.storage)
        // Counter-clockwise quarter turn of a square = vertical flip of the transpose.
        let expected = Augmentation.verticalFlip(Augmentation.transposed(x))
        assertClose(Augmentation.rotated(x, degrees: 90), expected)
        // Four quarter turns, and +90 then −90, are the identity.
        var y = x
        for _ in 0..<4 { y = Augmentation.rotated(y, degrees: 90) }
        assertClose(y, x)
        assertClose(Augmentation.rotated(Augmentation.rotated(x, degrees: 90), degrees: -90), x)
        // 180° = both flips.
        assertClose(Augmentation.rotated(x, degrees: 180), Augmentation.verticalFlip(Augmentation.horizontalFlip(x)))
        // Even-sized images too (centre between pixels).
        let e = randomImages([1, 1, 6, 6])
        assertClose(Augmentation.rotated(e, degrees: 90), Augmentation.verticalFlip(Augmentation.transposed(e)))
        // A small rotation keeps the centre pixel of a smooth image and fills corners.
        let ones = Tensor(shape: [1, 9, 9], storage: Array(repeating: 1, count: 81))
        let r = Augmentation.rotated(ones, degrees: 45, fill: 0)
        XCTAssertEqual(r.storage[40], 1)
        XCTAssertEqual(r.storage[0], 0)
    }

    func testAffineTranslationShiftsPixels() {
        let x = randomImages([1, 1, 6, 6])
        let shifted = Augmentation.affine(x, .init(translateX: 2), fill: 0)
        for y in 0..<6 {
            for col in 0..<6 {
                XCTAssertEqual(shifted.storage[y * 6 + col], col >= 2 ? x.storage[y * 6 + col - 2] : 0, accuracy: 1e-6)
            }
        }
    }

    func testCropResizeIdentityAndSize() {
        let x = randomImages([2, 3, 8, 8])
        assertClose(Augmentation.cropResized(x, top: 0, left: 0, height: 8, width: 8, outputHeight: 8, outputWidth: 8), x)
        var g = RandomGenerator(seed: 2)
        let crop = Augmentation.randomResizedCrop(x, outputHeight: 5, outputWidth: 4, generator: &g)
        XCTAssertEqual(crop.shape, [2, 3, 5, 4])
        // Crop of the top-left 4×4 at the same scale is exactly that block.
        let block = Augmentation.cropResized(x, top: 0, left: 0, height: 4, width: 4, outputHeight: 4, outputWidth: 4)
        for y in 0..<4 { for col in 0..<4 { XCTAssertEqual(block.storage[y * 4 + col], x.storage[y * 8 + col]) } }
    }

    func testColorAdjustments() {
        let x = randomImages([1, 3, 4, 4])
        assertClose(Augmentation.adjustBrightness(x, factor: 1), x)
        assertClose(Augmentation.adjustContrast(x, factor: 1), x)
        assertClose(Augmentation.adjustSaturation(x, factor: 1), x)
        assertClose(Augmentation.adjustHue(x, shift: 0), x, accuracy: 1e-5)
        assertClose(Augmentation.adjustHue(x, shift: 1), x, accuracy: 1e-5)
        // Saturation 0 gives equal channels; hue 1/3 turns red into green.
        let grey = Augmentation.adjustSaturation(x, factor: 0)
        for p in 0..<16 { XCTAssertEqual(grey.storage[p], grey.storage[16 + p], accuracy: 1e-6) }
        let red = Tensor(shape: [3, 1, 1], storage: [1, 0, 0])
        assertClose(Augmentation.adjustHue(red, shift: 1.0 / 3), Tensor(shape: [3, 1, 1], storage: [0, 1, 0]), accuracy: 1e-5)
        let flat = Augmentation.adjustContrast(x, factor: 0)
        XCTAssertEqual(Set(flat.storage).count, 1)
    }

    func testNoiseHasTheRightStandardDeviation() {
        let x = Tensor(shape: [4, 1, 50, 50], storage: Array(repeating: 0.5, count: 10000))
        var g = RandomGenerator(seed: 8)
        let y = Augmentation.gaussianNoise(x, standardDeviation: 0.1, generator: &g)
        let d = zip(y.storage, x.storage).map { Double($0 - $1) }
        let mean = d.reduce(0, +) / Double(d.count)
        let std = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.005)
        XCTAssertEqual(std, 0.1, accuracy: 0.003)
    }

    func testErasingAndCutout() {
        let x = Tensor(shape: [2, 3, 16, 16], storage: Array(repeating: 0.5, count: 2 * 3 * 256))
        var g = RandomGenerator(seed: 5)
        let erased = Augmentation.randomErasing(x, probability: 1, fill: .constant(1), generator: &g)
        for i in 0..<2 {
            let ones = erased.storage[i * 768 ..< i * 768 + 256].filter { $0 == 1 }.count
            XCTAssertTrue((5...85).contains(ones), "erased \(ones) of 256 pixels")
        }
        let untouched = Augmentation.randomErasing(x, probability: 0, generator: &g)
        XCTAssertEqual(untouched.storage, x.storage)
        let cut = Augmentation.cutout(x, size: 4, fill: 0, generator: &g)
        for i in 0..<2 {
            let zeros = cut.storage[i * 768 ..< i * 768 + 256].filter { $0 == 0 }.count
            XCTAssertTrue((4...16).contains(zeros), "cutout zeroed \(zeros)")
            // Same square in every channel.
            XCTAssertEqual(Array(cut.storage[i * 768 ..< i * 768 + 256]), Array(cut.storage[i * 768 + 256 ..< i * 768 + 512]))
        }
    }

    func testMixupWeightsSumToOne() {
        let x = randomImages([6, 1, 4, 4])
        var g = RandomGenerator(seed: 12)
        let labels = [0, 1, 2, 3, 4, 0]
        let m = Augmentation.mixup(x, labels: labels, classCount: 5, alpha: 0.4, generator: &g)
        XCTAssertEqual(m.targets.shape, [6, 5])
        for i in 0..<6 {
            let row = m.targets.storage[i * 5 ..< (i + 1) * 5]
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6)
            let l = m.lambdas[i], j = m.partners[i]
            XCTAssertTrue((0...1).contains(l))
            XCTAssertEqual(row[row.startIndex + labels[i]], labels[i] == labels[j] ? 1 : l, accuracy: 1e-6)
            for k in 0..<16 {
                XCTAssertEqual(m.images.storage[i * 16 + k], l * x.storage[i * 16 + k] + (1 - l) * x.storage[j * 16 + k], accuracy: 1e-6)
            }
        }
    }

    func testCutmixLabelWeightsEqualPastedArea() {
        let n = 4, h = 10, w = 12
        // Image i is constant i+1, so pasted pixels are identifiable.
        let x = Tensor(shape: [n, 1, h, w], storage: (0..<n).flatMap { Array(repeating: Float($0 + 1), count: h * w) })
        for seed in UInt64(0)..<20 {
            var g = RandomGenerator(seed: seed)
            let m = Augmentation.cutmix(x, labels: [0, 1, 2, 3], classCount: 4, alpha: 1, generator: &g)
            for i in 0..<n where m.partners[i] != i {
                let own = m.images.storage[i * h * w ..< (i + 1) * h * w].filter { $0 == Float(i + 1) }.count
                let ownFraction = Float(own) / Float(h * w)
                XCTAssertEqual(m.lambdas[i], ownFraction, accuracy: 1e-6)
                XCTAssertEqual(m.targets.storage[i * 4 + i], ownFraction, accuracy: 1e-6)
                XCTAssertEqual(m.targets.storage[i * 4 + m.partners[i]], 1 - ownFraction, accuracy: 1e-6)
                XCTAssertEqual(m.targets.storage[i * 4 ..< (i + 1) * 4].reduce(0, +), 1, accuracy: 1e-6)
            }
        }
    }

    func testAugMixViewsAndRange() {
        let x = randomImages([2, 3, 8, 8])
        var g = RandomGenerator(seed: 21)
        let views = Augmentation.augMixViews(x, generator: &g)
        XCTAssertEqual(views.clean.storage, x.storage)
        XCTAssertEqual(views.augmented1.shape, x.shape)
        XCTAssertNotEqual(views.augmented1.storage, views.augmented2.storage)
        XCTAssertTrue(views.augmented1.storage.allSatisfy { $0 >= -1e-5 && $0 <= 1 + 1e-5 })
        // Every operation alone keeps shape and [0, 1].
        for op in AugMixOperation.allCases {
            let y = op.apply(Tensor(shape: [3, 8, 8], storage: Array(x.storage[0..<192])), level: 0.7, generator: &g)
            XCTAssertEqual(y.shape, [3, 8, 8])
            XCTAssertTrue(y.storage.allSatisfy { $0 >= -1e-5 && $0 <= 1 + 1e-5 }, "\(op)")
        }
        let single = Augmentation.augMix(Tensor(shape: [3, 8, 8], storage: Array(x.storage[0..<192])), generator: &g)
        XCTAssertEqual(single.shape, [3, 8, 8])
    }

    func testElasticWithZeroAlphaIsIdentity() {
        let x = randomImages([1, 2, 7, 9])
        var g = RandomGenerator(seed: 3)
        assertClose(Augmentation.elastic(x, alpha: 0, sigma: 2, generator: &g), x)
    }
}
