#!/usr/bin/env python3
"""Rebuild an IllusionCraft CNN classifier (`train cnn`) in PyTorch from a run folder's config.json
and load its model.safetensors with strict=True (one nn.Sequential, so the names are its indices).

    illusion export --run runs/cnn --format onnx --out cnn.onnx --reference cnn.ref.safetensors
    python3 scripts/pytorch_cnn.py runs/cnn --reference cnn.ref.safetensors

With --reference the classifier runs on the same images and its logits are compared with ours;
prints one JSON object, exit status 1 when the difference exceeds 1e-4. Needs torch and safetensors.
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn
from safetensors.torch import load_file


def cnn(m):
    pad = "same" if m["padding"] == "same" else 0
    k = m["kernelSize"]
    layers = []

    def block(cin, cout):
        layers.append(nn.Conv2d(cin, cout, k, padding=pad))
        if m["batchNorm"]:
            layers.append(nn.BatchNorm2d(cout))
        layers.extend([nn.ReLU(), nn.MaxPool2d(2)])
        if (m.get("convolutionDropout") or 0) > 0:
            layers.append(nn.Dropout(m["convolutionDropout"]))

    block(m["channels"], m["conv1Filters"])
    block(m["conv1Filters"], m["conv2Filters"])
    shrink = 0 if m["padding"] == "same" else k - 1
    s = ((m["imageSize"] - shrink) // 2 - shrink) // 2
    layers += [nn.Flatten(), nn.Linear(m["conv2Filters"] * s * s, m["denseUnits"]), nn.ReLU(), nn.Dropout(m["dropout"]),
               nn.Linear(m["denseUnits"], len(m["classNames"]))]
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--reference", help="safetensors from `illusion export --part classifier --reference`")
    a = ap.parse_args()
    config = json.load(open(os.path.join(a.run, "config.json")))
    model = cnn(config["model"])
    state = load_file(os.path.join(a.run, "model.safetensors"))
    model.load_state_dict(state, strict=True)
    model.eval()
    report = {"run": a.run, "kind": config["kind"], "loaded": len(state), "strict": True}
    ok = True
    if a.reference:
        ref = load_file(a.reference)
        with torch.no_grad():
            logits = model(ref["input.images"])
        d = (logits - ref["output.logits"]).abs().max().item()
        report["max_abs_difference_vs_illusion"] = d
        ok = d <= 1e-4
    report["passed"] = ok
    print(json.dumps(report))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
