import Foundation
import XCTest
@testable import IllusionModels

/// The date-normalisation task, the attention encoder–decoder, its decoders and its training.
final class Seq2SeqTests: XCTestCase {
    func testDatesRenderInEveryFormatAndTheSplitsAreDisjointByDate() throws {
        let may3 = try XCTUnwrap(DateNormalizationTask.allDates.firstIndex(of: .init(year: 1998, month: 5, day: 3)))
        let date = DateNormalizationTask.allDates[may3]
        let rendered = (0..<DateNormalizationTask.formats.count).map { DateNormalizationTask.render(date, dayIndex: may3, format: $0) }
        XCTAssertEqual(rendered, ["3 May 1998", "03 May 1998", "May 3, 1998", "May 3 1998", "3 May 98", "Sunday, May 3rd, 1998",
                                  "Sun 3 May 1998", "3rd of May 1998", "05/03/1998", "5/3/98", "03.05.1998", "3.5.98",
                                  "1998-05-03", "19980503", "1998/5/3", "May 1998, 3"])
        XCTAssertEqual(DateNormalizationTask.render(date, dayIndex: may3, format: 6, casing: 2), "SUN 3 MAY 1998")
        XCTAssertEqual(DateNormalizationTask.allDates.count, 36525)
        let train = DateNormalizationTask.examples(.train, count: 5000, seed: 1)
        XCTAssertEqual(train, DateNormalizationTask.examples(.train, count: 5000, seed: 1), "seeded")
        XCTAssertNotEqual(train, DateNormalizationTask.examples(.train, count: 5000, seed: 2))
        let trainDates = Set(train.map(\.target))
        let test = DateNormalizationTask.examples(.test, count: 2000, seed: 1)
        let validation = DateNormalizationTask.examples(.validation, count: 2000, seed: 1)
        XCTAssertTrue(trainDates.isDisjoint(with: test.map(\.target)), "no test date is a training date")
        XCTAssertTrue(trainDates.isDisjoint(with: validation.map(\.target)))
        XCTAssertTrue(Set(test.map(\.target)).isDisjoint(with: validation.map(\.target)))
        for e in train + test { XCTAssertNoThrow(try DateVocabulary.encodeSource(e.source), e.source) }
        XCTAssertThrowsError(try DateVocabulary.encodeSource("3 Mai 1998 é")) { error in
            XCTAssertTrue("\(error)".contains("'é'"), "\(error)")
        }
    }

    func makeModel(attention: Bool = true, arch: RecurrentKind = .gru) -> AttentionSeq2Seq {
        var config = Seq2SeqConfig()
        config.arch = arch; config.attention = attention; config.embedding = 8; config.hidden = 12; config.attentionSize = 10
        var rng = RandomGenerator(seed: 5)
        return AttentionSeq2Seq(config, rng: &rng)
    }

    func testBeamOfOneIsGreedyAndWiderBeamsScoreAtLeastAsHigh() throws {
        let data = try Seq2SeqExamples(DateNormalizationTask.examples(.test, count: 12, seed: 3))
        for arch in [RecurrentKind.gru, .lstm] {
            let model = makeModel(arch: arch)
            model.setTraining(false)
            let greedy = Seq2SeqDecoding.greedy(model, sources: data.sources)
            let one = Seq2SeqDecoding.beamSearch(model, sources: data.sources, beam: 1)
            let four = Seq2SeqDecoding.beamSearch(model, sources: data.sources, beam: 4)
            for i in 0..<data.count {
                XCTAssertEqual(one[i].ids, greedy[i].ids)
                XCTAssertEqual(one[i].logProbability, greedy[i].logProbability, accuracy: 1e-4)
                XCTAssertGreaterThanOrEqual(four[i].logProbability, greedy[i].logProbability - 1e-4)
                XCTAssertEqual(greedy[i].weights.count, greedy[i].ids.count)
                for row in greedy[i].weights {  // attention over the source characters only, a distribution
                    XCTAssertEqual(row.count, data.sources[i].count)
                    XCTAssertEqual(Double(row.reduce(0, +)), 1, accuracy: 1e-5)
                }
            }
        }
    }

