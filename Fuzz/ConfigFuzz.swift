import Foundation

// libFuzzer target: config.json gates 1 and 2 (field limits over the parsed JSON, decoding with
// DecodingError said in one line) on a mirror of a VAE run's config. Gate 3 (each run kind's rules
// and size bound) needs the model types and is covered by ConfigFileCheckTests instead.
// Built by scripts/fuzz.sh with ConfigFileCheck and ModelError.
struct FuzzRunConfig: Codable {
    struct Model: Codable { var architecture: String; var latentDim: Int; var channels: Int; var imageSize: Int; var gaussianSigma: Float; var leakySlope: Float }
    struct Loop: Codable { var checkpointEvery: Int?; var keepCheckpoints: Int?; var clipGradNorm: Float? }
    struct Training: Codable { var epochs: Int; var batchSize: Int; var learningRate: Float; var seed: UInt64; var validationFraction: Double; var loop: Loop? }
    struct Dataset: Codable { var name: String; var imageSize: Int; var limit: Int?; var syntheticCount: Int }
    var kind: String; var model: Model; var training: Training; var dataset: Dataset
    var classifierHiddenUnits: [Int]?
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    do { _ = try ConfigFileCheck.decode(FuzzRunConfig.self, from: bytes, source: "fuzz/config.json") } catch let error as ModelError {
        precondition(!"\(error)".contains("\n"), "a config error must be one line: \(error)")
    } catch {
        preconditionFailure("config.json errors must be ModelError, got \(error)")
    }
    return 0
}
