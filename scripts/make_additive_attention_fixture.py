#!/usr/bin/env python3
"""Golden values for AdditiveAttention (Bahdanau et al. 2015), computed with PyTorch.

The module below is the reference: score_s = v^T tanh(W_q q + b_q + W_k k_s), masked_fill(-1e9) past
each sequence's length, softmax over s, context = sum_s w_s k_s. Its state-dict names are ours:
query.weight [A, Q], query.bias [A], key.weight [A, K], score.weight [1, A].

Writes Tests/NeuralNetworksTests/Fixtures/recurrent_additive_attention.safetensors (float32):
  query [N, Q], keys [N, S, K], lengths (int64), p.<name> (every parameter), context [N, K],
  weights [N, S], w_context / w_weights (fixed random projections) and the gradients of
  loss = sum(context * w_context) + sum(weights * w_weights): grad.query, grad.keys, grad.<name>.

Generated with PyTorch 2.13 (CPU):  /tmp/peers/venv/bin/python scripts/make_additive_attention_fixture.py
Seeded, so rerunning reproduces the same file.
"""
import os

import torch
from safetensors.torch import save_file

torch.manual_seed(20261202)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests", "NeuralNetworksTests", "Fixtures", "recurrent_additive_attention.safetensors")


class AdditiveAttention(torch.nn.Module):
    def __init__(self, q, k, a):
        super().__init__()
        self.query = torch.nn.Linear(q, a)
        self.key = torch.nn.Linear(k, a, bias=False)
        self.score = torch.nn.Linear(a, 1, bias=False)

    def forward(self, query, keys, lengths):
        scores = self.score(torch.tanh(self.key(keys) + self.query(query).unsqueeze(1))).squeeze(2)  # [N, S]
        steps = torch.arange(keys.shape[1]).unsqueeze(0)
        scores = scores.masked_fill(steps >= lengths.unsqueeze(1), -1e9)
        weights = torch.softmax(scores, dim=1)
        return torch.bmm(weights.unsqueeze(1), keys).squeeze(1), weights


N, S, Q, K, A = 3, 6, 5, 4, 7
m = AdditiveAttention(Q, K, A)
query = torch.randn(N, Q, requires_grad=True)
keys = torch.randn(N, S, K, requires_grad=True)
lengths = torch.tensor([6, 4, 1])
context, weights = m(query, keys, lengths)
w_context, w_weights = torch.randn(N, K), torch.randn(N, S)
((context * w_context).sum() + (weights * w_weights).sum()).backward()
out = {"query": query.detach(), "keys": keys.detach(), "lengths": lengths, "context": context.detach(),
       "weights": weights.detach(), "w_context": w_context, "w_weights": w_weights,
       "grad.query": query.grad, "grad.keys": keys.grad}
for name, p in m.named_parameters():
    out["p." + name] = p.detach().clone()
    out["grad." + name] = p.grad
save_file({k: v.contiguous() for k, v in out.items()}, OUT)
print("wrote", OUT)
