import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// Learning-rate schedules, gradient clipping, early stopping and the hold-out split.
final class TrainingUtilitiesTests: XCTestCase {
    func testSchedules() {
        let stepDecay = StepDecay(initial: 0.1, stepSize: 3, gamma: 0.5)
        XCTAssertEqual((0..<7).map { stepDecay.learningRate(epoch: $0) }, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
        let exponential = ExponentialDecay(initial: 0.1, gamma: 0.9)
        XCTAssertEqual(exponential.learningRate(epoch: 0), 0.1)
        XCTAssertEqual(exponential.learningRate(epoch: 2), 0.081, accuracy: 1e-8)
        let cosine = CosineAnnealing(initial: 0.1, minimum: 0.001, period: 10)
        XCTAssertEqual(cosine.learningRate(epoch: 0), 0.1, accuracy: 1e-8)
        XCTAssertEqual(cosine.learningRate(epoch: 5), 0.0505, accuracy: 1e-8)
        XCTAssertEqual(cosine.learningRate(epoch: 10), 0.001, accuracy: 1e-8)
        // Monotone decreasing over the period.
        let values = (0...10).map { cosine.learningRate(epoch: $0) }
        XCTAssertEqual(values, values.sorted(by: >))
        XCTAssertEqual(ConstantLearningRate(0.3).learningRate(epoch: 99), 0.3)

        let p = Tensor.zeros([1], requiresGrad: true)
        let opt = SGD(parameters: [p], learningRate: 1)
        opt.applySchedule(stepDecay, epoch: 4)
        XCTAssertEqual(opt.learningRate, 0.05)
    }

    func testClipGradientNorm() {
        let a = Tensor.zeros([2], requiresGrad: true), b = Tensor.zeros([1], requiresGrad: true), c = Tensor.zeros([3], requiresGrad: true)
        a.grad = [3, 4]; b.grad = [12]
        // ‖(3, 4, 12)‖ = 13; c has no gradient and is ignored.
        XCTAssertEqual(clipGradientNorm(parameters: [a, b, c], maxNorm: 100), 13)
        XCTAssertEqual(a.grad!, [3, 4])
        XCTAssertEqual(clipGradientNorm(parameters: [a, b, c], maxNorm: 6.5), 13)
        XCTAssertEqual(a.grad![0], 1.5, accuracy: 1e-6)
        XCTAssertEqual(a.grad![1], 2, accuracy: 1e-6)
        XCTAssertEqual(b.grad![0], 6, accuracy: 1e-6)
        XCTAssertNil(c.grad)
        XCTAssertEqual(clipGradientNorm(parameters: [a, b], maxNorm: 6.5), 6.5, accuracy: 1e-5)
        b.grad = [.nan]
        XCTAssertTrue(clipGradientNorm(parameters: [a, b], maxNorm: 1).isNaN)
        XCTAssertEqual(a.grad![0], 1.5, accuracy: 1e-6, "left untouched when the norm is not finite")

        a.grad = [-3, 0.5]
        clipGradientValue(parameters: [a], maxValue: 1)
        XCTAssertEqual(a.grad!, [-1, 0.5])
    }

    func testEarlyStoppingMinMode() {
        var stopper = EarlyStopping(patience: 2, mode: .min)
        XCTAssertTrue(stopper.record(1.0))
        XCTAssertTrue(stopper.record(0.8))
        XCTAssertFalse(stopper.record(0.85))
        XCTAssertFalse(stopper.shouldStop)
        XCTAssertFalse(stopper.record(0.81))
        XCTAssertTrue(stopper.shouldStop)
        XCTAssertEqual(stopper.bestValue, 0.8)
        XCTAssertEqual(stopper.bestEpoch, 1)
        XCTAssertEqual(stopper.epochsRecorded, 4)
        // An improvement resets the count.
        XCTAssertTrue(stopper.record(0.5))
        XCTAssertFalse(stopper.shouldStop)
        XCTAssertFalse(stopper.record(.nan), "NaN never improves")
        XCTAssertEqual(stopper.bestValue, 0.5)
    }

    func testEarlyStoppingMaxModeWithMinDelta() {
        var stopper = EarlyStopping(patience: 1, mode: .max, minDelta: 0.01)
        XCTAssertTrue(stopper.record(0.5))
        XCTAssertTrue(stopper.record(0.6))
        XCTAssertFalse(stopper.record(0.605), "within minDelta")
        XCTAssertTrue(stopper.shouldStop)
        XCTAssertEqual(stopper.bestEpoch, 1)
        var zero = EarlyStopping(patience: 0)
        zero.record(1); XCTAssertFalse(zero.shouldStop)
        zero.record(2); XCTAssertTrue(zero.shouldStop)
    }

    func testHoldOutSplit() throws {
        let split = try HoldOutSplit(count: 100, validationFraction: 0.2, seed: 1)
        XCTAssertEqual(split.validation.count, 20)
        XCTAssertEqual(split.training.count, 80)
        XCTAssertEqual(Set(split.training).union(split.validation), Set(0..<100))
        XCTAssertTrue(Set(split.training).isDisjoint(with: split.validation))
        XCTAssertEqual(split.training, split.training.sorted())
        XCTAssertEqual(split, try HoldOutSplit(count: 100, validationFraction: 0.2, seed: 1), "same seed, same split")
        XCTAssertNotEqual(split, try HoldOutSplit(count: 100, validationFraction: 0.2, seed: 2))
        XCTAssertNotEqual(split.validation, Array(0..<20), "shuffled, not the first rows")
        XCTAssertEqual(try HoldOutSplit(count: 7, validationFraction: 0, seed: 3).training, Array(0..<7))
        XCTAssertEqual(try HoldOutSplit(count: 0, validationFraction: 0.5, seed: 3).validation, [])
    }
}
