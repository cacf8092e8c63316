"""The exercise checkers accept right answers and explain the typical wrong ones.

For each checker: the right answer (and the book's reference solution) passes with its success
message, and every common mistake gets its own targeted message. An error raised inside the
learner's function never surfaces raw: it becomes an ExerciseError saying what it probably means,
with the original error chained to it.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest

import mlp_core as mc
from mlp_core import checks
from mlp_core.checks import ExerciseError

BOOK = Path(__file__).resolve().parent.parent / "book"


def fails(checker, fn, match):
    """checker(fn) raises an ExerciseError whose message matches ``match``; returns the error."""
    with pytest.raises(ExerciseError, match=match) as info:
        checker(fn)
    return info.value


def passes(checker, fn, capsys, message):
    checker(fn)
    assert capsys.readouterr().out == message + "\n"


# -- Exercise 1.4: scale_pixels ----------------------------------------------------------------------

def scale_pixels(im):
    return im.reshape(len(im), -1).astype(np.float32) / np.float32(255)


def test_scale_pixels_accepts_the_right_answers(capsys):
    ok = "Correct: float32 rows of 784 pixels in [0, 1]."
    passes(checks.check_scale_pixels, scale_pixels, capsys, ok)
    passes(checks.check_scale_pixels, lambda im: im.reshape(-1, 784).astype(np.float32) / 255, capsys, ok)


@pytest.mark.parametrize("fn, match", [
    (lambda im: im.reshape(len(im), -1) / 255.0, "float64"),
    (lambda im: im.astype(np.float32) / np.float32(255), "flatten"),
    (lambda im: im.astype(np.float32).ravel() / 255, "whole batch into one long vector"),
    (lambda im: im.reshape(len(im), -1).T.astype(np.float32) / 255, r"Shape \(784, N\): each image is a column"),
    (lambda im: im.reshape(len(im), -1) // 255, "integer dtype uint8.*integer division"),
    (lambda im: im.reshape(len(im), -1).astype(np.float16) / 255, "Expected dtype float32, got float16"),
    (lambda im: im.reshape(len(im), -1).astype(np.float32), "values go up to 255"),
    (lambda im: im.reshape(len(im), -1).astype(np.float32) / 256, "divided by 256"),
    (lambda im: 1 - scale_pixels(im), "inverted the grey levels"),
    (lambda im: (lambda r: r / r.max(axis=1, keepdims=True))(im.reshape(len(im), -1).astype(np.float32)),
     "each image by its own maximum"),
    (lambda im: (lambda r: (r - r.min(axis=1, keepdims=True)) / np.ptp(r, axis=1, keepdims=True))(
        im.reshape(len(im), -1).astype(np.float32)), "its own range"),
    (lambda im: (lambda r: (r - r.mean()) / r.std())(im.reshape(len(im), -1).astype(np.float32)), "standardised"),
    (lambda im: scale_pixels(im) * np.float32(2), r"run from 0 to 2; every value should lie in \[0, 1\]"),
    (lambda im: im.reshape(60000, 784).astype(np.float32) / 255, "cannot reshape.*use len"),
])
def test_scale_pixels_names_each_common_mistake(fn, match):
    fails(checks.check_scale_pixels, fn, match)


def test_scale_pixels_refuses_a_function_that_changes_its_input():
    def zero_then_scale(im):  # passed the old checker, which computed its answer from the changed images
        im[...] = 0
        return scale_pixels(im)

    def scale_then_clobber(im):
        out = scale_pixels(im)
        im[0, 0, 0] = 7
        return out

    for fn in (zero_then_scale, scale_then_clobber):
        fails(checks.check_scale_pixels, fn, "changed its input `images` in place")


def test_scale_pixels_explains_an_in_place_division_of_uint8():
    def divide_in_place(im):
        im /= 255
        return im

    error = fails(checks.check_scale_pixels, divide_in_place, r"raised UFuncTypeError in `im /= 255`(.|\n)*in-place")
    assert isinstance(error.__cause__, TypeError)


# -- Exercise 2.3: sigmoid_grad ----------------------------------------------------------------------

def test_sigmoid_grad(capsys):
    ok = "Correct: sigma'(z) = sigma(z) (1 - sigma(z)), stable for |z| = 1000."
    passes(checks.check_sigmoid_grad, lambda z: mc.sigmoid(z) * (1 - mc.sigmoid(z)), capsys, ok)
    passes(checks.check_sigmoid_grad, lambda z: np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))) ** 2, capsys, ok)


@pytest.mark.parametrize("fn, match", [
    (lambda z: mc.sigmoid(z) * (1 + mc.sigmoid(z)), "sign slip"),
    (lambda z: mc.sigmoid(z), "sigma\\(z\\) itself"),
    (lambda z: 1 - mc.sigmoid(z), "you return 1 - sigma"),
    (lambda z: -mc.sigmoid(z) * (1 - mc.sigmoid(z)), "is positive"),
    (lambda z: z * (1 - z), "applied s \\* \\(1 - s\\) to z itself"),
    (lambda z: np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))), "the square is missing"),
    (lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "overflow(.|\n)*exponentiate only -\\|z\\|"),
    (lambda z: (lambda s: s * (1 - s))(1 / (1 + np.exp(-z))), "overflow(.|\n)*np.exp\\(-np.abs\\(z\\)\\)"),
    (lambda z: np.full(z.shape, np.nan), "NaN or inf.*exponentiate only"),
    (lambda z: float(z.sum()), "single number"),
])
def test_sigmoid_grad_names_each_common_mistake(fn, match):
    fails(checks.check_sigmoid_grad, fn, match)


# -- Exercise 2.4: mse_grad ------------------------------------------------------------------------

def test_mse_grad(capsys):
    passes(checks.check_mse_grad, lambda y_hat, y: (y_hat - y) / len(y), capsys, "Correct: dL/dy_hat = (y_hat - y) / N.")


@pytest.mark.parametrize("fn, match", [
    (lambda y_hat, y: y_hat - y, "forgot the 1/N"),
    (lambda y_hat, y: 2 * (y_hat - y) / len(y), "factor 2"),
    (lambda y_hat, y: (y_hat - y) / (2 * len(y)), "divided by 2N"),
    (lambda y_hat, y: (y_hat - y) / y.size, "N \\* d"),
    (lambda y_hat, y: (y_hat - y) / y.shape[1], "number of columns"),
    (lambda y_hat, y: (y - y_hat) / len(y), "^mse_grad: sign"),
    (lambda y_hat, y: y - y_hat, "sign, and the 1/N is missing"),
    (lambda y_hat, y: np.sum((y_hat - y) ** 2) / (2 * len(y)), "returned the loss L itself"),
    (lambda y_hat, y: np.mean(y_hat - y, axis=0), "averaged over the rows"),
    (lambda y_hat, y: np.mean(y_hat - y), "single number"),
])
def test_mse_grad_names_each_common_mistake(fn, match):
    fails(checks.check_mse_grad, fn, match)


# -- Exercise 3.2: dense_backward ------------------------------------------------------------------

def dense_backward(X, W, d):
    return X.T @ d, d.sum(axis=0), d @ W.T


def test_dense_backward_accepts_the_right_answer(capsys):
    ok = "Correct: dW = X^T delta, db = column sums of delta, dX = delta W^T."
    passes(checks.check_dense_backward, dense_backward, capsys, ok)
    passes(checks.check_dense_backward, lambda X, W, d: list(dense_backward(X, W, d)), capsys, ok)
    passes(checks.check_dense_backward, lambda X, W, d: (np.dot(X.T, d), np.ones(len(d)) @ d, d.dot(W.T)), capsys, ok)


def test_dense_backward_tests_a_square_w_too():
    """Transposing only when the shapes demand it is right for a non-square W and wrong for a square one."""
    def transpose_if_needed(X, W, d):
        return X.T @ d, d.sum(axis=0), d @ W if d.shape[1] == W.shape[0] else d @ W.T

    fails(checks.check_dense_backward, transpose_if_needed, "dX: missing transpose in dX.*square W")


@pytest.mark.parametrize("fn, match", [
    # (i) a missing transpose in dW: a NumPy shape error, named, or a transposed result
    (lambda X, W, d: (X @ d, d.sum(axis=0), d @ W.T), "raised ValueError(.|\n)*missing transpose in dW"),
    (lambda X, W, d: (d @ X, d.sum(axis=0), d @ W.T), "raised ValueError(.|\n)*dW with its factors in the wrong order"),
    (lambda X, W, d: (d.T @ X, d.sum(axis=0), d @ W.T), "dW is transposed"),
    (lambda X, W, d: ((d.T @ X).reshape(W.shape), d.sum(axis=0), d @ W.T), "reshape is not a transpose"),
    (lambda X, W, d: (X.T @ d / len(X), d.sum(axis=0), d @ W.T), "dW divided by N"),
    # (ii) a missing transpose in dX: a NumPy shape error for a non-square W
    (lambda X, W, d: (X.T @ d, d.sum(axis=0), d @ W), "raised ValueError(.|\n)*missing transpose in dX"),
    (lambda X, W, d: (X.T @ d, d.sum(axis=0), W @ d.T), "dX is transposed"),
    (lambda X, W, d: (X.T @ d, d.sum(axis=0), d @ W.reshape(W.shape[1], -1)), "dX = delta @ W.reshape"),
    (lambda X, W, d: (X.T @ d, d.sum(axis=0), d @ W.T / len(d)), "dX divided by N"),
    # (iii) db over the wrong axis, not summed, or as a (1, d_out) row
    (lambda X, W, d: (X.T @ d, d.mean(axis=0), d @ W.T), "column sum"),
    (lambda X, W, d: (X.T @ d, d.sum(axis=1), d @ W.T), "summed over columns \\(axis=1\\)"),
    (lambda X, W, d: (X.T @ d, d.mean(axis=1), d @ W.T), "averaged over columns"),
    (lambda X, W, d: (X.T @ d, d, d @ W.T), "db = delta is not summed"),
    (lambda X, W, d: (X.T @ d, d.sum(), d @ W.T), "adds up every entry"),
    (lambda X, W, d: (X.T @ d, d.sum(axis=0, keepdims=True), d @ W.T),
     r"db has shape \(1, 4\): it must have b's shape \(d_out,\).*1 x d_out row"),
    (lambda X, W, d: (X.T @ d, np.ones((1, len(d))) @ d, d @ W.T), r"db has shape \(1, 4\)"),
    # the tuple itself
    (lambda X, W, d: (d @ W.T, X.T @ d, d.sum(axis=0)), "wrong order"),
    (lambda X, W, d: (X.T @ d, d @ W.T), "Return a tuple"),
    (lambda X, W, d: (X.T * d, d.sum(axis=0), d @ W.T), "raised ValueError(.|\n)*`\\*` multiplies entry by entry"),
])
def test_dense_backward_names_each_common_mistake(fn, match):
    error = fails(checks.check_dense_backward, fn, match)
    if "raised" in match:
        assert isinstance(error.__cause__, ValueError)


def test_dense_backward_names_the_line_that_failed():
    def dense_backward_missing_transpose(X, W, delta):
        dW = X.T @ delta
        db = delta.sum(axis=0)
        dX = delta @ W
        return dW, db, dX

    fails(checks.check_dense_backward, dense_backward_missing_transpose,
          r"in `dX = delta @ W`: matmul(.|\n)*X has shape \(5, 3\), W \(3, 4\) and delta \(5, 4\)")



# -- Exercise 3.6: the whole backward pass of a small MLP ---------------------------------------------

def mlp_backward(X, y, W1, b1, W2, b2, transpose=True, one_over_n=True, derivative="a(1-a)", bias=np.sum):
    """The right answer, or one mistake at a time."""
    A1 = mc.sigmoid(X @ W1 + b1)
    P = mc.softmax(A1 @ W2 + b2)
    P[np.arange(len(y)), y] -= 1
    dZ2 = P / len(y) if one_over_n else P
    dA1 = dZ2 @ (W2.T if transpose else W2)
    dZ1 = dA1 * {"a(1-a)": A1 * (1 - A1), "none": 1, "a": A1,
                 "of a": mc.sigmoid(A1) * (1 - mc.sigmoid(A1))}[derivative]
    return X.T @ dZ1, bias(dZ1, axis=0), A1.T @ dZ2, bias(dZ2, axis=0)


def test_mlp_backward_accepts_the_right_answer(capsys):
    passes(checks.check_mlp_backward, mlp_backward, capsys,
           "Correct: all four gradients agree with finite differences (relative errors < 1e-07).")


@pytest.mark.parametrize("fn, match", [
    (lambda *a: mlp_backward(*a, one_over_n=False), "N times too large"),
    (lambda *a: mlp_backward(*a, derivative="none"), "miss the sigmoid's derivative"),
    (lambda *a: mlp_backward(*a, derivative="a"), "multiplied by A1 where the sigmoid's derivative belongs"),
    (lambda *a: mlp_backward(*a, derivative="of a"), "applied sigmoid' to the activation A1"),
    (lambda *a: mlp_backward(*a, bias=np.mean), "column means"),
    (lambda *a: mlp_backward(*a, transpose=False), "raised ValueError(.|\n)*dA1 = dZ2 @ W2.T"),
    (lambda *a: mlp_backward(*a, transpose=a[4].shape[0] != a[4].shape[1]), "missing transpose.*W2 is square"),
    (lambda *a: tuple(g.T if g.ndim == 2 and k == 0 else g for k, g in enumerate(mlp_backward(*a))),
     "dW1 is transposed"),
    (lambda *a: tuple(g[None, :] if k == 3 else g for k, g in enumerate(mlp_backward(*a))), "db2 must have b2's shape"),
    (lambda *a: mlp_backward(*a)[2:] + mlp_backward(*a)[:2], "wrong order"),
    (lambda *a: mlp_backward(*a)[:3], "return a tuple"),
])
def test_mlp_backward_names_each_common_mistake(fn, match):
    fails(checks.check_mlp_backward, fn, match)


def test_mlp_backward_names_z1_for_a1_in_dw2():
    def z1_for_a1(X, y, W1, b1, W2, b2):
        dW1, db1, _, db2 = mlp_backward(X, y, W1, b1, W2, b2)
        P = mc.softmax(mc.sigmoid(X @ W1 + b1) @ W2 + b2)
        P[np.arange(len(y)), y] -= 1
        return dW1, db1, (X @ W1 + b1).T @ (P / len(y)), db2

    fails(checks.check_mlp_backward, z1_for_a1, "dW2 uses the pre-activation Z1")

# -- Exercise 4.3 and 4.4: softmax and the fused gradient ------------------------------------------

def stable_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax(capsys):
    passes(checks.check_softmax, mc.softmax, capsys, "Correct: a row-wise softmax that survives logits of +-1000.")
    passes(checks.check_softmax, stable_softmax, capsys, "Correct: a row-wise softmax that survives logits of +-1000.")


@pytest.mark.parametrize("fn, match", [
    (lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "overflow(.|\n)*Subtract each row's maximum"),
    (lambda z: (lambda e: e / e.sum(axis=1, keepdims=True))(np.exp(z - z.max())), "maximum of the whole array"),
    (lambda z: stable_softmax(z.T).T, "normalised over columns"),
    (lambda z: np.exp(z), "did not normalise"),
    (lambda z: np.exp(z - z.max(axis=1, keepdims=True)), "did not divide by the row sum"),
    (lambda z: (lambda e: e / e.sum())(np.exp(z - z.max(axis=1, keepdims=True))), "sum of the whole array"),
    (lambda z: mc.log_softmax(z), "log-probabilities"),
    (lambda z: (lambda e: e / e.sum(axis=1))(np.exp(z - z.max(axis=1, keepdims=True))), "keepdims=True"),
    (lambda z: np.exp(z - z.max(axis=1)), "raised ValueError(.|\n)*keepdims=True"),
])
def test_softmax_names_each_common_mistake(fn, match):
    fails(checks.check_softmax, fn, match)


def test_softmax_refuses_to_shift_the_callers_logits_in_place():
    def shifts_in_place(z):
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    fails(checks.check_softmax, shifts_in_place, "changed its input `z` in place.*`z = z - ...`")


def fused_grad(z, y):
    grad = stable_softmax(z)
    grad[np.arange(len(y)), y] -= 1
    return grad / len(y)


def test_softmax_cross_entropy_grad(capsys):
    ok = "Correct: dL/dz = (softmax(z) - onehot(y)) / N."
    passes(checks.check_softmax_cross_entropy_grad, fused_grad, capsys, ok)
    passes(checks.check_softmax_cross_entropy_grad,
           lambda z, y: (mc.softmax(z) - (y[:, None] == np.arange(z.shape[1]))) / len(z), capsys, ok)


@pytest.mark.parametrize("fn, match", [
    (lambda z, y: fused_grad(z, y) * len(z), "1/N"),
    (lambda z, y: fused_grad(z, y) / z.shape[1], "N \\* C = 20"),
    (lambda z, y: fused_grad(z, y) * len(z) / z.shape[1], "number of classes C = 5"),
    (lambda z, y: -fused_grad(z, y), "sign"),
    (lambda z, y: mc.softmax(z) / len(z), "left out the one-hot"),
    (lambda z, y: (z - np.eye(z.shape[1])[y]) / len(z), "used the logits z"),
    (lambda z, y: -np.eye(z.shape[1])[y] / mc.softmax(z) / len(z), "that is dL/dp"),
    (lambda z, y: (stable_softmax(z.T).T - np.eye(z.shape[1])[y]) / len(z), "normalises over columns"),
    (lambda z, y: (lambda g: (g.__setitem__((slice(None), y), g[:, y] - 1), g / len(y))[1])(mc.softmax(z)),
     r"grad\[:, y\] -= 1"),
    (lambda z, y: (lambda g: (g.__setitem__(y, g[y] - 1), g / len(y))[1])(mc.softmax(z)),
     r"raised IndexError(.|\n)*p\[np.arange\(N\), y\]"),
    (lambda z, y: (mc.softmax(z) - (y == np.arange(z.shape[1]))) / len(z), r"raised ValueError(.|\n)*y\[:, None\]"),
])
def test_softmax_cross_entropy_grad_names_each_common_mistake(fn, match):
    fails(checks.check_softmax_cross_entropy_grad, fn, match)


# -- Exercise 5.3: accuracy -------------------------------------------------------------------------

def test_accuracy(capsys):
    ok = "Correct: accuracy = mean(argmax(logits, axis=1) == y)."
    passes(checks.check_accuracy, lambda logits, y: np.mean(logits.argmax(axis=1) == y), capsys, ok)
    passes(checks.check_accuracy, lambda logits, y: float(np.mean(np.argmax(logits, axis=1) == y)), capsys, ok)


@pytest.mark.parametrize("fn, match", [
    (lambda logits, y: np.sum(logits.argmax(axis=1) == y), "divide by N"),
    (lambda logits, y: logits.argmax(axis=1) == y, "array of per-row comparisons.*Return their mean as a float"),
    (lambda logits, y: logits.argmax(axis=1), "returned the predicted labels"),
    (lambda logits, y: 100 * np.mean(logits.argmax(axis=1) == y), r"percentage \(60\).*fraction in \[0, 1\]"),
    (lambda logits, y: np.mean(logits.argmax(axis=1) != y), "error rate"),
    (lambda logits, y: np.mean(logits.argmin(axis=1) == y), "argmin"),
    (lambda logits, y: np.mean(logits.argmax() == y), "without an axis"),
    (lambda logits, y: np.mean(logits.argmax(axis=0) == y), r"raised ValueError(.|\n)*along axis=1"),
    (lambda logits, y: np.sum(logits.argmax(axis=1) == y) // len(y), "integer division"),
    (lambda logits, y: np.mean(logits.max(axis=1) == y), "compared something other than the argmax"),
    (lambda logits, y: 0.25, r"Expected 0.6 \(3 of 5 rows right\)"),
])
def test_accuracy_names_each_common_mistake(fn, match):
    fails(checks.check_accuracy, fn, match)


def test_the_accuracy_mistakes_give_distinct_values():
    """Each recognised mistake must give its own value on the checker's data, or one would hide another."""
    logits = np.array([[3.0, 1.0, 0.5], [2.0, 0.1, 1.2], [1.5, -0.3, 0.7], [-1.0, 2.5, 0.4], [0.2, 0.9, 1.1]])
    y = np.array([0, 0, 0, 0, 1])
    acc = np.mean(logits.argmax(axis=1) == y)
    values = [acc, 100 * acc, np.sum(logits.argmax(axis=1) == y), 1 - acc, np.mean(logits.argmin(axis=1) == y),
              np.mean(logits.argmax() == y), 0.0]
    assert len(set(np.round(values, 9))) == len(values)


