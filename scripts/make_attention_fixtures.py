#!/usr/bin/env python3
"""Golden fixtures for the attention family and the GPT-style character model, from PyTorch.

Inputs are drawn as float32; every forward and backward is computed in float64 from exactly those
float32 values and stored as float32, so the goldens carry no float32 rounding of PyTorch's own.

Writes
  Tests/NeuralNetworksTests/Fixtures/attention_ops.safetensors
      NAME.{inputs…}, NAME.gout (upstream gradient), NAME.out, NAME.grad_<input> for
      layer_norm (normalized [8], affine), layer_norm_nobias (bias=False), layer_norm_2d (normalized [3, 4]),
      gelu, gelu_tanh, bmm, bmm_tb (b transposed), sdpa (no mask, S ≠ T), sdpa_causal.
  Tests/NeuralNetworksTests/Fixtures/attention_mha.safetensors
      torch.nn.MultiheadAttention(8, 2, batch_first=True): its state_dict under `self.` and `cross.`
      (in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias), self.x / self.out / self.gout /
      self.grad_x / self.grad_in_proj_weight (self-attention, causal attn_mask), cross.query, cross.key,
      cross.value, cross.out (cross-attention, no mask).
      block.*: one nanoGPT Block(16, 2 heads, bias=False) state_dict, block.x, block.out, block.gout, block.grad_x.
  Tests/ModelsTests/Fixtures/attention_gpt.safetensors
      a nanoGPT GPT (vocab 7, block 8, 2 layers, 2 heads, 16 wide, no biases, tied head): its state_dict
      under `gpt.`, gpt_idx / gpt_targets (int64 [2, 8]), gpt_logits [2, 8, 7], gpt_loss, gpt_grad.<name>.

Run from the repository root with PyTorch installed (CPU):  python3 scripts/make_attention_fixtures.py
Generated with PyTorch 2.13 (CPU). Seeded, so reruns reproduce the files.
"""
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(20261201)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def randn(*shape, scale=1.0):
    return (torch.randn(shape) * scale).float()


def save(tensors, rel):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    save_file({k: v.detach().float().clone().contiguous() if v.dtype.is_floating_point else v.clone().contiguous()
               for k, v in tensors.items()}, path, metadata={"generator": "scripts/make_attention_fixtures.py"})
    print("wrote", rel, len(tensors), "tensors")


def op(out, name, inputs, fn):
    """inputs: float32 tensors; fn gets float64 leaves."""
    leaves = {k: v.double().requires_grad_(True) for k, v in inputs.items()}
    y = fn(**leaves)
    gout = randn(*y.shape)
    y.backward(gout.double())
    for k, v in inputs.items():
        out[f"{name}.{k}"] = v
        out[f"{name}.grad_{k}"] = leaves[k].grad
    out[f"{name}.gout"] = gout
    out[f"{name}.out"] = y


ops = {}
x = randn(2, 3, 8, scale=2.0) + 0.5
w, b = randn(8) * 0.5 + 1, randn(8) * 0.5
op(ops, "layer_norm", dict(x=x, weight=w, bias=b), lambda x, weight, bias: F.layer_norm(x, (8,), weight, bias, 1e-5))
op(ops, "layer_norm_nobias", dict(x=x, weight=w), lambda x, weight: F.layer_norm(x, (8,), weight, None, 1e-5))
x2, w2, b2 = randn(2, 3, 4) * 1.5, randn(3, 4) * 0.5 + 1, randn(3, 4) * 0.5
op(ops, "layer_norm_2d", dict(x=x2, weight=w2, bias=b2), lambda x, weight, bias: F.layer_norm(x, (3, 4), weight, bias, 1e-5))
g = randn(3, 7, scale=2.0)
op(ops, "gelu", dict(x=g), lambda x: F.gelu(x))
op(ops, "gelu_tanh", dict(x=g), lambda x: F.gelu(x, approximate="tanh"))
op(ops, "bmm", dict(a=randn(2, 3, 4, 5), b=randn(2, 3, 5, 6)), lambda a, b: a @ b)
op(ops, "bmm_tb", dict(a=randn(2, 3, 4, 5), b=randn(2, 3, 6, 5)), lambda a, b: a @ b.transpose(-1, -2))
op(ops, "sdpa", dict(q=randn(2, 2, 5, 4), k=randn(2, 2, 6, 4), v=randn(2, 2, 6, 4)),
   lambda q, k, v: F.scaled_dot_product_attention(q, k, v))
