/// Translates a tree of our layers into ONNX nodes with standard operators, tracking each value's
/// shape (without the batch axis, which stays symbolic `N`). Weights become initializers under
/// their state-dict names (`encoder.0.weight`), nodes are named after their layer's path.
///
/// Layer → operator: Conv2D → Conv (explicit pads, `same` resolved for the traced input size),
/// Conv2DTranspose → ConvTranspose, Dense → Gemm (transB = 1), BatchNorm1D/2D → BatchNormalization
/// (inference form: running statistics), ReLU → Relu, LeakyReLU → LeakyRelu, Sigmoid, Tanh,
/// Softmax (last axis), Flatten → Flatten(axis 1), Reshape → Reshape (batch axis kept with 0),
/// MaxPool2D → MaxPool, AvgPool2D → AveragePool, Upsample → Resize (nearest, asymmetric, floor),
/// Residual → Add, Dropout → nothing (identity at inference), Sequential → its children in order.
/// Any other layer (e.g. a `Lambda`) throws: its function cannot be read back.
public final class ONNXGraphBuilder {
    public private(set) var graph: ONNXGraph
    private var usedNames: Set<String> = []

    public init(name: String) { graph = ONNXGraph(name: name) }

    /// Declares a graph input `[N] + shape`.
    public func input(_ name: String, shape: [Int]) -> (name: String, shape: [Int]) {
        usedNames.insert(name)
        graph.inputs.append(ONNXValueInfo(name: name, shape: [.symbol("N")] + shape.map { .value($0) }))
        return (name, shape)
    }

    /// Renames value `value` to the graph output `name` (an Identity node) and declares it.
    public func output(_ value: String, as name: String, shape: [Int]) {
        node("Identity", name: name + ".identity", inputs: [value], output: name)
        graph.outputs.append(ONNXValueInfo(name: name, shape: [.symbol("N")] + shape.map { .value($0) }))
    }

    /// A fresh value name derived from `base`.
    public func fresh(_ base: String) -> String {
        var name = base, k = 1
        while usedNames.contains(name) { name = "\(base)_\(k)"; k += 1 }
        usedNames.insert(name)
        return name
    }

    /// Adds an initializer (weights keep their state-dict name).
    @discardableResult
    public func initializer(_ name: String, _ tensor: Tensor) -> String {
        let n = fresh(name)
        graph.initializers.append(ONNXTensor(name: n, dims: tensor.shape, floats: tensor.storage))
        return n
    }

    @discardableResult
    public func initializer(_ name: String, int64s: [Int64]) -> String {
        let n = fresh(name)
        graph.initializers.append(ONNXTensor(name: n, dims: [int64s.count], int64s: int64s))
        return n
    }

    /// Adds one node whose single output gets a fresh name based on `output`; returns that name.
    @discardableResult
    public func node(_ op: String, name: String, inputs: [String], output: String, attributes: [ONNXAttribute] = []) -> String {
        let out = fresh(output)
        graph.nodes.append(ONNXNode(op, name: name, inputs: inputs, outputs: [out], attributes: attributes))
        return out
    }

