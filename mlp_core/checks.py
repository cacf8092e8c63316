"""Checkers for the book's coding exercises: they test a learner's function and explain what is wrong.

Each ``check_*(fn)`` calls ``fn`` on a few inputs (including awkward ones), compares with the
package's reference, and raises ``ExerciseError`` with a diagnosis (wrong shape, a missing 1/N,
a transposed matrix, float64 creeping in, an overflow...) or prints a one-line confirmation.
Whatever goes wrong inside ``fn`` is explained too: an error or NumPy warning it raises becomes an
``ExerciseError`` that says what it probably means (the original error is chained to it, so the
traceback still shows the line), and so does a function that returns None or changes its inputs.
"""
import re
import traceback
import warnings
from pathlib import Path

import numpy as np

from .activations import log_softmax, sigmoid, softmax
from .gradcheck import error_bound, numerical_gradient, relative_error


class ExerciseError(AssertionError):
    """The learner's function gives a wrong answer; the message says how it is wrong."""


# -- calling the learner's function ------------------------------------------------------------------

_NUMPY_DIR = str(Path(np.__file__).resolve().parent)


def _where(error):
    """' in `line`': the innermost line of the learner's own code in the error's traceback, or ''."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename != __file__ and not frame.filename.startswith(_NUMPY_DIR)]
    line = frames[-1].line.strip() if frames and frames[-1].line else ""
    if not line:
        return ""
    return f" in `{line if len(line) <= 90 else line[:87] + '...'}`"


def _meaning(error):
    """One or two sentences saying what an error or warning raised in the learner's code probably means."""
    text = str(error)
    if isinstance(error, NotImplementedError):
        return "The function is still the exercise's placeholder: replace its `raise NotImplementedError(...)` with your code."
    if isinstance(error, Warning):
        if "overflow" in text:
            return ("That is an overflow: a result too large for the float type, typically np.exp of a large "
                    "positive number (np.exp(710.0) is already inf in float64).")
        if "divide by zero" in text:
            return "That is a division by zero (or the log of 0)."
        if "invalid value" in text:
            return ("That is an undefined operation such as 0/0, inf/inf or inf - inf, usually after an np.exp "
                    "overflowed to inf or underflowed to 0.")
        return "The checker treats every warning as an error: change the line it comes from so that it does not warn."
    if isinstance(error, np.exceptions.AxisError):
        return ("You asked for an axis the array does not have: on an (N, d) array, axis=0 runs down the rows "
                "(over the examples) and axis=1 along each row.")
    if isinstance(error, ValueError) and text.startswith("matmul"):
        return ("A matrix product A @ B whose shapes do not fit: A must have as many columns as B has rows. "
                "A transpose (.T) is probably missing or misplaced; write each factor's shape under it to see which.")
    if isinstance(error, ValueError) and "broadcast" in text:
        return ("An elementwise operation (+, -, *, /, ==) between arrays whose shapes do not fit together. "
                "`*` multiplies entry by entry (a matrix product is `@`), and a sum, mean or max over an axis "
                "drops that axis unless you pass keepdims=True.")
    if isinstance(error, ValueError) and "reshape" in text:
        return "A reshape to a size that does not fit the array: use len(array) or -1 rather than a fixed number."
    if isinstance(error, TypeError) and "Cannot cast ufunc" in text:
        return ("An in-place operation (/=, *=, -=, out=) whose result does not fit the array's dtype, such as "
                "dividing a uint8 array in place. Compute into a new array instead, and leave the input as it was.")
    if isinstance(error, TypeError) and "Python scalars" in text:
        return ("An array went where a single number is expected: math.exp, math.log and float() take one number; "
                "use NumPy's elementwise np.exp, np.log on arrays.")
    if isinstance(error, IndexError):
        return ("An index out of range: check which axis you index. Rows are examples; to pick one entry per "
                "row, index with two arrays, A[np.arange(N), cols].")
    if isinstance(error, NameError):
        return "Your function uses a name that is not defined: run the cell that defines it, or check the spelling."
    return "The traceback below shows where in your code it happened."


def _run(name, fn, args, names, explain=None):
    """fn(*args), turning whatever goes wrong inside fn into an ExerciseError with a diagnosis.

    ``names`` are the argument names the exercise uses. ``explain(error)`` may add a sentence
    specific to the exercise. Refuses a result of None and a function that changes an argument.
    """
    saved = [np.copy(a) for a in args]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = fn(*args)
        except Exception as error:  # every error in the learner's code gets a sentence saying what it means
            what = "triggered a NumPy warning" if isinstance(error, Warning) else f"raised {type(error).__name__}"
            specific = explain(error) if explain is not None else None
            raise ExerciseError(f"{name}: your function {what}{_where(error)}: {error}\n{_meaning(error)}"
                                + (f"\n{specific}" if specific else "")) from error
    for arg, before, arg_name in zip(args, saved, names):
        if not np.array_equal(arg, before):
            raise ExerciseError(
                f"{name}: your function changed its input `{arg_name}` in place (with `{arg_name} /= ...`, "
                f"`{arg_name} -= ...`, an `out=` argument or an assignment into `{arg_name}[...]`). The caller's "
                f"array must stay as it was: compute into a new array, e.g. `{arg_name} = {arg_name} - ...` "
                "instead of `-=`.")
    if result is None:
        raise ExerciseError(f"{name}: your function returned None. It needs a `return` statement that hands back "
                            "the result (printing it or assigning it to a variable is not enough).")
    return result


def _as_array(name, result):
    """The learner's result as a numeric (or boolean) NumPy array, or an ExerciseError saying why not."""
    try:
        got = np.asarray(result)
    except ValueError:
        raise ExerciseError(f"{name}: your function returned a {type(result).__name__} that does not form one "
                            "array (its parts have different shapes); return a single array.") from None
    if not (np.issubdtype(got.dtype, np.number) or got.dtype == bool):
        raise ExerciseError(f"{name}: expected a numeric array, got a {type(result).__name__} "
                            f"(as an array: dtype {got.dtype}).")
    return got


def _call(name, fn, args, names, explain=None):
    return _as_array(name, _run(name, fn, args, names, explain))


# -- comparing with the reference ---------------------------------------------------------------------

def _close(got, candidate):
    return got.shape == np.shape(candidate) and bool(np.allclose(got, candidate, rtol=1e-5, atol=1e-8))


def _compare(name, got, expected, hints=(), bounds=None, unstable=""):
    """Raise with a diagnosis unless got == expected (to 1e-5 relative).

    ``hints``: (candidate, message) pairs, the result of a typical mistake (of any shape) and what
    to say when ``got`` equals it. ``bounds``: (lo, hi) that every correct value lies in.
    ``unstable``: a sentence added when ``got`` holds NaN or inf.
    """
    if _close(got, expected):
        return
    for candidate, message in hints:
        if _close(got, candidate):
            raise ExerciseError(f"{name}: {message}")
    if got.shape != expected.shape:
        if got.ndim == 0:
            raise ExerciseError(f"{name}: you returned a single number ({got}); expected an array of shape "
                                f"{expected.shape}, one entry per entry of the result.")
        if got.shape == expected.shape[::-1]:
            raise ExerciseError(f"{name}: expected an array of shape {expected.shape}, got {got.shape}: "
                                "its transpose, with rows and columns swapped.")
        raise ExerciseError(f"{name}: expected an array of shape {expected.shape}, got {got.shape}.")
    if not np.all(np.isfinite(got)):
        raise ExerciseError(f"{name}: your result contains NaN or inf; expected finite values. {unstable}".rstrip())
    if bounds is not None and (got.min() < bounds[0] or got.max() > bounds[1]):
        raise ExerciseError(f"{name}: your values run from {got.min():.4g} to {got.max():.4g}; every value should "
                            f"lie in [{bounds[0]}, {bounds[1]}].")
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    raise ExerciseError(f"{name}: wrong values; at index {tuple(int(i) for i in worst)} you return "
                        f"{got[worst]:.6g}, expected {expected[worst]:.6g}.")


# -- the checkers ---------------------------------------------------------------------------------------

def check_scale_pixels(fn):
    """Exercise 1.4 (``ch1-ex4``): fn(images uint8 (N, 28, 28)) -> float32 (N, 784) in [0, 1].

    Recognises: no flattening, flattening the whole batch or into columns, float64 or an integer
    dtype, no division or a division by 256, inverted grey levels, dividing each image by its own
    maximum or stretching it to its own range, standardising, changing ``images`` in place.
    """
    name = "scale_pixels"
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    images[3] = 64 + images[3] // 2  # grey levels 64..191 and 0..127: these two images show a division by
    images[4] //= 2                  # each image's own maximum, or a stretch to each image's own range
    # The expected answer comes from the pristine pixels, before fn could change them.
    rows = images.reshape(5, 784).astype(np.float32)
    expected = rows / np.float32(255)
    low, high = rows.min(axis=1, keepdims=True), rows.max(axis=1, keepdims=True)
    got = _call(name, fn, (images,), ("images",))
    if got.shape == (5, 28, 28):
        raise ExerciseError("Shape (N, 28, 28): flatten each image to a row of 784 pixels, e.g. images.reshape(len(images), -1).")
    if got.shape == (5 * 784,):
        raise ExerciseError(f"Shape {got.shape}: you flattened the whole batch into one long vector. Keep one row "
                            "per image, shape (N, 784): images.reshape(len(images), -1).")
    if got.shape == (784, 5):
        raise ExerciseError("Shape (784, N): each image is a column. The course puts one example per row, shape "
                            "(N, 784): images.reshape(len(images), -1), with no transpose.")
    if got.dtype == np.float64:
        raise ExerciseError("Your array is float64: `images / 255.0` promotes uint8 to float64, which doubles memory "
                            "and slows every matrix product. Convert first: images.astype(np.float32) / np.float32(255).")
    if np.issubdtype(got.dtype, np.integer) or got.dtype == bool:
        raise ExerciseError(f"Your array has the integer dtype {got.dtype}: convert to float32 first, "
                            "images.astype(np.float32) / np.float32(255). (An integer division `// 255` turns every "
                            "grey level below 255 into 0.)")
    if got.dtype != np.float32:
        raise ExerciseError(f"Expected dtype float32, got {got.dtype}.")
    _compare(name, got, expected, bounds=(0, 1), hints=[
        (rows, "values go up to 255: divide by 255 to land in [0, 1]."),
        (rows / 256, "divided by 256: the largest pixel, 255, should map to exactly 1."),
        (1 - expected, "you inverted the grey levels: 0 (background) must stay 0 and 255 become 1. "
                       "Return images / 255, not 1 - images / 255."),
        (rows / high, "you divided each image by its own maximum. Divide every image by the same 255, so that a "
                      "grey level means the same in every image."),
        ((rows - low) / (high - low), "you stretched each image to its own range [min, max]. Divide every image "
                                      "by the same 255, so that a grey level means the same in every image."),
        ((rows - rows.mean()) / rows.std(), "you standardised the pixels (subtracted the mean, divided by the "
                                            "standard deviation). This exercise only scales them: divide by 255."),
    ])
    print("Correct: float32 rows of 784 pixels in [0, 1].")


