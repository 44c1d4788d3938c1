import Foundation

// Every run kind read back from config.json (see ConfigFileCheck): its own rules, then a generous
// upper bound on its parameter count (over-counting is fine; it only has to stop absurd sizes).

extension VAERunConfig: CheckedRunConfig {
    public func validateLoaded() throws {
        try model.validate(); try training.validate()
    }
    public var parameterBound: Double {
        // linear/mlp: dense layers on the flattened image (≤ 512 wide or latentDim); conv archs: ≤ 512 channels.
        let pixels = Double(model.channels) * Double(model.imageSize) * Double(model.imageSize)
        let width = Double(max(512, model.latentDim))
        return 4 * pixels * width + 4 * Double(model.latentDim) * 512 * 16 + Double(model.channels) * 512 * 9 * 2 + 20e6
    }
}

extension GANRunConfig: CheckedRunConfig {
    public func validateLoaded() throws {
        try model.validate(); try training.validate()
        if model.isConditional, !model.conditionNames.isEmpty, model.conditionNames.count != model.conditionDim {
            throw ModelError.invalidArgument("model.conditionNames has \(model.conditionNames.count) names for conditionDim \(model.conditionDim)")
        }
    }
    public var parameterBound: Double {
        guard let (base, doublings) = model.geometry else { return .infinity }
        let top = Double(max(model.generatorWidth, model.discriminatorWidth)) * pow(2, Double(doublings - 1))
        let inputs = Double(model.noiseDim + model.conditionDim + model.augmentedDim + model.discriminatorConditionDim)
        let dense = inputs * top * Double(base * base) * 2
        let convolutions = 2 * Double(doublings + 1) * top * top * 16
        return dense + convolutions + 2 * Double(model.channels) * top * 16
            + Double(model.conditionDim) * Double(model.augmentedDim + model.discriminatorConditionDim) * 4
    }
}

extension CNNRunConfig: CheckedRunConfig {
    public func validateLoaded() throws {
        try model.validate(); try training.validate()
    }
    public var parameterBound: Double {
        let m = model, k2 = Double(m.kernelSize * m.kernelSize)
        let side = Double(max(m.featureSize, 1))
        let widths = [m.channels] + m.blockFilters
        let convolutions = zip(widths, widths.dropFirst()).reduce(0.0) { $0 + Double($1.0) * k2 * Double($1.1) }
        return convolutions + Double(widths.last!) * side * side * Double(m.denseUnits) + Double(m.denseUnits) * Double(m.classCount)
            + 4 * Double(m.blockFilters.reduce(0, +) + m.denseUnits + m.classCount)
    }
}

extension AutoencoderRunConfig: CheckedRunConfig {
    public func validateLoaded() throws {
        try model.validate(); try training.validate()
        for (name, values) in [("codeMean", model.codeMean), ("codeStd", model.codeStd)]
        where !values.isEmpty && values.count != model.latentDim {
            throw ModelError.invalidArgument("model.\(name) has \(values.count) values for latentDim \(model.latentDim)")
        }
    }
    public var parameterBound: Double {
        let m = model
        var widths = [m.latentDim] + m.classifierHiddenUnits + [m.classNames.count]
        var classifier = 0.0
        while widths.count >= 2 { classifier += Double(widths[0] + 1) * Double(widths[1]); widths.removeFirst() }
        return 2 * (Double(m.channels) * 9 * Double(m.conv1Filters) + Double(m.conv1Filters) * 9 * Double(m.conv2Filters))
            + 2 * Double(m.conv2Filters) * Double(m.bottleneckSize * m.bottleneckSize) * Double(m.latentDim) + classifier
    }
}

extension CharLMConfig: CheckedRunConfig {
    public func validateLoaded() throws {
        guard vocabulary.count >= 1 else { throw ModelError.invalidArgument("vocabulary is empty") }
    }
    public var parameterBound: Double {
        let v = Double(vocabulary.count), e = Double(embedding), h = Double(hidden)
        return v * e + Double(layers) * 4 * (e + h + 2) * h + (h + 1) * v
    }
}

extension CharTransformerRunConfig: CheckedRunConfig {
    public func validateLoaded() throws {
        try model.validate()
        guard model.vocabularySize == vocabulary.count else {
            throw ModelError.invalidArgument("model.vocabularySize is \(model.vocabularySize) but the vocabulary has \(vocabulary.count) characters")
        }
    }
    public var parameterBound: Double {
        let w = Double(model.width)
        return Double(model.vocabularySize + model.blockSize) * w * 2 + Double(model.layers) * (12 * w * w + 16 * w)
    }
}
