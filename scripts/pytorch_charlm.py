#!/usr/bin/env python3
"""Rebuild an IllusionCraft character model (`train char-lm --arch lstm|gru|rnn|transformer`) in
PyTorch from its run folder and load model.safetensors with strict=True, then check it against
our own outputs twice:
- teacher forced: the mean next-character loss over the validation text (the last 10 % of the run's
  corpus, position split as nanoGPT's prepare.py) must equal ours to 1e-4 relative — for the recurrent
  models `illusion eval --json` (B contiguous streams, state carried across windows of seq_len), for
  the transformer the final `val_loss` of metrics.jsonl (non-overlapping windows of block_size);
- free running: both decode greedily (top-k 1) from the same prompt and must write the same text.

    python3 scripts/pytorch_charlm.py RUN --illusion .build/release/illusion --prompt "ROMEO:" --length 200

The recurrent models are the peer's CharLSTM (charlm_lstm.py): Embedding(V, E) → nn.LSTM / nn.GRU /
nn.RNN(E, H, L, batch_first=True) → Linear(H, V), names `embed.*`, `lstm.*` (`gru.*`, `rnn.*`),
`head.*`; PyTorch's own gate order (i, f, g, o; r, z, n) is ours, so no reordering. The transformer
is nanoGPT's GPT (names `transformer.wte/wpe/h.<i>/ln_f`, `lm_head`, tied head), run like nanoGPT's
`generate` (the window cropped to the last block_size tokens; our `--no-cache` path).
Run it from the folder the run was trained in (config.json names the corpus files relative to it).
Prints one JSON object: both losses, the texts, whether they agree, and the smallest gap between the two largest
logits along the way (how decisive each greedy choice was). Exit status 1 when either check fails.
Needs torch and safetensors.
"""
import argparse
import json
import math
import os
import subprocess
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file


class CharRNN(nn.Module):
    def __init__(self, arch, vocab, embedding, hidden, layers):
        super().__init__()
        self.arch = arch
        self.embed = nn.Embedding(vocab, embedding)
        cell = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[arch]
        setattr(self, arch, cell(embedding, hidden, layers, batch_first=True))
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids, state=None):            # ids [N, T] → logits [N, T, V], state
        out, state = getattr(self, self.arch)(self.embed(ids), state)
        return self.head(out), state


class Block(nn.Module):
    def __init__(self, width, heads, bias):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width, bias=bias)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(width, 3 * width, bias=bias)
        self.attn.c_proj = nn.Linear(width, width, bias=bias)
        self.ln_2 = nn.LayerNorm(width, bias=bias)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(width, 4 * width, bias=bias)
        self.mlp.c_proj = nn.Linear(4 * width, width, bias=bias)

    def forward(self, x):                           # x [N, T, E]
        n, t, e = x.shape
        q, k, v = self.attn.c_attn(self.ln_1(x)).split(e, dim=2)
        q, k, v = (z.view(n, t, self.heads, e // self.heads).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(n, t, e)
        x = x + self.attn.c_proj(y)
        return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.block_size = m["blockSize"]
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(m["vocabularySize"], m["width"]), wpe=nn.Embedding(m["blockSize"], m["width"]),
            h=nn.ModuleList([Block(m["width"], m["heads"], m["bias"]) for _ in range(m["layers"])]),
            ln_f=nn.LayerNorm(m["width"], bias=m["bias"])))
        self.lm_head = nn.Linear(m["width"], m["vocabularySize"], bias=False)
        if m.get("tiedHead", True):
            self.lm_head.weight = self.transformer.wte.weight

    def forward(self, ids):                         # ids [N, T ≤ block] → logits [N, T, V]
        pos = torch.arange(ids.shape[1])
        x = self.transformer.wte(ids) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


def load(run):
    config = json.load(open(os.path.join(run, "config.json")))
    assert config["kind"] == "char-lm", f"{run}: a {config['kind']} run, not a char-lm run"
    vocabulary = config["vocabulary"]
    if isinstance(vocabulary, dict):
        vocabulary = vocabulary.get("characters", vocabulary)
    if config["architecture"] == "transformer":
        model = GPT(config["model"])
    else:
        model = CharRNN(config["architecture"], len(vocabulary), config["embedding"], config["hidden"], config["layers"])
    state = load_file(os.path.join(run, "model.safetensors"))
    state = {k: v for k, v in state.items() if v.dtype.is_floating_point}
    model.load_state_dict(state, strict=True)
    return model.eval(), config, vocabulary


