/// Cropping and resizing.
///
/// `resized` is separable and chooses the filter per axis: when an axis shrinks, each output pixel is the
/// area-weighted mean of the source pixels it covers (box/area averaging, so 4→2 gives exact block means);
/// when an axis grows, samples are bilinearly interpolated between pixel centres (edges clamped).
extension PixelImage {
    /// The sub-image with top-left corner (x, y); throws when the rectangle is empty or leaves the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> PixelImage {
        guard w > 0, h > 0, x >= 0, y >= 0, x <= width - w, y <= height - h else {
            throw ImagingError.invalidArgument(
                "crop rectangle x=\(x) y=\(y) \(w)x\(h) does not fit in a \(width)x\(height) image")
        }
        var out = [UInt8](repeating: 0, count: w * h * channels)
        let rowBytes = w * channels
        for row in 0..<h {
            let source = ((y + row) * width + x) * channels
            out.replaceSubrange((row * rowBytes)..<((row + 1) * rowBytes), with: pixels[source..<(source + rowBytes)])
        }
        return try PixelImage(width: w, height: h, channels: channels, pixels: out)
    }

    /// The centred `width`×`height` sub-image (an odd leftover pixel is dropped on the right/bottom).
    public func centerCropped(width w: Int, height h: Int) throws -> PixelImage {
        try cropped(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
    }

    /// The centred `size`×`size` square.
    public func centerCropped(size: Int) throws -> PixelImage {
        try centerCropped(width: size, height: size)
    }

    /// This image scaled to `width`×`height` (area averaging when shrinking, bilinear when enlarging).
    public func resized(width newWidth: Int, height newHeight: Int) throws -> PixelImage {
        guard newWidth > 0, newHeight > 0, newWidth <= 1 << 15, newHeight <= 1 << 15 else {
            throw ImagingError.invalidArgument("resize target \(newWidth)x\(newHeight) must be in 1...32768")
        }
        guard width > 0, height > 0 else {
            throw ImagingError.invalidArgument("cannot resize an empty \(width)x\(height) image")
        }
        if newWidth == width && newHeight == height { return self }
        let columnTaps = Self.resamplingTaps(from: width, to: newWidth)
        let rowTaps = Self.resamplingTaps(from: height, to: newHeight)
        // Horizontal pass: height × newWidth × channels floats.
        var horizontal = [Float](repeating: 0, count: height * newWidth * channels)
        for y in 0..<height {
            for (ox, taps) in columnTaps.enumerated() {
                for c in 0..<channels {
                    var sum: Float = 0
                    for tap in taps { sum += tap.weight * Float(pixels[(y * width + tap.index) * channels + c]) }
                    horizontal[(y * newWidth + ox) * channels + c] = sum
                }
            }
        }
        var out = [UInt8](repeating: 0, count: newHeight * newWidth * channels)
        for (oy, taps) in rowTaps.enumerated() {
            for i in 0..<(newWidth * channels) {
                var sum: Float = 0
                for tap in taps { sum += tap.weight * horizontal[tap.index * newWidth * channels + i] }
                out[oy * newWidth * channels + i] = UInt8(Swift.min(255, Swift.max(0, sum.rounded())))
            }
        }
        return try PixelImage(width: newWidth, height: newHeight, channels: channels, pixels: out)
    }

    /// Integer nearest-neighbour enlargement (each pixel becomes a `factor`×`factor` block).
    public func scaledUp(by factor: Int) throws -> PixelImage {
        guard factor >= 1, factor <= 256 else { throw ImagingError.invalidArgument("scale factor \(factor) must be in 1...256") }
        if factor == 1 { return self }
        let w = width * factor, h = height * factor
        var out = [UInt8](repeating: 0, count: w * h * channels)
        for y in 0..<h {
            for x in 0..<w {
                let s = ((y / factor) * width + x / factor) * channels, d = (y * w + x) * channels
                for c in 0..<channels { out[d + c] = pixels[s + c] }
            }
        }
        return try PixelImage(width: w, height: h, channels: channels, pixels: out)
    }

    struct ResamplingTap { var index: Int; var weight: Float }

    /// For each output index along one axis, the source indices and weights (summing to 1).
    static func resamplingTaps(from source: Int, to target: Int) -> [[ResamplingTap]] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { o in
            if target < source {
                // Area averaging: output pixel covers [o*scale, (o+1)*scale) in source coordinates.
                let start = Double(o) * scale, end = Double(o + 1) * scale
                var taps: [ResamplingTap] = []
                var i = Int(start.rounded(.down))
                while Double(i) < end && i < source {
                    let overlap = Swift.min(end, Double(i + 1)) - Swift.max(start, Double(i))
                    if overlap > 1e-9 { taps.append(ResamplingTap(index: i, weight: Float(overlap / scale))) }
                    i += 1
                }
                return taps
            } else {
                // Bilinear: align pixel centres, clamp at the edges.
                let centre = Swift.min(Double(source - 1), Swift.max(0, (Double(o) + 0.5) * scale - 0.5))
                let left = Int(centre.rounded(.down))
                let t = centre - Double(left)
                if left + 1 >= source || t < 1e-9 { return [ResamplingTap(index: left, weight: 1)] }
                return [ResamplingTap(index: left, weight: Float(1 - t)), ResamplingTap(index: left + 1, weight: Float(t))]
            }
        }
    }
}
