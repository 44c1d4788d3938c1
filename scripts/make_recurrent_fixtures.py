#!/usr/bin/env python3
"""Golden values for the recurrent layers and Embedding, computed with PyTorch (torch.nn.RNN / LSTM /
GRU with batch_first=True, torch.nn.Embedding).

Writes Tests/NeuralNetworksTests/Fixtures/recurrent_CASE.safetensors (float32) with, per case:
  x [N, T, I], h0 [L*D, N, H] (and c0 for the LSTM), p.<torch state-dict name> (every parameter),
  out [N, T, D*H], h_n, c_n (forward), w_out / w_h / w_c (fixed random projections), and the
  gradients of loss = sum(out*w_out) + sum(h_n*w_h) [+ sum(c_n*w_c)]:
  grad.x, grad.h0, grad.c0, grad.<parameter name>. Cases with `lengths` (int64) run through
  pack_padded_sequence(enforce_sorted=False) / pad_packed_sequence(total_length=T): padded outputs are 0.
  Embedding: weight, ids (int64), out, gout, grad.weight (padding_idx = 2).

Generated with PyTorch 2.13 (CPU):  /tmp/peers/venv/bin/python scripts/make_recurrent_fixtures.py
Seeded, so rerunning reproduces the same files.
"""
import os

import torch
from safetensors.torch import save_file
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(20261201)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests", "NeuralNetworksTests", "Fixtures")

CASES = [
    # name, module, N, T, I, H, layers, bidirectional, lengths
    ("lstm_single", "lstm", 2, 5, 3, 4, 1, False, None),
    ("lstm_stack", "lstm", 2, 4, 3, 4, 2, True, None),
    ("gru_single", "gru", 2, 5, 3, 4, 1, False, None),
    ("gru_stack", "gru", 2, 4, 3, 4, 2, True, None),
    ("rnn_tanh_stack", "rnn_tanh", 2, 4, 3, 4, 2, True, None),
    ("rnn_relu_single", "rnn_relu", 2, 5, 3, 4, 1, False, None),
    ("lstm_lengths", "lstm", 3, 5, 3, 4, 2, True, [5, 3, 1]),
    ("gru_lengths", "gru", 3, 5, 3, 4, 1, True, [2, 5, 4]),
]


def make(kind, i, h, layers, bidirectional):
    if kind == "lstm":
        return torch.nn.LSTM(i, h, num_layers=layers, bidirectional=bidirectional, batch_first=True)
    if kind == "gru":
        return torch.nn.GRU(i, h, num_layers=layers, bidirectional=bidirectional, batch_first=True)
    return torch.nn.RNN(i, h, num_layers=layers, nonlinearity=kind.split("_")[1], bidirectional=bidirectional,
                        batch_first=True)


def recurrent_case(name, kind, n, t, i, h, layers, bidirectional, lengths):
    m = make(kind, i, h, layers, bidirectional)
    d = 2 if bidirectional else 1
    x = torch.randn(n, t, i, requires_grad=True)
    h0 = (torch.randn(layers * d, n, h) * 0.5).requires_grad_(True)
    c0 = (torch.randn(layers * d, n, h) * 0.5).requires_grad_(True)
    state = (h0, c0) if kind == "lstm" else h0
    if lengths is None:
        out, hn = m(x, state)
    else:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out, hn = m(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=t)
    if kind == "lstm":
        hn, cn = hn
    w_out = torch.randn(out.shape)
    w_h = torch.randn(hn.shape)
    loss = (out * w_out).sum() + (hn * w_h).sum()
    f = {"x": x.detach(), "h0": h0.detach(), "out": out.detach(), "h_n": hn.detach(), "w_out": w_out, "w_h": w_h}
    if kind == "lstm":
        w_c = torch.randn(cn.shape)
        loss = loss + (cn * w_c).sum()
        f.update({"c0": c0.detach(), "c_n": cn.detach(), "w_c": w_c})
    loss.backward()
    f["grad.x"] = x.grad
    f["grad.h0"] = h0.grad
    if kind == "lstm":
        f["grad.c0"] = c0.grad
    for pname, p in m.named_parameters():
        f["p." + pname] = p.detach()
        f["grad." + pname] = p.grad
    if lengths is not None:
        f["lengths"] = torch.tensor(lengths, dtype=torch.int64)
    save_file({k: v.contiguous() for k, v in f.items()}, os.path.join(OUT, f"recurrent_{name}.safetensors"))


def embedding_case():
    e = torch.nn.Embedding(7, 3, padding_idx=2)
    ids = torch.tensor([[0, 2, 6, 2], [3, 3, 1, 5]], dtype=torch.int64)
    out = e(ids)
    gout = torch.randn(out.shape)
    out.backward(gout)
    save_file({"weight": e.weight.detach().contiguous(), "ids": ids, "out": out.detach().contiguous(), "gout": gout,
               "grad.weight": e.weight.grad.contiguous()}, os.path.join(OUT, "recurrent_embedding.safetensors"))


if __name__ == "__main__":
    for case in CASES:
        recurrent_case(*case)
    embedding_case()
    print("wrote", len(CASES) + 1, "fixtures to", OUT)
