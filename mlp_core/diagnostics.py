"""Per-layer diagnostics: is the signal through the network healthy, and are the updates the right size?

Two tools, one vocabulary. Both describe every Dense layer k = 1, ..., L of a model (counted from the
input, as W^(k) in the book) by the same statistics, each an array with one entry per Dense layer:

| key            | what it is                                                                 |
|----------------|----------------------------------------------------------------------------|
| input_mean     | mean of the activations A^(k-1) that layer k receives (A^(0) = X)          |
| input_std      | their standard deviation                                                   |
| input_zero     | the fraction of them that are exactly 0 (inactive or dead ReLUs)           |
| weight_std     | standard deviation of W^(k)                                                |
| grad_std       | standard deviation of dL/dW^(k)                                            |
| update_ratio   | ||W^(k) after the step - W^(k) before|| / ||W^(k) before|| (fit only)     |
| delta_std      | standard deviation of delta^(k) = dL/dZ^(k) (layer_statistics only)        |

- ``layer_statistics(model, X, y)``: one forward and one backward pass on one batch, no update; for
  looking at a network before training (initialisation) or at any moment in between.
- ``Diagnostics(every=50)``, passed as ``fit(..., diagnostics=diag)``: every ``every``-th training step
  it reads what the forward and backward passes left in the layers (each Dense layer keeps its input
  and its gradients), watches the optimiser's step, and appends one record. Between records it costs
  one integer test per step; without it ``fit`` runs the code it always did.

The update ratio is CS231n's rule of thumb for the learning rate: about 1e-3 is healthy, far below
means learning too slowly, far above means the weights are being thrown around.
"""
import math

import numpy as np

from .layers import Dense
from .losses import get_loss
from .model import check_inputs

KEYS = ("input_mean", "input_std", "input_zero", "weight_std", "grad_std")


def dense_layers(model):
    """The model's Dense layers in order, as (index in model.layers, layer) pairs."""
    pairs = [(i, layer) for i, layer in enumerate(model.layers) if isinstance(layer, Dense)]
    if not pairs:
        raise ValueError("The model has no Dense layer: there are no weights to report on.")
    return pairs


def _norm(a):
    return math.sqrt(float(np.vdot(a, a)))


def _layer_row(layer, inputs):
    """The statistics of KEYS for one Dense layer, from its input (N, d_in) and its current W and dW."""
    return {"input_mean": float(inputs.mean()), "input_std": float(inputs.std()),
            "input_zero": float(np.count_nonzero(inputs == 0)) / inputs.size,
            "weight_std": float(layer.params["W"].std()), "grad_std": float(layer.grads["W"].std())}


def layer_statistics(model, X, y, loss="softmax_cross_entropy", keep_arrays=False):
    """Forward and backward through ``model`` on one batch X (N, d_in), y; no parameter changes.

    Returns a dict: "layer" (names like "0.W"), each key of KEYS plus "delta_std" as float arrays of
    shape (L,) for the L Dense layers, and "loss", the batch's mean loss. With ``keep_arrays`` it also
    holds "inputs" and "deltas", lists of the L arrays A^(k-1) (N, d_in) and delta^(k) (N, d_out).
    The model's mode is used as it is; batch-norm running statistics are put back afterwards, and the
    layers' gradients are left as this backward pass computed them.
    """
    check_inputs(X, model.d_in)
    loss = get_loss(loss)
    buffers = [(b, b.copy()) for _, b in model.named_buffers()]
    X = X.astype(model.dtype, copy=False)
    outputs = []
    with np.errstate(over="ignore", invalid="ignore"):
        out = X
        for layer in model.layers:
            if isinstance(layer, Dense):
                layer.needs_input_grad = True  # delta of every layer is wanted, down to the first
            out = layer.forward(out)
            outputs.append(out)
        value = loss.forward(out, y)
        grad = loss.backward()
        deltas = [None] * len(model.layers)  # deltas[i]: dL/d(output of layer i)
        for i in reversed(range(len(model.layers))):
            deltas[i] = grad
            grad = model.layers[i].backward(grad)
    for target, saved in buffers:
        target[...] = saved
    pairs = dense_layers(model)
    rows = [_layer_row(layer, layer.x) for _, layer in pairs]
    stats = {"layer": [f"{i}.W" for i, _ in pairs]}
    for key in KEYS:
        stats[key] = np.array([row[key] for row in rows])
    stats["delta_std"] = np.array([float(deltas[i].std()) for i, _ in pairs])
    stats["loss"] = value
    if keep_arrays:
        stats["inputs"] = [layer.x for _, layer in pairs]
        stats["deltas"] = [deltas[i] for i, _ in pairs]
    return stats


