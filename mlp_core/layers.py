"""Layers: the base class, the dense (fully connected) layer, inverted dropout and batch norm.

Row-batch convention: a batch is a matrix X of shape (N, d_in), one example per row.
A layer maps its input (N, d_in) to its output (N, d_out) in ``forward`` and maps the
gradient of the loss with respect to its output, (N, d_out), back to the gradient with
respect to its input, (N, d_in), in ``backward``; on the way it stores the gradients of its
own parameters in ``grads``.
"""
import numpy as np

from .initializers import as_generator, get_initializer


class Layer:
    """Base class. Subclasses implement ``forward(x)`` and ``backward(grad_out)``.

    ``params`` and ``grads`` map a name ("W", "b", ...) to an array; both have the same keys
    and shapes. ``buffers`` holds state that is saved but not trained (batch-norm statistics).
    ``training`` is switched by the model's ``train()`` and ``eval()``.
    """

    params = {}
    grads = {}
    buffers = {}
    training = True

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def config(self):
        """The constructor arguments that rebuild this layer (saved with the model)."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Dense(Layer):
    """Fully connected layer Z = X @ W + b, with W (d_in, d_out) and b (d_out,).

    backward(delta), delta = dL/dZ of shape (N, d_out), stores
    dW = X.T @ delta (d_in, d_out) and db = delta summed over rows (d_out,), and returns
    dX = delta @ W.T (N, d_in). The loss is already averaged over the batch, so these sums
    are the gradients of that average. With ``needs_input_grad=False`` backward skips dX and
    returns None (a Sequential model sets this on a Dense layer that no layer with parameters
    precedes, such as the first layer of ``mlp``: nobody needs dL/dX of the data).
    """

    def __init__(self, d_in, d_out, init="he_normal", seed=None, dtype=np.float32, needs_input_grad=True):
        for name, value in (("d_in", d_in), ("d_out", d_out)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Dense {name} must be a positive integer, got {value!r}.")
        self.d_in, self.d_out = int(d_in), int(d_out)
        self.init = init if isinstance(init, str) else getattr(init, "__name__", "custom")
        W = get_initializer(init)((self.d_in, self.d_out), rng=as_generator(seed), dtype=dtype)
        self.params = {"W": W, "b": np.zeros(self.d_out, dtype=W.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.needs_input_grad = needs_input_grad

    def forward(self, x):
        self.x = x
        z = x @ self.params["W"]
        z += self.params["b"]
        return z

    def backward(self, delta):
        np.matmul(self.x.T, delta, out=self.grads["W"])
        delta.sum(axis=0, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        return delta @ self.params["W"].T

    def config(self):
        return {"d_in": self.d_in, "d_out": self.d_out, "init": self.init}


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability p and scale the rest by 1/(1-p).

    The expected activation is unchanged, so evaluation mode is the identity.
    forward/backward take and return arrays of shape (N, d).
    """

    def __init__(self, p=0.5, seed=None):
        if not 0 <= p < 1:
            raise ValueError(f"Dropout p is the probability of dropping a unit and must be in [0, 1), got {p}.")
        self.p = float(p)
        self.rng = as_generator(seed)

    def forward(self, x):
        if not self.training or self.p == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self.mask = keep.astype(x.dtype) * x.dtype.type(1 / (1 - self.p))
        return x * self.mask

    def backward(self, grad_out):
        return grad_out if self.mask is None else grad_out * self.mask

    def config(self):
        return {"p": self.p}


class BatchNorm1d(Layer):
    """Batch normalisation of every feature (column) of x (N, d): y = gamma * x_hat + beta, shape (N, d).

    Training mode: x_hat = (x - mean) / sqrt(var + eps) with the batch's mean and biased variance (d,),
    and the running statistics follow them: running = (1 - momentum) * running + momentum * batch,
    where the running variance takes the unbiased batch variance, N / (N - 1) times the biased one.
    Evaluation mode normalises with the running statistics instead.
    backward(grad_out (N, d)) stores dgamma and dbeta (d,) and returns dL/dx (N, d):
    gamma / sqrt(var + eps) * (grad_out - dbeta / N - x_hat * dgamma / N) after a training-mode
    forward (the batch statistics depend on every row), gamma / sqrt(var + eps) * grad_out after
    an evaluation-mode one.
    """

    def __init__(self, num_features, momentum=0.1, eps=1e-5, dtype=np.float32):
        if not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"BatchNorm1d num_features must be a positive integer, got {num_features!r}.")
        if not 0 < momentum <= 1:
            raise ValueError(f"BatchNorm1d momentum is the weight of the newest batch in the running statistics "
                             f"and must be in (0, 1], got {momentum} (PyTorch's convention; Keras' 0.99 is 0.01 here).")
        if not eps > 0:
            raise ValueError(f"BatchNorm1d eps keeps 1 / sqrt(var + eps) finite and must be > 0, got {eps}.")
        self.num_features, self.momentum, self.eps = int(num_features), float(momentum), float(eps)
        self.params = {"gamma": np.ones(num_features, dtype), "beta": np.zeros(num_features, dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.buffers = {"running_mean": np.zeros(num_features, dtype), "running_var": np.ones(num_features, dtype)}

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d({self.num_features}) expects inputs of shape (N, {self.num_features}), "
                             f"got {x.shape}: give it num_features equal to the width of the layer before it.")
        self.batch_stats = self.training  # backward must follow the statistics this forward used
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError(
                    f"BatchNorm1d needs at least 2 rows per batch in training mode, got {n}: one row has no "
                    "variance, so every input would give the same output. To predict single examples, call "
                    "model.eval() first (model.predict does). In fit, the last batch of an epoch has "
                    "len(X) % batch_size rows: choose a batch_size that leaves 0 or at least 2."
                )
            mean = x.mean(axis=0)
            centred = x - mean
            var = np.mean(centred * centred, axis=0)
            m = self.momentum
            running_mean, running_var = self.buffers["running_mean"], self.buffers["running_var"]
            running_mean *= 1 - m
            running_mean += m * mean
            running_var *= 1 - m
            running_var += (m * n / (n - 1)) * var
        else:
            centred = x - self.buffers["running_mean"]
            var = self.buffers["running_var"]
        self.inv_std = 1 / np.sqrt(var + self.eps)
        centred *= self.inv_std
        self.x_hat = centred
        y = self.x_hat * self.params["gamma"]
        y += self.params["beta"]
        return y

    def backward(self, grad_out):
        x_hat, n = self.x_hat, grad_out.shape[0]
        dgamma, dbeta = self.grads["gamma"], self.grads["beta"]
        np.sum(grad_out * x_hat, axis=0, out=dgamma)
        np.sum(grad_out, axis=0, out=dbeta)
        scale = self.params["gamma"] * self.inv_std
        if not self.batch_stats:
            return grad_out * scale
        # The two correction terms, through the batch mean and the batch variance.
        dx = grad_out - dbeta / n
        dx -= x_hat * (dgamma / n)
        dx *= scale
        return dx

    def config(self):
        return {"num_features": self.num_features, "momentum": self.momentum, "eps": self.eps}
