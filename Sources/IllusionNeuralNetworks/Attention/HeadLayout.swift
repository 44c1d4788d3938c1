import Foundation
import IllusionTensors

/// Moving between the token layout of a projection and attention's per-head layout.
///
/// `splitHeads` reads part `part` of `parts` equal slices of the last axis of x `[N, T, parts·H·d]`
/// (the packed q | k | v of an input projection) and lays it out as `[N, H, T, d]`;
/// `mergeHeads` is the inverse for one part: `[N, H, T, d] → [N, T, H·d]`. Each is a copy with a
/// copy for its backward.
public func splitHeads(_ x: Tensor, batch n: Int, time t: Int, heads h: Int, part: Int = 0, parts: Int = 1) -> Tensor {
    let width = x.count / max(n * t, 1)
    require(x.count == n * t * width && width % (parts * h) == 0 && part >= 0 && part < parts,
            "splitHeads: \(x.shape) is not [\(n), \(t), \(parts)·\(h)·d]")
    let e = width / parts, d = e / h
    var out = uninitializedFloats(n * h * t * d)
    x.storage.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
        for b in 0..<n { for head in 0..<h { for s in 0..<t {
            let src = (b * t + s) * width + part * e + head * d, dst = ((b * h + head) * t + s) * d
            for j in 0..<d { op[dst + j] = xp[src + j] }
        } } }
    } }
    return Tensor.result("split_heads", shape: [n, h, t, d], storage: out, inputs: [x]) { _, g in
        var dx = [Float](repeating: 0, count: x.count)
        g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { dp in
            for b in 0..<n { for head in 0..<h { for s in 0..<t {
                let dst = (b * t + s) * width + part * e + head * d, src = ((b * h + head) * t + s) * d
                for j in 0..<d { dp[dst + j] = gp[src + j] }
            } } }
        } }
        x.accumulateGrad(dx)
    }
}

/// `[N, H, T, d] → [N, T, H·d]` (heads side by side on the last axis); see ``splitHeads``.
public func mergeHeads(_ x: Tensor) -> Tensor {
    require(x.rank == 4, "mergeHeads: needs [N, H, T, d], got \(x.shape)")
    let n = x.shape[0], h = x.shape[1], t = x.shape[2], d = x.shape[3]
    var out = uninitializedFloats(x.count)
    x.storage.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
        for b in 0..<n { for head in 0..<h { for s in 0..<t {
            let src = ((b * h + head) * t + s) * d, dst = (b * t + s) * h * d + head * d
            for j in 0..<d { op[dst + j] = xp[src + j] }
        } } }
    } }
    return Tensor.result("merge_heads", shape: [n, t, h * d], storage: out, inputs: [x]) { _, g in
        var dx = [Float](repeating: 0, count: x.count)
        g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { dp in
            for b in 0..<n { for head in 0..<h { for s in 0..<t {
                let dst = ((b * h + head) * t + s) * d, src = (b * t + s) * h * d + head * d
                for j in 0..<d { dp[dst + j] = gp[src + j] }
            } } }
        } }
        x.accumulateGrad(dx)
    }
}
