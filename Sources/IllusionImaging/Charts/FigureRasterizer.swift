import Foundation

/// Renders a ``Figure`` into an RGB ``PixelImage`` with anti-aliased lines and circles
/// (coverage from the distance of each pixel centre to the shape) and crisp bitmap text.
extension Figure {
    public func rasterized() -> PixelImage {
        var canvas = RasterCanvas(width: width, height: height, background: background)
        for element in elements {
            switch element {
            case let .rectangle(x, y, w, h, fill, stroke, strokeWidth):
                if let fill { canvas.fillRectangle(x0: x, y0: y, x1: x + w, y1: y + h, color: fill, opacity: 1) }
                if let stroke {
                    let s = Swift.max(0, Swift.min(strokeWidth, Swift.min(w, h) / 2))
                    canvas.fillRectangle(x0: x, y0: y, x1: x + w, y1: y + s, color: stroke, opacity: 1)
                    canvas.fillRectangle(x0: x, y0: y + h - s, x1: x + w, y1: y + h, color: stroke, opacity: 1)
                    canvas.fillRectangle(x0: x, y0: y + s, x1: x + s, y1: y + h - s, color: stroke, opacity: 1)
                    canvas.fillRectangle(x0: x + w - s, y0: y + s, x1: x + w, y1: y + h - s, color: stroke, opacity: 1)
                }
            case let .polyline(points, color, lineWidth):
                let pairs = points.count == 1 ? [(points[0], points[0])] : zip(points, points.dropFirst()).map { ($0, $1) }
                canvas.strokeSegments(pairs, color: color, width: lineWidth)
            case let .segments(points, color, lineWidth):
                let pairs = stride(from: 0, to: points.count - 1, by: 2).map { (points[$0], points[$0 + 1]) }
                canvas.strokeSegments(pairs, color: color, width: lineWidth)
            case let .circle(center, radius, fill, stroke, opacity):
                canvas.fillCircle(center: center, radius: radius, fill: fill, stroke: stroke, opacity: opacity)
            case let .text(text, x, y, scale, color, anchor, rotated):
                canvas.drawText(text, x: x, y: y, scale: scale, color: color, anchor: anchor, rotated: rotated)
            case let .image(image, x, y):
                canvas.drawImage(image, x: x, y: y)
            }
        }
        return canvas.image
    }
}

/// A float RGB working buffer for rasterizing; coordinates outside the canvas are clipped.
struct RasterCanvas {
    let width: Int
    let height: Int
    /// RGB values 0…255, row-major interleaved.
    var buffer: [Float]

    init(width: Int, height: Int, background: RGBColor) {
        self.width = width
        self.height = height
        buffer = [Float](repeating: 0, count: width * height * 3)
        for p in 0..<(width * height) {
            buffer[p * 3] = Float(background.red)
            buffer[p * 3 + 1] = Float(background.green)
            buffer[p * 3 + 2] = Float(background.blue)
        }
    }

    var image: PixelImage {
        let bytes = buffer.map { UInt8(Swift.min(255, Swift.max(0, $0.rounded()))) }
        return (try? PixelImage(width: width, height: height, channels: 3, pixels: bytes))
            ?? PixelImage(width: width, height: height)
    }

    @inline(__always) mutating func blend(x: Int, y: Int, color: RGBColor, alpha: Float) {
        guard x >= 0, y >= 0, x < width, y < height, alpha > 0 else { return }
        let a = Swift.min(1, alpha)
        let i = (y * width + x) * 3
        buffer[i] += (Float(color.red) - buffer[i]) * a
        buffer[i + 1] += (Float(color.green) - buffer[i + 1]) * a
        buffer[i + 2] += (Float(color.blue) - buffer[i + 2]) * a
    }

    /// Fills [x0, x1) × [y0, y1) with fractional coverage at the edges.
    mutating func fillRectangle(x0: Double, y0: Double, x1: Double, y1: Double, color: RGBColor, opacity: Double) {
        guard x1 > x0, y1 > y0, x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite else { return }
        let px0 = Swift.max(0, Int(x0.rounded(.down))), px1 = Swift.min(width - 1, Int(x1.rounded(.up)) - 1)
        let py0 = Swift.max(0, Int(y0.rounded(.down))), py1 = Swift.min(height - 1, Int(y1.rounded(.up)) - 1)
        guard px0 <= px1, py0 <= py1 else { return }
        for py in py0...py1 {
            let cy = Swift.min(y1, Double(py + 1)) - Swift.max(y0, Double(py))
            for px in px0...px1 {
                let cx = Swift.min(x1, Double(px + 1)) - Swift.max(x0, Double(px))
                blend(x: px, y: py, color: color, alpha: Float(cx * cy * opacity))
            }
        }
    }

