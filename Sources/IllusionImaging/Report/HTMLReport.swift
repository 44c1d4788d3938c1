import Foundation

/// A self-contained HTML page (no network access needed): a title, sections, paragraphs, key/value and
/// column tables, PNG images embedded as `data:image/png;base64,…` URIs, and inline SVG.
/// Build it up with the `add…` methods in reading order, then ``html()`` or ``write(to:)``.
public struct HTMLReport: Sendable {
    enum Block: Sendable {
        case section(String)
        case paragraph(String)
        case keyValues([(String, String)], caption: String?)
        case table(header: [String], rows: [[String]], caption: String?)
        case png([UInt8], caption: String?, pixelated: Bool)
        case svg(String, caption: String?)
        case figureRow([(png: [UInt8], caption: String?)])
        case thumbnailRow([(png: [UInt8], caption: String?)], width: Int)
        case svgRow([(svg: String, caption: String?)])
    }

    public var title: String
    public var subtitle: String?
    private var blocks: [Block] = []

    public init(title: String, subtitle: String? = nil) {
        self.title = title
        self.subtitle = subtitle
    }

    /// Starts a new section with a heading.
    public mutating func addSection(_ heading: String) { blocks.append(.section(heading)) }

    /// A paragraph of plain text (escaped).
    public mutating func addParagraph(_ text: String) { blocks.append(.paragraph(text)) }

    /// A two-column table of names and values (e.g. hyper-parameters, final metrics).
    public mutating func addKeyValueTable(_ pairs: [(String, String)], caption: String? = nil) {
        blocks.append(.keyValues(pairs, caption: caption))
    }

    /// A table with a header row.
    public mutating func addTable(header: [String], rows: [[String]], caption: String? = nil) {
        blocks.append(.table(header: header, rows: rows, caption: caption))
    }

    /// An already-encoded PNG, embedded as a data URI. `pixelated` keeps small images (e.g. 28×28 grids) sharp when scaled.
    public mutating func addPNG(_ bytes: [UInt8], caption: String? = nil, pixelated: Bool = false) {
        blocks.append(.png(bytes, caption: caption, pixelated: pixelated))
    }

    /// An image, encoded as PNG and embedded.
    public mutating func addImage(_ image: PixelImage, caption: String? = nil, pixelated: Bool = true) throws {
        addPNG(try PNGCodec.encode(image), caption: caption, pixelated: pixelated)
    }

    /// Several images side by side (wrapping on narrow windows).
    public mutating func addImageRow(_ images: [(image: PixelImage, caption: String?)]) throws {
        blocks.append(.figureRow(try images.map { (try PNGCodec.encode($0.image), $0.caption) }))
    }

    /// Already-encoded PNGs side by side, each shown `width` CSS pixels wide (small multiples, e.g.
    /// one sample grid per epoch); they wrap onto further rows when the window is narrow.
    public mutating func addThumbnailRow(_ items: [(png: [UInt8], caption: String?)], width: Int = 200) {
        blocks.append(.thumbnailRow(items, width: width))
    }

    /// Inline SVG markup (e.g. from ``Chart/svg()``); the XML declaration, if any, is stripped.
    public mutating func addSVG(_ svg: String, caption: String? = nil) {
        blocks.append(.svg(Self.strippingXMLDeclaration(svg), caption: caption))
    }

    /// Several charts side by side, inline as SVG (wrapping on narrow windows).
    public mutating func addChartRow(_ charts: [(chart: any Chart, caption: String?)]) {
        blocks.append(.svgRow(charts.map { (Self.strippingXMLDeclaration($0.chart.svg()), $0.caption) }))
    }

    static func strippingXMLDeclaration(_ svg: String) -> String {
        if svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") { return String(svg[end.upperBound...]) }
        return svg
    }

    /// A chart, inline as SVG (scales crisply) or embedded as PNG.
    public mutating func addChart(_ chart: some Chart, caption: String? = nil, asSVG: Bool = true) throws {
        if asSVG { addSVG(chart.svg(), caption: caption) } else { addPNG(try chart.pngData(), caption: caption) }
    }