    /// Applies `layer` (state-dict path `path`, "" at the root) to value `x` of per-sample `shape`.
    public func apply(_ layer: Layer, path: String, to x: String, shape: [Int]) throws -> (name: String, shape: [Int]) {
        let p = path.isEmpty ? layer.summaryName : path
        func param(_ leaf: String, _ t: Tensor) -> String { initializer(path.isEmpty ? leaf : path + "." + leaf, t) }
        func ints(_ v: [Int]) -> ONNXAttributeValue { .ints(v.map(Int64.init)) }
        func pair(_ s: Size2D) -> [Int] { [s.height, s.width] }
        func fail(_ why: String) -> ONNXExportError { .unsupported("\(p) (\(layer.summaryName)): \(why)") }

        switch layer {
        case let s as Sequential:
            var cur = (name: x, shape: shape)
            for (name, child) in s.children {
                cur = try apply(child, path: path.isEmpty ? name : path + "." + name, to: cur.name, shape: cur.shape)
            }
            return cur
        case let r as Residual:
            let prefix = path.isEmpty ? "" : path + "."
            let body = try apply(r.body, path: prefix + r.children[0].name, to: x, shape: shape)
            let short: (name: String, shape: [Int]) = try r.shortcut.map { try apply($0, path: prefix + r.children[1].name, to: x, shape: shape) } ?? (name: x, shape: shape)
            guard body.shape == short.shape else { throw fail("branch shapes \(body.shape) and \(short.shape) differ") }
            return (node("Add", name: p, inputs: [body.name, short.name], output: p), body.shape)
        case is Dropout:
            return (x, shape)
        case let c as Conv2D:
            guard shape.count == 3, shape[0] == c.inChannels else { throw fail("expected [\(c.inChannels), H, W], got \(shape)") }
            let (top, bottom) = ConvolutionGeometry.padding(c.padding, axis: 0, inputSize: shape[1], kernelSize: c.kernelSize.height,
                                                            stride: c.stride.height, dilation: c.dilation.height)
            let (left, right) = ConvolutionGeometry.padding(c.padding, axis: 1, inputSize: shape[2], kernelSize: c.kernelSize.width,
                                                            stride: c.stride.width, dilation: c.dilation.width)
            func out(_ n: Int, _ k: Int, _ s: Int, _ d: Int, _ pads: Int) -> Int { (n + pads - d * (k - 1) - 1) / s + 1 }
            let ho = out(shape[1], c.kernelSize.height, c.stride.height, c.dilation.height, top + bottom)
            let wo = out(shape[2], c.kernelSize.width, c.stride.width, c.dilation.width, left + right)
            guard ho > 0 && wo > 0 else { throw fail("the kernel does not fit the input \(shape)") }
            let inputs = [x, param("weight", c.weight)] + (c.bias.map { [param("bias", $0)] } ?? [])
            let y = node("Conv", name: p, inputs: inputs, output: p, attributes: [
                ONNXAttribute("kernel_shape", ints(pair(c.kernelSize))), ONNXAttribute("strides", ints(pair(c.stride))),
                ONNXAttribute("pads", ints([top, left, bottom, right])), ONNXAttribute("dilations", ints(pair(c.dilation))),
                ONNXAttribute("group", .int(1)),
            ])
            return (y, [c.outChannels, ho, wo])
        case let c as Conv2DTranspose:
            guard shape.count == 3, shape[0] == c.inChannels else { throw fail("expected [\(c.inChannels), H, W], got \(shape)") }
            let ho = ConvolutionGeometry.transposedOutputSize(inputSize: shape[1], kernelSize: c.kernelSize.height, stride: c.stride.height,
                                                             padding: c.padding.height, outputPadding: c.outputPadding.height,
                                                             dilation: c.dilation.height)
            let wo = ConvolutionGeometry.transposedOutputSize(inputSize: shape[2], kernelSize: c.kernelSize.width, stride: c.stride.width,
                                                             padding: c.padding.width, outputPadding: c.outputPadding.width,
                                                             dilation: c.dilation.width)
            let inputs = [x, param("weight", c.weight)] + (c.bias.map { [param("bias", $0)] } ?? [])
            let y = node("ConvTranspose", name: p, inputs: inputs, output: p, attributes: [
                ONNXAttribute("kernel_shape", ints(pair(c.kernelSize))), ONNXAttribute("strides", ints(pair(c.stride))),
                ONNXAttribute("pads", ints([c.padding.height, c.padding.width, c.padding.height, c.padding.width])),
                ONNXAttribute("output_padding", ints(pair(c.outputPadding))), ONNXAttribute("dilations", ints(pair(c.dilation))),
                ONNXAttribute("group", .int(1)),
            ])
            return (y, [c.outChannels, ho, wo])
        case let d as Dense:
            guard shape == [d.inputSize] else { throw fail("expected [\(d.inputSize)], got \(shape)") }
            let inputs = [x, param("weight", d.weight)] + (d.bias.map { [param("bias", $0)] } ?? [])
            return (node("Gemm", name: p, inputs: inputs, output: p, attributes: [ONNXAttribute("transB", .int(1))]), [d.outputSize])
        case let b as BatchNormalization:
            guard shape.first == b.numFeatures else { throw fail("expected \(b.numFeatures) channels, got \(shape)") }
            let c = b.numFeatures
            let scale = b.weight.map { param("weight", $0) } ?? initializer(p + ".weight", Tensor.ones([c]))
            let shift = b.bias.map { param("bias", $0) } ?? initializer(p + ".bias", Tensor.zeros([c]))
            let inputs = [x, scale, shift, param("running_mean", b.runningMean), param("running_var", b.runningVar)]
            return (node("BatchNormalization", name: p, inputs: inputs, output: p,
                         attributes: [ONNXAttribute("epsilon", .float(b.eps))]), shape)
        case is ReLU: return (node("Relu", name: p, inputs: [x], output: p), shape)
        case let l as LeakyReLU:
            return (node("LeakyRelu", name: p, inputs: [x], output: p, attributes: [ONNXAttribute("alpha", .float(l.slope))]), shape)
        case is Sigmoid: return (node("Sigmoid", name: p, inputs: [x], output: p), shape)
        case is Tanh: return (node("Tanh", name: p, inputs: [x], output: p), shape)
        case is Softmax:
            return (node("Softmax", name: p, inputs: [x], output: p, attributes: [ONNXAttribute("axis", .int(-1))]), shape)
        case is Flatten:
            return (node("Flatten", name: p, inputs: [x], output: p, attributes: [ONNXAttribute("axis", .int(1))]), [shape.reduce(1, *)])
        case let r as Reshape:
            return try reshape(x, from: shape, to: r.shape, name: p)
        case let m as MaxPool2D:
            let out = try poolShape(shape, kernel: m.kernelSize, stride: m.stride, padding: m.padding, fail: fail)
            return (node("MaxPool", name: p, inputs: [x], output: p, attributes: [
                ONNXAttribute("kernel_shape", ints(pair(m.kernelSize))), ONNXAttribute("strides", ints(pair(m.stride))),
                ONNXAttribute("pads", ints(pair(m.padding) + pair(m.padding))),
            ]), out)
        case let a as AvgPool2D:
            let out = try poolShape(shape, kernel: a.kernelSize, stride: a.stride, padding: a.padding, fail: fail)
            return (node("AveragePool", name: p, inputs: [x], output: p, attributes: [
                ONNXAttribute("kernel_shape", ints(pair(a.kernelSize))), ONNXAttribute("strides", ints(pair(a.stride))),
                ONNXAttribute("pads", ints(pair(a.padding) + pair(a.padding))),
                ONNXAttribute("count_include_pad", .int(a.countIncludePad ? 1 : 0)),
            ]), out)
        case let u as Upsample:
            guard shape.count == 3 else { throw fail("expected [C, H, W], got \(shape)") }
            let scales = initializer(p + ".scales", Tensor(shape: [4], storage: [1, 1, Float(u.scaleFactor.height), Float(u.scaleFactor.width)]))
            return (node("Resize", name: p, inputs: [x, "", scales], output: p, attributes: [
                ONNXAttribute("mode", .string("nearest")), ONNXAttribute("coordinate_transformation_mode", .string("asymmetric")),
                ONNXAttribute("nearest_mode", .string("floor")),
            ]), [shape[0], shape[1] * u.scaleFactor.height, shape[2] * u.scaleFactor.width])
        default:
            throw fail("no ONNX translation for this layer type")
        }
    }

