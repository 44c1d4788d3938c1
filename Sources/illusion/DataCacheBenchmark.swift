import ArgumentParser
import Foundation
import IllusionModels

/// Hidden: `illusion data-bench generate` writes N synthetic JPEGs (for measuring data larger than
/// memory); `illusion data-bench read` loads an image folder (in memory or through the decoded
/// cache) and draws one epoch of batches as the trainers do, printing images/s and peak RSS.
struct DataCacheBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-bench", abstract: "Measure the decoded-image cache (generate a folder, read batches).",
        shouldDisplay: false, subcommands: [Generate.self, Read.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write COUNT seeded 8-bit RGB JPEGs of SIZE² into DIR.")
        @Option(parsing: .unconditional) var count: Int
        @Option(name: .customLong("image-size"), parsing: .unconditional) var imageSize: Int = 128
        @Option var out: String

        func run() throws {
            try runReportingErrors {
                guard count > 0, imageSize > 0, imageSize <= 1024 else { throw ValidationError("--count and --image-size must be positive") }
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                let s = imageSize
                for i in 0..<count {
                    var g = RandomGenerator(seed: UInt64(i))
                    let (r0, g0, b0) = (g.nextInt(below: 200), g.nextInt(below: 200), g.nextInt(below: 200))
                    let cx = g.nextInt(below: s), cy = g.nextInt(below: s), radius = s / 6 + g.nextInt(below: s / 4)
                    var px = [UInt8](repeating: 0, count: s * s * 3)
                    for y in 0..<s {
                        for x in 0..<s {
                            let inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius
                            let o = (y * s + x) * 3
                            px[o] = UInt8((r0 + x / 3 + (inside ? 50 : 0)) % 256)
                            px[o + 1] = UInt8((g0 + y / 3) % 256)
                            px[o + 2] = UInt8((b0 + (inside ? 0 : 40) + g.nextInt(below: 16)) % 256)
                        }
                    }
                    try PixelImage(width: s, height: s, channels: 3, pixels: px)
                        .writeJPEG(to: out + "/" + String(format: "img%07d.jpg", i), quality: 90)
                    if (i + 1) % 10000 == 0 { logLine("generated \(i + 1)/\(count)") }
                }
            }
        }
    }

    struct Read: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load DIR and draw every batch of EPOCHS epochs as the trainers do.")
        @Option var data: String
        @Option(name: .customLong("image-size"), parsing: .unconditional) var imageSize: Int = 128
        @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 128
        @Option(parsing: .unconditional) var epochs: Int = 1
        @OptionGroup var imageData: ImageDataArguments

        func run() throws {
            try runReportingErrors {
                try imageData.apply()
                let began = Date()
                var options = ImageFolderOptions(imageSize: imageSize, channels: 3)
                options.skipUndecodable = imageData.skipBadImages
                let data = try ImageFolder.load(directory: self.data, options: options).dataset
                let loaded = Date()
                var rng = RandomGenerator(seed: 1)
                var drawn = 0, checksum: Double = 0
                for _ in 0..<epochs {
                    let order = rng.permutation(data.count)
                    let steps = (data.count + batchSize - 1) / batchSize
                    for b in 0..<steps {
                        let indices = Array(order[(b * batchSize)..<min(data.count, (b + 1) * batchSize)])
                        let x = data.floatImages(at: indices, encoding: .symmetricRange, generator: &rng)
                        if b + 1 < steps { data.prefetchImages(at: Array(order[((b + 1) * batchSize)..<min(data.count, (b + 2) * batchSize)])) }
                        checksum += Double(x.storage[0]) + Double(x.storage[x.storage.count - 1])
                        drawn += indices.count
                    }
                }
                let seconds = Date().timeIntervalSince(loaded)
                let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
                func kilobytes(_ key: String) -> Int {
                    status.split(separator: "\n").first { $0.hasPrefix(key) }
                        .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? -1
                }
                printJSON(["images": data.count, "mapped": data.pixels.mappedFile != nil, "load_seconds": loaded.timeIntervalSince(began),
                           "read_seconds": seconds, "images_per_second": Double(drawn) / seconds, "checksum": checksum,
                           "vm_hwm_kb": kilobytes("VmHWM:"), "vm_rss_kb": kilobytes("VmRSS:")] as [String: Any])
            }
        }
    }
}
