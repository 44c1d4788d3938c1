import CMPIShim
import Foundation

/// ``TrainingReplication`` on Open MPI (through the dlopen shim CMPIShim). Collectives that fail
/// (MPI_ERRORS_RETURN hands the error back) end this rank with one line naming it and the MPI
/// error, then MPI_Abort — mpirun stops every other rank, so none waits forever in a collective.
public final class MPIReplication: TrainingReplication {
    public let rank: Int
    public let worldSize: Int
    public let checkEvery: Int
    /// `ILLUSION_FAULT_INJECT=rank=R,step=S,kind=kill|error`: rank R dies (SIGKILL) or throws before
    /// global step S (tests of the fault handling).
    let fault: (rank: Int, step: Int, kill: Bool)?
    /// Floats per all-reduce bucket (4 Mi values = 16 MiB).
    public var bucketSize = 1 << 22
    /// Seconds spent in gradient all-reduces (the communication share of a step).
    public private(set) var communicationSeconds = 0.0
    public private(set) var gradientBytesPerStep = 0
    /// Gradient averagings done (one per optimizer step; two for a GAN's step).
    public private(set) var gradientReductions = 0
    /// Seconds and calls of the small all-reduces (figures, flags, synchronised BatchNorm).
    public private(set) var smallCollectiveSeconds = 0.0
    public private(set) var smallCollectives = 0

    init(rank: Int, worldSize: Int, environment: [String: String]) {
        self.rank = rank; self.worldSize = worldSize
        checkEvery = environment["ILLUSION_CHECK_REPLICAS"].flatMap(Int.init) ?? 0
        var fault: (Int, Int, Bool)?
        if let spec = environment["ILLUSION_FAULT_INJECT"] {
            var fields: [String: String] = [:]
            for part in spec.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { fields[kv[0]] = kv[1] }
            }
            if let r = fields["rank"].flatMap(Int.init), let s = fields["step"].flatMap(Int.init) { fault = (r, s, fields["kind"] != "error") }
        }
        self.fault = fault
    }

    /// Ends this rank: one line on stderr naming the rank and the failed call, then MPI_Abort.
    static func die(_ what: String, rank: Int, size: Int) -> Never {
        let message = String(cString: illusion_mpi_last_error())
        FileHandle.standardError.write(Data("illusion: rank \(rank) of \(size): error: \(what): \(message)\n".utf8))
        illusion_mpi_abort(1)
        exit(1)
    }

    private func check(_ rc: Int32, _ what: String) {
        if rc != 0 { Self.die(what, rank: rank, size: worldSize) }
    }

    public func sum(_ values: inout [Double]) {
        guard worldSize > 1, !values.isEmpty else { return }
        let count = values.count, started = Date()
        check(values.withUnsafeMutableBufferPointer { illusion_mpi_allreduce_sum_double($0.baseAddress, count) }, "summing over the ranks")
        smallCollectiveSeconds += Date().timeIntervalSince(started)
        smallCollectives += 1
    }

    public func averageGradients(_ parameters: [Tensor], weight: Double) {
        guard worldSize > 1 else { return }
        let started = Date()
        let scale = Float(weight)
        var bucket: [Float] = []
        bucket.reserveCapacity(min(bucketSize, parameters.reduce(0) { $0 + $1.count }))
        var members: [Tensor] = []
        var bytes = 0
        func flush() {
            guard !bucket.isEmpty else { return }
            let count = bucket.count
            bytes += count * 4
            check(bucket.withUnsafeMutableBufferPointer { illusion_mpi_allreduce_sum_float($0.baseAddress, count) }, "averaging gradients")
            var offset = 0
            for p in members {
                let n = p.count
                p.grad = Array(bucket[offset ..< offset + n])
                offset += n
            }
            bucket.removeAll(keepingCapacity: true); members.removeAll()
        }
        for p in parameters {
            // A parameter without a gradient this step (unused branch) contributes zeros on this rank.
            let g = p.grad ?? [Float](repeating: 0, count: p.count)
            if bucket.count + g.count > bucketSize { flush() }
            if scale == 1 { bucket.append(contentsOf: g) } else { bucket.append(contentsOf: g.map { $0 * scale }) }
            members.append(p)
        }
        flush()
        gradientBytesPerStep = bytes
        gradientReductions += 1
        communicationSeconds += Date().timeIntervalSince(started)
    }

    /// The time this rank spent inside collectives (waiting for slower ranks included), as JSON:
    /// written at exit to `ILLUSION_COMMUNICATION_STATS` by rank 0 (`make bench`'s data-parallel rows).
    var communicationFigures: [String: Any] {
        ["ranks": worldSize, "gradient_allreduce_s": communicationSeconds, "gradient_allreduces": gradientReductions,
         "gradient_bytes_per_step": gradientBytesPerStep, "small_collective_s": smallCollectiveSeconds, "small_collectives": smallCollectives]
    }

    public func broadcast(_ bytes: inout [UInt8]) throws {
        guard worldSize > 1 else { return }
        let count = bytes.count
        check(bytes.withUnsafeMutableBytes { illusion_mpi_broadcast_bytes($0.baseAddress, count, 0) }, "broadcasting rank 0's state")
    }

    public func gather(_ value: UInt64) -> [UInt64] {
        var all = [UInt64](repeating: 0, count: worldSize)
        let rc = all.withUnsafeMutableBufferPointer { illusion_mpi_allgather_uint64(value, $0.baseAddress) }
        check(rc, "gathering fingerprints")
        return all
    }

    public func willStep(_ step: Int) throws {
        guard let fault, fault.rank == rank, fault.step == step else { return }
        if fault.kill {
            FileHandle.standardError.write(Data("illusion: rank \(rank): ILLUSION_FAULT_INJECT kills this rank before step \(step + 1)\n".utf8))
            kill(getpid(), SIGKILL)
        }
        throw ReplicationError("injected fault (ILLUSION_FAULT_INJECT) on rank \(rank) before step \(step + 1)")
    }
}
