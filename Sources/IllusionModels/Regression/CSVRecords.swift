/// The record splitter of ``CSVTable``, per RFC 4180: fields separated by a separator byte,
/// records ended by CRLF, LF or CR; a field in double quotes may contain separators, line breaks
/// and doubled quotes (`""` → `"`). Unquoted fields are trimmed of spaces and tabs (a common
/// liberty: `1, 2` reads as 1 and 2); spaces around a quoted field are ignored. Errors name the
/// 1-based line: an unterminated quoted field, text after a closing quote, a quote inside an unquoted field.
struct CSVRecords {
    /// One record: its fields and the line it starts on.
    struct Record { let fields: [String]; let line: Int }

    enum Failure: Error { case malformed(line: Int, reason: String) }

    static func parse(_ bytes: [UInt8], separator: UInt8) throws -> [Record] {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var i = 0
        var quoted = false, afterQuote = false, fieldHasContent = false
        func trimmed(_ b: [UInt8]) -> String {
            var lo = 0, hi = b.count
            while lo < hi && (b[lo] == space || b[lo] == tab) { lo += 1 }
            while hi > lo && (b[hi - 1] == space || b[hi - 1] == tab) { hi -= 1 }
            return String(decoding: b[lo..<hi], as: UTF8.self)
        }
        func endField() {
            fields.append(afterQuote ? String(decoding: field, as: UTF8.self) : trimmed(field))
            field.removeAll(keepingCapacity: true); afterQuote = false; fieldHasContent = false
        }
        func endRecord() {
            endField()
            records.append(Record(fields: fields, line: recordLine))
            fields.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == quote {
                    if i + 1 < bytes.count && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                    quoted = false; afterQuote = true
                } else {
                    if b == lf || (b == cr && !(i + 1 < bytes.count && bytes[i + 1] == lf)) { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case separator:
                endField()
            case cr, lf:
                if b == cr && i + 1 < bytes.count && bytes[i + 1] == lf { i += 1 }
                endRecord()
                line += 1; recordLine = line
            case quote:
                guard !afterQuote, !fieldHasContent else {
                    throw Failure.malformed(line: line, reason: afterQuote ? "a quote after a closing quote (write \"\" inside quotes)"
                                                                           : "a double quote inside an unquoted field")
                }
                quoted = true; field.removeAll(keepingCapacity: true)
            case space, tab:
                if !afterQuote { field.append(b) }
            default:
                guard !afterQuote else { throw Failure.malformed(line: line, reason: "text after a closing quote") }
                field.append(b); fieldHasContent = true
            }
            i += 1
        }
        if quoted { throw Failure.malformed(line: recordLine, reason: "a quoted field is never closed") }
        if !fields.isEmpty || !field.isEmpty || afterQuote { endRecord() }
        return records
    }
}
