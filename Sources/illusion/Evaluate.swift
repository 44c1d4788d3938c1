import ArgumentParser
import Foundation
import IllusionModels

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a trained VAE: negative ELBO, reconstruction, KL, IWAE bound, active units (noise from a fixed seed).")

    @Option(name: .customLong("run"), help: "Run folder.") var runPath: String
    @Option(help: "Split: test (or validation/train, for the images the run trained on).") var split: String = "test"
    @Option(name: .customLong("iwae-samples"), parsing: .unconditional, help: "K importance samples for the IWAE bound (0 = skip).") var iwaeSamples: Int = 0
    @Option(name: .customLong("iwae-images"), parsing: .unconditional, help: "Images the IWAE bound is averaged over (it costs K decoder passes each).") var iwaeImages: Int = 1000
    @Option(parsing: .unconditional, help: "Evaluate at most this many images.") var limit: Int?
    @Option(parsing: .unconditional, help: "Seed of the evaluation noise.") var seed: UInt64 = 1234
    @Option(name: .customLong("fd-classifier"), help: "A CNN run folder (illusion train cnn on Fashion-MNIST): also report FD-FMNIST of samples vs the test set, and of real training vs test images as the baseline. The README's figures use the reference judge shipped in judges/fashion-mnist-cnn.")
    var fdClassifier: String?
    @Option(name: .customLong("judge-attribute"), help: "Attribute-conditioned GAN runs: train a judge CNN for this attribute (or a comma list, or all) and report how often samples drawn with it on / off show it.")
    var judgeAttribute: String?
    @Option(name: .customLong("fd-count"), parsing: .unconditional, help: "Images per side for FD-FMNIST.") var fdCount: Int = 10000
    @Flag(inversion: .prefixedNo, help: "With --fd-classifier: also KID-FMNIST and precision/recall/density/coverage (k = 3) on the same features.")
    var validation = true
    @Flag(help: "Print the figures as one JSON object on stdout.") var json = false

    /// The judge CNN's identity; warns on stderr when it is not the reference judge.
    func judge(_ path: String) throws -> JudgeIdentity {
        let identity = try JudgeIdentity(classifierRun: path)
        if let warning = identity.warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        return identity
    }

    func run() throws {
        try runReportingErrors {
            guard ["test", "train"].contains(split) else {
                throw ModelError.invalidArgument("--split must be test or train, got '\(split)'")
            }
            guard iwaeSamples >= 0 else { throw ModelError.invalidArgument("--iwae-samples must be ≥ 0, got \(iwaeSamples)") }
            guard iwaeImages >= 1 else { throw ModelError.invalidArgument("--iwae-images must be ≥ 1, got \(iwaeImages)") }
            if let limit, limit < 1 { throw ModelError.invalidArgument("--limit must be ≥ 1, got \(limit)") }
            guard fdCount >= 2 else { throw ModelError.invalidArgument("--fd-count must be ≥ 2, got \(fdCount)") }
            let folder = RunFolder(path: runPath)
            try folder.requireExisting()
            let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
            if kind == "char-lm" {
                let model = try CharLMRun.load(folder)
                let corpus = try CharLMTraining.prepare(config: model.config, files: model.config.dataFiles, vocabulary: model.config.vocabulary)
                let figures = CharLMTraining.evaluate(model, corpus.validation, batch: model.config.evalBatch, seqLen: model.config.seqLen).json
                if json { printJSON(figures) } else { for (k, v) in figures.sorted(by: { $0.key < $1.key }) { print("\(k): \(v)") } }
                return
            }
            if kind == "stackgan" {   // Stage-II vs Stage-I enlarged bilinearly vs Stage-II with ĉ zeroed
                let figures = try StackGANEvaluation.evaluate(run: runPath, judgeAttribute: judgeAttribute, classifierRun: fdClassifier,
                                                             count: min(fdCount, 1000), seed: seed)
                if json { printJSON(figures) } else { for (k, v) in figures.sorted(by: { $0.key < $1.key }) { print("\(k): \(v)") } }
                return
            }
            if kind == "dcgan" || kind == "cgan" {
                var figures = try GANEvaluation.evaluate(run: runPath, classifierRun: fdClassifier, judgeAttribute: judgeAttribute,
                                                             count: fdCount, seed: seed)
                if let fdClassifier, validation {
                    let run = try GANRun(path: runPath)
                    figures.merge(try GeneratorValidation.figures(generated: GANEvaluation.judgedSamples(run, count: fdCount, seed: seed),
                                                                  extractor: try FMNISTFeatureExtractor(classifierRun: fdClassifier),
                                                                  count: fdCount, seed: seed)) { a, _ in a }
                }
                if let fdClassifier { figures["judge"] = try judge(fdClassifier).json }
                if json { printJSON(figures) } else { for (k, v) in figures.sorted(by: { $0.key < $1.key }) { print("\(k): \(v)") } }
                return
            }
            if judgeAttribute != nil { throw ModelError.invalidArgument("--judge-attribute applies to attribute-conditioned GAN runs; use illusion attribute-vector for a VAE") }
            guard kind == "vae" else { throw ModelError.invalidRun("--run \(runPath): eval is defined for VAE and GAN runs, this is a \(kind) run (its train command reports its figures)") }
            let vae = try VAERun(path: runPath)
            let data = try vae.config.dataset.load()
            var set = split == "test" ? data.test : data.train
            if let limit, limit < set.count { set = set.subset(Array(0..<limit)) }
            let steps = VAEEvaluator.progressSteps(images: set.count, iwaeSamples: iwaeSamples, iwaeImages: iwaeImages)
            let progress = ProgressReporter(label: iwaeSamples > 0 ? "eval (ELBO + IWAE K=\(iwaeSamples))" : "eval (ELBO)",
                                            total: steps)
            let figures = VAEEvaluator.evaluate(vae.model, on: set, iwaeSamples: iwaeSamples, iwaeImages: iwaeImages, seed: seed,
                                                progress: progress)
            var fd: Double?, fdBaseline: Double?
            var validationFigures: [String: Any] = [:]
            if let fdClassifier {
                logLine("FD-FMNIST: features of \(fdCount) samples and \(fdCount) test images, then of real training vs test images…")
                let extractor = try FMNISTFeatureExtractor(classifierRun: fdClassifier)   // opened once for both
                fd = try FDFMNIST.scoreVAE(run: runPath, classifierRun: fdClassifier, count: fdCount, seed: seed, extractor: extractor)
                fdBaseline = try FDFMNIST.realBaseline(classifierRun: fdClassifier, count: fdCount, extractor: extractor)
                if validation {
                    validationFigures = try GeneratorValidation.figures(generated: VAEExplorer.sample(vae.model, count: fdCount, seed: seed).images,
                                                                        extractor: extractor, count: fdCount, seed: seed)
                }
                validationFigures["judge"] = try judge(fdClassifier).json
            }
            if json {
                var object = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(figures))) as? [String: Any] ?? [:]
                object["run"] = runPath
                object["split"] = split
                if let fd { object["fd_fmnist"] = fd }
                if let fdBaseline { object["fd_fmnist_real_baseline"] = fdBaseline; object["fd_fmnist_images"] = fdCount }
                object.merge(validationFigures) { a, _ in a }
                if vae.config.model.architecture == .linear {
                    object["principal_angles_degrees"] = try LinearVAEAnalysis.principalAngles(vae.model, data: set).map { $0 * 180 / .pi }
                }
                printJSON(object)
            } else {
                if let fd, let fdBaseline {
                    print(String(format: "FD-FMNIST (samples vs test, %d each): %.2f (real train vs test images: %.2f)", fdCount, fd, fdBaseline))
                    if let kid = validationFigures["kid_fmnist"] as? Double, let base = validationFigures["kid_fmnist_real_baseline"] as? Double {
                        print(String(format: "KID-FMNIST: %.4f (real: %.4f)", kid, base))
                    }
                    for key in ["precision", "recall", "density", "coverage"] {
                        if let v = validationFigures[key] as? Double, let b = validationFigures[key + "_real_baseline"] as? Double {
                            print(String(format: "%@: %.4f (real: %.4f)", key, v, b))
                        }
                    }
                }
                print(String(format: "neg-ELBO %.3f nats/image (reconstruction %.3f + KL %.3f)", figures.negElbo, figures.reconstruction, figures.kl))
                if let iwae = figures.iwaeNLL { print(String(format: "IWAE bound (K = %d, %d images): %.3f nats", iwaeSamples, figures.iwaeImages, iwae)) }
                print("active units: \(figures.activeUnits) of \(vae.config.model.latentDim); images: \(figures.images)")
            }
        }
    }
}
