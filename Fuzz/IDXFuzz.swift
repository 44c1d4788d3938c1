// libFuzzer target: the IDX parser, and the gzip reader in front of it for gzip input.
// Built by scripts/fuzz.sh with IDXFile, GzipInflater, FileBytes and DatasetError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if GzipReader.isGzip(bytes) {
        if let plain = try? GzipInflater.inflate(bytes, source: "fuzz.gz"), plain.count < 1 << 24 {
            _ = try? IDXFile(bytes: plain, source: "fuzz.idx")
        }
    } else {
        _ = try? IDXFile(bytes: bytes, source: "fuzz.idx")
    }
    return 0
}
