import XCTest

/// Data a test needs (Fashion-MNIST from Debian, the `illusion` binary built beside the tests):
/// on a developer's machine a missing piece skips the test with the reason; in CI (`CI=true`)
/// it fails, so a green CI never hides a test that did not run.
public func requireData(_ present: Bool, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
    guard !present else { return }
    if ProcessInfo.processInfo.environment["CI"] == "true" {
        XCTFail("required test data missing in CI: \(what)", file: file, line: line)
        throw XCTSkip("failed above: \(what)")
    }
    throw XCTSkip(what)
}
