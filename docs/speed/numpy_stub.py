#!/usr/bin/env python3
"""The seed's recipe in plain numpy, to time our Go code against on one machine.

The seed document (a numpy stub of the bars experiment) describes its recipe but
its bars.py is not in this repository, so this script is our own rendering of
that recipe, written from the description: 16-8-1 sigmoid belief net, online
wake-sleep (batch 1) at a constant rate of 0.1 for both phases, initial weights
N(0, 0.1^2), the visible bias at the logit of the pixel marginal, an exact KL
(30 support images x 512 latent states, in log space) at every snapshot, one
snapshot of the weights every 50,000 steps. Each step does what the stub's
does: draw an image, one wake update, one sleep update, each layer a numpy
matrix-vector product, a sigmoid and a Bernoulli draw.

    python3 docs/speed/numpy_stub.py --seed 2 --n-steps 2000000

prints the final KL, the wall time and the time per step. It needs only numpy
(Debian: apt-get install python3-numpy).
"""

import argparse
import itertools
import time

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def bars_sample(rng, h=4, w=4, p_vertical=2 / 3, p_on=0.2):
    img = np.zeros((h, w))
    if rng.random() < p_vertical:
        img[:, rng.random(w) < p_on] = 1.0
    else:
        img[rng.random(h) < p_on, :] = 1.0
    return img.reshape(-1)


def bars_support(h=4, w=4, p_vertical=2 / 3, p_on=0.2):
    probs = {}
    for vertical, n, p_o in ((True, w, p_vertical), (False, h, 1 - p_vertical)):
        for on in itertools.product((0, 1), repeat=n):
            img = np.zeros((h, w), dtype=np.uint8)
            for k, b in enumerate(on):
                if b:
                    if vertical:
                        img[:, k] = 1
                    else:
                        img[k, :] = 1
            k = sum(on)
            p = p_o * p_on**k * (1 - p_on) ** (n - k)
            key = img.reshape(-1).tobytes()
            probs[key] = probs.get(key, 0.0) + p
    pats = np.array([np.frombuffer(k, dtype=np.uint8) for k in probs], dtype=float)
    return pats, np.array(list(probs.values()))


def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def exact_kl(m, pats, probs):
    """KL(p_data || p_model) in bits, summing out (top, h) exactly."""
    tops = np.array([[0.0], [1.0]])
    hs = np.array(list(itertools.product((0.0, 1.0), repeat=m["b1"].size)))
    # log p(top)
    lt = tops[:, 0] * log_sigmoid(m["bt"][0]) + (1 - tops[:, 0]) * log_sigmoid(-m["bt"][0])
    # log p(h | top): [top, h]
    a1 = tops @ m["W1"] + m["b1"]
    lh = hs @ log_sigmoid(a1).T + (1 - hs) @ log_sigmoid(-a1).T  # [h, top]
    # log p(v | h): [pattern, h]
    a0 = hs @ m["W0"] + m["b0"]
    lv = pats @ log_sigmoid(a0).T + (1 - pats) @ log_sigmoid(-a0).T
    joint = lv[:, :, None] + lh[None, :, :] + lt[None, None, :]
    flat = joint.reshape(len(pats), -1)
    mx = flat.max(axis=1, keepdims=True)
    logp = (mx + np.log(np.exp(flat - mx).sum(axis=1, keepdims=True)))[:, 0]
    return float(np.sum(probs * (np.log(probs) - logp)) / np.log(2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--n-steps", type=int, default=2_000_000)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--init-scale", type=float, default=0.1)
    ap.add_argument("--snapshot-every", type=int, default=50_000)
    a = ap.parse_args()

    rng = np.random.default_rng(a.seed)
    nv, nh, nt = 16, 8, 1
    pats, probs = bars_support()
    marginal = probs @ pats
    s = a.init_scale
    m = {
        "W0": s * rng.standard_normal((nh, nv)),  # generative h -> v
        "W1": s * rng.standard_normal((nt, nh)),  # generative top -> h
        "R0": s * rng.standard_normal((nv, nh)),  # recognition v -> h
        "R1": s * rng.standard_normal((nh, nt)),  # recognition h -> top
        "b0": np.log(marginal / (1 - marginal)),
        "b1": np.zeros(nh),
        "bt": np.zeros(nt),
        "c1": np.zeros(nh),
        "ct": np.zeros(nt),
    }
    lr = a.lr
    snapshots, kls = [], []
    t0 = time.perf_counter()
    for step in range(a.n_steps + 1):
        if step % a.snapshot_every == 0:
            kls.append(exact_kl(m, pats, probs))
            snapshots.append({k: v.copy() for k, v in m.items()})
        if step == a.n_steps:
            break
        # Wake: recognise a data image bottom-up, train the generative net.
        v = bars_sample(rng)
        h = (rng.random(nh) < sigmoid(v @ m["R0"] + m["c1"])).astype(float)
        t = (rng.random(nt) < sigmoid(h @ m["R1"] + m["ct"])).astype(float)
        m["bt"] += lr * (t - sigmoid(m["bt"]))
        dh = h - sigmoid(t @ m["W1"] + m["b1"])
        m["W1"] += lr * np.outer(t, dh)
        m["b1"] += lr * dh
        dv = v - sigmoid(h @ m["W0"] + m["b0"])
        m["W0"] += lr * np.outer(h, dv)
        m["b0"] += lr * dv
        # Sleep: dream top-down, train the recognition net.
        t = (rng.random(nt) < sigmoid(m["bt"])).astype(float)
        h = (rng.random(nh) < sigmoid(t @ m["W1"] + m["b1"])).astype(float)
        v = (rng.random(nv) < sigmoid(h @ m["W0"] + m["b0"])).astype(float)
        eh = h - sigmoid(v @ m["R0"] + m["c1"])
        m["R0"] += lr * np.outer(v, eh)
        m["c1"] += lr * eh
        et = t - sigmoid(h @ m["R1"] + m["ct"])
        m["R1"] += lr * np.outer(h, et)
        m["ct"] += lr * et
    wall = time.perf_counter() - t0
    print(f"seed {a.seed}, {a.n_steps} steps, {len(kls)} exact evaluations")
    print(f"KL: initial {kls[0]:.3f} bits, final {kls[-1]:.3f} bits")
    print(f"wall {wall:.1f} s, {wall / max(a.n_steps, 1) * 1e6:.1f} us per step")


if __name__ == "__main__":
    main()
