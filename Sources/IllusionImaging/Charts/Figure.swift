/// A point in figure pixel coordinates: x to the right, y downwards, origin at the top-left corner.
/// Pixel (i, j) covers the square [i, i+1) × [j, j+1), so a 1-pixel line through row j has y = j + 0.5.
public struct FigurePoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// Where a text's anchor point sits along the text direction.
public enum TextAnchor: Sendable { case start, middle, end }

/// One drawing primitive of a ``Figure``, in pixel coordinates.
public enum FigureElement: Sendable {
    /// Axis-aligned rectangle; `fill` and/or `stroke` (drawn inside the edge, `strokeWidth` pixels).
    case rectangle(x: Double, y: Double, width: Double, height: Double, fill: RGBColor?, stroke: RGBColor?, strokeWidth: Double)
    /// Connected line through the points, `width` pixels wide, round joins.
    case polyline([FigurePoint], color: RGBColor, width: Double)
    /// Unconnected segments: points 0–1, 2–3, … (used for contour lines and tick marks).
    case segments([FigurePoint], color: RGBColor, width: Double)
    /// Filled circle with optional 1-pixel outline; `opacity` 0…1 applies to both.
    case circle(center: FigurePoint, radius: Double, fill: RGBColor, stroke: RGBColor?, opacity: Double)
    /// Bitmap-font text. Horizontal: `y` is the top of the glyphs, `anchor` positions along x.
    /// `rotated`: reads bottom-to-top (turned 90° counter-clockwise), `x` is the left edge, anchor along y.
    /// `scale` is the integer font scale (1 → 5×7 glyphs, 6-pixel advance).
    case text(String, x: Double, y: Double, scale: Int, color: RGBColor, anchor: TextAnchor, rotated: Bool)
    /// A raster image drawn 1:1 with its top-left corner at (x, y).
    case image(PixelImage, x: Int, y: Int)
}

/// A resolution-independent list of drawing primitives that renders identically to SVG
/// (``svg()``) and to pixels (``rasterized()``). Charts build a `Figure`; callers choose the output.
public struct Figure: Sendable {
    /// Size in pixels (also the SVG viewBox).
    public let width: Int
    public let height: Int
    public var background: RGBColor
    /// Elements in drawing order (later ones on top).
    public private(set) var elements: [FigureElement] = []

    public init(width: Int, height: Int, background: RGBColor = .white) {
        self.width = Swift.max(1, width)
        self.height = Swift.max(1, height)
        self.background = background
    }

    public mutating func add(_ element: FigureElement) { elements.append(element) }

    /// Convenience for horizontal text.
    public mutating func addText(_ text: String, x: Double, y: Double, scale: Int = 1, color: RGBColor = .black,
                                 anchor: TextAnchor = .start, rotated: Bool = false) {
        add(.text(text, x: x, y: y, scale: scale, color: color, anchor: anchor, rotated: rotated))
    }

    /// Convenience for a filled rectangle.
    public mutating func addRectangle(x: Double, y: Double, width: Double, height: Double,
                                      fill: RGBColor?, stroke: RGBColor? = nil, strokeWidth: Double = 1) {
        add(.rectangle(x: x, y: y, width: width, height: height, fill: fill, stroke: stroke, strokeWidth: strokeWidth))
    }

    /// PNG bytes of the rasterized figure.
    public func pngData() throws -> [UInt8] { try PNGCodec.encode(rasterized()) }

    /// Writes the SVG text atomically.
    public func writeSVG(to path: String) throws { try AtomicFileWriter.write(svg(), to: path) }

    /// Writes the rasterized figure as PNG, atomically.
    public func writePNG(to path: String) throws { try rasterized().writePNG(to: path) }
}
