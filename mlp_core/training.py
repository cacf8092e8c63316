"""The training loop: shuffled mini-batches, validation, a History, early stopping, divergence checks."""
import math
import time

import numpy as np
from tqdm.auto import tqdm

from .display import count
from .losses import MSE, check_labels, get_loss
from .model import check_inputs
from .optimizers import SGD


class DivergenceError(FloatingPointError):
    """The loss became NaN or infinite during training."""


class History:
    """Per-epoch records of a ``fit`` run: lists indexed by epoch (0-based).

    loss / accuracy: training-mode averages over the epoch's mini-batches (accuracy only for
    classification losses); val_loss / val_accuracy: evaluation-mode values on the
    validation data after the epoch; seconds: wall time of each epoch.
    """

    keys = ("loss", "accuracy", "val_loss", "val_accuracy", "seconds")

    def __init__(self):
        for key in self.keys:
            setattr(self, key, [])
        self.stopped_early = False
        self.best_epoch = None

    def append(self, **values):
        for key in self.keys:
            getattr(self, key).append(values.get(key))

    def as_dict(self):
        return {key: list(getattr(self, key)) for key in self.keys}

    def __len__(self):
        return len(self.loss)

    def __repr__(self):
        if not self.loss:
            return "History(no epochs)"
        last = {k: getattr(self, k)[-1] for k in self.keys[:-1] if getattr(self, k)[-1] is not None}
        shown = ", ".join(f"{k}={v:.4f}" for k, v in last.items())
        return f"History({count(len(self), 'epoch')}, last: {shown})"


def evaluate(model, loss, X, y, batch_size=4096):
    """(mean loss, accuracy or None) of ``model`` on (X, y) in evaluation mode; the mode is restored."""
    loss = get_loss(loss)
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    try:
        for i in range(0, len(X), batch_size):
            out = model.forward(X[i:i + batch_size], check=False)
            yb = y[i:i + batch_size]
            total_loss += loss.forward(out, yb) * len(out)
            if loss.is_classification:
                correct += int(np.count_nonzero(out.argmax(axis=1) == yb))
    finally:
        model._set_mode(was_training)
    accuracy = correct / len(X) if loss.is_classification else None
    return total_loss / len(X), accuracy


def _prepare(model, loss, X, y, what):
    check_inputs(X, model.d_in)
    if len(X) != len(y):
        raise ValueError(f"{what}: X has {count(len(X), 'row')} but y has {len(y)}; they must match one to one.")
    X = X.astype(model.dtype, copy=False)  # one conversion up front, not a float64 detour per batch
    if loss.is_classification:
        y = check_labels(y, model.d_out)
    elif isinstance(loss, MSE):
        y = np.asarray(y).astype(model.dtype, copy=False)
    return X, y


def _snapshot(model):
    return [p.copy() for _, p, _ in model.named_parameters()] + [b.copy() for _, b in model.named_buffers()]


def _restore(model, snapshot):
    live = [p for _, p, _ in model.named_parameters()] + [b for _, b in model.named_buffers()]
    for target, saved in zip(live, snapshot):
        target[...] = saved


def gather(source, rows, buffer):
    """source[rows] written into buffer[:len(rows)], which is returned; rows must be valid indices."""
    # mode="clip" lets np.take write straight into ``out`` (the default mode copies through a
    # temporary); the rows come from a permutation, so clipping never changes an index.
    return np.take(source, rows, axis=0, out=buffer[:len(rows)], mode="clip")


def augmented(augment, Xb, rng):
    """augment(Xb, rng), or a ValueError unless it is an array of Xb's shape and dtype."""
    result = augment(Xb, rng)
    if not isinstance(result, np.ndarray) or result.shape != Xb.shape or result.dtype != Xb.dtype:
        got = f"shape {result.shape}, dtype {result.dtype}" if isinstance(result, np.ndarray) else type(result).__name__
        raise ValueError(f"augment must return an array of the batch's shape {Xb.shape} and dtype {Xb.dtype}, "
                         f"got {got}.")
    return result


def scheduled_lr(schedule, step, total):
    """schedule(step / total) as a float, or a ValueError if it is not a finite number >= 0."""
    lr = schedule(step / total)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)) or not math.isfinite(lr) or lr < 0:
        raise ValueError(f"The schedule returned lr={lr!r} at progress {step}/{total}; a schedule must return a "
                         "finite number >= 0 for every progress p in [0, 1), e.g. mlp_core.schedules.cosine(0.1).")
    return float(lr)


