import XCTest
@testable import IllusionModels

final class CharTransformerTests: XCTestCase {
    func gptFixture() throws -> SafeTensors {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try SafeTensors(contentsOf: dir.appendingPathComponent("attention_gpt.safetensors").path)
    }

    /// A nanoGPT `GPT` (2 layers, 2 heads, width 16, block 8, vocab 7, tied head) from PyTorch.
    func fixtureModel(_ f: SafeTensors) throws -> CharTransformer {
        var rng = RandomGenerator(seed: 1)
        let model = try CharTransformer(config: CharTransformerConfig(vocabularySize: 7, blockSize: 8, layers: 2, heads: 2, width: 16),
                                        rng: &rng)
        var state: [String: Tensor] = [:]
        for name in f.names where name.hasPrefix("gpt.") { state[String(name.dropFirst(4))] = try f.tensor(name) }
        try model.loadStateDict(state, source: "attention_gpt.safetensors")
        return model
    }

    func testStateDictNamesAreNanoGPTs() throws {
        var rng = RandomGenerator(seed: 0)
        let model = try CharTransformer(config: CharTransformerConfig(vocabularySize: 5, blockSize: 4, layers: 1, heads: 2, width: 8), rng: &rng)
        XCTAssertEqual(model.stateDict().map(\.name), [
            "lm_head.weight", "transformer.wte.weight", "transformer.wpe.weight",
            "transformer.h.0.ln_1.weight", "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_proj.weight",
            "transformer.h.0.ln_2.weight", "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight",
            "transformer.ln_f.weight"])
        XCTAssert(model.headWeight === model.transformer.tokenEmbedding.weight, "weight tying")
        XCTAssertEqual(model.uniqueParameters.count, model.namedParameters().count - 1)
        let untied = try CharTransformer(config: CharTransformerConfig(vocabularySize: 5, blockSize: 4, layers: 1, heads: 2, width: 8,
                                                                       tiedHead: false), rng: &rng)
        XCTAssertFalse(untied.headWeight === untied.transformer.tokenEmbedding.weight)
        XCTAssertEqual(untied.uniqueParameters.count, untied.namedParameters().count)
    }

