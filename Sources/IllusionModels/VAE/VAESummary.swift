import Foundation

/// `illusion summary`: Keras-like tables of a VAE's encoder (with its two heads) and decoder.
public enum VAESummary {
    public static func tables(_ c: VAEConfig) -> [ModelSummary] {
        var rng = RandomGenerator(seed: 0)
        let vae = VariationalAutoencoder(config: c, rng: &rng)
        var encoder = ModelSummary(title: "Encoder", inputShape: c.inputShape)
        var decoder = ModelSummary(title: "Decoder", inputShape: [c.latentDim])
        withEvaluationMode(vae) {
            let h = encoder.record(vae.encoder, name: "encoder", input: Tensor.zeros([1] + c.inputShape))
            encoder.record(vae.meanHead, name: "fc_mu", input: h)
            encoder.record(vae.logVarianceHead, name: "fc_logvar", input: h)
            decoder.record(vae.decoder, name: "decoder", input: Tensor.zeros([1, c.latentDim]))
        }
        if let s = vae.logSigma2 {
            decoder.title = "Decoder (plus log_sigma2: the learned ln σ² of the likelihood, \(s.count) parameter)"
            decoder.totalParameters += s.count; decoder.trainableParameters += s.count
        }
        return [encoder, decoder]
    }
}

extension ModelSummary {
    /// The table as text (Keras layout).
    public var text: String { description }

    /// The table as a JSON-compatible dictionary.
    public var jsonObject: Any {
        guard let data = try? JSONEncoder().encode(self), let object = try? JSONSerialization.jsonObject(with: data) else { return [:] }
        return object
    }
}
