// libFuzzer target: the PNG/JPEG decoding wrappers (signature sniffing, header checks, libpng's
// simplified API, TurboJPEG) as grey, RGB and natural channels.
// Built by scripts/fuzz.sh with IllusionImaging's codec files.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    // libFuzzer's default RSS limit is 2 GB; keep single decodes well below it.
    ImageDecodeLimits.maximumPixels = 4_000_000
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for channels in [1, 3, nil] as [Int?] {
        if let image = try? PixelImage(encoded: bytes, source: "fuzz.img", channels: channels) {
            precondition(image.pixels.count == image.width * image.height * image.channels)
        }
    }
    return 0
}