_STABLE_SIGMOID = ("To stay finite for |z| = 1000, exponentiate only -|z|: with e = np.exp(-np.abs(z)), which lies "
                   "in (0, 1], sigma'(z) = e / (1 + e)**2. Or take s = mc.sigmoid(z), which is stable, and return "
                   "s * (1 - s).")


def check_sigmoid_grad(fn):
    """Exercise 2.3 (``ch2-ex3``): fn(z) -> dsigma/dz elementwise, for any array z, without overflow.

    Recognises: sigma itself, 1 - sigma, sigma (1 + sigma), the wrong sign, s (1 - s) applied to z
    instead of sigma(z), a missing square, and formulas that overflow for |z| = 1000.
    """
    name = "sigmoid_grad"
    z = np.array([[-1000.0, -20.0, -2.0, -0.5], [0.0, 0.5, 2.0, 1000.0]])
    s, e = sigmoid(z), np.exp(-np.abs(z))
    unstable = lambda error: _STABLE_SIGMOID if isinstance(error, Warning) else None
    got = _call(name, fn, (z,), ("z",), explain=unstable)
    _compare(name, got, s * (1 - s), unstable=_STABLE_SIGMOID, hints=[
        (s, "you return sigma(z) itself; the derivative is sigma(z) * (1 - sigma(z))."),
        (s * (1 + s), "sign slip: the derivative is sigma(z) * (1 - sigma(z)), not (1 + sigma(z))."),
        (1 - s, "you return 1 - sigma(z); multiply by sigma(z) as well."),
        (-s * (1 - s), "sign: sigma is increasing, so its derivative sigma(z) * (1 - sigma(z)) is positive."),
        (z * (1 - z), "you applied s * (1 - s) to z itself; compute s = sigma(z) first, then s * (1 - s)."),
        (e / (1 + e), "the square is missing: with e = exp(-|z|), sigma'(z) = e / (1 + e)**2, not e / (1 + e)."),
    ])
    print("Correct: sigma'(z) = sigma(z) (1 - sigma(z)), stable for |z| = 1000.")


def check_mse_grad(fn):
    """Exercise 2.4 (``ch2-ex4``): fn(y_hat (N, d), y (N, d)) -> dL/dy_hat for L = 1/(2N) sum (y_hat - y)**2.

    Recognises: a missing 1/N, a factor 2, dividing by 2N, by N d or by d, the wrong sign,
    returning the loss itself, and averaging over the rows.
    """
    name = "mse_grad"
    rng = np.random.default_rng(1)
    N, width = 6, 4  # N, 2N, N * d, d and N / 2 all differ: each mistaken divisor shows
    y_hat, y = rng.standard_normal((N, width)), rng.standard_normal((N, width))
    d = y_hat - y
    got = _call(name, fn, (y_hat, y), ("y_hat", "y"))
    _compare(name, got, d / N, hints=[
        (d, f"you forgot the 1/N: the loss is averaged over the N = {N} rows, so is its gradient."),
        (2 * d / N, "factor 2 too large: with the 1/2 in L = 1/(2N) sum (y_hat - y)^2 the 2 from the square cancels."),
        (d / (2 * N), "you divided by 2N: differentiating the square gives 2 (y_hat - y), which cancels the 1/2, "
                      "so the gradient is (y_hat - y) / N."),
        (d / (N * width), "you divided by N * d (the mean over all entries); the course averages over rows only."),
        (d / width, f"you divided by the number of columns (d = {width}), not by the number of rows N = {N}: "
                    "use len(y_hat), which is y_hat.shape[0]."),
        (-d / N, "sign: the gradient with respect to y_hat is (y_hat - y) / N, not (y - y_hat) / N."),
        (-d, "sign, and the 1/N is missing: the gradient is (y_hat - y) / N."),
        (np.sum(d ** 2) / (2 * N), "you returned the loss L itself; the exercise asks for its gradient dL/dy_hat, "
                                   "an array of y_hat's shape."),
        (d.mean(axis=0), "you averaged over the rows, which leaves one number per column. The gradient keeps "
                         "one row per example, shape (N, d): (y_hat - y) / N."),
    ])
    print("Correct: dL/dy_hat = (y_hat - y) / N.")


def _dense_matmul_hint(error, X, W, delta):
    """Which product of dense_backward most likely failed, from the sizes in NumPy's matmul error."""
    match = re.search(r"size (\d+) is different from (\d+)", str(error))
    if not str(error).startswith("matmul") or match is None:
        return None
    (N, d_in), d_out = X.shape, W.shape[1]
    sizes = (int(match[1]), int(match[2]))  # (rows of the right factor, columns of the left factor)
    shapes = f"Here X has shape {X.shape}, W {W.shape} and delta {delta.shape}."
    if sizes == (N, d_in):
        return (f"{shapes} That is probably dW = X @ delta, (N, d_in) @ (N, d_out): a missing transpose in dW. "
                "dW = X.T @ delta, (d_in, N) @ (N, d_out) -> (d_in, d_out), W's shape.")
    if sizes == (N, d_out):
        return (f"{shapes} That is probably dW with its factors in the wrong order or untransposed (delta @ X). "
                "dW = X.T @ delta, (d_in, N) @ (N, d_out) -> (d_in, d_out), W's shape.")
    if sizes == (d_in, d_out):
        return (f"{shapes} That is probably dX = delta @ W, (N, d_out) @ (d_in, d_out): a missing transpose in dX. "
                "dX = delta @ W.T, (N, d_out) @ (d_out, d_in) -> (N, d_in), X's shape.")
    return (f"{shapes} The products that fit are dW = X.T @ delta, (d_in, N) @ (N, d_out), and "
            "dX = delta @ W.T, (N, d_out) @ (d_out, d_in).")


