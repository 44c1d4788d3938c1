#!/bin/bash
# One-off timing of the Fréchet distance before and after LAPACK: compiles the old implementation
# (Jacobi eigen-solver and triple-loop products, as of commit 2aae3fd) and today's (dsyevd, dgemm,
# dsyrk) side by side into one program, then times FD between two sets of N Gaussian feature
# vectors of dimension D (seeded, identical for both).   scripts/fd_timing.sh old|new D N
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
git -C "$root" show 2aae3fd:Sources/IllusionModels/Metrics/FrechetDistance.swift \
  | sed 's/^public enum FrechetDistance/enum OldFrechetDistance/; s/public struct GaussianStatistics/struct OldGaussianStatistics/; s/GaussianStatistics(/OldGaussianStatistics(/g; s/_ a: GaussianStatistics, _ b: GaussianStatistics/_ a: OldGaussianStatistics, _ b: OldGaussianStatistics/; s/symmetricEigen(/oldSymmetricEigen(/g; s/require(/precondition(/g' > "$dir/old_fd.swift"
git -C "$root" show 2aae3fd:Sources/IllusionModels/Metrics/SymmetricEigen.swift | sed 's/public func symmetricEigen(/func oldSymmetricEigen(/' > "$dir/old_eigen.swift"
sed 's/require(/precondition(/g' "$root/Sources/IllusionModels/Metrics/FrechetDistance.swift" > "$dir/new_fd.swift"
sed 's/require(/precondition(/g' "$root/Sources/IllusionTensors/LinearAlgebra.swift" > "$dir/new_la.swift"
echo 'func symmetricEigen(_ m: [Double], _ n: Int) -> (values: [Double], vectors: [Double]) { LinearAlgebra.symmetricEigen(m, n) }' > "$dir/new_eigen.swift"
cp "$root/scripts/fd_timing_main.swift" "$dir/main.swift"
swiftc -O -I "$root/Sources/CBLAS" -I /usr/include/x86_64-linux-gnu/openblas-pthread "$dir"/*.swift -lopenblas -o "$dir/fdbench"
OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$dir/fdbench" "$@"
