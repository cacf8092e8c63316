"""Seconds per epoch of a 784-256-128-10 ReLU MLP: mlp_core against PyTorch CPU, and the GEMM bound.

    python benchmarks/bench_mlp.py [--epochs 5] [--threads N] [--optimizer sgd|adam] [--synthetic]

Both frameworks train the same architecture with the same batch size (128) on the same
60,000 x 784 float32 images (Fashion-MNIST when available, else synthetic data of that shape),
with the same number of BLAS/OpenMP threads. Epochs alternate between the two so that both see
the same machine load, with a short pause between them so that one framework's idle threads
do not compete with the other's work. The first epoch of each (page faults, warm-up) is left out; we report
the median of the rest. The GEMM bound is the time the epoch's matrix products alone would
take at the GFLOP/s this machine reaches on exactly those matrix shapes.
"""
import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import mlp_core as mc

SIZES = [784, 256, 128, 10]


def load_data(synthetic):
    if not synthetic:
        try:
            from mlp_core.data import load_fashion_mnist
            X, y = load_fashion_mnist("train")
            return X, y, "Fashion-MNIST train"
        except Exception as e:  # the data is optional here: say so and fall back
            print(f"(Fashion-MNIST unavailable: {type(e).__name__}; using synthetic data)")
    rng = np.random.default_rng(0)
    return rng.random((60000, 784), dtype=np.float32), rng.integers(0, 10, 60000), "synthetic 60000x784"


def gemm_shapes(n):
    """(m, k, n) of every matrix product in one training step with batch n."""
    shapes = []
    for d_in, d_out in zip(SIZES[:-1], SIZES[1:]):
        shapes.append((n, d_in, d_out))            # Z = X @ W
        shapes.append((d_in, n, d_out))            # dW = X.T @ delta
        if d_in != SIZES[0]:
            shapes.append((n, d_out, d_in))        # dX = delta @ W.T (not for the first layer)
    return shapes


def measure_gemm(batch, repeats=300):
    """GFLOP/s of this machine on one training step's matrix products, float32."""
    rng = np.random.default_rng(0)
    operands = [(rng.random((m, k), dtype=np.float32), rng.random((k, n), dtype=np.float32)) for m, k, n in gemm_shapes(batch)]
    flops = sum(2 * m * k * n for m, k, n in gemm_shapes(batch))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats):
            for a, b in operands:
                a @ b
        best = min(best, time.perf_counter() - start)
    return flops * repeats / best / 1e9


def torch_epoch(state, X, y, batch, optimizer_name, seed):
    import torch
    if state is None:
        torch.manual_seed(seed)
        model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                    torch.nn.ReLU(), torch.nn.Linear(128, 10))
        opt = (torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9) if optimizer_name == "sgd"
               else torch.optim.Adam(model.parameters(), lr=1e-3))
        state = (model, opt, torch.from_numpy(X), torch.from_numpy(y), torch.nn.CrossEntropyLoss())
    model, opt, Xt, yt, loss_fn = state
    start = time.perf_counter()
    order = torch.randperm(len(Xt))
    Xs, ys = Xt[order], yt[order]
    for i in range(0, len(Xs), batch):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(Xs[i:i + batch]), ys[i:i + batch])
        loss.backward()
        opt.step()
    return state, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="epochs per framework, the first is warm-up")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="BLAS/OpenMP threads for both frameworks (default: the cores this process may use)")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds of rest before and after each PyTorch epoch")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    parser.add_argument("--synthetic", action="store_true", help="synthetic data even if Fashion-MNIST is there")
    args = parser.parse_args()
    if args.epochs < 4:
        parser.error("--epochs must be at least 4: one warm-up epoch plus a median of >= 3")

    X, y, name = load_data(args.synthetic)
    try:
        import torch
        torch.set_num_threads(args.threads)
        have_torch = True
    except ImportError:
        have_torch = False
        print("(torch not installed: timing mlp_core only; `pip install torch==2.13.0` for the comparison)")

    times = {"mlp_core": [], "torch": []}
    torch_state = [None]

    def torch_after_each_epoch(epoch, history):
        # Interleaving: one PyTorch epoch after each mlp_core epoch, outside mlp_core's timing.
        if have_torch:
            # After its last call a BLAS/OpenMP pool keeps its threads spinning for up to ~0.1 s;
            # the pause lets them sleep so that neither framework runs while the other's spin.
            time.sleep(args.pause)
            torch_state[0], seconds = torch_epoch(torch_state[0], X, y, args.batch, args.optimizer, epoch)
            times["torch"].append(seconds)
            time.sleep(args.pause)

    with threadpool_limits(args.threads):
        gflops = measure_gemm(args.batch)
        model = mc.mlp(SIZES, seed=0)
        opt = mc.SGD(model, lr=0.05, momentum=0.9) if args.optimizer == "sgd" else mc.Adam(model, lr=1e-3)
        history = mc.fit(model, X, y, optimizer=opt, epochs=args.epochs, batch_size=args.batch, seed=0,
                         progress=False, callback=torch_after_each_epoch)
        times["mlp_core"] = history.seconds

    flops = sum(2 * m * k * n for m, k, n in gemm_shapes(1)) * len(X)
    bound = flops / (gflops * 1e9)
    median = {k: statistics.median(v[1:]) for k, v in times.items() if v}
    print(f"data: {name}; batch {args.batch}; optimizer {args.optimizer}; threads {args.threads}; "
          f"{args.epochs} epochs each, first left out")
    print(f"GEMM: {gflops:.1f} GFLOP/s on the training step's shapes; {flops / 1e9:.1f} GFLOP per epoch "
          f"-> GEMM bound {bound:.3f} s/epoch")
    for framework, seconds in median.items():
        print(f"{framework:>8}: median {seconds:.3f} s/epoch  (all: {', '.join(f'{t:.3f}' for t in times[framework])})"
              f"  GEMM-bound efficiency {bound / seconds:.0%}")
    if "torch" in median:
        # Epoch r of each framework ran back to back, so their ratio is the least affected by a
        # change in the machine's speed during the run (other tenants, clock changes).
        paired = [a / b for a, b in zip(times["mlp_core"][1:], times["torch"][1:])]
        print(f"ratio mlp_core / torch: {median['mlp_core'] / median['torch']:.2f} (ratio of medians); "
              f"{statistics.median(paired):.2f} (median of the {len(paired)} back-to-back epoch pairs)")


if __name__ == "__main__":
    main()
