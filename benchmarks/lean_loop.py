"""How fast can NumPy go on the benchmark MLP? `fit`, a bare loop and PyTorch, interleaved.

    python benchmarks/lean_loop.py [--epochs 9] [--threads N]

The bare loop trains the same 784-256-128-10 ReLU MLP with SGD+momentum (lr 0.05, mu 0.9) and
does nothing `fit` does not need: no input or label checks, no loss value, no accuracy, one
flat parameter vector, ReLU and the softmax gradient computed in place. It is not part of the
package; it estimates the floor that any NumPy implementation of this network meets on this
machine. The three take turns epoch by epoch, with a pause between turns (see bench_mlp.py).
"""
import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import mlp_core as mc
from bench_mlp import SIZES, load_data, torch_epoch


class BareLoop:
    """The benchmark MLP in straight-line NumPy, parameters in one float32 vector."""

    def __init__(self, seed=0, batch=128):
        shapes = [s for d_in, d_out in zip(SIZES[:-1], SIZES[1:]) for s in ((d_in, d_out), (d_out,))]
        sizes = [int(np.prod(s)) for s in shapes]
        self.theta, self.grad, self.velocity, self.scratch = (np.zeros(sum(sizes), np.float32) for _ in range(4))
        self.params, self.grads, offset = [], [], 0
        for shape, size in zip(shapes, sizes):
            self.params.append(self.theta[offset:offset + size].reshape(shape))
            self.grads.append(self.grad[offset:offset + size].reshape(shape))
            offset += size
        rng = np.random.default_rng(seed)
        for W in self.params[::2]:
            W[...] = rng.standard_normal(W.shape, dtype=np.float32) * np.float32(np.sqrt(2 / W.shape[0]))
        self.batch = batch
        self.rows = np.arange(batch)

    def epoch(self, X, y, seed, lr=0.05, mu=0.9):
        W1, b1, W2, b2, W3, b3 = self.params
        g = self.grads
        X_batch, y_batch = np.empty((self.batch, X.shape[1]), X.dtype), np.empty(self.batch, y.dtype)
        order = np.random.default_rng(seed).permutation(len(X))
        inv_n = np.float32(1 / self.batch)
        start = time.perf_counter()
        for i in range(0, len(X) - self.batch + 1, self.batch):  # whole batches only
            rows = order[i:i + self.batch]
            x = np.take(X, rows, axis=0, out=X_batch, mode="clip")
            labels = np.take(y, rows, out=y_batch, mode="clip")
            a1 = x @ W1
            a1 += b1
            m1 = (a1 > 0).astype(np.float32)
            a1 *= m1
            a2 = a1 @ W2
            a2 += b2
            m2 = (a2 > 0).astype(np.float32)
            a2 *= m2
            d = a2 @ W3
            d += b3
            d -= d.max(axis=1, keepdims=True)
            np.exp(d, out=d)
            d /= d.sum(axis=1, keepdims=True)
            d[self.rows, labels] -= 1
            d *= inv_n
            np.matmul(a2.T, d, out=g[4])
            np.add.reduce(d, axis=0, out=g[5])
            d = d @ W3.T
            d *= m2
            np.matmul(a1.T, d, out=g[2])
            np.add.reduce(d, axis=0, out=g[3])
            d = d @ W2.T
            d *= m1
            np.matmul(x.T, d, out=g[0])
            np.add.reduce(d, axis=0, out=g[1])
            self.velocity *= mu
            self.velocity += self.grad
            np.multiply(self.velocity, lr, out=self.scratch)
            self.theta -= self.scratch
        return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=9, help="epochs each, the first is warm-up")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--pause", type=float, default=0.3)
    args = parser.parse_args()
    import torch  # required here: the point is the comparison
    torch.set_num_threads(args.threads)
    X, y, name = load_data(synthetic=False)
    model = mc.mlp(SIZES, seed=0)
    opt = mc.SGD(model, lr=0.05, momentum=0.9)
    bare, torch_state = BareLoop(), None
    times = {"fit": [], "bare loop": [], "torch": []}
    with threadpool_limits(args.threads):
        for epoch in range(args.epochs):
            times["fit"].append(mc.fit(model, X, y, optimizer=opt, epochs=1, seed=epoch, progress=False).seconds[0])
            time.sleep(args.pause)
            times["bare loop"].append(bare.epoch(X, y, seed=epoch))
            time.sleep(args.pause)
            torch_state, seconds = torch_epoch(torch_state, X, y, 128, "sgd", epoch)
            times["torch"].append(seconds)
            time.sleep(args.pause)
    print(f"data: {name}; threads {args.threads}; {args.epochs} epochs each, first left out")
    for key, values in times.items():
        print(f"{key:>9}: median {statistics.median(values[1:]):.3f} s/epoch  (all: {', '.join(f'{t:.3f}' for t in values)})")
    for key in ("fit", "bare loop"):
        paired = [a / b for a, b in zip(times[key][1:], times["torch"][1:])]
        print(f"{key} / torch: {statistics.median(paired):.2f} (median of back-to-back ratios)")


if __name__ == "__main__":
    main()