# -- every checker ----------------------------------------------------------------------------------

CHECKERS = {
    "check_scale_pixels": lambda images: None,
    "check_sigmoid_grad": lambda z: None,
    "check_mse_grad": lambda y_hat, y: None,
    "check_dense_backward": lambda X, W, delta: None,
    "check_mlp_backward": lambda X, y, W1, b1, W2, b2: None,
    "check_softmax": lambda z: None,
    "check_softmax_cross_entropy_grad": lambda z, y: None,
    "check_accuracy": lambda logits, y: None,
    "check_xavier_uniform": lambda shape, rng: None,
    "check_relu_forward_std": lambda x_sq, fan_ins, w_std: None,
    "check_cosine_lr": lambda p, lr_max, lr_min, warmup: None,
    "check_adamw_step": lambda w, g, m, v, t, lr, weight_decay: None,
    "check_dropout_forward": lambda x, p, rng: None,
    "check_smoothed_cross_entropy_grad": lambda z, y, eps: None,
    "check_fold_batchnorm": lambda W, b, gamma, beta, running_mean, running_var, eps: None,
    "check_layer_norm_backward": lambda x, gamma, grad_out, eps: None,
    "check_successive_halving": lambda scores, eta: None,
    "check_ablation_delta": lambda full, ablated: None,
}