@torch.no_grad()
def greedy(model, config, prompt, length):
    ids, out, gaps = list(prompt), [], []
    if config["architecture"] == "transformer":
        for _ in range(length):
            logits = model(torch.tensor([ids[-model.block_size:]]))[0, -1]
            top = torch.topk(logits, 2).values
            gaps.append(float(top[0] - top[1]))
            ids.append(int(logits.argmax()))
            out.append(ids[-1])
    else:
        logits, state = model(torch.tensor([ids]))
        for _ in range(length):
            last = logits[0, -1]
            top = torch.topk(last, 2).values
            gaps.append(float(top[0] - top[1]))
            nxt = int(last.argmax())
            out.append(nxt)
            logits, state = model(torch.tensor([[nxt]]), state)
    return out, min(gaps)


@torch.no_grad()
def validation_loss(model, config, vocabulary):
    files = config["data"] if config["architecture"] == "transformer" else config["data_files"]
    text = "".join(open(f, encoding="utf-8").read() for f in files)
    index = {c: i for i, c in enumerate(vocabulary)}
    ids = [index[c] for c in text]
    val = torch.tensor(ids[int(0.9 * len(ids)):])
    total, count = 0.0, 0
    if config["architecture"] == "transformer":
        t = model.block_size
        windows = (len(val) - 1) // t
        x, y = val[:windows * t].view(windows, t), val[1:windows * t + 1].view(windows, t)
        for w in range(0, windows, 64):
            logits = model(x[w:w + 64])
            total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[w:w + 64].reshape(-1), reduction="sum"))
        return total / (windows * t)
    batch = max(1, min(config["eval_batch"], len(val) // 2))
    s = len(val) // batch
    rows = val[:batch * s].view(batch, s)
    state, i = None, 0
    while i < s - 1:
        n = min(config["seq_len"], s - 1 - i)
        logits, state = model(rows[:, i:i + n], state)
        total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, i + 1:i + n + 1].reshape(-1), reduction="sum"))
        count += batch * n
        i += config["seq_len"]
    return total / count


def our_validation_loss(a, config):
    if config["architecture"] == "transformer":
        lines = [json.loads(l) for l in open(os.path.join(a.run, "metrics.jsonl"))]
        return [l["val_loss"] for l in lines if "val_loss" in l][-1]
    out = subprocess.run([a.illusion, "eval", "--run", a.run, "--json"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["val_nats_per_char"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--illusion", default=".build/release/illusion", help="our executable (runs `generate --top-k 1`)")
    ap.add_argument("--prompt", default="\n")
    ap.add_argument("--length", type=int, default=200)
    a = ap.parse_args()
    model, config, vocabulary = load(a.run)
    index = {c: i for i, c in enumerate(vocabulary)}
    missing = [c for c in a.prompt if c not in index]
    assert not missing, f"--prompt: {missing} not in the run's vocabulary"
    ids, gap = greedy(model, config, [index[c] for c in a.prompt], a.length)
    torch_text = "".join(vocabulary[i] for i in ids)
    command = [a.illusion, "generate", "--run", a.run, "--prompt", a.prompt, "--length", str(a.length), "--top-k", "1", "--json"]
    if config["architecture"] == "transformer":
        command.append("--no-cache")
    ours = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)["text"]
    ours = ours[len(a.prompt):] if ours.startswith(a.prompt) and len(ours) > a.length else ours
    same = ours == torch_text
    loss, our_loss = validation_loss(model, config, vocabulary), our_validation_loss(a, config)
    loss_ok = abs(loss - our_loss) <= 1e-4 * max(1.0, abs(our_loss))
    print(json.dumps({"run": a.run, "architecture": config["architecture"], "strict_load": True,
                      "validation_nats_pytorch": loss, "validation_nats_ours": our_loss,
                      "validation_difference": abs(loss - our_loss), "length": a.length,
                      "identical": same, "smallest_top2_logit_gap": gap, "pytorch": torch_text, "ours": ours}))
    sys.exit(0 if same and loss_ok else 1)


if __name__ == "__main__":
    main()
