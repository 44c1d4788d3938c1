/// Tiles images into one picture (e.g. samples, reconstructions, latent traversals), with optional
/// row labels on the left and column labels on top in the built-in ``BitmapFont``.
///
/// Layout: cells are `maxWidth × maxHeight` of the (scaled) inputs, images centred in their cells,
/// `padding` pixels of `background` around and between cells. Filled row-major, `columns` per row.
/// The output is grey when every input is grey, otherwise RGB.
public enum ImageGrid {
    public static func make(images: [PixelImage], columns: Int, padding: Int = 2, background: RGBColor = .white,
                            rowLabels: [String]? = nil, columnLabels: [String]? = nil, scale: Int = 1,
                            labelScale: Int = 1) throws -> PixelImage {
        guard !images.isEmpty else { throw ImagingError.invalidArgument("image grid needs at least one image") }
        guard columns > 0 else { throw ImagingError.invalidArgument("image grid columns must be > 0, got \(columns)") }
        guard padding >= 0, padding <= 1024 else { throw ImagingError.invalidArgument("image grid padding \(padding) must be in 0...1024") }
        guard scale >= 1, scale <= 64 else { throw ImagingError.invalidArgument("image grid scale \(scale) must be in 1...64") }
        let labelScale = Swift.max(1, labelScale)
        let gridColumns = Swift.min(columns, images.count)
        let gridRows = (images.count + columns - 1) / columns
        let cellWidth = (images.map(\.width).max() ?? 0) * scale
        let cellHeight = (images.map(\.height).max() ?? 0) * scale
        let labelGap = 4 * labelScale
        let leftLabelWidth = (rowLabels?.map { BitmapFont.width(of: $0, scale: labelScale) }.max() ?? 0)
        let left = leftLabelWidth > 0 ? leftLabelWidth + labelGap + padding : 0
        let top = (columnLabels?.contains { !$0.isEmpty } ?? false) ? BitmapFont.height(scale: labelScale) + labelGap + padding : 0
        let width = left + padding + gridColumns * (cellWidth + padding)
        let height = top + padding + gridRows * (cellHeight + padding)
        let area = width.multipliedReportingOverflow(by: height)
        guard !area.overflow, area.partialValue <= 1 << 28 else {
            throw ImagingError.invalidArgument("image grid of \(width)x\(height) pixels is too large")
        }
        let channels = images.allSatisfy { $0.channels == 1 } ? 1 : 3
        var grid = PixelImage(width: width, height: height, channels: channels, fill: background)
        for (index, image) in images.enumerated() {
            let tile = try image.converted(toChannels: channels).scaledUp(by: scale)
            let row = index / columns, column = index % columns
            let x0 = left + padding + column * (cellWidth + padding) + (cellWidth - tile.width) / 2
            let y0 = top + padding + row * (cellHeight + padding) + (cellHeight - tile.height) / 2
            for y in 0..<tile.height {
                let source = y * tile.width * channels
                let destination = ((y0 + y) * width + x0) * channels
                grid.pixels.replaceSubrange(destination..<(destination + tile.width * channels),
                                            with: tile.pixels[source..<(source + tile.width * channels)])
            }
        }
        let ink: RGBColor = background.luma > 128 ? .black : .white
        for (row, label) in (rowLabels ?? []).prefix(gridRows).enumerated() {
            let y = top + padding + row * (cellHeight + padding) + (cellHeight - BitmapFont.height(scale: labelScale)) / 2
            BitmapFont.draw(label, into: &grid, x: leftLabelWidth - BitmapFont.width(of: label, scale: labelScale) + padding / 2,
                            y: y, color: ink, scale: labelScale)
        }
        for (column, label) in (columnLabels ?? []).prefix(gridColumns).enumerated() {
            let x = left + padding + column * (cellWidth + padding) + (cellWidth - BitmapFont.width(of: label, scale: labelScale)) / 2
            BitmapFont.draw(label, into: &grid, x: x, y: padding, color: ink, scale: labelScale)
        }
        return grid
    }

    /// A grid straight from a batch tensor `[N, C, H, W]` (C = 1 or 3), values mapped from `valueRange` to 0…255.
    public static func make(tensor: Tensor, columns: Int, padding: Int = 2, background: RGBColor = .white,
                            rowLabels: [String]? = nil, columnLabels: [String]? = nil, scale: Int = 1,
                            valueRange: ClosedRange<Float> = 0...1) throws -> PixelImage {
        try make(images: PixelImage.images(fromBatch: tensor, valueRange: valueRange), columns: columns, padding: padding,
                 background: background, rowLabels: rowLabels, columnLabels: columnLabels, scale: scale)
    }
}
