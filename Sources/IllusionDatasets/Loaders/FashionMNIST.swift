/// Fashion-MNIST (Zalando): 28×28 grey clothing images in 10 classes, 60,000 train / 10,000 test,
/// stored as IDX files `{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`.
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// The 10 class names, in label order.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Loads a split (`.train` or `.test`) as an ``ImageDataset`` `[N, 1, 28, 28]` (or 32×32 with padding 2).
    public static func load(_ split: DatasetSplit, directory: String = defaultDirectory,
                            options: IDXImageOptions = IDXImageOptions()) throws -> ImageDataset {
        let paths = try IDXImageLoader.paths(directory: directory, split: split)
        return try IDXImageLoader.load(imagesPath: paths.images, labelsPath: paths.labels,
                                       name: "Fashion-MNIST \(split.rawValue)", classNames: classNames, options: options)
    }
}

/// MNIST handwritten digits: 28×28 grey images of 0–9 in the same IDX layout as Fashion-MNIST.
/// Not installed on this machine; pass the directory holding the four files.
public enum MNIST {
    /// The 10 class names, in label order ("0" … "9").
    public static let classNames = (0...9).map(String.init)

    /// Loads a split (`.train` or `.test`) from `directory`.
    public static func load(_ split: DatasetSplit, directory: String,
                            options: IDXImageOptions = IDXImageOptions()) throws -> ImageDataset {
        let paths = try IDXImageLoader.paths(directory: directory, split: split)
        return try IDXImageLoader.load(imagesPath: paths.images, labelsPath: paths.labels,
                                       name: "MNIST \(split.rawValue)", classNames: classNames, options: options)
    }
}
