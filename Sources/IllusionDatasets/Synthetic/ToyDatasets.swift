import Foundation

/// A labelled 2-D point set.
public struct PointDataset {
    /// `[count, 2]` coordinates (x, y), row-major.
    public let points: Tensor
    /// `[count]` class indices in `0..<classCount`.
    public let labels: [Int]
    public let classCount: Int
    public var count: Int { labels.count }
}

/// Seeded 2-D toy sets (as scikit-learn's `make_moons`, `make_circles`, `make_blobs`, plus k-arm spirals).
/// Every generator is a pure function of its arguments; `noise` is the standard deviation of
/// Gaussian jitter added to both coordinates. Points come in a seeded random order, so any
/// prefix is a fair sample of every class.
public enum ToyDatasets {
    /// Two interleaving half circles: class 0 is the upper arc of the unit circle, class 1 the
    /// lower arc shifted to (1, 0.5). `count` points split as evenly as possible.
    public static func moons(count: Int, noise: Double = 0.1, seed: UInt64 = 0) -> PointDataset {
        var g = RandomGenerator(seed: seed)
        let outer = count - count / 2
        var pts: [(Double, Double, Int)] = []
        for i in 0..<count {
            let cls = i < outer ? 0 : 1
            let k = cls == 0 ? i : i - outer, n = cls == 0 ? outer : count - outer
            let t = Double.pi * (n > 1 ? Double(k) / Double(n - 1) : 0.5)
            pts.append(cls == 0 ? (cos(t), sin(t), 0) : (1 - cos(t), 0.5 - sin(t), 1))
        }
        return finish(pts, classCount: 2, noise: noise, generator: &g)
    }

    /// Two concentric circles: class 0 of radius 1, class 1 of radius `factor` (0 < factor < 1).
    public static func circles(count: Int, noise: Double = 0.05, factor: Double = 0.5, seed: UInt64 = 0) -> PointDataset {
        var g = RandomGenerator(seed: seed)
        let outer = count - count / 2
        var pts: [(Double, Double, Int)] = []
        for i in 0..<count {
            let cls = i < outer ? 0 : 1
            let k = cls == 0 ? i : i - outer, n = cls == 0 ? outer : count - outer
            let t = 2 * Double.pi * Double(k) / Double(max(n, 1))
            let r = cls == 0 ? 1 : factor
            pts.append((r * cos(t), r * sin(t), cls))
        }
        return finish(pts, classCount: 2, noise: noise, generator: &g)
    }

    /// `classes` interleaved spiral arms turning `turns` times from the origin out to radius 1;
    /// arm k is rotated by 2πk/classes.
    public static func spirals(count: Int, classes: Int = 2, noise: Double = 0.05, turns: Double = 1.5,
                               seed: UInt64 = 0) -> PointDataset {
        require(classes >= 1, "ToyDatasets.spirals: need at least one class")
        var g = RandomGenerator(seed: seed)
        var pts: [(Double, Double, Int)] = []
        for i in 0..<count {
            let cls = i % classes
            let k = i / classes, n = (count - cls + classes - 1) / classes
            let r = n > 1 ? 0.05 + 0.95 * Double(k) / Double(n - 1) : 0.5
            let t = 2 * Double.pi * (turns * r + Double(cls) / Double(classes))
            pts.append((r * cos(t), r * sin(t), cls))
        }
        return finish(pts, classCount: classes, noise: noise, generator: &g)
    }

    /// Isotropic Gaussian blobs of standard deviation `standardDeviation` around `centers`
    /// (class k around `centers[k]`); points assigned to classes round-robin.
    public static func gaussianBlobs(count: Int, centers: [(Double, Double)], standardDeviation: Double = 0.5,
                                     seed: UInt64 = 0) -> PointDataset {
        require(!centers.isEmpty, "ToyDatasets.gaussianBlobs: need at least one centre")
        var g = RandomGenerator(seed: seed)
        let pts = (0..<count).map { i -> (Double, Double, Int) in
            let k = i % centers.count
            return (centers[k].0, centers[k].1, k)
        }
        return finish(pts, classCount: centers.count, noise: standardDeviation, generator: &g)
    }

    /// `classes` Gaussian blobs whose centres are drawn uniformly in [−range, range]².
    public static func gaussianBlobs(count: Int, classes: Int, standardDeviation: Double = 0.5, range: Double = 5,
                                     seed: UInt64 = 0) -> PointDataset {
        require(classes >= 1, "ToyDatasets.gaussianBlobs: need at least one class")
        var g = RandomGenerator(seed: seed ^ 0xB10B)
        let centers = (0..<classes).map { _ in ((2 * g.nextDouble() - 1) * range, (2 * g.nextDouble() - 1) * range) }
        return gaussianBlobs(count: count, centers: centers, standardDeviation: standardDeviation, seed: seed)
    }

    /// Adds Gaussian noise, shuffles with the generator and packs the tensor.
    private static func finish(_ pts: [(Double, Double, Int)], classCount: Int, noise: Double,
                               generator g: inout RandomGenerator) -> PointDataset {
        var coords = [Float](repeating: 0, count: pts.count * 2)
        var labels = [Int](repeating: 0, count: pts.count)
        let order = g.permutation(pts.count)
        for (slot, i) in order.enumerated() {
            let (x, y, c) = pts[i]
            coords[2 * slot] = Float(x + noise * Double(g.nextNormal()))
            coords[2 * slot + 1] = Float(y + noise * Double(g.nextNormal()))
            labels[slot] = c
        }
        return PointDataset(points: Tensor(shape: [pts.count, 2], storage: coords), labels: labels, classCount: classCount)
    }
}