def _check_dense_case(fn, X, W, delta):
    N, d_in = X.shape
    d_out = W.shape[1]
    dW, db, dX = X.T @ delta, delta.sum(axis=0), delta @ W.T
    explain = lambda error: _dense_matmul_hint(error, X, W, delta)
    result = _run("dense_backward", fn, (X, W, delta), ("X", "W", "delta"), explain=explain)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise ExerciseError("Return a tuple (dW, db, dX).")
    got = [_as_array(label, part) for label, part in zip(("dW", "db", "dX"), result)]
    expected = (dW, db, dX)
    for order in [(0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]:
        if all(_close(got[i], expected[j]) for i, j in enumerate(order)):
            raise ExerciseError("You return the right three arrays in the wrong order: return (dW, db, dX).")
    square = " (with a square W the shapes fit, so only the values show it)" if d_in == d_out else ""
    _compare("dW", got[0], dW, hints=[
        (dW / N, "dW divided by N: the 1/N is already inside delta (the loss's gradient), don't apply it twice."),
        (dW.T, "dW is transposed: delta.T @ X is (X.T @ delta).T. dW = X.T @ delta has W's shape (d_in, d_out)"
               f"{square}."),
        ((delta.T @ X).reshape(W.shape), "dW = (delta.T @ X).reshape(...) puts the right numbers in the wrong "
                                         "places: a reshape is not a transpose. dW = X.T @ delta."),
    ])
    _compare("db", got[1], db, hints=[
        (delta.mean(axis=0), "db is the column sum of delta, not its mean (the 1/N is already in delta)."),
        (delta.sum(axis=1), "you summed over columns (axis=1); db sums delta over the rows (the batch), axis=0, "
                            "giving shape (d_out,)."),
        (delta.mean(axis=1), "you averaged over columns (axis=1); db sums delta over the rows (the batch), "
                             "axis=0, giving shape (d_out,)."),
        (delta, "db = delta is not summed: b is added to every row, so its gradient adds up delta over the rows, "
                "db = delta.sum(axis=0), shape (d_out,)."),
        (delta.sum(), "delta.sum() adds up every entry into one number; db sums over the rows only, "
                      "delta.sum(axis=0), one number per output unit, shape (d_out,)."),
        (db[None, :], f"db has shape (1, {d_out}): it must have b's shape (d_out,) = ({d_out},), even though the "
                      "equation writes it as a 1 x d_out row. Drop keepdims=True (or use a plain delta.sum(axis=0))."),
        (delta.mean(axis=0)[None, :], "db is the column sum of delta, not its mean, and it must have b's shape "
                                      "(d_out,), not (1, d_out)."),
    ])
    if d_in == d_out:  # W and W.T have the same shape: only the values tell a missing transpose
        missing_transpose = (delta @ W, "missing transpose in dX: you computed delta @ W, but dX = delta @ W.T"
                                        f"{square}.")
    else:
        missing_transpose = (delta @ W.reshape(d_out, d_in), "dX = delta @ W.reshape(...) uses the right shape "
                             "but not the right matrix: a reshape is not a transpose. dX = delta @ W.T.")
    _compare("dX", got[2], dX, hints=[
        missing_transpose,
        (dX.T, "dX is transposed: W @ delta.T is (delta @ W.T).T. dX = delta @ W.T has X's shape (N, d_in)."),
        (dX / N, "dX divided by N: the 1/N is already inside delta, don't apply it twice."),
    ])


def check_dense_backward(fn):
    """Exercise 3.2 (``ch3-ex2``): fn(X (N, d_in), W (d_in, d_out), delta (N, d_out)) -> (dW, db, dX).

    Runs X (5, 3) with a non-square W (3, 4), then with a square W (3, 3). Recognises: a missing or
    misplaced transpose in dW or dX (a NumPy shape error is explained, and with a square W the
    values show it), an extra 1/N, db summed over the wrong axis, not summed, summed over
    everything or kept as a (1, d_out) row, and the three arrays in the wrong order.
    """
    rng = np.random.default_rng(2)
    _check_dense_case(fn, rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal((5, 4)))
    _check_dense_case(fn, rng.standard_normal((5, 3)), rng.standard_normal((3, 3)), rng.standard_normal((5, 3)))
    print("Correct: dW = X^T delta, db = column sums of delta, dX = delta W^T.")


def _mlp_forward_backward(X, y, W1, b1, W2, b2, mistake=None):
    """The gradients (dW1, db1, dW2, db2) of exercise 3.6's network, or those of a typical ``mistake``."""
    N = len(X)
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    P = softmax(A1 @ W2 + b2)
    P[np.arange(N), y] -= 1
    dZ2 = P if mistake == "no 1/N" else P / N
    dA1 = dZ2 @ W2.T
    dZ1 = {"no sigmoid'": dA1, "a for sigmoid'": dA1 * A1,
           "sigmoid' of a": dA1 * sigmoid(A1) * (1 - sigmoid(A1))}.get(mistake, dA1 * A1 * (1 - A1))
    sum_rows = (lambda D: D.mean(axis=0)) if mistake == "mean bias" else (lambda D: D.sum(axis=0))
    return X.T @ dZ1, sum_rows(dZ1), A1.T @ dZ2, sum_rows(dZ2)


_MLP_MISTAKES = {
    "no 1/N": "every gradient is N times too large: the loss is the mean over the N rows, so the gradient at the "
              "logits is (P - Y) / N.",
    "no sigmoid'": "dW1 and db1 miss the sigmoid's derivative: on the way back through A1 = sigmoid(Z1), multiply "
                   "entry by entry by sigmoid'(Z1) = A1 * (1 - A1).",
    "a for sigmoid'": "you multiplied by A1 where the sigmoid's derivative belongs: sigmoid'(Z1) = A1 * (1 - A1).",
    "sigmoid' of a": "you applied sigmoid' to the activation A1; it belongs to the pre-activation: "
                     "sigmoid'(Z1) = sigmoid(Z1) * (1 - sigmoid(Z1)) = A1 * (1 - A1).",
    "mean bias": "the bias gradients are column means; they are column sums (the 1/N is already in (P - Y) / N).",
}


def _check_mlp_case(fn, X, y, W1, b1, W2, b2):
    names = ("dW1", "db1", "dW2", "db2")
    args = (X, y, W1, b1, W2, b2)
    explain = lambda error: ("Write the shape under every factor: dZ2 is (N, C), W2 is (H, C), A1 is (N, H), "
                             "W1 is (d, H). dW2 = A1.T @ dZ2, dA1 = dZ2 @ W2.T, dW1 = X.T @ dZ1."
                             if isinstance(error, ValueError) else None)
    result = _run("mlp_backward", fn, args, ("X", "y", "W1", "b1", "W2", "b2"), explain=explain)
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        raise ExerciseError("mlp_backward: return a tuple (dW1, db1, dW2, db2).")
    got = [_as_array(name, part) for name, part in zip(names, result)]
    expected = _mlp_forward_backward(*args)
    if not all(_close(g, e) for g, e in zip(got, expected)):
        for mistake, message in _MLP_MISTAKES.items():
            if all(_close(g, e) for g, e in zip(got, _mlp_forward_backward(*args, mistake=mistake))):
                raise ExerciseError(f"mlp_backward: {message}")
        if all(_close(g, e) for g, e in zip(got, (expected[2], expected[3], expected[0], expected[1]))):
            raise ExerciseError("mlp_backward: the right arrays in the wrong order: return (dW1, db1, dW2, db2).")
    N, H, C = len(X), W1.shape[1], W2.shape[1]
    A1 = sigmoid(X @ W1 + b1)
    dZ2 = softmax(A1 @ W2 + b2)
    dZ2[np.arange(N), y] -= 1
    dZ2 /= N
    hints = {
        "dW1": [(expected[0].T, "dW1 is transposed: it must have W1's shape, X.T @ dZ1.")],
        "db1": [(expected[1][None, :], "db1 must have b1's shape (H,): drop keepdims=True.")],
        "dW2": [(expected[2].T, "dW2 is transposed: it must have W2's shape, A1.T @ dZ2."),
                ((X @ W1 + b1).T @ dZ2, "dW2 uses the pre-activation Z1; the second layer's input is the "
                                        "activation A1 = sigmoid(Z1): dW2 = A1.T @ dZ2.")],
        "db2": [(expected[3][None, :], "db2 must have b2's shape (C,): drop keepdims=True.")],
    }
    if H == C:  # W2 and W2.T have the same shape: only the values show a missing transpose
        dZ1 = (dZ2 @ W2) * A1 * (1 - A1)
        message = ("missing transpose on the way back through the second layer: dA1 = dZ2 @ W2.T, not dZ2 @ W2 "
                   "(W2 is square here, so the shapes fit and only the values show it).")
        hints["dW1"].append((X.T @ dZ1, message))
        hints["db1"].append((dZ1.sum(axis=0), message))
    for name, g, e in zip(names, got, expected):
        _compare(name, g, e, hints=hints[name])


def check_mlp_backward(fn):
    """Exercise 3.6 (``ch3-ex6``): fn(X (N, d), y (N,), W1 (d, H), b1 (H,), W2 (H, C), b2 (C,)) -> (dW1, db1, dW2, db2).

    The network is Z1 = X W1 + b1, A1 = sigmoid(Z1), Z2 = A1 W2 + b2, L = mean cross-entropy of
    softmax(Z2) against y. Runs H != C, then H == C (a missing transpose keeps the shapes), and
    confirms the answer with the package's finite differences. Recognises: a missing 1/N, no
    sigmoid', A1 or sigmoid'(A1) for sigmoid'(Z1), means for bias sums, a missing transpose in
    dA1, transposed weight gradients, Z1 for A1 in dW2, (1, n) biases, the wrong order.
    """
    rng = np.random.default_rng(6)
    worst = 0.0
    for d, H, C in [(4, 5, 3), (4, 3, 3)]:
        X, y = rng.standard_normal((6, d)), rng.integers(0, C, 6)
        params = [rng.standard_normal((d, H)), rng.standard_normal(H) * 0.1,
                  rng.standard_normal((H, C)), rng.standard_normal(C) * 0.1]
        _check_mlp_case(fn, X, y, *params)
        got = _run("mlp_backward", fn, (X, y, *params), ("X", "y", "W1", "b1", "W2", "b2"))

        def loss():
            P = softmax(sigmoid(X @ params[0] + params[1]) @ params[2] + params[3])
            return -np.mean(np.log(P[np.arange(len(y)), y]))

        worst = max(worst, *(relative_error(g, numerical_gradient(loss, p)) for g, p in zip(got, params)))
    if worst > 1e-6:  # the formulas above agree with finite differences; this guards the checker itself
        raise ExerciseError(f"mlp_backward: relative error {worst:.1e} against finite differences.")
    print(f"Correct: all four gradients agree with finite differences (relative errors {error_bound(worst)}).")


_STABLE_SOFTMAX = ("Subtract each row's maximum before exponentiating, z - z.max(axis=1, keepdims=True): the softmax "
                   "does not change, every exponent is <= 0 (no overflow), and the largest term is exp(0) = 1 "
                   "(so the sum is never 0).")


def _rows_right(fn, z):
    """Does fn give the right softmax for each row of z, called one row at a time?"""
    for row in z:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                got = np.asarray(fn(row[None, :].copy()), dtype=float)
            except Exception:  # noqa: BLE001 (any failure means: not right row by row)
                return False
        if not _close(got, softmax(row[None, :])):
            return False
    return True


def check_softmax(fn):
    """Exercise 4.3 (``ch4-ex3``): fn(z (N, C)) -> softmax rows, stable for huge logits.

    First on moderate logits, then on logits of +-1000. Recognises: normalising over columns,
    not normalising, dividing by the sum of the whole array, returning log-probabilities,
    a missing keepdims, overflow, subtracting the maximum of the whole array instead of each row's.
    """
    name = "softmax"
    moderate = np.random.default_rng(4).standard_normal((4, 3)) * 2
    e, shifted = np.exp(moderate), np.exp(moderate - moderate.max(axis=1, keepdims=True))
    got = _call(name, fn, (moderate,), ("z",))
    _compare(name, got, softmax(moderate), bounds=(0, 1), hints=[
        (softmax(moderate.T).T, "you normalised over columns (axis=0); each row is one example, normalise along axis=1."),
        (e, "you did not normalise: divide each row by its sum, so that its entries add up to 1."),
        (shifted, "you subtracted the row maximum but did not divide by the row sum."),
        (e / e.sum(), "you divided by the sum of the whole array; divide each row by its own sum, "
                      "e.sum(axis=1, keepdims=True)."),
        (shifted / shifted.sum(), "you divided by the sum of the whole array; divide each row by its own sum, "
                                  "e.sum(axis=1, keepdims=True)."),
        (log_softmax(moderate), "you returned log-probabilities (log-softmax); the softmax is their exponential."),
    ])
    huge = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0], [-1000.0, -1001.0, -1002.0], [0.0, 0.0, 0.0]])

    def explain(error):
        if isinstance(error, Warning) and _rows_right(fn, huge):
            return ("Each row on its own comes out right, so you probably subtracted the maximum of the whole array "
                    "(z.max()): in the row [-1000, -1001, -1002], far below it, every exponential then underflows to "
                    "0, and 0/0 follows. Subtract each row's own maximum, z.max(axis=1, keepdims=True).")
        return _STABLE_SOFTMAX if isinstance(error, Warning) else None

    got = _call(name, fn, (huge,), ("z",), explain=explain)
    _compare(name, got, softmax(huge), bounds=(0, 1), unstable=_STABLE_SOFTMAX, hints=[
        (softmax(huge.T).T, "you normalised over columns (axis=0); each row is one example, normalise along axis=1."),
    ])
    print("Correct: a row-wise softmax that survives logits of +-1000.")


