#!/usr/bin/env python3
"""PyTorch peer of `Benchmarks --only stage2`: one StackGAN Stage-II training step (synthetic faces 32 -> 64)
exactly as `illusion train stackgan` takes it (Sources/IllusionModels/GAN/StackGAN/StackGANTraining.swift),
layer by layer the same networks (StackGANStageII.swift, DCGAN.swift) at the README's recipe: widths 16,
2 residual blocks, batch 32, 11 attribute conditions, Stage-I noise 100, c-hat 16, D condition embedding 16.

- Stage-I (frozen, eval mode, no_grad): [z, c-hat0] -> Linear(116, 64*4*4, no bias) -> BN -> ReLU ->
  ConvT 4x4 s2 (64->32) BN ReLU -> ConvT (32->16) BN ReLU -> ConvT (16->3, bias) -> tanh: s0 [N, 3, 32, 32].
- Stage-II G: CA Linear(11 -> 2*16); encoder Conv3x3(3->16) ReLU, Conv4x4 s2 (16->32) BN ReLU, Conv4x4 s2
  (32->64) BN ReLU; c-hat tiled over 8x8, joint Conv3x3(80->64) BN ReLU; 2 ResBlocks(64); 3 x [Upsample x2
  nearest, Conv3x3, BN, ReLU] 64->32->16->8; Conv3x3(8->3) tanh. Convolutions before BN have no bias.
- D: Conv4x4 s2 (3->16, bias) LReLU(0.2), 3 x [Conv4x4 s2 (no bias), BN, LReLU] 16->32->64->128, features
  [N, 128, 4, 4]; condition Linear(11->16) LReLU tiled; head Conv3x3(144->128) BN LReLU Conv4x4(128->1) (bias);
  unconditional head Conv4x4(128->1) (bias).
- D loss: -log D(x,c) - 1/2 log(1-D(G,c)) - 1/2 log(1-D(x,c~)) - log Du(x) - log(1-Du(G)) (BCE on logits, means),
  c~ = c with one random attribute flipped per row; G loss (non-saturating, D frozen): -log D(G,c) - log Du(G)
  + 1 * KL(N(mu, sigma^2) || N(0, I)) (sum over dims, mean over batch). Adam betas (0.5, 0.999), G lr 8e-4,
  D lr 2e-4. Data: random images in [-1, 1] and random 0/1 attributes of the same shapes (speed does not
  depend on the pixels).

Run:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/peers/venv/bin/python scripts/stackgan_stage2.py \
      --epochs 1 --steps 30 --threads 1 --no-eval --wait-idle 4
Prints the parameter counts (generator 260,664 / discriminator 343,698 as ours); last stdout line is the
JSON summary of the peers in ../shared/peers (`epochs[0].img_per_s_median`, `other_cores`, `steps`,
top-level `peak_rss_mib`). Throughput = batch / median step time, the first step excluded.
"""
import argparse
import os
import statistics
import sys
import time

