import Foundation

/// A small RGB float canvas that fills shapes given by signed distance functions, with analytic
/// anti-aliasing: a pixel's coverage is `clamp(0.5 − d, 0, 1)` where `d` is the signed distance
/// (in pixels) from the pixel centre to the shape's edge (negative inside).
///
/// Shapes are described in *local* coordinates of a ``ShapeFrame`` (translation, rotation and
/// uniform scale onto the unit square `[0,1]²` of the canvas), so a whole face can be moved,
/// tilted and scaled by changing the frame.
struct ShapeCanvas {
    let size: Int
    /// `[size, size, 3]` interleaved RGB in [0, 1].
    var rgb: [Float]

    init(size: Int, background: SIMD3<Float>) {
        self.size = size
        rgb = [Float](repeating: 0, count: size * size * 3)
        for p in 0..<(size * size) {
            rgb[3 * p] = background.x; rgb[3 * p + 1] = background.y; rgb[3 * p + 2] = background.z
        }
    }

    /// Blends `color` where the shape is, with `opacity` on top of coverage. `bounds` is a local
    /// box (minX, minY, maxX, maxY) that contains the shape (pixels outside it are skipped);
    /// `distance` is the local signed distance. `shade` optionally modulates the colour per point.
    mutating func fill(_ color: SIMD3<Float>, frame: ShapeFrame, bounds: (Double, Double, Double, Double),
                       opacity: Float = 1, shade: ((Double, Double) -> Float)? = nil,
                       distance: (Double, Double) -> Double) {
        let s = Double(size)
        let box = frame.worldBounds(of: bounds)
        let x0 = max(0, Int((box.0 * s).rounded(.down)) - 1), x1 = min(size - 1, Int((box.2 * s).rounded(.up)) + 1)
        let y0 = max(0, Int((box.1 * s).rounded(.down)) - 1), y1 = min(size - 1, Int((box.3 * s).rounded(.up)) + 1)
        guard x0 <= x1, y0 <= y1 else { return }
        let pixelsPerLocalUnit = frame.scale * s
        for py in y0...y1 {
            for px in x0...x1 {
                let (lx, ly) = frame.toLocal((Double(px) + 0.5) / s, (Double(py) + 0.5) / s)
                let d = distance(lx, ly) * pixelsPerLocalUnit
                let coverage = Float(min(1, max(0, 0.5 - d))) * opacity
                if coverage <= 0 { continue }
                var c = color
                if let shade { c *= shade(lx, ly) }
                let i = 3 * (py * size + px)
                rgb[i] += (c.x - rgb[i]) * coverage
                rgb[i + 1] += (c.y - rgb[i + 1]) * coverage
                rgb[i + 2] += (c.z - rgb[i + 2]) * coverage
            }
        }
    }

    /// The canvas as interleaved RGB bytes.
    func bytes() -> [UInt8] {
        rgb.map { UInt8(min(255, max(0, ($0 * 255).rounded()))) }
    }
}

/// Local → canvas mapping: `world = center + scale · R(angle) · local`, canvas in [0,1]².
struct ShapeFrame {
    let centerX: Double, centerY: Double, angle: Double, scale: Double
    private let cosine: Double, sine: Double

    init(centerX: Double, centerY: Double, angle: Double, scale: Double) {
        self.centerX = centerX; self.centerY = centerY; self.angle = angle; self.scale = scale
        cosine = cos(angle); sine = sin(angle)
    }

    @inline(__always) func toLocal(_ x: Double, _ y: Double) -> (Double, Double) {
        let dx = (x - centerX) / scale, dy = (y - centerY) / scale
        return (cosine * dx + sine * dy, -sine * dx + cosine * dy)
    }

    func toWorld(_ x: Double, _ y: Double) -> (Double, Double) {
        (centerX + scale * (cosine * x - sine * y), centerY + scale * (sine * x + cosine * y))
    }

    func worldBounds(of b: (Double, Double, Double, Double)) -> (Double, Double, Double, Double) {
        let corners = [toWorld(b.0, b.1), toWorld(b.2, b.1), toWorld(b.0, b.3), toWorld(b.2, b.3)]
        return (corners.map(\.0).min()!, corners.map(\.1).min()!, corners.map(\.0).max()!, corners.map(\.1).max()!)
    }
}

/// Signed distance functions (local units, negative inside).
enum SignedDistance {
    /// Ellipse centred at (cx, cy) with radii (rx, ry) — Quílez's first-order approximation,
    /// exact on the boundary and accurate within a pixel of it.
    static func ellipse(_ x: Double, _ y: Double, cx: Double, cy: Double, rx: Double, ry: Double) -> Double {
        let px = x - cx, py = y - cy
        let k0 = ((px / rx) * (px / rx) + (py / ry) * (py / ry)).squareRoot()
        if k0 < 1e-9 { return -min(rx, ry) }
        let k1 = ((px / (rx * rx)) * (px / (rx * rx)) + (py / (ry * ry)) * (py / (ry * ry))).squareRoot()
        return k0 * (k0 - 1) / k1
    }

    static func circle(_ x: Double, _ y: Double, cx: Double, cy: Double, r: Double) -> Double {
        ((x - cx) * (x - cx) + (y - cy) * (y - cy)).squareRoot() - r
    }

    /// A segment from a to b thickened to radius r (round caps).
    static func capsule(_ x: Double, _ y: Double, ax: Double, ay: Double, bx: Double, by: Double, r: Double) -> Double {
        let pax = x - ax, pay = y - ay, bax = bx - ax, bay = by - ay
        let h = min(1, max(0, (pax * bax + pay * bay) / (bax * bax + bay * bay)))
        let dx = pax - bax * h, dy = pay - bay * h
        return (dx * dx + dy * dy).squareRoot() - r
    }

    /// Axis-aligned box centred at (cx, cy) with half sizes (hx, hy) and corner radius r.
    static func roundedBox(_ x: Double, _ y: Double, cx: Double, cy: Double, hx: Double, hy: Double, r: Double) -> Double {
        let qx = abs(x - cx) - hx + r, qy = abs(y - cy) - hy + r
        let outside = (max(qx, 0) * max(qx, 0) + max(qy, 0) * max(qy, 0)).squareRoot()
        return outside + min(max(qx, qy), 0) - r
    }

    /// A quadratic-curve stroke `y = cy + bend·((x−cx)/halfWidth)²` for |x − cx| ≤ halfWidth, of
    /// half thickness t (vertical distance, adequate for gentle curves such as mouths and brows).
    static func curve(_ x: Double, _ y: Double, cx: Double, cy: Double, halfWidth: Double, bend: Double, t: Double) -> Double {
        let u = (x - cx) / halfWidth
        let slope = 2 * bend * u / halfWidth
        let vertical = abs(y - (cy + bend * u * u)) / (1 + slope * slope).squareRoot() - t
        return max(vertical, abs(x - cx) - halfWidth)
    }
}
