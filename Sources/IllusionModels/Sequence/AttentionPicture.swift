import Foundation
import IllusionImaging

/// One picture of every head's attention weights for one line of text: a grid with a row per
/// layer and a column per head; in each T×T panel row = query position (top to bottom), column =
/// key position (left to right), colour = weight (viridis, 0 → dark, max of the panel → yellow).
/// The line's characters label the rows of the first column (newline as "/", space as "_").
public enum AttentionPicture {
    public static func render(maps: [[[Float]]], text: [Unicode.Scalar], cell: Int = 7) -> PixelImage {
        let layers = maps.count, heads = maps.first?.count ?? 0, t = text.count
        let panel = t * cell, gap = 10, margin = 12 + BitmapFont.advance, top = 16 + BitmapFont.lineHeight
        let width = margin + heads * (panel + gap), height = top + layers * (panel + gap + BitmapFont.lineHeight)
        var image = PixelImage(width: width, height: height, fill: .white)
        func printable(_ c: Unicode.Scalar) -> String { c == "\n" ? "/" : (c == " " ? "_" : String(c)) }
        for l in 0..<layers {
            for h in 0..<heads {
                let x0 = margin + h * (panel + gap), y0 = top + l * (panel + gap + BitmapFont.lineHeight) + BitmapFont.lineHeight
                BitmapFont.draw("L\(l) H\(h)", into: &image, x: x0, y: y0 - BitmapFont.lineHeight, color: .black)
                let w = maps[l][h], peak = max(w.max() ?? 1, 1e-6)
                for q in 0..<t { for k in 0..<t {
                    let color = Colormap.viridis.color(Double(w[q * t + k] / peak))
                    for dy in 0..<cell { for dx in 0..<cell { image.setColor(color, x: x0 + k * cell + dx, y: y0 + q * cell + dy) } }
                } }
                if h == 0 {
                    for q in 0..<t where cell >= 7 {
                        BitmapFont.draw(printable(text[q]), into: &image, x: 2, y: y0 + q * cell, color: .black)
                    }
                }
            }
        }
        return image
    }
}
