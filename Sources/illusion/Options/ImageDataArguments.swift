import ArgumentParser
import IllusionModels

/// `--data-cache` and `--skip-bad-images`: how the trainers that read image folders and CelebA
/// hold the decoded pixels, and what they do with a file that does not decode.
struct ImageDataArguments: ParsableArguments {
    @Option(name: .customLong("data-cache"), help: ArgumentHelp(
        "Where folder/celeba images are decoded to: off (memory), auto (memory up to 1 GiB of decoded pixels, above that a memory-mapped cache file in $ILLUSION_DATA_CACHE or ~/.cache/illusioncraft/data), or a directory for the cache file (built once, reused while the images are unchanged). The same batches either way.",
        valueName: "DIR|auto|off"))
    var dataCache: String = "auto"
    @Flag(name: .customLong("skip-bad-images"), help: "Leave out folder/celeba images that cannot be decoded (truncated, corrupt, over the pixel limit) with a warning each and a count, instead of stopping.")
    var skipBadImages = false

    /// Makes `--data-cache` the policy of every image load of this process.
    func apply() throws {
        guard !dataCache.isEmpty else { throw ValidationError("--data-cache: expected a directory, auto or off") }
        DataCachePolicy.current = DataCachePolicy(argument: dataCache)
    }
}