def check_softmax_cross_entropy_grad(fn):
    """Exercise 4.4 (``ch4-ex4``): fn(z (N, C) logits, y (N,) int labels) -> dL/dz for the mean cross-entropy.

    Recognises: a missing 1/N, dividing by N C or by C, the wrong sign, a missing one-hot, the
    logits in place of the probabilities, dL/dp instead of dL/dz, normalising over columns,
    subtracting 1 in whole columns (grad[:, y]) or rows (grad[y]), comparing y with the classes without [:, None].
    """
    name = "softmax_cross_entropy_grad"
    rng = np.random.default_rng(3)
    z, y = rng.standard_normal((4, 5)) * 3, np.array([0, 4, 2, 2])
    p, onehot = softmax(z), np.eye(5)[y]
    whole_columns = p.copy()
    whole_columns[:, y] -= 1

    def explain(error):
        if isinstance(error, IndexError):
            return ("p[y] picks whole rows, one per label. To pick each row's entry at its label, index with two "
                    "arrays: p[np.arange(N), y].")
        if isinstance(error, ValueError) and "broadcast" in str(error):
            return ("To compare each label with the class numbers, make y a column: y[:, None] == np.arange(C) "
                    "has shape (N, C). Or skip the one-hot: subtract 1 at p[np.arange(N), y].")
        return None

    got = _call(name, fn, (z, y), ("z", "y"), explain=explain)
    _compare(name, got, (p - onehot) / 4, hints=[
        (p - onehot, "you forgot the 1/N: the loss is the mean over the 4 rows."),
        ((p - onehot) / 20, "you divided by N * C = 20 (the number of entries); the loss averages over the N = 4 "
                            "rows only."),
        ((p - onehot) / 5, "you divided by the number of classes C = 5; divide by the number of rows N = 4, len(y)."),
        ((onehot - p) / 4, "sign: the gradient is (p - y) / N."),
        (p / 4, "you left out the one-hot: subtract 1 at each row's true class."),
        ((z - onehot) / 4, "you used the logits z where the probabilities p = softmax(z) belong: (p - y) / N."),
        (-onehot / p / 4, "that is dL/dp, the gradient with respect to the probabilities; the exercise asks for "
                          "dL/dz, which the softmax's Jacobian turns into (p - y) / N."),
        ((softmax(z.T).T - onehot) / 4, "your softmax normalises over columns (axis=0); normalise each row, axis=1."),
        (whole_columns / 4, "grad[:, y] -= 1 subtracts 1 in the label columns of every row. Subtract 1 only at each "
                            "row's own label: grad[np.arange(N), y] -= 1."),
    ])
    print("Correct: dL/dz = (softmax(z) - onehot(y)) / N.")


def check_accuracy(fn):
    """Exercise 5.3 (``ch5-ex3``): fn(logits (N, C), y (N,)) -> fraction of rows whose argmax equals the label.

    Recognises: the array of comparisons or the predictions returned instead of their mean, a count,
    a percentage, the error rate, argmin, argmax without an axis or along axis=0, integer division.
    """
    name = "accuracy"
    logits = np.array([[3.0, 1.0, 0.5], [2.0, 0.1, 1.2], [1.5, -0.3, 0.7], [-1.0, 2.5, 0.4], [0.2, 0.9, 1.1]])
    y = np.array([0, 0, 0, 0, 1])
    n = len(y)
    predictions = logits.argmax(axis=1)
    right = int(np.count_nonzero(predictions == y))  # 3 of 5
    expected = right / n

    def explain(error):
        if isinstance(error, ValueError) and "broadcast" in str(error):
            return (f"np.argmax(logits, axis=0) gives one index per column ({logits.shape[1]} of them), not one per "
                    f"row ({n}); take the argmax along axis=1.")
        return None

    got = _call(name, fn, (logits, y), ("logits", "y"), explain=explain)
    if got.ndim > 0:
        if got.dtype == bool and got.shape == (n,):
            raise ExerciseError(f"You returned the array of per-row comparisons (shape ({n},), True where a row is "
                                "right). Return their mean as a float: float(np.mean(np.argmax(logits, axis=1) == y)).")
        if got.shape == (n,) and np.array_equal(got, predictions):
            raise ExerciseError("You returned the predicted labels. Compare them with y and return the mean as a "
                                "float: float(np.mean(np.argmax(logits, axis=1) == y)).")
        raise ExerciseError(f"You returned an array of shape {got.shape}; return the accuracy as one float, the mean "
                            "of the per-row comparisons.")
    got = float(got)
    if abs(got - expected) < 1e-12:
        print("Correct: accuracy = mean(argmax(logits, axis=1) == y).")
        return
    if 1 < got <= 100 and abs(got - 100 * expected) < 1e-9:
        raise ExerciseError(f"You returned a percentage ({got:g}); return a fraction in [0, 1], not a percentage: "
                            f"{expected:g} here.")
    if abs(got - right) < 1e-12:
        raise ExerciseError(f"You returned the number of correct rows ({right}); divide by N to get a fraction.")
    if abs(got - (1 - expected)) < 1e-12:
        raise ExerciseError("You returned the error rate, the fraction of rows that are wrong; the accuracy is the "
                            "fraction that are right.")
    if abs(got - np.mean(logits.argmin(axis=1) == y)) < 1e-12:
        raise ExerciseError("You used argmin: the predicted class is the column of the largest logit, argmax.")
    if abs(got - np.mean(logits.argmax() == y)) < 1e-12:
        raise ExerciseError("np.argmax without an axis returns one index into the flattened array; use axis=1 "
                            "for one prediction per row.")
    if got == 0:
        raise ExerciseError(f"You returned 0, but {right} of the {n} rows are right. An integer division "
                            "(count // N) gives 0: divide with /. Or you compared something other than the argmax "
                            "(the index of the largest logit) with y.")
    raise ExerciseError(f"Expected {expected:g} ({right} of {n} rows right), got {got}. Take the argmax along axis=1, "
                        "one per row, compare it with y and average.")


def check_xavier_uniform(fn):
    """Exercise 6.2 (``ch6-ex2``): fn(shape (fan_in, fan_out), rng) -> float32 weights U(-l, l), l = sqrt(6/(fan_in + fan_out)).

    Draws 30,000 weights and tests their distribution, not their exact values (any way of drawing from
    ``rng`` is right). Recognises: a transposed shape, float64, ignoring ``rng`` or drawing from a fresh
    or global generator, U(0, l), a normal distribution, and the bounds sqrt(2/(fan_in + fan_out)) (the
    standard deviation), sqrt(6/fan_in) (He), sqrt(6/fan_out), sqrt(3/(fan_in + fan_out)), 1/sqrt(fan_in)
    (the older heuristic) and 6/(fan_in + fan_out) without the square root.
    """
    name = "xavier_uniform"
    fan_in, fan_out = 300, 100
    shape = (fan_in, fan_out)
    limit = np.sqrt(6 / (fan_in + fan_out))
    got = _call(name, fn, (shape, np.random.default_rng(0)), ("shape", "rng"))
    if got.shape != shape:
        if got.shape == shape[::-1]:
            raise ExerciseError(f"{name}: expected shape {shape} (fan_in, fan_out), got {got.shape}: rows and columns "
                                "swapped. W has one row per input, as in Z = X @ W.")
        raise ExerciseError(f"{name}: expected an array of shape {shape}, the `shape` argument, got {got.shape}.")
    if got.dtype != np.float32:
        raise ExerciseError(f"{name}: your weights are {got.dtype}; the course trains in float32. rng.uniform draws "
                            "float64: convert with .astype(np.float32), or draw rng.random(shape, dtype=np.float32) "
                            "and scale it in place.")
    if not np.all(np.isfinite(got)):
        raise ExerciseError(f"{name}: your weights contain NaN or inf.")
    again = _call(name, fn, (shape, np.random.default_rng(0)), ("shape", "rng"))
    other = _call(name, fn, (shape, np.random.default_rng(1)), ("shape", "rng"))
    if np.array_equal(got, other):
        raise ExerciseError(f"{name}: two different generators gave the same weights, so your function ignores "
                            "`rng` (a fixed seed inside?). Draw from the `rng` you are given, e.g. "
                            "rng.uniform(-l, l, size=shape).")
    if not np.array_equal(got, again):
        raise ExerciseError(f"{name}: the same seed gave different weights, so your function draws from a generator "
                            "of its own (np.random.uniform, or default_rng() without a seed). Draw from the `rng` "
                            "you are given, so that a seed reproduces the network.")
    w = got.astype(np.float64)
    mean, std, top = w.mean(), w.std(), np.abs(w).max()
    if w.min() >= 0:
        raise ExerciseError(f"{name}: all your weights are >= 0 (mean {mean:.3g}): U(0, l) instead of U(-l, l). "
                            "Zero-mean weights are part of the derivation: draw from -l to l.")
    if abs(mean) > 0.05 * std:
        raise ExerciseError(f"{name}: your weights have mean {mean:.3g}, far from 0 for {w.size} draws of spread "
                            f"{std:.3g}; draw symmetrically, from -l to l.")
    if top / std > 2.2:
        raise ExerciseError(f"{name}: your largest weight is {top / std:.1f} standard deviations from 0, which a "
                            "uniform distribution never gives (at most sqrt(3) = 1.73): it looks like a normal "
                            "distribution. Draw uniformly, rng.uniform(-l, l, size=shape).")
    candidates = [
        (np.sqrt(2 / (fan_in + fan_out)), "you used sqrt(2 / (fan_in + fan_out)), the standard deviation, as the "
                                          "bound. U(-l, l) has variance l**2 / 3, so l = sqrt(3 * 2 / (fan_in + "
                                          "fan_out)) = sqrt(6 / (fan_in + fan_out))."),
        (np.sqrt(6 / fan_in), "your bound is sqrt(6 / fan_in), He's uniform initialisation. Glorot's compromise "
                              "between the forward and backward passes uses fan_in + fan_out."),
        (np.sqrt(6 / fan_out), "your bound is sqrt(6 / fan_out); use both fans, sqrt(6 / (fan_in + fan_out))."),
        (np.sqrt(3 / (fan_in + fan_out)), "your bound is sqrt(3 / (fan_in + fan_out)): the target variance is "
                                          "2 / (fan_in + fan_out), and l**2 / 3 must equal it, so l**2 = 6 / ..."),
        (1 / np.sqrt(fan_in), "your bound is 1 / sqrt(fan_in), the older heuristic that Glorot and Bengio showed "
                              "makes the variance shrink layer after layer; use sqrt(6 / (fan_in + fan_out))."),
        (6 / (fan_in + fan_out), "your bound is 6 / (fan_in + fan_out): the square root is missing."),
    ]
    if top <= limit * (1 + 1e-6) and top > 0.99 * limit and abs(std**2 / (limit**2 / 3) - 1) < 0.05:
        print("Correct: float32 U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), drawn from rng.")
        return
    for bound, message in candidates:
        if 0.99 * bound < top <= bound * (1 + 1e-6):
            raise ExerciseError(f"{name}: {message}")
    raise ExerciseError(f"{name}: your weights reach {top:.4g} with variance {std**2:.4g}; expected them to fill "
                        f"(-l, l) with l = sqrt(6 / ({fan_in} + {fan_out})) = {limit:.4g}, variance "
                        f"l**2 / 3 = {limit**2 / 3:.4g}.")


