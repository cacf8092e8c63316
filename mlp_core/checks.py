"""Checkers for the book's coding exercises: they test a learner's function and explain what is wrong.

Each ``check_*(fn)`` calls ``fn`` on a few inputs (including awkward ones), compares with the
package's reference, and raises ``ExerciseError`` with a diagnosis (wrong shape, a missing 1/N,
a transposed matrix, float64 creeping in, an overflow...) or prints a one-line confirmation.
"""
import warnings

import numpy as np

from .activations import sigmoid, softmax


class ExerciseError(AssertionError):
    """The learner's function gives a wrong answer; the message says how it is wrong."""


def _call(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return np.asarray(fn(*args))
        except RuntimeWarning as w:
            raise ExerciseError(f"Your function triggered a NumPy warning: {w}. "
                                "This usually means an overflow (exp of a large number) or a division by zero.") from None


def _compare(name, got, expected, hints=()):
    """Raise with a diagnosis unless got == expected (to 1e-6 relative); ``hints``: (candidate, message)."""
    if got.shape != expected.shape:
        raise ExerciseError(f"{name}: expected an array of shape {expected.shape}, got {got.shape}.")
    if not np.all(np.isfinite(got)):
        raise ExerciseError(f"{name}: your result contains NaN or inf; expected finite values.")
    if np.allclose(got, expected, rtol=1e-5, atol=1e-8):
        return
    for candidate, message in hints:
        if candidate.shape == got.shape and np.allclose(got, candidate, rtol=1e-5, atol=1e-8):
            raise ExerciseError(f"{name}: {message}")
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    raise ExerciseError(f"{name}: wrong values; at index {tuple(int(i) for i in worst)} you return "
                        f"{got[worst]:.6g}, expected {expected[worst]:.6g}.")


def check_scale_pixels(fn):
    """Exercise 1: fn(images uint8 (N, 28, 28)) -> float32 (N, 784) in [0, 1]."""
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    got = _call(fn, images)
    expected = images.reshape(5, 784).astype(np.float32) / np.float32(255)
    if got.shape == (5, 28, 28):
        raise ExerciseError("Shape (N, 28, 28): flatten each image to a row of 784 pixels, e.g. images.reshape(len(images), -1).")
    if got.dtype == np.float64:
        raise ExerciseError("Your array is float64: `images / 255.0` promotes uint8 to float64, which doubles memory "
                            "and slows every matrix product. Convert first: images.astype(np.float32) / np.float32(255).")
    if got.dtype != np.float32:
        raise ExerciseError(f"Expected dtype float32, got {got.dtype}.")
    _compare("scale_pixels", got, expected, hints=[
        (images.reshape(5, 784).astype(np.float32), "values go up to 255: divide by 255 to land in [0, 1]."),
        (images.reshape(5, 784).astype(np.float32) / 256, "divided by 256: the largest pixel, 255, should map to exactly 1."),
    ])
    print("Correct: float32 rows of 784 pixels in [0, 1].")


def check_sigmoid_grad(fn):
    """Exercise 2: fn(z) -> dsigma/dz elementwise, for any array z, without overflow."""
    z = np.array([[-1000.0, -20.0, -2.0, -0.5], [0.0, 0.5, 2.0, 1000.0]])
    got = _call(fn, z)
    s = sigmoid(z)
    _compare("sigmoid_grad", got, s * (1 - s), hints=[
        (s, "you return sigma(z) itself; the derivative is sigma(z) * (1 - sigma(z))."),
        (s * (1 + s), "sign slip: the derivative is sigma(z) * (1 - sigma(z)), not (1 + sigma(z))."),
        (1 - s, "you return 1 - sigma(z); multiply by sigma(z) as well."),
    ])
    print("Correct: sigma'(z) = sigma(z) (1 - sigma(z)), stable for |z| = 1000.")


def check_mse_grad(fn):
    """Exercise 2: fn(y_hat (N, d), y (N, d)) -> dL/dy_hat for L = 1/(2N) sum (y_hat - y)**2."""
    rng = np.random.default_rng(1)
    y_hat, y = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    got = _call(fn, y_hat, y)
    d = y_hat - y
    _compare("mse_grad", got, d / 6, hints=[
        (d, "you forgot the 1/N: the loss is averaged over the N = 6 rows, so is its gradient."),
        (2 * d / 6, "factor 2 too large: with the 1/2 in L = 1/(2N) sum (y_hat - y)^2 the 2 from the square cancels."),
        (d / 12, "you divided by N * d (the mean over all entries); the course averages over rows only."),
        (-d / 6, "sign: the gradient with respect to y_hat is (y_hat - y) / N, not (y - y_hat) / N."),
    ])
    print("Correct: dL/dy_hat = (y_hat - y) / N.")


def check_dense_backward(fn):
    """Exercise 3: fn(X (N, d_in), W (d_in, d_out), delta (N, d_out)) -> (dW, db, dX)."""
    rng = np.random.default_rng(2)
    X, W, delta = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    result = fn(X, W, delta)
    if not isinstance(result, tuple) or len(result) != 3:
        raise ExerciseError("Return a tuple (dW, db, dX).")
    dW, db, dX = (np.asarray(a) for a in result)
    _compare("dW", dW, X.T @ delta, hints=[
        ((X.T @ delta) / 5, "dW divided by N: the 1/N is already inside delta (the loss's gradient), don't apply it twice."),
    ])
    if dW.shape != W.shape:
        raise ExerciseError(f"dW must have W's shape {W.shape}.")
    _compare("db", db, delta.sum(axis=0), hints=[
        (delta.mean(axis=0), "db is the column sum of delta, not its mean (the 1/N is already in delta)."),
        (delta.sum(axis=1), "you summed over columns; db sums delta over the rows (the batch), giving shape (d_out,)."),
    ])
    _compare("dX", dX, delta @ W.T)
    print("Correct: dW = X^T delta, db = column sums of delta, dX = delta W^T.")


def check_softmax(fn):
    """Exercise 4: fn(z (N, C)) -> softmax rows, stable for huge logits."""
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0], [-1000.0, -1001.0, -1002.0]])
    got = _call(fn, z)
    _compare("softmax", got, softmax(z), hints=[
        (softmax(z.T).T, "you normalised over columns (axis=0); each row is one example, normalise along axis=1."),
    ])
    print("Correct: a row-wise softmax that survives logits of +-1000.")