PEERS_DIR = os.environ.get("PEERS_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers")
sys.path.insert(0, PEERS_DIR)
from common import CpuMonitor, emit, peak_rss_mib, torch_env, wait_for_idle  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def dcgan_init(module):
    """DCGANInitialization: conv/linear weights N(0, 0.02), BatchNorm weight N(1, 0.02), biases 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


class ConditioningAugmentation(nn.Module):
    def __init__(self, condition_dim, augmented_dim):
        super().__init__()
        self.e = augmented_dim
        self.fc = nn.Linear(condition_dim, 2 * augmented_dim)

    def forward(self, c):
        h = self.fc(c)
        mu, logvar = h[:, :self.e], h[:, self.e:]
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu), mu, logvar


class StageI(nn.Module):
    """DCGANGenerator, conditional, 32x32 (base 4, 3 doublings), width 16."""

    def __init__(self, noise=100, cond=11, aug=16, w=16, channels=3):
        super().__init__()
        self.ca = ConditioningAugmentation(cond, aug)
        c = w << 2
        self.main = nn.Sequential(
            nn.Linear(noise + aug, c * 16, bias=False), nn.Unflatten(1, (c, 4, 4)), nn.BatchNorm2d(c), nn.ReLU(),
            nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU(),
            nn.ConvTranspose2d(c // 2, c // 4, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 4), nn.ReLU(),
            nn.ConvTranspose2d(c // 4, channels, 4, 2, 1), nn.Tanh())
        dcgan_init(self)

    def forward(self, z, c):
        chat, _, _ = self.ca(c)
        return self.main(torch.cat([z, chat], 1))


class ResBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels))

    def forward(self, x):
        return F.relu(self.block(x) + x)


class StageIIGenerator(nn.Module):
    def __init__(self, cond=11, aug=16, w=16, channels=3, residual_blocks=2, upsampling_blocks=3):
        super().__init__()
        self.ca = ConditioningAugmentation(cond, aug)
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, w, 3, 1, 1, bias=False), nn.ReLU(),
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * w), nn.ReLU(),
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(4 * w), nn.ReLU())
        self.joint = nn.Sequential(nn.Conv2d(4 * w + aug, 4 * w, 3, 1, 1, bias=False), nn.BatchNorm2d(4 * w), nn.ReLU())
        self.residual = nn.Sequential(*[ResBlock(4 * w) for _ in range(residual_blocks)])
        blocks, c = [], 4 * w
        for _ in range(upsampling_blocks):
            nxt = max(1, c // 2)
            blocks.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c, nxt, 3, 1, 1, bias=False),
                                        nn.BatchNorm2d(nxt), nn.ReLU()))
            c = nxt
        self.upsampling = nn.Sequential(*blocks)
        self.img = nn.Sequential(nn.Conv2d(c, channels, 3, 1, 1, bias=False), nn.Tanh())
        dcgan_init(self)

    def forward(self, low, c):
        chat, mu, logvar = self.ca(c)
        f = self.encoder(low)
        n, m = f.shape[0], f.shape[2]
        tiled = chat.view(n, -1, 1, 1).expand(n, chat.shape[1], m, m)
        h = self.residual(self.joint(torch.cat([f, tiled], 1)))
        return self.img(self.upsampling(h)), mu, logvar


class StageIIDiscriminator(nn.Module):
    def __init__(self, cond=11, e=16, w=16, channels=3, doublings=4, base=4, slope=0.2):
        super().__init__()
        layers, c = [nn.Conv2d(channels, w, 4, 2, 1), nn.LeakyReLU(slope)], w
        for _ in range(doublings - 1):
            layers += [nn.Conv2d(c, 2 * c, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * c), nn.LeakyReLU(slope)]
            c *= 2
        self.main = nn.Sequential(*layers)
        self.condition = nn.Sequential(nn.Linear(cond, e), nn.LeakyReLU(slope))
        self.head = nn.Sequential(nn.Conv2d(c + e, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.LeakyReLU(slope),
                                  nn.Conv2d(c, 1, base), nn.Flatten())
        self.uncond = nn.Sequential(nn.Conv2d(c, 1, base), nn.Flatten())
        dcgan_init(self)

    def conditional(self, features, c):
        n, b = features.shape[0], features.shape[2]
        e = self.condition(c)
        return self.head(torch.cat([features, e.view(n, -1, 1, 1).expand(n, e.shape[1], b, b)], 1))


def bce(logits, target):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def mismatched(c):
    """One uniformly chosen attribute flipped per row (GANConditions.mismatched for attributes)."""
    wrong = c.clone()
    j = torch.randint(0, c.shape[1], (c.shape[0],))
    rows = torch.arange(c.shape[0])
    wrong[rows, j] = 1 - wrong[rows, j]
    return wrong


def count(module):
    return sum(p.numel() for p in module.parameters())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--steps", type=int, default=30, help="train steps per epoch")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-eval", action="store_true", help="accepted for the harness (there is no evaluation)")
    ap.add_argument("--wait-idle", type=float, default=60.0)
    args = ap.parse_args()

    env = torch_env(args.threads)
    torch.manual_seed(args.seed)
    n, cond, noise = args.batch, 11, 100
    stage1, g, d = StageI(noise, cond), StageIIGenerator(cond), StageIIDiscriminator(cond)
    stage1.eval()
    for p in stage1.parameters():
        p.requires_grad_(False)
    opt_g = torch.optim.Adam(g.parameters(), lr=8e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    params = {"stage1": count(stage1), "generator": count(g), "discriminator": count(d)}
    print(f"params generator={params['generator']} discriminator={params['discriminator']} stage1={params['stage1']} "
          f"torch={env['torch_version']} threads={args.threads}", flush=True)
    batches = [(torch.rand(n, 3, 64, 64) * 2 - 1, (torch.rand(n, cond) < 0.5).float()) for _ in range(4)]

    def step(x, c):
        with torch.no_grad():
            low = stage1(torch.randn(n, noise), c)
        fake, mu, logvar = g(low, c)
        opt_d.zero_grad(set_to_none=True)
        real_f, fake_f = d.main(x), d.main(fake.detach())
        real_l, fake_l, wrong_l = d.conditional(real_f, c), d.conditional(fake_f, c), d.conditional(real_f, mismatched(c))
        loss_d = (bce(real_l, 1) + 0.5 * (bce(fake_l, 0) + bce(wrong_l, 0))
                  + bce(d.uncond(real_f), 1) + bce(d.uncond(fake_f), 0))
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=True)
        d.requires_grad_(False)
        f = d.main(fake)
        adversarial = bce(d.conditional(f, c), 1) + bce(d.uncond(f), 1)
        kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)).mean()
        loss_g = adversarial + kl
        loss_g.backward()
        d.requires_grad_(True)
        opt_g.step()
        return loss_d.item(), adversarial.item(), kl.item()

    summary = {"script": "stackgan_stage2.py", "env": env, "args": vars(args), "params": params,
               "params_total": params["generator"] + params["discriminator"], "idle_wait": wait_for_idle(args.wait_idle),
               "epochs": []}
    for epoch in range(1, args.epochs + 1):
        times, last = [], None
        mon = CpuMonitor().start()
        t_ep = time.perf_counter()
        for b in range(args.steps):
            x, c = batches[b % len(batches)]
            t0 = time.perf_counter()
            last = step(x, c)
            times.append(time.perf_counter() - t0)
        ep_s = time.perf_counter() - t_ep
        load = mon.stop()
        steady = times[1:] if len(times) > 1 else times
        rec = {"epoch": epoch, "steps": args.steps, "epoch_s": round(ep_s, 2),
               "img_per_s_median": round(n / statistics.median(steady), 1),
               "img_per_s_mean": round(n * args.steps / ep_s, 1),
               "loss_d": round(last[0], 4), "loss_g": round(last[1], 4), "kl": round(last[2], 4),
               "other_cores": load["other_cores"], "steal_cores": load["steal_cores"]}
        print(rec, flush=True)
        summary["epochs"].append(rec)
    summary["peak_rss_mib"] = round(peak_rss_mib(), 1)
    emit(summary)


if __name__ == "__main__":
    main()
