// swift-tools-version:6.0
import PackageDescription

// One direction of dependency: illusion (CLI) → Models → NeuralNetworks → Tensors → CBLAS.
// Datasets and Imaging know only Tensors (Datasets uses Imaging's codecs to decode JPEG/PNG).
// Release builds use the default -O (preconditions stay on: bad shapes fail with a message, never
// silent garbage). `make ... NATIVE=1` adds -target-cpu native for the user's own CPU only.
let optimized: [SwiftSetting] = []

let package = Package(
    name: "IllusionCraft",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "illusion", targets: ["illusion"]),
        .library(name: "IllusionCraft", targets: ["Tensors", "NeuralNetworks", "Datasets", "Imaging", "Models"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CImageCodecs", path: "Sources/CImageCodecs"),
        .target(name: "Tensors", dependencies: ["CBLAS"], swiftSettings: optimized),
        .target(name: "NeuralNetworks", dependencies: ["Tensors"], swiftSettings: optimized),
        .target(name: "Imaging", dependencies: ["Tensors", "CImageCodecs"], swiftSettings: optimized),
        .target(name: "Datasets", dependencies: ["Tensors", "Imaging"], swiftSettings: optimized),
        .target(name: "Models", dependencies: ["NeuralNetworks", "Datasets", "Imaging"], swiftSettings: optimized),
        .executableTarget(name: "illusion", dependencies: [
            "Models", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimized),
        .executableTarget(name: "Benchmarks", dependencies: ["Models"], swiftSettings: optimized),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models"]),
    ],
    swiftLanguageModes: [.v5]
)
