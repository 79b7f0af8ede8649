"""PyTorch reference for bench/gan.ts: the same networks and training step as medpipe's train.gan.

Generator noise(32) -> 64 -> 64 -> 30 and critic 30 -> 64 -> 64 -> 1 (ReLU hidden layers, linear
output), Adam, batch 64, on the standardised breast-cancer features. Two losses: the standard
sigmoid-cross-entropy GAN (one critic update per step) and WGAN-GP (CRITIC_ITERS critic updates
per step, gradient penalty by double backprop, as in Gulrajani et al.). Each is run twice in
the process; both timings are printed as one JSON line.

Usage: /usr/bin/python3 bench/gan_torch.py CSV LOSS STEPS CRITIC_ITERS THREADS
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn

csv, loss, steps, critic_iters, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)
rng = np.random.default_rng(0)

X = np.genfromtxt(csv, delimiter=',', skip_header=1, usecols=range(30))
X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
data = torch.from_numpy(X)
B, NZ, D = 64, 32, X.shape[1]


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def fit():
    G, C = mlp([NZ, 64, 64, D]), mlp([D, 64, 64, 1])
    wgan = loss == 'wgan-gp'
    betas = (0.5, 0.9)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-4 if wgan else 2e-4, betas=betas)
    opt_c = torch.optim.Adam(C.parameters(), lr=1e-4 if wgan else 2e-4, betas=betas)
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)
    for _ in range(steps):
        for _ in range(critic_iters):
            real = data[torch.from_numpy(rng.integers(0, len(data), B))]
            fake = G(torch.randn(B, NZ)).detach()
            if wgan:
                eps = torch.rand(B, 1)
                inter = (eps * real + (1 - eps) * fake).requires_grad_(True)
                grad, = torch.autograd.grad(C(inter).sum(), inter, create_graph=True)
                gp = ((grad.norm(2, dim=1) - 1) ** 2).mean()
                lc = C(fake).mean() - C(real).mean() + 10 * gp
            else:
                lc = bce(C(real), ones) + bce(C(fake), zeros)
            opt_c.zero_grad()
            lc.backward()
            opt_c.step()
        out = C(G(torch.randn(B, NZ)))
        lg = -out.mean() if wgan else bce(out, ones)
        opt_g.zero_grad()
        lg.backward()
        opt_g.step()


times = []
for _ in range(2):
    t0 = time.perf_counter()
    fit()
    times.append(time.perf_counter() - t0)
print(json.dumps({'coldS': times[0], 'warmS': times[1], 'torch': torch.__version__}))
