import Foundation

/// Test figures of a classifier: accuracy, mean cross-entropy (nats) and the confusion matrix.
public struct ClassifierEvaluation: Codable, Equatable {
    public var accuracy: Double
    public var loss: Double
    /// `confusion[true class][predicted class]` counts.
    public var confusion: [[Int]]
    public var images: Int

    /// Per-class recall (fraction of each true class predicted correctly).
    public var recall: [Double] {
        confusion.enumerated().map { i, row in Double(row[i]) / Double(max(row.reduce(0, +), 1)) }
    }
}

public enum ClassifierEvaluator {
    /// Runs `logits` (images `[B, C, H, W]` → `[B, K]`) over the whole dataset in evaluation mode.
    public static func evaluate(on dataset: ImageDataset, classCount: Int, batchSize: Int = 500,
                                logits: (Tensor) -> Tensor) -> ClassifierEvaluation {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        var lossSum = 0.0, correct = 0
        noGrad {
            var start = 0
            while start < dataset.count {
                let indices = Array(start..<min(start + batchSize, dataset.count))
                let x = dataset.floatImages(at: indices, encoding: .unitRange)
                let out = logits(x)
                let labels = indices.map { dataset.labels[$0] }
                lossSum += Double(crossEntropy(logits: out, labels: labels, reduction: .sum).scalar)
                for (p, y) in zip(out.argmaxLastAxis(), labels) {
                    confusion[y][p] += 1
                    if p == y { correct += 1 }
                }
                start += batchSize
            }
        }
        let n = max(dataset.count, 1)
        return ClassifierEvaluation(accuracy: Double(correct) / Double(n), loss: lossSum / Double(n),
                                    confusion: confusion, images: dataset.count)
    }
}