def test_every_checker_is_covered_here():
    assert {name for name in dir(checks) if name.startswith("check_")} == set(CHECKERS)


@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_the_exercise_placeholder_is_recognised(checker):
    def placeholder(*args):
        raise NotImplementedError("Write it, then run the checker.")

    error = fails(getattr(checks, checker), placeholder, "still the exercise's placeholder")
    assert isinstance(error.__cause__, NotImplementedError)


@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_a_missing_return_is_recognised(checker):
    fails(getattr(checks, checker), CHECKERS[checker], "returned None.*`return` statement")


@pytest.mark.parametrize("error, meaning", [
    (NameError("name 'np' is not defined"), "not defined"),
    (np.exceptions.AxisError(2, 2), "axis the array does not have"),
    (IndexError("index 7 is out of bounds"), "index out of range"),
    (TypeError("only 0-dimensional arrays can be converted to Python scalars"), "math.exp"),
    (KeyError("W"), "traceback below"),
])
@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_no_error_in_the_learners_code_surfaces_raw(checker, error, meaning):
    def broken(*args):
        raise error

    raised = fails(getattr(checks, checker), broken, f"your function raised {type(error).__name__}(.|\n)*{meaning}")
    assert raised.__cause__ is error


def exercise_labels():
    """{checker name: "N.M"} for every exercise of the book whose statement names a checker."""
    found = {}
    for path in sorted(BOOK.glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            for chapter, number, body in re.findall(r":label: ch(\d+)-ex(\d+)\n(.*?)\n`{3,}", text, re.S):
                for checker in set(re.findall(r"\b(check_\w+)\(", body)):
                    found[checker] = f"{chapter}.{number}"
    return found


def test_checker_docstrings_name_their_exercise_by_its_label():
    labels = exercise_labels()
    assert set(labels) == set(CHECKERS), "every checker belongs to one exercise of the book"
    for checker, label in labels.items():
        chapter, number = label.split(".")
        assert getattr(checks, checker).__doc__.startswith(f"Exercise {label} (``ch{chapter}-ex{number}``):"), checker


def test_show_source_reads_the_installed_code():
    from mlp_core.display import show_source
    code = show_source(mc.Dense.backward)
    text = getattr(code, "data", code)
    assert "np.matmul(self.x.T, delta" in text


# -- Exercise 6.2: xavier_uniform --------------------------------------------------------------------

def xavier_uniform(shape, rng):
    limit = np.sqrt(6 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def uniform_with_bound(bound):
    return lambda shape, rng: rng.uniform(-bound(*shape), bound(*shape), size=shape).astype(np.float32)


def test_xavier_uniform_accepts_the_right_answers(capsys):
    ok = "Correct: float32 U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), drawn from rng."
    passes(checks.check_xavier_uniform, xavier_uniform, capsys, ok)
    passes(checks.check_xavier_uniform, lambda shape, rng: mc.xavier_uniform(shape, rng=rng), capsys, ok)


@pytest.mark.parametrize("fn, match", [
    (lambda shape, rng: xavier_uniform(shape, rng).T, "rows and columns swapped"),
    (lambda shape, rng: xavier_uniform(shape, rng)[:10], r"expected an array of shape \(300, 100\)"),
    (lambda shape, rng: xavier_uniform(shape, rng).astype(np.float64), "float64.*astype"),
    (lambda shape, rng: xavier_uniform(shape, np.random.default_rng(42)), "ignores `rng`"),
    (lambda shape, rng: xavier_uniform(shape, np.random.default_rng()), "generator of its own"),
    (lambda shape, rng: np.abs(xavier_uniform(shape, rng)), r"U\(0, l\)"),
    (lambda shape, rng: xavier_uniform(shape, rng) + np.float32(0.01), "mean"),
    (lambda shape, rng: mc.xavier_normal(shape, rng=rng), "normal distribution"),
    (uniform_with_bound(lambda i, o: np.sqrt(2 / (i + o))), "the standard deviation, as the bound"),
    (uniform_with_bound(lambda i, o: np.sqrt(6 / i)), "He's uniform"),
    (uniform_with_bound(lambda i, o: np.sqrt(6 / o)), "sqrt\\(6 / fan_out\\)"),
    (uniform_with_bound(lambda i, o: np.sqrt(3 / (i + o))), "sqrt\\(3 / \\(fan_in"),
    (uniform_with_bound(lambda i, o: 1 / np.sqrt(i)), "older heuristic"),
    (uniform_with_bound(lambda i, o: 6 / (i + o)), "square root is missing"),
    (uniform_with_bound(lambda i, o: 0.5), "expected them to fill"),
])
def test_xavier_uniform_names_each_common_mistake(fn, match):
    fails(checks.check_xavier_uniform, fn, match)


# -- Exercise 6.3: relu_forward_std ------------------------------------------------------------------

def relu_forward_std(x_sq, fan_ins, w_std):
    var, out = x_sq, []
    for k, fan in enumerate(fan_ins):
        var = fan * w_std**2 * (var if k == 0 else var / 2)
        out.append(np.sqrt(var))
    return np.array(out)


def test_relu_forward_std(capsys):
    ok = "Correct: Var(Z^(1)) = n_1 w^2 E[x^2], then Var(Z^(l)) = n_l w^2 Var(Z^(l-1)) / 2 for each ReLU layer."
    passes(checks.check_relu_forward_std, relu_forward_std, capsys, ok)
    passes(checks.check_relu_forward_std, lambda x, f, w: list(relu_forward_std(x, f, w)), capsys, ok)


def _relu_variant(first=1.0, half=2.0, power=2, fans=None, square_x=False, halve_std=False):
    def fn(x_sq, fan_ins, w_std):
        fan_ins = fans(fan_ins) if fans else fan_ins
        x = x_sq**2 if square_x else x_sq
        out = [np.sqrt(fan_ins[0] * w_std**power * x / first)]
        for fan in fan_ins[1:]:
            if halve_std:
                out.append(np.sqrt(fan) * w_std * out[-1] / 2)
            else:
                out.append(np.sqrt(fan * w_std**power * out[-1] ** 2 / half))
        return np.array(out)
    return fn


@pytest.mark.parametrize("fn, match", [
    (lambda x, f, w: relu_forward_std(x, f, w) ** 2, "returned variances"),
    (_relu_variant(half=1.0), "factor 1/2 is missing"),
    (_relu_variant(first=2.0), "halved the first layer too"),
    (_relu_variant(power=1), "w_std is a standard deviation"),
    (_relu_variant(fans=lambda f: [f[0]] * len(f)), "first layer's fan-in for every layer"),
    (_relu_variant(halve_std=True), "halved the standard deviation"),
    (_relu_variant(square_x=True), "not squared"),
    (lambda x, f, w: np.concatenate([[np.sqrt(x)], relu_forward_std(x, f, w)]), "extra entry first"),
    (lambda x, f, w: relu_forward_std(x, f, w)[:-1], r"expected an array of shape \(4,\)"),
    (lambda x, f, w: 2 * relu_forward_std(x, f, w), "wrong values"),
])
def test_relu_forward_std_names_each_common_mistake(fn, match):
    fails(checks.check_relu_forward_std, fn, match)


# -- Exercise 7.2: cosine_lr ------------------------------------------------------------------------

def cosine_lr(p, lr_max, lr_min, warmup):
    if p < warmup:
        return lr_max * p / warmup
    q = (p - warmup) / (1 - warmup)
    return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * q)) / 2


