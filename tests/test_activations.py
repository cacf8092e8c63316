import warnings

import numpy as np
import pytest
from hypothesis import given, settings

import mlp_core as mc
from helpers import TOL, batch_sizes, randn, seeds, widths

ACTIVATIONS = [mc.Sigmoid, mc.Tanh, mc.ReLU, lambda: mc.LeakyReLU(0.1), mc.Softmax]


@pytest.mark.parametrize("make", ACTIVATIONS, ids=["sigmoid", "tanh", "relu", "leaky_relu", "softmax"])
@settings(max_examples=25, deadline=None)
@given(n=batch_sizes, d=widths, seed=seeds)
def test_activation_gradients_match_finite_differences(make, n, d, seed):
    x = randn((n, d), seed)
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU's kink out of reach of the finite differences
    report = mc.gradcheck_layer(make(), x, seed=seed)
    assert report.max_error < TOL, report


def test_sigmoid_saturates_without_overflow_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = mc.sigmoid(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))
        s32 = mc.sigmoid(np.array([-1000, 1000], dtype=np.float32))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert np.all(np.isfinite(s)) and s32.dtype == np.float32
    np.testing.assert_allclose(mc.sigmoid(np.array([-3.0, 3.0])), 1 / (1 + np.exp([3.0, -3.0])))


def test_sigmoid_derivative_is_s_times_one_minus_s():
    z = np.linspace(-5, 5, 11)[None, :]
    layer = mc.Sigmoid()
    s = layer.forward(z)
    np.testing.assert_allclose(layer.backward(np.ones_like(z)), s * (1 - s))


def test_softmax_rows_sum_to_one_and_survive_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    p = mc.softmax(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[1], 1 / 3)
    assert mc.log_softmax(z)[0, 0] == 0.0


def test_softmax_backward_is_jacobian_vector_product():
    z, g = randn((4, 5), 1), randn((4, 5), 2)
    layer = mc.Softmax()
    p = layer.forward(z)
    explicit = np.stack([(np.diag(pi) - np.outer(pi, pi)) @ gi for pi, gi in zip(p, g)])
    np.testing.assert_allclose(layer.backward(g), explicit, atol=1e-12)


@pytest.mark.parametrize("make", ACTIVATIONS, ids=["sigmoid", "tanh", "relu", "leaky_relu", "softmax"])
def test_activations_keep_float32(make):
    layer = make()
    x = np.random.default_rng(0).standard_normal((3, 4), dtype=np.float32)
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones_like(x)).dtype == np.float32


def test_unknown_activation_name_is_a_clear_error():
    with pytest.raises(ValueError, match=r"Unknown activation 'relux'.*'relu'"):
        mc.get_activation("relux")


def test_leaky_relu_rejects_bad_alpha():
    with pytest.raises(ValueError, match="alpha must be in"):
        mc.LeakyReLU(alpha=1.5)


def test_relu_equals_maximum_bit_for_bit():
    # ReLU multiplies by a 0/1 slope instead of calling np.maximum: same values, and no -0.0.
    z = np.random.default_rng(3).standard_normal((64, 33), dtype=np.float32)
    z[0, :3] = [0.0, -0.0, 1e-38]
    a = mc.ReLU().forward(z)
    np.testing.assert_array_equal(a, np.maximum(z, 0))
    assert not np.signbit(a).any()


def test_relu_keeps_integer_inputs_integer():
    z = np.array([[-2, 0, 3]])
    a = mc.ReLU().forward(z)
    assert a.dtype == z.dtype
    np.testing.assert_array_equal(a, [[0, 0, 3]])
