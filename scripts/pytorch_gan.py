#!/usr/bin/env python3
"""Rebuild an IllusionCraft DCGAN or conditional GAN (`train dcgan` / `train cgan`) in PyTorch from a
run folder's config.json and load its model.safetensors with strict=True (generator.* and
discriminator.*, PyTorch state_dict names and layouts).

    illusion export --run runs/cgan --format onnx --out g.onnx --reference g.ref.safetensors
    python3 scripts/pytorch_gan.py runs/cgan --reference g.ref.safetensors

With --reference (inputs and our outputs written by `illusion export --reference`) the generator
is run on the same noise (and condition, ε) and compared with our images; prints one JSON object,
exit status 1 when the difference exceeds 1e-4. Needs torch and safetensors.
"""

import torch
import torch.nn as nn

from run_loader import check_reference


def geometry(size):
    k = 0
    while size > 7 and size % 2 == 0:
        size //= 2
        k += 1
    assert 4 <= size <= 7 and k >= 1, "image size must be B·2^k"
    return size, k


class ConditioningAugmentation(nn.Module):
    def __init__(self, condition_dim, augmented_dim):
        super().__init__()
        self.a = augmented_dim
        self.fc = nn.Linear(condition_dim, 2 * augmented_dim)

    def forward(self, c, eps):
        h = self.fc(c)
        mu, logvar = h[:, :self.a], h[:, self.a:]
        return mu + torch.exp(0.5 * logvar) * eps


class Generator(nn.Module):
    def __init__(self, m):
        super().__init__()
        base, k = geometry(m["imageSize"])
        w, c = m["generatorWidth"], m["generatorWidth"] << (k - 1)
        cond = m.get("conditionDim", 0) > 0
        if cond:
            self.ca = ConditioningAugmentation(m["conditionDim"], m["augmentedDim"])
        layers = [nn.Linear(m["noiseDim"] + (m["augmentedDim"] if cond else 0), c * base * base, bias=False),
                  nn.Unflatten(1, (c, base, base)), nn.BatchNorm2d(c), nn.ReLU()]
        for _ in range(k - 1):
            layers += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU()]
            c //= 2
        layers += [nn.ConvTranspose2d(c, m["channels"], 4, 2, 1), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, noise, condition=None, epsilon=None):
        if hasattr(self, "ca"):
            noise = torch.cat([noise, self.ca(condition, epsilon)], dim=1)
        return self.main(noise)


class Discriminator(nn.Module):
    def __init__(self, m):
        super().__init__()
        base, k = geometry(m["imageSize"])
        s, c = m["leakySlope"], m["discriminatorWidth"]
        layers = [nn.Conv2d(m["channels"], c, 4, 2, 1), nn.LeakyReLU(s)]
        for _ in range(k - 1):
            layers += [nn.Conv2d(c, 2 * c, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * c), nn.LeakyReLU(s)]
            c *= 2
        self.main = nn.Sequential(*layers)
        self.conditional = m.get("conditionDim", 0) > 0
        if self.conditional:
            e = m["discriminatorConditionDim"]
            self.condition = nn.Sequential(nn.Linear(m["conditionDim"], e), nn.LeakyReLU(s))
            self.head = nn.Sequential(nn.Conv2d(c + e, c, 1, bias=False), nn.BatchNorm2d(c), nn.LeakyReLU(s),
                                      nn.Flatten(), nn.Linear(c * base * base, 1))
        else:
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(c * base * base, 1))
        if self.conditional and m.get("auxiliaryClassifier"):
            self.aux = nn.Sequential(nn.Flatten(), nn.Linear(c * base * base, m["conditionDim"]))

    def forward(self, x, condition=None):
        f = self.main(x)
        if not self.conditional:
            return self.head(f)
        e = self.condition(condition)[:, :, None, None].expand(-1, -1, f.shape[2], f.shape[3])
        return self.head(torch.cat([f, e], dim=1))


class GAN(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.generator = Generator(m)
        self.discriminator = Discriminator(m)


def compare(gan, ref):
    return ref["output.images"], gan.generator(ref["input.noise"], ref.get("input.condition"), ref.get("input.epsilon"))


if __name__ == "__main__":
    check_reference(GAN, compare, "safetensors from `illusion export --part generator --reference`")
