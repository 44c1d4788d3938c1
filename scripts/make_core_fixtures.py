#!/usr/bin/env python3
"""Golden values for the core tensor ops, losses, Dense and optimizers, computed with PyTorch.

Writes (all float32 unless noted, small enough to commit):
  Tests/TensorsTests/Fixtures/core_ops.safetensors
      for each op NAME: NAME.x / NAME.y (inputs), NAME.out (forward), NAME.gout (an upstream
      gradient), NAME.grad_x / NAME.grad_y (= vector-Jacobian product of gout), plus any
      integer arguments (gather_rows.indices, int64).
  Tests/NeuralNetworksTests/Fixtures/core_losses.safetensors
      loss.NAME.REDUCTION.{value, grad_<input>} and loss.NAME.<input> (shared by every reduction);
      REDUCTION is sum, mean or none; for none, loss.NAME.none.gout is the upstream gradient fed to
      backward (a fixed pattern, not drawn from the RNG, so the other fixtures stay byte-stable).
      Per-sample losses' none is per sample ([N]); elementwise losses' none is per element.
  Tests/NeuralNetworksTests/Fixtures/core_dense.safetensors
      dense[_nobias].{x, weight, bias, gout, out, grad_x, grad_weight, grad_bias}
  Tests/NeuralNetworksTests/Fixtures/core_optimizers.safetensors
      optim.init.p0/p1, optim.grad.STEP.p0/p1 (the gradient fed at steps 1..3), and for each
      optimizer NAME: optim.NAME.step.STEP.p0/p1 (parameters after each step) and
      optim.NAME.state.<torch state key>.<param index> after step 3 (the per-parameter `step` as
      optim.NAME.state.step.<index>). NAME_groups use two param groups, NAME_amsgrad amsgrad=True,
      NAME_skip leave p1 without a gradient at step 2.

Generated with PyTorch 2.13 (CPU). Run from the repository root with PyTorch installed:  python3 scripts/make_core_fixtures.py
Everything is seeded, so rerunning reproduces the same files.
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(20240601)
torch.set_default_dtype(torch.float32)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def randn(*shape, scale=1.0):
    return (torch.randn(tuple(shape)) * scale).float()


def away_from_zero(*shape, low=0.3, high=1.5):
    """Random values with |v| in [low, high] and random sign (keeps kinks and poles away)."""
    mag = torch.rand(tuple(shape)) * (high - low) + low
    sign = torch.where(torch.rand(tuple(shape)) < 0.5, -1.0, 1.0)
    return (mag * sign).float()


def positive(*shape, low=0.3, high=2.0):
    return (torch.rand(*shape) * (high - low) + low).float()


# ---------------------------------------------------------------------------------------------
# ops


def op_fixture(out, name, inputs, fn, extra=None):
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    y = fn(**leaves)
    gout = randn(*y.shape)
    y.backward(gout)
    for k, v in inputs.items():
        out[f"{name}.{k}"] = v.contiguous()
        out[f"{name}.grad_{k}"] = leaves[k].grad.detach().contiguous()
    out[f"{name}.out"] = y.detach().contiguous()
    out[f"{name}.gout"] = gout.contiguous()
    for k, v in (extra or {}).items():
        out[f"{name}.{k}"] = v


def make_ops():
    o = {}
    op_fixture(o, "add", {"x": randn(2, 3, 4), "y": randn(3, 1)}, lambda x, y: x + y)
    op_fixture(o, "subtract", {"x": randn(3, 1), "y": randn(2, 1, 4)}, lambda x, y: x - y)
    op_fixture(o, "multiply", {"x": randn(4, 1), "y": randn(1, 3)}, lambda x, y: x * y)
    op_fixture(o, "divide", {"x": randn(2, 3), "y": away_from_zero(3)}, lambda x, y: x / y)
    op_fixture(o, "divide_scalar", {"x": randn(2, 3), "y": away_from_zero()}, lambda x, y: x / y)
    op_fixture(o, "matmul", {"x": randn(3, 5), "y": randn(5, 4)}, lambda x, y: x @ y)
    op_fixture(o, "sum", {"x": randn(3, 4)}, lambda x: x.sum())
    op_fixture(o, "mean", {"x": randn(3, 4)}, lambda x: x.mean())
    op_fixture(o, "sum_axis1", {"x": randn(2, 3, 4)}, lambda x: x.sum(dim=1))
    op_fixture(o, "sum_axes02_keep", {"x": randn(2, 3, 4)}, lambda x: x.sum(dim=(0, 2), keepdim=True))
    op_fixture(o, "mean_axis_last", {"x": randn(2, 3, 4)}, lambda x: x.mean(dim=-1))
    op_fixture(o, "mean_axes01", {"x": randn(2, 3, 4)}, lambda x: x.mean(dim=(0, 1)))
    op_fixture(o, "exp", {"x": randn(3, 4)}, lambda x: torch.exp(x))
    op_fixture(o, "log", {"x": positive(3, 4)}, lambda x: torch.log(x))
    op_fixture(o, "sqrt", {"x": positive(3, 4)}, lambda x: torch.sqrt(x))
    op_fixture(o, "pow2_5", {"x": positive(3, 4)}, lambda x: x ** 2.5)
    op_fixture(o, "pow3", {"x": randn(3, 4)}, lambda x: x ** 3)
    op_fixture(o, "square", {"x": randn(3, 4)}, lambda x: x ** 2)
    op_fixture(o, "abs", {"x": away_from_zero(3, 4)}, lambda x: torch.abs(x))
    op_fixture(o, "clamp", {"x": randn(3, 4)}, lambda x: x.clamp(-0.5, 0.5))
    op_fixture(o, "max_axis1", {"x": randn(3, 4, 5)}, lambda x: x.max(dim=1).values)
    op_fixture(o, "reshape", {"x": randn(2, 6)}, lambda x: x.reshape(3, 4))
    op_fixture(o, "transpose", {"x": randn(3, 4)}, lambda x: x.t())
    op_fixture(o, "permute", {"x": randn(2, 3, 4)}, lambda x: x.permute(2, 0, 1))
    op_fixture(o, "concat", {"x": randn(2, 2, 3), "y": randn(2, 1, 3), "z": randn(2, 3, 3)},
               lambda x, y, z: torch.cat([x, y, z], dim=1))
    op_fixture(o, "narrow", {"x": randn(3, 4, 2)}, lambda x: x.narrow(1, 1, 2))
    op_fixture(o, "batch", {"x": randn(4, 3)}, lambda x: x[1:3])
    idx = torch.tensor([4, 0, 4, 2], dtype=torch.int64)
    op_fixture(o, "gather_rows", {"x": randn(5, 3)}, lambda x: x.index_select(0, idx), {"indices": idx})
    op_fixture(o, "sigmoid", {"x": randn(3, 4, scale=3)}, lambda x: torch.sigmoid(x))
    op_fixture(o, "tanh", {"x": randn(3, 4, scale=2)}, lambda x: torch.tanh(x))
    op_fixture(o, "relu", {"x": away_from_zero(3, 4)}, lambda x: F.relu(x))
    op_fixture(o, "leaky_relu", {"x": away_from_zero(3, 4)}, lambda x: F.leaky_relu(x, 0.2))
    op_fixture(o, "elu", {"x": away_from_zero(3, 4)}, lambda x: F.elu(x, 0.7))
    op_fixture(o, "softplus", {"x": randn(3, 4, scale=3)}, lambda x: F.softplus(x))
    op_fixture(o, "softmax", {"x": randn(3, 5, scale=2)}, lambda x: F.softmax(x, dim=-1))
    op_fixture(o, "log_softmax", {"x": randn(3, 5, scale=2)}, lambda x: F.log_softmax(x, dim=-1))
    return o


# ---------------------------------------------------------------------------------------------
# losses


def loss_fixture(out, name, inputs, fn, extra=None):
    """fn(reduction, **leaves) -> scalar. Stores inputs once, value and grads per reduction."""
    for k, v in inputs.items():
        out[f"loss.{name}.{k}"] = v.contiguous()
    for k, v in (extra or {}).items():
        out[f"loss.{name}.{k}"] = v
    for reduction in ("sum", "mean", "none"):
        if reduction == "none" and name == "augmix":
            continue
        leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
        value = fn(reduction, **leaves)
        if reduction == "none":
            gout = (torch.cos(torch.arange(value.numel(), dtype=torch.float32) * 1.7) * 1.3 + 0.2).reshape(value.shape)
            value.backward(gout)
            out[f"loss.{name}.none.gout"] = gout.contiguous()
            out[f"loss.{name}.none.value"] = value.detach().contiguous()
        else:
            value.backward()
            out[f"loss.{name}.{reduction}.value"] = value.detach().reshape(())
        for k in inputs:
            g = leaves[k].grad
            out[f"loss.{name}.{reduction}.grad_{k}"] = (g if g is not None else torch.zeros_like(leaves[k])).detach()


def per_sample(per_row, n, reduction):
    """per_row: the [N] per-sample losses → their sum, mean, or themselves (reduction 'none')."""
    if reduction == "none":
        return per_row
    return per_row.sum() if reduction == "sum" else per_row.sum() / n


def per_row(values):
    """Elementwise losses [N, ...] summed over every axis but the batch axis → [N]."""
    return values.reshape(values.shape[0], -1).sum(dim=1)


def js_from_probs(probs, logs, n, reduction, floor=None):
    k = len(probs)
    m = sum(probs) / k
    if floor is not None:
        m = torch.clamp(m, floor, 1)
    rows = sum(per_row(p * (lp - m.log())) for p, lp in zip(probs, logs)) / k
    return per_sample(rows, n, reduction)


def make_losses():
    o = {}
    N, D = 4, 3
    loss_fixture(o, "mae", {"prediction": randn(N, D), "target": randn(N, D)},
                 lambda r, prediction, target: F.l1_loss(prediction, target, reduction=r))
    loss_fixture(o, "mse", {"prediction": randn(N, D), "target": randn(N, D)},
                 lambda r, prediction, target: F.mse_loss(prediction, target, reduction=r))
    loss_fixture(o, "bce", {"prediction": torch.sigmoid(randn(N, D, scale=2)), "target": torch.rand(N, D)},
                 lambda r, prediction, target: F.binary_cross_entropy(prediction, target, reduction=r))
    loss_fixture(o, "bce_logits", {"prediction": randn(N, D, scale=3), "target": torch.rand(N, D)},
                 lambda r, prediction, target: F.binary_cross_entropy_with_logits(prediction, target, reduction=r))
    labels = torch.tensor([2, 0, 3, 3, 1], dtype=torch.int64)
    loss_fixture(o, "cross_entropy", {"logits": randn(5, 4, scale=2)},
                 lambda r, logits: F.cross_entropy(logits, labels, reduction=r), {"labels": labels})
    loss_fixture(o, "kl", {"log_probabilities": F.log_softmax(randn(N, 5), -1), "target": F.softmax(randn(N, 5), -1)},
                 lambda r, log_probabilities, target: per_row(F.kl_div(log_probabilities, target, reduction="none"))
                 if r == "none" else F.kl_div(log_probabilities, target, reduction="sum" if r == "sum" else "batchmean"))
    loss_fixture(o, "kl_normal", {"mean": randn(N, D), "log_variance": randn(N, D, scale=0.7)},
                 lambda r, mean, log_variance: per_sample(
                     -0.5 * (1 + log_variance - mean ** 2 - log_variance.exp()).sum(dim=1), N, r))

    def gnll(r, mean, log_variance, target):
        if r == "none":
            return per_row(F.gaussian_nll_loss(mean, target, log_variance.exp().expand_as(mean), full=True,
                                               reduction="none"))
        total = F.gaussian_nll_loss(mean, target, log_variance.exp().expand_as(mean), full=True, reduction="sum")
        return total if r == "sum" else total / N

    loss_fixture(o, "gaussian_nll", {"mean": randn(N, D), "log_variance": randn(N, D, scale=0.5), "target": randn(N, D)}, gnll)
    loss_fixture(o, "gaussian_nll_shared", {"mean": randn(N, D), "log_variance": randn(D, scale=0.5), "target": randn(N, D)}, gnll)

    loss_fixture(o, "js_probabilities",
                 {"p": F.softmax(randn(N, 5), -1), "q": F.softmax(randn(N, 5), -1)},
                 lambda r, p, q: js_from_probs([p, q], [p.log(), q.log()], N, r))
    loss_fixture(o, "js_logits", {"a": randn(N, 5, scale=2), "b": randn(N, 5, scale=2)},
                 lambda r, a, b: js_from_probs([F.softmax(a, -1), F.softmax(b, -1)],
                                               [F.log_softmax(a, -1), F.log_softmax(b, -1)], N, r))
    loss_fixture(o, "js_logits3", {"a": randn(N, 5, scale=2), "b": randn(N, 5, scale=2), "c": randn(N, 5, scale=2)},
                 lambda r, a, b, c: js_from_probs([F.softmax(v, -1) for v in (a, b, c)],
                                                  [F.log_softmax(v, -1) for v in (a, b, c)], N, r))

    # AugMix: logits that share a very negative class so the 1e-7 floor on the mixture is active.
    base = randn(N, 6, scale=2)
    base[:, 0] = -25.0

    def augmix(r, clean, augmented1, augmented2):
        p_clean, p_aug1, p_aug2 = (F.softmax(v, dim=1) for v in (clean, augmented1, augmented2))
        p_mixture = torch.clamp((p_clean + p_aug1 + p_aug2) / 3.0, 1e-7, 1).log()
        return (F.kl_div(p_mixture, p_clean, reduction="batchmean") +
                F.kl_div(p_mixture, p_aug1, reduction="batchmean") +
                F.kl_div(p_mixture, p_aug2, reduction="batchmean")) / 3.0

    loss_fixture(o, "augmix", {"clean": base + randn(N, 6, scale=0.5), "augmented1": base + randn(N, 6, scale=0.5),
                               "augmented2": base + randn(N, 6, scale=0.5)}, augmix)
    return o


# ---------------------------------------------------------------------------------------------
# dense


def make_dense():
    o = {}
    for name, use_bias in (("dense", True), ("dense_nobias", False)):
        x = randn(4, 5).requires_grad_(True)
        w = randn(3, 5, scale=0.5).requires_grad_(True)
        b = randn(3).requires_grad_(True) if use_bias else None
        y = F.linear(x, w, b)
        gout = randn(4, 3)
        y.backward(gout)
        o[f"{name}.x"] = x.detach().clone()
        o[f"{name}.weight"] = w.detach().clone()
        o[f"{name}.out"] = y.detach().clone()
        o[f"{name}.gout"] = gout
        o[f"{name}.grad_x"] = x.grad.clone()
        o[f"{name}.grad_weight"] = w.grad.clone()
        if use_bias:
            o[f"{name}.bias"] = b.detach().clone()
            o[f"{name}.grad_bias"] = b.grad.clone()
    return o


# ---------------------------------------------------------------------------------------------
# optimizers

OPTIMIZERS = {
    "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
    "sgd_weight_decay": lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=0.05),
    "momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    "momentum_dampening": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.8, dampening=0.3),
    "nesterov": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adagrad": lambda ps: torch.optim.Adagrad(ps, lr=0.1),
    "adagrad_decay": lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.1, weight_decay=0.02,
                                                    initial_accumulator_value=0.1),
    "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=0.01),
    "rmsprop_centered_momentum": lambda ps: torch.optim.RMSprop(ps, lr=0.01, momentum=0.9, centered=True,
                                                                weight_decay=0.01),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.01),
    "adam_weight_decay": lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.95), weight_decay=0.1),
    "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
    # AMSGrad with a small beta2, so the second moment falls for some elements within three steps
    # (with 0.999 the running maximum would never differ from v).
    "adam_amsgrad": lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.5), amsgrad=True),
    "adamw_amsgrad": lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.8, 0.3), weight_decay=0.1, amsgrad=True),
    # Parameter groups: p0 is the [3, 4] matrix, p1 the [5] vector.
    "sgd_groups": lambda ps: torch.optim.SGD([{"params": [ps[0]], "lr": 0.05, "weight_decay": 0.1},
                                              {"params": [ps[1]]}], lr=0.1, momentum=0.9),
    "adagrad_groups": lambda ps: torch.optim.Adagrad([{"params": [ps[0]]},
                                                      {"params": [ps[1]], "lr": 0.3, "weight_decay": 0.05}],
                                                     lr=0.1, lr_decay=0.1),
    "rmsprop_groups": lambda ps: torch.optim.RMSprop([{"params": [ps[0]], "lr": 0.03},
                                                      {"params": [ps[1]], "weight_decay": 0.2}], lr=0.01),
    "adam_groups": lambda ps: torch.optim.Adam([{"params": [ps[0]], "lr": 0.02, "weight_decay": 0.1},
                                                {"params": [ps[1]]}], lr=0.01),
    # Decay on the 2-D weight only (the transformer recipe).
    "adamw_groups": lambda ps: torch.optim.AdamW([{"params": [ps[0]]}, {"params": [ps[1]], "weight_decay": 0.0}],
                                                 lr=0.01, weight_decay=0.1),
    # p1 gets no gradient at step 2 (see SKIP_P1_AT_STEP_2): its own step count, and so its decay, lags.
    "adagrad_skip": lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.5),
}

SKIP_P1_AT_STEP_2 = {"adagrad_skip"}


def make_optimizers():
    o = {}
    init = [randn(3, 4), randn(5)]
    grads = [[randn(3, 4), randn(5)] for _ in range(3)]
    o["optim.init.p0"], o["optim.init.p1"] = init
    for s, (g0, g1) in enumerate(grads, start=1):
        o[f"optim.grad.{s}.p0"], o[f"optim.grad.{s}.p1"] = g0, g1
    for name, make in OPTIMIZERS.items():
        ps = [p.clone().requires_grad_(True) for p in init]
        opt = make(ps)
        for s, gs in enumerate(grads, start=1):
            for p, g in zip(ps, gs):
                p.grad = g.clone()
            if name in SKIP_P1_AT_STEP_2 and s == 2:
                ps[1].grad = None
            opt.step()
            for i, p in enumerate(ps):
                o[f"optim.{name}.step.{s}.p{i}"] = p.detach().clone()
        for i, p in enumerate(ps):
            for key, value in opt.state[p].items():
                o[f"optim.{name}.state.{key}.{i}"] = torch.as_tensor(value).detach().clone().float()
    return o


def save(tensors, relative_path):
    path = os.path.join(ROOT, relative_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tensors = {k: tensors[k].detach().clone().contiguous() for k in sorted(tensors)}
    save_file(tensors, path, metadata={"generator": "scripts/make_core_fixtures.py"})  # one key: byte-stable reruns
    print(f"{relative_path}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    save(make_ops(), "Tests/TensorsTests/Fixtures/core_ops.safetensors")
    save(make_losses(), "Tests/NeuralNetworksTests/Fixtures/core_losses.safetensors")
    save(make_dense(), "Tests/NeuralNetworksTests/Fixtures/core_dense.safetensors")
    save(make_optimizers(), "Tests/NeuralNetworksTests/Fixtures/core_optimizers.safetensors")
