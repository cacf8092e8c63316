import numpy as np
import pytest

import mlp_core as mc
from helpers import TOL, randn


def small_model(dtype=np.float64, **kw):
    return mc.mlp([4, 6, 5, 3], seed=3, dtype=dtype, **kw)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_whole_model_gradient(activation):
    model = small_model(activation=activation)
    X, y = randn((7, 4), 0), np.array([0, 1, 2, 2, 1, 0, 1])
    report = mc.gradcheck_model(model, "softmax_cross_entropy", X, y, wrt_input=True)
    assert set(report) == {"0.W", "0.b", "2.W", "2.b", "4.W", "4.b", "X"}
    assert report.max_error < TOL, report


def test_model_with_batchnorm_and_dropout_in_both_modes():
    model = small_model(batchnorm=True, dropout=0.3)
    X, y = randn((9, 4), 1), np.arange(9) % 3
    assert mc.gradcheck_model(model, "softmax_cross_entropy", X, y).max_error < TOL
    model.eval()
    assert mc.gradcheck_model(model, "softmax_cross_entropy", X, y).max_error < TOL


def test_mse_regression_model_gradient():
    model = mc.mlp([1, 8, 1], activation="tanh", seed=0, dtype=np.float64)
    X, y = randn((6, 1), 0), randn((6, 1), 1)
    assert mc.gradcheck_model(model, "mse", X, y).max_error < TOL


def test_train_and_eval_reach_every_layer():
    model = small_model(batchnorm=True, dropout=0.5)
    assert all(layer.training for layer in model.layers)
    model.eval()
    assert not any(layer.training for layer in model.layers)
    X = randn((3, 4), 0)
    np.testing.assert_array_equal(model.forward(X), model.forward(X))  # deterministic in eval
    model.train()
    assert all(layer.training for layer in model.layers)


def test_predict_proba_and_predict_restore_the_mode():
    model = small_model(dropout=0.5)
    X = randn((10, 4), 0)
    p = model.predict_proba(X)
    assert p.shape == (10, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1)
    np.testing.assert_array_equal(model.predict(X), p.argmax(axis=1))
    assert model.training  # was in training mode before the call


def test_summary_counts_parameters():
    model = mc.mlp([784, 256, 128, 10], seed=0)
    text = model.summary()
    assert model.num_parameters() == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10 == 235_146
    assert "235,146" in text and "(N, 128)" in text and "W (784, 256)" in text


def test_training_step_stays_float32():
    model = mc.mlp([784, 32, 10], seed=0, dropout=0.2, batchnorm=True)
    X = np.random.default_rng(0).random((16, 784), dtype=np.float32)
    loss = mc.SoftmaxCrossEntropy()
    out = model.forward(X)
    loss(out, np.arange(16) % 10)
    model.backward(loss.backward())
    assert out.dtype == np.float32
    for name, p, g in model.named_parameters():
        assert p.dtype == g.dtype == np.float32, name


def test_input_width_mismatch_names_both_widths():
    model = mc.mlp([784, 10], seed=0)
    with pytest.raises(ValueError, match=r"first layer expects 784 features per row, got inputs of shape \(2, 28\)"):
        model.forward(np.zeros((2, 28), np.float32))
    with pytest.raises(ValueError, match=r"shape \(2, 28, 28\).*reshape"):
        model.forward(np.zeros((2, 28, 28), np.float32))


def test_nan_inputs_are_refused():
    X = np.zeros((3, 4))
    X[1, 2] = np.nan
    with pytest.raises(ValueError, match="1 NaN or infinite value"):
        small_model().forward(X)


def test_empty_batch_is_refused():
    with pytest.raises(ValueError, match="batch of size 0"):
        small_model().forward(np.zeros((0, 4)))


def test_integer_inputs_are_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"uint8.*astype\(np.float32\)"):
        small_model().forward(np.zeros((2, 4), np.uint8))


def test_sequential_accepts_only_layers():
    with pytest.raises(TypeError, match="Layer 1 is a str"):
        mc.Sequential([mc.Dense(2, 2), "relu"])
