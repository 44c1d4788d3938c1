// libFuzzer target: the RFC 4180 CSV reader and the numeric column checks.
// Built by scripts/fuzz.sh with CSVRecords, CSVTable, RegressionData and ModelError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let table = try? CSVTable(bytes: bytes, path: "fuzz.csv") {
        for j in table.columnNames.indices { _ = try? table.numericColumn(j) }
        if let target = table.columnNames.last {
            _ = try? table.regressionData(target: target)
            _ = try? table.regressionData(target: target, features: nil, dropInvalidRows: true)
        }
    }
    return 0
}