    /// Free running feeds the decoder its own outputs; teacher forcing feeds the truth. Fed its own
    /// greedy outputs as the "truth", teacher forcing must reproduce them step for step.
    func testTeacherForcingOnTheModelsOwnOutputsIsFreeRunning() throws {
        let data = try Seq2SeqExamples(DateNormalizationTask.examples(.test, count: 6, seed: 4))
        let model = makeModel()
        model.setTraining(false)
        let greedy = Seq2SeqDecoding.greedy(model, sources: data.sources, maxLength: 5)
        let own = greedy.map { Array($0.ids.prefix(5)) + [Int](repeating: 2, count: 5 - min($0.ids.count, 5)) }
        let logits = noGrad { model.teacherForcedLogits(sources: data.sources, targets: own) }
        let predicted = logits.reshaped([6 * 5, DateVocabulary.targetCount]).argmaxLastAxis()
        for (i, g) in greedy.enumerated() {
            for t in 0..<min(g.ids.count, 5) { XCTAssertEqual(predicted[i * 5 + t], g.ids[t], "example \(i) step \(t)") }
        }
    }

    /// The gradient of the loss reaches every encoder step through the attention (and every parameter).
    func testGradientReachesEveryEncoderStep() throws {
        let data = try Seq2SeqExamples(DateNormalizationTask.examples(.train, count: 3, seed: 6))
        let model = makeModel()
        let (ids, s, lengths) = AttentionSeq2Seq.padded(data.sources)
        let embedded = Tensor(shape: [3, s, 8], storage: [Float](repeating: 0, count: 3 * s * 8), requiresGrad: true)
        let base = model.sourceEmbedding.forward(ids: ids, shape: [3, s])
        let run = model.encoder.forward(base + embedded, state: nil, lengths: lengths)
        let memory = AttentionSeq2Seq.Memory(keys: run.output, projectedKeys: model.attention.projectKeys(run.output),
                                             summary: .zeros([3, 24]), lengths: lengths)
        let state = RecurrentState(hidden: .zeros([1, 3, 12]))
        let r = model.step(memory, state, tokens: [0, 0, 0])
        crossEntropy(logits: r.logits, labels: [2, 3, 4]).backward()
        for n in 0..<3 {
            for t in 0..<lengths[n] {
                let g = (0..<8).map { abs(embedded.grad![(n * s + t) * 8 + $0]) }.reduce(0, +)
                XCTAssertGreaterThan(g, 0, "input step \(t) of sequence \(n) receives gradient after one decoder step")
            }
        }
    }

    func testTrainsOnTheSharedLoopAndLearnsDates() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seq2seq-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var model = Seq2SeqConfig()
        model.embedding = 16; model.hidden = 32; model.attentionSize = 32
        var training = Seq2SeqTrainingOptions()
        training.epochs = 2; training.trainSize = 4000; training.batchSize = 32; training.learningRate = 3e-3
        training.validationSize = 200; training.testSize = 200; training.beam = 2
        let summary = try Seq2SeqWorkflow.run(Seq2SeqRunConfig(model: model, training: training), folder: RunFolder(path: dir), quiet: true)
        let chars = try XCTUnwrap(summary["test_char_accuracy_free_running"] as? Double)
        let loss = try XCTUnwrap(summary["test_loss"] as? Double)
        XCTAssertLessThan(loss, 0.7, "from ln 13 = 2.56 nats per character at the start: \(summary)")
        XCTAssertGreaterThan(chars, 0.5, "\(summary)")
        for file in ["attention.png", "curves.png", "report.html", "samples.txt", "test_metrics.json", "model.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent(file)), file)
        }
        let names = Set(try SafeTensors(contentsOf: (dir as NSString).appendingPathComponent("model.safetensors")).names)
        XCTAssertTrue(names.isSuperset(of: ["encoder.weight_ih_l0", "encoder.weight_hh_l0_reverse", "attention.score.weight", "output.weight"]))
    }
}
