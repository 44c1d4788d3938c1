import Foundation
import IllusionTensors

/// The images a loader left out because they could not be decoded (`skipUndecodable`): positions in
/// the loader's path list, in order. CelebA and ImageFolder report and filter them the same way.
struct UndecodableImages {
    let positions: [Int]

    /// One warning per skipped file and then the count (`warn` adds the "warning: " prefix); throws
    /// when every image was skipped. Does nothing when none was.
    func report(path: (Int) -> String, total: Int, directory: String, warn: (String) -> Void) throws {
        guard !positions.isEmpty else { return }
        for i in positions { warn("\(path(i)): skipped, not a decodable image") }
        warn("skipped \(positions.count) undecodable image\(positions.count == 1 ? "" : "s") of \(total) in \(directory)")
        guard positions.count < total else {
            throw DatasetError.missingFile(path: directory, reason: "no decodable images found")
        }
    }

    /// `items` (one per path, in the same order) without the skipped positions.
    func keeping<T>(_ items: [T]) -> [T] {
        guard !positions.isEmpty else { return items }
        let left = Set(positions)
        return items.indices.filter { !left.contains($0) }.map { items[$0] }
    }
}
