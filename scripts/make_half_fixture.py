#!/usr/bin/env python3
"""Writes Tests/TensorsTests/Fixtures/half_precision.safetensors with PyTorch's safetensors writer:
the same values as F16, BF16 and F32 (normal, subnormal, extreme, ±0, ±inf), for the reader test.

    python3 scripts/make_half_fixture.py
"""
import os

import torch
from safetensors.torch import save_file

values = [0.0, -0.0, 1.0, -2.5, 0.333251953125, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 1e-3, 3.0e38,
          float("inf"), float("-inf")]
x = torch.tensor(values, dtype=torch.float32)
tensors = {"f16": x.to(torch.float16).reshape(3, 4), "bf16": x.to(torch.bfloat16).reshape(3, 4),
           # what PyTorch makes of each, in float32: the expected values of the reader
           "f16_as_f32": x.to(torch.float16).float().reshape(3, 4), "bf16_as_f32": x.to(torch.bfloat16).float().reshape(3, 4)}
out = os.path.join(os.path.dirname(__file__), "..", "Tests", "TensorsTests", "Fixtures", "half_precision.safetensors")
save_file(tensors, out, metadata={"format": "pt", "generator": "scripts/make_half_fixture.py"})
print("wrote", out)
