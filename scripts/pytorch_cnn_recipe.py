#!/usr/bin/env python3
"""The `illusion train cnn` recipe in PyTorch, side by side: the same network (one nn.Sequential,
so its state_dict names are those of our checkpoints), the same data split sizes (10 % of the
training images held out for validation), the same augmentation (±2 px whole-pixel shifts with
zeros shifted in, i.e. a random 28×28 crop of the image padded by 2, and a horizontal flip with
probability ½), Adam 1e-3, batch 128, per-epoch cosine to lr/50 at the last epoch, label
smoothing, early stopping on validation accuracy (patience 5) and the best epoch's weights judged
on the 10,000 test images.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/peers/venv/bin/python scripts/pytorch_cnn_recipe.py \
        --arch double-conv --seed 0 --threads 2      # `illusion train cnn --arch double-conv`
    ... --arch three-block                       # `--arch three-block`
    ... --arch seed --no-augment --label-smoothing 0   # the seeds' network

`--convs` overrides the architecture's convolution stack for exploration, e.g. `32,P,64,P,128,P`
(a number is a 3×3 same convolution + BatchNorm + ReLU, P a 2×2 max-pool). The split and the
shuffling are PyTorch's own (not our generator's), so runs agree in distribution, not in bits.
Prints one line per epoch on stderr and one JSON object on stdout.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FMNIST_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")

# The stacks of `CNNConfig.architecture` (Sources/IllusionModels/Classifiers/CNNClassifier.swift).
# max_shift: the augmentation's largest shift in pixels (0 = flips only), as `CNNArchitecture.defaultMaxShift`.
ARCHITECTURES = {
    "seed": {"convs": "32,P,64,P", "dense": 128, "max_shift": 2},
    "three-block": {"convs": "32,P,64,P,128,P", "dense": 256, "max_shift": 2},
    "double-conv": {"convs": "32,32,P,64,64,P", "dense": 256, "max_shift": 0},
}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(FMNIST_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(FMNIST_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    return torch.from_numpy(x.astype(np.float32)[:, None] / 255.0), torch.from_numpy(y.astype(np.int64))


def build(convs, dense, dropout=0.4, classes=10, size=28):
    """conv blocks (3×3 same conv → BatchNorm → ReLU, P = max-pool 2) → flatten → dense → ReLU →
    dropout → dense(classes): the layer order of CNNClassifier.make, so the indices match."""
    layers, channels = [], 1
    for item in convs.split(","):
        if item.strip().upper() == "P":
            layers.append(nn.MaxPool2d(2))
            size //= 2
        else:
            out = int(item)
            layers += [nn.Conv2d(channels, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU()]
            channels = out
    layers += [nn.Flatten(), nn.Linear(channels * size * size, dense), nn.ReLU(), nn.Dropout(dropout),
               nn.Linear(dense, classes)]
    return nn.Sequential(*layers)


def augment(x, flip=True, shift=2):
    """Each image shifted by its own (dy, dx) in −shift…shift (zeros shifted in), then mirrored
    left–right with probability ½."""
    if shift == 0:
        out = x.clone()
        if flip:
            mirror = torch.rand(len(x)) < 0.5
            out[mirror] = out[mirror].flip(-1)
        return out
    n, _, h, w = x.shape
    padded = F.pad(x, (shift, shift, shift, shift))
    dy = torch.randint(0, 2 * shift + 1, (n,))
    dx = torch.randint(0, 2 * shift + 1, (n,))
    rows = (dy[:, None] + torch.arange(h)[None, :])  # [n, h]
    cols = (dx[:, None] + torch.arange(w)[None, :])  # [n, w]
    idx = torch.arange(n)[:, None, None]
    out = padded[:, 0][idx, rows[:, :, None], cols[:, None, :]][:, None]
    if flip:
        mirror = torch.rand(n) < 0.5
        out[mirror] = out[mirror].flip(-1)
    return out


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(x[i:i + batch])
            loss += F.cross_entropy(out, y[i:i + batch], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    model.train()
    return correct / len(x), loss / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=sorted(ARCHITECTURES), default="double-conv")
    ap.add_argument("--convs", help="override the convolution stack, e.g. 32,P,64,P,128,P")
    ap.add_argument("--dense-units", type=int)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--dropout", type=float, default=0.4)
    ap.add_argument("--weight-init", choices=["pytorch", "he"], default="pytorch",
                    help="conv and hidden dense weights: PyTorch's default U(±1/√fanIn) or He-uniform "
                         "U(±√(6/fanIn)), `illusion train cnn`'s default (--weight-init he)")
    ap.add_argument("--no-augment", action="store_true")
    ap.add_argument("--no-flip", action="store_true")
    ap.add_argument("--max-shift", type=int, help="largest random shift in pixels (default: the architecture's)")
    ap.add_argument("--patience", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="first N training images only (quick looks)")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    arch = dict(ARCHITECTURES[a.arch])
    if a.convs:
        arch["convs"] = a.convs
    if a.dense_units:
        arch["dense"] = a.dense_units
    x, y = load("train")
    xte, yte = load("test")
    if a.limit:
        x, y = x[:a.limit], y[:a.limit]
    perm = torch.randperm(len(x))
    held = int(round(0.1 * len(x)))
    xva, yva, xtr, ytr = x[perm[:held]], y[perm[:held]], x[perm[held:]], y[perm[held:]]

    model = build(arch["convs"], arch["dense"], a.dropout)
    if a.weight_init == "he":
        # He-uniform as CNNClassifier.make draws it: every conv and the hidden Linear, not the last layer.
        weighted = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
        for m in weighted[:-1]:
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
    parameters = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    period = max(a.epochs - 1, 1)
    lr_min = a.lr / 50
    best, best_epoch, best_state, history, started = -1.0, 0, None, [], time.time()
    for epoch in range(a.epochs):
        for g in opt.param_groups:
            g["lr"] = lr_min + 0.5 * (a.lr - lr_min) * (1 + math.cos(math.pi * epoch / period))
        t0, order, seen, right, total = time.time(), torch.randperm(len(xtr)), 0, 0, 0.0
        for i in range(0, len(xtr), a.batch_size):
            idx = order[i:i + a.batch_size]
            xb, yb = xtr[idx], ytr[idx]
            if not a.no_augment:
                xb = augment(xb, flip=not a.no_flip, shift=arch["max_shift"] if a.max_shift is None else a.max_shift)
            out = model(xb)
            loss = F.cross_entropy(out, yb, label_smoothing=a.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            right += (out.argmax(1) == yb).sum().item()
            seen += len(idx)
        val_acc, val_loss = evaluate(model, xva, yva)
        history.append({"epoch": epoch + 1, "train_loss": total / seen, "train_accuracy": right / seen,
                        "val_accuracy": val_acc, "val_loss": val_loss, "seconds": time.time() - t0})
        print(f"epoch {epoch + 1}: loss {total / seen:.4f} acc {right / seen:.4f} val {val_acc:.4f} "
              f"({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
        if val_acc > best:
            best, best_epoch = val_acc, epoch + 1
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        elif a.patience and epoch + 1 - best_epoch >= a.patience:
            break
    model.load_state_dict(best_state)
    test_acc, test_loss = evaluate(model, xte, yte)
    print(json.dumps({"arch": a.arch, "convs": arch["convs"], "dense_units": arch["dense"], "seed": a.seed,
                      "augment": not a.no_augment, "max_shift": arch["max_shift"] if a.max_shift is None else a.max_shift, "label_smoothing": a.label_smoothing, "weight_init": a.weight_init, "epochs": len(history),
                      "best_epoch": best_epoch, "best_validation_accuracy": best, "test_accuracy": test_acc,
                      "test_loss": test_loss, "parameters": parameters, "threads": a.threads,
                      "seconds": time.time() - started}))


if __name__ == "__main__":
    main()
