#!/usr/bin/env python3
"""Writes COUNT seeded 128x128 RGB JPEGs (a tinted gradient with a disc and noise) into DIR,
for measuring the decoded-image cache on data larger than memory (scripts/data_cache_measure.sh).
Usage: generate_images.py DIR COUNT [SIZE [FIRST]]   (images FIRST..<FIRST+COUNT)   (needs numpy and Pillow: /tmp/peers/venv/bin/python)"""
import os
import sys

import numpy as np
from PIL import Image

out, count = sys.argv[1], int(sys.argv[2])
size = int(sys.argv[3]) if len(sys.argv) > 3 else 128
first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
os.makedirs(out, exist_ok=True)
yy, xx = np.mgrid[0:size, 0:size]
for i in range(first, first + count):
    g = np.random.default_rng(i)
    r0, g0, b0 = g.integers(0, 200, 3)
    cx, cy = g.integers(0, size, 2)
    radius = size // 6 + g.integers(0, size // 4)
    inside = (xx - cx) ** 2 + (yy - cy) ** 2 < radius ** 2
    px = np.stack([(r0 + xx // 3 + 50 * inside) % 256, (g0 + yy // 3) % 256,
                   (b0 + 40 * ~inside + g.integers(0, 16, (size, size))) % 256], axis=-1).astype(np.uint8)
    Image.fromarray(px, "RGB").save(os.path.join(out, "img%07d.jpg" % i), quality=90)
    if (i + 1 - first) % 10000 == 0:
        print("generated %d/%d" % (i + 1 - first, count), file=sys.stderr)