    /// Strokes segments as one shape: coverage per pixel is the maximum over segments, so joins don't darken.
    mutating func strokeSegments(_ pairs: [(FigurePoint, FigurePoint)], color: RGBColor, width lineWidth: Double) {
        let half = Swift.max(0.5, lineWidth / 2)
        let finite = pairs.filter { $0.0.x.isFinite && $0.0.y.isFinite && $0.1.x.isFinite && $0.1.y.isFinite }
        guard !finite.isEmpty else { return }
        var cover = [Float](repeating: 0, count: width * height)
        var touchedMinX = width, touchedMaxX = -1, touchedMinY = height, touchedMaxY = -1
        for (a, b) in finite {
            let minX = Swift.max(0, Int((Swift.min(a.x, b.x) - half - 1).rounded(.down)))
            let maxX = Swift.min(width - 1, Int((Swift.max(a.x, b.x) + half + 1).rounded(.up)))
            let minY = Swift.max(0, Int((Swift.min(a.y, b.y) - half - 1).rounded(.down)))
            let maxY = Swift.min(height - 1, Int((Swift.max(a.y, b.y) + half + 1).rounded(.up)))
            guard minX <= maxX, minY <= maxY else { continue }
            touchedMinX = Swift.min(touchedMinX, minX); touchedMaxX = Swift.max(touchedMaxX, maxX)
            touchedMinY = Swift.min(touchedMinY, minY); touchedMaxY = Swift.max(touchedMaxY, maxY)
            let dx = b.x - a.x, dy = b.y - a.y
            let lengthSquared = dx * dx + dy * dy
            for py in minY...maxY {
                for px in minX...maxX {
                    let cx = Double(px) + 0.5, cy = Double(py) + 0.5
                    var t = lengthSquared > 0 ? ((cx - a.x) * dx + (cy - a.y) * dy) / lengthSquared : 0
                    t = Swift.min(1, Swift.max(0, t))
                    let ex = a.x + t * dx - cx, ey = a.y + t * dy - cy
                    let distance = (ex * ex + ey * ey).squareRoot()
                    let c = Float(Swift.min(1, Swift.max(0, half + 0.5 - distance)))
                    let key = py * width + px
                    if c > cover[key] { cover[key] = c }
                }
            }
        }
        guard touchedMinX <= touchedMaxX, touchedMinY <= touchedMaxY else { return }
        for py in touchedMinY...touchedMaxY {
            for px in touchedMinX...touchedMaxX {
                blend(x: px, y: py, color: color, alpha: cover[py * width + px])
            }
        }
    }

    mutating func fillCircle(center: FigurePoint, radius: Double, fill: RGBColor, stroke: RGBColor?, opacity: Double) {
        guard center.x.isFinite, center.y.isFinite, radius > 0 else { return }
        let o = Float(Swift.min(1, Swift.max(0, opacity)))
        let minX = Swift.max(0, Int((center.x - radius - 1).rounded(.down)))
        let maxX = Swift.min(width - 1, Int((center.x + radius + 1).rounded(.up)))
        let minY = Swift.max(0, Int((center.y - radius - 1).rounded(.down)))
        let maxY = Swift.min(height - 1, Int((center.y + radius + 1).rounded(.up)))
        guard minX <= maxX, minY <= maxY else { return }
        for py in minY...maxY {
            for px in minX...maxX {
                let ex = Double(px) + 0.5 - center.x, ey = Double(py) + 0.5 - center.y
                let d = (ex * ex + ey * ey).squareRoot()
                let inside = Float(Swift.min(1, Swift.max(0, radius + 0.5 - d)))
                guard inside > 0 else { continue }
                if let stroke {
                    // Outline: the outer 1 pixel of the disc.
                    let inner = Float(Swift.min(1, Swift.max(0, radius - 0.5 - d)))
                    blend(x: px, y: py, color: stroke, alpha: inside * o)
                    blend(x: px, y: py, color: fill, alpha: inner * o)
                } else {
                    blend(x: px, y: py, color: fill, alpha: inside * o)
                }
            }
        }
    }

    mutating func drawText(_ text: String, x: Double, y: Double, scale: Int, color: RGBColor,
                           anchor: TextAnchor, rotated: Bool) {
        let s = Swift.max(1, scale)
        let length = Double(BitmapFont.width(of: text, scale: s))
        let shift: Double
        switch anchor {
        case .start: shift = 0
        case .middle: shift = length / 2
        case .end: shift = length
        }
        // Along-text origin (u = 0) and across-text origin (v = 0, top of glyphs).
        let originX = Int((rotated ? x : x - shift).rounded())
        let originY = Int((rotated ? y + shift : y).rounded())
        for (index, scalar) in text.unicodeScalars.enumerated() {
            for column in 0..<BitmapFont.glyphWidth {
                for row in 0..<BitmapFont.glyphHeight where BitmapFont.isSet(scalar, column: column, row: row) {
                    let u = (index * BitmapFont.advance + column) * s
                    let v = row * s
                    for du in 0..<s {
                        for dv in 0..<s {
                            if rotated {
                                blend(x: originX + v + dv, y: originY - 1 - (u + du), color: color, alpha: 1)
                            } else {
                                blend(x: originX + u + du, y: originY + v + dv, color: color, alpha: 1)
                            }
                        }
                    }
                }
            }
        }
    }

    mutating func drawImage(_ image: PixelImage, x: Int, y: Int) {
        for iy in 0..<image.height {
            for ix in 0..<image.width {
                guard let c = image.color(x: ix, y: iy) else { continue }
                blend(x: x + ix, y: y + iy, color: c, alpha: 1)
            }
        }
    }
}
