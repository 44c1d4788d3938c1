import Foundation

/// A run's `config.json` read back from disk is untrusted input: it may have been edited, damaged or
/// written by someone else. ``RunFolder/readJSON(_:from:)`` passes it through three gates before
/// anything is built, each failing with one line that names the file and the field:
///
/// 1. every numeric field (matched by its key, at any depth; list elements too) against ``limits``
///    ("runs/x/config.json: model.channels must be an integer in 1…4096, got -1");
/// 2. decoding, with `DecodingError` said plainly ("runs/x/config.json: model.channels: expected an
///    integer, found a string");
/// 3. for the run kinds (``CheckedRunConfig``) the cross-field rules of the flags and a bound on the
///    model's size (``maximumParameters``), so no field combination leads to a giant allocation.
public enum ConfigFileCheck {
    /// The allowed values of one numeric field.
    public struct Limit: Sendable {
        public var lower: Double, upper: Double
        public var lowerOpen = false, upperOpen = false
        public var integer: Bool

        static func int(_ lower: Double, _ upper: Double) -> Limit { Limit(lower: lower, upper: upper, integer: true) }
        static func real(_ lower: Double, _ upper: Double, lowerOpen: Bool = false, upperOpen: Bool = false) -> Limit {
            Limit(lower: lower, upper: upper, lowerOpen: lowerOpen, upperOpen: upperOpen, integer: false)
        }

        public func admits(_ v: Double) -> Bool {
            guard v.isFinite else { return false }
            if integer && v.rounded() != v { return false }
            let aboveLower = lowerOpen ? v > lower : v >= lower
            let belowUpper = upperOpen ? v < upper : v <= upper
            return aboveLower && belowUpper
        }

        public var expected: String {
            func show(_ x: Double) -> String { x.rounded() == x && abs(x) < 1e15 ? "\(Int(x))" : "\(x)" }
            if integer { return "an integer in \(show(lower))…\(show(upper))" }
            return "a number in \(lowerOpen ? "(" : "[")\(show(lower)), \(show(upper))\(upperOpen ? ")" : "]")"
        }
    }

    /// Largest config.json read (bytes).
    public static let maximumFileBytes = 64 << 20

    /// Largest model a config.json may describe, in parameters (2²⁸ ≈ 268 M, 1 GiB of Float32).
    nonisolated(unsafe) public static var maximumParameters: Double = Double(1 << 28)

    private static let sizes = Limit.int(1, 4096)
    private static let steps = Limit.int(0, 1e12)
    private static let count = Limit.int(1, 1e6)
    private static let rate = Limit.real(0, 1e3, lowerOpen: true)
    private static let fraction = Limit.real(0, 1, upperOpen: true)
    private static let weight = Limit.real(0, 1e6)

    /// Every numeric field of every run kind's config.json, by key (the same key means the same
    /// kind of quantity in every config). ConfigFileCheckTests asserts that the configs written by
    /// every workflow have no numeric field missing from this table.
    public static let limits: [String: Limit] = [
        // sizes of models
        "latentDim": sizes, "channels": sizes, "imageSize": sizes, "noiseDim": sizes,
        "generatorWidth": sizes, "discriminatorWidth": sizes, "conditionDim": .int(0, 4096),
        "augmentedDim": sizes, "discriminatorConditionDim": sizes,
        "conv1Filters": sizes, "conv2Filters": sizes, "kernelSize": .int(1, 31), "denseUnits": .int(1, 65536),
        "classifierHiddenUnits": .int(1, 65536),
        "embedding": .int(1, 65536), "hidden": .int(1, 65536), "layers": .int(1, 1024),
        "vocabularySize": count, "blockSize": count, "heads": sizes, "width": .int(1, 65536),
        // data
        "limit": .int(0, 1e9), "evalLimit": .int(0, 1e9), "syntheticCount": count,
        "seq_len": count, "corpus_characters": .int(0, 1e15), "sample_length": .int(0, 1e8),
        // optimisation
        "epochs": count, "classifierEpochs": count, "batchSize": count, "batch_size": count, "batch": count,
        "classifierBatchSize": count, "eval_batch": count,
        "maxStepsPerEpoch": steps, "max_steps": steps, "steps": steps, "warmupSteps": steps, "decaySteps": steps,
        "evalInterval": .int(1, 1e12), "logEvery": steps, "collapseCheckAfterSteps": steps,
        "checkpointEvery": steps, "keepCheckpoints": .int(1, 1000), "patience": .int(0, 1e6),
        "seed": .int(0, Double(UInt64.max)),
        "learningRate": rate, "learning_rate": rate, "classifierLearningRate": rate,
        "generatorLearningRate": rate, "discriminatorLearningRate": rate, "minLearningRate": .real(0, 1e3),
        "beta1": fraction, "beta2": fraction, "beta": weight, "klWeight": weight, "klWarmupEpochs": weight,
        "auxiliaryWeight": .real(0, 1e6, lowerOpen: true), "realLabel": .real(0.5, 1, lowerOpen: true),
        "instanceNoise": .real(0, 2), "validationFraction": fraction, "dropout": fraction,
        "convolutionDropout": fraction, "weightDecay": fraction, "labelSmoothing": fraction,
        "clipGradNorm": .real(0, 1e9, lowerOpen: true), "clip_norm": .real(0, 1e9), "gradientClip": .real(0, 1e9),
        // model constants
        "gaussianSigma": .real(0, 1e6, lowerOpen: true), "leakySlope": .real(0, 1),
        "codeMean": .real(-1e30, 1e30), "codeStd": .real(0, 1e30),
    ]

