/// The known attributes of one synthetic cartoon face (see ``SyntheticFaces``).
public struct SyntheticFaceAttributes: Equatable, Sendable {
    public enum HairColor: String, CaseIterable, Sendable {
        case black, brown, blond, gray, red
    }

    public var smiling: Bool
    /// Open smile showing teeth (only drawn when `smiling`).
    public var mouthOpen: Bool
    public var eyeglasses: Bool
    public var bangs: Bool
    /// No hair at all (hair colour then does not show).
    public var bald: Bool
    public var longHair: Bool
    public var hairColor: HairColor
    /// 0 = palest … 1 = darkest skin.
    public var skinTone: Double
    /// 0 = narrowest … 1 = widest face.
    public var faceWidth: Double
    /// Background RGB in [0, 1].
    public var background: SIMD3<Float>
    /// Shirt RGB in [0, 1].
    public var shirt: SIMD3<Float>
    /// Iris RGB in [0, 1].
    public var iris: SIMD3<Float>
    /// Glasses frame RGB in [0, 1].
    public var frame: SIMD3<Float>
    /// Pose: head offset (fractions of the image), tilt (radians) and scale.
    public var offsetX: Double, offsetY: Double, tilt: Double, scale: Double

    /// CelebA-named binary attributes, in ``SyntheticFaces/attributeNames`` order.
    public var attributeVector: [Bool] {
        [smiling, eyeglasses, bangs, !bald && hairColor == .black, !bald && hairColor == .blond,
         !bald && hairColor == .brown, !bald && hairColor == .gray, bald, skinTone < 0.2, faceWidth > 0.75,
         smiling && mouthOpen]
    }

    /// A random face: attribute frequencies roughly balanced (about half smiling, a quarter
    /// with glasses), every colour and size continuous within natural ranges.
    public static func random(_ g: inout RandomGenerator) -> SyntheticFaceAttributes {
        func colorFromHSV(_ h: Double, _ s: Double, _ v: Double) -> SIMD3<Float> {
            let i = Int(h * 6) % 6, f = h * 6 - Double(Int(h * 6))
            let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
            let rgb: (Double, Double, Double) = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
            return SIMD3(Float(rgb.0), Float(rgb.1), Float(rgb.2))
        }
        let smiling = g.nextFloat() < 0.5
        let hairRoll = g.nextFloat()
        let hair: HairColor = hairRoll < 0.3 ? .black : hairRoll < 0.6 ? .brown : hairRoll < 0.8 ? .blond : hairRoll < 0.92 ? .gray : .red
        let irisChoices: [SIMD3<Float>] = [SIMD3(0.35, 0.22, 0.12), SIMD3(0.20, 0.40, 0.70), SIMD3(0.25, 0.50, 0.30), SIMD3(0.15, 0.12, 0.10)]
        let frameChoices: [SIMD3<Float>] = [SIMD3(0.05, 0.05, 0.05), SIMD3(0.35, 0.20, 0.10), SIMD3(0.10, 0.15, 0.45), SIMD3(0.55, 0.10, 0.12)]
        return SyntheticFaceAttributes(
            smiling: smiling,
            mouthOpen: smiling && g.nextFloat() < 0.5,
            eyeglasses: g.nextFloat() < 0.25,
            bangs: g.nextFloat() < 0.3,
            bald: g.nextFloat() < 0.06,
            longHair: g.nextFloat() < 0.45,
            hairColor: hair,
            skinTone: g.nextDouble(),
            faceWidth: g.nextDouble(),
            background: colorFromHSV(g.nextDouble(), 0.15 + 0.45 * g.nextDouble(), 0.55 + 0.4 * g.nextDouble()),
            shirt: colorFromHSV(g.nextDouble(), 0.3 + 0.6 * g.nextDouble(), 0.3 + 0.6 * g.nextDouble()),
            iris: irisChoices[g.nextInt(below: irisChoices.count)],
            frame: frameChoices[g.nextInt(below: frameChoices.count)],
            offsetX: (g.nextDouble() - 0.5) * 0.06, offsetY: (g.nextDouble() - 0.5) * 0.05,
            tilt: (g.nextDouble() - 0.5) * 0.2, scale: 1.12 + 0.14 * g.nextDouble())
    }
}
