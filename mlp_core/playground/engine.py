"""The playground's engine: settings, data, model, and a run that trains a chunk at a time.

Nothing here knows about widgets. A ``Run`` trains with ``fit`` on consecutive chunks of each epoch's
shuffled rows (whole mini-batches, about ``CHUNK_ROWS`` rows each), so that a caller can draw, or
stop, between chunks. The chunks only cut the epoch into pieces: the same settings give the same
batches, the same steps and the same numbers however often the caller draws.
"""
import dataclasses
import math
import time

import numpy as np

from ..data import CLASS_NAMES, fashion_mnist_stats, load_fashion_mnist, train_val_split
from ..datasets import circles, spiral, xor
from ..diagnostics import Diagnostics, layer_statistics
from ..initializers import get_initializer
from ..layers import Dense
from ..losses import MSE, SoftmaxCrossEntropy
from ..metrics import confusion_matrix
from ..model import mlp
from ..optimizers import SGD, Adam, AdamW, RMSProp
from ..training import DivergenceError, History, evaluate, fit

DATASETS = ("spiral", "circles", "XOR", "Fashion-MNIST", "Fashion-MNIST, standardised")
TWO_D = DATASETS[:3]
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid")
INITIALIZERS = ("he_normal", "he_uniform", "xavier_normal", "xavier_uniform", "normal")
LOSSES = ("softmax cross-entropy", "MSE on one-hot targets")
OPTIMIZERS = ("SGD", "SGD+momentum", "RMSProp", "Adam", "AdamW")
CHUNK_ROWS = 1024
"""About this many training rows (rounded to whole batches) between two chances to draw or stop."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything a run depends on. ``init_scale`` multiplies the initialiser's weights; "normal" is
    N(0, 1), so ("normal", 0.01) is chapter 6's normal(0.01). ``n_train`` applies to Fashion-MNIST."""

    data: str = "spiral"
    n_train: int = 5000
    depth: int = 2
    width: int = 32
    activation: str = "relu"
    init: str = "he_normal"
    init_scale: float = 1.0
    loss: str = LOSSES[0]
    optimizer: str = "Adam"
    lr: float = 0.01
    batch_size: int = 32
    weight_decay: float = 0.0
    dropout: float = 0.0
    batchnorm: bool = False
    epochs: int = 30
    seed: int = 0

    def check(self):
        """Raise ValueError naming the first setting outside its allowed values."""
        for name, options in (("data", DATASETS), ("activation", ACTIVATIONS), ("init", INITIALIZERS),
                              ("loss", LOSSES), ("optimizer", OPTIMIZERS)):
            if getattr(self, name) not in options:
                raise ValueError(f"Unknown {name} {getattr(self, name)!r}; expected one of {options}.")
        for name, low in (("n_train", 1), ("depth", 1), ("width", 1), ("batch_size", 1), ("epochs", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
        for name in ("init_scale", "lr"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be a positive number, got {getattr(self, name)!r}.")
        if not 0 <= self.dropout < 1 or self.weight_decay < 0:
            raise ValueError(f"Expected dropout in [0, 1) and weight_decay >= 0, got {self.dropout!r} "
                             f"and {self.weight_decay!r}.")
        return self

    @property
    def two_d(self):
        return self.data in TWO_D


@dataclasses.dataclass
class Data:
    """Training and validation sets: X (N, d) float32, y (N,) int64; ``images`` when rows are 28x28."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    class_names: tuple

    @property
    def images(self):
        return self.X_train.shape[1] == 784


_FASHION = {}


def _fashion_rows():
    """Fashion-MNIST's training split as uint8 (60000, 784), its labels, and chapter 5's validation rows."""
    if not _FASHION:
        X, y = load_fashion_mnist("train", as_uint8=True)
        rows = np.arange(len(X))
        train_rows, _, val_rows, _ = train_val_split(rows, y, val_size=10_000, seed=0)
        order = np.random.default_rng(0)
        _FASHION.update(X=X, y=y, train=order.permutation(train_rows), val=order.permutation(val_rows))
    return _FASHION


def load_data(name, n_train=5000, n_val=1000):
    """The data set called ``name`` (one of DATASETS) as a Data; the same name gives the same arrays.

    The 2-D sets have 300 training and 150 validation points. Fashion-MNIST gives the first
    ``n_train`` of a seeded shuffle of chapter 5's 50,000 training images and ``n_val`` of its
    validation images, pixels in [0, 1] or, "standardised", with the training set's mean and std.
    """
    if name in TWO_D:
        X, y = {"spiral": lambda: spiral(n_per_class=150, noise=0.2, seed=0),
                "circles": lambda: circles(450, factor=0.5, noise=0.1, seed=0),
                "XOR": lambda: xor(450, noise=0.25, seed=0)}[name]()
        if name == "XOR":
            X = 2 * X - 1  # corners at (-1, -1) ... (1, 1): centred like the other two
        X_train, y_train, X_val, y_val = train_val_split(X, y, val_size=150, seed=0)
        names = tuple(f"class {c}" for c in range(int(y.max()) + 1))
        return Data(X_train, y_train, X_val, y_val, names)
    if name not in DATASETS:
        raise ValueError(f"Unknown data set {name!r}; expected one of {DATASETS}.")
    source = _fashion_rows()
    if not 1 <= n_train <= len(source["train"]):
        raise ValueError(f"n_train must be between 1 and {len(source['train'])}, got {n_train}.")
    scale = np.float32(1 / 255)

    def rows(indices):
        X = source["X"][indices].astype(np.float32) * scale
        if name.endswith("standardised"):
            mean, std = fashion_mnist_stats()
            X -= np.float32(mean)
            X /= np.float32(std)
        return X, source["y"][indices]

    return Data(*rows(source["train"][:n_train]), *rows(source["val"][:n_val]), CLASS_NAMES)


class OneHotMSE(MSE):
    """MSE between the outputs (N, C) and the one-hot rows of integer labels y (N,); counts accuracy."""

    is_classification = True

    def forward(self, y_hat, y):
        target = np.zeros_like(y_hat)
        target[np.arange(len(y)), y] = 1
        return super().forward(y_hat, target)


def scaled_initializer(name, scale):
    """The initialiser ``name`` times ``scale``, with "normal" meaning N(0, 1): f(shape, rng, dtype)."""
    base = get_initializer(name)

    def init(shape, rng=None, dtype=np.float32):
        W = base(shape, std=1.0, rng=rng, dtype=dtype) if name == "normal" else base(shape, rng=rng, dtype=dtype)
        W *= W.dtype.type(scale)
        return W

    init.__name__ = f"{name}*{scale:g}"
    return init


def build_model(settings, d_in, n_classes):
    """The MLP of ``settings``: d_in, then ``depth`` hidden layers of ``width``, then n_classes logits."""
    sizes = [d_in] + [settings.width] * settings.depth + [n_classes]
    return mlp(sizes, activation=settings.activation, dropout=settings.dropout, batchnorm=settings.batchnorm,
               init=scaled_initializer(settings.init, settings.init_scale), seed=settings.seed)


def make_optimizer(settings, model):
    kw = {"lr": settings.lr, "weight_decay": settings.weight_decay}
    return {"SGD": lambda: SGD(model, **kw), "SGD+momentum": lambda: SGD(model, momentum=0.9, **kw),
            "RMSProp": lambda: RMSProp(model, **kw), "Adam": lambda: Adam(model, **kw),
            "AdamW": lambda: AdamW(model, **kw)}[settings.optimizer]()


class Run:
    """One training run: ``step()`` trains on the next chunk; the records grow as it goes.

    ``curve``: one (epoch position, mean training loss, training accuracy) per chunk;
    ``history``: a History per epoch (training averages, validation loss and accuracy);
    ``diagnostics``: chapter 6's Diagnostics, about 200 records over the whole run.
    ``state`` is "ready", "running", "finished", "stopped" or "diverged" (then ``message`` says why).
    """

    def __init__(self, settings, data):
        self.settings, self.data = settings.check(), data
        self.model = build_model(settings, data.X_train.shape[1], len(data.class_names))
        self.loss = OneHotMSE() if settings.loss.startswith("MSE") else SoftmaxCrossEntropy()
        self.optimizer = make_optimizer(settings, self.model)
        n, bs = len(data.X_train), settings.batch_size
        self.n = n - 1 if settings.batchnorm and n % bs == 1 else n  # batch norm needs 2 rows per batch
        self.batches = math.ceil(self.n / bs)
        self.diagnostics = Diagnostics(every=max(1, settings.epochs * self.batches // 200))
        self.rng = np.random.default_rng(settings.seed)
        self.chunk = max(1, CHUNK_ROWS // bs) * bs
        self.curve, self.history = [], History()
        self.epoch, self.position, self.order, self.sums = 0, 0, None, [0.0, 0.0]
        self.state, self.message, self.seconds = "ready", "", 0.0

    @property
    def done(self):
        return self.state in ("finished", "stopped", "diverged")

    def step(self):
        """Train on the next chunk (finishing the epoch with validation if it is the last); True while more is left."""
        if self.done:
            return False
        start, self.state = time.perf_counter(), "running"
        if self.order is None:
            self.order = self.rng.permutation(len(self.data.X_train))[:self.n]
        rows = self.order[self.position:self.position + self.chunk]
        try:
            h = fit(self.model, self.data.X_train[rows], self.data.y_train[rows], loss=self.loss,
                    optimizer=self.optimizer, epochs=1, batch_size=self.settings.batch_size, shuffle=False,
                    progress=False, diagnostics=self.diagnostics)
        except DivergenceError:
            lr = self.settings.lr
            self.state = "diverged"
            self.message = (f"Training diverged in epoch {self.epoch + 1}: the loss became NaN or infinite at "
                            f"learning rate {lr:.3g}. Lower the learning rate (try {lr / 10:.2g}), or change "
                            "what makes the steps too large (initial scale, depth, optimiser).")
            return False
        finally:
            self.seconds += time.perf_counter() - start
        self.position += len(rows)
        self.sums[0] += h.loss[0] * len(rows)
        self.sums[1] += h.accuracy[0] * len(rows)
        self.curve.append((self.epoch + self.position / self.n, h.loss[0], h.accuracy[0]))
        if self.position >= self.n:
            self._end_epoch(start)
        return not self.done

    def _end_epoch(self, start):
        with np.errstate(all="ignore"):
            val_loss, val_acc = evaluate(self.model, self.loss, self.data.X_val, self.data.y_val)
        self.model.train()
        if not math.isfinite(val_loss):  # the last step of the epoch overflowed the weights
            self.state = "diverged"
            self.message = (f"Training diverged in epoch {self.epoch + 1}: the weights overflowed at learning rate "
                            f"{self.settings.lr:.3g}. Lower the learning rate (try {self.settings.lr / 10:.2g}).")
            return
        self.history.append(loss=self.sums[0] / self.n, accuracy=self.sums[1] / self.n, val_loss=val_loss,
                            val_accuracy=val_acc, seconds=time.perf_counter() - start)
        self.epoch, self.position, self.order, self.sums = self.epoch + 1, 0, None, [0.0, 0.0]
        if self.epoch >= self.settings.epochs:
            self.state = "finished"

    def stop(self):
        if not self.done:
            self.state, self.message = "stopped", f"Stopped in epoch {self.epoch + 1}."

    def run(self):
        """Train to the end (or divergence) without pausing; returns self."""
        while self.step():
            pass
        return self

    # -- what the panels show ---------------------------------------------------------------
    def layer_report(self, n_rows=256):
        """chapter 6's layer_statistics on the first ``n_rows`` validation rows, in evaluation mode,
        plus "dead": per Dense layer, the share of its input units that are 0 on every one of those rows."""
        X, y = self.data.X_val[:n_rows], self.data.y_val[:n_rows]
        self.model.eval()
        try:
            with np.errstate(all="ignore"):
                stats = layer_statistics(self.model, X, y, loss=self.loss, keep_arrays=True)
        finally:
            self.model.train()
        dead = [float(np.mean(np.all(a == 0, axis=0))) if k else 0.0 for k, a in enumerate(stats.pop("inputs"))]
        stats.pop("deltas")
        stats["dead"] = np.array(dead)
        return stats

    def first_weights(self, n=16):
        """The first ``n`` columns of the first Dense layer's W (d_in, width), as rows (n, d_in)."""
        W = next(layer for layer in self.model.layers if isinstance(layer, Dense)).params["W"]
        return W[:, :n].T

    def grid_probabilities(self, grid):
        """Class probabilities (len(grid), C) of the model on the 2-D points ``grid``."""
        return self.model.predict_proba(grid)

    def evaluation(self):
        """(confusion counts (C, C), predictions, confidences) on the validation set."""
        p = self.model.predict_proba(self.data.X_val)
        pred = p.argmax(axis=1)
        return confusion_matrix(self.data.y_val, pred, len(self.data.class_names)), pred, p.max(axis=1)
