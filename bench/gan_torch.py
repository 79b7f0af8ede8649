"""PyTorch reference for bench/gan.ts: the same networks and training step as medpipe's train.gan.

The configuration comes from bench/gan.ts as one JSON argument: noise width, hidden widths,
data columns, batch size, PacGAN pack size, loss, critic updates per step, learning rate and Adam
betas. Generator noise -> hidden... -> columns and critic (pac x columns) -> hidden... -> 1 (ReLU
hidden layers, linear output), Adam, on the first `columns` standardised breast-cancer features.
Two losses: the standard sigmoid-cross-entropy GAN and WGAN-GP (gradient penalty by double
backprop, as in Gulrajani et al.). PacGAN as in medpipe: the critic scores groups of `pac` rows
concatenated (a reshape to [batch / pac, pac x columns]); the interpolation weight is drawn per group.
Each fit is run twice in the process; both timings are printed as one JSON line.

Usage: /usr/bin/python3 bench/gan_torch.py CSV CONFIG_JSON THREADS
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn

csv, cfg, threads = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
rng = np.random.default_rng(0)

D = cfg['columns']
X = np.genfromtxt(csv, delimiter=',', skip_header=1, usecols=range(D))
X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
data = torch.from_numpy(X)
B, NZ, PAC, HIDDEN = cfg['batch'], cfg['noise'], cfg['pac'], cfg['hidden']
P = B // PAC


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def pack(x):
    return x if PAC == 1 else x.reshape(P, PAC * D)


def fit():
    G, C = mlp([NZ, *HIDDEN, D]), mlp([PAC * D, *HIDDEN, 1])
    wgan = cfg['loss'] == 'wgan-gp'
    betas = (cfg['beta1'], cfg['beta2'])
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg['lr'], betas=betas)
    opt_c = torch.optim.Adam(C.parameters(), lr=cfg['lr'], betas=betas)
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(P, 1), torch.zeros(P, 1)
    for _ in range(cfg['steps']):
        for _ in range(cfg['critic_iters']):
            real = pack(data[torch.from_numpy(rng.integers(0, len(data), B))])
            fake = pack(G(torch.randn(B, NZ)).detach())
            if wgan:
                eps = torch.rand(P, 1)
                inter = (eps * real + (1 - eps) * fake).requires_grad_(True)
                grad, = torch.autograd.grad(C(inter).sum(), inter, create_graph=True)
                gp = ((grad.norm(2, dim=1) - 1) ** 2).mean()
                lc = C(fake).mean() - C(real).mean() + cfg['gp_weight'] * gp
            else:
                lc = bce(C(real), ones) + bce(C(fake), zeros)
            opt_c.zero_grad()
            lc.backward()
            opt_c.step()
        out = C(pack(G(torch.randn(B, NZ))))
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