def check_relu_forward_std(fn):
    """Exercise 6.3 (``ch6-ex3``): fn(x_sq, fan_ins, w_std) -> predicted std of Z^(1), ..., Z^(L) in a ReLU net.

    The first layer receives inputs with mean square x_sq, every later one the ReLU of the layer
    before; all weights have standard deviation w_std, biases are 0. Recognises: variances instead
    of standard deviations, the ReLU's factor 1/2 missing or applied to the inputs too, w_std not
    squared, the first fan-in used for every layer, the standard deviation halved instead of the
    variance, and the input's own std returned as an extra first entry.
    """
    name = "relu_forward_std"
    x_sq, fan_ins, w_std = 0.17, [784, 256, 64, 32], 0.05
    n = np.array(fan_ins, dtype=float)

    def through(first, later, w_term=w_std**2, fans=n):
        var = [first * fans[0] * w_term]
        for fan in fans[1:]:
            var.append(later(fan * w_term * var[-1]))
        return np.array(var)

    expected_var = through(x_sq, lambda v: v / 2)
    got = _call(name, fn, (x_sq, list(fan_ins), w_std), ("x_sq", "fan_ins", "w_std"))
    if got.shape == (len(fan_ins) + 1,) and np.allclose(got[1:], np.sqrt(expected_var), rtol=1e-5):
        raise ExerciseError(f"{name}: the last {len(fan_ins)} entries are right, but you put an extra entry first "
                            "(the input's own scale). Return one standard deviation per layer, Z^(1) to Z^(L).")
    std_halved = [np.sqrt(x_sq * n[0]) * w_std]
    for fan in n[1:]:
        std_halved.append(np.sqrt(fan) * w_std * std_halved[-1] / 2)
    _compare(name, got, np.sqrt(expected_var), bounds=(0, np.inf), hints=[
        (expected_var, "you returned variances; the exercise asks for standard deviations: take np.sqrt at the end."),
        (np.sqrt(through(x_sq, lambda v: v)), "the ReLU's factor 1/2 is missing: a ReLU keeps only the positive half "
                                              "of a symmetric Z, so E[relu(Z)**2] = Var(Z) / 2."),
        (np.sqrt(through(x_sq / 2, lambda v: v / 2)), "you halved the first layer too. Its inputs are the data, whose "
                                                      "mean square x_sq is given: Var(Z^(1)) = n_1 w_std**2 x_sq. The "
                                                      "1/2 comes from a ReLU, which only later layers receive."),
        (np.sqrt(through(x_sq, lambda v: v / 2, w_term=w_std)), "w_std is a standard deviation: the variance of a "
                                                                "weight is w_std**2."),
        (np.sqrt(through(x_sq, lambda v: v / 2, fans=np.full(len(n), n[0]))), "you used the first layer's fan-in "
                                                                              "for every layer; layer l has fan_ins[l-1] inputs."),
        (np.array(std_halved), "you halved the standard deviation; the ReLU halves the mean square (the variance "
                               "of the next layer's input), so the standard deviation shrinks by sqrt(2)."),
        (np.sqrt(through(x_sq**2, lambda v: v / 2)), "x_sq is already a mean square, E[x**2]; use it as it is, not squared."),
    ])
    print("Correct: Var(Z^(1)) = n_1 w^2 E[x^2], then Var(Z^(l)) = n_l w^2 Var(Z^(l-1)) / 2 for each ReLU layer.")


# -- chapter 7: optimisers and schedules ---------------------------------------------------------------

def _cosine_with_warmup(p, lr_max, lr_min, warmup):
    if p < warmup:
        return lr_max * p / warmup
    q = (p - warmup) / (1 - warmup)
    return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * q)) / 2


def check_cosine_lr(fn):
    """Exercise 7.2 (``ch7-ex2``): fn(p, lr_max, lr_min, warmup) -> the learning rate at progress p in [0, 1).

    Linear warm-up from 0 to lr_max while p < warmup, then half a cosine from lr_max down to lr_min.
    Recognises: no warm-up, a warm-up from lr_min, a cosine not restarted at the end of the warm-up
    or not stretched over the rest of the run, a missing 1/2, cos alone instead of 1 + cos, lr_min
    ignored or added to the full range, cos(q) without pi, a rising cosine, an array returned.
    """
    name = "cosine_lr"
    lr_max, lr_min, warmup = 0.1, 0.001, 0.2
    points = np.array([0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 0.999])
    got = []
    for p in points:
        value = _call(name, fn, (float(p), lr_max, lr_min, warmup), ("p", "lr_max", "lr_min", "warmup"))
        if value.ndim != 0:
            raise ExerciseError(f"{name}: for one progress p your function returned an array of shape {value.shape}; "
                                "return one number, the learning rate at that p.")
        got.append(float(value))
    got = np.array(got)

    def rule(warm, cos_part):
        return np.array([warm(p) if p < warmup else cos_part(p) for p in points])

    warm = lambda p: lr_max * p / warmup
    q = lambda p: (p - warmup) / (1 - warmup)
    expected = rule(warm, lambda p: _cosine_with_warmup(p, lr_max, lr_min, warmup))
    cos_down = lambda x: lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * x)) / 2
    _compare(name, got, expected, bounds=(0, lr_max), hints=[
        (cos_down(points), "there is no warm-up: while p < warmup the rate must rise linearly from 0, "
                           "lr_max * p / warmup, and the cosine starts only at p = warmup."),
        (rule(lambda p: lr_min + (lr_max - lr_min) * p / warmup, lambda p: cos_down(q(p))),
         "your warm-up starts from lr_min; it starts from 0: lr_max * p / warmup."),
        (rule(warm, lambda p: cos_down(p)), "after the warm-up your cosine uses p itself, so it does not start at "
                                            "lr_max. Use q = (p - warmup) / (1 - warmup), which runs from 0 to 1."),
        (rule(warm, lambda p: cos_down(p - warmup)), "you shifted p by the warm-up but did not stretch it: divide by "
                                                     "(1 - warmup), so that q = (p - warmup) / (1 - warmup) reaches 1 "
                                                     "at the end of the run."),
        (rule(warm, lambda p: lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * q(p)))),
         "the factor 1/2 is missing: (1 + cos(pi q)) runs from 2 to 0, and (1 + cos(pi q)) / 2 from 1 to 0."),
        (rule(warm, lambda p: lr_min + (lr_max - lr_min) * np.cos(np.pi * q(p))),
         "cos(pi q) alone runs from 1 to -1 and makes the rate negative; use (1 + cos(pi q)) / 2, which runs "
         "from 1 to 0."),
        (rule(warm, lambda p: lr_max * (1 + np.cos(np.pi * q(p))) / 2),
         "your cosine ends at 0, not at lr_min: lr_min + (lr_max - lr_min) * (1 + cos(pi q)) / 2."),
        (rule(warm, lambda p: lr_min + lr_max * (1 + np.cos(np.pi * q(p))) / 2),
         "your cosine starts at lr_max + lr_min: scale (1 + cos(pi q)) / 2 by the range lr_max - lr_min."),
        (rule(warm, lambda p: cos_down(q(p) / np.pi)), "cos(q) is missing its pi: cos(pi q) goes from 1 to -1 "
                                                       "as q goes from 0 to 1."),
        (rule(warm, lambda p: lr_min + (lr_max - lr_min) * (1 - np.cos(np.pi * q(p))) / 2),
         "your cosine rises from lr_min to lr_max; it should fall: (1 + cos(pi q)) / 2, not (1 - cos(pi q)) / 2."),
    ])
    print("Correct: a linear warm-up to lr_max, then half a cosine down to lr_min.")


def _adam_direction(m, v, t, b1=0.9, b2=0.999, eps=1e-8):
    return (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)


def check_adamw_step(fn):
    """Exercise 7.3 (``ch7-ex3``): fn(w, g, m, v, t, lr, weight_decay) -> (w_new, m_new, v_new), one AdamW step.

    beta1 = 0.9, beta2 = 0.999, eps = 1e-8; t counts from 1. Recognises: the decay put into the
    gradient (L2, Adam's weight_decay), no decay, a decay not scaled by lr, a decay after the step
    or with the wrong sign, no bias correction, t - 1 or t + 1 in it, eps inside the square root,
    a missing square root, g instead of g**2 in v, a missing (1 - beta), m and v changed in place.
    """
    name = "adamw_step"
    b1, b2, eps, t, lr, wd = 0.9, 0.999, 1e-8, 3, 0.1, 0.5
    rng = np.random.default_rng(7)
    w = rng.standard_normal((3, 4))
    g = rng.standard_normal((3, 4))
    m = 0.3 * rng.standard_normal((3, 4))
    v = 0.2 * rng.random((3, 4)) + 0.01
    g[0, 0], m[0, 0], v[0, 0] = 1e-6, 2e-6, 1e-12  # a quiet weight, where eps matters
    result = _run(name, fn, (w, g, m, v, t, lr, wd), ("w", "g", "m", "v", "t", "lr", "weight_decay"))
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise ExerciseError(f"{name}: return the three arrays (w_new, m_new, v_new) as a tuple; you returned "
                            f"{type(result).__name__}" + (f" of length {len(result)}." if isinstance(result, (tuple, list)) else "."))
    w_new, m_new, v_new = (_as_array(name, r) for r in result)
    m_ok, v_ok = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g ** 2
    coupled = g + wd * w
    m_l2, v_l2 = b1 * m + (1 - b1) * coupled, b2 * v + (1 - b2) * coupled ** 2
    l2_message = ("the decay term went into the gradient and so into m and v: that is L2 regularisation, Adam's "
                  "weight_decay. AdamW's moments see the raw gradient g; the weights shrink separately, "
                  "w * (1 - lr * weight_decay).")
    _compare(name + " (m_new)", m_new, m_ok, hints=[
        (m_l2, l2_message),
        (b1 * m + g, "the factor (1 - beta1) on the new gradient is missing: m = beta1 m + (1 - beta1) g."),
        (0.9 * g + 0.1 * m, "beta1 and 1 - beta1 are swapped: m = 0.9 m + 0.1 g keeps most of the old average."),
    ])
    _compare(name + " (v_new)", v_new, v_ok, hints=[
        (v_l2, l2_message),
        (b2 * v + (1 - b2) * g, "v averages the squared gradient: v = beta2 v + (1 - beta2) g**2."),
        (b2 * v + g ** 2, "the factor (1 - beta2) on g**2 is missing: v = beta2 v + (1 - beta2) g**2."),
    ])
    step = _adam_direction(m_ok, v_ok, t)
    shrunk = w * (1 - lr * wd)
    _compare(name + " (w_new)", w_new, shrunk - lr * step, hints=[
        (w - lr * step, "the weights did not decay: AdamW also shrinks them, w * (1 - lr * weight_decay), before "
                        "the Adam step."),
        (w - lr * _adam_direction(m_l2, v_l2, t), l2_message),
        (w * (1 - wd) - lr * step, "the decay is not scaled by the learning rate: shrink by "
                                   "(1 - lr * weight_decay), not (1 - weight_decay)."),
        ((w - lr * step) * (1 - lr * wd), "you shrank the weights after the Adam step; the decay uses the weights "
                                          "from before the step: w * (1 - lr * weight_decay) - lr * step."),
        (w * (1 + lr * wd) - lr * step, "sign: weight decay shrinks the weights, w * (1 - lr * weight_decay)."),
        (shrunk - lr * m_ok / (np.sqrt(v_ok) + eps), "the bias correction is missing: divide m by (1 - beta1**t) "
                                                     "and v by (1 - beta2**t)."),
        (shrunk - lr * _adam_direction(m_ok, v_ok, t - 1), "bias correction with t - 1: t counts from 1, so use "
                                                           "(1 - beta1**t) and (1 - beta2**t) as they are."),
        (shrunk - lr * _adam_direction(m_ok, v_ok, t + 1), "bias correction with t + 1: the step counter t is "
                                                           "already the number of this step (1 on the first)."),
        (shrunk - lr * (m_ok / (1 - b1 ** t)) / np.sqrt(v_ok / (1 - b2 ** t) + eps),
         "eps belongs outside the square root: sqrt(v_hat) + eps. Inside, it limits the step of every weight "
         "whose v_hat is below about 1e-8."),
        (shrunk - lr * (m_ok / (1 - b1 ** t)) / (v_ok / (1 - b2 ** t) + eps),
         "the square root is missing: divide by sqrt(v_hat) + eps, the RMS of the gradient."),
    ])
    print("Correct: w <- (1 - lr * weight_decay) w - lr * m_hat / (sqrt(v_hat) + eps), with m and v of the raw gradient.")


