"""The model: a Sequential stack of layers, and ``mlp`` to build the usual one in a line."""
import numpy as np

from .activations import Sigmoid, Softmax, get_activation, softmax
from .initializers import as_generator
from .layers import BatchNorm1d, Dense, Dropout, Layer


def check_inputs(X, d_in=None):
    """Raise a clear error unless X is a finite float array of shape (N, d_in) with N >= 1."""
    if not isinstance(X, np.ndarray):
        raise TypeError(f"Expected inputs as a numpy array of shape (N, d_in), got {type(X).__name__}.")
    if X.ndim != 2:
        hint = " Flatten images first: X.reshape(len(X), -1)." if X.ndim > 2 else ""
        raise ValueError(f"Expected inputs of shape (N, d_in), got an array of shape {X.shape}.{hint}")
    if X.shape[0] == 0:
        raise ValueError("Got a batch of size 0 (inputs of shape (0, d)); pass at least one row.")
    if d_in is not None and X.shape[1] != d_in:
        raise ValueError(
            f"Input width mismatch: the first layer expects {d_in} features per row, "
            f"got inputs of shape {X.shape}. Check the data (e.g. flattened 28x28 images have 784) "
            f"or build the model with d_in={X.shape[1]}."
        )
    if not np.issubdtype(X.dtype, np.floating):
        raise TypeError(
            f"Expected floating-point inputs, got dtype {X.dtype}. Convert and scale first, "
            "e.g. X.astype(np.float32) / np.float32(255)."
        )
    if not np.isfinite(X).all():
        bad = int(np.size(X) - np.count_nonzero(np.isfinite(X)))
        raise ValueError(f"Inputs contain {bad} NaN or infinite value(s); clean or impute them before training.")


