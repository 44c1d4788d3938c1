#!/usr/bin/env bash
# The main job: train the Fashion-MNIST VAE (latent 2) on the real data, evaluate it on the test
# split (with the IWAE bound) and leave runs/demo/ with samples, reconstructions, the interpolation,
# latent scatter and manifold, loss curves and a self-contained report.html that shows them all.
# Every picture is written once, by the training run itself, before the report.
set -euo pipefail
ILLUSION=${1:-.build/release/illusion}
EPOCHS=${2:-3}
RUN=runs/demo
rm -rf "$RUN"; mkdir -p runs
"$ILLUSION" --version
echo "== training the fashion VAE (D=2) on Fashion-MNIST for $EPOCHS epochs =="
"$ILLUSION" train vae --arch fashion --dataset fashion-mnist --latent-dim 2 --epochs "$EPOCHS" \
    --batch-size 100 --lr 5e-4 --seed 0 --iwae-samples 50 --out "$RUN" --json > /dev/null
# A second draw of samples (other noise than the report's samples.png), to show the sample command.
"$ILLUSION" sample --run "$RUN" --count 64 --seed 1 --out "$RUN/samples_seed1.png" >/dev/null
echo
echo "== test figures (mean nats per image; IWAE bound on the first 1000 test images, K = 50) =="
cat "$RUN/test_metrics.json"
echo
echo "pictures and charts: $RUN/ ; open $RUN/report.html in a browser"
