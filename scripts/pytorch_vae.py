#!/usr/bin/env python3
"""Rebuild an IllusionCraft VAE in PyTorch from a run folder's config.json and load its
model.safetensors (the checkpoint contract: PyTorch state_dict names and layouts).

    python3 scripts/pytorch_vae.py runs/demo            # loads, checks every tensor, decodes 8 samples
    illusion sample --run runs/demo --count 16 --out s.png --raw s.safetensors
    python3 scripts/pytorch_vae.py runs/demo --raw s.safetensors   # decodes the same z, compares images

Needs torch and safetensors (pip install torch safetensors). Not used by the tests.
"""
import argparse
import json

import torch
import torch.nn as nn
from safetensors.torch import load_file

from run_loader import load_run


def fashion(c):
    s = c["imageSize"] // 8
    ch, d = c["channels"], c["latentDim"]
    enc = nn.Sequential(nn.Conv2d(ch, 32, 3, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 2, 1), nn.ReLU(),
                        nn.Conv2d(64, 128, 3, 2, 1), nn.ReLU(), nn.Flatten())
    dec = nn.Sequential(nn.Linear(d, 128 * s * s), nn.Unflatten(1, (128, s, s)),
                        nn.ConvTranspose2d(128, 128, 3, 2, 1, 1), nn.ReLU(),
                        nn.ConvTranspose2d(128, 64, 3, 2, 1, 1), nn.ReLU(),
                        nn.ConvTranspose2d(64, 32, 3, 2, 1, 1), nn.ReLU(),
                        nn.Conv2d(32, ch, 3, 1, 1))
    return enc, dec, 128 * s * s


def faces(c):
    s = c["imageSize"] // 32
    ch, d, slope = c["channels"], c["latentDim"], c["leakySlope"]
    enc, cin = [], ch
    for cout in [32, 64, 64, 64, 64]:
        enc += [nn.Conv2d(cin, cout, 3, 2, 1), nn.BatchNorm2d(cout), nn.LeakyReLU(slope)]
        cin = cout
    enc.append(nn.Flatten())
    dec, cin = [nn.Linear(d, 64 * s * s), nn.Unflatten(1, (64, s, s))], 64
    for cout in [64, 64, 64, 32]:
        dec += [nn.ConvTranspose2d(cin, cout, 3, 2, 1, 1), nn.BatchNorm2d(cout), nn.LeakyReLU(slope)]
        cin = cout
    dec.append(nn.ConvTranspose2d(cin, ch, 3, 2, 1, 1))
    return nn.Sequential(*enc), nn.Sequential(*dec), 64 * s * s


def linear(c):
    p = c["channels"] * c["imageSize"] ** 2
    return nn.Sequential(nn.Flatten()), nn.Sequential(nn.Linear(c["latentDim"], p)), p


def mlp(c):
    p = c["channels"] * c["imageSize"] ** 2
    return (nn.Sequential(nn.Flatten(), nn.Linear(p, 400), nn.ReLU()),
            nn.Sequential(nn.Linear(c["latentDim"], 400), nn.ReLU(), nn.Linear(400, p)), 400)


class VAE(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.encoder, self.decoder, flat = {"fashion": fashion, "faces": faces, "linear": linear, "mlp": mlp}[c["architecture"]](c)
        self.fc_mu = nn.Linear(flat, c["latentDim"])
        self.fc_logvar = nn.Linear(flat, c["latentDim"])
        if c["likelihood"] == "gaussian_learned":
            self.log_sigma2 = nn.Parameter(torch.zeros(1))

    def encode(self, x):
        h = self.encoder(x)
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z):
        raw = self.decoder(z).view(-1, self.c["channels"], self.c["imageSize"], self.c["imageSize"])
        return raw if self.c["likelihood"] == "gaussian_learned" else torch.sigmoid(raw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--raw", help="safetensors from `illusion sample --raw`: decode its z and compare with its images")
    args = ap.parse_args()
    config, model, state = load_run(args.run, VAE)
    n = sum(v.numel() for v in model.state_dict().values() if v.dtype == torch.float32)
    with torch.no_grad():
        z = torch.randn(8, config["model"]["latentDim"], generator=torch.Generator().manual_seed(0))
        x = model.decode(z)
    report = {"loaded": len(state), "float_values": n, "decoded_shape": list(x.shape)}
    if args.raw:
        raw = load_file(args.raw)
        with torch.no_grad():
            ours = raw["images"]
            theirs = model.decode(raw["z"])
        report["max_abs_difference_vs_illusion"] = (ours - theirs).abs().max().item()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
