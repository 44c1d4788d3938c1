import CMPIShim
import Foundation

/// The process's place in data-parallel training. `illusion` calls ``startIfLaunchedByMPI(arguments:)``
/// first thing: a process started by `mpirun` (Open MPI sets `OMPI_COMM_WORLD_SIZE`) loads
/// libmpi.so.40, joins MPI_COMM_WORLD and installs its ``MPIReplication`` for every ``Trainer``;
/// any other process never touches MPI and trains exactly as before.
///
/// Only rank 0 writes the run folder. Every other rank works in a private copy of it (made before
/// rank 0 starts writing, removed at exit): the workflows run unchanged on every rank, and whatever
/// they write off rank 0 never reaches the user's folder.
public enum DataParallel {
    /// This process's replication (nil: a single process).
    nonisolated(unsafe) public private(set) static var replication: MPIReplication?
    nonisolated(unsafe) private static var privateFolders: [String: String] = [:]
    nonisolated(unsafe) private static var scratch: String?

    public static var rank: Int { replication?.rank ?? 0 }
    public static var worldSize: Int { replication?.worldSize ?? 1 }
    /// True on rank 0 and in a single process: the process that writes and prints results.
    public static var isRoot: Bool { rank == 0 }

    /// Whether `environment` is that of a process started by Open MPI's mpirun.
    public static func launchedByMPI(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["OMPI_COMM_WORLD_SIZE"] != nil
    }

    /// Starts MPI when launched by mpirun (else does nothing). `arguments`' `--out` names the run
    /// folder that ranks other than 0 copy privately. Throws one line when MPI cannot start.
    public static func startIfLaunchedByMPI(arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard launchedByMPI(environment), replication == nil else { return }
        guard illusion_mpi_load() == 0 else {
            throw ReplicationError("started by mpirun (OMPI_COMM_WORLD_SIZE is set) but \(String(cString: illusion_mpi_last_error()))")
        }
        var rank: Int32 = 0, size: Int32 = 0
        guard illusion_mpi_init(&rank, &size) == 0 else { throw ReplicationError(String(cString: illusion_mpi_last_error())) }
        let r = MPIReplication(rank: Int(rank), worldSize: Int(size), environment: environment)
        replication = r
        atexit { DataParallel.finish() }
        if size > 1 {
            Trainer.processReplication = r
            BatchShard.crossReplicaSum = { r.sum(&$0) }
        }
        if rank != 0, let out = outPath(arguments) {
            let base = NSTemporaryDirectory() + "illusion-rank\(rank)-\(getpid())"
            scratch = base
            let copy = base + "/" + ((out as NSString).lastPathComponent.isEmpty ? "run" : (out as NSString).lastPathComponent)
            try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: out) {
                do { try FileManager.default.copyItem(atPath: out, toPath: copy) } catch {
                    throw ReplicationError("rank \(rank): cannot copy the run folder \(out) (\(error.localizedDescription))")
                }
                try? FileManager.default.removeItem(atPath: copy + "/.lock")
            }
            privateFolders[standardized(out)] = copy
        }
        // Nobody writes before every rank has its copy.
        guard illusion_mpi_barrier() == 0 else { throw ReplicationError(String(cString: illusion_mpi_last_error())) }
    }

    /// Where this process writes the run folder `path`: itself on rank 0, the private copy elsewhere.
    public static func writablePath(_ path: String) -> String {
        privateFolders[standardized(path)] ?? path
    }

    /// Writes one line naming this rank, then stops every rank (MPI_Abort). For errors on a rank.
    public static func abort(_ line: String) -> Never {
        FileHandle.standardError.write(Data("illusion: rank \(rank) of \(worldSize): error: \(line)\n".utf8))
        illusion_mpi_abort(1)
        exit(1)
    }

    /// MPI_Finalize and the private run-folder copy removed (at exit).
    static func finish() {
        if let r = replication, r.rank == 0, r.worldSize > 1, let path = ProcessInfo.processInfo.environment["ILLUSION_COMMUNICATION_STATS"],
           let data = try? JSONSerialization.data(withJSONObject: r.communicationFigures, options: [.sortedKeys]) {
            _ = FileManager.default.createFile(atPath: path, contents: data)
        }
        if let scratch { try? FileManager.default.removeItem(atPath: scratch) }
        if replication != nil { _ = illusion_mpi_finalize() }
    }

    static func outPath(_ arguments: [String]) -> String? {
        for (i, a) in arguments.enumerated() {
            if a == "--out", i + 1 < arguments.count { return arguments[i + 1] }
            if a.hasPrefix("--out=") { return String(a.dropFirst(6)) }
        }
        return nil
    }

    static func standardized(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (absolute as NSString).standardizingPath
    }
}