    /// Gate 1: every numeric field in the parsed JSON `object` against ``limits``.
    public static func checkFields(_ object: Any, source: String) throws {
        try walk(object, path: [], key: nil, source: source)
    }

    private static func walk(_ value: Any, path: [String], key: String?, source: String) throws {
        func name() -> String { path.joined(separator: ".").replacingOccurrences(of: ".[", with: "[") }
        if let dictionary = value as? [String: Any] {
            for k in dictionary.keys.sorted() { try walk(dictionary[k]!, path: path + [k], key: k, source: source) }
        } else if let array = value as? [Any] {
            for (i, element) in array.enumerated() { try walk(element, path: path + ["[\(i)]"], key: key, source: source) }
        } else if let key, let limit = limits[key], !(value is NSNull) {
            if value is String {
                throw ModelError.invalidRun("\(source): \(name()) must be \(limit.expected), got the text \"\(String(describing: value).prefix(40))\"")
            }
            guard let number = value as? NSNumber else { return }
            let v = number.doubleValue
            guard limit.admits(v) else {
                throw ModelError.invalidRun("\(source): \(name()) must be \(limit.expected), got \(number)")
            }
        }
    }

    /// Gate 2's message: a `DecodingError` as one plain line naming the file and the field.
    public static func describe(_ error: DecodingError, source: String) -> String {
        func name(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        func kind(_ type: Any.Type) -> String {
            switch type {
            case is Int.Type, is UInt64.Type, is Int64.Type, is Int32.Type, is UInt32.Type: return "an integer"
            case is Float.Type, is Double.Type: return "a number"
            case is String.Type: return "a string"
            case is Bool.Type: return "true or false"
            default:
                let t = "\(type)"
                if t.hasPrefix("Array") { return "a list" }
                if t.hasPrefix("Dictionary") { return "an object" }
                return "a value of type \(t)"
            }
        }
        switch error {
        case let .typeMismatch(type, context):
            let found = context.debugDescription.range(of: "but found ").map { String(context.debugDescription[$0.upperBound...]) }?
                .replacingOccurrences(of: " instead.", with: "")
            return "\(source): \(name(context.codingPath)): expected \(kind(type))\(found.map { ", found \($0)" } ?? "")"
        case let .valueNotFound(type, context):
            return "\(source): \(name(context.codingPath)): expected \(kind(type)), found null"
        case let .keyNotFound(key, context):
            return "\(source): missing field \(name(context.codingPath + [key]))"
        case let .dataCorrupted(context):
            let path = name(context.codingPath)
            return "\(source): \(path.isEmpty ? "" : "\(path): ")\(context.debugDescription)"
        @unknown default:
            return "\(source): cannot be read (\(error.localizedDescription))"
        }
    }

    /// Parses, checks and decodes a config file's bytes (gates 1–3).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, source: String) throws -> T {
        guard data.count <= maximumFileBytes else {
            throw ModelError.invalidRun("\(source): \(data.count) bytes is too large for a config file (at most \(maximumFileBytes))")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw ModelError.invalidRun("\(source): not valid JSON")
        }
        guard object is [String: Any] else { throw ModelError.invalidRun("\(source): expected a JSON object") }
        try checkFields(object, source: source)
        let value: T
        do { value = try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw ModelError.invalidRun(describe(error, source: source))
        }
        if let run = value as? CheckedRunConfig { try check(run, source: source) }
        return value
    }

    /// Gate 3: the run kind's own rules and the size bound.
    public static func check(_ config: CheckedRunConfig, source: String) throws {
        do { try config.validateLoaded() } catch let error as ModelError {
            throw ModelError.invalidRun("\(source): \(error.description)")
        }
        let bound = config.parameterBound
        guard bound.isFinite, bound <= maximumParameters else {
            throw ModelError.invalidRun("\(source): the model it describes would have about \(String(format: "%.3g", bound)) parameters (more than the limit of \(String(format: "%.3g", maximumParameters)))")
        }
    }
}

/// A run kind's config.json as read back: checked as a whole before anything is built.
public protocol CheckedRunConfig {
    /// The cross-field rules (the same as the flags'; their messages name the flag).
    func validateLoaded() throws
    /// A generous upper bound on the model's parameter count, from the config alone.
    var parameterBound: Double { get }
}
