@_exported import IllusionNeuralNetworks
@_exported import IllusionDatasets
@_exported import IllusionImaging
