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
    """

    is_classification = True

    def forward(self, z, y):
        _check_batch(z, "SoftmaxCrossEntropy")
        self.y = check_labels(y, z.shape[1])
        rows = np.arange(z.shape[0])
        lse = log_sum_exp(z, axis=1, keepdims=True)
        self.p = np.exp(z - lse)
        return float(np.mean(lse[:, 0] - z[rows, self.y]))

    def backward(self):
        """dL/dz = (p - onehot(y)) / N, shape (N, C); the one-hot is never built."""
        n = self.p.shape[0]
        grad = self.p.copy()
        grad[np.arange(n), self.y] -= 1
        grad *= grad.dtype.type(1 / n)
        return grad


LOSSES = {"mse": MSE, "cross_entropy": CrossEntropy, "softmax_cross_entropy": SoftmaxCrossEntropy}


def get_loss(name):
    """Return a new loss for ``name`` (a key of LOSSES), or ``name`` itself if it is a Loss."""
    if isinstance(name, Loss):
        return name
    try:
        return LOSSES[str(name).lower()]()
    except KeyError:
        raise ValueError(f"Unknown loss {name!r}. Expected one of {sorted(LOSSES)} or a Loss object.") from None