class Sequential:
    """Layers applied in order: forward maps X (N, d_in) to the output (N, d_out).

    backward(grad_out) takes dL/d(output) (N, d_out) and runs every layer's backward in
    reverse, leaving each layer's parameter gradients in its ``grads``.
    """

    def __init__(self, layers):
        layers = list(layers)
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Layer {i} is a {type(layer).__name__}, not an mlp_core Layer.")
        if not layers:
            raise ValueError("A Sequential model needs at least one layer.")
        self.layers = layers
        self.training = True

    # -- the two passes ---------------------------------------------------------------
    def forward(self, X, check=True):
        """Output of the last layer for X (N, d_in). ``check=False`` skips input validation.

        A Dense layer with no trainable layer before it is told to skip dL/dX in backward
        (``needs_input_grad=False``): only the parameters below it could use that gradient.
        """
        if check:
            check_inputs(X, self.d_in)
        params_below = False  # has any layer so far got parameters (W, gamma...)?
        for layer in self.layers:
            if isinstance(layer, Dense):
                layer.needs_input_grad = params_below
            params_below = params_below or bool(layer.params)
            X = layer.forward(X)
        return X

    __call__ = forward

    def backward(self, grad_out):
        """Backpropagate dL/d(output) (N, d_out); returns dL/dX, or None once no layer needs it."""
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
            if grad_out is None:
                break
        return grad_out

    # -- modes ---------------------------------------------------------------------------
    def train(self):
        """Training mode: dropout drops, batch norm uses batch statistics. Returns self."""
        return self._set_mode(True)

    def eval(self):
        """Evaluation mode: dropout is the identity, batch norm uses running statistics."""
        return self._set_mode(False)

    def _set_mode(self, training):
        self.training = training
        for layer in self.layers:
            layer.training = training
        return self

    # -- predictions ------------------------------------------------------------------
    def predict_proba(self, X, batch_size=4096):
        """Class probabilities (N, C) in evaluation mode; a softmax is applied to logits.

        For a single sigmoid output the result is (N, 1), the probability of class 1.
        The model's mode is restored afterwards.
        """
        check_inputs(X, self.d_in)
        was_training = self.training
        self.eval()
        try:
            out = np.concatenate([self.forward(X[i:i + batch_size], check=False)
                                  for i in range(0, len(X), batch_size)])
        finally:
            self._set_mode(was_training)
        if isinstance(self.layers[-1], (Softmax, Sigmoid)):
            return out
        if out.shape[1] == 1:
            raise ValueError("predict_proba needs a softmax/sigmoid output or C >= 2 logits; this model has one raw output.")
        return softmax(out)

    def predict(self, X, batch_size=4096):
        """Predicted labels (N,) int64: argmax of the probabilities, or p >= 0.5 for one sigmoid output."""
        p = self.predict_proba(X, batch_size)
        if p.shape[1] == 1:
            return (p[:, 0] >= 0.5).astype(np.int64)
        return p.argmax(axis=1)

    # -- parameters -------------------------------------------------------------------
    def named_parameters(self):
        """List of (name, param, grad) with names like "0.W": layer index, then parameter key."""
        return [(f"{i}.{key}", layer.params[key], layer.grads[key])
                for i, layer in enumerate(self.layers) for key in layer.params]

    def named_buffers(self):
        """List of (name, array) of non-trained state, e.g. "2.running_mean"."""
        return [(f"{i}.{key}", value) for i, layer in enumerate(self.layers) for key, value in layer.buffers.items()]

    def num_parameters(self):
        return sum(p.size for _, p, _ in self.named_parameters())

    @property
    def d_in(self):
        for layer in self.layers:
            if isinstance(layer, Dense):
                return layer.d_in
            if isinstance(layer, BatchNorm1d):
                return layer.num_features
        return None

    @property
    def d_out(self):
        """Width of the output: d_out of the last Dense layer."""
        for layer in reversed(self.layers):
            if isinstance(layer, Dense):
                return layer.d_out
        return None

    @property
    def dtype(self):
        params = self.named_parameters()
        return params[0][1].dtype if params else None

    def astype(self, dtype):
        """Convert every parameter, gradient and buffer to ``dtype`` in place (e.g. float64 for gradcheck)."""
        for layer in self.layers:
            for table in (layer.params, layer.grads, layer.buffers):
                for key in table:
                    table[key] = table[key].astype(dtype)
        return self

    def architecture(self):
        """JSON-ready description: a list of {"type": name, **config}; saved with the weights."""
        return [{"type": type(layer).__name__, **layer.config()} for layer in self.layers]

    def summary(self):
        """A table of the layers, their output widths and parameter counts, as a string."""
        rows, width = [], self.d_in
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Dense):
                width = layer.d_out
            count = sum(p.size for p in layer.params.values())
            shapes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in layer.params.items())
            rows.append((f"{i}", repr(layer), f"(N, {width})", f"{count:,}", shapes))
        header = ("#", "layer", "output", "params", "shapes")
        widths = [max(len(r[c]) for r in rows + [header]) for c in range(5)]
        line = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()
        total = f"Total trainable parameters: {self.num_parameters():,}"
        return "\n".join([line(header), "-" * len(line(header)), *map(line, rows), "-" * len(line(header)), total])

    def __repr__(self):
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n    {inner},\n])"


def mlp(sizes, activation="relu", output=None, dropout=0.0, batchnorm=False, init="he_normal",
        seed=0, dtype=np.float32):
    """Build Dense -> [BatchNorm] -> activation -> [Dropout] blocks for consecutive ``sizes``.

    ``sizes`` = [d_in, hidden..., d_out]; the last Dense is followed only by ``output``
    (None: raw logits for SoftmaxCrossEntropy; or an activation name such as "sigmoid").
    All random draws come from one generator seeded with ``seed``.
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"mlp needs at least [d_in, d_out], got sizes={sizes}.")
    rng = as_generator(seed)
    layers = []
    for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(d_in, d_out, init=init, seed=rng, dtype=dtype))
        if i < len(sizes) - 2:
            if batchnorm:
                layers.append(BatchNorm1d(d_out, dtype=dtype))
            layers.append(get_activation(activation))
            if dropout:
                # Its own generator, so its random state can be saved and restored on its own.
                layers.append(Dropout(dropout, seed=int(rng.integers(2**63))))
    if output is not None:
        layers.append(get_activation(output))
    return Sequential(layers)
