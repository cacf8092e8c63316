"""Activation functions as layers: elementwise nonlinearities and the row-wise softmax.

Every activation has ``forward(z) -> a`` and ``backward(grad_a) -> grad_z`` with arrays of
shape (N, d), and no parameters (``params == grads == {}``). Shapes and dtypes are preserved.
"""
import numpy as np

from .layers import Layer


def sigmoid(z):
    """Logistic function 1 / (1 + exp(-z)), elementwise, that never overflows.

    exp is only ever taken of -|z| <= 0, so it lies in (0, 1]:
    sigmoid(z) = 1 / (1 + e^{-z}) for z >= 0 and e^{z} / (1 + e^{z}) for z < 0.
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def log_sum_exp(z, axis=-1, keepdims=True):
    """log(sum(exp(z))) along ``axis``, computed as m + log(sum(exp(z - m))) with m = max(z)."""
    z = np.asarray(z)
    m = z.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(z):
    """Row-wise softmax of logits z (N, C) -> probabilities (N, C); each row sums to 1.

    Subtracting the row maximum first changes nothing mathematically (softmax is invariant to
    adding a constant to a row) and keeps every exp() argument <= 0, so nothing overflows.
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z):
    """Row-wise log softmax, z - logsumexp(z), of logits z (N, C) -> (N, C)."""
    z = np.asarray(z)
    return z - log_sum_exp(z, axis=-1, keepdims=True)


class Sigmoid(Layer):
    """a = sigmoid(z); backward: grad_z = grad_a * a * (1 - a)."""

    def forward(self, z):
        self.a = sigmoid(z)
        return self.a

    def backward(self, grad_a):
        return grad_a * self.a * (1 - self.a)


class Tanh(Layer):
    """a = tanh(z); backward: grad_z = grad_a * (1 - a**2)."""

    def forward(self, z):
        self.a = np.tanh(z)
        return self.a

    def backward(self, grad_a):
        return grad_a * (1 - self.a * self.a)


class ReLU(Layer):
    """a = max(z, 0) = z * f'(z) with f'(z) = 1 if z > 0 else 0; backward: grad_z = grad_a * f'(z).

    The product form equals max(z, 0) for every finite z (an infinite z only comes from a
    diverged network, and -inf * 0 is NaN).
    """

    def forward(self, z):
        # f'(z) as a 0/1 array of z's dtype makes forward and backward one multiply each,
        # about twice as fast as np.maximum(z, 0) plus a boolean mask.
        self.slope = (z > 0).astype(z.dtype)
        a = z * self.slope
        a += 0  # a negative z times 0 is -0.0; adding 0 turns it into 0.0
        return a

    def backward(self, grad_a):
        return grad_a * self.slope


class LeakyReLU(Layer):
    """a = z for z > 0, alpha * z otherwise; backward multiplies by 1 or alpha."""

    def __init__(self, alpha=0.01):
        if not 0 <= alpha < 1:
            raise ValueError(f"LeakyReLU alpha must be in [0, 1), got {alpha}; a typical value is 0.01.")
        self.alpha = float(alpha)

    def forward(self, z):
        self.slope = np.where(z > 0, 1, self.alpha).astype(z.dtype, copy=False)
        return z * self.slope

    def backward(self, grad_a):
        return grad_a * self.slope

    def config(self):
        return {"alpha": self.alpha}


class Softmax(Layer):
    """Row-wise softmax p = softmax(z) for z (N, C).

    backward is a vector-Jacobian product, row by row: grad_z = grad_p J with
    J = diag(p) - p^T p (symmetric), i.e. grad_z = p * (grad_p - sum_j(grad_p * p)),
    never the (N, C, C) stack of Jacobians itself.
    """

    def forward(self, z):
        self.p = softmax(z)
        return self.p

    def backward(self, grad_p):
        p = self.p
        return p * (grad_p - (grad_p * p).sum(axis=1, keepdims=True))


ACTIVATIONS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
}


def get_activation(name):
    """Return a new activation layer for ``name`` (one of ACTIVATIONS), e.g. "relu"."""
    if isinstance(name, Layer):
        return name
    try:
        return ACTIVATIONS[str(name).lower()]()
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}. Expected one of {sorted(ACTIVATIONS)}; "
            f"check the spelling or pass a layer object such as ReLU()."
        ) from None
