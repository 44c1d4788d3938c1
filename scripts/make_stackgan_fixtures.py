#!/usr/bin/env python3
"""Golden fixtures for the layers StackGAN Stage-II needs, from PyTorch (CPU, float64 maths, stored as float32).

Writes Tests/NeuralNetworksTests/Fixtures/conv_upsample_nearest.safetensors (nn.Upsample(mode='nearest')),
conv_resize_bilinear.safetensors (F.interpolate(mode='bilinear', align_corners=False), forward only),
conv_resize_bilinear_down.safetensors (the same at scale_factor 1/d, antialias=False: Fashion-MNIST Stage-II
images back to the 28x28 judge's side) and
conv_residual_block.safetensors (StackGAN's ResBlock: conv3x3-BN-ReLU-conv3x3-BN + x, then ReLU, in
training mode; its state_dict under "<i>.block.*"). Same layout as scripts/make_conv_fixtures.py:
tensors "<i>.<name>", metadata "configs" a JSON list. Gradients are those of sum(y * grad_y).

Run:  /tmp/peers/venv/bin/python scripts/make_stackgan_fixtures.py   (the Swift tests need only the output files).
"""
import json
import os
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "NeuralNetworksTests", "Fixtures")
rng = random.Random(20261201)
torch.manual_seed(20261201)


def save(name, tensors, configs):
    out = {k: v.detach().to(torch.float32).contiguous() for k, v in tensors.items()}
    path = os.path.join(OUT, f"conv_{name}.safetensors")
    save_file(out, path, metadata={"configs": json.dumps(configs), "generator": "scripts/make_stackgan_fixtures.py",
                                   "torch": torch.__version__})
    print(f"{path}: {len(configs)} configurations, {os.path.getsize(path)} bytes")


def make_upsample():
    tensors, configs = {}, []
    for i in range(8):
        n, c, h, w = rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, 6), rng.randint(1, 6)
        sh, sw = (2, 2) if i < 3 else (rng.randint(1, 4), rng.randint(1, 4))
        x = torch.randn(n, c, h, w, dtype=torch.float64, requires_grad=True)
        y = nn.Upsample(scale_factor=(sh, sw), mode="nearest")(x)
        gy = torch.randn(*y.shape, dtype=torch.float64)
        (y * gy).sum().backward()
        tensors.update({f"{i}.x": x, f"{i}.y": y, f"{i}.grad_y": gy, f"{i}.grad_x": x.grad})
        configs.append({"scale": [sh, sw]})
    save("upsample_nearest", tensors, configs)


def make_bilinear():
    tensors, configs = {}, []
    for i in range(6):
        n, c, h, w = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 7), rng.randint(1, 7)
        s = [2, 2, 2, 4, 3, 2][i]
        x = torch.randn(n, c, h, w, dtype=torch.float64)
        y = F.interpolate(x, scale_factor=s, mode="bilinear", align_corners=False)
        tensors.update({f"{i}.x": x, f"{i}.y": y})
        configs.append({"scale": s})
    save("resize_bilinear", tensors, configs)


class ResBlock(nn.Module):
    """StackGAN-Pytorch's ResBlock (model.py)."""

    def __init__(self, channels):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels), nn.ReLU(True),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.block(x) + x)


def make_residual_block():
    tensors, configs = {}, []
    for i in range(4):
        n, c, h, w = rng.randint(2, 3), rng.randint(1, 4), rng.randint(2, 5), rng.randint(2, 5)
        block = ResBlock(c).double()
        with torch.no_grad():
            for bn in (block.block[1], block.block[4]):
                bn.weight.uniform_(0.5, 1.5)
                bn.bias.normal_()
        block.train()
        x = torch.randn(n, c, h, w, dtype=torch.float64, requires_grad=True)
        y = block(x)
        gy = torch.randn(*y.shape, dtype=torch.float64)
        (y * gy).sum().backward()
        state = {k: v for k, v in block.state_dict().items() if not k.endswith("num_batches_tracked")}
        tensors.update({f"{i}.x": x, f"{i}.y": y, f"{i}.grad_y": gy, f"{i}.grad_x": x.grad})
        # parameters as they were before the forward pass moved the running statistics
        for k, v in block.named_parameters():
            tensors[f"{i}.{k}"] = v
            tensors[f"{i}.grad.{k}"] = v.grad
        for k in ("block.1.running_mean", "block.1.running_var", "block.4.running_mean", "block.4.running_var"):
            tensors[f"{i}.after.{k}"] = state[k]
        configs.append({"channels": c})
    save("residual_block", tensors, configs)


def make_bilinear_down():
    tensors, configs = {}, []
    for i in range(5):
        d = [2, 2, 2, 4, 3][i]
        n, c, h, w = rng.randint(1, 3), rng.randint(1, 3), d * rng.randint(1, 6), d * rng.randint(1, 6)
        x = torch.randn(n, c, h, w, dtype=torch.float64)
        y = F.interpolate(x, scale_factor=1 / d, mode="bilinear", align_corners=False, antialias=False)
        tensors.update({f"{i}.x": x, f"{i}.y": y})
        configs.append({"factor": d})
    save("resize_bilinear_down", tensors, configs)


make_upsample()
make_bilinear()
make_residual_block()
make_bilinear_down()   # last, so the fixtures above keep their random draws