def cosine_variant(warm=None, cos=None):
    """cosine_lr with its warm-up or its cosine part replaced: warm(p, lr_max, lr_min, warmup), cos(p, ...)."""
    def fn(p, lr_max, lr_min, warmup):
        if p < warmup:
            return warm(p, lr_max, lr_min, warmup) if warm else lr_max * p / warmup
        return cos(p, lr_max, lr_min, warmup) if cos else cosine_lr(p, lr_max, lr_min, warmup)
    return fn


def _q(p, warmup):
    return (p - warmup) / (1 - warmup)


def test_cosine_lr_accepts_the_right_answers(capsys):
    ok = "Correct: a linear warm-up to lr_max, then half a cosine down to lr_min."
    passes(checks.check_cosine_lr, cosine_lr, capsys, ok)
    passes(checks.check_cosine_lr, lambda p, a, b, w: mc.schedules.cosine(a, b, w)(p), capsys, ok)
    passes(checks.check_cosine_lr, lambda p, a, b, w: np.float32(cosine_lr(p, a, b, w)), capsys, ok)


@pytest.mark.parametrize("fn, match", [
    (lambda p, a, b, w: b + (a - b) * (1 + np.cos(np.pi * p)) / 2, "there is no warm-up"),
    (cosine_variant(warm=lambda p, a, b, w: b + (a - b) * p / w), "warm-up starts from lr_min"),
    (cosine_variant(cos=lambda p, a, b, w: b + (a - b) * (1 + np.cos(np.pi * p)) / 2), "uses p itself"),
    (cosine_variant(cos=lambda p, a, b, w: b + (a - b) * (1 + np.cos(np.pi * (p - w))) / 2), "did not stretch it"),
    (cosine_variant(cos=lambda p, a, b, w: b + (a - b) * (1 + np.cos(np.pi * _q(p, w)))), "factor 1/2 is missing"),
    (cosine_variant(cos=lambda p, a, b, w: b + (a - b) * np.cos(np.pi * _q(p, w))), "makes the rate negative"),
    (cosine_variant(cos=lambda p, a, b, w: a * (1 + np.cos(np.pi * _q(p, w))) / 2), "ends at 0, not at lr_min"),
    (cosine_variant(cos=lambda p, a, b, w: b + a * (1 + np.cos(np.pi * _q(p, w))) / 2), "starts at lr_max \\+ lr_min"),
    (cosine_variant(cos=lambda p, a, b, w: b + (a - b) * (1 + np.cos(_q(p, w))) / 2), "missing its pi"),
    (cosine_variant(cos=lambda p, a, b, w: b + (a - b) * (1 - np.cos(np.pi * _q(p, w))) / 2), "rises from lr_min"),
    (lambda p, a, b, w: np.full(3, cosine_lr(p, a, b, w)), r"returned an array of shape \(3,\); return one number"),
    (lambda p, a, b, w: cosine_lr(p, a, b, w) * 1.5, r"every value should lie in \[0, 0.1\]"),
    (lambda p, a, b, w: cosine_lr(p, a, b, w) * 0.9, "wrong values; at index"),
])
def test_cosine_lr_names_each_common_mistake(fn, match):
    fails(checks.check_cosine_lr, fn, match)


