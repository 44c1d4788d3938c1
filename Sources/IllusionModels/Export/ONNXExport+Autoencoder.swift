import Foundation

extension ONNXExporter {
    /// The convolutional autoencoder's parts: `encoder` images `[N, C, S, S]` in [0, 1] → `code [N, D]`;
    /// `decoder` code → `images` (sigmoid of the reconstruction logits); `classifier` images →
    /// `logits [N, K]` through the code, standardised with the run's stored mean and standard deviation.
    public static func autoencoder(_ ae: ConvolutionalAutoencoder, part: String) throws -> ONNXExport {
        let c = ae.config
        let imageShape = [c.channels, c.imageSize, c.imageSize]
        let b = ONNXGraphBuilder(name: "autoencoder_" + part)
        var model: ONNXModel
        switch part {
        case "encoder":
            let x = b.input("images", shape: imageShape)
            let z = try b.apply(ae.encoder, path: "encoder", to: x.name, shape: x.shape)
            b.output(z.name, as: "code", shape: z.shape)
            model = ONNXModel(graph: b.graph)
            model.docString = "autoencoder encoder: images [N, \(c.channels), \(c.imageSize), \(c.imageSize)] in [0, 1] → code [N, \(c.latentDim)]"
            return ONNXExport(part: part, model: model, inputs: [.init(name: "images", shape: imageShape, kind: .unitInterval)],
                              outputs: ["code"]) { ["code": ae.encode($0["images"]!)] }
        case "decoder":
            let z = b.input("code", shape: [c.latentDim])
            let raw = try b.apply(ae.decoder, path: "decoder", to: z.name, shape: z.shape)
            let y = b.node("Sigmoid", name: "output_sigmoid", inputs: [raw.name], output: "output_sigmoid")
            b.output(y, as: "images", shape: raw.shape)
            model = ONNXModel(graph: b.graph)
            model.docString = "autoencoder decoder: code [N, \(c.latentDim)] → images in [0, 1] (sigmoid of the reconstruction logits)"
            return ONNXExport(part: part, model: model, inputs: [.init(name: "code", shape: [c.latentDim], kind: .standardNormal)],
                              outputs: ["images"]) { ["images": ae.decoder($0["code"]!).sigmoid()] }
        default:
            let x = b.input("images", shape: imageShape)
            var z = try b.apply(ae.encoder, path: "encoder", to: x.name, shape: x.shape)
            if c.codeMean.count == c.latentDim && c.codeStd.count == c.latentDim {
                let mean = b.initializer("code_mean", Tensor(shape: [c.latentDim], storage: c.codeMean))
                let std = b.initializer("code_std", Tensor(shape: [c.latentDim], storage: c.codeStd))
                let centred = b.node("Sub", name: "code_centred", inputs: [z.name, mean], output: "code_centred")
                z = (b.node("Div", name: "code_standardized", inputs: [centred, std], output: "code_standardized"), z.shape)
            }
            let logits = try b.apply(ae.classifier, path: "classifier", to: z.name, shape: z.shape)
            b.output(logits.name, as: "logits", shape: logits.shape)
            model = ONNXModel(graph: b.graph)
            model.docString = "autoencoder latent classifier: images in [0, 1] → logits [N, \(c.classNames.count)] for "
                + c.classNames.joined(separator: ", ")
            return ONNXExport(part: part, model: model, inputs: [.init(name: "images", shape: imageShape, kind: .unitInterval)],
                              outputs: ["logits"]) { ["logits": ae.classify($0["images"]!)] }
        }
    }
}