def check_dropout_forward(fn):
    """Exercise 8.2 (``ch8-ex2``): fn(x (N, d), p, rng) -> inverted dropout of x in training mode, (N, d).

    Each entry is zeroed with probability p, drawn from ``rng``, and the kept ones are divided by 1 - p.
    Recognises: no scaling, scaling by 1/p or by (1 - p), p and 1 - p swapped (dropping with
    probability 1 - p), one mask shared by every row, nothing dropped, float64 from a float32 x,
    ignoring ``rng`` or drawing from another generator.
    """
    name = "dropout_forward"
    p, shape = 0.3, (400, 250)
    x = (np.random.default_rng(11).random(shape, dtype=np.float32) + np.float32(0.5))
    args = lambda seed: (x, p, np.random.default_rng(seed))
    out = _call(name, fn, args(0), ("x", "p", "rng"))
    if out.shape != shape:
        if out.shape == shape[::-1]:
            raise ExerciseError(f"{name}: expected shape {shape}, the shape of x, got its transpose {out.shape}.")
        raise ExerciseError(f"{name}: expected an array of x's shape {shape}, got {out.shape}. Draw one mask entry "
                            "per entry of x: rng.random(x.shape).")
    if out.dtype != x.dtype:
        raise ExerciseError(f"{name}: x is float32 but your result is {out.dtype}: rng.random(x.shape) draws float64. "
                            "Draw with dtype=np.float32, or turn the mask into x's dtype (mask.astype(x.dtype)).")
    if not np.all(np.isfinite(out)):
        raise ExerciseError(f"{name}: your result contains NaN or inf.")
    ratio = out.astype(np.float64) / x
    dropped = np.isclose(ratio, 0, atol=1e-6)
    kept = ratio[~dropped]
    share = dropped.mean()
    if share == 0:
        raise ExerciseError(f"{name}: nothing was dropped. In training mode every entry is zeroed with probability "
                            f"p = {p}: keep = rng.random(x.shape) >= p.")
    if np.all(dropped == dropped[0]):
        raise ExerciseError(f"{name}: every row has the same mask (one mask of shape (d,) shared by the batch). Each "
                            "example gets its own: draw a mask of x's full shape, rng.random(x.shape).")
    if kept.size and np.ptp(kept) > 1e-5:
        raise ExerciseError(f"{name}: the kept entries are not all scaled alike (out / x runs from {kept.min():.4g} "
                            f"to {kept.max():.4g}); multiply x by a mask whose entries are 0 or 1 / (1 - p).")
    scale = float(kept.mean()) if kept.size else 0.0
    if abs(share - (1 - p)) < 0.02:
        raise ExerciseError(f"{name}: you dropped {share:.0%} of the entries, about 1 - p; p = {p} is the "
                            "probability of dropping a unit, so keep an entry where rng.random(x.shape) >= p "
                            "(and divide the kept ones by 1 - p).")
    if abs(share - p) > 0.02:
        raise ExerciseError(f"{name}: you dropped {share:.1%} of the entries; with p = {p} about {p:.0%} should be "
                            "zeroed.")
    for wrong, message in [
        (1.0, "the kept entries are not scaled. Inverted dropout divides them by 1 - p, so that the expected "
              "output equals x and evaluation can be the identity: out = x * keep / (1 - p)."),
        (1 / p, "you divided the kept entries by p; the kept fraction is 1 - p, so divide by 1 - p."),
        (1 - p, "you multiplied by 1 - p: that is the original dropout's scaling at evaluation time. Inverted "
                "dropout divides the kept entries by 1 - p during training instead."),
    ]:
        if abs(scale - wrong) < 1e-4:
            raise ExerciseError(f"{name}: {message}")
    if abs(scale - 1 / (1 - p)) > 1e-4:
        raise ExerciseError(f"{name}: the kept entries are multiplied by {scale:.4g}; expected 1 / (1 - p) = "
                            f"{1 / (1 - p):.4g}.")
    again = _call(name, fn, args(0), ("x", "p", "rng"))
    other = _call(name, fn, args(1), ("x", "p", "rng"))
    if np.array_equal(out, other):
        raise ExerciseError(f"{name}: two different generators gave the same mask, so your function ignores `rng`; "
                            "draw the mask from the `rng` you are given.")
    if not np.array_equal(out, again):
        raise ExerciseError(f"{name}: the same seed gave different masks, so your function draws from a generator of "
                            "its own (np.random.random?); draw from the `rng` you are given.")
    print("Correct: each entry zeroed with probability p, the rest divided by 1 - p, drawn from rng.")


def check_smoothed_cross_entropy_grad(fn):
    """Exercise 8.3 (``ch8-ex3``): fn(z (N, C) logits, y (N,) labels, eps) -> dL/dz with label smoothing eps.

    The targets are y_eps = (1 - eps) onehot(y) + eps / C and dL/dz = (softmax(z) - y_eps) / N.
    Recognises: no smoothing, a missing (1 - eps) on the one-hot, eps not divided by C, eps spread over
    the C - 1 wrong classes, eps and 1 - eps swapped, smoothed predictions instead of targets,
    a missing 1/N, dividing by N C, and the wrong sign.
    """
    name = "smoothed_cross_entropy_grad"
    rng = np.random.default_rng(5)
    n, c, eps = 4, 5, 0.2
    z, y = rng.standard_normal((n, c)) * 2, np.array([1, 4, 0, 1])
    p, onehot = softmax(z), np.eye(c)[y]
    target = (1 - eps) * onehot + eps / c
    got = _call(name, fn, (z, y, eps), ("z", "y", "eps"))
    _compare(name, got, (p - target) / n, hints=[
        ((p - onehot) / n, "that is the gradient without smoothing: the targets are y_eps = (1 - eps) onehot(y) + "
                           "eps / C, not the one-hot."),
        ((p - onehot - eps / c) / n, "the factor (1 - eps) on the one-hot is missing: the smoothed targets must sum "
                                     "to 1, y_eps = (1 - eps) onehot(y) + eps / C."),
        ((p - (1 - eps) * onehot - eps) / n, "eps is not divided by C: the mass eps is shared by the C classes, "
                                             "eps / C each."),
        ((p - (1 - eps) * onehot - eps / (c - 1) * (1 - onehot)) / n,
         "you spread eps over the C - 1 wrong classes. That is another convention; this book, like Szegedy et al. "
         "and PyTorch, spreads eps / C over all C classes: y_eps = (1 - eps) onehot(y) + eps / C."),
        ((p - eps * onehot - (1 - eps) / c) / n, "eps and 1 - eps are swapped: the true class keeps 1 - eps of the "
                                                 "mass, y_eps = (1 - eps) onehot(y) + eps / C."),
        (((1 - eps) * p + eps / c - onehot) / n, "you smoothed the predicted probabilities; label smoothing changes "
                                                 "the targets: (softmax(z) - y_eps) / N."),
        (p - target, "you forgot the 1/N: the loss is the mean over the N rows."),
        ((p - target) / (n * c), "you divided by N * C; the loss averages over the N rows only."),
        ((target - p) / n, "sign: the gradient is (softmax(z) - y_eps) / N."),
    ])
    plain = _call(name, fn, (z, y, 0.0), ("z", "y", "eps"))
    _compare(name + " (eps = 0)", plain, (p - onehot) / n)
    print("Correct: dL/dz = (softmax(z) - y_eps) / N with y_eps = (1 - eps) onehot(y) + eps / C.")


# -- chapter 9: batch normalisation -------------------------------------------------------------------

