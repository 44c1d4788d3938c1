/// The onnx.proto (IR version 8, opset 17) messages an exported model is made of, each with its
/// wire encoding (field numbers from onnx/onnx.proto3). Only what our exporter writes is modelled.

/// `TensorProto`: an initializer (a weight) or a constant; values as little-endian `raw_data`.
public struct ONNXTensor {
    /// `TensorProto.DataType`: FLOAT = 1, INT64 = 7.
    public enum DataType: Int64 { case float = 1, int64 = 7 }

    public var name: String
    public var dims: [Int]
    public var dataType: DataType
    public var rawData: [UInt8]

    public init(name: String, dims: [Int], floats: [Float]) {
        require(dims.reduce(1, *) == floats.count, "ONNXTensor \(name): \(floats.count) values for dims \(dims)")
        self.name = name; self.dims = dims; dataType = .float
        rawData = floats.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
    }

    public init(name: String, dims: [Int], int64s: [Int64]) {
        require(dims.reduce(1, *) == int64s.count, "ONNXTensor \(name): \(int64s.count) values for dims \(dims)")
        self.name = name; self.dims = dims; dataType = .int64
        rawData = int64s.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
    }

    var encoded: ProtobufMessage {
        var m = ProtobufMessage()
        m.packedInts(1, dims.map(Int64.init))   // dims
        m.int(2, dataType.rawValue)             // data_type
        m.string(8, name)                       // name
        m.bytes(9, rawData)                     // raw_data
        return m
    }
}

/// `AttributeProto` of a node.
public enum ONNXAttributeValue {
    case int(Int64)
    case float(Float)
    case string(String)
    case ints([Int64])
}

public struct ONNXAttribute {
    public var name: String
    public var value: ONNXAttributeValue

    public init(_ name: String, _ value: ONNXAttributeValue) { self.name = name; self.value = value }

    var encoded: ProtobufMessage {
        var m = ProtobufMessage()
        m.string(1, name)                        // name
        switch value {                           // AttributeType: FLOAT 1, INT 2, STRING 3, INTS 7
        case .float(let f): m.float(2, f); m.int(20, 1)
        case .int(let i): m.int(3, i); m.int(20, 2)
        case .string(let s): m.string(4, s); m.int(20, 3)
        case .ints(let v): for x in v { m.int(8, x) }; m.int(20, 7)   // unpacked, as onnx's own writer emits
        }
        return m
    }
}

/// `NodeProto`: one operator application.
public struct ONNXNode {
    public var opType: String
    public var name: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [ONNXAttribute]

    public init(_ opType: String, name: String, inputs: [String], outputs: [String], attributes: [ONNXAttribute] = []) {
        self.opType = opType; self.name = name; self.inputs = inputs; self.outputs = outputs; self.attributes = attributes
    }

    var encoded: ProtobufMessage {
        var m = ProtobufMessage()
        for i in inputs { m.string(1, i) }       // input
        for o in outputs { m.string(2, o) }      // output
        m.string(3, name)                        // name
        m.string(4, opType)                      // op_type
        for a in attributes { m.message(5, a.encoded) }   // attribute
        return m
    }
}

/// `ValueInfoProto` of a graph input or output: a float tensor whose first axis may be symbolic.
public struct ONNXValueInfo {
    /// A dimension: a fixed size or a named symbol (`N` for the batch).
    public enum Dimension: Equatable { case value(Int), symbol(String) }

    public var name: String
    public var shape: [Dimension]

    public init(name: String, shape: [Dimension]) { self.name = name; self.shape = shape }

    var encoded: ProtobufMessage {
        var dims = ProtobufMessage()             // TensorShapeProto
        for d in shape {
            var dim = ProtobufMessage()          // TensorShapeProto.Dimension
            switch d {
            case .value(let v): dim.int(1, Int64(v))       // dim_value
            case .symbol(let s): dim.string(2, s)          // dim_param
            }
            dims.message(1, dim)                 // dim
        }
        var tensorType = ProtobufMessage()       // TypeProto.Tensor
        tensorType.int(1, ONNXTensor.DataType.float.rawValue)   // elem_type
        tensorType.message(2, dims)              // shape
        var type = ProtobufMessage()             // TypeProto
        type.message(1, tensorType)              // tensor_type
        var m = ProtobufMessage()
        m.string(1, name)                        // name
        m.message(2, type)                       // type
        return m
    }
}

/// `GraphProto`.
public struct ONNXGraph {
    public var name: String
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValueInfo] = []
    public var outputs: [ONNXValueInfo] = []
    public var docString = ""

    public init(name: String) { self.name = name }

    var encoded: ProtobufMessage {
        var m = ProtobufMessage()
        for n in nodes { m.message(1, n.encoded) }          // node
        m.string(2, name)                                   // name
        for t in initializers { m.message(5, t.encoded) }   // initializer
        if !docString.isEmpty { m.string(10, docString) }   // doc_string
        for i in inputs { m.message(11, i.encoded) }        // input
        for o in outputs { m.message(12, o.encoded) }       // output
        return m
    }
}

/// `ModelProto`: IR version 8 with the default-domain opset 17.
public struct ONNXModel {
    public static let irVersion: Int64 = 8
    public static let opsetVersion: Int64 = 17

    public var graph: ONNXGraph
    public var producerName = "IllusionCraft"
    public var producerVersion = "1"
    public var docString = ""

    public init(graph: ONNXGraph) { self.graph = graph }

    /// The serialised `.onnx` file.
    public func serialized() -> [UInt8] {
        var opset = ProtobufMessage()            // OperatorSetIdProto
        opset.string(1, "")                      // domain ("" = ai.onnx)
        opset.int(2, Self.opsetVersion)          // version
        var m = ProtobufMessage()
        m.int(1, Self.irVersion)                 // ir_version
        m.string(2, producerName)                // producer_name
        m.string(3, producerVersion)             // producer_version
        if !docString.isEmpty { m.string(6, docString) }   // doc_string
        m.message(7, graph.encoded)              // graph
        m.message(8, opset)                      // opset_import
        return m.bytes
    }
}
