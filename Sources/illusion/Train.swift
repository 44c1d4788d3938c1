import ArgumentParser

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model into a run folder.",
        subcommands: [TrainVAE.self, TrainLinearRegression.self, TrainLogisticRegression.self, TrainMLP.self, TrainCNN.self,
                      TrainAutoencoder.self, TrainDCGAN.self, TrainConditionalGAN.self, TrainStackGAN.self,
                      TrainCharLM.self, TrainSeqClassifier.self, TrainSeq2Seq.self])
}
