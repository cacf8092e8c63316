"""Where one epoch's time goes: seconds per epoch spent in each layer's forward and backward,
the loss, the batch gather and the optimiser, for the benchmark's 784-256-128-10 MLP.

    python benchmarks/profile_step.py [--threads 1] [--epochs 3]
"""
import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import mlp_core as mc
from mlp_core.training import gather
from bench_mlp import SIZES, load_data


def profile_epoch(model, loss, opt, X, y, rng, batch):
    spent = {}

    def timed(key, fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        spent[key] = spent.get(key, 0.0) + time.perf_counter() - start
        return out

    order = rng.permutation(len(X))
    X_batch, y_batch = np.empty((batch, X.shape[1]), X.dtype), np.empty(batch, y.dtype)
    model.forward(X[:2], check=False)  # sets needs_input_grad on the first layer, as fit does
    for i in range(0, len(X), batch):
        rows = order[i:i + batch]
        Xb, yb = timed("gather", lambda: (gather(X, rows, X_batch), gather(y, rows, y_batch)))
        out = Xb
        for j, layer in enumerate(model.layers):
            out = timed(f"forward {j} {type(layer).__name__}", layer.forward, out)
        timed("loss", loss.forward, out, yb)
        grad = timed("loss", loss.backward)
        for j in reversed(range(len(model.layers))):
            grad = timed(f"backward {j} {type(model.layers[j]).__name__}", model.layers[j].backward, grad)
            if grad is None:
                break
        timed("optimiser", opt.step)
    return spent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    X, y, name = load_data(synthetic=False)
    model = mc.mlp(SIZES, seed=0)
    opt, loss = mc.SGD(model, lr=0.05, momentum=0.9), mc.SoftmaxCrossEntropy()
    rng = np.random.default_rng(0)
    with threadpool_limits(args.threads):
        for epoch in range(args.epochs):
            spent = profile_epoch(model, loss, opt, X, y, rng, args.batch)
            print(f"epoch {epoch + 1} ({name}, {args.threads} thread(s)): total {sum(spent.values()):.3f} s")
            for key, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
                print(f"  {key:<24} {seconds:.3f} s")


if __name__ == "__main__":
    main()
