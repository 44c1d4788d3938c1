import ArgumentParser
import Foundation
import IllusionModels

/// Hidden: `illusion data-bench read` loads an image folder (in memory or through the decoded
/// cache) and draws every batch of an epoch as the trainers do (seeded permutation, Float
/// conversion; the next batch prefetched while the current one is converted, as the trainers'
/// training step overlaps it), printing images/s and peak RSS (VmHWM) as JSON;
/// scripts/data_cache_measure.sh runs it on generated folders.
struct DataCacheBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-bench", abstract: "Measure the decoded-image cache (read batches of a folder).",
        shouldDisplay: false, subcommands: [Read.self])

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
                    func batch(_ b: Int) -> [Int] { Array(order[(b * batchSize)..<min(data.count, (b + 1) * batchSize)]) }
                    data.prefetchImages(at: batch(0))
                    for b in 0..<steps {
                        let indices = batch(b)
                        // The next batch is read in the background while this one is converted.
                        if b + 1 < steps { data.prefetchImages(at: batch(b + 1)) }
                        let x = data.floatImages(at: indices, encoding: .symmetricRange, generator: &rng)
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