def _fold_case(fn, W, b, gamma, beta, mean, var, eps):
    name = "fold_batchnorm"
    s = gamma / np.sqrt(var + eps)
    square = W.shape[0] == W.shape[1]

    def explain(error):
        if isinstance(error, ValueError) and "broadcast" in str(error):
            return (f"Here W has shape {W.shape} and gamma, beta, running_mean, running_var {gamma.shape}. Each "
                    "output unit j (a column of W) has its own factor s_j = gamma_j / sqrt(var_j + eps): scale the "
                    "columns, W * s, which broadcasts s along the rows; W * s[:, None] would scale the rows.")
        return None

    result = _run(name, fn, (W, b, gamma, beta, mean, var, eps),
                  ("W", "b", "gamma", "beta", "running_mean", "running_var", "eps"), explain=explain)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ExerciseError(f"{name}: return the pair (W_folded, b_folded); you returned {type(result).__name__}"
                            + (f" of length {len(result)}." if isinstance(result, (tuple, list)) else "."))
    W_new, b_new = (_as_array(name, r) for r in result)
    W_ok, b_ok = W * s, (b - mean) * s + beta
    if _close(W_new, b_ok) and _close(b_new, W_ok):
        raise ExerciseError(f"{name}: the right two arrays in the wrong order: return (W_folded, b_folded).")
    rows_scaled = [(W * s[:, None], "you scaled the rows of W; each output unit is a column, so scale the "
                                     f"columns: W * s (with a square W, {W.shape}, the shapes fit either way).")
                   ] if square else []
    _compare(name + " (W_folded)", W_new, W_ok, hints=rows_scaled + [
        (W, "W is unchanged, but batch norm rescales every output unit: multiply column j of W by "
            "s_j = gamma_j / sqrt(running_var_j + eps)."),
        (W * gamma / np.sqrt(var), "eps is missing: divide by sqrt(running_var + eps), as the layer does in "
                                   "evaluation mode (it matters for a unit whose running variance is tiny)."),
        (W * gamma / (np.sqrt(var) + eps), "eps belongs inside the square root: sqrt(running_var + eps), "
                                           "not sqrt(running_var) + eps."),
        (W * gamma / (var + eps), "you divided by the variance; batch norm divides by the standard deviation, "
                                  "sqrt(running_var + eps)."),
        (W / np.sqrt(var + eps), "gamma is missing: the factor is s = gamma / sqrt(running_var + eps)."),
        (W * np.sqrt(var + eps) / gamma, "the factor is upside down: s = gamma / sqrt(running_var + eps)."),
    ])
    _compare(name + " (b_folded)", b_new, b_ok, hints=[
        (b * s + beta, "the running mean is not subtracted: batch norm centres Z = X W + b first, so "
                       "b_folded = (b - running_mean) * s + beta."),
        ((b - mean) * s, "beta is missing: b_folded = (b - running_mean) * s + beta."),
        (b - mean + beta, "the shifted bias is not rescaled: b_folded = (b - running_mean) * s + beta."),
        (b * s - mean + beta, "the running mean must be scaled too: (b - running_mean) * s + beta, not "
                              "b * s - running_mean + beta."),
        (-mean * s + beta, "the Dense layer's own bias b is missing: Z = X W + b is what gets normalised, so "
                           "b_folded = (b - running_mean) * s + beta."),
        ((b - mean) * s + beta * s, "beta is added after the scaling, not scaled: (b - running_mean) * s + beta."),
        ((b + mean) * s + beta, "sign: subtract the running mean, (b - running_mean) * s + beta."),
    ])


def check_fold_batchnorm(fn):
    """Exercise 9.2 (``ch9-ex2``): fn(W, b, gamma, beta, running_mean, running_var, eps) -> (W_folded, b_folded).

    Dense (W (d_in, d), b (d,)) followed by BatchNorm1d in evaluation mode is one Dense layer:
    W_folded = W * s, b_folded = (b - running_mean) * s + beta with s = gamma / sqrt(running_var + eps).
    Runs a non-square and a square W. Recognises: rows scaled instead of columns, eps missing or
    outside the square root, the variance for the standard deviation, gamma missing or the factor
    inverted, and in b_folded the mean not subtracted or not scaled, beta missing or scaled, b
    missing, the mean's sign, and the two results in the wrong order.
    """
    rng = np.random.default_rng(9)
    eps = 1e-5
    for d_in, d in [(3, 4), (4, 4)]:
        var = np.array([2.0, 0.5, 1e-4, 3e-4])  # tiny variances, where eps shows
        _fold_case(fn, rng.standard_normal((d_in, d)), rng.standard_normal(d), 1 + 0.5 * rng.standard_normal(d),
                   rng.standard_normal(d), rng.standard_normal(d), var, eps)
    print("Correct: W_folded = W * s and b_folded = (b - running_mean) * s + beta, s = gamma / sqrt(running_var + eps).")


def _layer_norm_parts(x, eps, ddof=0, eps_outside=False, axis=1):
    mean = x.mean(axis=axis, keepdims=True)
    std = np.sqrt(((x - mean) ** 2).sum(axis=axis, keepdims=True) / (x.shape[axis] - ddof))
    inv = 1 / (std + eps) if eps_outside else 1 / np.sqrt(std**2 + eps)
    return (x - mean) * inv, inv


def _normalisation_dx(x_hat, inv, g, axis=1):
    """The compact backward inv * (g - mean(g) - x_hat * mean(g * x_hat)), means along ``axis``."""
    return inv * (g - g.mean(axis=axis, keepdims=True) - x_hat * (g * x_hat).mean(axis=axis, keepdims=True))


def check_layer_norm_backward(fn):
    """Exercise 9.3 (``ch9-ex3``): fn(x (N, d), gamma (d,), grad_out (N, d), eps) -> (dx (N, d), dgamma (d,), dbeta (d,)).

    Layer normalisation: each row of x is normalised over its d features (biased variance, eps inside
    the square root), then y = gamma * x_hat + beta. Recognises: batch norm's backward (statistics over
    the batch), the corrections averaged over the batch (batch norm's shortcut through dgamma and
    dbeta), both corrections or either one missing, the unbiased variance, eps outside the square
    root or missing, gamma missing from dx, sums over a row divided by N instead of d, dgamma or
    dbeta summed over the features, averaged, or without x_hat (or with x for x_hat), the wrong order.
    """
    name = "layer_norm_backward"
    rng = np.random.default_rng(3)
    N, d, eps = 6, 5, 1e-5
    x = rng.standard_normal((N, d)) * rng.uniform(0.5, 3, (N, 1)) + rng.uniform(-2, 2, (N, 1))
    x[2] = 0.7 + 3e-3 * rng.standard_normal(d)  # a row of nearly equal features, where eps shows
    gamma = 1 + 0.5 * rng.standard_normal(d)
    grad_out = rng.standard_normal((N, d))
    result = _run(name, fn, (x, gamma, grad_out, eps), ("x", "gamma", "grad_out", "eps"))
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise ExerciseError(f"{name}: return the tuple (dx, dgamma, dbeta); you returned {type(result).__name__}"
                            + (f" of length {len(result)}." if isinstance(result, (tuple, list)) else "."))
    dx, dgamma, dbeta = (_as_array(name, r) for r in result)
    g = grad_out * gamma
    x_hat, inv = _layer_norm_parts(x, eps)
    dx_ok = _normalisation_dx(x_hat, inv, g)
    dgamma_ok, dbeta_ok = (grad_out * x_hat).sum(axis=0), grad_out.sum(axis=0)
    if _close(dx, dx_ok) and _close(dgamma, dbeta_ok) and _close(dbeta, dgamma_ok):
        raise ExerciseError(f"{name}: dgamma and dbeta are swapped: return (dx, dgamma, dbeta).")
    bn_hat, bn_inv = _layer_norm_parts(x, eps, axis=0)
    unb_hat, unb_inv = _layer_norm_parts(x, eps, ddof=1)
    out_hat, out_inv = _layer_norm_parts(x, eps, eps_outside=True)
    no_eps_hat, no_eps_inv = _layer_norm_parts(x, 0.0)
    unbiased = ("you normalised with the unbiased variance (ddof=1, dividing by d - 1). Normalisation uses the "
                "biased variance of the row, the mean of the squared deviations: divide by d.")
    _compare(name + " (dx)", dx, dx_ok, hints=[
        (_normalisation_dx(bn_hat, bn_inv, g, axis=0), "you normalised over the wrong axis: those are batch norm's "
         "statistics, one per feature over the N rows (axis=0). Layer norm takes each row's own mean and variance "
         "over its d features: axis=1, keepdims=True."),
        (_normalisation_dx(x_hat, inv, g, axis=0), "your statistics are per row, but the two correction terms "
         "average over the batch (axis=0), as in batch norm's shortcut gamma / sqrt(var + eps) * (grad_out - "
         "dbeta / N - x_hat * dgamma / N). They come from the row's own mean and variance, so they average over "
         "the row's features: g - mean(g) - x_hat * mean(g * x_hat), means over axis=1, g = grad_out * gamma."),
        (inv * g, "both correction terms are missing: you treated the row's mean and variance as constants. Each "
                  "depends on every feature of the row, so dx = (g - mean(g) - x_hat * mean(g * x_hat)) / "
                  "sqrt(var + eps), means over the row, g = grad_out * gamma."),
        (inv * (g - g.mean(axis=1, keepdims=True)), "the correction through the variance is missing: subtract "
                                                    "x_hat * mean(g * x_hat) too (means over the row)."),
        (inv * (g - x_hat * (g * x_hat).mean(axis=1, keepdims=True)), "the correction through the mean is missing: "
                                                                       "subtract mean(g) over the row too."),
        (_normalisation_dx(unb_hat, unb_inv, g), unbiased),
        (unb_inv * (g - g.mean(axis=1, keepdims=True) - unb_hat * (g * unb_hat).sum(axis=1, keepdims=True) / (d - 1)),
         unbiased),
        (_normalisation_dx(out_hat, out_inv, g), "eps belongs inside the square root: 1 / sqrt(var + eps), not "
                                                 "1 / (sqrt(var) + eps) (it shows in the row whose features are "
                                                 "nearly equal)."),
        (_normalisation_dx(no_eps_hat, no_eps_inv, g), "eps is missing: divide by sqrt(var + eps), not sqrt(var) "
                                                       "(it shows in the row whose features are nearly equal)."),
        (_normalisation_dx(x_hat, inv, grad_out), "gamma is missing from dx: the gradient reaching x_hat is "
                                                  "g = grad_out * gamma."),
        (inv * (g - g.sum(axis=1, keepdims=True) / N - x_hat * (g * x_hat).sum(axis=1, keepdims=True) / N),
         f"the sums over a row's d = {d} features must be divided by d, not by the batch size N = {N}."),
    ])
    _compare(name + " (dgamma)", dgamma, dgamma_ok, hints=[
        ((grad_out * x_hat).sum(axis=1), "you summed over the features (axis=1); gamma has one entry per "
                                         "feature, so sum grad_out * x_hat over the rows, axis=0, shape (d,)."),
        (grad_out.sum(axis=0), "x_hat is missing: y = gamma * x_hat + beta, so dgamma = sum over rows of "
                               "grad_out * x_hat."),
        ((grad_out * x).sum(axis=0), "multiply by x_hat, the normalised input, not by x."),
        ((grad_out * x_hat).mean(axis=0), "sum over the rows, not mean: the 1/N is already inside grad_out."),
    ])
    _compare(name + " (dbeta)", dbeta, dbeta_ok, hints=[
        (grad_out.sum(axis=1), "you summed over the features (axis=1); beta has one entry per feature, so sum "
                               "grad_out over the rows, axis=0, shape (d,)."),
        (grad_out.mean(axis=0), "sum over the rows, not mean: the 1/N is already inside grad_out."),
    ])
    print("Correct: dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps) with g = grad_out * gamma and "
          "means over each row; dgamma and dbeta sum over the rows.")


