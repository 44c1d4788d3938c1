import ArgumentParser
import Foundation
import IllusionModels

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify an image with a trained cnn or autoencoder run: The input image is 99.8% \"Trouser\".")

    @Option(name: .customLong("run"), help: "Run folder of a cnn or autoencoder run.") var runPath: String
    @Option(help: "Image file (PNG or JPEG); resized to the model's input, light backgrounds inverted.") var image: String
    @Option(help: "Invert the image: auto, yes or no.") var invert: String = "auto"
    @Flag(help: "Print the class probabilities as one JSON object on stdout.") var json = false

    func run() throws {
        try runReportingErrors {
            let invertChoice: Bool?
            switch invert {
            case "auto": invertChoice = nil
            case "yes": invertChoice = true
            case "no": invertChoice = false
            default: throw ModelError.invalidArgument("--invert must be auto, yes or no, got '\(invert)'")
            }
            guard FileManager.default.fileExists(atPath: image) else { throw ModelError.invalidArgument("--image \(image): no such file") }
            let classifier = try ImageClassifierRun(path: runPath)
            let probabilities = try classifier.classify(imagePath: image, invert: invertChoice)
            let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
            if json {
                printJSON(["class": classifier.classNames[best], "class_index": best, "probability": probabilities[best],
                           "probabilities": Dictionary(uniqueKeysWithValues: zip(classifier.classNames, probabilities))])
            } else {
                print(ImageClassifierRun.sentence(probabilities: probabilities, classNames: classifier.classNames))
            }
        }
    }
}
