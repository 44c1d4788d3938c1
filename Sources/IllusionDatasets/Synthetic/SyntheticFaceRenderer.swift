/// Draws one cartoon face from its attributes, back to front, with analytic anti-aliasing.
///
/// Face-local coordinates: origin at the face centre, y down, units of the image side (the face
/// ellipse is about 0.4 wide and 0.5 tall); the pose (offset, tilt, scale) maps them onto the image.
enum SyntheticFaceRenderer {
    static let skinPalette: [SIMD3<Float>] = [
        SIMD3(1.00, 0.88, 0.80), SIMD3(0.96, 0.80, 0.67), SIMD3(0.86, 0.65, 0.49),
        SIMD3(0.70, 0.48, 0.33), SIMD3(0.46, 0.30, 0.20),
    ]

    static func skin(_ t: Double) -> SIMD3<Float> {
        let x = min(max(t, 0), 1) * Double(skinPalette.count - 1)
        let i = min(Int(x), skinPalette.count - 2), f = Float(x - Double(i))
        return skinPalette[i] * (1 - f) + skinPalette[i + 1] * f
    }

    static func hair(_ c: SyntheticFaceAttributes.HairColor) -> SIMD3<Float> {
        switch c {
        case .black: return SIMD3(0.09, 0.07, 0.07)
        case .brown: return SIMD3(0.40, 0.24, 0.12)
        case .blond: return SIMD3(0.92, 0.78, 0.45)
        case .gray: return SIMD3(0.72, 0.72, 0.74)
        case .red: return SIMD3(0.68, 0.27, 0.10)
        }
    }

