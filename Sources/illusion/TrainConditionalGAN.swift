import ArgumentParser
import Foundation
import IllusionModels

struct TrainConditionalGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cgan",
        abstract: "Train a conditional DCGAN with conditioning augmentation (StackGAN Stage-I) and a matching-aware discriminator.")

    @OptionGroup var options: GANTrainingArguments
    @Option(name: .customLong("condition-kind"), help: "class (one-hot labels; default for fashion-mnist/mnist/folder) or attributes (default for faces-synthetic/celeba).")
    var conditionKind: String?
    @Option(name: .customLong("augmented-dim"), parsing: .unconditional, help: "Length of ĉ = μ + σ·ε.") var augmentedDim: Int = 16
    @Option(name: .customLong("kl-weight"), parsing: .unconditional, help: "λ of the KL(N(μ, σ²) ‖ N(0, I)) term in the generator's loss.") var klWeight: Float = 1
    @Option(name: .customLong("aux-weight"), parsing: .unconditional, help: "Add an auxiliary classifier to D (AC-GAN): D names the condition of real images, G must make its images name theirs; this weighs both losses (e.g. 1; default: none).")
    var auxiliaryWeight: Float?

    func run() throws {
        try runReportingErrors {
            let kind = conditionKind ?? ([DatasetName.facesSynthetic, .celeba].contains(options.dataset) ? "attributes" : "class")
            try options.run(conditionKind: kind) { model, training in
                model.augmentedDim = augmentedDim
                training.klWeight = klWeight
                if let auxiliaryWeight { model.auxiliaryClassifier = true; training.auxiliaryWeight = auxiliaryWeight }
            }
        }
    }
}
