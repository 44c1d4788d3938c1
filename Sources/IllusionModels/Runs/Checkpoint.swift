import Foundation

/// Saving and loading a layer's state dict as safetensors (PyTorch names and layouts).
public enum Checkpoint {
    /// Writes every parameter and buffer of `layer` (plus BatchNorm batch counters as I64) atomically.
    /// The metadata follows PyTorch's convention (see ``conventionalMetadata(_:)``).
    public static func save(_ layer: Layer, to path: String, metadata: [String: String] = [:]) throws {
        var file = SafeTensors()
        for (name, t) in layer.stateDict() { file.set(name, t) }
        for (name, count) in batchCounters(layer) { file.set(name, shape: [], int64s: [count]) }
        file.metadata = conventionalMetadata(metadata)
        try file.write(to: path)
    }

    /// Loads a checkpoint into `layer`; the error names the file and the first tensor that does not fit.
    public static func load(_ layer: Layer, from path: String) throws {
        let file = try SafeTensors(contentsOf: path)
        var state: [String: Tensor] = [:]
        for name in file.names where !name.hasSuffix("num_batches_tracked") { state[name] = try file.tensor(name) }
        try layer.loadStateDict(state, source: path)
        for (name, bn) in batchNormLayers(layer) {
            if let counts = try? file.int64s(name + ".num_batches_tracked"), let c = counts.first { bn.numBatchesTracked = c }
        }
    }

    /// The key under which our own format tag (`illusioncraft-vae`, …) is kept.
    public static let formatTagKey = "illusioncraft_format"

    /// `{"format": "pt"}` as `safetensors.torch.save_file` writes it (tools such as transformers
    /// check it); a caller's own `format` value moves to ``formatTagKey``.
    public static func conventionalMetadata(_ metadata: [String: String]) -> [String: String] {
        var out = metadata
        if let tag = out["format"], tag != "pt" { out[formatTagKey] = tag }
        out["format"] = "pt"
        return out
    }

    static func batchCounters(_ layer: Layer) -> [(String, Int64)] {
        batchNormLayers(layer).map { ($0.0 + ".num_batches_tracked", $0.1.numBatchesTracked) }
    }

    static func batchNormLayers(_ layer: Layer, prefix: String = "") -> [(String, BatchNormalization)] {
        var out: [(String, BatchNormalization)] = []
        if let bn = layer as? BatchNormalization { out.append((String(prefix.dropLast()), bn)) }
        for c in layer.children { out += batchNormLayers(c.layer, prefix: prefix + c.name + ".") }
        return out
    }
}
