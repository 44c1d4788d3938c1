// The umbrella module: `import IllusionCraft` is all a user of the library writes.
// It re-exports every layer of the stack, bottom to top:
//   IllusionTensors → IllusionNeuralNetworks → IllusionDatasets / IllusionImaging → IllusionModels.
// Each part can also be imported on its own (e.g. `import IllusionTensors` for the tensor and
// autograd core without the model zoo).
@_exported import IllusionTensors
@_exported import IllusionNeuralNetworks
@_exported import IllusionDatasets
@_exported import IllusionImaging
@_exported import IllusionModels
@_exported import IllusionReinforcement
