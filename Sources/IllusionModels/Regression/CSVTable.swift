import Foundation

/// A numeric table read from a CSV file: a header row of column names, then one row per sample.
///
/// Fields are separated by commas (or semicolons/tabs when the header has no comma); surrounding
/// spaces and double quotes are stripped. Every cell of a used column must parse as a number;
/// errors name the file, the 1-based line and the column.
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
        guard let text = String(data: data, encoding: .utf8) else {
            throw ModelError.invalidArgument("--csv \(path): not UTF-8 text")
        }
        try self.init(text: text, path: path)
    }

    public init(text: String, path: String = "<csv>") throws {
        self.path = path
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        var numbered = lines.enumerated().map { ($0.offset + 1, $0.element) }
            .filter { !$0.1.trimmingCharacters(in: .whitespaces).isEmpty && !$0.1.hasPrefix("#") }
        guard !numbered.isEmpty else { throw ModelError.invalidArgument("--csv \(path): the file is empty") }
        let header = numbered.removeFirst().1
        let separator: Character = header.contains(",") ? "," : (header.contains(";") ? ";" : "\t")
        func fields(_ line: String) -> [String] {
            line.split(separator: separator, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        columnNames = fields(header)
        var rows: [[String]] = [], numbers: [Int] = []
        for (number, line) in numbered {
            let f = fields(line)
            guard f.count == columnNames.count else {
                throw ModelError.invalidArgument("--csv \(path): line \(number) has \(f.count) fields, the header has \(columnNames.count)")
            }
            rows.append(f); numbers.append(number)
        }
        guard !rows.isEmpty else { throw ModelError.invalidArgument("--csv \(path): no data rows after the header") }
        self.rows = rows
        lineNumbers = numbers
    }

    /// Index of a column by name; the error lists the available names.
    public func columnIndex(_ name: String) throws -> Int {
        guard let j = columnNames.firstIndex(of: name) else {
            throw ModelError.invalidArgument("--target \(name): no such column in \(path) (columns: \(columnNames.joined(separator: ", ")))")
        }
        return j
    }

    /// The values of column `j` as numbers.
    public func numericColumn(_ j: Int) throws -> [Double] {
        try rows.indices.map { i in
            guard let v = Double(rows[i][j]), v.isFinite else {
                throw ModelError.invalidArgument("--csv \(path): line \(lineNumbers[i]), column '\(columnNames[j])': '\(rows[i][j])' is not a number")
            }
            return v
        }
    }

    /// True when every cell of column `j` parses as a finite number.
    public func isNumeric(_ j: Int) -> Bool { rows.allSatisfy { Double($0[j]).map(\.isFinite) ?? false } }

    /// Splits the table into a feature matrix and a target column.
    /// `features` nil uses every other numeric column (non-numeric columns are skipped).
    public func regressionData(target: String, features: [String]? = nil) throws -> RegressionData {
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
        let columns = try featureIndices.map { try numericColumn($0) }
        let n = rowCount, d = featureIndices.count
        var x = [Double](repeating: 0, count: n * d)
        for (k, column) in columns.enumerated() { for i in 0..<n { x[i * d + k] = column[i] } }
        return RegressionData(features: x, targets: try numericColumn(t), featureCount: d,
                              featureNames: featureIndices.map { columnNames[$0] }, targetName: target)
    }
}