    /// Interleaved RGB bytes `[size, size, 3]`.
    static func render(_ a: SyntheticFaceAttributes, size: Int) -> [UInt8] {
        var canvas = ShapeCanvas(size: size, background: a.background)
        let frame = ShapeFrame(centerX: 0.5 + a.offsetX, centerY: 0.46 + a.offsetY, angle: a.tilt, scale: a.scale)
        let skinColor = skin(a.skinTone), hairColor = hair(a.hairColor)
        let rx = 0.165 + 0.065 * a.faceWidth, ry = 0.235
        typealias SD = SignedDistance

        // Shoulders and neck.
        canvas.fill(a.shirt, frame: frame, bounds: (-0.5, 0.25, 0.5, 0.8)) { x, y in
            SD.ellipse(x, y, cx: 0, cy: 0.56, rx: 0.40, ry: 0.26)
        }
        canvas.fill(skinColor * 0.82, frame: frame, bounds: (-0.1, 0.1, 0.1, 0.4)) { x, y in
            SD.roundedBox(x, y, cx: 0, cy: 0.24, hx: 0.075, hy: 0.13, r: 0.03)
        }
        // Hair behind the head.
        if !a.bald {
            let back: (Double, Double) -> Double = a.longHair
                ? { x, y in min(SD.ellipse(x, y, cx: 0, cy: -0.04, rx: rx + 0.055, ry: ry + 0.055),
                                SD.roundedBox(x, y, cx: 0, cy: 0.12, hx: rx + 0.05, hy: 0.20, r: 0.06)) }
                : { x, y in SD.ellipse(x, y, cx: 0, cy: -0.045, rx: rx + 0.03, ry: ry + 0.035) }
            canvas.fill(hairColor * 0.8, frame: frame, bounds: (-rx - 0.08, -ry - 0.1, rx + 0.08, 0.35), distance: back)
        }
        // Ears.
        for side in [-1.0, 1.0] {
            canvas.fill(skinColor * 0.92, frame: frame, bounds: (side * rx - 0.05, -0.06, side * rx + 0.05, 0.08)) { x, y in
                SD.ellipse(x, y, cx: side * (rx - 0.004), cy: 0.01, rx: 0.03, ry: 0.05)
            }
        }
        // Face, slightly darker towards its rim.
        canvas.fill(skinColor, frame: frame, bounds: (-rx, -ry, rx, ry), shade: { x, y in
            let r2 = (x / rx) * (x / rx) + (y / ry) * (y / ry)
            return 1 - 0.10 * Float(r2 * r2)
        }) { x, y in SD.ellipse(x, y, cx: 0, cy: 0, rx: rx, ry: ry) }
        // Hair cap above the hairline (lower with bangs).
        if !a.bald {
            let foreheadCentre = a.bangs ? 0.135 : 0.075, foreheadWidth = a.bangs ? 1.02 : 0.94
            canvas.fill(hairColor, frame: frame, bounds: (-rx - 0.06, -ry - 0.08, rx + 0.06, 0.1)) { x, y in
                max(SD.ellipse(x, y, cx: 0, cy: -0.03, rx: rx + 0.03, ry: ry + 0.045),
                    -SD.ellipse(x, y, cx: 0, cy: foreheadCentre, rx: rx * foreheadWidth, ry: ry * 0.93))
            }
        }
        // Eyebrows (darker shade of the hair; grey-brown when bald).
        let browColor = a.bald ? SIMD3<Float>(0.35, 0.28, 0.24) : hairColor * 0.7
        for side in [-1.0, 1.0] {
            canvas.fill(browColor, frame: frame, bounds: (side * 0.08 - 0.06, -0.13, side * 0.08 + 0.06, -0.04)) { x, y in
                SD.curve(x, y, cx: side * 0.08, cy: -0.075, halfWidth: 0.04, bend: 0.012, t: 0.0085)
            }
        }
        // Eyes: white, iris, pupil, highlight.
        for side in [-1.0, 1.0] {
            let ex = side * 0.08, ey = -0.02
            canvas.fill(SIMD3(0.97, 0.97, 0.95), frame: frame, bounds: (ex - 0.05, ey - 0.04, ex + 0.05, ey + 0.04)) { x, y in
                SD.ellipse(x, y, cx: ex, cy: ey, rx: 0.042, ry: 0.027)
            }
            canvas.fill(a.iris, frame: frame, bounds: (ex - 0.03, ey - 0.03, ex + 0.03, ey + 0.03)) { x, y in
                max(SD.circle(x, y, cx: ex, cy: ey, r: 0.021), SD.ellipse(x, y, cx: ex, cy: ey, rx: 0.042, ry: 0.027))
            }
            canvas.fill(SIMD3(0.03, 0.03, 0.03), frame: frame, bounds: (ex - 0.02, ey - 0.02, ex + 0.02, ey + 0.02)) { x, y in
                SD.circle(x, y, cx: ex, cy: ey, r: 0.010)
            }
            canvas.fill(SIMD3(1, 1, 1), frame: frame, bounds: (ex - 0.01, ey - 0.02, ex + 0.02, ey + 0.01), opacity: 0.9) { x, y in
                SD.circle(x, y, cx: ex + 0.008, cy: ey - 0.008, r: 0.005)
            }
        }
        // Nose: a soft shadow.
        canvas.fill(skinColor * 0.78, frame: frame, bounds: (-0.04, 0.02, 0.04, 0.09), opacity: 0.8) { x, y in
            SD.curve(x, y, cx: 0, cy: 0.068, halfWidth: 0.022, bend: -0.010, t: 0.006)
        }
        // Mouth.
        let lips = SIMD3<Float>(0.72, 0.24, 0.26) * 0.6 + skinColor * SIMD3(0.4, 0.2, 0.2)
        if a.smiling && a.mouthOpen {
            let mouth: (Double, Double) -> Double = { x, y in
                max(SD.ellipse(x, y, cx: 0, cy: 0.115, rx: 0.075, ry: 0.06), (0.115 - 0.012 * (x / 0.075) * (x / 0.075)) - y)
            }
            canvas.fill(SIMD3(0.45, 0.08, 0.10), frame: frame, bounds: (-0.09, 0.09, 0.09, 0.19), distance: mouth)
            canvas.fill(SIMD3(0.98, 0.98, 0.96), frame: frame, bounds: (-0.09, 0.09, 0.09, 0.19)) { x, y in
                max(mouth(x, y), y - 0.133)
            }
        } else if a.smiling {
            canvas.fill(lips, frame: frame, bounds: (-0.1, 0.08, 0.1, 0.17)) { x, y in
                SD.curve(x, y, cx: 0, cy: 0.145, halfWidth: 0.075, bend: -0.035, t: 0.0105)
            }
        } else {
            canvas.fill(lips, frame: frame, bounds: (-0.07, 0.11, 0.07, 0.16)) { x, y in
                SD.curve(x, y, cx: 0, cy: 0.135, halfWidth: 0.05, bend: 0.004, t: 0.0095)
            }
        }
        if a.smiling {
            for side in [-1.0, 1.0] {
                canvas.fill(SIMD3(0.95, 0.45, 0.45), frame: frame, bounds: (side * 0.12 - 0.05, 0.01, side * 0.12 + 0.05, 0.1), opacity: 0.25) { x, y in
                    SD.ellipse(x, y, cx: side * 0.12, cy: 0.055, rx: 0.035, ry: 0.022)
                }
            }
        }
        // Glasses: tinted lenses, frames, bridge and arms.
        if a.eyeglasses {
            for side in [-1.0, 1.0] {
                let lens: (Double, Double) -> Double = { x, y in
                    SD.roundedBox(x, y, cx: side * 0.08, cy: -0.02, hx: 0.06, hy: 0.045, r: 0.025)
                }
                canvas.fill(SIMD3(0.85, 0.92, 1.0), frame: frame, bounds: (side * 0.08 - 0.07, -0.07, side * 0.08 + 0.07, 0.03), opacity: 0.22, distance: lens)
                canvas.fill(a.frame, frame: frame, bounds: (side * 0.08 - 0.08, -0.08, side * 0.08 + 0.08, 0.04)) { x, y in
                    abs(lens(x, y)) - 0.0075
                }
                canvas.fill(a.frame, frame: frame, bounds: (min(side * 0.14, side * rx) - 0.02, -0.05, max(side * 0.14, side * rx) + 0.02, 0.0)) { x, y in
                    SD.capsule(x, y, ax: side * 0.14, ay: -0.035, bx: side * (rx - 0.005), by: -0.03, r: 0.0065)
                }
            }
            canvas.fill(a.frame, frame: frame, bounds: (-0.04, -0.05, 0.04, 0.0)) { x, y in
                SD.curve(x, y, cx: 0, cy: -0.022, halfWidth: 0.022, bend: -0.006, t: 0.0065)
            }
        }
        return canvas.bytes()
    }
}
