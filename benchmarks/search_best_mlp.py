"""The offline hyperparameter search and ablation behind chapter 10, "The best MLP we can train".

Everything is chosen on the validation split (10,000 of the 60,000 training images, `train_val_split(seed=0)`);
the test set is never loaded here. The network is fixed, 784-1024-1024-10 ReLU, trained with AdamW, batches of
256 and a one-cycle schedule; the search chooses the peak learning rate, the weight decay, the dropout rate, the
label smoothing and the augmentation.

1. **Search**: successive halving (Jamieson & Talwalkar 2016) with eta = 3. Nine configurations, a recipe measured
   before (REFERENCE below) and eight drawn at random (seed 0), train for 3 epochs; the best 3 by validation
   accuracy train again from scratch for 8 epochs; the best of those is the winner. Each round retrains from
   scratch because the one-cycle schedule spans the whole run: a 3-epoch run is not the start of an 8-epoch one.
2. **Final**: the winner for the full budget of 24 epochs, seeds 0, 1 and 2 (seed-to-seed noise).
3. **Ablation**: the winner for 24 epochs with one ingredient removed at a time (seed 0), and with each of
   augmentation and batch normalisation added if it lacks them: what the short rounds may have missed.

    .venv/bin/python benchmarks/search_best_mlp.py                 # all of it: about 20 minutes on 2 cores
    .venv/bin/python benchmarks/search_best_mlp.py --jobs 1        # one process at a time
    .venv/bin/python benchmarks/search_best_mlp.py --resume        # keep the recorded runs, add missing ones

Recorded 2026-12-01 on the 2-core development machine (AMD EPYC, shared with other work): 36 minutes of training
runs, two at a time, in 15 minutes for the search, the final seeds and the first four ablations, plus 7 minutes for
the three rows added later with --resume (that pass shared the cores with other runs).

Writes mlp_core/records/best_mlp_search.json, shipped with the package so that chapter 10 finds it on Colab too (every run: its configuration, epochs, seed, per-epoch validation accuracy,
seconds), which the chapter loads. Every run uses one BLAS thread, as the book's notebooks do.
"""
import argparse
import json
import math
import os
import platform
import time
from multiprocessing import get_context
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: one thread per run, as in the book
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import mlp_core as mc  # noqa: E402
from mlp_core.data import load_fashion_mnist, train_val_split  # noqa: E402

RESULTS = Path(__file__).resolve().parent.parent / "mlp_core" / "records" / "best_mlp_search.json"
SIZES = [784, 1024, 1024, 10]
BATCH_SIZE = 256
EPOCHS = 24                   # the final budget
ROUNDS = [(9, 3), (3, 8)]     # successive halving: (configurations, epochs) per round, eta = 3
N_CONFIGS = ROUNDS[0][0]
REFERENCE = {"lr_max": 2e-3, "weight_decay": 0.01, "dropout": 0.2, "label_smoothing": 0.1, "augment": "flip"}
AUGMENTS = ("none", "flip", "shift1+flip")
_DATA = {}


def draw_configs(n=N_CONFIGS, seed=0):
    """The reference recipe and n - 1 configurations drawn at random from the search space (seeded)."""
    rng = np.random.default_rng(seed)
    configs = [dict(REFERENCE)]
    while len(configs) < n:
        configs.append({
            "lr_max": float(round(10 ** rng.uniform(math.log10(5e-4), math.log10(4e-3)), 5)),
            "weight_decay": float(rng.choice([0.0, 0.02, 0.1, 0.5])),
            "dropout": float(rng.choice([0.0, 0.1, 0.2, 0.3, 0.4])),
            "label_smoothing": float(rng.choice([0.0, 0.05, 0.1, 0.2])),
            "augment": str(rng.choice(AUGMENTS)),
        })
    return configs


def augmentation(name):
    """The augmentation called ``name`` (one of AUGMENTS), or None."""
    if name == "none":
        return None
    if name == "flip":
        return mc.augment.random_flip(0.5)
    if name == "shift1+flip":
        return mc.augment.compose(mc.augment.random_shift(1), mc.augment.random_flip(0.5))
    raise ValueError(f"augment must be one of {AUGMENTS}, got {name!r}.")


def data():
    """(X_train (50000, 784), y_train, X_val (10000, 784), y_val), float32 pixels in [0, 1]; no test set."""
    if not _DATA:
        X, y = load_fashion_mnist("train")
        _DATA["split"] = train_val_split(X, y, val_size=10_000, seed=0)
    return _DATA["split"]


def build(config, epochs, seed):
    """(model, fit keyword arguments) for ``config``; ``config["schedule"]`` may be "one_cycle" or "constant"."""
    model = mc.mlp(SIZES, dropout=config["dropout"], batchnorm=config.get("batchnorm", False), seed=seed)
    optimizer = mc.AdamW(model, lr=config["lr_max"], weight_decay=config["weight_decay"])
    if config.get("schedule", "one_cycle") == "one_cycle":
        schedule = mc.schedules.one_cycle(config["lr_max"])
    else:  # constant at the one-cycle schedule's mean rate: the same total step length
        optimizer.lr = mean_rate(config["lr_max"])
        schedule = None
    return model, {"loss": mc.SoftmaxCrossEntropy(label_smoothing=config["label_smoothing"]),
                   "optimizer": optimizer, "epochs": epochs, "batch_size": BATCH_SIZE, "seed": seed,
                   "schedule": schedule, "augment": augmentation(config["augment"]), "progress": False}


def mean_rate(lr_max, steps=100_000):
    """The mean learning rate of one_cycle(lr_max) over a run (a midpoint sum over ``steps`` points)."""
    schedule = mc.schedules.one_cycle(lr_max)
    return float(np.mean([schedule((k + 0.5) / steps) for k in range(steps)]))


