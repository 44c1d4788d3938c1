@_exported import NeuralNetworks
@_exported import Datasets
@_exported import Imaging