# -- Exercise 7.3: adamw_step -----------------------------------------------------------------------

B1, B2, EPS = 0.9, 0.999, 1e-8


def adamw_step(w, g, m, v, t, lr, weight_decay, *, decay="before", l2=False, correct=lambda t: t,
               eps_inside=False, sqrt=True, b1_form=None, v_form=None):
    """The right AdamW step, or one of the typical mistakes (selected by the keywords)."""
    grad = g + weight_decay * w if l2 else g
    m = b1_form(m, grad) if b1_form else B1 * m + (1 - B1) * grad
    v = v_form(v, grad) if v_form else B2 * v + (1 - B2) * grad ** 2
    tc = correct(t)
    m_hat = m / (1 - B1 ** tc) if tc else m
    v_hat = v / (1 - B2 ** tc) if tc else v
    root = np.sqrt(v_hat + EPS) if eps_inside else (np.sqrt(v_hat) + EPS if sqrt else v_hat + EPS)
    step = lr * m_hat / root
    if l2 or decay is None:
        return w - step, m, v
    if decay == "before":
        return w * (1 - lr * weight_decay) - step, m, v
    if decay == "no lr":
        return w * (1 - weight_decay) - step, m, v
    if decay == "after":
        return (w - step) * (1 - lr * weight_decay), m, v
    return w * (1 + lr * weight_decay) - step, m, v  # "plus"


def test_adamw_step_accepts_the_right_answers(capsys):
    ok = "Correct: w <- (1 - lr * weight_decay) w - lr * m_hat / (sqrt(v_hat) + eps), with m and v of the raw gradient."
    passes(checks.check_adamw_step, adamw_step, capsys, ok)
    passes(checks.check_adamw_step, lambda *a: list(adamw_step(*a)), capsys, ok)

    def through_the_package(w, g, m, v, t, lr, weight_decay):
        class One:
            def named_parameters(self):
                return [("W", W, G)]
        W, G = w.copy(), g.copy()
        opt = mc.AdamW(One(), lr=lr, weight_decay=weight_decay)
        opt.state["W"] = {"m": m.copy(), "v": v.copy()}
        opt.t = t - 1
        opt.step()
        return W, opt.state["W"]["m"], opt.state["W"]["v"]

    passes(checks.check_adamw_step, through_the_package, capsys, ok)


@pytest.mark.parametrize("kw, match", [
    ({"l2": True}, "went into the gradient and so into m and v: that is L2"),
    ({"decay": None}, "the weights did not decay"),
    ({"decay": "no lr"}, "not scaled by the learning rate"),
    ({"decay": "after"}, "shrank the weights after the Adam step"),
    ({"decay": "plus"}, "sign: weight decay shrinks"),
    ({"correct": lambda t: 0}, "bias correction is missing"),
    ({"correct": lambda t: t - 1}, "bias correction with t - 1"),
    ({"correct": lambda t: t + 1}, "bias correction with t \\+ 1"),
    ({"eps_inside": True}, "eps belongs outside the square root"),
    ({"sqrt": False}, "the square root is missing"),
    ({"b1_form": lambda m, g: B1 * m + g}, r"\(m_new\): the factor \(1 - beta1\)"),
    ({"b1_form": lambda m, g: 0.1 * m + 0.9 * g}, "beta1 and 1 - beta1 are swapped"),
    ({"v_form": lambda v, g: B2 * v + (1 - B2) * g}, r"\(v_new\): v averages the squared gradient"),
    ({"v_form": lambda v, g: B2 * v + g ** 2}, r"the factor \(1 - beta2\) on g\*\*2 is missing"),
])
def test_adamw_step_names_each_common_mistake(kw, match):
    fails(checks.check_adamw_step, lambda *args: adamw_step(*args, **kw), match)


def test_adamw_step_refuses_other_results_and_in_place_moments():
    fails(checks.check_adamw_step, lambda *args: adamw_step(*args)[0], "as a tuple; you returned ndarray")
    fails(checks.check_adamw_step, lambda *args: adamw_step(*args)[:2], "of length 2")

    def in_place(w, g, m, v, t, lr, weight_decay):
        w_new, m_new, v_new = adamw_step(w, g, m, v, t, lr, weight_decay)
        m[...] = m_new
        return w_new, m_new, v_new

    fails(checks.check_adamw_step, in_place, "changed its input `m` in place")


# -- Exercise 8.2: dropout_forward ------------------------------------------------------------------

