@_exported import IllusionTensors
