import Foundation
@testable import IllusionImaging

/// Small deterministic images and a scratch directory shared by the Imaging tests.
enum TestImages {
    /// A `width × height` RGB gradient with distinct channels.
    static func rgbGradient(width: Int, height: Int) -> PixelImage {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8((x * 255) / Swift.max(1, width - 1)), UInt8((y * 255) / Swift.max(1, height - 1)),
                           UInt8((x * 37 + y * 11) % 256)]
            }
        }
        return try! PixelImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// A smooth RGB image that survives JPEG compression well.
    static func smoothRGB(width: Int, height: Int) -> PixelImage {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
                pixels += [UInt8(40 + 170 * fx), UInt8(60 + 150 * fy), UInt8(128 + 80 * sin(3 * fx + 2 * fy))]
            }
        }
        return try! PixelImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    static func greyRamp(width: Int, height: Int) -> PixelImage {
        let pixels = (0..<(width * height)).map { UInt8(($0 * 7) % 256) }
        return try! PixelImage(width: width, height: height, channels: 1, pixels: pixels)
    }

    /// A fresh empty directory under the system temporary directory.
    static func scratchDirectory(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "imaging-tests-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Count of pixels whose colour is within `tolerance` of `color` in every channel.
    static func count(of color: RGBColor, in image: PixelImage, tolerance: Int = 0) -> Int {
        var n = 0
        for y in 0..<image.height {
            for x in 0..<image.width {
                let c = image.color(x: x, y: y)!
                if abs(Int(c.red) - Int(color.red)) <= tolerance && abs(Int(c.green) - Int(color.green)) <= tolerance
                    && abs(Int(c.blue) - Int(color.blue)) <= tolerance { n += 1 }
            }
        }
        return n
    }
}
