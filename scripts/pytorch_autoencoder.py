#!/usr/bin/env python3
"""Rebuild an IllusionCraft convolutional autoencoder with its latent classifier
(`train autoencoder`) in PyTorch from a run folder's config.json and load its model.safetensors
with strict=True (encoder.*, decoder.*, classifier.*, each an nn.Sequential).

    illusion export --run runs/ae --format onnx --part classifier --out ae.onnx --reference ae.ref.safetensors
    python3 scripts/pytorch_autoencoder.py runs/ae --reference ae.ref.safetensors

--reference takes any part's reference file (encoder: code; decoder: images; classifier: logits,
through the codes standardised with the run's stored mean and std) and compares with ours; prints
one JSON object, exit status 1 when the difference exceeds 1e-4. Needs torch and safetensors.
"""

import torch
import torch.nn as nn

from run_loader import check_reference


class Autoencoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        c, f1, f2, d, s = m["channels"], m["conv1Filters"], m["conv2Filters"], m["latentDim"], m["imageSize"] // 4
        self.encoder = nn.Sequential(nn.Conv2d(c, f1, 3, 2, 1), nn.ReLU(), nn.Conv2d(f1, f2, 3, 2, 1), nn.ReLU(),
                                     nn.Flatten(), nn.Linear(f2 * s * s, d))
        self.decoder = nn.Sequential(nn.Linear(d, f2 * s * s), nn.ReLU(), nn.Unflatten(1, (f2, s, s)),
                                     nn.ConvTranspose2d(f2, f1, 3, 2, 1, 1), nn.ReLU(), nn.ConvTranspose2d(f1, c, 3, 2, 1, 1))
        layers, size = [], d
        for units in m["classifierHiddenUnits"]:
            layers += [nn.Linear(size, units), nn.ReLU()]
            size = units
        layers.append(nn.Linear(size, len(m["classNames"])))
        self.classifier = nn.Sequential(*layers)
        standardize = len(m.get("codeMean", [])) == d and len(m.get("codeStd", [])) == d
        self.code_mean = torch.tensor(m["codeMean"]) if standardize else torch.zeros(d)
        self.code_std = torch.tensor(m["codeStd"]) if standardize else torch.ones(d)

    def classify(self, x):
        return self.classifier((self.encoder(x) - self.code_mean) / self.code_std)


def compare(model, ref):
    if "output.code" in ref:
        return ref["output.code"], model.encoder(ref["input.images"])
    if "output.logits" in ref:
        return ref["output.logits"], model.classify(ref["input.images"])
    return ref["output.images"], torch.sigmoid(model.decoder(ref["input.code"]))


if __name__ == "__main__":
    check_reference(Autoencoder, compare, "safetensors from `illusion export --reference` of any autoencoder part")
