"""Losses: each knows its value and its gradient, averaged over the batch.

``forward(prediction, target)`` returns the loss L as a Python float (the mean over the N
rows of the batch) and caches what ``backward()`` needs; ``backward()`` returns dL/d(prediction),
an array of the prediction's shape. Each class says which prediction it expects.
"""
import numpy as np

from .activations import log_sum_exp


class Loss:
    is_classification = False

    def __call__(self, prediction, target):
        return self.forward(prediction, target)

    def __repr__(self):
        return f"{type(self).__name__}()"


def _check_batch(prediction, name):
    if prediction.ndim != 2:
        raise ValueError(f"{name} expects predictions of shape (N, C), got shape {prediction.shape}.")
    if prediction.shape[0] == 0:
        raise ValueError(f"{name} got an empty batch (N = 0); every batch needs at least one row.")


def check_labels(y, n_classes, name="labels"):
    """Raise a clear error unless y is an integer array (N,) with values in [0, n_classes)."""
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(
            f"Cross-entropy expects integer class {name} of shape (N,), got dtype {y.dtype}. "
            "Convert with y.astype(np.int64); if you have one-hot rows, use y.argmax(axis=1)."
        )
    if y.ndim != 1:
        raise ValueError(f"Cross-entropy expects {name} of shape (N,), got shape {y.shape}.")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"Class {name} must lie in [0, {n_classes - 1}] for {n_classes} output columns, "
            f"got values from {y.min()} to {y.max()}. Check the labels or the width of the last layer."
        )
    return y


class MSE(Loss):
    """Mean squared error on predictions y_hat (N, d) and targets y (N, d).

    Convention: L = 1/(2N) * sum_n sum_j (y_hat[n, j] - y[n, j])**2, the half squared error
    summed over outputs and averaged over the batch, so that dL/dy_hat = (y_hat - y) / N.
    """

    def forward(self, y_hat, y):
        _check_batch(y_hat, "MSE")
        y = np.asarray(y)
        if y.shape != y_hat.shape:
            raise ValueError(
                f"MSE needs targets of the same shape as the predictions {y_hat.shape}, got {y.shape}. "
                "For one output per example, reshape targets with y.reshape(-1, 1)."
            )
        self.diff = y_hat - y.astype(y_hat.dtype, copy=False)
        n = y_hat.shape[0]
        return float(0.5 * np.sum(self.diff * self.diff) / n)

    def backward(self):
        """dL/dy_hat = (y_hat - y) / N, shape (N, d)."""
        return self.diff * self.diff.dtype.type(1 / self.diff.shape[0])


class CrossEntropy(Loss):
    """Cross-entropy on probabilities p (N, C), the output of a softmax, and integer labels y (N,).

    L = -1/N * sum_n log p[n, y_n]; dL/dp is -1 / (N p[n, y_n]) in the label's column, 0 elsewhere.
    This is the naive path: log(0) = -inf once a probability underflows to zero. Train with
    SoftmaxCrossEntropy on logits instead.
    """

    is_classification = True

    def forward(self, p, y):
        _check_batch(p, "CrossEntropy")
        self.y = check_labels(y, p.shape[1])
        self.p = p
        rows = np.arange(p.shape[0])
        return float(-np.mean(np.log(p[rows, self.y])))

    def backward(self):
        """dL/dp, shape (N, C)."""
        n = self.p.shape[0]
        rows = np.arange(n)
        grad = np.zeros_like(self.p)
        grad[rows, self.y] = -1 / (n * self.p[rows, self.y])
        return grad


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, fused, on logits z (N, C) and integer labels y (N,).

    L = 1/N * sum_n (logsumexp(z[n]) - z[n, y_n]), computed with log-sum-exp so that no exp()
    overflows; dL/dz = (softmax(z) - onehot(y)) / N.
    With ``label_smoothing`` = eps > 0 the targets are y_eps = (1 - eps) onehot(y) + eps / C, so
    L = 1/N * sum_n (logsumexp(z[n]) - (1 - eps) z[n, y_n] - eps/C * sum_c z[n, c]) and
    dL/dz = (softmax(z) - y_eps) / N.
    """

    is_classification = True

    def __init__(self, label_smoothing=0.0):
        if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float, np.floating)) \
                or not 0 <= label_smoothing < 1:
            raise ValueError(f"label_smoothing is the probability mass spread over all classes and must be a number "
                             f"in [0, 1), got {label_smoothing!r}; 0.1 is usual.")
        self.label_smoothing = float(label_smoothing)

    def forward(self, z, y):
        _check_batch(z, "SoftmaxCrossEntropy")
        self.y = check_labels(y, z.shape[1])
        rows = np.arange(z.shape[0])
        lse = log_sum_exp(z, axis=1, keepdims=True)
        self.p = np.exp(z - lse)
        eps = self.label_smoothing
        if eps:
            target_logit = (1 - eps) * z[rows, self.y] + eps * z.mean(axis=1)
            return float(np.mean(lse[:, 0] - target_logit))
        return float(np.mean(lse[:, 0] - z[rows, self.y]))

    def backward(self):
        """dL/dz = (p - y_eps) / N, shape (N, C), y_eps = onehot(y) when eps = 0; the one-hot is never built."""
        n, c = self.p.shape
        eps = self.label_smoothing
        grad = self.p.copy()
        grad[np.arange(n), self.y] -= 1 - eps
        if eps:
            grad -= grad.dtype.type(eps / c)
        grad *= grad.dtype.type(1 / n)
        return grad

    def __repr__(self):
        return f"SoftmaxCrossEntropy(label_smoothing={self.label_smoothing:g})" if self.label_smoothing else \
            "SoftmaxCrossEntropy()"


LOSSES = {"mse": MSE, "cross_entropy": CrossEntropy, "softmax_cross_entropy": SoftmaxCrossEntropy}


def get_loss(name, **options):
    """Return a new loss for ``name`` (a key of LOSSES), built with ``options``, or ``name`` itself if it is a Loss.

    Example: get_loss("softmax_cross_entropy", label_smoothing=0.1).
    """
    if isinstance(name, Loss):
        if options:
            raise ValueError(f"get_loss got a ready-made {name!r} and options {sorted(options)}; pass the options to "
                             f"its constructor instead, e.g. SoftmaxCrossEntropy(label_smoothing=0.1).")
        return name
    try:
        cls = LOSSES[str(name).lower()]
    except KeyError:
        raise ValueError(f"Unknown loss {name!r}. Expected one of {sorted(LOSSES)} or a Loss object.") from None
    try:
        return cls(**options)
    except TypeError:
        raise TypeError(f"The loss {name!r} takes no options {sorted(options)}; only softmax_cross_entropy takes "
                        "label_smoothing=.") from None
