"""PyTorch DCGAN with exactly `illusion train dcgan`'s architecture at 32x32 (base 4, width 32):
G Dense→4x4 BN ReLU, two ConvT 4x4 s2 BN ReLU, ConvT→3 tanh; D mirrors it, no BN on its input
layer; N(0, 0.02) init, Adam β₁ 0.5, BCE losses (non-saturating G), batch 64, one thread.
Writes a 8x8 grid of fixed-noise samples to OUT after every epoch; prints per-epoch means.

    python3 scripts/pytorch_dcgan.py DIR EPOCHS OUT.png [--glr R] [--dlr R] [--dw W] [--sn] [--noise S] [--gsteps K]

--glr/--dlr: each player's Adam rate (TTUR); --dw: D's width; --sn: spectral norm on D's
layers (BatchNorm dropped); --noise: constant instance noise σ; --gsteps: G steps per D step.
"""
import argparse, glob, time
import numpy as np, torch, torch.nn as nn
from PIL import Image
torch.manual_seed(0); torch.set_num_threads(1)
ap = argparse.ArgumentParser(); ap.add_argument("data"); ap.add_argument("epochs", type=int); ap.add_argument("out")
ap.add_argument("--dlr", type=float, default=2e-4); ap.add_argument("--glr", type=float, default=2e-4)
ap.add_argument("--dw", type=int, default=32); ap.add_argument("--sn", action="store_true"); ap.add_argument("--noise", type=float, default=0)
ap.add_argument("--gsteps", type=int, default=1)
a = ap.parse_args(); files = sorted(glob.glob(a.data + "/*.png")); epochs = a.epochs; out = a.out; w = 32; dw = a.dw
X = torch.tensor(np.stack([np.asarray(Image.open(f).convert("RGB")) for f in files])).permute(0,3,1,2).float()/127.5-1
nz = 100
G = nn.Sequential(nn.Linear(nz, 4*w*16, bias=False), nn.Unflatten(1, (4*w, 4, 4)), nn.BatchNorm2d(4*w), nn.ReLU(),
    nn.ConvTranspose2d(4*w, 2*w, 4, 2, 1, bias=False), nn.BatchNorm2d(2*w), nn.ReLU(),
    nn.ConvTranspose2d(2*w, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
    nn.ConvTranspose2d(w, 3, 4, 2, 1), nn.Tanh())
w2 = dw
D = nn.Sequential(nn.Conv2d(3, w2, 4, 2, 1), nn.LeakyReLU(0.2),
    nn.Conv2d(w2, 2*w2, 4, 2, 1, bias=False), nn.BatchNorm2d(2*w2), nn.LeakyReLU(0.2),
    nn.Conv2d(2*w2, 4*w2, 4, 2, 1, bias=False), nn.BatchNorm2d(4*w2), nn.LeakyReLU(0.2),
    nn.Flatten(), nn.Linear(4*w2*16, 1))
def init(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0, 0.02)
        if m.bias is not None: nn.init.zeros_(m.bias)
    if isinstance(m, nn.BatchNorm2d): nn.init.normal_(m.weight, 1, 0.02); nn.init.zeros_(m.bias)
G.apply(init); D.apply(init)
if a.sn:
    D = nn.Sequential(*[nn.utils.spectral_norm(m) if isinstance(m, (nn.Conv2d, nn.Linear)) else m for m in D if not isinstance(m, nn.BatchNorm2d)])
oG = torch.optim.Adam(G.parameters(), a.glr, betas=(0.5, 0.999)); oD = torch.optim.Adam(D.parameters(), a.dlr, betas=(0.5, 0.999))
bce = nn.BCEWithLogitsLoss(); fixed = torch.randn(64, nz)
for e in range(epochs):
    perm = torch.randperm(len(X)); t0 = time.time(); s = np.zeros(4)
    nb = len(X)//64
    for b in range(nb):
        x = X[perm[b*64:(b+1)*64]]; z = torch.randn(64, nz); fake = G(z)
        nz_ = lambda t: t + a.noise*torch.randn_like(t) if a.noise > 0 else t
        oD.zero_grad(); lr_ = D(nz_(x)); lf = D(nz_(fake.detach()))
        ld = bce(lr_, torch.ones_like(lr_)) + bce(lf, torch.zeros_like(lf)); ld.backward(); oD.step()
        for gi in range(a.gsteps):
            if gi > 0: fake = G(torch.randn(64, nz))
            oG.zero_grad(); lg = bce(D(nz_(fake)), torch.ones(64,1)); lg.backward(); oG.step()
        s += [ld.item(), lg.item(), torch.sigmoid(lr_).mean().item(), torch.sigmoid(lf).mean().item()]
    print(f"epoch {e+1}: loss_d {s[0]/nb:.3f} loss_g {s[1]/nb:.3f} D(x) {s[2]/nb:.3f} D(G(z)) {s[3]/nb:.3f} {time.time()-t0:.0f}s", flush=True)
    G.eval()
    with torch.no_grad(): im = G(fixed)
    G.train()
    g = ((im+1)*127.5).clamp(0,255).byte().view(8,8,3,32,32).permute(0,3,1,4,2).reshape(256,256,3).numpy()
    Image.fromarray(g).resize((512,512), Image.NEAREST).save(out)
