import numpy as np
import pytest
from hypothesis import given, settings

import mlp_core as mc
from helpers import TOL, batch_sizes, randn, seeds, widths


@settings(max_examples=25, deadline=None)
@given(n=batch_sizes, d_in=widths, d_out=widths, seed=seeds)
def test_dense_gradients(n, d_in, d_out, seed):
    layer = mc.Dense(d_in, d_out, seed=seed, dtype=np.float64)
    layer.params["b"][:] = randn(d_out, seed)
    report = mc.gradcheck_layer(layer, randn((n, d_in), seed), seed=seed)
    assert set(report) == {"x", "W", "b"}
    assert report.max_error < TOL, report


def test_dense_backward_is_the_matrix_formula():
    layer = mc.Dense(3, 2, seed=0, dtype=np.float64)
    X, delta = randn((4, 3), 1), randn((4, 2), 2)
    layer.forward(X)
    dX = layer.backward(delta)
    np.testing.assert_allclose(layer.grads["W"], X.T @ delta)
    np.testing.assert_allclose(layer.grads["b"], delta.sum(axis=0))
    np.testing.assert_allclose(dX, delta @ layer.params["W"].T)


@settings(max_examples=20, deadline=None)
@given(n=batch_sizes, d=widths, seed=seeds)
def test_dropout_gradient_with_a_fixed_mask(n, d, seed):
    layer = mc.Dropout(0.4, seed=seed)
    assert mc.gradcheck_layer(layer, randn((n, d), seed)).max_error < TOL
    layer.training = False
    assert mc.gradcheck_layer(layer, randn((n, d), seed)).max_error < TOL


def test_dropout_is_inverted_and_identity_in_eval():
    layer = mc.Dropout(0.25, seed=0)
    x = np.ones((2000, 50), dtype=np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)}
    assert abs(out.mean() - 1.0) < 0.01          # expectation preserved
    assert abs((out == 0).mean() - 0.25) < 0.01  # drop rate p
    np.testing.assert_array_equal(layer.backward(x), out)  # same mask on the way back
    layer.training = False
    np.testing.assert_array_equal(layer.forward(x), x)


@settings(max_examples=50, deadline=None)
@given(n=batch_sizes, d=widths, seed=seeds)
def test_batchnorm_gradients_in_training_mode(n, d, seed):
    layer = mc.BatchNorm1d(d, dtype=np.float64)
    layer.params["gamma"][:] = 1 + randn(d, seed, 0.3)
    layer.params["beta"][:] = randn(d, seed + 1)
    # With 2 rows x_hat is always +-1 and dL/dx is ~0 (pure round-off), so take at least 3.
    x = randn((n + 2, d), seed, 2.0) + 1.0
    report = mc.gradcheck_layer(layer, x, seed=seed)
    assert report.max_error < TOL, report


@settings(max_examples=20, deadline=None)
@given(n=batch_sizes, d=widths, seed=seeds)
def test_batchnorm_gradients_in_eval_mode(n, d, seed):
    layer = mc.BatchNorm1d(d, dtype=np.float64)
    layer.buffers["running_mean"][:] = randn(d, seed)
    layer.buffers["running_var"][:] = 0.5 + np.abs(randn(d, seed + 1))
    layer.params["gamma"][:] = 1 + randn(d, seed + 2, 0.3)
    layer.training = False
    assert mc.gradcheck_layer(layer, randn((n, d), seed), seed=seed).max_error < TOL


def test_batchnorm_train_and_eval_differ_and_running_stats_follow_the_batches():
    layer = mc.BatchNorm1d(3, momentum=0.5, dtype=np.float64)
    x = randn((64, 3), 0) * [1.0, 2.0, 3.0] + [5.0, -1.0, 0.0]
    out = layer.forward(x)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-3)
    np.testing.assert_allclose(layer.buffers["running_mean"], 0.5 * x.mean(axis=0))
    np.testing.assert_allclose(layer.buffers["running_var"], 0.5 + 0.5 * x.var(axis=0, ddof=1))
    layer.training = False
    expected = (x - layer.buffers["running_mean"]) / np.sqrt(layer.buffers["running_var"] + layer.eps)
    np.testing.assert_allclose(layer.forward(x), expected)


def test_batchnorm_refuses_a_single_row_in_training():
    with pytest.raises(ValueError, match="at least 2 rows.*model.eval"):
        mc.BatchNorm1d(2).forward(np.zeros((1, 2), np.float32))


def test_dense_rejects_bad_sizes_and_initialisers():
    with pytest.raises(ValueError, match="d_out must be a positive integer"):
        mc.Dense(3, 0)
    with pytest.raises(ValueError, match=r"Unknown initialiser 'glorot'.*xavier_normal"):
        mc.Dense(3, 2, init="glorot")


def test_layers_keep_float32_through_forward_and_backward():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5), dtype=np.float32)
    for layer in (mc.Dense(5, 5, seed=0), mc.Dropout(0.5, seed=0), mc.BatchNorm1d(5)):
        out = layer.forward(x)
        grad = layer.backward(np.ones_like(out))
        assert out.dtype == grad.dtype == np.float32, layer
        assert all(g.dtype == np.float32 for g in layer.grads.values()), layer
