"""Learning-rate schedules, and the learning-rate range test that helps choose their peak.

A schedule is a function of the training progress p = (steps taken) / (steps planned), a
number in [0, 1), that returns the learning rate for the next step. ``fit(..., schedule=s)``
sets ``optimizer.lr = s(p)`` before every step, so one schedule fits any number of epochs,
batch size or data-set size. The constructors below return such functions:

    step_decay(lr, factor, every)     lr * factor ** (number of whole `every` fractions passed)
    cosine(lr_max, lr_min, warmup)    linear warm-up from 0, then half a cosine down to lr_min
    linear_warmup(lr, warmup)         linear warm-up from 0, then constant
    one_cycle(lr_max, ...)            up from lr_max / div_factor, then down far below it (Smith & Topin)

Any function of one number works as a schedule, e.g. ``lambda p: 0.1 * (1 - p)``.
"""
import math

import numpy as np

from .losses import get_loss
from .optimizers import SGD
from .training import _prepare, _restore, _snapshot


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value) \
            or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return float(value)


def _fraction(name, value, upper=1.0):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 <= value < upper:
        raise ValueError(f"{name} is a fraction of the training run and must lie in [0, {upper:g}), got {value!r}. "
                         f"For a warm-up of 2 epochs out of 20, pass 2 / 20 = 0.1.")
    return float(value)


def _cosine_down(q, high, low):
    """From high at q = 0 down to low at q = 1 along half a cosine."""
    return low + (high - low) * (1 + math.cos(math.pi * q)) / 2


def step_decay(lr, factor=0.1, every=1 / 3):
    """lr, multiplied by ``factor`` each time another fraction ``every`` of the run has passed.

    step_decay(1e-3, 0.85, every=1 / 20) over 20 epochs multiplies the rate by 0.85 after every
    epoch. The 1e-9 below keeps a drop exactly on its epoch boundary, where p / every would
    otherwise come out as 0.999999... through the rounding of 1 / 20.
    """
    lr, factor, every = _positive("lr", lr), _positive("factor", factor), _positive("every", every)

    def schedule(p):
        return lr * factor ** math.floor(p / every + 1e-9)

    return schedule


def cosine(lr_max, lr_min=0.0, warmup=0.0):
    """Cosine annealing (Loshchilov & Hutter 2017), after an optional linear warm-up.

    p < warmup:  lr_max * p / warmup                          (0 at the first step)
    p >= warmup: lr_min + (lr_max - lr_min) * (1 + cos(pi q)) / 2,  q = (p - warmup) / (1 - warmup)
    """
    lr_max, warmup = _positive("lr_max", lr_max), _fraction("warmup", warmup)
    if not 0 <= lr_min < lr_max:
        raise ValueError(f"lr_min must lie in [0, lr_max) = [0, {lr_max:g}), got {lr_min!r}.")
    lr_min = float(lr_min)

    def schedule(p):
        if p < warmup:
            return lr_max * p / warmup
        return _cosine_down((p - warmup) / (1 - warmup), lr_max, lr_min)

    return schedule


def linear_warmup(lr, warmup=0.1):
    """Linear warm-up from 0 to lr over the first fraction ``warmup`` of the run, then constant lr."""
    lr, warmup = _positive("lr", lr), _fraction("warmup", warmup)
    if warmup == 0:
        raise ValueError("linear_warmup needs warmup > 0 (a fraction of the run, e.g. 0.1); for a constant "
                         "rate pass no schedule at all.")

    def schedule(p):
        return lr * min(p / warmup, 1.0)

    return schedule


def one_cycle(lr_max, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    """The one-cycle policy (Smith & Topin 2019), with cosine phases as in PyTorch's OneCycleLR.

    Up from lr_max / div_factor to lr_max over the first fraction ``pct_start`` of the run, then
    down to lr_max / (div_factor * final_div_factor), each phase along half a cosine. (Smith's
    policy also cycles the momentum the other way; this schedule only sets the learning rate.)
    """
    lr_max, pct_start = _positive("lr_max", lr_max), _fraction("pct_start", pct_start)
    if pct_start == 0:
        raise ValueError("one_cycle needs pct_start > 0, the fraction of the run spent going up (e.g. 0.3).")
    start = lr_max / _positive("div_factor", div_factor)
    end = start / _positive("final_div_factor", final_div_factor)

    def schedule(p):
        if p < pct_start:
            return _cosine_down(p / pct_start, start, lr_max)
        return _cosine_down((p - pct_start) / (1 - pct_start), lr_max, end)

    return schedule


def lr_range_test(model, X, y, optimizer=SGD, lr_min=1e-5, lr_max=10.0, steps=100, batch_size=128,
                  loss="softmax_cross_entropy", seed=0, smoothing=0.05, stop_factor=4.0, **optimizer_kw):
    """The learning-rate range test (Smith 2017): the loss while lr grows geometrically, step by step.

    Trains ``model`` on mini-batches of (X (N, d_in), y (N,)) with a fresh ``optimizer(model, lr,
    **optimizer_kw)`` whose lr goes from lr_min to lr_max in ``steps`` steps (one batch each),
    and stops early once the smoothed loss exceeds ``stop_factor`` times its minimum or is not
    finite. The model's parameters, buffers and mode are restored afterwards.
    Returns {"lr": (k,), "loss": (k,) batch losses, "smoothed": (k,) bias-corrected moving
    average with weight ``smoothing``}, k <= steps.
    """
    loss = get_loss(loss)
    lr_min, lr_max = _positive("lr_min", lr_min), _positive("lr_max", lr_max)
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must exceed lr_min, got lr_min={lr_min:g}, lr_max={lr_max:g}.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}.")
    if not 0 < smoothing <= 1:
        raise ValueError(f"smoothing is the weight of the newest loss in the moving average, in (0, 1]; got {smoothing!r}.")
    X, y = _prepare(model, loss, X, y, "Range-test data")
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    opt = optimizer(model, lr=lr_min, **optimizer_kw)
    rng = np.random.default_rng(seed)
    saved, was_training = _snapshot(model), model.training
    order, start = rng.permutation(len(X)), 0
    raw, smoothed, average = [], [], 0.0
    model.train()
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            for k, lr in enumerate(lrs):
                if start + batch_size > len(X):  # a new pass over the data, in a new order
                    order, start = rng.permutation(len(X)), 0
                rows = order[start:start + batch_size]
                start += batch_size
                batch_loss = loss.forward(model.forward(X[rows], check=False), y[rows])
                raw.append(batch_loss)
                average = smoothing * batch_loss + (1 - smoothing) * average
                smoothed.append(average / (1 - (1 - smoothing) ** (k + 1)))
                if not math.isfinite(smoothed[-1]) or smoothed[-1] > stop_factor * min(smoothed):
                    break
                model.backward(loss.backward())
                opt.lr = float(lr)
                opt.step()
    finally:
        _restore(model, saved)
        model._set_mode(was_training)
    k = len(raw)
    return {"lr": lrs[:k], "loss": np.array(raw), "smoothed": np.array(smoothed)}
