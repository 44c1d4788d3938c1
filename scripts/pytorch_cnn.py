#!/usr/bin/env python3
"""Rebuild an IllusionCraft CNN classifier (`train cnn`) in PyTorch from a run folder's config.json
and load its model.safetensors with strict=True (one nn.Sequential, so the names are its indices).

    illusion export --run runs/cnn --format onnx --out cnn.onnx --reference cnn.ref.safetensors
    python3 scripts/pytorch_cnn.py runs/cnn --reference cnn.ref.safetensors

With --reference the classifier runs on the same images and its logits are compared with ours;
prints one JSON object, exit status 1 when the difference exceeds 1e-4. Needs torch and safetensors.
"""

import torch
import torch.nn as nn

from run_loader import check_reference


def cnn(m):
    pad = "same" if m["padding"] == "same" else 0
    k = m["kernelSize"]
    layers = []

    per_block = m.get("convolutionsPerBlock") or 1  # 2 for `--arch double-conv`

    def block(cin, cout):
        for i in range(per_block):
            layers.append(nn.Conv2d(cin if i == 0 else cout, cout, k, padding=pad))
            if m["batchNorm"]:
                layers.append(nn.BatchNorm2d(cout))
            layers.append(nn.ReLU())
        layers.append(nn.MaxPool2d(2))
        if (m.get("convolutionDropout") or 0) > 0:
            layers.append(nn.Dropout(m["convolutionDropout"]))

    # Two blocks (the seeds' network) or three (`--arch three-block`, "conv3Filters" in the config).
    filters = [m["conv1Filters"], m["conv2Filters"]] + ([m["conv3Filters"]] if m.get("conv3Filters") else [])
    shrink = 0 if m["padding"] == "same" else (k - 1) * per_block
    channels, s = m["channels"], m["imageSize"]
    for f in filters:
        block(channels, f)
        channels, s = f, (s - shrink) // 2
    layers += [nn.Flatten(), nn.Linear(channels * s * s, m["denseUnits"]), nn.ReLU(), nn.Dropout(m["dropout"]),
               nn.Linear(m["denseUnits"], len(m["classNames"]))]
    return nn.Sequential(*layers)


if __name__ == "__main__":
    check_reference(cnn, lambda model, ref: (ref["output.logits"], model(ref["input.images"])),
                    "safetensors from `illusion export --part classifier --reference`")