def _halving(scores, eta, column=None, keep=None, descending=True, ties_high=False, positions=False):
    """Successive halving on scores (n, R), with the variations that _check_halving_case recognises."""
    n, R = scores.shape
    alive, rounds = list(range(n)), [list(range(n))]
    for k in range(R):
        col = k if column is None else column
        key = scores[alive, col] if descending else -scores[alive, col]
        order = np.argsort(key)[::-1] if ties_high else np.argsort(-key, kind="stable")
        count = 1 if k == R - 1 else (keep(len(alive), eta) if keep else max(1, len(alive) // eta))
        chosen = order[:count]
        alive = sorted(int(i) for i in (chosen if positions else np.asarray(alive)[chosen]))
        if k < R - 1:
            rounds.append(alive)
    return rounds, alive[0]


def _check_halving_case(fn, scores, eta):
    name = "successive_halving"
    result = _run(name, fn, (scores, eta), ("scores", "eta"))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ExerciseError(f"{name}: return the pair (rounds, winner); you returned {type(result).__name__}"
                            + (f" of length {len(result)}." if isinstance(result, (tuple, list)) else "."))
    rounds, winner = result
    if np.ndim(winner) != 0:
        raise ExerciseError(f"{name}: the second item should be the winner, one configuration index; you returned "
                            "a sequence there (the rounds alone?). Return the pair (rounds, winner).")
    try:
        got = [sorted(int(i) for i in np.asarray(r).ravel()) for r in rounds]
        winner = int(np.asarray(winner).item())
    except (TypeError, ValueError):
        raise ExerciseError(f"{name}: rounds must be a list with one list (or array) of configuration indices per "
                            "round, and winner one index.") from None
    n, R = scores.shape
    expected, best = _halving(scores, eta)
    if got == expected and winner == best:
        return
    if len(got) != R:
        raise ExerciseError(f"{name}: scores has R = {R} columns, one per round, so rounds needs {R} entries (the "
                            f"configurations trained in each round); you returned {len(got)}.")
    if got[0] != list(range(n)):
        raise ExerciseError(f"{name}: the first round trains every configuration, 0 to {n - 1}; your rounds[0] "
                            f"is {got[0]}.")
    hints = [
        (_halving(scores, eta, descending=False), "you kept the configurations with the LOWEST scores: the survivors "
                                                  "are those with the highest validation accuracy."),
        (_halving(scores, eta, column=0), "every round ranks by the first column, the scores of round 0: round k "
                                          "ranks its survivors by scores[:, k], the budget they were just trained at."),
        (_halving(scores, eta, column=R - 1), "every round ranks by the last column: round k ranks its survivors by "
                                              "scores[:, k], the budget they were just trained at."),
        (_halving(scores, eta, positions=True),
         "your indices are positions within the current round, not the configurations' own indices: map them back, "
         "e.g. alive[order[:keep]]."),
        (_halving(scores, eta, ties_high=True), "ties go to the lower index: with equal scores, configuration 2 beats "
                                                "configuration 7. np.argsort(-s, kind='stable') keeps that order; "
                                                "np.argsort(s)[::-1] reverses it."),
        (_halving(scores, eta, keep=lambda m, e: -(-m // e)), "you rounded up: keep len(alive) // eta (at least 1) "
                                                              "configurations, the integer part of m / eta."),
        (_halving(scores, eta, keep=lambda m, e: max(1, n // e)), "each round keeps 1/eta of the configurations still "
                                                                  "alive, not of the n you started with."),
    ]
    for (candidate, candidate_best), message in hints:
        if got == candidate != expected:
            raise ExerciseError(f"{name}: {message}")
    for k, (g, e) in enumerate(zip(got, expected)):
        if g != e:
            raise ExerciseError(f"{name}: with eta = {eta}, round {k} should train configurations {e}; you have {g}.")
    if winner in expected[-1] and winner == max(expected[-1], key=lambda i: (scores[i, 0], -i)) != best:
        raise ExerciseError(f"{name}: the rounds are right, but you chose the winner by the first column; the "
                            f"last round was trained with the largest budget, so rank its survivors by "
                            f"scores[:, {R - 1}]: configuration {best}, not {winner}.")
    if winner in expected[-1]:
        raise ExerciseError(f"{name}: the rounds are right, but the winner is the survivor of the last round with the "
                            f"highest score in its column, scores[:, {R - 1}]: configuration {best}, not {winner}.")
    raise ExerciseError(f"{name}: the rounds are right, but the winner {winner} was not even trained in the last round "
                        f"({expected[-1]}); it is the best of those by scores[:, {R - 1}].")


def check_successive_halving(fn):
    """Exercise 10.1 (``ch10-ex1``): fn(scores (n, R), eta) -> (rounds, winner) of successive halving.

    scores[i, k] is the validation accuracy configuration i reaches with round k's budget. Round 0
    trains all n; after round k the max(1, len // eta) best of its configurations by scores[:, k]
    (ties to the lower index) go on; the winner is the best of the last round by scores[:, R - 1].
    Recognises: the lowest kept, every round ranked by the first or the last column, positions
    within the round instead of indices, ties to the higher index, rounding up, 1/eta of the
    original n, the wrong number of rounds, round 0 incomplete, and a wrong winner.
    """
    rng = np.random.default_rng(10)
    scores = np.round(rng.uniform(0.80, 0.86, size=(10, 2)), 3)
    scores[:, 1] += 0.02
    scores[[0, 5], 0] = 0.90, 0.89  # the two best of round 0; configurations 2 and 7 tie for the third place
    scores[[2, 7], 0] = 0.88
    _check_halving_case(fn, scores, 3)
    _check_halving_case(fn, np.round(rng.uniform(0.8, 0.9, size=(8, 3)), 3), 2)
    _check_halving_case(fn, np.round(rng.uniform(0.8, 0.9, size=(27, 3)), 3), 3)
    print("Correct: every round keeps the best len // eta of its survivors by that round's scores, and the winner "
          "is the best of the last round.")


def check_ablation_delta(fn):
    """Exercise 10.2 (``ch10-ex2``): fn(full (n_f,), ablated (n_a,)) -> (delta, se), accuracies over seeds.

    delta = mean(ablated) - mean(full); se = s * sqrt(1 / n_f + 1 / n_a), s the sample standard
    deviation (ddof=1) of the full recipe's runs, the seed noise. Recognises: the sign reversed,
    percentage points, ddof=0, the standard deviation instead of the standard error, the ablated
    runs treated as exact, no square root, s estimated from both groups, the variance for s.
    """
    name = "ablation_delta"
    for full, ablated in [(np.array([0.912, 0.9155, 0.9085]), np.array([0.9052])),
                          (np.array([0.901, 0.907, 0.904, 0.899]), np.array([0.896, 0.8915]))]:
        result = _run(name, fn, (full, ablated), ("full", "ablated"))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise ExerciseError(f"{name}: return the pair (delta, se); you returned {type(result).__name__}"
                                + (f" of length {len(result)}." if isinstance(result, (tuple, list)) else "."))
        delta, se = (_as_array(name, r) for r in result)
        if delta.ndim or se.ndim:
            raise ExerciseError(f"{name}: delta and se are single numbers; you returned arrays of shapes "
                                f"{delta.shape} and {se.shape}.")
        n_f, n_a = len(full), len(ablated)
        d_ok = ablated.mean() - full.mean()
        s = full.std(ddof=1)
        _compare(name + " (delta)", delta, np.array(d_ok), hints=[
            (np.array(-d_ok), "the sign is reversed: delta = mean(ablated) - mean(full), negative when removing the "
                              "ingredient hurts."),
            (np.array(100 * d_ok), "you returned percentage points; return a fraction, as the accuracies are."),
        ])
        both = np.concatenate([full - full.mean(), ablated - ablated.mean()])
        pooled = np.sqrt(np.sum(both**2) / (len(both) - 2)) if n_a > 1 else None
        hints = [
            (np.array(full.std() * np.sqrt(1 / n_f + 1 / n_a)), "use the sample standard deviation, ddof=1: with "
                                                                 "three seeds, ddof=0 underestimates the noise."),
            (np.array(s), "that is the standard deviation of one run; the standard error of the difference of two "
                          "means is s * sqrt(1 / n_f + 1 / n_a)."),
            (np.array(s / np.sqrt(n_f)), "that is the standard error of mean(full) alone: the ablated runs are noisy "
                                         "too, s * sqrt(1 / n_f + 1 / n_a)."),
            (np.array(s * (1 / n_f + 1 / n_a)), "the square root is missing: variances add, so se = "
                                                "sqrt(s**2 / n_f + s**2 / n_a)."),
            (np.array(s**2 * np.sqrt(1 / n_f + 1 / n_a)), "you used the variance s**2 where the standard deviation s "
                                                          "belongs."),
            (np.array(100 * s * np.sqrt(1 / n_f + 1 / n_a)), "you returned percentage points; return a fraction."),
        ]
        if pooled is not None:
            hints.append((np.array(pooled * np.sqrt(1 / n_f + 1 / n_a)),
                          "estimate s from the full recipe's runs only, the same for every row of the table (an "
                          "ablation usually has one run, which says nothing about the noise)."))
        _compare(name + " (se)", se, np.array(s * np.sqrt(1 / n_f + 1 / n_a)), hints=hints)
    print("Correct: delta = mean(ablated) - mean(full), se = s * sqrt(1 / n_f + 1 / n_a) with s the sample standard "
          "deviation of the full recipe's runs.")
