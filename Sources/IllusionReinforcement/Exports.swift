@_exported import IllusionNeuralNetworks
@_exported import IllusionImaging
