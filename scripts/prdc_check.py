#!/usr/bin/env python3
"""Reference values for precision/recall/density/coverage and KID (Tests/ModelsTests/Fixtures/prdc_reference.json).

Precision, recall, density and coverage come from the PyPI package `prdc` (the authors' reference
implementation, clovaai/generative-evaluation-prdc); KID from the unbiased MMD² with the cubic
polynomial kernel k(x, y) = (x·y/d + 1)³ written out in NumPy (float64), on all rows as one subset.
The features are seeded Gaussians stored as float32 in the fixture, so the Swift test
(GenerativeMetricsTests) reads exactly the same numbers without Python.

    /tmp/peers/venv/bin/pip install prdc
    /tmp/peers/venv/bin/python scripts/prdc_check.py Tests/ModelsTests/Fixtures/prdc_reference.json
"""
import json
import sys

import numpy as np
from prdc import compute_prdc


def kid_unbiased(x, y):
    x = x.astype(np.float64); y = y.astype(np.float64)
    d = x.shape[1]; m = x.shape[0]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    return float((kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.mean())


def main(path):
    rng = np.random.default_rng(24)
    real = rng.standard_normal((120, 8)).astype(np.float32)
    fake = (0.3 + 1.3 * rng.standard_normal((120, 8))).astype(np.float32)
    cases = []
    for k, n_fake in [(3, 120), (5, 100)]:
        r = compute_prdc(real_features=real, fake_features=fake[:n_fake], nearest_k=k)
        cases.append({"k": k, "fake_rows": n_fake, **{key: float(v) for key, v in r.items()}})
    r = compute_prdc(real_features=real, fake_features=real[::-1].copy(), nearest_k=3)   # real vs itself (reordered)
    fixture = {
        "columns": 8,
        "real": [float(v) for v in real.ravel()],
        "fake": [float(v) for v in fake.ravel()],
        "prdc": cases,
        "prdc_real_vs_real_k3": {key: float(v) for key, v in r.items()},
        "kid_all_rows": kid_unbiased(real, fake),
    }
    with open(path, "w") as f:
        json.dump(fixture, f)
    print(json.dumps({k: v for k, v in fixture.items() if k not in ("real", "fake")}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/ModelsTests/Fixtures/prdc_reference.json")
