"""The exercise checkers accept right answers and explain the typical wrong ones."""
import numpy as np
import pytest

import mlp_core as mc
from mlp_core import checks
from mlp_core.checks import ExerciseError


def test_scale_pixels(capsys):
    checks.check_scale_pixels(lambda im: im.reshape(len(im), -1).astype(np.float32) / np.float32(255))
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="float64"):
        checks.check_scale_pixels(lambda im: im.reshape(len(im), -1) / 255.0)
    with pytest.raises(ExerciseError, match="flatten"):
        checks.check_scale_pixels(lambda im: im.astype(np.float32) / np.float32(255))


def test_sigmoid_grad():
    checks.check_sigmoid_grad(lambda z: mc.sigmoid(z) * (1 - mc.sigmoid(z)))
    with pytest.raises(ExerciseError, match="sign slip"):
        checks.check_sigmoid_grad(lambda z: mc.sigmoid(z) * (1 + mc.sigmoid(z)))
    with pytest.raises(ExerciseError, match="overflow"):
        checks.check_sigmoid_grad(lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2)


def test_mse_grad():
    checks.check_mse_grad(lambda y_hat, y: (y_hat - y) / len(y))
    with pytest.raises(ExerciseError, match="forgot the 1/N"):
        checks.check_mse_grad(lambda y_hat, y: y_hat - y)
    with pytest.raises(ExerciseError, match="factor 2"):
        checks.check_mse_grad(lambda y_hat, y: 2 * (y_hat - y) / len(y))


def test_dense_backward():
    checks.check_dense_backward(lambda X, W, d: (X.T @ d, d.sum(axis=0), d @ W.T))
    with pytest.raises(ExerciseError, match="column sum"):
        checks.check_dense_backward(lambda X, W, d: (X.T @ d, d.mean(axis=0), d @ W.T))
    with pytest.raises(ExerciseError, match="shape"):
        checks.check_dense_backward(lambda X, W, d: (d.T @ X, d.sum(axis=0), d @ W.T))


def test_softmax_and_its_cross_entropy_gradient():
    checks.check_softmax(mc.softmax)
    with pytest.raises(ExerciseError, match="overflow"):
        checks.check_softmax(lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))
    grad = lambda z, y: (mc.softmax(z) - np.eye(z.shape[1])[y]) / len(z)
    checks.check_softmax_cross_entropy_grad(grad)
    with pytest.raises(ExerciseError, match="1/N"):
        checks.check_softmax_cross_entropy_grad(lambda z, y: grad(z, y) * len(z))


def test_accuracy():
    checks.check_accuracy(lambda logits, y: np.mean(logits.argmax(axis=1) == y))
    with pytest.raises(ExerciseError, match="divide by N"):
        checks.check_accuracy(lambda logits, y: np.sum(logits.argmax(axis=1) == y))


def test_show_source_reads_the_installed_code():
    from mlp_core.display import show_source
    code = show_source(mc.Dense.backward)
    text = getattr(code, "data", code)
    assert "np.matmul(self.x.T, delta" in text
