"""Gradient checking: compare backward() with centered finite differences in float64.

For a scalar function f of an array A, the centered difference
    (f(A + h e_k) - f(A - h e_k)) / (2h)
approximates df/dA_k with error O(h^2). We report, per array, the relative error
    ||analytic - numeric|| / (||analytic|| + ||numeric||)      (2-norms over the checked entries),
which is 0 for a perfect match and 1 for gradients of opposite sign. In float64 with h = 1e-6
a correct backward pass gives about 1e-8 or less (printed as "< 1e-07", see ROUNDOFF_LEVEL);
a wrong one gives 1e-2 or more.
A gradient that is exactly zero (a bias followed by batch norm) has only round-off, about
1e-10, in its finite differences; when both norms are below ZERO_GRAD (1e-7) the absolute
error ||analytic - numeric|| is reported instead of the meaningless ratio of two round-offs.
Layers that draw random numbers (dropout) replay the same draws in every evaluation.
"""
import numpy as np

from .losses import get_loss


ZERO_GRAD = 1e-7


def relative_error(analytic, numeric):
    """||a - n|| / (||a|| + ||n||); the absolute error ||a - n|| when both norms are below ZERO_GRAD."""
    a, n = np.ravel(analytic), np.ravel(numeric)
    scale = np.linalg.norm(a) + np.linalg.norm(n)
    return float(np.linalg.norm(a - n) / max(scale, ZERO_GRAD) if scale >= ZERO_GRAD else np.linalg.norm(a - n))


def numerical_gradient(f, A, h=1e-6, indices=None):
    """Centered-difference estimate of df/dA at the flat ``indices`` of A (default: all), float64.

    A is perturbed in place and restored exactly afterwards.
    """
    flat = A.reshape(-1)  # a view: writing to it perturbs A
    indices = range(flat.size) if indices is None else indices
    grad = np.zeros(len(indices))
    for j, k in enumerate(indices):
        saved = flat[k]
        flat[k] = saved + h
        f_plus = f()
        flat[k] = saved - h
        f_minus = f()
        flat[k] = saved
        grad[j] = (f_plus - f_minus) / (2 * h)
    return grad


# Below this, a relative error is round-off of the finite differences (about eps / h times |f| / |grad f|),
# and its exact size changes with the machine's floating-point kernels (FMA or not, AVX-512, Accelerate):
# the report prints every such error as "< 1e-07", the most the check guarantees on every machine.
ROUNDOFF_LEVEL = 1e-7


def error_bound(err):
    """'< 1e-07'-style text: the smallest power of ten above err, but never below ROUNDOFF_LEVEL."""
    if err == 0:
        return "0"
    return f"< 1e{max(int(np.floor(np.log10(err))) + 1, round(np.log10(ROUNDOFF_LEVEL))):+03d}"


class GradcheckReport(dict):
    """Maps an array's name to the relative error of its analytic gradient; prints as a table."""

    def __init__(self, errors, shapes, tol):
        super().__init__(errors)
        self.shapes, self.tol = shapes, tol

    @property
    def max_error(self):
        return max(self.values()) if self else 0.0

    def passed(self, tol=None):
        """True when every relative error is below ``tol`` (default: the tolerance it was run with)."""
        return self.max_error < (self.tol if tol is None else tol)

    def __str__(self):
        """A table with each error rounded up to a power of ten (at least ROUNDOFF_LEVEL): stable across machines."""
        width = max([len(k) for k in self] + [5])
        lines = [f"{'array':<{width}}  {'shape':<12}  relative error", "-" * (width + 32)]
        for name, err in self.items():
            mark = "ok" if err < self.tol else f"FAILED (tol {self.tol:.0e})"
            lines.append(f"{name:<{width}}  {str(self.shapes[name]):<12}  {error_bound(err):<14}  {mark}")
        return "\n".join(lines)

    __repr__ = __str__


def _require_float64(arrays):
    for name, A in arrays.items():
        if A.dtype != np.float64:
            raise TypeError(
                f"Gradient checks need float64 arrays (float32 rounding swamps the differences); "
                f"{name!r} is {A.dtype}. Use X.astype(np.float64) and model.astype(np.float64)."
            )


def _compare(f, arrays, analytic, h, n_samples, seed, tol):
    """Relative error between analytic[name] and finite differences of f over arrays[name]."""
    _require_float64(arrays)
    rng = np.random.default_rng(seed)
    errors, shapes = {}, {}
    for name, A in arrays.items():
        idx = np.arange(A.size) if n_samples is None or n_samples >= A.size else rng.choice(A.size, n_samples, replace=False)
        numeric = numerical_gradient(f, A, h, idx)
        errors[name] = relative_error(np.ravel(analytic[name])[idx], numeric)
        shapes[name] = A.shape
    return GradcheckReport(errors, shapes, tol)


def _replaying(layers, forward):
    """Wrap ``forward`` so that every layer with an ``rng`` replays the same random numbers."""
    states = [(layer.rng, layer.rng.bit_generator.state) for layer in layers if hasattr(layer, "rng")]

    def replay():
        for rng, state in states:
            rng.bit_generator.state = state
        return forward()
    return replay


def gradcheck_layer(layer, x, seed=0, h=1e-6, n_samples=None, tol=1e-6):
    """Check a layer's backward on input x (N, d_in), float64, against finite differences.

    Uses f = sum(forward(x) * G) for a fixed random G, so that backward(G) is df/dx.
    Checks the input gradient ("x") and every parameter. Returns a GradcheckReport.
    """
    x = np.array(x, dtype=x.dtype, copy=True)
    # A stream of its own, so that G never equals data drawn by the caller with the same seed.
    G = np.random.default_rng([seed, 1]).standard_normal(layer.forward(x).shape)
    f = _replaying([layer], lambda: float(np.sum(layer.forward(x) * G)))
    f()  # forward with the replayed random state, then backward from it
    analytic = {"x": layer.backward(G), **{k: v.copy() for k, v in layer.grads.items()}}
    return _compare(f, {"x": x, **layer.params}, analytic, h, n_samples, seed, tol)


def gradcheck_loss(loss, prediction, target, h=1e-6, tol=1e-6):
    """Check loss.backward() (the gradient with respect to the prediction) against finite differences."""
    loss = get_loss(loss)
    prediction = np.array(prediction, copy=True)
    f = lambda: loss.forward(prediction, target)
    f()
    return _compare(f, {"prediction": prediction}, {"prediction": loss.backward()}, h, None, 0, tol)


def gradcheck_model(model, loss, X, y, h=1e-6, n_samples=None, seed=0, tol=1e-6, wrt_input=False):
    """Check every parameter gradient of a whole model (and optionally dL/dX) for loss(model(X), y).

    Parameters are named like "0.W" (layer index, key). ``n_samples`` checks that many random
    entries per array instead of all of them. The model must be float64 (model.astype(np.float64)).
    """
    loss = get_loss(loss)
    X = np.array(X, copy=True)
    f = _replaying(model.layers, lambda: loss.forward(model.forward(X, check=False), y))
    f()
    if wrt_input:
        next(layer for layer in model.layers if hasattr(layer, "needs_input_grad")).needs_input_grad = True
    grad_X = model.backward(loss.backward())
    arrays = {name: p for name, p, _ in model.named_parameters()}
    analytic = {name: g.copy() for name, _, g in model.named_parameters()}
    if wrt_input:
        arrays["X"], analytic["X"] = X, grad_X
    return _compare(f, arrays, analytic, h, n_samples, seed, tol)
