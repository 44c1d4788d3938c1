import XCTest
@testable import IllusionModels

/// RFC 4180 records and the numeric-table rules on top of them.
final class CSVTableTests: XCTestCase {
    func records(_ text: String, separator: Character = ",") throws -> [[String]] {
        try CSVRecords.parse(Array(text.utf8), separator: separator.asciiValue!).map(\.fields)
    }

    func testQuotedFieldsKeepSeparatorsQuotesAndLineBreaks() throws {
        XCTAssertEqual(try records("a,b\r\n\"1,234\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x\r\n"),
                       [["a", "b"], ["1,234", "say \"hi\""], ["two\nlines", "x"]])
        XCTAssertEqual(try records("a,b\n1,2"), [["a", "b"], ["1", "2"]], "no final line break")
        XCTAssertEqual(try records("a,b\r1,2\r"), [["a", "b"], ["1", "2"]], "old Mac CR line ends")
        XCTAssertEqual(try records("a, b ,\" c \"\n"), [["a", "b", " c "]], "unquoted fields trimmed, quoted kept")
        XCTAssertEqual(try records("a,,\"\"\n"), [["a", "", ""]], "empty fields")
        XCTAssertEqual(try records("a;\"x;y\"\n", separator: ";"), [["a", "x;y"]])
    }

    func testMalformedQuotingNamesTheLine() {
        for (text, line, reason) in [("a\n\"open\n\nstill", 2, "never closed"), ("a\n\"x\"y\n", 2, "after a closing quote"),
                                     ("a\nb\nx\"y\n", 3, "inside an unquoted field")] {
            XCTAssertThrowsError(try CSVTable(text: text, path: "q.csv"), text) { error in
                XCTAssertTrue("\(error)".contains("q.csv: line \(line)") && "\(error)".contains(reason), "\(error)")
            }
        }
    }

    func testLineNumbersCountLineBreaksInsideQuotes() throws {
        let table = try CSVTable(text: "note,x,y\n\"multi\nline\",1,2\nok,oops,3\n", path: "n.csv")
        XCTAssertThrowsError(try table.regressionData(target: "y", features: ["x"])) { error in
            XCTAssertTrue("\(error)".contains("n.csv: line 4, column 'x': 'oops' is not a number"), "\(error)")
        }
    }

    func testThousandsInQuotesIsOneCellAndSeparatorDetection() throws {
        let t = try CSVTable(text: "name;\"a,b\";y\nx;1;2\n", path: "s.csv")
        XCTAssertEqual(t.columnNames, ["name", "a,b", "y"], "a comma inside quotes does not make the separator a comma")
        let quoted = try CSVTable(text: "city,pop,y\n\"Paris, FR\",\"1,234\",3\n", path: "c.csv")
        XCTAssertEqual(quoted.rows[0], ["Paris, FR", "1,234", "3"])
    }

    func testNaNInfinityEmptyAreErrorsOrCountedDrops() throws {
        let text = "x1,x2,y\n1,2,3\nnan,1,2\n2,inf,4\n3,,5\n4,5,6\n5,7,-inf\n"
        let table = try CSVTable(text: text, path: "bad.csv")
        XCTAssertThrowsError(try table.regressionData(target: "y")) { error in
            XCTAssertTrue("\(error)".contains("bad.csv: line 3, column 'x1': 'nan' is not finite"), "\(error)")
        }
        let kept = try table.regressionData(target: "y", features: nil, dropInvalidRows: true)
        XCTAssertEqual(kept.droppedRows, 4)
        XCTAssertEqual(kept.data.features, [1, 2, 4, 5])
        XCTAssertEqual(kept.data.targets, [3, 6])
        XCTAssertThrowsError(try table.regressionData(target: "x2", features: ["x1"])) { error in
            XCTAssertTrue("\(error)".contains("line 3, column 'x1'"), "\(error)")
        }
    }

    func testByteOrderMarkAndCommentsAndBlankLines() throws {
        let t = try CSVTable(bytes: [0xEF, 0xBB, 0xBF] + Array("a,b\n\n# comment\n1,2\n".utf8), path: "bom.csv")
        XCTAssertEqual(t.columnNames, ["a", "b"])
        XCTAssertEqual(t.rowCount, 1)
    }
}

/// LAPACK-backed least squares, checked against the normal equations and for the failure modes.
final class LeastSquaresLAPACKTests: XCTestCase {
    func testAgreesWithTheNormalEquationsReference() throws {
        let g = RegressionData.generatedLinear(count: 200, featureCount: 5, noise: 0.5, seed: 3)
        let lapack = try LeastSquares.solve(g.data), reference = try LeastSquares.normalEquations(g.data)
        for (a, b) in zip(lapack.weights, reference.weights) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertEqual(lapack.bias, reference.bias, accuracy: 1e-9)
    }

    func testCollinearFeaturesAreNamed() {
        let x: [Double] = (0..<20).flatMap { i in [Double(i), 2 * Double(i)] }
        let data = RegressionData(features: x, targets: (0..<20).map { Double($0) }, featureCount: 2)
        XCTAssertThrowsError(try LeastSquares.solve(data)) { error in
            XCTAssertTrue("\(error)".contains("collinear (rank 2 of 3"), "\(error)")
        }
    }

    /// Features near 1e200: AᵀA overflows (the reference says so), the SVD route does not.
    func testOverflowIsDetectedInTheNormalEquationsAndAvoidedByTheSVD() throws {
        let g = RegressionData.generatedLinear(count: 40, featureCount: 2, noise: 0, seed: 4)
        let big = RegressionData(features: g.data.features.map { $0 * 1e200 }, targets: g.data.targets, featureCount: 2)
        XCTAssertThrowsError(try LeastSquares.normalEquations(big)) { error in
            XCTAssertTrue("\(error)".contains("overflow in the normal equations"), "\(error)")
        }
        let fit = try LeastSquares.solve(big)
        for (a, b) in zip(fit.weights, g.weights) { XCTAssertEqual(a * 1e200, b, accuracy: 1e-6 * abs(b)) }
        // Finite inputs whose exact weights (≈ 10³¹⁰) are beyond Float64.
        let tiny = RegressionData(features: g.data.features.map { $0 * 1e-300 }, targets: g.data.targets.map { $0 * 1e10 }, featureCount: 2)
        XCTAssertThrowsError(try LeastSquares.solve(tiny)) { error in
            XCTAssertTrue("\(error)".contains("least squares: overflow"), "\(error)")
        }
        var nan = g.data
        nan.features[3] = .nan
        XCTAssertThrowsError(try LeastSquares.solve(nan)) { error in
            XCTAssertTrue("\(error)".contains("feature x2 of sample 1 is nan"), "\(error)")
        }
    }
}