def train(job):
    """Train one (name, config, epochs, seed) job; returns its record (validation accuracy per epoch, seconds)."""
    name, config, epochs, seed = job
    X_train, y_train, X_val, y_val = data()
    model, kw = build(config, epochs, seed)
    start = time.perf_counter()
    history = mc.fit(model, X_train, y_train, validation_data=(X_val, y_val), **kw)
    seconds = time.perf_counter() - start
    record = {"name": name, "config": config, "epochs": epochs, "seed": seed,
              "val_accuracy": [round(float(a), 4) for a in history.val_accuracy],
              "train_accuracy_last": round(float(history.accuracy[-1]), 4), "seconds": round(seconds, 1)}
    print(f"{name:28} {epochs:3d} epochs seed {seed}: validation {history.val_accuracy[-1]:.4f} "
          f"({seconds:.0f} s)", flush=True)
    return record


def successive_halving(configs, rounds, run):
    """Run ``rounds`` [(n, epochs), ...] of successive halving; returns (records per round, winner's index).

    Round k trains its n configurations for ``epochs`` each (``run(jobs)`` -> records), and the best
    n_{k+1} by final validation accuracy (ties to the lower index) go on to the next round.
    """
    alive, history = list(range(len(configs))), []
    for k, (n, epochs) in enumerate(rounds):
        if len(alive) != n:
            raise ValueError(f"round {k + 1} expects {n} configurations, {len(alive)} survived.")
        records = run([(f"config {i}", configs[i], epochs, 0) for i in alive])
        for i, record in zip(alive, records):
            record["config_index"] = i
        history.append(records)
        keep = rounds[k + 1][0] if k + 1 < len(rounds) else 1
        ranked = sorted(zip(alive, records), key=lambda pair: (-pair[1]["val_accuracy"][-1], pair[0]))
        alive = sorted(i for i, _ in ranked[:keep])
    return history, alive[0]


def ablations(config):
    """{name: config} for the winner with each ingredient it uses removed in turn."""
    out = {}
    if config["dropout"] > 0:
        out["no dropout"] = {**config, "dropout": 0.0}
    if config["weight_decay"] > 0:
        out["no weight decay"] = {**config, "weight_decay": 0.0}
    out["constant rate (no one-cycle)"] = {**config, "schedule": "constant"}
    if config["label_smoothing"] > 0:
        out["no label smoothing"] = {**config, "label_smoothing": 0.0}
    if config["augment"] != "none":
        out["no augmentation"] = {**config, "augment": "none"}
    if config["augment"] == "shift1+flip":
        out["flips only (no shifts)"] = {**config, "augment": "flip"}
    if config["augment"] == "none":
        out["plus flips"] = {**config, "augment": "flip"}
    if config["augment"] != "shift1+flip":
        out["plus shifts and flips"] = {**config, "augment": "shift1+flip"}
    if not config.get("batchnorm", False):
        out["plus batch norm"] = {**config, "batchnorm": True}
    return out


def machine():
    """A short description of where the search ran."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "blas_threads_per_run": 1, "numpy": np.__version__,
            "python": platform.python_version(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel, one process each (default 2)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--smoke", action="store_true", help="a 1-minute trial: 2,000 images, 1-epoch budgets")
    parser.add_argument("--resume", action="store_true", help="reuse the runs recorded in --out, run the rest")
    args = parser.parse_args(argv)
    rounds_plan, epochs = ROUNDS, EPOCHS
    if args.smoke:
        X_train, y_train, X_val, y_val = data()
        _DATA["split"] = (X_train[:2000], y_train[:2000], X_val[:1000], y_val[:1000])
        rounds_plan, epochs = [(9, 1), (3, 1)], 1
    started, wall = time.strftime("%Y-%m-%d %H:%M"), time.perf_counter()
    info = machine()
    old = json.loads(args.out.read_text()) if args.resume else None
    recorded = {(r["name"], r["seed"]): r for r in (old["final"] + old["ablation"] if old else [])}
    with get_context("fork").Pool(args.jobs) as pool:
        def run(jobs):
            def is_recorded(job):
                return (job[0], job[3]) in recorded and recorded[job[0], job[3]]["config"] == job[1]

            todo = [job for job in jobs if not is_recorded(job)]
            done = dict(zip([(job[0], job[3]) for job in todo], pool.map(train, todo, chunksize=1)))
            return [done.get((job[0], job[3])) or recorded[job[0], job[3]] for job in jobs]

        configs = draw_configs()
        if old:
            rounds, best = old["search"], old["winner_index"]
        else:
            rounds, best = successive_halving(configs, rounds_plan, run)
        winner = configs[best]
        print(f"winner: config {best} {winner}", flush=True)
        variants = ablations(winner)
        jobs = [("final", winner, epochs, seed) for seed in (0, 1, 2)]
        jobs += [(name, variant, epochs, 0) for name, variant in variants.items()]
        finals = run(jobs)
    minutes = round((time.perf_counter() - wall) / 60, 1)
    runs = [r for recs in rounds for r in recs] + finals
    result = {"started": old["started"] if old else started,
              "wall_minutes": round(old["wall_minutes"] + minutes, 1) if old else minutes,
              "run_minutes": round(sum(r["seconds"] for r in runs) / 60, 1), "jobs": args.jobs,
              "machine": old["machine"] if old else info, "sizes": SIZES, "batch_size": BATCH_SIZE, "epochs": epochs,
              "rounds": rounds_plan,
              "configs": configs, "search": rounds, "winner_index": best, "winner": winner,
              "final": finals[:3], "ablation": finals[3:]}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out} after {result['wall_minutes']} minutes", flush=True)


if __name__ == "__main__":
    main()
