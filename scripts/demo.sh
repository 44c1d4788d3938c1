#!/usr/bin/env bash
# The main job: train the Fashion-MNIST VAE (latent 2) on the real data, evaluate it on the test
# split and leave runs/demo/ with samples, reconstructions, latent scatter and manifold, loss
# curves and a self-contained report.html.
set -euo pipefail
ILLUSION=${1:-.build/release/illusion}
EPOCHS=${2:-3}
RUN=runs/demo
rm -rf "$RUN"; mkdir -p runs
echo "== training the fashion VAE (D=2) on Fashion-MNIST for $EPOCHS epochs =="
"$ILLUSION" train vae --arch fashion --dataset fashion-mnist --latent-dim 2 --epochs "$EPOCHS" \
    --batch-size 100 --lr 5e-4 --seed 0 --out "$RUN" --json > "$RUN.json.tmp"
mv "$RUN.json.tmp" "$RUN/final.json"
"$ILLUSION" latent-plot --run "$RUN" --out "$RUN/latent" >/dev/null
"$ILLUSION" sample --run "$RUN" --count 64 --seed 1 --out "$RUN/samples_final.png" >/dev/null
"$ILLUSION" interpolate --run "$RUN" --from 0 --to 1 --steps 10 --out "$RUN/interpolation.png" >/dev/null
echo
echo "== test figures (mean nats per image) =="
cat "$RUN/final.json"
echo
echo "pictures and charts: $RUN/ ; open $RUN/report.html in a browser"
