#!/usr/bin/env python3
"""Golden fixtures for the convolution family, from PyTorch (CPU, float64 maths, stored as float32).

Writes Tests/NeuralNetworksTests/Fixtures/conv_*.safetensors. Each file holds configurations
0..K-1; tensors are named "<i>.<name>" (x, weight, bias, grad_y, y, grad_x, grad_weight, grad_bias,
...) and the file metadata "configs" is a JSON list of the hyper-parameters of each configuration.
Gradients are those of the scalar sum(y * grad_y) with a random grad_y.

Run:  /tmp/peers/venv/bin/python scripts/make_conv_fixtures.py   (needs torch, numpy, safetensors;
the Swift tests need only the committed output files).
"""
import json
import os
import random

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "NeuralNetworksTests", "Fixtures")
COUNT = 24
rng = random.Random(20240603)
torch.manual_seed(20240603)


def rand(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def conv_out(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def same_pad(n, k, s, d):
    out = (n + s - 1) // s
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def save(name, tensors, configs):
    out = {k: v.detach().to(torch.float32).contiguous() for k, v in tensors.items()}
    path = os.path.join(OUT, f"conv_{name}.safetensors")
    save_file(out, path, metadata={"configs": json.dumps(configs), "generator": "scripts/make_conv_fixtures.py",
                                   "torch": torch.__version__})
    print(f"{path}: {len(configs)} configurations, {os.path.getsize(path)} bytes")


def record(tensors, i, **named):
    for k, v in named.items():
        if v is not None:
            tensors[f"{i}.{k}"] = v


def backward(y, leaves):
    gy = rand(*y.shape)
    (y * gy).sum().backward()
    return gy, [None if t is None else t.grad for t in leaves]


def make_conv2d():
    tensors, configs = {}, []
    i = 0
    while len(configs) < COUNT:
        n, cin, cout = rng.randint(1, 3), rng.randint(1, 4), rng.choice([1, 2, 3, 5])
        h, w = rng.randint(3, 11), rng.randint(3, 11)
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        sh, sw = rng.randint(1, 3), rng.randint(1, 3)
        dh, dw = rng.randint(1, 2), rng.randint(1, 2)
        same = i % 6 == 5
        ph, pw = (0, 0) if same else (rng.randint(0, 2), rng.randint(0, 2))
        use_bias = rng.random() < 0.8
        if same:
            top, bottom = same_pad(h, kh, sh, dh)
            left, right = same_pad(w, kw, sw, dw)
            padded = (h + top + bottom, w + left + right)
        else:
            padded = (h + 2 * ph, w + 2 * pw)
        if conv_out(padded[0], kh, sh, 0, dh) < 1 or conv_out(padded[1], kw, sw, 0, dw) < 1:
            continue
        x = rand(n, cin, h, w).requires_grad_()
        wt = rand(cout, cin, kh, kw).requires_grad_()
        b = rand(cout).requires_grad_() if use_bias else None
        if same:
            y = F.conv2d(F.pad(x, (left, right, top, bottom)), wt, b, stride=(sh, sw), dilation=(dh, dw))
        else:
            y = F.conv2d(x, wt, b, stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw))
        gy, (gx, gw, gb) = backward(y, [x, wt, b])
        record(tensors, i, x=x, weight=wt, bias=b, grad_y=gy, y=y, grad_x=gx, grad_weight=gw, grad_bias=gb)
        configs.append({"stride": [sh, sw], "padding": "same" if same else [ph, pw], "dilation": [dh, dw], "bias": use_bias})
        i += 1
    save("conv2d", tensors, configs)


def make_conv_transpose2d():
    tensors, configs = {}, []
    while len(configs) < COUNT:
        i = len(configs)
        n, cin, cout = rng.randint(1, 3), rng.randint(1, 4), rng.choice([1, 2, 3, 5])
        h, w = rng.randint(2, 7), rng.randint(2, 7)
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        sh, sw = rng.randint(1, 3), rng.randint(1, 3)
        dh, dw = rng.randint(1, 2), rng.randint(1, 2)
        ph, pw = rng.randint(0, 2), rng.randint(0, 2)
        oph, opw = rng.randint(0, max(sh, dh) - 1), rng.randint(0, max(sw, dw) - 1)
        use_bias = rng.random() < 0.8
        ho = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
        wo = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
        if ho < 1 or wo < 1:
            continue
        x = rand(n, cin, h, w).requires_grad_()
        wt = rand(cin, cout, kh, kw).requires_grad_()
        b = rand(cout).requires_grad_() if use_bias else None
        y = F.conv_transpose2d(x, wt, b, stride=(sh, sw), padding=(ph, pw), output_padding=(oph, opw), dilation=(dh, dw))
        gy, (gx, gw, gb) = backward(y, [x, wt, b])
        record(tensors, i, x=x, weight=wt, bias=b, grad_y=gy, y=y, grad_x=gx, grad_weight=gw, grad_bias=gb)
        configs.append({"stride": [sh, sw], "padding": [ph, pw], "output_padding": [oph, opw], "dilation": [dh, dw], "bias": use_bias})
    save("conv_transpose2d", tensors, configs)


def make_conv1d():
    tensors, configs = {}, []
    while len(configs) < COUNT:
        i = len(configs)
        n, cin, cout = rng.randint(1, 3), rng.randint(1, 4), rng.choice([1, 2, 3, 5])
        length, k = rng.randint(3, 17), rng.randint(1, 5)
        s, d, p = rng.randint(1, 3), rng.randint(1, 2), rng.randint(0, 2)
        same = i % 6 == 5
        use_bias = rng.random() < 0.8
        if same:
            left, right = same_pad(length, k, s, d)
            lo = conv_out(length + left + right, k, s, 0, d)
        else:
            lo = conv_out(length, k, s, p, d)
        if lo < 1:
            continue
        x = rand(n, cin, length).requires_grad_()
        wt = rand(cout, cin, k).requires_grad_()
        b = rand(cout).requires_grad_() if use_bias else None
        if same:
            y = F.conv1d(F.pad(x, (left, right)), wt, b, stride=s, dilation=d)
        else:
            y = F.conv1d(x, wt, b, stride=s, padding=p, dilation=d)
        gy, (gx, gw, gb) = backward(y, [x, wt, b])
        record(tensors, i, x=x, weight=wt, bias=b, grad_y=gy, y=y, grad_x=gx, grad_weight=gw, grad_bias=gb)
        configs.append({"stride": s, "padding": "same" if same else p, "dilation": d, "bias": use_bias})
    save("conv1d", tensors, configs)


def make_pool(kind):
    tensors, configs = {}, []
    while len(configs) < COUNT:
        i = len(configs)
        n, c = rng.randint(1, 3), rng.randint(1, 4)
        h, w = rng.randint(3, 11), rng.randint(3, 11)
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        sh, sw = rng.randint(1, 3), rng.randint(1, 3)
        ph, pw = rng.randint(0, kh // 2), rng.randint(0, kw // 2)
        include = kind == "max" or rng.random() < 0.7
        if conv_out(h, kh, sh, ph, 1) < 1 or conv_out(w, kw, sw, pw, 1) < 1:
            continue
        x = rand(n, c, h, w).requires_grad_()
        if kind == "max":
            y = F.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw))
        else:
            y = F.avg_pool2d(x, (kh, kw), (sh, sw), (ph, pw), count_include_pad=include)
        gy, (gx,) = backward(y, [x])
        record(tensors, i, x=x, grad_y=gy, y=y, grad_x=gx)
        configs.append({"kernel": [kh, kw], "stride": [sh, sw], "padding": [ph, pw], "count_include_pad": include})
    save(f"{kind}_pool2d", tensors, configs)


