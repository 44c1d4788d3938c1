import Foundation

/// A new empty folder `illusion-<name>-<UUID>` under the system's temporary directory, for a test's
/// run folders and files (the test removes it in `tearDown`).
public func makeTemporaryFolder(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "illusion-\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
