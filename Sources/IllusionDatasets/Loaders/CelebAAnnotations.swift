/// The two annotation files of CelebA, parsed and cross-checked.
///
/// - `list_eval_partition.txt`: one line per image, `000001.jpg 0`; split 0 = train,
///   1 = validation, 2 = test.
/// - `list_attr_celeba.txt`: line 1 the image count, line 2 the 40 attribute names, then one
///   line per image, `000001.jpg -1  1  1 …` (±1, one per attribute; any run of spaces separates).
struct CelebAAnnotations {
    /// Image file names in partition-file order.
    let fileNames: [String]
    /// Split of each file (parallel to `fileNames`).
    let splits: [DatasetSplit]
    let attributeNames: [String]
    /// `[fileNames.count, attributeNames.count]`, row-major, aligned with `fileNames`.
    let attributes: [Bool]

    init(partitionPath: String, attributePath: String) throws {
        let partition = try TextTable(contentsOf: partitionPath)
        var fileNames: [String] = [], splits: [DatasetSplit] = []
        fileNames.reserveCapacity(partition.lines.count)
        for line in partition.lines {
            guard line.fields.count == 2 else {
                throw partition.error(line: line.number, "expected '<image> <split>', found \(line.fields.count) fields: \(line.fields.joined(separator: " "))")
            }
            let split: DatasetSplit
            switch line.fields[1] {
            case "0": split = .train
            case "1": split = .validation
            case "2": split = .test
            default: throw partition.error(line: line.number, "split must be 0, 1 or 2, found '\(line.fields[1])'")
            }
            fileNames.append(line.fields[0])
            splits.append(split)
        }
        guard !fileNames.isEmpty else {
            throw DatasetError.malformed(path: partitionPath, reason: "no image lines")
        }

        let table = try TextTable(contentsOf: attributePath)
        guard table.lines.count >= 2 else {
            throw DatasetError.malformed(path: attributePath, reason: "expected a count line and an attribute-name line, found \(table.lines.count) non-empty lines")
        }
        let countLine = table.lines[0]
        guard countLine.fields.count == 1, let declared = Int(countLine.fields[0]), declared >= 0 else {
            throw table.error(line: countLine.number, "first line must be the image count, found '\(countLine.fields.joined(separator: " "))'")
        }
        let names = table.lines[1].fields
        guard Set(names).count == names.count else {
            throw table.error(line: table.lines[1].number, "attribute names repeat")
        }
        let rows = table.lines.dropFirst(2)
        guard rows.count == declared else {
            throw DatasetError.malformed(path: attributePath, reason: "first line declares \(declared) images but \(rows.count) attribute lines follow")
        }
        var rowOf: [String: Int] = [:]
        rowOf.reserveCapacity(rows.count)
        var values = [Bool](repeating: false, count: rows.count * names.count)
        for (r, line) in rows.enumerated() {
            guard line.fields.count == names.count + 1 else {
                throw table.error(line: line.number, "expected an image name and \(names.count) values, found \(line.fields.count - 1) values")
            }
            for j in 0..<names.count {
                switch line.fields[j + 1] {
                case "1": values[r * names.count + j] = true
                case "-1": break
                default: throw table.error(line: line.number, "attribute \(names[j]) must be 1 or -1, found '\(line.fields[j + 1])'")
                }
            }
            if rowOf.updateValue(r, forKey: line.fields[0]) != nil {
                throw table.error(line: line.number, "image \(line.fields[0]) appears twice")
            }
        }
        // Align attribute rows with the partition order.
        var aligned = [Bool](repeating: false, count: fileNames.count * names.count)
        for (i, name) in fileNames.enumerated() {
            guard let r = rowOf[name] else {
                throw DatasetError.inconsistent(path: attributePath, reason: "no attribute line for \(name), which \(partitionPath) lists")
            }
            for j in 0..<names.count { aligned[i * names.count + j] = values[r * names.count + j] }
        }
        self.fileNames = fileNames
        self.splits = splits
        self.attributeNames = names
        self.attributes = aligned
    }
}