def fit(model, X, y, loss="softmax_cross_entropy", optimizer=None, epochs=10, batch_size=128,
        validation_data=None, seed=0, shuffle=True, early_stopping=None, restore_best=True,
        progress=True, callback=None, diagnostics=None, schedule=None, augment=None):
    """Train ``model`` on X (N, d_in) and y (N,) labels or (N, d_out) targets; returns a History.

    Each epoch visits the rows in an order drawn from ``seed`` in mini-batches of ``batch_size``
    (the last may be smaller). ``optimizer`` defaults to SGD(model, lr=0.1).
    ``early_stopping=k`` stops after k epochs without a lower validation loss and, with
    ``restore_best``, puts back the best epoch's parameters. ``progress`` shows a tqdm bar.
    ``callback(epoch, history)``, if given, runs after every epoch.
    ``diagnostics``, a ``Diagnostics(every=k)``, records per-layer statistics every k steps.
    ``schedule(p)``, if given, sets ``optimizer.lr`` before every step from the progress
    p = step / (epochs * batches per epoch) in [0, 1); see ``mlp_core.schedules``.
    ``augment(X_batch, rng)``, if given, replaces every training batch by an augmented one drawn
    with a generator spawned from ``seed`` (see ``mlp_core.augment``); validation data is never augmented.
    A NaN or infinite loss raises DivergenceError naming the learning rate, with the parameters
    restored to their values at the start of that epoch.
    """
    loss = get_loss(loss)
    optimizer = optimizer if optimizer is not None else SGD(model, lr=0.1)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if early_stopping is not None and validation_data is None:
        raise ValueError("early_stopping watches the validation loss: pass validation_data=(X_val, y_val) too.")
    X, y = _prepare(model, loss, X, y, "Training data")
    if validation_data is not None:
        X_val, y_val = _prepare(model, loss, *validation_data, "Validation data")

    rng = np.random.default_rng(seed)
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function f(X_batch, rng), e.g. mlp_core.augment.random_flip(0.5), "
                        f"got {type(augment).__name__}.")
    augment_rng = rng.spawn(1)[0] if augment is not None else None  # leaves rng's stream of batch orders alone
    # Batches are gathered into two arrays allocated once: a fresh (batch, d_in) array per step
    # makes the C allocator map and unmap memory, and those page faults cost up to 10% of an epoch.
    X_batch = np.empty((min(batch_size, len(X)),) + X.shape[1:], dtype=X.dtype)
    y_batch = np.empty((min(batch_size, len(y)),) + y.shape[1:], dtype=y.dtype)
    history, best_loss, best_state, waited = History(), math.inf, None, 0
    n = len(X)
    batches = math.ceil(n / batch_size)  # per epoch; the last one may be smaller
    bar = tqdm(range(epochs), desc="epochs", unit="epoch", disable=not progress)
    model.train()
    # NaN/inf are caught below with a clear error, so NumPy's own overflow warnings are silenced.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in bar:
            start, epoch_state = time.perf_counter(), _snapshot(model)
            order = rng.permutation(n) if shuffle else None
            total_loss, correct = 0.0, 0
            for b, i in enumerate(range(0, n, batch_size)):
                if shuffle:  # gather one batch at a time: no shuffled copy of the whole data set
                    rows = order[i:i + batch_size]
                    Xb, yb = gather(X, rows, X_batch), gather(y, rows, y_batch)
                else:
                    Xb, yb = X[i:i + batch_size], y[i:i + batch_size]
                if augment is not None:
                    Xb = augmented(augment, Xb, augment_rng)
                out = model.forward(Xb, check=False)
                batch_loss = loss.forward(out, yb)
                if not math.isfinite(batch_loss):
                    _restore(model, epoch_state)
                    raise DivergenceError(
                        f"Training diverged: the loss became {batch_loss} at epoch {epoch + 1}, batch {b + 1}, "
                        f"with learning rate lr={optimizer.lr:g}. Lower the learning rate (try lr={optimizer.lr / 10:g}) "
                        "or clip the gradients (clip_norm=1.0). The parameters were restored to the start of the epoch."
                    )
                model.backward(loss.backward())
                if schedule is not None:
                    optimizer.lr = scheduled_lr(schedule, epoch * batches + b, epochs * batches)
                if diagnostics is None:
                    optimizer.step()
                else:  # it takes the step itself, to measure it
                    diagnostics.step(model, optimizer, epoch, batch_loss)
                total_loss += batch_loss * len(Xb)
                if loss.is_classification:
                    correct += int(np.count_nonzero(out.argmax(axis=1) == yb))
            record = {"loss": total_loss / n, "accuracy": correct / n if loss.is_classification else None}
            if validation_data is not None:
                record["val_loss"], record["val_accuracy"] = evaluate(model, loss, X_val, y_val)
                model.train()
            record["seconds"] = time.perf_counter() - start
            history.append(**record)
            bar.set_postfix({k: f"{v:.4f}" for k, v in record.items() if v is not None and k != "seconds"})
            if callback is not None:
                callback(epoch, history)
            if early_stopping is not None:
                if record["val_loss"] < best_loss:
                    best_loss, best_state, waited, history.best_epoch = record["val_loss"], _snapshot(model), 0, epoch
                else:
                    waited += 1
                    if waited >= early_stopping:
                        history.stopped_early = True
                        break
    bar.close()
    if history.stopped_early and restore_best and best_state is not None:
        _restore(model, best_state)
    return history
