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


# -- which Dense layer may skip dL/dX ---------------------------------------------------------------

FIRST_LAYERS = {
    "BatchNorm1d": lambda: mc.BatchNorm1d(4),
    "Dropout": lambda: mc.Dropout(0.3, seed=1),
    "ReLU": mc.ReLU,
    "LeakyReLU": mc.LeakyReLU,
    "Sigmoid": mc.Sigmoid,
    "Tanh": mc.Tanh,
    "Dense": lambda: mc.Dense(4, 4, seed=2),
}


def model_starting_with(first):
    """first -> Dense -> Tanh -> BatchNorm1d -> Dense, in float64."""
    layers = [first, mc.Dense(4, 6, seed=0), mc.Tanh(), mc.BatchNorm1d(6), mc.Dense(6, 3, seed=1)]
    return mc.Sequential(layers).astype(np.float64)


@pytest.mark.parametrize("wrt_input", [False, True])
@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("first", sorted(FIRST_LAYERS))
def test_every_parameter_gets_its_gradient_whatever_comes_first(first, mode, wrt_input):
    # wrt_input=False is the training path: the model alone decides which Dense skips dL/dX.
    model = model_starting_with(FIRST_LAYERS[first]())
    getattr(model, mode)()
    X, y = randn((9, 4), 0), np.arange(9) % 3
    report = mc.gradcheck_model(model, "softmax_cross_entropy", X, y, wrt_input=wrt_input)
    assert set(report) == {name for name, _, _ in model.named_parameters()} | ({"X"} if wrt_input else set())
    assert report.max_error < TOL, report


@pytest.mark.parametrize("first", sorted(FIRST_LAYERS))
def test_a_dense_layer_skips_dx_only_when_nothing_before_it_has_parameters(first):
    model = model_starting_with(FIRST_LAYERS[first]())
    loss = mc.SoftmaxCrossEntropy()
    loss(model(randn((9, 4), 0)), np.arange(9) % 3)
    grad_X = model.backward(loss.backward())
    dense = [(i, layer) for i, layer in enumerate(model.layers) if isinstance(layer, mc.Dense)]
    for i, layer in dense:
        assert layer.needs_input_grad == any(other.params for other in model.layers[:i]), (first, i)
    # Nothing trainable before the first Dense: backward stops there. Otherwise it reaches the input.
    first_dense = dense[0][0]
    assert (grad_X is None) == (not any(layer.params for layer in model.layers[:first_dense]))


def test_batchnorm_in_first_position_learns():
    model = mc.Sequential([mc.BatchNorm1d(4), mc.Dense(4, 3, seed=0)]).astype(np.float64)
    X, y = randn((8, 4), 0, scale=3) + 5, np.arange(8) % 3
    loss = mc.SoftmaxCrossEntropy()
    loss(model(X), y)
    model.backward(loss.backward())
    bn = model.layers[0]
    assert np.abs(bn.grads["gamma"]).max() > 1e-3 and np.abs(bn.grads["beta"]).max() > 1e-3
    assert model.layers[1].needs_input_grad
    mc.SGD(model, lr=0.1).step()
    assert not np.allclose(bn.params["gamma"], 1) and not np.allclose(bn.params["beta"], 0)


@pytest.mark.parametrize("kw", [{}, {"batchnorm": True, "dropout": 0.2}])
def test_the_first_dense_of_an_mlp_still_skips_dx(kw):
    model = mc.mlp([4, 6, 5, 3], seed=0, **kw)
    loss = mc.SoftmaxCrossEntropy()
    loss(model(randn((8, 4), 0).astype(np.float32)), np.arange(8) % 3)
    first, *others = [layer for layer in model.layers if isinstance(layer, mc.Dense)]
    assert first is model.layers[0]
    assert first.needs_input_grad is False and all(layer.needs_input_grad for layer in others)
    assert model.backward(loss.backward()) is None  # the first Dense's backward returned None
    assert first.backward(np.ones((8, 6), np.float32)) is None
