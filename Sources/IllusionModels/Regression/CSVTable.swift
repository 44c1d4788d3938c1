import Foundation

/// A numeric table read from a CSV file (RFC 4180, see ``CSVRecords``): a header row of column
/// names, then one row per sample. The separator is a comma, or a semicolon or tab when the header
/// has no comma outside quotes. Blank lines and lines starting with `#` are skipped.
///
/// Cells of a used column must be finite numbers: an empty cell, `NaN`, `inf` or text is an error
/// naming the file, the 1-based line and the column — or, with `dropInvalidRows`, the row is left
/// out and counted. Without an explicit feature list, a column none of whose cells is a number
/// (a name, a category) is not a feature.
public struct CSVTable {
    public let path: String
    public let columnNames: [String]
    /// `rows[i][j]` is column j of sample i, as text.
    let rows: [[String]]
    /// 1-based file line of each row (for error messages).
    let lineNumbers: [Int]

    public var rowCount: Int { rows.count }

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError.invalidArgument("--csv \(path): cannot read the file")
        }
        guard String(data: data, encoding: .utf8) != nil else {
            throw ModelError.invalidArgument("--csv \(path): not UTF-8 text")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    public init(text: String, path: String = "<csv>") throws {
        try self.init(bytes: Array(text.utf8), path: path)
    }

    init(bytes: [UInt8], path: String) throws {
        self.path = path
        var body = bytes
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }   // UTF-8 byte-order mark
        let separator = Self.separator(of: body)
        let records: [CSVRecords.Record]
        do {
            records = try CSVRecords.parse(body, separator: separator).filter { r in
                !(r.fields.count == 1 && r.fields[0].isEmpty) && !(r.fields.first?.hasPrefix("#") ?? false)
            }
        } catch CSVRecords.Failure.malformed(let line, let reason) {
            throw ModelError.invalidArgument("--csv \(path): line \(line): \(reason)")
        }
        guard let header = records.first else { throw ModelError.invalidArgument("--csv \(path): the file is empty") }
        columnNames = header.fields
        var rows: [[String]] = [], numbers: [Int] = []
        for r in records.dropFirst() {
            guard r.fields.count == columnNames.count else {
                throw ModelError.invalidArgument("--csv \(path): line \(r.line) has \(r.fields.count) fields, the header has \(columnNames.count)")
            }
            rows.append(r.fields); numbers.append(r.line)
        }
        guard !rows.isEmpty else { throw ModelError.invalidArgument("--csv \(path): no data rows after the header") }
        self.rows = rows
        lineNumbers = numbers
    }

    /// Comma, unless the first line has none outside quotes and has a semicolon (then `;`) or a tab.
    static func separator(of bytes: [UInt8]) -> UInt8 {
        var inQuotes = false, semicolon = false, tab = false
        for b in bytes {
            if b == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") { break }
            if b == UInt8(ascii: ",") { return b }
            if b == UInt8(ascii: ";") { semicolon = true }
            if b == UInt8(ascii: "\t") { tab = true }
        }
        return semicolon ? UInt8(ascii: ";") : (tab ? UInt8(ascii: "\t") : UInt8(ascii: ","))
    }

    /// Index of a column by name; the error lists the available names.
    public func columnIndex(_ name: String) throws -> Int {
        guard let j = columnNames.firstIndex(of: name) else {
            throw ModelError.invalidArgument("--target \(name): no such column in \(path) (columns: \(columnNames.joined(separator: ", ")))")
        }
        return j
    }

    /// A cell as a finite number, or nil (empty, NaN, ±∞, text).
    static func number(_ cell: String) -> Double? {
        guard let v = Double(cell), v.isFinite else { return nil }
        return v
    }

    /// The error for an unusable cell: file, line, column and what is there.
    func invalidCell(row i: Int, column j: Int) -> ModelError {
        let cell = rows[i][j]
        let what = cell.isEmpty ? "is empty" : (Double(cell) != nil ? "'\(cell)' is not finite" : "'\(cell)' is not a number")
        return ModelError.invalidArgument("--csv \(path): line \(lineNumbers[i]), column '\(columnNames[j])': \(what)"
                                          + " (pass --drop-invalid-rows to leave such rows out)")
    }

    /// The values of column `j` as numbers (every cell must be a finite number).
    public func numericColumn(_ j: Int) throws -> [Double] {
        try rows.indices.map { i in
            guard let v = Self.number(rows[i][j]) else { throw invalidCell(row: i, column: j) }
            return v
        }
    }

    /// True when some cell of column `j` is a number (a column of names or categories has none).
    public func isNumeric(_ j: Int) -> Bool { rows.contains { Double($0[j]) != nil } }

    /// Splits the table into a feature matrix and a target column.
    /// `features` nil uses every other column that holds numbers.
    public func regressionData(target: String, features: [String]? = nil) throws -> RegressionData {
        try regressionData(target: target, features: features, dropInvalidRows: false).data
    }

    /// As ``regressionData(target:features:)``; with `dropInvalidRows` a row with an unusable cell
    /// in a used column is left out instead of being an error, and `droppedRows` counts them.
    public func regressionData(target: String, features: [String]?, dropInvalidRows: Bool) throws
        -> (data: RegressionData, droppedRows: Int) {
        let t = try columnIndex(target)
        let featureIndices: [Int]
        if let features {
            featureIndices = try features.map { name in
                guard let j = columnNames.firstIndex(of: name) else {
                    throw ModelError.invalidArgument("--features: no column '\(name)' in \(path) (columns: \(columnNames.joined(separator: ", ")))")
                }
                return j
            }
        } else {
            featureIndices = columnNames.indices.filter { $0 != t && isNumeric($0) }
        }
        guard !featureIndices.isEmpty else {
            throw ModelError.invalidArgument("--csv \(path): no numeric feature columns besides the target '\(target)'")
        }
        let used = featureIndices + [t]
        var x: [Double] = [], y: [Double] = [], dropped = 0
        rowLoop: for i in rows.indices {
            var values: [Double] = []
            for j in used {
                guard let v = Self.number(rows[i][j]) else {
                    if dropInvalidRows { dropped += 1; continue rowLoop }
                    throw invalidCell(row: i, column: j)
                }
                values.append(v)
            }
            x += values.dropLast(); y.append(values.last!)
        }
        guard !y.isEmpty else { throw ModelError.invalidArgument("--csv \(path): every one of the \(rowCount) rows has an unusable cell") }
        let data = RegressionData(features: x, targets: y, featureCount: featureIndices.count,
                                  featureNames: featureIndices.map { columnNames[$0] }, targetName: target)
        return (data, dropped)
    }
}
