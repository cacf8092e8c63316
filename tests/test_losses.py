import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlp_core as mc
from helpers import TOL, batch_sizes, randn, seeds

classes = st.integers(min_value=2, max_value=6)


@settings(max_examples=25, deadline=None)
@given(n=batch_sizes, d=classes, seed=seeds)
def test_mse_gradient(n, d, seed):
    report = mc.gradcheck_loss(mc.MSE(), randn((n, d), seed), randn((n, d), seed + 1))
    assert report.max_error < TOL, report


def test_mse_value_and_gradient_follow_the_stated_convention():
    y_hat, y = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[0.0, 2.0], [3.0, 1.0]])
    loss = mc.MSE()
    assert loss(y_hat, y) == pytest.approx((1 + 16) / (2 * 2))  # 1/(2N) * sum of squares
    np.testing.assert_allclose(loss.backward(), (y_hat - y) / 2)


@settings(max_examples=25, deadline=None)
@given(n=batch_sizes, c=classes, seed=seeds)
def test_cross_entropy_on_probabilities_gradient(n, c, seed):
    p = mc.softmax(randn((n, c), seed))
    y = np.random.default_rng(seed).integers(0, c, n)
    assert mc.gradcheck_loss(mc.CrossEntropy(), p, y).max_error < TOL


@settings(max_examples=25, deadline=None)
@given(n=batch_sizes, c=classes, seed=seeds)
def test_softmax_cross_entropy_gradient(n, c, seed):
    z = randn((n, c), seed, scale=3)
    y = np.random.default_rng(seed).integers(0, c, n)
    assert mc.gradcheck_loss(mc.SoftmaxCrossEntropy(), z, y).max_error < TOL


@settings(max_examples=25, deadline=None)
@given(n=batch_sizes, c=classes, seed=seeds)
def test_fused_gradient_equals_softmax_backward_of_cross_entropy_backward(n, c, seed):
    z = randn((n, c), seed, scale=2)
    y = np.random.default_rng(seed).integers(0, c, n)
    fused = mc.SoftmaxCrossEntropy()
    fused_value = fused(z, y)
    softmax, ce = mc.Softmax(), mc.CrossEntropy()
    value = ce(softmax.forward(z), y)
    assert fused_value == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(fused.backward(), softmax.backward(ce.backward()), atol=1e-12)
    onehot = np.eye(c)[y]
    np.testing.assert_allclose(fused.backward(), (mc.softmax(z) - onehot) / n, atol=1e-15)


def test_huge_logits_give_finite_loss_and_gradient_without_warnings():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=np.float32)
    y = np.array([1, 0])
    loss = mc.SoftmaxCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss(z, y)
        grad = loss.backward()
    assert np.isfinite(value) and value == pytest.approx((2e4 + 2e4 + np.log(2)) / 2, rel=1e-6)
    assert np.all(np.isfinite(grad)) and grad.dtype == np.float32


def test_naive_cross_entropy_is_fragile_where_the_fused_one_is_not():
    z = np.array([[1000.0, 0.0]])
    p = mc.softmax(z)  # p[0, 1] underflows to exactly 0
    with np.errstate(divide="ignore"):
        assert mc.CrossEntropy()(p, np.array([1])) == np.inf
    assert mc.SoftmaxCrossEntropy()(z, np.array([1])) == pytest.approx(1000.0)


def test_labels_out_of_range_name_the_range():
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\].*got values from 0 to 3"):
        mc.SoftmaxCrossEntropy()(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"from -1 to 1"):
        mc.CrossEntropy()(np.full((2, 3), 1 / 3), np.array([-1, 1]))


def test_float_labels_are_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"integer class labels.*float64.*astype\(np.int64\)"):
        mc.SoftmaxCrossEntropy()(np.zeros((2, 3)), np.array([0.0, 1.0]))


def test_mse_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"same shape as the predictions \(4, 1\), got \(4,\).*reshape"):
        mc.MSE()(np.zeros((4, 1)), np.zeros(4))


def test_empty_batch_is_refused():
    with pytest.raises(ValueError, match="empty batch"):
        mc.SoftmaxCrossEntropy()(np.zeros((0, 3)), np.zeros(0, dtype=np.int64))


def test_unknown_loss_name():
    with pytest.raises(ValueError, match="Unknown loss 'hinge'"):
        mc.get_loss("hinge")


# -- label smoothing ---------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(n=batch_sizes, c=classes, seed=seeds, eps=st.sampled_from([0.05, 0.1, 0.3, 0.9]))
def test_label_smoothing_gradient(n, c, seed, eps):
    z = randn((n, c), seed, scale=3)
    y = np.random.default_rng(seed).integers(0, c, n)
    assert mc.gradcheck_loss(mc.SoftmaxCrossEntropy(label_smoothing=eps), z, y).max_error < TOL


def test_label_smoothing_is_cross_entropy_against_the_smoothed_targets():
    rng = np.random.default_rng(0)
    z, y, eps = rng.standard_normal((5, 4)) * 2, np.array([0, 3, 1, 1, 2]), 0.2
    targets = (1 - eps) * np.eye(4)[y] + eps / 4
    loss = mc.SoftmaxCrossEntropy(label_smoothing=eps)
    assert loss(z, y) == pytest.approx(-np.mean(np.sum(targets * mc.log_softmax(z), axis=1)), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), (mc.softmax(z) - targets) / 5, atol=1e-15)


def test_label_smoothing_is_minimal_at_the_smoothed_probabilities():
    eps, c = 0.1, 10
    gap = np.log((1 - eps + eps / c) / (eps / c))  # the optimal logit of the true class above the others
    z = np.zeros((1, c))
    z[0, 3] = gap
    loss = mc.SoftmaxCrossEntropy(label_smoothing=eps)
    loss(z, np.array([3]))
    np.testing.assert_allclose(loss.backward(), 0, atol=1e-15)


def test_zero_smoothing_is_bit_for_bit_the_plain_loss_in_float32():
    rng = np.random.default_rng(1)
    z, y = rng.standard_normal((64, 10), dtype=np.float32) * 4, rng.integers(0, 10, 64)
    plain, zero = mc.SoftmaxCrossEntropy(), mc.SoftmaxCrossEntropy(label_smoothing=0.0)
    assert plain(z, y) == zero(z, y)
    np.testing.assert_array_equal(plain.backward(), zero.backward())
    smoothed = mc.SoftmaxCrossEntropy(label_smoothing=0.1)
    smoothed(z, y)
    assert smoothed.backward().dtype == np.float32


def test_label_smoothing_through_get_loss_and_its_errors():
    loss = mc.get_loss("softmax_cross_entropy", label_smoothing=0.1)
    assert isinstance(loss, mc.SoftmaxCrossEntropy) and loss.label_smoothing == 0.1
    assert repr(loss) == "SoftmaxCrossEntropy(label_smoothing=0.1)" and repr(mc.SoftmaxCrossEntropy()) == "SoftmaxCrossEntropy()"
    with pytest.raises(ValueError, match=r"must be a number in \[0, 1\), got 1"):
        mc.SoftmaxCrossEntropy(label_smoothing=1)
    with pytest.raises(ValueError, match=r"got -0.1"):
        mc.SoftmaxCrossEntropy(label_smoothing=-0.1)
    with pytest.raises(ValueError, match="pass the options to its constructor"):
        mc.get_loss(mc.SoftmaxCrossEntropy(), label_smoothing=0.1)
    with pytest.raises(TypeError, match="takes no options"):
        mc.get_loss("mse", label_smoothing=0.1)