    /// The complete HTML document.
    public func html() -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escapeXML(title))</title>
        <style>
        body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px;
               padding: 0 1rem; color: #222; background: #fafafa; line-height: 1.45; }
        h1 { margin-bottom: 0.2rem; } .subtitle { color: #666; margin-top: 0; }
        h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2.2rem; }
        table { border-collapse: collapse; margin: 0.8rem 0; background: #fff; }
        th, td { border: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: left; font-variant-numeric: tabular-nums; }
        th { background: #f0f0f0; } caption { caption-side: bottom; color: #666; font-size: 0.9rem; padding-top: 0.3rem; }
        figure { margin: 1rem 0; display: inline-block; vertical-align: top; margin-right: 1rem; }
        figure img, figure svg { max-width: 100%; height: auto; background: #fff; border: 1px solid #e5e5e5; }
        img.pixelated { image-rendering: pixelated; min-width: 256px; }
        figcaption { color: #555; font-size: 0.9rem; text-align: center; }
        </style>
        </head>
        <body>
        <h1>\(escapeXML(title))</h1>

        """
        if let subtitle { out += "<p class=\"subtitle\">\(escapeXML(subtitle))</p>\n" }
        for block in blocks {
            switch block {
            case let .section(heading):
                out += "<h2>\(escapeXML(heading))</h2>\n"
            case let .paragraph(text):
                out += "<p>\(escapeXML(text))</p>\n"
            case let .keyValues(pairs, caption):
                out += "<table>\n" + captionTag(caption)
                for (key, value) in pairs { out += "<tr><th>\(escapeXML(key))</th><td>\(escapeXML(value))</td></tr>\n" }
                out += "</table>\n"
            case let .table(header, rows, caption):
                out += "<table>\n" + captionTag(caption)
                out += "<tr>" + header.map { "<th>\(escapeXML($0))</th>" }.joined() + "</tr>\n"
                for row in rows { out += "<tr>" + row.map { "<td>\(escapeXML($0))</td>" }.joined() + "</tr>\n" }
                out += "</table>\n"
            case let .png(bytes, caption, pixelated):
                out += "<div>" + imageFigure(bytes, caption: caption, pixelated: pixelated) + "</div>\n"
            case let .figureRow(items):
                out += "<div>" + items.map { imageFigure($0.png, caption: $0.caption, pixelated: true) }.joined() + "</div>\n"
            case let .thumbnailRow(items, width):
                out += "<div>" + items.map {
                    imageFigure($0.png, caption: $0.caption, pixelated: false, style: "width: \(width)px; min-width: 0")
                }.joined() + "</div>\n"
            case let .svg(svg, caption):
                out += "<div><figure>\n\(svg)"
                if let caption { out += "<figcaption>\(escapeXML(caption))</figcaption>" }
                out += "</figure></div>\n"
            case let .svgRow(items):
                out += "<div>"
                for (svg, caption) in items {
                    out += "<figure>\n\(svg)"
                    if let caption { out += "<figcaption>\(escapeXML(caption))</figcaption>" }
                    out += "</figure>"
                }
                out += "</div>\n"
            }
        }
        return out + "</body>\n</html>\n"
    }

    /// Writes ``html()`` to `path` atomically (temporary file, then rename).
    public func write(to path: String) throws { try AtomicFileWriter.write(html(), to: path) }

    private func captionTag(_ caption: String?) -> String {
        caption.map { "<caption>\(escapeXML($0))</caption>\n" } ?? ""
    }

    private func imageFigure(_ png: [UInt8], caption: String?, pixelated: Bool, style: String? = nil) -> String {
        var out = "<figure><img\(pixelated ? " class=\"pixelated\"" : "")"
        if let style { out += " style=\"\(escapeXML(style))\"" }
        out += " alt=\"\(escapeXML(caption ?? "image"))\" "
        out += "src=\"data:image/png;base64,\(Data(png).base64EncodedString())\">"
        if let caption { out += "<figcaption>\(escapeXML(caption))</figcaption>" }
        return out + "</figure>"
    }
}
