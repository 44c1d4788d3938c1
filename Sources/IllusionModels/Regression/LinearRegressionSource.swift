import Foundation

/// Where regression samples come from (config.json "data"): a CSV file or a seeded generator.
public struct RegressionDataSource: Codable, Equatable, Sendable {
    /// CSV path; nil generates data.
    public var csvPath: String?
    /// Target column of the CSV.
    public var target: String?
    /// Feature columns of the CSV; nil uses every other numeric column.
    public var features: [String]?
    /// CSV rows with an empty, non-finite or non-numeric cell in a used column are left out (and
    /// counted in the log) instead of being an error. nil (configs written before it existed) = false.
    public var dropInvalidRows: Bool?
    /// Generated data: number of samples and features, and the noise standard deviation (linear only).
    public var samples = 1000
    public var featureCount = 3
    public var noise = 0.5
    public var seed: UInt64 = 0

    public init(csvPath: String? = nil, target: String? = nil, features: [String]? = nil) {
        self.csvPath = csvPath; self.target = target; self.features = features
    }

    public var description: String {
        if let csvPath { return "\(csvPath) (target \(target ?? "?"))" }
        return "generated: \(samples) samples, \(featureCount) features" + (noise > 0 ? ", noise σ \(noise)" : "")
    }

    /// Loads the samples. For generated data also returns the true coefficients.
    func load(logistic: Bool) throws -> (data: RegressionData, trueWeights: [Double]?, trueBias: Double?) {
        if let csvPath {
            guard let target else { throw ModelError.invalidArgument("--target: name the target column of \(csvPath)") }
            let loaded = try CSVTable(contentsOf: csvPath).regressionData(target: target, features: features,
                                                                          dropInvalidRows: dropInvalidRows ?? false)
            if loaded.droppedRows > 0 {
                logLine("\(csvPath): left out \(loaded.droppedRows) rows with an unusable cell (--drop-invalid-rows); \(loaded.data.count) remain")
            }
            return (loaded.data, nil, nil)
        }
        guard samples >= 10 else { throw ModelError.invalidArgument("--samples must be ≥ 10, got \(samples)") }
        guard featureCount >= 1 && featureCount <= 1000 else {
            throw ModelError.invalidArgument("--features-count must be in 1…1000, got \(featureCount)")
        }
        let g = logistic ? RegressionData.generatedLogistic(count: samples, featureCount: featureCount, seed: seed)
                         : RegressionData.generatedLinear(count: samples, featureCount: featureCount, noise: noise, seed: seed)
        return (g.data, g.weights, g.bias)
    }
}
