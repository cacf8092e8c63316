"""layer_statistics and Diagnostics report the right numbers, change nothing they should not, and cost
nothing in fit when they are off."""
import math

import numpy as np
import pytest

import mlp_core as mc
from mlp_core.datasets import spiral


def small_model(dtype=np.float32, **kw):
    return mc.mlp([6, 8, 7, 3], seed=0, dtype=dtype, **kw)


def data(n=20, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)), rng.integers(0, 3, n)


def test_layer_statistics_matches_a_direct_computation():
    X, y = data()
    model = small_model(np.float64)
    stats = mc.layer_statistics(model, X, y, keep_arrays=True)
    dense = [model.layers[i] for i in (0, 2, 4)]
    A1 = np.maximum(X @ dense[0].params["W"], 0)  # biases are zero at initialisation
    A2 = np.maximum(A1 @ dense[1].params["W"], 0)
    for k, A in enumerate([X, A1, A2]):
        np.testing.assert_allclose(stats["inputs"][k], A, rtol=1e-12)
        assert stats["input_std"][k] == pytest.approx(A.std(), rel=1e-12)
        assert stats["input_mean"][k] == pytest.approx(A.mean(), rel=1e-12)
        assert stats["input_zero"][k] == np.mean(A == 0)
        assert stats["weight_std"][k] == pytest.approx(dense[k].params["W"].std())
    assert stats["layer"] == ["0.W", "2.W", "4.W"]
    assert stats["loss"] == pytest.approx(mc.SoftmaxCrossEntropy().forward(A2 @ dense[2].params["W"], y))
    assert stats["input_zero"][0] == 0 and 0.2 < stats["input_zero"][1] < 0.8


def test_layer_statistics_gradients_agree_with_backward_and_finite_differences():
    X, y = data()
    model = small_model(np.float64)
    stats = mc.layer_statistics(model, X, y, keep_arrays=True)
    grads = {name: g.copy() for name, _, g in model.named_parameters()}
    loss = mc.SoftmaxCrossEntropy()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    for name, _, g in model.named_parameters():
        np.testing.assert_array_equal(grads[name], g)
    for k, i in enumerate((0, 2, 4)):
        assert stats["grad_std"][k] == model.layers[i].grads["W"].std()
        # delta^(k) = dL/dZ^(k), checked in float64 by perturbing Z^(k) through the bias b^(k) row by row:
        # dL/dZ[n, j] is the derivative with respect to an offset added to that one entry.
        delta = stats["deltas"][k]
        assert stats["delta_std"][k] == delta.std()
        layer, h, numeric = model.layers[i], 1e-6, np.zeros_like(delta)
        forward = layer.forward
        for n in range(len(X)):
            for j in range(delta.shape[1]):
                for sign in (1, -1):
                    offset = np.zeros_like(delta)
                    offset[n, j] = sign * h
                    layer.forward = lambda x, o=offset: forward(x) + o
                    numeric[n, j] += sign * loss.forward(model.forward(X), y) / (2 * h)
                layer.forward = forward
        del layer.forward
        assert mc.relative_error(delta, numeric) < 1e-7


def test_layer_statistics_leaves_parameters_and_batchnorm_statistics_alone():
    X, y = data()
    model = small_model(batchnorm=True)
    before = [p.copy() for _, p, _ in model.named_parameters()] + [b.copy() for _, b in model.named_buffers()]
    mc.layer_statistics(model, X.astype(np.float32), y)
    after = [p for _, p, _ in model.named_parameters()] + [b for _, b in model.named_buffers()]
    for old, new in zip(before, after):
        np.testing.assert_array_equal(old, new)


def test_layer_statistics_errors_are_clear():
    X, y = data()
    with pytest.raises(ValueError, match="first layer expects 6 features"):
        mc.layer_statistics(small_model(), X[:, :5], y)
    with pytest.raises(ValueError, match="no Dense layer"):
        mc.layer_statistics(mc.Sequential([mc.ReLU()]), X, y)


def test_format_statistics_prints_one_row_per_layer():
    X, y = data()
    text = mc.format_statistics(mc.layer_statistics(small_model(), X, y))
    lines = text.splitlines()
    assert len(lines) == 2 + 3 and "delta_std" in lines[0] and lines[2].split()[0] == "0.W"


def test_diagnostics_records_every_kth_step_and_measures_the_update():
    X, y = spiral(n_classes=3, seed=0)
    model = mc.mlp([2, 16, 3], seed=0)
    diag = mc.Diagnostics(every=4)
    lr = 0.1
    mc.fit(model, X, y, optimizer=mc.SGD(model, lr=lr), epochs=2, batch_size=50, diagnostics=diag, progress=False)
    steps_per_epoch = math.ceil(len(X) / 50)
    assert diag.step_count == 2 * steps_per_epoch
    assert diag.steps == list(range(0, diag.step_count, 4)) and len(diag) == len(diag.steps)
    assert diag.epochs == [s // steps_per_epoch for s in diag.steps]
    for key in ("input_std", "grad_std", "update_ratio", "weight_std"):
        assert diag[key].shape == (len(diag), 2)
    # With plain SGD the update is lr * dW, so the ratio is lr * |dW| / |W| at the recorded step.
    model2 = mc.mlp([2, 16, 3], seed=0)
    loss = mc.SoftmaxCrossEntropy()
    order = np.random.default_rng(0).permutation(len(X))[:50]
    first = loss.forward(model2.forward(X[order]), y[order])
    model2.backward(loss.backward())
    W, dW = model2.layers[0].params["W"], model2.layers[0].grads["W"]
    assert diag["update_ratio"][0, 0] == pytest.approx(lr * np.linalg.norm(dW) / np.linalg.norm(W), rel=1e-5)
    assert diag.loss[0] == pytest.approx(first, rel=1e-6)
    assert diag.layer == ["0.W", "2.W"] and "update_ratio" in mc.format_statistics(diag.last(), ("update_ratio",))


def test_training_is_the_same_with_and_without_diagnostics():
    X, y = spiral(n_classes=3, seed=1)

    def train(diagnostics):
        model = mc.mlp([2, 16, 3], seed=0, dropout=0.1)
        mc.fit(model, X, y, optimizer=mc.Adam(model, lr=0.01), epochs=3, batch_size=32,
               diagnostics=diagnostics, progress=False)
        return [p for _, p, _ in model.named_parameters()]

    for a, b in zip(train(None), train(mc.Diagnostics(every=1))):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("every", [0, -3, 2.5, True])
def test_diagnostics_refuses_a_bad_interval(every):
    with pytest.raises(ValueError, match="positive integer"):
        mc.Diagnostics(every=every)


def test_diagnostics_explains_an_unknown_key_and_an_empty_record():
    diag = mc.Diagnostics()
    with pytest.raises(KeyError, match="update_ratio"):
        diag["update"]
    with pytest.raises(ValueError, match="Nothing recorded yet"):
        diag.last()