def format_statistics(stats, keys=("input_std", "delta_std", "grad_std")):
    """A text table of ``stats`` (from layer_statistics or one Diagnostics record), one row per layer."""
    widths = [max(10, len(key)) + 2 for key in keys]
    header = f"{'layer':>6}" + "".join(f"{key:>{w}}" for key, w in zip(keys, widths))
    lines = [header, "-" * len(header)]
    for k, name in enumerate(stats["layer"]):
        lines.append(f"{name:>6}" + "".join(f"{stats[key][k]:>{w}.2e}" for key, w in zip(keys, widths)))
    return "\n".join(lines)


class Diagnostics:
    """Records per-layer statistics every ``every`` training steps of ``fit(..., diagnostics=self)``.

    After training, ``diag["input_std"]`` (and every other key of KEYS, and "update_ratio") is an
    array of shape (R, L): R records, L Dense layers. ``diag.steps`` (R,) holds the step (0-based,
    counted across epochs) of each record, ``diag.epochs`` its epoch, ``diag.loss`` the batch loss at
    that step, and ``diag.layer`` the layers' names ("0.W", ...). The same object can follow several
    ``fit`` calls; its step count goes on.
    """

    def __init__(self, every=50):
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be a positive integer (record every that many steps), got {every!r}.")
        self.every = int(every)
        self.step_count = 0
        self.steps, self.epochs, self.loss, self.layer = [], [], [], None
        self.records = {key: [] for key in KEYS + ("update_ratio",)}

    def step(self, model, optimizer, epoch, batch_loss):
        """Take ``optimizer.step()``; on every ``every``-th call, record the statistics around it."""
        due = self.step_count % self.every == 0
        self.step_count += 1
        if not due:
            optimizer.step()
            return
        pairs = dense_layers(model)
        rows = [_layer_row(layer, layer.x) for _, layer in pairs]
        before = [layer.params["W"].copy() for _, layer in pairs]
        optimizer.step()
        for row, W_old, (_, layer) in zip(rows, before, pairs):
            row["update_ratio"] = _norm(layer.params["W"] - W_old) / max(_norm(W_old), 1e-30)
        self.layer = [f"{i}.W" for i, _ in pairs]
        self.steps.append(self.step_count - 1)
        self.epochs.append(epoch)
        self.loss.append(batch_loss)
        for key, values in self.records.items():
            values.append([row[key] for row in rows])

    def __getitem__(self, key):
        if key not in self.records:
            raise KeyError(f"No statistic {key!r}; the Diagnostics records {sorted(self.records)}.")
        return np.array(self.records[key], dtype=np.float64).reshape(len(self.steps), -1)

    def last(self):
        """The latest record as a dict like layer_statistics' (arrays of shape (L,)), for format_statistics."""
        if not self.steps:
            raise ValueError("Nothing recorded yet: pass this object to fit(..., diagnostics=...) first.")
        return {"layer": self.layer, **{key: self[key][-1] for key in self.records}}

    def __len__(self):
        return len(self.steps)

    def __repr__(self):
        return f"Diagnostics(every={self.every}, {len(self)} records over {self.step_count} steps)"
