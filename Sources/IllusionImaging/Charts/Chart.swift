/// Anything that lays itself out as a ``Figure``; SVG and PNG output come for free.
public protocol Chart {
    /// The chart as drawing primitives (pixel coordinates).
    func figure() -> Figure
}

extension Chart {
    /// A standalone SVG document.
    public func svg() -> String { figure().svg() }
    /// The rasterized chart (RGB).
    public func image() -> PixelImage { figure().rasterized() }
    /// PNG bytes of the rasterized chart.
    public func pngData() throws -> [UInt8] { try figure().pngData() }
    /// Writes SVG atomically.
    public func writeSVG(to path: String) throws { try figure().writeSVG(to: path) }
    /// Writes PNG atomically.
    public func writePNG(to path: String) throws { try figure().writePNG(to: path) }
}

/// 2-D points with optional integer class labels (used by scatter plots and as map overlays).
/// `xs`, `ys` and (when given) `labels` have one entry per point; extra entries of longer arrays are ignored.
public struct LabeledPoints: Sendable {
    public var xs: [Double]
    public var ys: [Double]
    /// Class index per point (colour = `ColorPalette.color(label)`); nil draws every point in the first colour.
    public var labels: [Int]?
    /// Legend names for class indices 0, 1, …; nil names them "0", "1", ….
    public var classNames: [String]?

    /// Coordinates may be `[Double]` or `[Float]` (e.g. latent codes).
    public init<Value: BinaryFloatingPoint>(xs: [Value], ys: [Value], labels: [Int]? = nil, classNames: [String]? = nil) {
        self.xs = xs.map { Double($0) }
        self.ys = ys.map { Double($0) }
        self.labels = labels
        self.classNames = classNames
    }

    /// Number of usable points.
    public var count: Int { Swift.min(xs.count, ys.count, labels?.count ?? Int.max) }

    /// The class indices that occur, sorted (just `[0]` when unlabeled).
    var classesPresent: [Int] {
        guard let labels else { return [0] }
        return Array(Set(labels.prefix(count))).sorted()
    }

    func className(_ k: Int) -> String {
        if let classNames, k >= 0, k < classNames.count { return classNames[k] }
        return String(k)
    }

    func label(at i: Int) -> Int { labels?[i] ?? 0 }
}
