import Foundation

/// Which objective the generator minimises (see docs/theory/gan.md).
public enum GeneratorLossKind: String, Codable, CaseIterable, Sendable {
    /// −E[log D(G(z))]: Goodfellow et al.'s practical choice; strong gradients while D rejects the fakes.
    case nonSaturating = "non-saturating"
    /// E[log(1 − D(G(z)))]: the minimax game's own term; its gradient vanishes when D(G(z)) → 0.
    case minimax
}

/// The GAN losses exactly as the seed writes them, on discriminator logits a (D = σ(a)), batch means,
/// in nats. Logits are `[N, 1]` (or `[N]`); every term goes through the stable
/// ``binaryCrossEntropyWithLogits(_:_:reduction:)``, so −log D = BCE(a, 1) and −log(1 − D) = BCE(a, 0).
public enum GANLosses {
    /// Discriminator: −E[log D(x)] − E[log(1 − D(G(z)))]. Equals 2 ln 2 when D ≡ ½.
    ///
    /// `realLabel` < 1 is one-sided label smoothing (Salimans et al. 2016): the real term becomes
    /// BCE(a, t) = −t·log D(x) − (1 − t)·log(1 − D(x)), so D gains nothing from certainty beyond t
    /// on real images; 1 (the default) is the seed's loss exactly.
    public static func discriminator(realLogits: Tensor, fakeLogits: Tensor, realLabel: Float = 1) -> Tensor {
        realTerm(realLogits, realLabel) + negativeLogOneMinusD(fakeLogits)
    }

    /// Matching-aware discriminator (Reed et al. 2016 GAN-CLS, StackGAN): a real image with its own
    /// condition is real; a generated image and a real image with a wrong condition are fake, each
    /// with weight ½: −E[log D(x, c)] − ½ E[log(1 − D(G(z, ĉ), c))] − ½ E[log(1 − D(x, c̃))].
    public static func matchingAwareDiscriminator(realLogits: Tensor, fakeLogits: Tensor, mismatchedLogits: Tensor,
                                                  realLabel: Float = 1) -> Tensor {
        realTerm(realLogits, realLabel) + (negativeLogOneMinusD(fakeLogits) + negativeLogOneMinusD(mismatchedLogits)) * 0.5
    }

    /// AC-GAN's auxiliary classification loss (Odena et al. 2017), nats per image: for one-hot class rows
    /// the cross-entropy of the class logits; for 0/1 attribute rows the sum over attributes of
    /// BCE(logit, attribute), mean over the batch. `logits` and `conditions` are `[N, conditionDim]`.
    public static func auxiliary(logits: Tensor, conditions: Tensor, kind: String?) -> Tensor {
        require(logits.shape == conditions.shape, "GANLosses.auxiliary: logits \(logits.shape) vs conditions \(conditions.shape)")
        let n = conditions.shape[0], d = conditions.shape[1]
        if kind == "class" {
            let labels = (0..<n).map { i in (0..<d).max { conditions.storage[i * d + $0] < conditions.storage[i * d + $1] } ?? 0 }
            return crossEntropy(logits: logits, labels: labels)
        }
        return binaryCrossEntropyWithLogits(logits, conditions, reduction: .mean) * Float(d)
    }

    /// mean BCE(a, t): −E[log D] for t = 1.
    static func realTerm(_ logits: Tensor, _ label: Float) -> Tensor {
        label == 1 ? negativeLogD(logits)
                   : binaryCrossEntropyWithLogits(logits, Tensor(repeating: label, shape: logits.shape), reduction: .mean)
    }

    /// Generator: −E[log D(G(z))] (non-saturating) or E[log(1 − D(G(z)))] (minimax).
    /// ∂/∂a per sample (before the 1/N of the mean): non-saturating σ(a) − 1 = −(1 − D); minimax −σ(a) = −D.
    public static func generator(fakeLogits: Tensor, kind: GeneratorLossKind) -> Tensor {
        switch kind {
        case .nonSaturating: return negativeLogD(fakeLogits)
        case .minimax: return -negativeLogOneMinusD(fakeLogits)
        }
    }

    /// The generator's whole objective: adversarial + λ·KL (conditioning augmentation) + W·auxiliary
    /// (AC-GAN); absent terms are left out (a weight of 1 adds the term itself).
    public static func generatorObjective(adversarial: Tensor, kl: Tensor?, klWeight: Float,
                                          auxiliary: Tensor?, auxiliaryWeight: Float) -> Tensor {
        var loss = adversarial
        if let kl { loss = loss + (klWeight == 1 ? kl : kl * klWeight) }
        if let auxiliary { loss = loss + (auxiliaryWeight == 1 ? auxiliary : auxiliary * auxiliaryWeight) }
        return loss
    }

    /// −E[log σ(a)] = mean BCE(a, 1).
    public static func negativeLogD(_ logits: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(logits, Tensor(repeating: 1, shape: logits.shape), reduction: .mean)
    }

    /// −E[log(1 − σ(a))] = mean BCE(a, 0).
    public static func negativeLogOneMinusD(_ logits: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(logits, Tensor.zeros(logits.shape), reduction: .mean)
    }

    /// Fraction of correct decisions: real logits > 0 and fake logits < 0.
    public static func accuracy(realLogits: Tensor, fakeLogits: Tensor) -> Double {
        let right = realLogits.storage.filter { $0 > 0 }.count + fakeLogits.storage.filter { $0 < 0 }.count
        return Double(right) / Double(max(1, realLogits.count + fakeLogits.count))
    }

    /// Mean of σ(a) over a batch of logits (the average probability D assigns to "real").
    public static func meanProbability(_ logits: Tensor) -> Double {
        logits.storage.reduce(0.0) { $0 + 1 / (1 + Foundation.exp(-Double($1))) } / Double(max(1, logits.count))
    }
}
