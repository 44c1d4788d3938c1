import Foundation

/// Renders a ``Figure`` as a standalone SVG document (UTF-8 text, pixel units, `viewBox` = figure size).
/// Text uses a monospace font sized to match the bitmap font's metrics (10 px per font scale unit).
extension Figure {
    public func svg() -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        out += "viewBox=\"0 0 \(width) \(height)\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\">\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"\(background.hexString)\"/>\n"
        for element in elements {
            switch element {
            case let .rectangle(x, y, w, h, fill, stroke, strokeWidth):
                var attributes = "fill=\"\(fill?.hexString ?? "none")\""
                var (rx, ry, rw, rh) = (x, y, w, h)
                if let stroke {
                    // SVG strokes are centred on the edge; inset by half the width to draw inside like the rasterizer.
                    rx += strokeWidth / 2; ry += strokeWidth / 2; rw -= strokeWidth; rh -= strokeWidth
                    attributes += " stroke=\"\(stroke.hexString)\" stroke-width=\(quoted(strokeWidth))"
                }
                out += "<rect x=\(quoted(rx)) y=\(quoted(ry)) width=\(quoted(Swift.max(0, rw))) height=\(quoted(Swift.max(0, rh))) \(attributes)/>\n"
            case let .polyline(points, color, lineWidth):
                let list = points.filter { $0.x.isFinite && $0.y.isFinite }.map { "\(number($0.x)),\(number($0.y))" }
                out += "<polyline points=\"\(list.joined(separator: " "))\" fill=\"none\" stroke=\"\(color.hexString)\" "
                out += "stroke-width=\(quoted(lineWidth)) stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n"
            case let .segments(points, color, lineWidth):
                var path = ""
                for i in stride(from: 0, to: points.count - 1, by: 2) {
                    let a = points[i], b = points[i + 1]
                    guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { continue }
                    path += "M\(number(a.x)) \(number(a.y))L\(number(b.x)) \(number(b.y))"
                }
                out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color.hexString)\" stroke-width=\(quoted(lineWidth)) stroke-linecap=\"round\"/>\n"
            case let .circle(center, radius, fill, stroke, opacity):
                guard center.x.isFinite, center.y.isFinite else { continue }
                var attributes = "fill=\"\(fill.hexString)\""
                if let stroke { attributes += " stroke=\"\(stroke.hexString)\" stroke-width=\"1\"" }
                if opacity < 1 { attributes += " opacity=\(quoted(opacity))" }
                let r = stroke == nil ? radius : Swift.max(0, radius - 0.5)
                out += "<circle cx=\(quoted(center.x)) cy=\(quoted(center.y)) r=\(quoted(r)) \(attributes)/>\n"
            case let .text(text, x, y, scale, color, anchor, rotated):
                let s = Double(Swift.max(1, scale))
                let anchorName: String
                switch anchor {
                case .start: anchorName = "start"
                case .middle: anchorName = "middle"
                case .end: anchorName = "end"
                }
                let common = "font-size=\(quoted(10 * s)) fill=\"\(color.hexString)\" text-anchor=\"\(anchorName)\""
                if rotated {
                    out += "<text transform=\"translate(\(number(x)),\(number(y))) rotate(-90)\" x=\"0\" y=\(quoted(7 * s)) \(common)>"
                } else {
                    out += "<text x=\(quoted(x)) y=\(quoted(y + 7 * s)) \(common)>"
                }
                out += escapeXML(text) + "</text>\n"
            case let .image(image, x, y):
                guard let png = try? PNGCodec.encode(image) else { continue }
                out += "<image x=\"\(x)\" y=\"\(y)\" width=\"\(image.width)\" height=\"\(image.height)\" "
                out += "style=\"image-rendering:pixelated\" href=\"data:image/png;base64,\(Data(png).base64EncodedString())\"/>\n"
            }
        }
        return out + "</svg>\n"
    }

    private func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded)
    }

    private func quoted(_ value: Double) -> String { "\"\(number(value))\"" }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for XML/HTML text and attribute values.
func escapeXML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}
