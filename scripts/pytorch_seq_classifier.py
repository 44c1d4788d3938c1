#!/usr/bin/env python3
"""Rebuild an IllusionCraft sequential Fashion-MNIST classifier (`train seq-classifier`) in PyTorch
from its run folder — the peer's SeqLSTM (seq_fmnist_lstm.py): nn.LSTM(28, H, batch_first=True) →
Linear(H, 10) on the last hidden state, names `lstm.*`, `fc.*` — load model.safetensors with
strict=True and check it against our run: the test accuracy over the 10,000 test images (each image
read row by row, pixels / 255) must equal the final `test_accuracy` of metrics.jsonl (one image of
slack for a float tie between two logits).

    python3 scripts/pytorch_seq_classifier.py RUN [--data /usr/share/datasets/fashion-mnist]

Prints one JSON object; exit status 1 when the accuracies differ. Needs torch, numpy and safetensors.
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file


class SeqLSTM(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.lstm = nn.LSTM(28, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 10)

    def forward(self, x):                           # x [N, 28 rows, 28 pixels] → logits [N, 10]
        _, (h, _) = self.lstm(x)
        return self.fc(h[-1])


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--data", default=None, help="Fashion-MNIST folder (default: the run's dataDirectory)")
    a = ap.parse_args()
    config = json.load(open(os.path.join(a.run, "config.json")))
    assert config["kind"] == "seq-classifier", f"{a.run}: a {config['kind']} run, not a seq-classifier run"
    model = SeqLSTM(config["hidden"])
    model.load_state_dict(load_file(os.path.join(a.run, "model.safetensors")), strict=True)
    model.eval()
    data = a.data or config["dataDirectory"]
    images = torch.from_numpy(idx(os.path.join(data, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255)
    labels = torch.from_numpy(idx(os.path.join(data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
    with torch.no_grad():
        predictions = torch.cat([model(images[i:i + 500]).argmax(1) for i in range(0, len(images), 500)])
    correct = int((predictions == labels).sum())
    lines = [json.loads(l) for l in open(os.path.join(a.run, "metrics.jsonl"))]
    ours = [l["test_accuracy"] for l in lines if "test_accuracy" in l][-1]
    same = abs(correct - round(ours * len(labels))) <= 1
    print(json.dumps({"run": a.run, "strict_load": True, "test_images": len(labels), "test_accuracy_pytorch": correct / len(labels),
                      "test_accuracy_ours": ours, "agree": same}))
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
