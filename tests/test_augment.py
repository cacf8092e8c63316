import numpy as np
import pytest

import mlp_core as mc
from mlp_core import augment


def images(n=6, seed=0):
    """n random 28x28 images, flattened to (n, 784) float32."""
    return np.random.default_rng(seed).random((n, 784), dtype=np.float32)


def test_a_shift_moves_each_image_by_its_own_offset_and_fills_with_zeros():
    X = images(40)
    out = augment.random_shift(max_pixels=2)(X, np.random.default_rng(1))
    assert out.shape == X.shape and out.dtype == np.float32
    seen = set()
    for original, shifted in zip(X.reshape(-1, 28, 28), out.reshape(-1, 28, 28)):
        matches = []
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                expected = np.zeros((28, 28), np.float32)
                expected[max(dy, 0):28 + min(dy, 0), max(dx, 0):28 + min(dx, 0)] = \
                    original[max(-dy, 0):28 - max(dy, 0), max(-dx, 0):28 - max(dx, 0)]
                if np.array_equal(shifted, expected):
                    matches.append((dy, dx))
        assert len(matches) == 1
        seen.add(matches[0])
    assert len(seen) >= 10  # 40 images, 25 possible offsets: many of them drawn


def test_a_flip_mirrors_about_half_the_images_and_leaves_the_rest():
    X = images(400)
    out = augment.random_flip(p=0.5)(X, np.random.default_rng(2)).reshape(-1, 28, 28)
    originals = X.reshape(-1, 28, 28)
    flipped = np.array([np.array_equal(o, a[:, ::-1]) for o, a in zip(originals, out)])
    kept = np.array([np.array_equal(o, a) for o, a in zip(originals, out)])
    assert np.all(flipped ^ kept)
    assert 160 < flipped.sum() < 240
    assert not augment.random_flip(p=0.0)(X, np.random.default_rng(2)).__ne__(X).any()
    np.testing.assert_array_equal(augment.random_flip(p=1.0)(X, np.random.default_rng(2)).reshape(-1, 28, 28),
                                  originals[:, :, ::-1])


def test_augmentation_is_seeded_never_changes_its_input_and_reuses_its_buffer():
    X = images(32)
    before = X.copy()
    f = augment.compose(augment.random_shift(2), augment.random_flip(0.5))
    a = f(X, np.random.default_rng(5)).copy()
    b = f(X, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    c = f(X, np.random.default_rng(6))
    np.testing.assert_array_equal(X, before)
    assert not np.array_equal(a, c)
    assert np.shares_memory(b, c)  # one buffer, allocated at the first call: c overwrote b
    assert np.shares_memory(f(X[:10], np.random.default_rng(0)), c)  # a smaller batch reuses it too
    assert f(X.astype(np.float64), np.random.default_rng(0)).dtype == np.float64


def test_shift_keeps_the_ink_that_stays_in_the_frame():
    X = np.zeros((1, 784), np.float32)
    X[0, 14 * 28 + 14] = 1.0  # one pixel in the middle
    out = augment.random_shift(3)(np.repeat(X, 50, axis=0), np.random.default_rng(0))
    assert np.all(out.sum(axis=1) == 1.0)


@pytest.mark.parametrize("make, X, match", [
    (lambda: augment.random_shift(2), np.zeros((3, 28, 28), np.float32), r"shape \(N, 784\), got \(3, 28, 28\)"),
    (lambda: augment.random_flip(), np.zeros((3, 100), np.float32), "Pass shape=.height, width."),
    (lambda: augment.random_flip(), np.zeros((3, 784), np.uint8), "floating-point pixels"),
])
def test_wrong_batches_are_refused_with_the_fix(make, X, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()(X, np.random.default_rng(0))


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="numpy Generator"):
        augment.random_flip()(images(2), 0)
    with pytest.raises(ValueError, match="max_pixels must be an integer from 0 to 27"):
        augment.random_shift(28)
    with pytest.raises(ValueError, match=r"must be in \[0, 1\]"):
        augment.random_flip(1.5)
    f = augment.random_flip()
    with pytest.raises(ValueError, match="same augmentation object twice"):
        augment.compose(f, f)
    assert augment.random_shift(1, shape=(4, 5))(np.ones((2, 20), np.float32), np.random.default_rng(0)).shape == (2, 20)


def test_fit_applies_the_augmentation_to_every_training_batch_only():
    rng = np.random.default_rng(0)
    X, y = images(100), rng.integers(0, 3, 100)
    calls = []

    def recording(Xb, rng):
        calls.append((len(Xb), Xb.dtype))
        assert isinstance(rng, np.random.Generator)
        return Xb

    model = mc.mlp([784, 8, 3], seed=0)
    mc.fit(model, X, y, epochs=2, batch_size=32, validation_data=(X[:10], y[:10]), progress=False, augment=recording)
    assert calls == [(32, np.float32), (32, np.float32), (32, np.float32), (4, np.float32)] * 2


def test_fit_with_augmentation_is_reproducible_and_costs_nothing_when_off():
    rng = np.random.default_rng(0)
    X, y = images(96), rng.integers(0, 3, 96)

    def train(**kw):
        model = mc.mlp([784, 8, 3], seed=0)
        mc.fit(model, X, y, epochs=2, batch_size=32, progress=False, seed=3, **kw)
        return model.layers[0].params["W"].copy()

    plain = train()
    np.testing.assert_array_equal(plain, train(augment=None))
    np.testing.assert_array_equal(plain, train(augment=lambda Xb, rng: Xb))  # same batches in the same order
    flip = train(augment=augment.random_flip(0.5))
    np.testing.assert_array_equal(flip, train(augment=augment.random_flip(0.5)))
    assert not np.array_equal(flip, plain)


def test_fit_refuses_an_augmentation_that_returns_something_else():
    X, y = images(8), np.zeros(8, dtype=np.int64)
    model = mc.mlp([784, 4, 2], seed=0)
    with pytest.raises(ValueError, match=r"shape \(8, 784\) and dtype float32, got shape \(8, 784\), dtype float64"):
        mc.fit(model, X, y, epochs=1, progress=False, augment=lambda Xb, rng: Xb.astype(np.float64))
    with pytest.raises(TypeError, match="augment must be a function"):
        mc.fit(model, X, y, epochs=1, progress=False, augment="flip")