def dropout_forward(x, p, rng, *, keep_prob=None, scale=None, shared=False, dtype=np.float32):
    """Inverted dropout, or one of the typical mistakes (selected by the keywords)."""
    keep_prob = 1 - p if keep_prob is None else keep_prob
    draw = rng.random(x.shape[1:] if shared else x.shape, dtype=np.float32)
    scale = 1 / (1 - p) if scale is None else scale
    return (x * (draw < keep_prob) * scale).astype(dtype)


def test_dropout_forward_accepts_the_right_answers(capsys):
    ok = "Correct: each entry zeroed with probability p, the rest divided by 1 - p, drawn from rng."
    passes(checks.check_dropout_forward, dropout_forward, capsys, ok)
    passes(checks.check_dropout_forward,
           lambda x, p, rng: x * ((rng.random(x.shape) >= p) / (1 - p)).astype(x.dtype), capsys, ok)

    def through_the_package(x, p, rng):
        layer = mc.Dropout(p)
        layer.rng = rng
        return layer.forward(x)

    passes(checks.check_dropout_forward, through_the_package, capsys, ok)


@pytest.mark.parametrize("fn, match", [
    (lambda x, p, rng: dropout_forward(x, p, rng, scale=1.0), "the kept entries are not scaled"),
    (lambda x, p, rng: dropout_forward(x, p, rng, scale=1 / p), "divided the kept entries by p"),
    (lambda x, p, rng: dropout_forward(x, p, rng, scale=1 - p), "multiplied by 1 - p"),
    (lambda x, p, rng: dropout_forward(x, p, rng, keep_prob=p, scale=1 / p), "about 1 - p; p = 0.3 is the probability"),
    (lambda x, p, rng: dropout_forward(x, p, rng, shared=True), "every row has the same mask"),
    (lambda x, p, rng: x * np.float32(1 / (1 - p)), "nothing was dropped"),
    (lambda x, p, rng: dropout_forward(x, p, rng, dtype=np.float64), "x is float32 but your result is float64"),
    (lambda x, p, rng: dropout_forward(x, p, np.random.default_rng(0)), "ignores `rng`"),
    (lambda x, p, rng: dropout_forward(x, p, np.random.default_rng()), "draws from a generator of its own"),
    (lambda x, p, rng: dropout_forward(x, p / 2, rng), "you dropped .*%.*about 30% should be zeroed"),
    (lambda x, p, rng: dropout_forward(x, p, rng).T, "got its transpose"),
    (lambda x, p, rng: dropout_forward(x, p, rng) * (1 + rng.random(x.shape, dtype=np.float32)),
     "not all scaled alike"),
])
def test_dropout_forward_names_each_common_mistake(fn, match):
    fails(checks.check_dropout_forward, fn, match)


# -- Exercise 8.3: smoothed_cross_entropy_grad ------------------------------------------------------

def smoothed_grad(z, y, eps, *, targets=None, n_div=None, smooth_p=False, sign=1):
    """The right gradient, or one of the typical mistakes (selected by the keywords)."""
    n, c = z.shape
    onehot = np.eye(c)[y]
    t = (1 - eps) * onehot + eps / c if targets is None else targets(onehot, eps, c)
    p = mc.softmax(z)
    diff = ((1 - eps) * p + eps / c - onehot) if smooth_p else (p - t)
    return sign * diff / (n if n_div is None else n_div(n, c))


def test_smoothed_cross_entropy_grad_accepts_the_right_answers(capsys):
    ok = "Correct: dL/dz = (softmax(z) - y_eps) / N with y_eps = (1 - eps) onehot(y) + eps / C."
    passes(checks.check_smoothed_cross_entropy_grad, smoothed_grad, capsys, ok)

    def through_the_package(z, y, eps):
        loss = mc.SoftmaxCrossEntropy(label_smoothing=eps)
        loss(z, y)
        return loss.backward()

    passes(checks.check_smoothed_cross_entropy_grad, through_the_package, capsys, ok)


@pytest.mark.parametrize("kw, match", [
    ({"targets": lambda o, e, c: o}, "gradient without smoothing"),
    ({"targets": lambda o, e, c: o + e / c}, r"factor \(1 - eps\) on the one-hot is missing"),
    ({"targets": lambda o, e, c: (1 - e) * o + e}, "eps is not divided by C"),
    ({"targets": lambda o, e, c: (1 - e) * o + e / (c - 1) * (1 - o)}, "over the C - 1 wrong classes"),
    ({"targets": lambda o, e, c: e * o + (1 - e) / c}, "eps and 1 - eps are swapped"),
    ({"smooth_p": True}, "smoothed the predicted probabilities"),
    ({"n_div": lambda n, c: 1}, "forgot the 1/N"),
    ({"n_div": lambda n, c: n * c}, r"divided by N \* C"),
    ({"sign": -1}, "sign: the gradient is"),
])
def test_smoothed_cross_entropy_grad_names_each_common_mistake(kw, match):
    fails(checks.check_smoothed_cross_entropy_grad, lambda z, y, eps: smoothed_grad(z, y, eps, **kw), match)


def test_smoothed_cross_entropy_grad_checks_eps_zero_too():
    fails(checks.check_smoothed_cross_entropy_grad,
          lambda z, y, eps: smoothed_grad(z, y, eps if eps else 0.1), r"\(eps = 0\): wrong values")


# -- Exercise 9.2: fold_batchnorm -------------------------------------------------------------------

def fold_batchnorm(W, b, gamma, beta, running_mean, running_var, eps, *, scale=None, shift=None):
    """The right folding, or a mistake: scale(W, gamma, var, eps) -> W_folded, shift(b, mean, s, beta) -> b_folded."""
    s = gamma / np.sqrt(running_var + eps)
    W_new = scale(W, gamma, running_var, eps) if scale else W * s
    b_new = shift(b, running_mean, s, beta) if shift else (b - running_mean) * s + beta
    return W_new, b_new


def test_fold_batchnorm_accepts_the_right_answers(capsys):
    ok = ("Correct: W_folded = W * s and b_folded = (b - running_mean) * s + beta, "
          "s = gamma / sqrt(running_var + eps).")
    passes(checks.check_fold_batchnorm, fold_batchnorm, capsys, ok)

    def through_the_package(W, b, gamma, beta, running_mean, running_var, eps):
        """Read the folded layer off the package's Dense + BatchNorm1d in evaluation mode."""
        dense, bn = mc.Dense(*W.shape, dtype=np.float64), mc.BatchNorm1d(W.shape[1], eps=eps, dtype=np.float64)
        dense.params["W"][...], dense.params["b"][...] = W, b
        bn.params["gamma"][...], bn.params["beta"][...] = gamma, beta
        bn.buffers["running_mean"][...], bn.buffers["running_var"][...] = running_mean, running_var
        bn.training = False
        b_new = bn.forward(dense.forward(np.zeros((1, W.shape[0]))))[0]
        return bn.forward(dense.forward(np.eye(W.shape[0]))) - b_new, b_new

    passes(checks.check_fold_batchnorm, through_the_package, capsys, ok)