    /// `[N] + from` → `[N] + to` (one entry of `to` may be −1); the batch axis is copied (shape entry 0).
    public func reshape(_ x: String, from: [Int], to: [Int], name: String) throws -> (name: String, shape: [Int]) {
        let total = from.reduce(1, *)
        var resolved = to
        if let i = to.firstIndex(of: -1) {
            let known = to.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            guard known > 0, total % known == 0 else { throw ONNXExportError.unsupported("\(name): cannot reshape \(from) to \(to)") }
            resolved[i] = total / known
        }
        guard resolved.reduce(1, *) == total, resolved.allSatisfy({ $0 > 0 }) else {
            throw ONNXExportError.unsupported("\(name): cannot reshape \(from) to \(to)")
        }
        let shapeName = initializer(name + ".shape", int64s: [0] + resolved.map(Int64.init))
        return (node("Reshape", name: name, inputs: [x, shapeName], output: name), resolved)
    }

    private func poolShape(_ shape: [Int], kernel: Size2D, stride: Size2D, padding: Size2D,
                           fail: (String) -> ONNXExportError) throws -> [Int] {
        guard shape.count == 3 else { throw fail("expected [C, H, W], got \(shape)") }
        let ho = ConvolutionGeometry.outputSize(inputSize: shape[1], kernelSize: kernel.height, stride: stride.height, padding: padding.height)
        let wo = ConvolutionGeometry.outputSize(inputSize: shape[2], kernelSize: kernel.width, stride: stride.width, padding: padding.width)
        guard ho > 0 && wo > 0 else { throw fail("the window does not fit the input \(shape)") }
        return [shape[0], ho, wo]
    }
}

public enum ONNXExportError: Error, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
        switch self { case .unsupported(let m): return "ONNX export: \(m)" }
    }
}
