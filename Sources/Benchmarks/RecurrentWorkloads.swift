import Foundation
import IllusionModels

/// The recurrent workloads, as the PyTorch peers `charlm_lstm.py` and `seq_fmnist_lstm.py` train:
/// - `charlm-lstm`: Embedding(84, 256) → 2-layer LSTM 256 → Linear(256, 84), truncated BPTT over 32
///   streams of 128 characters with the state carried (detached), Adam 2e-3, clip 1.0; "images" =
///   characters, 4,096 per step. The stream is random ids over 84 characters (the Shakespeare
///   corpus's vocabulary size; the speed does not depend on the text). Runs as `illusion train
///   char-lm`: our threads, OpenBLAS single-threaded (``ComputeContext/layers(_:)``).
/// - `seq-fmnist`: LSTM(28, 128) over the 28 rows of real Fashion-MNIST images → Linear(128, 10),
///   Adam 1e-3, batch 128; as `illusion train seq-classifier` (our threads, OpenBLAS single-threaded:
///   the batch is split between threads).
enum RecurrentWorkloads {
    static let all: [Workload] = [
        Workload(name: "charlm-lstm", title: "char-LM LSTM 2×256, seq 128, batch 32 (chars)", batch: 32 * 128, steps: (20, 5), warmup: 2),
        Workload(name: "seq-fmnist", title: "sequential Fashion-MNIST LSTM 28→128, batch 128", batch: 128, steps: (60, 15), warmup: 3),
    ]

    static let vocabulary = 84

    /// Matmul FLOPs of an LSTM layer over `rows` = N·T steps: input and recurrent products
    /// 2·rows·4H·(I + H) forward; backward twice that (dX and dh, dW_ih and dW_hh).
    static func lstmFLOPs(rows: Int, input: Int, hidden: Int) -> Double {
        2 * Double(rows) * Double(4 * hidden) * Double(input + hidden)
    }

    static func make(_ workload: Workload) throws -> TrainingSetup {
        switch workload.name {
        case "charlm-lstm": return try charLM(streams: 32, steps: 128)
        default: return try sequentialFashion(batch: workload.batch)
        }
    }

    static func charLM(streams: Int, steps: Int) throws -> TrainingSetup {
        ComputeContext.layers(ParallelLoops.threads).apply()  // as `illusion train char-lm --threads`
        let alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'-()[]&\n\"*/_=+<>#%@$^`~{}|"
        let vocabulary = CharVocabulary(of: alphabet.unicodeScalars.prefix(Self.vocabulary))
        var config = CharLMConfig(vocabulary: vocabulary)
        config.seqLen = steps
        config.batchSize = streams
        var rng = RandomGenerator(seed: 0)
        let model = CharLanguageModel(config: config, rng: &rng)
        let optimizer = Adam(parameters: model.parameters, learningRate: 2e-3)
        var streamRNG = RandomGenerator(seed: 1)
        let length = 20 * steps + 1
        let rows = (0..<streams).map { _ in (0..<length).map { _ in Int32(streamRNG.nextInt(below: Self.vocabulary)) } }
        var window = 0
        var state: RecurrentState? = nil
        var flops = FLOPCount()
        let tokens = streams * steps
        flops.forward = lstmFLOPs(rows: tokens, input: config.embedding, hidden: config.hidden)
            + lstmFLOPs(rows: tokens, input: config.hidden, hidden: config.hidden) + 2 * Double(tokens * config.hidden * Self.vocabulary)
        flops.backward = 2 * flops.forward
        return TrainingSetup(flops: flops) {
            if (window + 1) * steps >= length { window = 0; state = nil }
            var x: [Int] = [], y: [Int] = []
            for row in rows {
                for t in 0..<steps {
                    x.append(Int(row[window * steps + t]))
                    y.append(Int(row[window * steps + t + 1]))
                }
            }
            window += 1
            let out = model.forward(ids: x, batch: streams, steps: steps, state: state?.detached())
            state = out.state.detached()
            let loss = crossEntropy(logits: out.logits, labels: y)
            let value = loss.scalar
            optimizer.zeroGrad()
            loss.backward()
            _ = clipGradientNorm(parameters: model.parameters, maxNorm: 1)
            optimizer.step()
            return value
        }
    }

    static func sequentialFashion(batch: Int) throws -> TrainingSetup {
        let data = try FashionMNIST.load(.train)
        var rng = RandomGenerator(seed: 0)
        let model = SequenceClassifier(rng: &rng)
        let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
        var order = rng.permutation(data.count)
        var position = 0
        var flops = FLOPCount()
        flops.forward = lstmFLOPs(rows: batch * 28, input: 28, hidden: 128) + 2 * Double(batch * 128 * 10)
        flops.backward = 2 * flops.forward
        return TrainingSetup(flops: flops) {
            if position + batch > order.count { order = rng.permutation(data.count); position = 0 }
            let indices = Array(order[position..<(position + batch)])
            position += batch
            let x = data.floatImages(at: indices, encoding: .unitRange).reshaped([batch, data.height, data.width])
            let loss = crossEntropy(logits: model(x), labels: indices.map { data.labels[$0] })
            let value = loss.scalar
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            return value
        }
    }
}
