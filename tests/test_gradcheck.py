import numpy as np
import pytest

import mlp_core as mc
from helpers import randn


class WrongSigmoid(mc.Sigmoid):
    """A classic mistake: the derivative written as s * (1 + s)."""

    def backward(self, grad_a):
        return grad_a * self.a * (1 + self.a)


def test_gradcheck_catches_a_wrong_backward():
    report = mc.gradcheck_layer(WrongSigmoid(), randn((3, 4), 0))
    assert report.max_error > 1e-2
    assert not report.passed()
    assert "FAILED" in str(report)


def test_gradcheck_catches_a_missing_batch_average():
    class SummedMSE(mc.MSE):
        def backward(self):
            return self.diff  # forgot the 1/N

    report = mc.gradcheck_loss(SummedMSE(), randn((5, 2), 0), randn((5, 2), 1))
    assert report.max_error > 0.1


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        mc.gradcheck_layer(mc.Dense(3, 2, seed=0), randn((2, 3), 0).astype(np.float32))


def test_numerical_gradient_of_a_quadratic():
    A = np.array([1.0, -2.0, 3.0])
    grad = mc.numerical_gradient(lambda: float(np.sum(A ** 2)), A)
    np.testing.assert_allclose(grad, 2 * A, rtol=1e-8)
    np.testing.assert_array_equal(A, [1.0, -2.0, 3.0])  # restored exactly


def test_relative_error_is_scale_free_and_handles_zero_gradients():
    a = np.array([1e-3, 2e-3])
    assert mc.relative_error(a, a * (1 + 1e-6)) == pytest.approx(0.5e-6, rel=1e-3)
    assert mc.relative_error(np.zeros(3), np.full(3, 1e-11)) < 1e-10
    assert mc.relative_error(a, -a) == 1.0


def test_error_bound_prints_round_off_as_one_level_and_larger_errors_by_power_of_ten():
    # Round-off of the finite differences varies with the machine's kernels: one text for all of it.
    assert {mc.gradcheck.error_bound(e) for e in (1e-15, 3e-11, 4.5e-9, 9.9e-8)} == {"< 1e-07"}
    assert mc.gradcheck.error_bound(0) == "0"
    assert mc.gradcheck.error_bound(1e-7) == "< 1e-06"
    assert mc.gradcheck.error_bound(0.78) == "< 1e+00"
    report = mc.gradcheck_layer(mc.Tanh(), randn((3, 4), 0))
    assert "< 1e-07" in str(report) and "ok" in str(report)
