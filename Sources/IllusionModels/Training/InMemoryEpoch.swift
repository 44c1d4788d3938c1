import Foundation

/// One epoch of mini-batch softmax cross-entropy over the rows of an in-memory tensor, in a random
/// order drawn from `rng`: the inner loop of the small, folder-less trainings (the MLP point
/// classifier, the generalization experiments). They run hundreds of tiny models per command, where
/// the ``Trainer``'s run folder, checkpoints and metrics would cost more than the training; see
/// docs/training.md. x: `[n, …]`, labels: n class indices. Returns the mean loss over the n rows
/// (nats), each batch weighted by its rows.
func crossEntropyEpoch(_ model: Layer, x: Tensor, labels: [Int], optimizer: Optimizer, batchSize: Int,
                       rng: inout RandomGenerator) -> Double {
    let n = x.shape[0]
    let batch = min(batchSize, n)
    let order = rng.permutation(n)
    var sum = 0.0, start = 0
    while start < n {
        let rows = Array(order[start..<min(start + batch, n)])
        let loss = crossEntropy(logits: model(x.gatherRows(rows)), labels: rows.map { labels[$0] })
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        sum += Double(loss.scalar) * Double(rows.count)
        start += batch
    }
    return sum / Double(n)
}
