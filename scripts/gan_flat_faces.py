"""Flat-colour cartoon faces (32x32 PNGs) for running PyTorch's DCGAN and ours on identical data.

They imitate `faces-synthetic` (random HSV background and shirt, skin tone, five hair colours,
long hair, glasses, smile or straight mouth), drawn with PIL at 128 px and shrunk; they are
not the same images (those come from Swift code). Usage:

    python3 scripts/gan_flat_faces.py /tmp/flatfaces 20000
    python3 scripts/pytorch_dcgan.py /tmp/flatfaces 3 torch.png [--glr 8e-4]
    illusion train dcgan --dataset folder --data /tmp/flatfaces --image-size 32 --width 32 --epochs 3 --out runs/ab
"""
import numpy as np, os, colorsys, sys
from PIL import Image, ImageDraw
out = sys.argv[1]; n = int(sys.argv[2]); os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
S = 128
for i in range(n):
    bg = tuple(int(255*c) for c in colorsys.hsv_to_rgb(rng.random(), 0.15+0.45*rng.random(), 0.55+0.4*rng.random()))
    shirt = tuple(int(255*c) for c in colorsys.hsv_to_rgb(rng.random(), 0.3+0.6*rng.random(), 0.3+0.6*rng.random()))
    t = rng.random(); skin = (int(240-150*t), int(200-130*t), int(170-120*t))
    hair = [(20,20,20),(110,70,30),(230,200,90),(170,170,170),(180,60,30)][rng.integers(5)]
    im = Image.new("RGB", (S, S), bg); d = ImageDraw.Draw(im)
    cx = S/2 + rng.normal()*3; w = 30 + 10*rng.random()
    d.rectangle([cx-45, 100, cx+45, S], fill=shirt)
    d.ellipse([cx-w-6, 14, cx+w+6, 80 + (30 if rng.random() < 0.45 else 0)], fill=hair)
    d.ellipse([cx-w, 26, cx+w, 104], fill=skin)
    for ex in (-13, 13):
        d.ellipse([cx+ex-5, 52, cx+ex+5, 60], fill=(255,255,255)); d.ellipse([cx+ex-2, 54, cx+ex+2, 58], fill=(40,30,20))
    if rng.random() < 0.25:
        for ex in (-13, 13): d.ellipse([cx+ex-9, 48, cx+ex+9, 64], outline=(10,10,10), width=2)
    if rng.random() < 0.5: d.arc([cx-12, 72, cx+12, 90], 10, 170, fill=(150,30,30), width=3)
    else: d.line([cx-9, 84, cx+9, 84], fill=(150,30,30), width=3)
    im.resize((32, 32), Image.LANCZOS).save(f"{out}/{i:06d}.png")