@pytest.mark.parametrize("kw, match", [
    ({"scale": lambda W, g, v, e: W}, r"\(W_folded\): W is unchanged"),
    ({"scale": lambda W, g, v, e: W * (g / np.sqrt(v + e))[:, None]}, r"broadcast(.|\n)*scale the columns, W \* s"),
    ({"scale": lambda W, g, v, e: W * g / np.sqrt(v)}, "eps is missing"),
    ({"scale": lambda W, g, v, e: W * g / (np.sqrt(v) + e)}, "eps belongs inside the square root"),
    ({"scale": lambda W, g, v, e: W * g / (v + e)}, "divided by the variance"),
    ({"scale": lambda W, g, v, e: W / np.sqrt(v + e)}, "gamma is missing"),
    ({"scale": lambda W, g, v, e: W * np.sqrt(v + e) / g}, "upside down"),
    ({"shift": lambda b, m, s, beta: b * s + beta}, r"\(b_folded\): the running mean is not subtracted"),
    ({"shift": lambda b, m, s, beta: (b - m) * s}, "beta is missing"),
    ({"shift": lambda b, m, s, beta: b - m + beta}, "shifted bias is not rescaled"),
    ({"shift": lambda b, m, s, beta: b * s - m + beta}, "running mean must be scaled too"),
    ({"shift": lambda b, m, s, beta: -m * s + beta}, "own bias b is missing"),
    ({"shift": lambda b, m, s, beta: (b - m) * s + beta * s}, "beta is added after the scaling"),
    ({"shift": lambda b, m, s, beta: (b + m) * s + beta}, "sign: subtract the running mean"),
])
def test_fold_batchnorm_names_each_common_mistake(kw, match):
    fails(checks.check_fold_batchnorm, lambda *args: fold_batchnorm(*args, **kw), match)


def test_fold_batchnorm_finds_scaled_rows_with_a_square_w_too():
    def rows_when_square(W, b, gamma, beta, mean, var, eps):
        s = gamma / np.sqrt(var + eps)
        return (W * s[:, None] if W.shape[0] == W.shape[1] else W * s), (b - mean) * s + beta

    fails(checks.check_fold_batchnorm, rows_when_square, "you scaled the rows of W")


def test_fold_batchnorm_refuses_other_results():
    fails(checks.check_fold_batchnorm, lambda *args: fold_batchnorm(*args)[::-1], "wrong order")
    fails(checks.check_fold_batchnorm, lambda *args: fold_batchnorm(*args)[0], "the pair .*you returned ndarray")

    def in_place(W, b, gamma, beta, running_mean, running_var, eps):
        W_new, b_new = fold_batchnorm(W, b, gamma, beta, running_mean, running_var, eps)
        W *= 1  # harmless...
        b -= running_mean  # ...this one is not
        return W_new, b_new

    fails(checks.check_fold_batchnorm, in_place, "changed its input `b` in place")


# -- Exercise 9.3: layer_norm_backward --------------------------------------------------------------

def layer_norm_backward(x, gamma, grad_out, eps, *, axis=1, corr_axis=None, mean_term=True, var_term=True,
                        ddof=0, eps_outside=False, use_gamma=True, divide_by=None):
    """The right backward pass of layer norm, or one of the typical mistakes (selected by the keywords)."""
    mean = x.mean(axis=axis, keepdims=True)
    var = ((x - mean) ** 2).sum(axis=axis, keepdims=True) / (x.shape[axis] - ddof)
    inv = 1 / (np.sqrt(var) + eps) if eps_outside else 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv
    g = grad_out * gamma if use_gamma else grad_out
    c = axis if corr_axis is None else corr_axis
    avg = (lambda a: a.sum(axis=c, keepdims=True) / divide_by) if divide_by else (lambda a: a.mean(axis=c, keepdims=True))
    dx = inv * (g - (avg(g) if mean_term else 0) - (x_hat * avg(g * x_hat) if var_term else 0))
    return dx, (grad_out * x_hat).sum(axis=0), grad_out.sum(axis=0)