def make_batch_norm():
    tensors, configs = {}, []
    for i in range(COUNT):
        rank = [2, 3, 4][i % 3]
        training = i % 2 == 0
        n, c = rng.randint(2, 4), rng.randint(1, 5)
        spatial = {2: [], 3: [rng.randint(1, 6)], 4: [rng.randint(1, 5), rng.randint(1, 5)]}[rank]
        momentum = None if i % 8 == 6 else rng.choice([0.1, 0.1, 0.3])
        affine = i % 7 != 3
        x = (rand(n, c, *spatial) * 2 + 0.5).requires_grad_()
        wt = (rand(c) * 0.5 + 1).requires_grad_() if affine else None
        b = rand(c).requires_grad_() if affine else None
        rm, rv = rand(c) * 0.3, rand(c).abs() + 0.5
        rm_after, rv_after = rm.clone(), rv.clone()
        y = F.batch_norm(x, rm_after, rv_after, wt, b, training=training,
                         momentum=1.0 if momentum is None else momentum, eps=1e-5)
        gy, (gx, gw, gb) = backward(y, [x, wt, b])
        record(tensors, i, x=x, weight=wt, bias=b, running_mean=rm, running_var=rv, grad_y=gy, y=y,
               grad_x=gx, grad_weight=gw, grad_bias=gb, running_mean_after=rm_after, running_var_after=rv_after)
        configs.append({"training": training, "momentum": momentum, "affine": affine, "eps": 1e-5})
    save("batch_norm", tensors, configs)


def make_dropout():
    tensors, configs = {}, []
    for i in range(COUNT):
        p = rng.choice([0.1, 0.25, 0.5, 0.7])
        x = (rand(rng.randint(1, 3), rng.randint(1, 4), rng.randint(2, 6)).abs() + 0.1).requires_grad_()
        y = F.dropout(x, p=p, training=True)
        gy, (gx,) = backward(y, [x])
        record(tensors, i, x=x, grad_y=gy, y=y, grad_x=gx)
        configs.append({"p": p})
    save("dropout", tensors, configs)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make_conv2d()
    make_conv_transpose2d()
    make_conv1d()
    make_pool("max")
    make_pool("avg")
    make_batch_norm()
    make_dropout()
