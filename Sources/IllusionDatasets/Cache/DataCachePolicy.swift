import Foundation

/// Where image folders and CelebA keep their decoded pixels: in memory (as before) or in an
/// on-disk, memory-mapped cache (``DecodedImageCache``).
///
/// - `off`: always decode into memory.
/// - `auto` (the default): in memory when the decoded images of one load take at most
///   ``autoThresholdBytes`` (1 GiB: 20,000 RGB images at 128², or every small folder — today's
///   behaviour, and the faster start), otherwise cached in ``defaultDirectory``.
/// - `directory(DIR)`: always cached in DIR.
///
/// Both paths give the same bytes, so the same batches and the same trained weights.
public enum DataCachePolicy: Equatable, Sendable, CustomStringConvertible {
    case off
    case auto
    case directory(String)

    /// Decoded size above which `auto` switches to the on-disk cache.
    public static let autoThresholdBytes = 1 << 30

    /// `$ILLUSION_DATA_CACHE`, else `$XDG_CACHE_HOME/illusioncraft/data`, else `~/.cache/illusioncraft/data`.
    public static var defaultDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["ILLUSION_DATA_CACHE"], !dir.isEmpty { return dir }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/illusioncraft/data" }
        return NSHomeDirectory() + "/.cache/illusioncraft/data"
    }

    /// `off`, `auto` or a directory.
    public init(argument: String) {
        switch argument {
        case "off": self = .off
        case "auto": self = .auto
        default: self = .directory(argument)
        }
    }

    public var description: String {
        switch self {
        case .off: return "off"
        case .auto: return "auto"
        case let .directory(d): return d
        }
    }

    /// The cache directory for a load of `decodedBytes`, or nil to decode into memory.
    public func directory(forDecodedBytes decodedBytes: Int) -> String? {
        switch self {
        case .off: return nil
        case .auto: return decodedBytes > Self.autoThresholdBytes ? Self.defaultDirectory : nil
        case let .directory(d): return d
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var stored: DataCachePolicy = .auto

    /// The policy of this process's loads (set once from `--data-cache` by the command line).
    public static var current: DataCachePolicy {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
