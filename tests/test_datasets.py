"""Tests of mlp_core.datasets: shapes, dtypes, seeding, and the property each toy set exists to show."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlp_core import datasets
from helpers import seeds

sizes = st.integers(min_value=1, max_value=50)


def test_default_xor_is_the_truth_table():
    X, y = datasets.xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert X.dtype == np.float32 and y.dtype == np.int64


@settings(max_examples=20, deadline=None)
@given(n=sizes, seed=seeds)
def test_noisy_xor_keeps_labels_and_stays_near_its_corners(n, seed):
    X, y = datasets.xor(n, noise=0.05, seed=seed)
    assert X.shape == (n, 2) and X.dtype == np.float32 and y.shape == (n,) and y.dtype == np.int64
    corners = np.round(X).astype(np.int64)   # noise 0.05 is far below the 0.5 it would take to change corner
    np.testing.assert_array_equal(y, corners[:, 0] ^ corners[:, 1])
    np.testing.assert_array_equal(X, datasets.xor(n, noise=0.05, seed=seed)[0])


@settings(max_examples=20, deadline=None)
@given(n_per_class=sizes, n_classes=st.integers(min_value=2, max_value=6), seed=seeds)
def test_spiral_shapes_balance_and_seeding(n_per_class, n_classes, seed):
    X, y = datasets.spiral(n_per_class, n_classes, seed=seed)
    N = n_per_class * n_classes
    assert X.shape == (N, 2) and X.dtype == np.float32 and y.shape == (N,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [n_per_class] * n_classes
    assert np.all(np.linalg.norm(X, axis=1) <= 1 + 1e-6)   # radius t in [0, 1]
    np.testing.assert_array_equal(X, datasets.spiral(n_per_class, n_classes, seed=seed)[0])


def test_spiral_default_has_three_classes_and_seeds_differ():
    X, y = datasets.spiral()
    assert X.shape == (300, 2) and set(y.tolist()) == {0, 1, 2}
    assert not np.array_equal(X, datasets.spiral(seed=1)[0])


def test_spiral_is_not_linearly_separable():
    """A least-squares linear classifier, the best a network with no hidden layer can hope for, fails."""
    X, y = datasets.spiral(100, 3, noise=0.0)
    A = np.column_stack([X, np.ones(len(X))]).astype(np.float64)
    W, *_ = np.linalg.lstsq(A, np.eye(3)[y], rcond=None)
    assert np.mean(np.argmax(A @ W, axis=1) == y) < 0.7


@settings(max_examples=20, deadline=None)
@given(n=sizes, seed=seeds)
def test_noisy_sine_shapes_sorting_and_seeding(n, seed):
    X, y = datasets.noisy_sine(n, seed=seed)
    assert X.shape == (n, 1) and y.shape == (n, 1) and X.dtype == np.float32 and y.dtype == np.float32
    assert np.all(np.diff(X[:, 0]) >= 0) and np.all((-np.pi <= X) & (X <= np.pi))
    np.testing.assert_array_equal(y, datasets.noisy_sine(n, seed=seed)[1])


def test_noisy_sine_without_noise_is_the_sine_and_noise_has_the_stated_scale():
    X, y = datasets.noisy_sine(1000, noise=0.0, low=0.0, high=1.0)
    np.testing.assert_allclose(y, np.sin(X.astype(np.float64)), atol=1e-6)
    assert X.min() >= 0 and X.max() <= 1
    X, y = datasets.noisy_sine(20000, noise=0.1, seed=1)
    assert np.std(y - np.sin(X.astype(np.float64))) == pytest.approx(0.1, rel=0.03)


@pytest.mark.parametrize("call, message", [
    (lambda: datasets.xor(0), "n to be an integer >= 1"),
    (lambda: datasets.xor(4.0), "integer"),
    (lambda: datasets.xor(noise=-1), "noise >= 0"),
    (lambda: datasets.spiral(n_classes=1), "n_classes to be an integer >= 2"),
    (lambda: datasets.spiral(noise=float("nan")), "noise >= 0"),
    (lambda: datasets.noisy_sine(True), "integer"),
    (lambda: datasets.noisy_sine(low=1.0, high=0.0), "low < high"),
])
def test_bad_arguments_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=20, deadline=None)
@given(n=sizes, seed=seeds)
def test_circles_put_each_label_on_its_ring(n, seed):
    X, y = datasets.circles(n, factor=0.4, noise=0.0, seed=seed)
    assert X.shape == (n, 2) and X.dtype == np.float32 and y.shape == (n,) and y.dtype == np.int64
    np.testing.assert_array_equal(y, np.arange(n) % 2)
    np.testing.assert_allclose(np.hypot(X[:, 0], X[:, 1]), np.where(y == 1, 0.4, 1.0), rtol=1e-6)
    np.testing.assert_array_equal(X, datasets.circles(n, factor=0.4, noise=0.0, seed=seed)[0])


def test_circles_are_not_linearly_separable_but_the_radius_separates_them():
    X, y = datasets.circles(400, noise=0.05, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius[y == 1].max() < radius[y == 0].min()
    A = np.column_stack([X, np.ones(len(X))])  # the best least-squares line does no better than chance
    w = np.linalg.lstsq(A, 2.0 * y - 1, rcond=None)[0]
    assert np.mean((A @ w > 0) == y) < 0.65


@pytest.mark.parametrize("call, message", [
    (lambda: datasets.circles(0), "n to be an integer >= 1"),
    (lambda: datasets.circles(factor=1.0), "factor"),
    (lambda: datasets.circles(noise=-0.1), "noise >= 0"),
])
def test_circles_check_their_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