    /// Logits, loss and every parameter's gradient equal PyTorch's for the same weights and tokens.
    func testMatchesNanoGPTForwardAndBackward() throws {
        let f = try gptFixture()
        let model = try fixtureModel(f)
        let idx = try f.int64s("gpt_idx").map { Int($0) }, targets = try f.int64s("gpt_targets").map { Int($0) }
        let logits = model.logits(tokens: idx, batch: 2)
        XCTAssertLessThan(maxRelativeDifference(logits.storage, try f.tensor("gpt_logits").storage), 2e-5)
        let loss = model.loss(tokens: idx, targets: targets, batch: 2)
        XCTAssertEqual(loss.scalar, try f.tensor("gpt_loss").scalar, accuracy: 1e-5)
        loss.backward()
        let mine = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.tensor) })
        var compared = 0
        for name in f.names where name.hasPrefix("gpt_grad.") {
            let key = String(name.dropFirst("gpt_grad.".count))
            let g = try XCTUnwrap(mine[key]?.grad, key)
            XCTAssertLessThan(maxRelativeDifference(g, try f.tensor(name).storage), 5e-5, key)
            compared += 1
        }
        XCTAssertEqual(compared, mine.count - 1, "every parameter once (the tied weight under wte)")
    }

    /// One cached step per token gives the full re-run's last-position logits, and generation with
    /// and without the cache draws the same tokens (prompt + new tokens within the block).
    func testCachedAndUncachedGenerationAgree() throws {
        let f = try gptFixture()
        let model = try fixtureModel(f)
        let tokens = [3, 1, 4, 1, 5, 2, 6, 0]
        var cache = KeyValueCache(config: model.config)
        for (i, token) in tokens.enumerated() {
            let cached = model.step(token: token, cache: &cache)
            let full = noGrad { model.logits(tokens: Array(tokens[0...i]), batch: 1) }.storage
            XCTAssertLessThan(maxRelativeDifference(cached, Array(full[(i * 7)...])), 2e-5, "position \(i)")
        }
        for seed in UInt64(0)..<4 {
            var a = RandomGenerator(seed: seed), b = RandomGenerator(seed: seed)
            let withCache = model.generate(prompt: [2, 5], count: 6, useCache: true, rng: &a)
            let without = model.generate(prompt: [2, 5], count: 6, useCache: false, rng: &b)
            XCTAssertEqual(withCache, without, "seed \(seed)")
        }
        // Past the block size the cached path restarts its window and still produces tokens.
        var r = RandomGenerator(seed: 9)
        let long = model.generate(prompt: Array(repeating: 1, count: 20), count: 30, sampling: TokenSampling(temperature: 0.8, topK: 3),
                                  rng: &r)
        XCTAssertEqual(long.count, 30)
        XCTAssert(long.allSatisfy { (0..<7).contains($0) })
    }

    func testAttentionMapsAreCausalDistributions() throws {
        let model = try fixtureModel(try gptFixture())
        let maps = model.attentionMaps(tokens: [1, 2, 3, 4, 5])
        XCTAssertEqual(maps.count, 2)
        XCTAssertEqual(maps[0].count, 2)
        for head in maps.flatMap({ $0 }) {
            XCTAssertEqual(head.count, 25)
            for row in 0..<5 {
                XCTAssertEqual(head[row * 5 ..< row * 5 + 5].reduce(0, +), 1, accuracy: 1e-5)
                XCTAssert(head[(row * 5 + row + 1) ..< (row * 5 + 5)].allSatisfy { $0 == 0 })
            }
        }
    }

    func testLearningRateScheduleIsNanoGPTs() {
        var recipe = TransformerRecipe()
        recipe.steps = 2000
        XCTAssertEqual(recipe.learningRate(at: 0), 1e-3 / 101, accuracy: 1e-9)
        XCTAssertEqual(recipe.learningRate(at: 99), 1e-3 * 100 / 101, accuracy: 1e-9)
        XCTAssertEqual(recipe.learningRate(at: 100), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(recipe.learningRate(at: 1050), 5.5e-4, accuracy: 1e-7)  // half way: (lr + min)/2
        XCTAssertEqual(recipe.learningRate(at: 2000), 1e-4, accuracy: 1e-9)
        XCTAssertEqual(recipe.learningRate(at: 2500), 1e-4, accuracy: 1e-9)
    }

    /// A tiny model learns a periodic text (loss from ≈ ln V to well under 0.5 nats/char), only the
    /// ≥ 2-D weights are decayed, and the same seed repeats the run bit for bit.
    func testTinyModelLearnsAndIsReproducible() throws {
        let text = Array(repeating: [0, 1, 2, 3, 4, 2, 1, 5], count: 40).flatMap { $0 }
        func run() throws -> (first: Float, last: Float, val: Double, trainer: TransformerTrainer) {
            var rng = RandomGenerator(seed: 5)
            let model = try CharTransformer(config: CharTransformerConfig(vocabularySize: 6, blockSize: 16, layers: 1, heads: 2, width: 16),
                                            rng: &rng)
            var recipe = TransformerRecipe()
            recipe.steps = 150; recipe.warmupSteps = 10; recipe.batch = 8; recipe.learningRate = 1e-2; recipe.seed = 3
            let trainer = TransformerTrainer(model: model, recipe: recipe)
            var losses: [Float] = []
            for _ in 0..<recipe.steps { losses.append(trainer.trainStep(on: text)) }
            return (losses[0], losses.last!, TransformerTrainer.fullStreamLoss(model, stream: text).loss, trainer)
        }
        let a = try run(), b = try run()
        XCTAssertGreaterThan(a.first, 1.5)
        XCTAssertLessThan(a.val, 0.5, "validation loss \(a.val) after 150 steps")
        XCTAssertEqual(a.last, b.last)
        XCTAssertEqual(a.val, b.val)
        let decays = a.trainer.optimizer.parameterWeightDecays!
        for (p, d) in zip(a.trainer.model.uniqueParameters, decays) { XCTAssertEqual(d, p.tensor.rank >= 2 ? 0.1 : 0, p.name) }
    }

    /// The transformer's compute context (OpenBLAS single-threaded, GEMMs split by rows of C over our
    /// threads) gives the same weights after three AdamW steps at 1 and 2 threads, bit for bit, on a
    /// model whose projections do split (256 tokens × width 64).
    func testTrainingStepsDoNotDependOnTheThreadCount() throws {
        let text = (0..<2000).map { ($0 * 7 + $0 / 13) % 20 }
        func weights(threads: Int) throws -> [[UInt32]] {
            try CharTransformerWorkflow.computeContext(threads: threads).run {
                if threads > 1 { XCTAssertEqual(RowSplit.parts(m: 256, n: 192, k: 64), 2, "c_attn splits") }
                var rng = RandomGenerator(seed: 8)
                let model = try CharTransformer(config: CharTransformerConfig(vocabularySize: 20, blockSize: 32, layers: 1, heads: 2, width: 64),
                                                rng: &rng)
                var recipe = TransformerRecipe()
                recipe.batch = 8; recipe.seed = 4
                let trainer = TransformerTrainer(model: model, recipe: recipe)
                for _ in 0..<3 { trainer.trainStep(on: text) }
                return model.uniqueParameters.map { $0.tensor.storage.map(\.bitPattern) }
            }
        }
        let one = try weights(threads: 1), two = try weights(threads: 2)
        XCTAssertEqual(one.count, two.count)
        for (i, (a, b)) in zip(one, two).enumerated() { XCTAssertTrue(a == b, "parameter \(i) differs between 1 and 2 threads") }
    }

    /// The transformer run on the shared loop: a run killed after its step-4 checkpoint (the newer
    /// ones deleted) resumes to the uninterrupted run's weights — AdamW moments, the batch stream
    /// and the warm-up + cosine position all come back — and metrics.jsonl holds each step line once.
    func testResumeFromAStepCheckpointIsBitIdentical() throws {
        let dir = NSTemporaryDirectory() + "transformer-resume-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = String(repeating: "to be or not to be, that is the question.\n", count: 30)
        try text.write(toFile: dir + "/text.txt", atomically: true, encoding: .utf8)
        let corpus = try CharLMCorpus(corpus: try TextCorpus(contentsOf: [dir + "/text.txt"]))
        var recipe = TransformerRecipe()
        recipe.steps = 12; recipe.warmupSteps = 3; recipe.batch = 4; recipe.learningRate = 1e-2; recipe.seed = 7
        let config = CharTransformerRunConfig(model: CharTransformerConfig(vocabularySize: corpus.vocabulary.count, blockSize: 8,
                                                                           layers: 1, heads: 2, width: 16),
                                              recipe: recipe, vocabulary: corpus.vocabulary, data: [dir + "/text.txt"], evalInterval: 4)
        var options = CharTransformerWorkflow.Options()
        options.quiet = true; options.sampleLength = 0; options.keepCheckpoints = 100
        let straight = RunFolder(path: dir + "/straight")
        let full = try CharTransformerWorkflow.train(config, corpus: corpus, folder: straight, options: options)
        XCTAssertEqual(full["steps"] as? Int, 12)
        try FileManager.default.copyItem(atPath: straight.path, toPath: dir + "/resumed")
        let resumed = RunFolder(path: dir + "/resumed")
        let store = CheckpointStore(run: resumed)
        XCTAssertEqual(store.stepFolders().map { ($0 as NSString).lastPathComponent }, ["step-000000004", "step-000000008", "step-000000012"])
        for folder in store.stepFolders().dropFirst() { try FileManager.default.removeItem(atPath: folder) }
        let atFour = try SafeTensors(contentsOf: try XCTUnwrap(store.latest()).modelPath)
        options.resume = true
        let again = try CharTransformerWorkflow.train(config, corpus: corpus, folder: resumed, options: options)
        XCTAssertEqual(again["val_loss"] as? Double, full["val_loss"] as? Double)
        let a = try SafeTensors(contentsOf: straight.modelPath), b = try SafeTensors(contentsOf: resumed.modelPath)
        XCTAssertEqual(a.names, b.names)
        for name in a.names { XCTAssertEqual(try a.floats(name), try b.floats(name), name) }
        XCTAssertNotEqual(try atFour.floats("transformer.wte.weight"), try b.floats("transformer.wte.weight"), "steps 5–12 trained")
        let steps = resumed.readMetrics().filter { $0["kind"] as? String == "step" }.compactMap { $0["step"] as? Int }
        XCTAssertEqual(steps, [4, 8, 12])
    }

    func testBadConfigurationsAndForeignCheckpointsAreOneLineErrors() throws {
        var rng = RandomGenerator(seed: 0)
        XCTAssertThrowsError(try CharTransformer(config: CharTransformerConfig(vocabularySize: 5, heads: 3, width: 128), rng: &rng)) {
            XCTAssertEqual("\($0)", "--heads 3 does not divide --embed 128 (each head needs width/heads features)")
        }
        let small = try CharTransformer(config: CharTransformerConfig(vocabularySize: 5, blockSize: 4, layers: 1, heads: 2, width: 8), rng: &rng)
        let other = try CharTransformer(config: CharTransformerConfig(vocabularySize: 5, blockSize: 4, layers: 2, heads: 2, width: 8), rng: &rng)
        var state: [String: Tensor] = [:]
        for (n, t) in other.stateDict() { state[n] = t }
        XCTAssertThrowsError(try small.loadStateDict(state, source: "other.safetensors")) {
            XCTAssert("\($0)".contains("does not fit this architecture"), "\($0)")
        }
    }
}
