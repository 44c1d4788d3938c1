/// Whitespace-separated text tables read at byte level (fast on CelebA's 200k-line files).
///
/// Fields are separated by runs of spaces or tabs; lines end in `\n` (a trailing `\r` is
/// ignored); blank lines are skipped. Line numbers in errors are 1-based.
struct TextTable {
    struct Line {
        /// 1-based line number in the file.
        let number: Int
        let fields: [String]
    }

    let path: String
    let lines: [Line]

    init(contentsOf path: String) throws {
        let bytes = try FileBytes.read(path)
        self.init(bytes: bytes, path: path)
    }

    init(bytes: [UInt8], path: String) {
        self.path = path
        var lines: [Line] = []
        var fields: [String] = []
        var lineNumber = 1
        var fieldStart = -1
        func endField(_ i: Int) {
            if fieldStart >= 0 {
                fields.append(String(decoding: bytes[fieldStart..<i], as: UTF8.self))
                fieldStart = -1
            }
        }
        for i in 0...bytes.count {
            let b: UInt8 = i < bytes.count ? bytes[i] : 0x0A
            switch b {
            case 0x20, 0x09, 0x0D:
                endField(i)
            case 0x0A:
                endField(i)
                if !fields.isEmpty { lines.append(Line(number: lineNumber, fields: fields)) }
                fields = []
                lineNumber += 1
            default:
                if fieldStart < 0 { fieldStart = i }
            }
        }
        self.lines = lines
    }

    /// A `malformed` error naming this file and a line.
    func error(line: Int, _ reason: String) -> DatasetError {
        .malformed(path: path, reason: "line \(line): \(reason)")
    }
}
