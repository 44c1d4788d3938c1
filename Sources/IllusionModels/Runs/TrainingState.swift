import Foundation

/// `training_state.safetensors`: what `--resume` needs beyond the weights — each optimizer's
/// state under its prefix (`optimizer.` for one optimizer, `optimizer.generator.` …), the RNG
/// state (`rng`: state and increment as I64 bit patterns), `epoch` and `step`.
public struct TrainingState {
    public var rng: RandomGenerator
    public var epoch: Int
    public var step: Int

    public init(rng: RandomGenerator, epoch: Int, step: Int) { self.rng = rng; self.epoch = epoch; self.step = step }

    /// Writes the optimizers' states and this state atomically to the run's training_state.safetensors.
    public func save(to run: RunFolder, optimizers: [(prefix: String, optimizer: Optimizer)]) throws {
        var file = SafeTensors()
        for (prefix, optimizer) in optimizers { for (name, t) in optimizer.state() { file.set(prefix + name, t) } }
        file.set("rng", shape: [2], int64s: [Int64(bitPattern: rng.state), Int64(bitPattern: rng.increment)])
        file.set("epoch", shape: [1], int64s: [Int64(epoch)])
        file.set("step", shape: [1], int64s: [Int64(step)])
        try file.write(to: run.trainingStatePath)
    }

    /// Reads the run's training_state.safetensors, loading each optimizer's state in place.
    public static func load(from run: RunFolder, optimizers: [(prefix: String, optimizer: Optimizer)]) throws -> TrainingState {
        let file = try SafeTensors(contentsOf: run.trainingStatePath)
        for (prefix, optimizer) in optimizers {
            var state: [String: Tensor] = [:]
            for name in file.names where name.hasPrefix(prefix) { state[String(name.dropFirst(prefix.count))] = try file.tensor(name) }
            try optimizer.loadState(state)
        }
        let r = try file.int64s("rng")
        guard r.count == 2 else { throw ModelError.invalidRun("\(run.trainingStatePath): rng must hold 2 values") }
        return TrainingState(rng: RandomGenerator(state: UInt64(bitPattern: r[0]), increment: UInt64(bitPattern: r[1])),
                             epoch: Int(try file.int64s("epoch").first ?? 0), step: Int(try file.int64s("step").first ?? 0))
    }
}
