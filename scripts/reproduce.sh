#!/usr/bin/env bash
# Re-runs the figures of the README's results tables from the commands printed there and prints
# what it gets beside what the README says, so anyone can check the claims.
#
#   scripts/reproduce.sh [--quick] [--bin PATH] [--out DIR]
#
# --quick: the subset that runs in ≈ 15 min on an idle 2-core machine (the generalization
# experiments without Fashion-MNIST training, linear regression, the MLP boundaries, one VAE epoch).
# Without it: also the 5-epoch VAEs, the 20-epoch CNN recipes, the autoencoder and the
# dimensionality/convolution experiments (hours on 2 cores). Needs jq. Figures that depend on
# the thread count (the CNN's, see the README) are run with ILLUSION_THREADS=1 as the README's were.
set -euo pipefail
QUICK=0; BIN=.build/release/illusion; OUT=runs/reproduce
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --bin) BIN="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) echo "reproduce.sh: unknown option $1 (expected --quick, --bin PATH, --out DIR)" >&2; exit 2 ;;
  esac
  shift
done
command -v jq >/dev/null || { echo "reproduce.sh: needs jq (apt-get install jq)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "reproduce.sh: $BIN is not built (make build)" >&2; exit 2; }
mkdir -p "$OUT"
export ILLUSION_THREADS=${ILLUSION_THREADS:-1}
ROWS=()

# measure NAME README_VALUE JQ_EXPRESSION -- COMMAND...: runs the command (JSON on stdout), extracts the figure.
measure() {
  local name="$1" readme="$2" expr="$3"; shift 4
  local log="$OUT/$(echo "$name" | tr -c 'A-Za-z0-9' '_').json"
  echo "== $name: $*" >&2
  local got
  if "$@" > "$log" 2> "${log%.json}.log"; then got=$(jq -r "$expr" < "$log" | tr '\n' ' '); else got="FAILED (see ${log%.json}.log)"; fi
  ROWS+=("$name|$readme|$got")
}

E="$BIN experiment"
measure "capacity: best polynomial degree; best MLP width" "3; 4" '"\(.bestDegree); \(.bestWidth)"' -- $E capacity --out "$OUT/capacity" --json --quiet
measure "bias-variance: best degree; largest |gap|/s.e." "3; < 2" '"\(.bestDegree); \([.rows[] | (.identityGap / .identityStandardError | fabs)] | max | . * 100 | round / 100)"' -- $E bias-variance --out "$OUT/bv" --json
measure "regularisation: test loss none / L2 / dropout / early stop" "3.171 / 0.335 / 2.034 / 0.631" '[.rows[].testLoss.mean * 1000 | round / 1000] | join(" / ")' -- $E regularisation --out "$OUT/reg" --json --quiet
measure "nearest/farthest at d = 1000; Kendall tau" "0.901; 1.000" '"\(.distances[-1].nearestToFarthest * 1000 | round / 1000); \(.kendallTau)"' -- $E dimensionality --skip-fashion --out "$OUT/dim" --json --quiet
measure "linear regression: largest difference from the closed form, per optimizer" "full-batch GD 3e-7, mini-batch SGD 0.004" '[.optimizers[] | "\(.optimizer) \(.max_difference_from_closed_form)"] | join(", ")' -- $BIN train linear-regression --out "$OUT/lin" --json
measure "MLP boundaries: test accuracy by hidden layers" "0.868 0.98 0.98 0.98 0.96" '[.models[].test_accuracy * 1000 | round / 1000] | join(" ")' -- $BIN train mlp --out "$OUT/mlp" --quiet --json
measure "VAE D = 2, 1 epoch: test -ELBO" "274.40" '.neg_elbo * 100 | round / 100' -- $BIN train vae --arch fashion --dataset fashion-mnist --latent-dim 2 --epochs 1 --batch-size 100 --lr 5e-4 --seed 0 --out "$OUT/f2-1" --json
if [ "$QUICK" = 0 ]; then
  measure "k-NN pixels / PCA-16 / PCA-64" "0.832 / 0.803 / 0.828" '[.neighbours[] | select(.representation == "pixels" or .dimension == 16 or .dimension == 64) | .accuracy] | join(" / ")' -- $E dimensionality --out "$OUT/dim-f" --json --quiet
  measure "convolution: CNN / MLP test accuracy (equal budget)" "0.8613 / 0.8244" '[.comparison[].testAccuracy] | join(" / ")' -- $E convolution --out "$OUT/conv" --json --quiet
  for d in 2 16; do
    readme=$([ $d = 2 ] && echo "266.80 (KL 5.91)" || echo "243.87 (KL 15.67)")
    measure "VAE D = $d, 5 epochs: test -ELBO (KL)" "$readme" '"\(.neg_elbo * 100 | round / 100) (KL \(.kl * 100 | round / 100))"' -- $BIN train vae --arch fashion --dataset fashion-mnist --latent-dim $d --epochs 5 --batch-size 100 --lr 5e-4 --seed 0 --out "$OUT/f$d" --json
    readme=$([ $d = 2 ] && echo "361.7 / 0.862 / 0.013" || echo "294.4 / 0.721 / 0.215")
    measure "VAE D = $d, 5 epochs: FD-FMNIST / precision / recall (shipped judge)" "$readme" '"\(.fd_fmnist * 10 | round / 10) / \(.precision * 1000 | round / 1000) / \(.recall * 1000 | round / 1000)"' -- $BIN eval --run "$OUT/f$d" --fd-classifier judges/fashion-mnist-cnn --fd-count 5000 --json
  done
  measure "CNN, seeds' network, 20 epochs" "92.38 %" '.test_accuracy * 10000 | round / 100' -- $BIN train cnn --arch seed --epochs 20 --no-augment --out "$OUT/cnn-seeds" --json
  measure "CNN, the default (double-conv, PyTorch init, 20 epochs), seed 0" "94.06 %" '.test_accuracy * 10000 | round / 100' -- $BIN train cnn --seed 0 --out "$OUT/cnn-default" --json
  measure "CNN, --arch double-conv --weight-init he, 10 epochs, seed 0" "92.83 %" '.test_accuracy * 10000 | round / 100' -- $BIN train cnn --arch double-conv --weight-init he --epochs 10 --seed 0 --out "$OUT/cnn-dc10" --json
  measure "CNN, best recipe, 20 epochs" "92.62 %" '.test_accuracy * 10000 | round / 100' -- $BIN train cnn --arch seed --epochs 20 --no-augment --dense-units 256 --label-smoothing 0.1 --out "$OUT/cnn" --json
  measure "autoencoder: latent-classifier test accuracy" "64.38 %" '.test_accuracy * 10000 | round / 100' -- $BIN train autoencoder --epochs 10 --out "$OUT/ae" --json
fi

printf '\n| figure | README | this run |\n|---|---|---|\n'
for r in "${ROWS[@]}"; do IFS='|' read -r a b c <<< "$r"; printf '| %s | %s | %s |\n' "$a" "$b" "$c"; done
