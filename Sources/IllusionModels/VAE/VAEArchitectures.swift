/// Layer stacks of the four VAE architectures (see ``VAEArchitecture``). All convolutions are 3×3;
/// stride-2 convolutions use padding 1; stride-2 transposed convolutions use padding 1 and output
/// padding 1 (PyTorch semantics).
enum VAEArchitectures {
    struct Built {
        let encoder: Sequential
        let meanHead: Dense
        let logVarianceHead: Dense
        let decoder: Sequential
    }

    static func build(_ c: VAEConfig, rng: inout RandomGenerator) -> Built {
        switch c.architecture {
        case .fashion: return fashion(c, rng: &rng)
        case .faces: return faces(c, rng: &rng)
        case .linear: return linear(c, rng: &rng)
        case .mlp: return mlp(c, rng: &rng)
        }
    }

    /// Encoder Conv 1→32→64→128 (s2) + ReLU, flatten 2048; decoder Dense D→2048, 128×4×4,
    /// ConvT 128→128→64→32 (s2) + ReLU, Conv 32→1 (s1, p1); sigmoid applied by the likelihood.
    static func fashion(_ c: VAEConfig, rng: inout RandomGenerator) -> Built {
        let s = c.imageSize / 8
        let flat = 128 * s * s
        let encoder = Sequential([
            Conv2D(c.channels, 32, kernelSize: 3, stride: 2, padding: 1, rng: &rng), ReLU(),
            Conv2D(32, 64, kernelSize: 3, stride: 2, padding: 1, rng: &rng), ReLU(),
            Conv2D(64, 128, kernelSize: 3, stride: 2, padding: 1, rng: &rng), ReLU(),
            Flatten(),
        ])
        let decoder = Sequential([
            Dense(c.latentDim, flat, rng: &rng), Reshape([128, s, s]),
            Conv2DTranspose(128, 128, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng), ReLU(),
            Conv2DTranspose(128, 64, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng), ReLU(),
            Conv2DTranspose(64, 32, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng), ReLU(),
            Conv2D(32, c.channels, kernelSize: 3, stride: 1, padding: 1, rng: &rng),
        ])
        return Built(encoder: encoder, meanHead: Dense(flat, c.latentDim, rng: &rng),
                     logVarianceHead: Dense(flat, c.latentDim, rng: &rng), decoder: decoder)
    }

    /// The slide deck's face VAE: 5 × [Conv s2 → BatchNorm → LeakyReLU(0.2)] (32, 64, 64, 64, 64),
    /// flatten 64·(S/32)²; decoder Dense → 64×(S/32)², 4 × [ConvT s2 → BatchNorm → LeakyReLU]
    /// (64, 64, 64, 32), ConvT s2 → 3 channels; sigmoid applied by the likelihood.
    static func faces(_ c: VAEConfig, rng: inout RandomGenerator) -> Built {
        let s = c.imageSize / 32
        let flat = 64 * s * s
        var enc: [Layer] = []
        var inC = c.channels
        for outC in [32, 64, 64, 64, 64] {
            enc += [Conv2D(inC, outC, kernelSize: 3, stride: 2, padding: 1, rng: &rng), BatchNorm2D(outC), LeakyReLU(slope: c.leakySlope)]
            inC = outC
        }
        enc.append(Flatten())
        var dec: [Layer] = [Dense(c.latentDim, flat, rng: &rng), Reshape([64, s, s])]
        inC = 64
        for outC in [64, 64, 64, 32] {
            dec += [Conv2DTranspose(inC, outC, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng),
                    BatchNorm2D(outC), LeakyReLU(slope: c.leakySlope)]
            inC = outC
        }
        dec.append(Conv2DTranspose(inC, c.channels, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng))
        return Built(encoder: Sequential(enc), meanHead: Dense(flat, c.latentDim, rng: &rng),
                     logVarianceHead: Dense(flat, c.latentDim, rng: &rng), decoder: Sequential(dec))
    }

    /// μ and ln σ² affine in x; decoder affine in z (probabilistic PCA when trained).
    static func linear(_ c: VAEConfig, rng: inout RandomGenerator) -> Built {
        let d = c.pixelCount
        return Built(encoder: Sequential([Flatten()]), meanHead: Dense(d, c.latentDim, rng: &rng),
                     logVarianceHead: Dense(d, c.latentDim, rng: &rng),
                     decoder: Sequential([Dense(c.latentDim, d, rng: &rng)]))
    }

    /// 784→400 ReLU → (μ, ln σ²) 20; 20→400 ReLU → 784 (logits).
    static func mlp(_ c: VAEConfig, rng: inout RandomGenerator) -> Built {
        let d = c.pixelCount
        return Built(encoder: Sequential([Flatten(), Dense(d, 400, rng: &rng), ReLU()]),
                     meanHead: Dense(400, c.latentDim, rng: &rng), logVarianceHead: Dense(400, c.latentDim, rng: &rng),
                     decoder: Sequential([Dense(c.latentDim, 400, rng: &rng), ReLU(), Dense(400, d, rng: &rng)]))
    }
}
