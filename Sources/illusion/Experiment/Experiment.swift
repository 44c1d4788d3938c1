import ArgumentParser
import Foundation
import IllusionModels

/// The generalization experiments of docs/theory/generalization.md.
enum ExperimentKind: String, ExpressibleByArgument, CaseIterable {
    case capacity
    case biasVariance = "bias-variance"
    case regularisation
    case dimensionality
    case convolution
}

struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Measure a claim of the theory of generalization: capacity, bias-variance, regularisation, dimensionality or convolution.",
        discussion: "Writes result.json and the figures into --out; unset options keep each experiment's defaults (docs/theory/generalization.md).")

    @Argument(help: "capacity | bias-variance | regularisation | dimensionality | convolution") var kind: ExperimentKind
    @Option(help: "Output folder (result.json and PNG figures).") var out: String
    @Option var seed: UInt64 = 0
    @Option(help: "Training points per set (capacity, bias-variance, regularisation); uniform points (dimensionality); training images (convolution).")
    var samples: Int?
    @Option(name: .customLong("test-samples"), help: "Test points (capacity); test x's (bias-variance); test images (convolution).") var testSamples: Int?
    @Option(name: .customLong("max-degree"), help: "Highest polynomial degree (capacity, bias-variance).") var maxDegree: Int?
    @Option(help: "Standard deviation σ of the label noise.") var noise: Double?
    @Option(help: "Training sets drawn (capacity, bias-variance).") var repeats: Int?
    @Option(help: "Training epochs (capacity's MLPs, regularisation, convolution).") var epochs: Int?
    @Option(help: "Comma-separated MLP widths (capacity).") var widths: String?
    @Option(help: "Hidden width of the overfitting MLP (regularisation).") var width: Int?
    @Option(help: "Comma-separated dimensions (dimensionality).") var dimensions: String?
    @Option(help: "Seeds per method (regularisation); training sets per MLP width (capacity).") var seeds: Int?
    @Option(name: .customLong("weight-decay"), help: "L2 coefficient λ (regularisation).") var weightDecay: Float?
    @Option(help: "Dropout probability (regularisation).") var dropout: Float?
    @Option(help: "Early-stopping patience in epochs (regularisation).") var patience: Int?
    @Option(name: .customLong("knn-train"), help: "Fashion-MNIST training images for k-NN (dimensionality).") var knnTrain: Int?
    @Option(name: .customLong("knn-test"), help: "Fashion-MNIST test images for k-NN (dimensionality).") var knnTest: Int?
    @Option(name: .customLong("vae-run"), help: "A Fashion-MNIST VAE run whose encoder means also get a k-NN score (dimensionality).") var vaeRun: String?
    @Flag(name: .customLong("skip-fashion"), help: "Skip the Fashion-MNIST part (dimensionality, convolution).") var skipFashion = false
    @Flag(help: "Print the result as one JSON object on stdout.") var json = false
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        try runReportingErrors {
            let progress: (String) -> Void = { line in if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) } }
            let folder = RunFolder(path: out)
            switch kind {
            case .capacity:
                var e = CapacityExperiment()
                e.take([(\.maxDegree, maxDegree), (\.samples, samples), (\.testSamples, testSamples), (\.repeats, repeats),
                        (\.mlpEpochs, epochs), (\.mlpSeeds, seeds)])
                e.take([(\.noise, noise)])
                if let widths { e.widths = try Experiment.integers(widths, flag: "--widths") }
                try perform(e, folder: folder, progress: progress, figures: CapacityExperiment.writeFigures) { r in
                    String(format: "polynomial degree with the lowest test MSE: %d (%.4f; σ² = %.4f); training MSE monotone: %@; MLP width with the lowest test error: %d",
                           r.bestDegree, r.testMSE[r.bestDegree], r.noiseVariance, r.trainingErrorMonotone ? "yes" : "no", r.bestWidth)
                }
            case .biasVariance:
                var e = BiasVarianceExperiment()
                e.take([(\.maxDegree, maxDegree), (\.samples, samples), (\.testPoints, testSamples), (\.repeats, repeats)])
                e.take([(\.noise, noise)])
                try perform(e, folder: folder, progress: progress, figures: BiasVarianceExperiment.writeFigures) { r in
                    var lines = ["degree  E[MSE]    bias²     variance  noise     gap (± s.e.)"]
                    for row in r.rows {
                        lines.append(String(format: "%6d  %.5f  %.5f  %.5f  %.5f  %+.5f (± %.5f)", row.degree, row.expectedTestMSE, row.biasSquared,
                                            row.variance, row.noise, row.identityGap, row.identityStandardError))
                    }
                    lines.append("lowest expected test MSE at degree \(r.bestDegree)")
                    return lines.joined(separator: "\n")
                }
            case .regularisation:
                var e = RegularisationExperiment()
                e.take([(\.samples, samples), (\.width, width), (\.epochs, epochs), (\.patience, patience), (\.seeds, seeds)])
                e.take([(\.noise, noise)])
                e.take([(\.weightDecay, weightDecay), (\.dropout, dropout)])
                try perform(e, folder: folder, progress: progress) { r in
                    r.rows.map {
                        $0.method.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
                            + String(format: " test loss %.3f ± %.3f  test error %.3f ± %.3f  train error %.3f",
                               $0.testLoss.mean, $0.testLoss.standardDeviation, $0.testError.mean, $0.testError.standardDeviation, $0.trainError.mean)
                    }.joined(separator: "\n")
                }
            case .dimensionality:
                var e = DimensionalityExperiment()
                e.fashion = !skipFashion
                e.vaeRun = vaeRun
                e.take([(\.points, samples), (\.knnTrain, knnTrain), (\.knnTest, knnTest)])
                if let dimensions { e.dimensions = try Experiment.integers(dimensions, flag: "--dimensions") }
                try perform(e, folder: folder, progress: progress, figures: DimensionalityExperiment.writeFigures) { r in
                    var lines = r.distances.map { String(format: "d = %4d  nearest/farthest %.3f  ball share 10^%.1f", $0.dimension, $0.nearestToFarthest, $0.ballVolumeShareLog10) }
                    lines.append(String(format: "Kendall τ(dimension, ratio) = %.3f", r.kendallTau))
                    lines += r.neighbours.map { String(format: "%d-NN on %@ (%d-D): %.4f", r.k, $0.representation, $0.dimension, $0.accuracy) }
                    return lines.joined(separator: "\n")
                }
            case .convolution:
                var e = ConvolutionExperiment()
                e.fashion = !skipFashion
                e.take([(\.trainImages, samples), (\.testImages, testSamples), (\.epochs, epochs)])
                try perform(e, folder: folder, progress: progress) { r in
                    var lines = r.parameterCounts.map { "\($0.layer): as a dense layer \($0.denseParameters) parameters, \($0.nonZeroEntries) non-zero, \($0.convolutionParameters) free" }
                    lines.append(String(format: "equivariance under a (%d, %d) shift: circular max error %.3g; zero padding relative error %.3g", r.equivariance.shift[0],
                                        r.equivariance.shift[1], r.equivariance.circularMaxError, r.equivariance.zeroPaddingRelativeError))
                    lines += r.comparison.map { String(format: "%@ (%d parameters): train %.4f test %.4f gap %.4f", $0.model, $0.parameters, $0.trainAccuracy, $0.testAccuracy, $0.gap) }
                    return lines.joined(separator: "\n")
                }
            }
        }
    }

    /// Every kind the same way: `--seed`, check the settings, create `--out`, run, then ``finish``.
    func perform<E: CommandExperiment>(_ experiment: E, folder: RunFolder, progress: (String) -> Void,
                                       figures: (E.Result, String) throws -> [String] = { _, _ in [] },
                                       summary: (E.Result) -> String) throws {
        var e = experiment
        e.seed = seed
        try e.validate()
        try folder.create()
        let r = try e.run(progress: progress)
        try finish(r, figures: try figures(r, out), folder: folder, summary: summary(r))
    }

    /// Writes result.json, then prints the JSON object or the summary and the figures' paths.
    func finish<R: Encodable>(_ result: R, figures: [String], folder: RunFolder, summary: String) throws {
        try folder.writeJSON(result, to: "result.json")
        if json { printJSON(encodable: result); return }
        print(summary)
        for f in figures { print("figure: \(f)") }
    }

    /// "1,2,4" → [1, 2, 4]; anything else is one clear error naming the flag.
    static func integers(_ text: String, flag: String) throws -> [Int] {
        try text.split(separator: ",").map { part in
            guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else {
                throw ModelError.invalidArgument("\(flag): '\(part)' is not a whole number (expected e.g. 1,2,4)")
            }
            return v
        }
    }
}

/// An experiment `illusion experiment` runs: its settings (fields set from the flags given), a
/// check, and the run.
protocol CommandExperiment {
    associatedtype Result: Encodable
    var seed: UInt64 { get set }
    func validate() throws
    func run(progress: (String) -> Void) throws -> Result
}

extension CommandExperiment {
    /// Sets each field whose flag was given; the others keep the experiment's default.
    mutating func take<V>(_ settings: [(WritableKeyPath<Self, V>, V?)]) {
        for (field, value) in settings { if let value { self[keyPath: field] = value } }
    }
}

extension CapacityExperiment: CommandExperiment {}
extension RegularisationExperiment: CommandExperiment {}
extension DimensionalityExperiment: CommandExperiment {}
extension ConvolutionExperiment: CommandExperiment {}
extension BiasVarianceExperiment: CommandExperiment {
    func run(progress: (String) -> Void) throws -> Result { try run() }
}
