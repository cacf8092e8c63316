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


def batchnorm_backward_through_the_graph(x, gamma, grad_out, eps):
    """dL/dx, dgamma, dbeta the long way (chapter 9): through x_hat, the variance and the mean, in turn."""
    n = len(x)
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)
    x_hat = (x - mean) / np.sqrt(var + eps)
    g = grad_out * gamma  # dL/dx_hat
    d_var = np.sum(g * (x - mean), axis=0) * -0.5 * (var + eps) ** -1.5
    d_mean = -np.sum(g, axis=0) / np.sqrt(var + eps) + d_var * -2 * np.mean(x - mean, axis=0)
    dx = g / np.sqrt(var + eps) + d_var * 2 * (x - mean) / n + d_mean / n
    return dx, np.sum(grad_out * x_hat, axis=0), np.sum(grad_out, axis=0)


@settings(max_examples=25, deadline=None)
@given(n=batch_sizes, d=widths, seed=seeds)
def test_batchnorm_backward_is_the_graph_derivation_simplified(n, d, seed):
    layer = mc.BatchNorm1d(d, eps=1e-3, dtype=np.float64)
    layer.params["gamma"][:] = 1 + randn(d, seed, 0.3)
    x, grad_out = randn((n + 1, d), seed, 3.0) + 2.0, randn((n + 1, d), seed + 1)
    layer.forward(x)
    dx = layer.backward(grad_out)
    expected = batchnorm_backward_through_the_graph(x, layer.params["gamma"], grad_out, layer.eps)
    for got, want in zip((dx, layer.grads["gamma"], layer.grads["beta"]), expected):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_batchnorm_backward_follows_the_mode_of_its_forward():
    x, grad_out = randn((5, 3), 0) + 1.0, randn((5, 3), 1)
    layer = mc.BatchNorm1d(3, dtype=np.float64)
    layer.forward(x)
    in_training = layer.backward(grad_out)
    layer.forward(x)
    layer.training = False  # switched between forward and backward: the batch statistics were used
    np.testing.assert_allclose(layer.backward(grad_out), in_training)
    layer.forward(x)
    layer.training = True
    np.testing.assert_allclose(layer.backward(grad_out), grad_out * layer.params["gamma"] * layer.inv_std)


def test_batchnorm_input_gradient_has_no_component_along_the_batch_mean():
    """Sum over the batch of dL/dx is 0: the bias of a Dense layer just before batch norm gets no gradient."""
    model = mc.Sequential([mc.Dense(4, 6, seed=0, dtype=np.float64), mc.BatchNorm1d(6, dtype=np.float64),
                           mc.ReLU(), mc.Dense(6, 3, seed=1, dtype=np.float64)])
    X, y = randn((16, 4), 2), np.arange(16) % 3
    loss = mc.SoftmaxCrossEntropy()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    assert np.abs(model.layers[0].grads["b"]).max() < 1e-15
    assert np.abs(model.layers[0].grads["W"]).max() > 1e-3


@settings(max_examples=10, deadline=None)
@given(n=batch_sizes, d=widths, seed=seeds)
def test_model_with_batchnorm_passes_the_gradient_check_in_both_modes(n, d, seed):
    model = mc.mlp([3, d + 1, 4, 2], batchnorm=True, seed=seed % 1000, dtype=np.float64)
    X, y = randn((n + 2, 3), seed), np.arange(n + 2) % 2
    for layer in model.layers:
        if isinstance(layer, mc.BatchNorm1d):
            layer.params["gamma"][:] = 1 + randn(layer.num_features, seed, 0.3)
            layer.buffers["running_var"][:] = 0.5 + np.abs(randn(layer.num_features, seed + 1))
    assert mc.gradcheck_model(model, "softmax_cross_entropy", X, y, wrt_input=True).max_error < TOL
    model.eval()
    assert mc.gradcheck_model(model, "softmax_cross_entropy", X, y, wrt_input=True).max_error < TOL


def test_batchnorm_running_variance_is_unbiased():
    """Averaged over many batches of 4 from N(3, 2**2), the running variance tends to 4, not to 3/4 of it."""
    layer = mc.BatchNorm1d(1, momentum=0.01, dtype=np.float64)
    rng = np.random.default_rng(0)
    for _ in range(3000):
        layer.forward(3 + 2 * rng.standard_normal((4, 1)))
    assert abs(layer.buffers["running_mean"][0] - 3) < 0.15
    assert abs(layer.buffers["running_var"][0] - 4) < 0.5


def test_batchnorm_refuses_the_wrong_width_and_bad_settings():
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\) expects inputs of shape \(N, 3\), got \(5, 4\)"):
        mc.BatchNorm1d(3).forward(np.zeros((5, 4), np.float32))
    with pytest.raises(ValueError, match=r"momentum .* in \(0, 1\], got 1.5"):
        mc.BatchNorm1d(3, momentum=1.5)
    with pytest.raises(ValueError, match="eps .* must be > 0, got 0"):
        mc.BatchNorm1d(3, eps=0)


def test_fit_names_the_last_batch_of_one_row():
    model = mc.mlp([4, 8, 3], batchnorm=True, seed=0)
    X, y = np.ones((11, 4), np.float32), np.arange(11) % 3
    with pytest.raises(ValueError, match=r"got 1: one row has no variance(.|\n)*len\(X\) % batch_size"):
        mc.fit(model, X, y, batch_size=5, epochs=1, progress=False)
    mc.fit(model, X, y, batch_size=4, epochs=1, progress=False)  # 4 + 4 + 3 rows


def test_batchnorm_keeps_float32_in_evaluation_mode():
    layer = mc.BatchNorm1d(5)
    layer.training = False
    x = np.random.default_rng(0).standard_normal((8, 5), dtype=np.float32)
    out = layer.forward(x)
    assert out.dtype == layer.backward(np.ones_like(out)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())
