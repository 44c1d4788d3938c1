#!/usr/bin/env python3
"""Checks our ONNX exports with the ONNX checker and onnxruntime.

    # a run: export a part with our reference inputs/outputs, then check it
    illusion export --run runs/cnn --format onnx --out cnn.onnx --reference cnn.ref.safetensors
    python3 scripts/onnx_check.py cnn.onnx:cnn.ref.safetensors [more.onnx:more.ref.safetensors ...]

    # the CI fixtures (Tests/ModelsTests/Fixtures/onnx): our test writes tiny_*.onnx and
    # tiny_*.ours.safetensors; this checks them and writes tiny_*.onnxruntime.safetensors
    # (the committed inputs with onnxruntime's outputs), which the Swift test compares with.
    ILLUSION_WRITE_ONNX_FIXTURES=$PWD/Tests/ModelsTests/Fixtures/onnx swift test ... --filter ONNXExportTests/testWriteFixturesWhenAsked
    python3 scripts/onnx_check.py --fixtures Tests/ModelsTests/Fixtures/onnx

For each file: onnx.checker.check_model(full_check=True) (shape inference included), then
onnxruntime on the reference inputs; passes when max |ours − onnxruntime| ≤ 1e-4 on every output.
Prints one JSON object; exit status 1 if any file fails. Needs onnx, onnxruntime, numpy (PyPI).
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_np  # noqa: E402

TOLERANCE = 1e-4


def check(onnx_path, reference_path):
    model = onnx.load(onnx_path)
    onnx.checker.check_model(model, full_check=True)
    tensors, _ = safetensors_np.load(reference_path)
    inputs = {k[len("input."):]: v for k, v in tensors.items() if k.startswith("input.")}
    expected = {k[len("output."):]: v for k, v in tensors.items() if k.startswith("output.")}
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    got = dict(zip(names, session.run(names, inputs)))
    diffs = {n: float(np.max(np.abs(got[n] - expected[n]))) for n in expected}
    ops = sorted({n.op_type for n in model.graph.node})
    return {"file": onnx_path, "ops": ops, "max_abs_diff": diffs, "passed": all(d <= TOLERANCE for d in diffs.values()),
            "opset": model.opset_import[0].version, "initializers": len(model.graph.initializer)}, inputs, got


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pairs", nargs="*", help="model.onnx:reference.safetensors")
    p.add_argument("--fixtures", help="folder of tiny_*.onnx + tiny_*.ours.safetensors; writes tiny_*.onnxruntime.safetensors")
    a = p.parse_args()
    pairs = [tuple(x.split(":", 1)) for x in a.pairs]
    if a.fixtures:
        pairs += [(f, f[:-len(".onnx")] + ".ours.safetensors") for f in sorted(glob.glob(os.path.join(a.fixtures, "*.onnx")))]
    if not pairs:
        p.error("nothing to check")
    results = []
    for model_path, ref in pairs:
        r, inputs, got = check(model_path, ref)
        results.append(r)
        if a.fixtures and r["passed"]:
            out = {"input." + k: v for k, v in inputs.items()}
            out.update({"output." + k: v.astype(np.float32) for k, v in got.items()})
            safetensors_np.save(model_path[:-len(".onnx")] + ".onnxruntime.safetensors", out,
                                {"format": "pt", "illusion": "onnxruntime-outputs", "onnxruntime": ort.__version__,
                                 "onnx": onnx.__version__})
    print(json.dumps({"onnx": onnx.__version__, "onnxruntime": ort.__version__, "tolerance": TOLERANCE,
                      "results": results, "passed": all(r["passed"] for r in results)}, indent=1))
    sys.exit(0 if all(r["passed"] for r in results) else 1)


if __name__ == "__main__":
    main()
