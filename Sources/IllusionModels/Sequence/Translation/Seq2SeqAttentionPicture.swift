import Foundation
import IllusionImaging

/// The attention weights of decoded examples, one panel each, stacked top to bottom: row = output
/// character (top to bottom, the end token drawn as `$`), column = input character (left to right),
/// colour = weight (viridis, 0 → dark purple, 1 → yellow; every row sums to 1). Above each panel:
/// "source → output". Spaces are drawn as `_`.
public enum Seq2SeqAttentionPicture {
    public static func render(_ examples: [(source: String, decoded: Seq2SeqDecoding.Decoded)], cell: Int = 10) -> PixelImage {
        let left = BitmapFont.advance * 2 + 6, gap = 14
        let heights = examples.map { $0.decoded.weights.count * cell + 3 * BitmapFont.lineHeight + gap }
        let widths = examples.map { e in
            max(left + e.source.count * cell, BitmapFont.width(of: title(e)) + 8)
        }
        var image = PixelImage(width: (widths.max() ?? 100) + 8, height: max(heights.reduce(0, +), 20), fill: .white)
        var y = 4
        for e in examples {
            BitmapFont.draw(title(e), into: &image, x: 4, y: y, color: .black)
            y += BitmapFont.lineHeight + 4
            let source = Array(e.source)
            for (j, c) in source.enumerated() {
                BitmapFont.draw(c == " " ? "_" : String(c), into: &image, x: left + j * cell + (cell - 5) / 2, y: y, color: .black)
            }
            y += BitmapFont.lineHeight + 2
            let outputs = e.decoded.ids.map { $0 == DateVocabulary.end ? "$" : DateVocabulary.decodeTarget([$0]) }
            for (i, row) in e.decoded.weights.enumerated() {
                if i < outputs.count { BitmapFont.draw(outputs[i], into: &image, x: 4, y: y + i * cell + (cell - 7) / 2, color: .black) }
                for (j, w) in row.enumerated() {
                    let color = Colormap.viridis.color(Double(w))
                    for dy in 0..<(cell - 1) { for dx in 0..<(cell - 1) { image.setColor(color, x: left + j * cell + dx, y: y + i * cell + dy) } }
                }
            }
            y += e.decoded.weights.count * cell + gap
        }
        return image
    }

    static func title(_ e: (source: String, decoded: Seq2SeqDecoding.Decoded)) -> String { "\(e.source) -> \(e.decoded.text)" }
}
