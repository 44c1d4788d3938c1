import Foundation

extension DatasetSpec {
    /// CelebA (published train/test partition), an image folder (10 % held out as test, seeded),
    /// or generated synthetic faces (test set from a different seed).
    func loadColour() throws -> (train: ImageDataset, test: ImageDataset) {
        switch name {
        case "celeba":
            let dir = directory!
            var trainOptions = CelebAOptions(imageSize: imageSize, limit: limit)
            var testOptions = CelebAOptions(imageSize: imageSize, limit: evalLimit ?? limit.map { max(1, $0 / 8) })
            trainOptions.skipUndecodable = skipUndecodable ?? false; testOptions.skipUndecodable = skipUndecodable ?? false
            let train = try CelebA.load(.train, directory: dir, options: trainOptions)
            let test = try CelebA.load(.test, directory: dir, options: testOptions)
            return (train, test)
        case "folder":
            var options = ImageFolderOptions(imageSize: imageSize, limit: limit)
            // Opt-in (--skip-bad-images, or the environment): leave out undecodable files (warned and counted) instead of failing.
            options.skipUndecodable = skipUndecodable ?? false || ProcessInfo.processInfo.environment["ILLUSION_SKIP_BAD_IMAGES"] == "1"
            let all = try ImageFolder.load(directory: directory!, options: options).dataset
            guard all.count >= 2 else {
                throw ModelError.invalidArgument("--data \(directory!): needs at least 2 images, found \(all.count)")
            }
            let parts = try all.split(validationFraction: 0.1, seed: 0)
            return (parts.train, parts.validation)
        default:  // faces-synthetic
            let count = limit ?? syntheticCount
            let train = try SyntheticFaces.dataset(count: count, size: imageSize, seed: 1)
            let test = try SyntheticFaces.dataset(count: max(1, count / 5), size: imageSize, seed: 2)
            return (train, test)
        }
    }
}
