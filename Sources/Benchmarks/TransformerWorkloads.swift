import Foundation
import IllusionModels

/// The char-transformer workloads: nanoGPT's CPU recipe (4 layers, 4 heads, width 128, block 64,
/// batch 12; "images" = characters, 768 per step) and generation of 64-character lines with and
/// without the key/value cache. Token streams are random ids over 84 characters (the Shakespeare
/// corpus's vocabulary size): the speed does not depend on the text.
enum TransformerWorkloads {
    static let all: [Workload] = [
        Workload(name: "transformer", title: "char transformer 4×128, block 64, batch 12 (chars)", batch: 12 * 64, steps: (40, 10), warmup: 3),
        Workload(name: "gen-cache", title: "transformer generation, KV cache (chars)", batch: 64, steps: (20, 5), warmup: 1),
        Workload(name: "gen-nocache", title: "transformer generation, no cache (chars)", batch: 64, steps: (6, 2), warmup: 1),
    ]

    static let vocabulary = 84

    static func model() throws -> CharTransformer {
        var rng = RandomGenerator(seed: 0)
        return try CharTransformer(config: CharTransformerConfig(vocabularySize: vocabulary), rng: &rng)
    }

    /// Matmul FLOPs per step (2 per multiply-add): per token 2·(12·L·E² + V·E) for the projections,
    /// MLP and head, plus 2·2·L·T·E for Q·Kᵀ and P·V over the full T×T window; backward twice that.
    static func flops(_ c: CharTransformerConfig, tokens: Int) -> FLOPCount {
        let e = Double(c.width), l = Double(c.layers)
        let perToken = 2 * (12 * l * e * e + Double(c.vocabularySize) * e) + 4 * l * Double(c.blockSize) * e
        var f = FLOPCount()
        f.forward = perToken * Double(tokens)
        f.backward = 2 * f.forward
        return f
    }

    static func make(_ workload: Workload) throws -> TrainingSetup {
        // As the CLI: `illusion train char-lm --arch transformer --threads` trains on the transformer's
        // context (OpenBLAS single-threaded, GEMMs split over our threads), `illusion generate` on `gemmBound`.
        let training = workload.name == "transformer"
        (training ? CharTransformerWorkflow.computeContext(threads: ParallelLoops.threads) : .gemmBound(ParallelLoops.threads)).apply()
        let model = try model()
        var streamRNG = RandomGenerator(seed: 1)
        switch workload.name {
        case "transformer":
            let stream = (0..<200_000).map { _ in streamRNG.nextInt(below: vocabulary) }
            let trainer = TransformerTrainer(model: model, recipe: TransformerRecipe())
            return TrainingSetup(flops: flops(model.config, tokens: workload.batch)) { trainer.trainStep(on: stream) }
        default:
            let useCache = workload.name == "gen-cache"
            var rng = RandomGenerator(seed: 2)
            var f = FLOPCount()
            f.forward = flops(model.config, tokens: workload.batch).forward * (useCache ? 1 : Double(model.config.blockSize) / 2)
            return TrainingSetup(flops: f) {
                let out = model.generate(prompt: [0], count: workload.batch - 1, useCache: useCache, rng: &rng)
                return Float(out.count)
            }
        }
    }
}