def layer_norm_backward_through_the_graph(x, gamma, grad_out, eps):
    """The same gradient the long way: through x_hat, then the row's variance, then its mean."""
    d = x.shape[1]
    mean = x.mean(axis=1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    g = grad_out * gamma
    d_var = np.sum(g * (x - mean), axis=1, keepdims=True) * -0.5 * (var + eps) ** -1.5
    d_mean = -np.sum(g, axis=1, keepdims=True) / np.sqrt(var + eps)
    return g / np.sqrt(var + eps) + d_var * 2 * (x - mean) / d + d_mean / d, (grad_out * x_hat).sum(0), grad_out.sum(0)


LAYER_NORM_OK = ("Correct: dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps) with g = grad_out * gamma "
                 "and means over each row; dgamma and dbeta sum over the rows.")


def test_layer_norm_backward_accepts_the_right_answers(capsys):
    passes(checks.check_layer_norm_backward, layer_norm_backward, capsys, LAYER_NORM_OK)
    passes(checks.check_layer_norm_backward, layer_norm_backward_through_the_graph, capsys, LAYER_NORM_OK)

    def transposed_batch_norm(x, gamma, grad_out, eps):
        """Layer norm is batch norm of x.T, up to where gamma and beta sit."""
        bn = mc.BatchNorm1d(x.shape[0], eps=eps, dtype=np.float64)
        bn.forward(x.T)
        dx_hat = bn.backward((grad_out * gamma).T).T
        x_hat = bn.x_hat.T
        return dx_hat, (grad_out * x_hat).sum(axis=0), grad_out.sum(axis=0)

    passes(checks.check_layer_norm_backward, transposed_batch_norm, capsys, LAYER_NORM_OK)


def with_grads(dgamma=None, dbeta=None):
    """layer_norm_backward with its dgamma or dbeta replaced: dgamma(grad_out, x_hat, x), dbeta(grad_out)."""
    def fn(x, gamma, grad_out, eps):
        dx, dg, db = layer_norm_backward(x, gamma, grad_out, eps)
        mean = x.mean(axis=1, keepdims=True)
        x_hat = (x - mean) / np.sqrt(x.var(axis=1, keepdims=True) + eps)
        return dx, dgamma(grad_out, x_hat, x) if dgamma else dg, dbeta(grad_out) if dbeta else db
    return fn


def batch_norm_shortcut(x, gamma, grad_out, eps):
    dx, dgamma, dbeta = layer_norm_backward(x, gamma, grad_out, eps)
    mean = x.mean(axis=1, keepdims=True)
    inv = 1 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    n = len(x)
    return inv * gamma * (grad_out - dbeta / n - (x - mean) * inv * dgamma / n), dgamma, dbeta


@pytest.mark.parametrize("fn, match", [
    (lambda *a: layer_norm_backward(*a, axis=0), r"\(dx\): you normalised over the wrong axis"),
    (lambda *a: layer_norm_backward(*a, corr_axis=0), "correction terms average over the batch"),
    (lambda *a: layer_norm_backward(*a, mean_term=False, var_term=False), "both correction terms are missing"),
    (lambda *a: layer_norm_backward(*a, var_term=False), "correction through the variance is missing"),
    (lambda *a: layer_norm_backward(*a, mean_term=False), "correction through the mean is missing"),
    (lambda *a: layer_norm_backward(*a, ddof=1), "unbiased variance"),
    (lambda *a: layer_norm_backward(*a, eps_outside=True), "eps belongs inside the square root"),
    (lambda x, gamma, grad_out, eps: layer_norm_backward(x, gamma, grad_out, 0.0), "eps is missing"),
    (lambda *a: layer_norm_backward(*a, use_gamma=False), "gamma is missing from dx"),
    (lambda *a: layer_norm_backward(*a, divide_by=len(a[0])), "must be divided by d, not by the batch size"),
    (batch_norm_shortcut, "as in batch norm's shortcut"),
    (with_grads(dgamma=lambda g, x_hat, x: (g * x_hat).sum(axis=1)), r"\(dgamma\): you summed over the features"),
    (with_grads(dgamma=lambda g, x_hat, x: g.sum(axis=0)), "x_hat is missing"),
    (with_grads(dgamma=lambda g, x_hat, x: (g * x).sum(axis=0)), "not by x"),
    (with_grads(dgamma=lambda g, x_hat, x: (g * x_hat).mean(axis=0)), r"\(dgamma\): sum over the rows, not mean"),
    (with_grads(dbeta=lambda g: g.sum(axis=1)), r"\(dbeta\): you summed over the features"),
    (with_grads(dbeta=lambda g: g.mean(axis=0)), r"\(dbeta\): sum over the rows, not mean"),
])
def test_layer_norm_backward_names_each_common_mistake(fn, match):
    fails(checks.check_layer_norm_backward, fn, match)


def test_layer_norm_backward_refuses_other_results():
    fails(checks.check_layer_norm_backward, lambda *a: layer_norm_backward(*a)[:2], "of length 2")
    fails(checks.check_layer_norm_backward, lambda *a: (lambda dx, dg, db: (dx, db, dg))(*layer_norm_backward(*a)),
          "dgamma and dbeta are swapped")

    def centres_in_place(x, gamma, grad_out, eps):
        result = layer_norm_backward(x, gamma, grad_out, eps)
        x -= x.mean(axis=1, keepdims=True)
        return result

    fails(checks.check_layer_norm_backward, centres_in_place, "changed its input `x` in place")


# -- Exercise 10.1: successive_halving -----------------------------------------------------------------

HALVING_OK = ("Correct: every round keeps the best len // eta of its survivors by that round's scores, and the winner "
              "is the best of the last round.")


def successive_halving(scores, eta, column=None, ascending=False, ties_high=False, positions=False, ceil=False,
                       of_n=False, rounds_off=0, winner_column=None):
    """The reference, and each common mistake by a keyword."""
    n, R = scores.shape
    alive, rounds = list(range(n)), [list(range(n))]
    for k in range(R - 1 + rounds_off):
        s = scores[alive, k if column is None else column]
        s = -s if ascending else s
        order = np.argsort(s)[::-1] if ties_high else np.argsort(-s, kind="stable")
        m = len(alive)
        keep = max(1, n // eta) if of_n else (-(-m // eta) if ceil else max(1, m // eta))
        picked = order[:keep]
        alive = sorted(int(i) for i in (picked if positions else np.asarray(alive)[picked]))
        rounds.append(alive)
    last = scores[alive, R - 1 if winner_column is None else winner_column]
    return rounds, alive[int(np.argmax(last))]


def test_successive_halving_accepts_the_right_answers(capsys):
    passes(checks.check_successive_halving, successive_halving, capsys, HALVING_OK)
    passes(checks.check_successive_halving, lambda s, e: tuple(np.array(r) for r in successive_halving(s, e)[0])
           and (successive_halving(s, e)[0][::-1][::-1], np.int64(successive_halving(s, e)[1])), capsys, HALVING_OK)


@pytest.mark.parametrize("kw, match", [
    ({"ascending": True}, "LOWEST scores"),
    ({"column": 0}, "ranks by the first column"),
    ({"column": -1}, "ranks by the last column"),
    ({"positions": True}, "positions within the current round"),
    ({"ties_high": True}, "ties go to the lower index"),
    ({"ceil": True}, "you rounded up"),
    ({"of_n": True}, "not of the n you started with"),
    ({"rounds_off": 1}, "rounds needs 2 entries"),
    ({"rounds_off": -1}, "rounds needs 2 entries"),
    ({"winner_column": 0}, "you chose the winner by the first column"),
])
def test_successive_halving_names_each_common_mistake(kw, match):
    fails(checks.check_successive_halving, lambda s, e: successive_halving(s, e, **kw), match)


def test_successive_halving_names_a_wrong_winner():
    last_survivor = lambda s, e: (successive_halving(s, e)[0], successive_halving(s, e)[0][-1][-1])
    fails(checks.check_successive_halving, last_survivor, "the winner is the survivor of the last round")
    fails(checks.check_successive_halving, lambda s, e: (successive_halving(s, e)[0], 9),
          "was not even trained in the last round")


def test_successive_halving_refuses_other_results():
    fails(checks.check_successive_halving, lambda s, e: successive_halving(s, e)[0], "the rounds alone")
    fails(checks.check_successive_halving, lambda s, e: successive_halving(s, e)[1], "return the pair")
    fails(checks.check_successive_halving, lambda s, e: ([[0, 1]] + successive_halving(s, e)[0][1:],
                                                         successive_halving(s, e)[1]), "first round trains every")

    def sorts_in_place(scores, eta):
        result = successive_halving(scores, eta)
        scores.sort(axis=0)
        return result

    fails(checks.check_successive_halving, sorts_in_place, "changed its input `scores` in place")


# -- Exercise 10.2: ablation_delta -----------------------------------------------------------------------

DELTA_OK = ("Correct: delta = mean(ablated) - mean(full), se = s * sqrt(1 / n_f + 1 / n_a) with s the sample standard "
            "deviation of the full recipe's runs.")


def ablation_delta(full, ablated, sign=1, scale=1, ddof=1, se_rule="ok"):
    """The reference, and each common mistake by a keyword."""
    n_f, n_a = len(full), len(ablated)
    s = full.std(ddof=ddof)
    se = {"ok": s * np.sqrt(1 / n_f + 1 / n_a), "sd": s, "full only": s / np.sqrt(n_f),
          "no sqrt": s * (1 / n_f + 1 / n_a), "variance": s**2 * np.sqrt(1 / n_f + 1 / n_a),
          "pooled": np.sqrt((np.sum((full - full.mean())**2) + np.sum((ablated - ablated.mean())**2))
                            / (n_f + n_a - 2)) * np.sqrt(1 / n_f + 1 / n_a)}[se_rule]
    return sign * scale * (ablated.mean() - full.mean()), scale * se


def test_ablation_delta_accepts_the_right_answers(capsys):
    passes(checks.check_ablation_delta, ablation_delta, capsys, DELTA_OK)
    passes(checks.check_ablation_delta, lambda f, a: [float(x) for x in ablation_delta(f, a)], capsys, DELTA_OK)


@pytest.mark.parametrize("kw, match", [
    ({"sign": -1}, r"\(delta\): the sign is reversed"),
    ({"scale": 100}, r"\(delta\): you returned percentage points"),
    ({"ddof": 0}, r"\(se\): use the sample standard deviation, ddof=1"),
    ({"se_rule": "sd"}, "standard deviation of one run"),
    ({"se_rule": "full only"}, "the ablated runs are noisy too"),
    ({"se_rule": "no sqrt"}, "the square root is missing"),
    ({"se_rule": "variance"}, "the variance s\\*\\*2"),
    ({"se_rule": "pooled"}, "from the full recipe's runs only"),
])
def test_ablation_delta_names_each_common_mistake(kw, match):
    fails(checks.check_ablation_delta, lambda f, a: ablation_delta(f, a, **kw), match)


def test_ablation_delta_refuses_other_results():
    fails(checks.check_ablation_delta, lambda f, a: ablation_delta(f, a)[0], "return the pair")
    fails(checks.check_ablation_delta, lambda f, a: (np.array([ablation_delta(f, a)[0]] * 2), 0.01),
          "single numbers")
