// swift-tools-version:6.0
import PackageDescription

// Programs that use IllusionCraft as any other package would: through its library product and
// `import IllusionCraft` alone. `make examples` (part of `make test`) builds them and runs them.
let package = Package(
    name: "IllusionCraftExamples",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "IllusionCraft", path: ".."),
    ],
    targets: [
        .executableTarget(name: "CustomLayer", dependencies: [.product(name: "IllusionCraft", package: "IllusionCraft")]),
        .executableTarget(name: "TinyVAE", dependencies: [.product(name: "IllusionCraft", package: "IllusionCraft")]),
        .executableTarget(name: "GenerateFromCheckpoint", dependencies: [.product(name: "IllusionCraft", package: "IllusionCraft")]),
    ],
    swiftLanguageModes: [.v5]
)
