"""What the PyTorch loader scripts (pytorch_cnn.py, pytorch_autoencoder.py, pytorch_gan.py,
pytorch_vae.py) share: read a run folder's config.json, build the torch module from its "model"
section, load model.safetensors with strict=True, and compare against `illusion export
--reference` outputs, printing one JSON object. Needs torch and safetensors."""
import argparse
import json
import os
import sys

import torch
from safetensors.torch import load_file


def load_run(run, build):
    """(config, module, state): `build(config["model"])` with the run's weights loaded strictly, in eval mode."""
    with open(os.path.join(run, "config.json")) as f:
        config = json.load(f)
    module = build(config["model"])
    state = load_file(os.path.join(run, "model.safetensors"))
    module.load_state_dict(state, strict=True)
    module.eval()
    return config, module, state


def check_reference(build, compare, reference_help, tolerance=1e-4):
    """The command line of a loader: `RUN [--reference FILE]`. `compare(module, reference)` returns
    (illusion's output, torch's output) for the tensors of the reference file. Exit status 1 when
    the largest absolute difference exceeds `tolerance`."""
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--reference", help=reference_help)
    a = ap.parse_args()
    config, module, state = load_run(a.run, build)
    report = {"run": a.run, "kind": config["kind"], "loaded": len(state), "strict": True}
    ok = True
    if a.reference:
        with torch.no_grad():
            ours, theirs = compare(module, load_file(a.reference))
        d = (ours - theirs).abs().max().item()
        report["max_abs_difference_vs_illusion"] = d
        ok = d <= tolerance
    report["passed"] = ok
    print(json.dumps(report))
    sys.exit(0 if ok else 1)
