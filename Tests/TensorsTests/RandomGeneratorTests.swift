import XCTest
@testable import IllusionTensors

final class RandomGeneratorTests: XCTestCase {
    func testMatchesThePCG32ReferenceStream() {
        // pcg32-demo from the PCG reference implementation: pcg32_srandom_r(&rng, 42, 54).
        var rng = RandomGenerator(seed: 42, stream: 54)
        let expected: [UInt32] = [0xa15c_02b7, 0x7b47_f409, 0xba1d_3330, 0x83d2_f293, 0xbfa4_784b, 0xcbed_606e]
        XCTAssertEqual((0..<6).map { _ in rng.nextUInt32() }, expected)
    }

    func testPinnedDefaultStreamValues() {
        var rng = RandomGenerator(seed: 2024)
        XCTAssertEqual((0..<4).map { _ in rng.nextUInt32() }, [55_523_121, 2_352_135_873, 300_568_344, 1_336_925_675])
    }

    func testSameSeedSameStreamAndStateRestore() {
        var a = RandomGenerator(seed: 99), b = RandomGenerator(seed: 99), c = RandomGenerator(seed: 100)
        let sa = (0..<100).map { _ in a.nextUInt32() }
        XCTAssertEqual(sa, (0..<100).map { _ in b.nextUInt32() })
        XCTAssertNotEqual(sa, (0..<100).map { _ in c.nextUInt32() })
        // Checkpointed state resumes the same sequence.
        let saved = RandomGenerator(state: a.state, increment: a.increment)
        var resumed = saved
        XCTAssertEqual((0..<10).map { _ in a.nextFloat() }, (0..<10).map { _ in resumed.nextFloat() })
    }

    func testUniformRangesAndIntegers() {
        var rng = RandomGenerator(seed: 5)
        for _ in 0..<10_000 {
            let f = rng.nextFloat(); XCTAssert(f >= 0 && f < 1)
            let d = rng.nextDouble(); XCTAssert(d >= 0 && d < 1)
        }
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[rng.nextInt(below: 7)] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 500) }
        let p = rng.permutation(50)
        XCTAssertEqual(p.sorted(), Array(0..<50))
    }

    func testNormalDrawsHaveUnitMoments() {
        var rng = RandomGenerator(seed: 17)
        let t = Tensor.normal([100_000], rng: &rng)
        let n = Double(t.count)
        let mean = t.storage.reduce(0) { $0 + Double($1) } / n
        let variance = t.storage.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        XCTAssertEqual(mean, 0, accuracy: 0.01)       // standard error 0.003
        XCTAssertEqual(variance.squareRoot(), 1, accuracy: 0.01)
        var single = RandomGenerator(seed: 18)
        let draws = (0..<100_000).map { _ in Double(single.nextNormal()) }
        XCTAssertEqual(draws.reduce(0, +) / n, 0, accuracy: 0.01)
        let shifted = Tensor.normal([100_000], mean: 3, std: 0.5, rng: &rng)
        XCTAssertEqual(shifted.storage.reduce(0) { $0 + Double($1) } / n, 3, accuracy: 0.01)
    }

    func testGammaAndBetaMeans() {
        var rng = RandomGenerator(seed: 23)
        let g = (0..<20_000).map { _ in rng.nextGamma(shape: 2.5) }
        XCTAssertEqual(g.reduce(0, +) / 20_000, 2.5, accuracy: 0.05)
        let b = (0..<20_000).map { _ in rng.nextBeta(2, 6) }
        XCTAssertEqual(b.reduce(0, +) / 20_000, 0.25, accuracy: 0.01)
    }
}
