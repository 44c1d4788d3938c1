import Foundation

/// A Keras-like model summary: one row per layer (name, output shape, parameter count) and totals
/// of trainable and non-trainable values. Non-trainable values are the layers' buffers (BatchNorm's
/// running mean and variance), as Keras counts them; BatchNorm's integer `num_batches_tracked` is
/// not a parameter.
///
/// The walker runs the model once on a zero input of batch 1 — in evaluation mode and without
/// the tape, restoring every layer's training flag afterwards — so the output shapes are the real
/// ones. `Sequential` containers are expanded into their children; a layer conforming to
/// ``SummaryRecording`` describes its own data flow (e.g. an encoder with two heads); any other
/// layer is one row that counts its descendants' parameters too.
public struct ModelSummary: Codable, Equatable, CustomStringConvertible {
    /// One line of the table.
    public struct Row: Codable, Equatable {
        /// State-dict path of the layer (`"0"`, `"encoder.3"`).
        public var name: String
        /// The layer's ``Layer/summaryName``.
        public var layer: String
        /// Output shape without the batch axis.
        public var outputShape: [Int]
        /// Values of the layer and its descendants (trainable + non-trainable).
        public var parameters: Int
        /// Values in parameters that receive gradients.
        public var trainable: Int
        /// Values in buffers (BatchNorm's running statistics).
        public var nonTrainable: Int
        /// For convolutions: how ``conv2d`` computes this layer and the GEMM's K (nil otherwise).
        public var route: String?
    }

    /// The heading printed above the table (the model's name).
    public var title: String
    /// Input shape without the batch axis.
    public var inputShape: [Int]
    /// The rows in the order the layers ran.
    public var rows: [Row] = []
    /// Sum of the rows' Row/parameters.
    public var totalParameters = 0
    /// Sum of the rows' Row/trainable.
    public var trainableParameters = 0
    /// Sum of the rows' Row/nonTrainable.
    public var nonTrainableParameters = 0

    /// An empty summary; fill it with record(_:name:input:) (or build one with `Layer.summary`).
    public init(title: String, inputShape: [Int]) {
        self.title = title
        self.inputShape = inputShape
    }

    /// Appends rows for `layer` applied to `input` and returns its output (to feed the next record).
    @discardableResult
    public mutating func record(_ layer: Layer, name: String, input: Tensor) -> Tensor {
        if let custom = layer as? SummaryRecording {
            return custom.recordSummary(into: &self, name: name, input: input)
        }
        if let sequential = layer as? Sequential {
            var x = input
            for child in sequential.children {
                x = record(child.layer, name: name.isEmpty ? child.name : name + "." + child.name, input: x)
            }
            return x
        }
        let y = noGrad { layer.forward(input) }
        let (trainable, nonTrainable) = layer.parameterCounts
        let route = (layer as? ConvolutionRouteReporting).map { r -> String in
            let (route, k) = r.route(forInput: input.shape)
            return "\(route), K=\(k)"
        }
        rows.append(Row(name: name, layer: layer.summaryName, outputShape: Array(y.shape.dropFirst()),
                        parameters: trainable + nonTrainable, trainable: trainable, nonTrainable: nonTrainable, route: route))
        trainableParameters += trainable
        nonTrainableParameters += nonTrainable
        totalParameters += trainable + nonTrainable
        return y
    }

    /// The table as text, Keras style.
    public var description: String {
        let header = ("Layer (type)", "Output Shape", "Param #")
        let body = rows.map { ("\($0.name) (\($0.layer))", Self.shapeText($0.outputShape), Self.grouped($0.parameters)) }
        let input = ("input", Self.shapeText(inputShape), "0")
        let all = [header, input] + body
        let w0 = all.map(\.0.count).max()! + 2, w1 = all.map(\.1.count).max()! + 2, w2 = all.map(\.2.count).max()!
        func line(_ r: (String, String, String)) -> String {
            r.0.padding(toLength: w0, withPad: " ", startingAt: 0) + r.1.padding(toLength: w1, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: w2 - r.2.count) + r.2
        }
        let rule = String(repeating: "─", count: w0 + w1 + w2)
        var out = ["Model: \"\(title)\"", rule, line(header), String(repeating: "═", count: w0 + w1 + w2), line(input)]
        out += zip(rows, body).map { row, cells in line(cells) + (row.route.map { "   " + $0 } ?? "") }
        out += [rule,
                "Total params: \(Self.grouped(totalParameters)) (\(Self.bytes(totalParameters)))",
                "Trainable params: \(Self.grouped(trainableParameters)) (\(Self.bytes(trainableParameters)))",
                "Non-trainable params: \(Self.grouped(nonTrainableParameters)) (\(Self.bytes(nonTrainableParameters)))"]
        return out.joined(separator: "\n")
    }

    /// `(None, 32, 128, 128)`.
    static func shapeText(_ shape: [Int]) -> String { "(None" + shape.map { ", \($0)" }.joined() + ")" }

    /// 1770128 → "1,770,128".
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Float32 storage size, Keras style ("6.75 MB", "2.25 KB").
    static func bytes(_ count: Int) -> String {
        let b = Double(count * 4)
        if b >= 1024 * 1024 { return String(format: "%.2f MB", b / 1024 / 1024) }
        if b >= 1024 { return String(format: "%.2f KB", b / 1024) }
        return "\(Int(b)) B"
    }
}

/// A layer whose data flow is not a chain (several heads, skip connections) can describe itself.
public protocol SummaryRecording: Layer {
    /// Records its rows (typically by calling `summary.record` on its children) and returns its output.
    func recordSummary(into summary: inout ModelSummary, name: String, input: Tensor) -> Tensor
}

/// Summarises `layer` for inputs of `inputShape` (without the batch axis), e.g. `[3, 256, 256]`.
public func summary(_ layer: Layer, inputShape: [Int], title: String = "Model") -> ModelSummary {
    var s = ModelSummary(title: title, inputShape: inputShape)
    withEvaluationMode(layer) {
        s.record(layer, name: "", input: Tensor.zeros([1] + inputShape))
    }
    return s
}

/// Runs `body` with `layer` and all its descendants in evaluation mode, then restores each flag.
@discardableResult
public func withEvaluationMode<T>(_ layer: Layer, _ body: () throws -> T) rethrows -> T {
    var layers: [Layer] = [], stack: [Layer] = [layer]
    while let l = stack.popLast() { layers.append(l); stack += l.children.map(\.layer) }
    let flags = layers.map(\.isTraining)
    for l in layers { l.isTraining = false }
    defer { for (l, f) in zip(layers, flags) { l.isTraining = f } }
    return try noGrad(body)
}