op(ops, "sdpa_causal", dict(q=randn(2, 2, 5, 4), k=randn(2, 2, 5, 4), v=randn(2, 2, 5, 4)),
   lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True))
save(ops, "Tests/NeuralNetworksTests/Fixtures/attention_ops.safetensors")

# ---------------------------------------------------------------------------------------------
# torch.nn.MultiheadAttention and one nanoGPT block

mha = {}
m = nn.MultiheadAttention(8, 2, batch_first=True)
with torch.no_grad():
    m.in_proj_bias.normal_(0, 0.3)
    m.out_proj.bias.normal_(0, 0.3)
for k, v in m.state_dict().items():
    mha[f"self.{k}"] = v.clone()
m = m.double()
xs = randn(2, 5, 8)
xl = xs.double().requires_grad_(True)
mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)  # True = not allowed
y, _ = m(xl, xl, xl, attn_mask=mask, need_weights=False, is_causal=True)
gout = randn(*y.shape)
y.backward(gout.double())
mha.update({"self.x": xs, "self.out": y, "self.gout": gout, "self.grad_x": xl.grad,
            "self.grad_in_proj_weight": m.in_proj_weight.grad})

c = nn.MultiheadAttention(8, 4, batch_first=True)
with torch.no_grad():
    c.in_proj_bias.normal_(0, 0.3)
for k, v in c.state_dict().items():
    mha[f"cross.{k}"] = v.clone()
c = c.double()
qq, kk, vv = randn(2, 3, 8), randn(2, 6, 8), randn(2, 6, 8)
with torch.no_grad():
    yc, _ = c(qq.double(), kk.double(), vv.double(), need_weights=False)
mha.update({"cross.query": qq, "cross.key": kk, "cross.value": vv, "cross.out": yc})


class CausalSelfAttention(nn.Module):  # nanoGPT model.py, dropout 0
    def __init__(self, n_embd, n_head, bias):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.n_head, self.n_embd = n_head, n_embd

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self, n_embd, bias):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, bias):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, bias=bias)
        self.attn = CausalSelfAttention(n_embd, n_head, bias)
        self.ln_2 = nn.LayerNorm(n_embd, bias=bias)
        self.mlp = MLP(n_embd, bias)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab, block_size, n_layer, n_head, n_embd):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, n_embd), wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head, False) for _ in range(n_layer)]),
            ln_f=nn.LayerNorm(n_embd, bias=False)))
        self.lm_head = nn.Linear(n_embd, vocab, bias=False)
        self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx):
        pos = torch.arange(idx.shape[1])
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for blk in self.transformer.h:
            x = blk(x)
        return self.lm_head(self.transformer.ln_f(x))


blk = Block(16, 2, False)
with torch.no_grad():
    for p in blk.parameters():
        if p.dim() == 1:
            p.normal_(1, 0.2)  # LayerNorm weights away from the trivial 1
for k, v in blk.state_dict().items():
    mha[f"block.{k}"] = v.clone()
blk = blk.double()
xb = randn(2, 6, 16)
xbl = xb.double().requires_grad_(True)
yb = blk(xbl)
gb = randn(*yb.shape)
yb.backward(gb.double())
mha.update({"block.x": xb, "block.out": yb, "block.gout": gb, "block.grad_x": xbl.grad})
save(mha, "Tests/NeuralNetworksTests/Fixtures/attention_mha.safetensors")

# ---------------------------------------------------------------------------------------------
# a tiny GPT: logits, loss and every parameter's gradient

gpt = GPT(7, 8, 2, 2, 16)
with torch.no_grad():
    for n, p in gpt.named_parameters():
        p.copy_((torch.randn(p.shape) * (0.3 if p.dim() == 2 else 0.1) + (1 if p.dim() == 1 else 0)).float())
out = {}
for k, v in gpt.state_dict().items():
    out[f"gpt.{k}"] = v.clone()
gpt = gpt.double()
idx = torch.randint(0, 7, (2, 8))
targets = torch.randint(0, 7, (2, 8))
logits = gpt(idx)
loss = F.cross_entropy(logits.view(-1, 7), targets.view(-1))
loss.backward()
out.update({"gpt_idx": idx, "gpt_targets": targets, "gpt_logits": logits, "gpt_loss": loss.reshape([])})
for n, p in gpt.named_parameters():  # the tied weight appears once, as transformer.wte.weight
    out[f"gpt_grad.{n}"] = p.grad
save(out, "Tests/ModelsTests/Fixtures/attention_gpt.safetensors")
