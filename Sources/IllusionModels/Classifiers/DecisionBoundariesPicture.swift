import Foundation

/// Decision-region pictures of classifiers on 2-D inputs, and side-by-side composition of charts.
public enum DecisionBoundaryPicture {
    /// Evaluates `logits` on a `resolution × resolution` grid over the points' bounding box (plus 15 %)
    /// and returns the class-region map with the points on top.
    ///
    /// - Parameters:
    ///   - points: `[n, 2]` row-major (x, y) pairs.
    ///   - logits: maps a `[m, 2]` batch of grid points to `[m, K]` class scores (softmax gives the confidence).
    public static func map(points: [Float], labels: [Int], classNames: [String], title: String, resolution: Int = 120,
                           width: Int = 420, height: Int = 380, logits: (Tensor) -> Tensor) -> ClassRegionMap {
        let xs = stride(from: 0, to: points.count, by: 2).map { Double(points[$0]) }
        let ys = stride(from: 1, to: points.count, by: 2).map { Double(points[$0]) }
        func padded(_ v: [Double]) -> ClosedRange<Double> {
            let lo = v.min() ?? -1, hi = v.max() ?? 1, m = max(hi - lo, 1e-6) * 0.15
            return (lo - m)...(hi + m)
        }
        let xRange = padded(xs), yRange = padded(ys)
        let n = resolution
        var grid = [Float](repeating: 0, count: n * n * 2)
        for r in 0..<n {
            for c in 0..<n {
                grid[(r * n + c) * 2] = Float(xRange.lowerBound + (Double(c) + 0.5) / Double(n) * (xRange.upperBound - xRange.lowerBound))
                grid[(r * n + c) * 2 + 1] = Float(yRange.lowerBound + (Double(r) + 0.5) / Double(n) * (yRange.upperBound - yRange.lowerBound))
            }
        }
        let probabilities = noGrad { logits(Tensor(shape: [n * n, 2], storage: grid)).softmax() }
        let k = probabilities.shape[1]
        var classes = [Int](repeating: 0, count: n * n), confidence = [Double](repeating: 0, count: n * n)
        for i in 0..<(n * n) {
            var best = 0
            for j in 1..<max(k, 1) where probabilities.storage[i * k + j] > probabilities.storage[i * k + best] { best = j }
            classes[i] = best
            confidence[i] = Double(probabilities.storage[i * k + best])
        }
        return ClassRegionMap(title: title, xLabel: "x1", yLabel: "x2", classes: classes, confidence: confidence,
                              rows: n, columns: n, xRange: xRange, yRange: yRange, classNames: classNames,
                              points: LabeledPoints(xs: xs, ys: ys, labels: labels, classNames: classNames),
                              pointRadius: 2.5, width: width, height: height)
    }

    /// Charts laid out left to right, `columns` per row, under a title.
    public static func sideBySide(_ charts: [Chart], columns: Int, title: String) -> Figure {
        let images = charts.map { $0.image() }
        let cellWidth = images.map(\.width).max() ?? 1, cellHeight = images.map(\.height).max() ?? 1
        let cols = max(1, min(columns, images.count)), rows = (images.count + cols - 1) / cols
        let top = 40
        var figure = Figure(width: cols * cellWidth, height: top + rows * cellHeight)
        figure.addText(title, x: Double(figure.width) / 2, y: 12, scale: 2, anchor: .middle)
        for (i, image) in images.enumerated() {
            figure.add(.image(image, x: (i % cols) * cellWidth, y: top + (i / cols) * cellHeight))
        }
        return figure
    }
}
