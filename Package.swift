// swift-tools-version:6.0
import PackageDescription

// One direction of dependency: illusion (CLI) → IllusionModels → IllusionNeuralNetworks → IllusionTensors → CBLAS.
// IllusionDatasets and IllusionImaging know only IllusionTensors (datasets use the imaging codecs to decode JPEG/PNG).
// Every module carries the `Illusion` prefix so that none collides with another package's module;
// the umbrella module `IllusionCraft` re-exports them all (`import IllusionCraft`).
// Release builds use the default -O (preconditions stay on: bad shapes fail with a message, never
// silent garbage). `make ... NATIVE=1` adds -target-cpu native for the user's own CPU only.
let optimized: [SwiftSetting] = []

let package = Package(
    name: "IllusionCraft",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "illusion", targets: ["illusion"]),
        .library(name: "IllusionCraft", targets: ["IllusionCraft"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(name: "CImageCodecs", path: "Sources/CImageCodecs", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev", "libturbojpeg0-dev", "zlib1g-dev"]), .brew(["libpng", "jpeg-turbo"])]),
        // Open MPI through dlopen at run time (no MPI needed to build; see docs/distributed.md).
        .target(name: "CMPIShim", path: "Sources/CMPIShim", linkerSettings: [.linkedLibrary("dl")]),
        // Our packed-panel GEMM micro-kernels (AVX2/AVX-512 chosen at run time; no -m flag in the build).
        .target(name: "CMicroKernels", path: "Sources/CMicroKernels"),
        .target(name: "IllusionTensors", dependencies: ["CBLAS", "CMicroKernels"], swiftSettings: optimized),
        .target(name: "IllusionNeuralNetworks", dependencies: ["IllusionTensors", "CMicroKernels"], swiftSettings: optimized),
        .target(name: "IllusionImaging", dependencies: ["IllusionTensors", "CImageCodecs"], swiftSettings: optimized),
        .target(name: "IllusionDatasets", dependencies: ["IllusionTensors", "IllusionImaging"], swiftSettings: optimized),
        .target(name: "IllusionModels", dependencies: ["IllusionNeuralNetworks", "IllusionDatasets", "IllusionImaging", "CMPIShim"], swiftSettings: optimized),
        .target(name: "IllusionReinforcement", dependencies: ["IllusionNeuralNetworks", "IllusionImaging"], swiftSettings: optimized),
        .executableTarget(name: "illusion", dependencies: [
            "IllusionModels", "IllusionReinforcement", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimized),
        .target(name: "IllusionCraft", dependencies: ["IllusionModels", "IllusionReinforcement"], swiftSettings: optimized),
        .executableTarget(name: "Benchmarks", dependencies: ["IllusionModels", "CMicroKernels"], swiftSettings: optimized),
        .testTarget(name: "TensorsTests", dependencies: ["IllusionTensors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["IllusionNeuralNetworks"], resources: [.copy("Fixtures")]),
        // The executable finder and requireData shared by the test targets.
        .target(name: "IllusionTestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "DatasetsTests", dependencies: ["IllusionDatasets", "IllusionTestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["IllusionImaging"]),
        .testTarget(name: "ModelsTests", dependencies: ["IllusionModels", "IllusionTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ReinforcementTests", dependencies: ["IllusionReinforcement", "IllusionTestSupport"], resources: [.copy("Fixtures")]),
        // Uses only `import IllusionCraft` (no @testable): proves the public API is enough.
        .testTarget(name: "PublicAPITests", dependencies: ["IllusionCraft"]),
    ],
    // Swift 6 language mode is not on yet: the kernels share `Tensor` storage with worker threads
    // through unsafe pointers (ParallelLoops, the chunked convolution engine), which strict
    // concurrency checking would reject without a Sendable design of the tensor type. Grad mode is
    // per thread (a pthread slot); the thread counts are one explicit `ComputeContext` (IllusionTensors),
    // process-wide because OpenBLAS's count is (docs/training.md), applied by the CLI and `Trainer.compute`.
    swiftLanguageModes: [.v5]
)
