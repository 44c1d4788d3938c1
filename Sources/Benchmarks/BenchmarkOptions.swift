import Foundation

/// Command line of the Benchmarks executable.
///
///     Benchmarks [--json] [--quick] [--only NAME[,NAME]] [--threads N] [--rounds R] [--no-pytorch]
///     Benchmarks --workload NAME --child [--threads N] [--steps S] [--warmup W] [--batch B --image-size S]
///     (internal: one measurement; --batch/--image-size re-shape the faces VAE workload for the scaling charts)
struct BenchmarkOptions {
    var json = false
    var quick = false
    var only: [String]? = nil
    var threads = 2
    var rounds: Int? = nil
    var pytorch = true
    var child = false
    var workload: String? = nil
    var steps: Int? = nil
    var warmup: Int? = nil
    var batch: Int? = nil
    var imageSize: Int? = nil
    /// Where `scaling` writes its charts (PNG and SVG).
    var chartsDirectory = "runs/bench"

    static let usage = """
    usage: Benchmarks [--json] [--quick] [--only NAME[,NAME...]] [--threads N] [--rounds R] [--no-pytorch]
      workloads: \(Workload.allNames.joined(separator: ", ")) (and `faces` = faces64,faces256), layers,
                 mpi (2 ranks × 1 thread vs 1 process × 1 and × 2 threads, through mpirun and illusion;
                 the CNN peer-recipe row also PyTorch DDP, scripts/cnn_fashion_ddp.py),
                 scaling (faces VAE images/s and peak memory against batch 8…256 and image size 64/128/256,
                 at 1 and 2 threads, both sides; charts in --charts DIR)
      --json        print one JSON object on stdout (the table goes to stderr)
      --quick       fewer steps and one round (a smoke test, noisier)
      --threads N   threads for both sides (default 2)
      --rounds R    alternate ours/PyTorch R times per workload (default 2, --quick 1)
      --no-pytorch  skip the PyTorch side even when torch is importable
      --charts DIR  where `scaling` writes its PNG/SVG charts (default runs/bench)
    environment: PEERS_PYTHON (python with torch), PEERS_DIR (the peer scripts),
                 PEER_SCRIPTS_DIR (the repository's scripts/, for stage2; default: found from the working directory)
    """

    static func parse(_ arguments: [String]) throws -> BenchmarkOptions {
        var o = BenchmarkOptions()
        var i = 0
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < arguments.count else { throw BenchmarkError.usage("\(flag) needs a value") }
            return arguments[i]
        }
        func integer(_ flag: String) throws -> Int {
            let v = try value(flag)
            guard let n = Int(v), n >= 0 else { throw BenchmarkError.usage("\(flag) needs a non-negative integer, got \(v)") }
            return n
        }
        while i < arguments.count {
            let a = arguments[i]
            switch a {
            case "--json": o.json = true
            case "--quick": o.quick = true
            case "--child": o.child = true
            case "--no-pytorch": o.pytorch = false
            case "--only":
                var names: [String] = []
                for n in try value(a).split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) where !n.isEmpty {
                    if n == "faces" { names += ["faces64", "faces256"]; continue }
                    guard Workload.allNames.contains(n) || ["layers", "mpi", "scaling"].contains(n) else {
                        throw BenchmarkError.usage("unknown workload '\(n)' (known: \(Workload.allNames.joined(separator: ", ")), layers, mpi, scaling)")
                    }
                    names.append(n)
                }
                o.only = names
            case "--threads":
                o.threads = try integer(a)
                guard o.threads >= 1 else { throw BenchmarkError.usage("--threads must be ≥ 1") }
            case "--rounds":
                o.rounds = try integer(a)
                guard o.rounds! >= 1 else { throw BenchmarkError.usage("--rounds must be ≥ 1") }
            case "--workload": o.workload = try value(a)
            case "--steps": o.steps = try integer(a)
            case "--warmup": o.warmup = try integer(a)
            case "--batch":
                o.batch = try integer(a)
                guard o.batch! >= 1 else { throw BenchmarkError.usage("--batch must be ≥ 1") }
            case "--image-size":
                o.imageSize = try integer(a)
                guard o.imageSize! >= 32, o.imageSize! % 32 == 0 else { throw BenchmarkError.usage("--image-size must be a multiple of 32, ≥ 32") }
            case "--charts":
                o.chartsDirectory = try value(a)
            case "-h", "--help": throw BenchmarkError.help
            default: throw BenchmarkError.usage("unknown argument '\(a)'")
            }
            i += 1
        }
        return o
    }

    var effectiveRounds: Int { rounds ?? (quick ? 1 : 2) }

    func selected(_ name: String) -> Bool { only?.contains(name) ?? true }
}

enum BenchmarkError: Error, CustomStringConvertible {
    case usage(String)
    case help
    case failed(String)

    var description: String {
        switch self {
        case .usage(let m): return "\(m)\n\(BenchmarkOptions.usage)"
        case .help: return BenchmarkOptions.usage
        case .failed(let m): return m
        }
    }
}

/// Progress and tables that must not pollute `--json` output go to stderr.
func note(_ text: String) {
    FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
}
