/// Categorical colours for classes and series: 10 distinct colours (the Tableau 10 / matplotlib "tab10" set).
/// Class `k` uses `color(k)`; indices wrap around after 10.
public enum ColorPalette {
    public static let categorical: [RGBColor] = [
        RGBColor(hex: 0x1F77B4), RGBColor(hex: 0xFF7F0E), RGBColor(hex: 0x2CA02C), RGBColor(hex: 0xD62728),
        RGBColor(hex: 0x9467BD), RGBColor(hex: 0x8C564B), RGBColor(hex: 0xE377C2), RGBColor(hex: 0x7F7F7F),
        RGBColor(hex: 0xBCBD22), RGBColor(hex: 0x17BECF),
    ]

    /// The categorical colour for index `k` (negative indices map to grey).
    public static func color(_ k: Int) -> RGBColor {
        k < 0 ? RGBColor(grey: 120) : categorical[k % categorical.count]
    }
}

/// A continuous colour scale mapping 0…1 to a colour by linear interpolation between evenly spaced anchors.
public struct Colormap: Sendable {
    public let anchors: [RGBColor]

    public init(anchors: [RGBColor]) { self.anchors = anchors.isEmpty ? [.black, .white] : anchors }

    /// The colour at `t` (clamped to 0…1; NaN gives the first anchor).
    public func color(_ t: Double) -> RGBColor {
        guard anchors.count > 1 else { return anchors[0] }
        let clamped = t.isNaN ? 0 : Swift.min(1, Swift.max(0, t))
        let position = clamped * Double(anchors.count - 1)
        let i = Swift.min(anchors.count - 2, Int(position))
        return anchors[i].mixed(with: anchors[i + 1], position - Double(i))
    }

    /// Perceptually uniform dark-purple → teal → yellow (matplotlib's viridis, 11 anchors).
    public static let viridis = Colormap(anchors: [
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725,
    ].map { RGBColor(hex: $0) })

    /// White → dark blue (matplotlib's Blues), for counts such as confusion matrices.
    public static let blues = Colormap(anchors: [
        0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5, 0x08519C, 0x08306B,
    ].map { RGBColor(hex: $0) })

    /// Black → white.
    public static let greys = Colormap(anchors: [.black, .white])
}