def check_softmax_cross_entropy_grad(fn):
    """Exercise 4: fn(z (N, C) logits, y (N,) int labels) -> dL/dz for the mean cross-entropy."""
    rng = np.random.default_rng(3)
    z, y = rng.standard_normal((4, 5)) * 3, np.array([0, 4, 2, 2])
    got = _call(fn, z, y)
    p, onehot = softmax(z), np.eye(5)[y]
    _compare("softmax_cross_entropy_grad", got, (p - onehot) / 4, hints=[
        (p - onehot, "you forgot the 1/N: the loss is the mean over the 4 rows."),
        ((onehot - p) / 4, "sign: the gradient is (p - y) / N."),
        (p / 4, "you left out the one-hot: subtract 1 at each row's true class."),
    ])
    print("Correct: dL/dz = (softmax(z) - onehot(y)) / N.")


def check_accuracy(fn):
    """Exercise 5: fn(logits (N, C), y (N,)) -> fraction of rows whose argmax equals the label."""
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.5, 0.2, 0.9], [1.0, 0.0, 0.0]])
    y = np.array([0, 1, 0, 2])
    got = float(_call(fn, logits, y))
    if abs(got - 0.5) < 1e-12:
        print("Correct: accuracy = mean(argmax(logits, axis=1) == y).")
        return
    if abs(got - 2) < 1e-12:
        raise ExerciseError("You returned the number of correct rows (2); divide by N to get a fraction.")
    raise ExerciseError(f"Expected 0.5 (2 of 4 rows right), got {got}. Take the argmax along axis=1, one per row.")
