// libFuzzer target: the safetensors parser (header JSON, offsets, dtypes) on arbitrary bytes.
// Built by scripts/fuzz.sh with every source of IllusionTensors.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? SafeTensors(bytes: bytes, source: "fuzz.safetensors") {
        for name in file.names { _ = try? file.tensor(name); _ = try? file.int64s(name) }
        _ = try? file.serialized()
    }
    return 0
}
