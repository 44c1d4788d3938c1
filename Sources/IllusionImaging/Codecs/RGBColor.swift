/// An opaque 8-bit sRGB colour.
public struct RGBColor: Sendable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from a 24-bit hex value, e.g. `RGBColor(hex: 0x1f77b4)`.
    public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// A grey level (0 black … 255 white).
    public init(grey: UInt8) { self.init(red: grey, green: grey, blue: grey) }

    public static let black = RGBColor(grey: 0)
    public static let white = RGBColor(grey: 255)

    /// `#rrggbb`, for SVG and HTML.
    public var hexString: String {
        func hex2(_ v: UInt8) -> String {
            let digits = Array("0123456789abcdef")
            return String([digits[Int(v >> 4)], digits[Int(v & 0xF)]])
        }
        return "#" + hex2(red) + hex2(green) + hex2(blue)
    }

    /// Rec. 601 luma in 0…255.
    public var luma: Double { 0.299 * Double(red) + 0.587 * Double(green) + 0.114 * Double(blue) }

    /// Linear interpolation towards `other`; `t` is clamped to 0…1 (0 gives self).
    public func mixed(with other: RGBColor, _ t: Double) -> RGBColor {
        let t = t.isNaN ? 0 : Swift.min(1, Swift.max(0, t))
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return RGBColor(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }
}
