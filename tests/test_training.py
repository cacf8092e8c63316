import time

import numpy as np
import pytest

import mlp_core as mc
from mlp_core.datasets import spiral, xor


def test_small_mlp_learns_xor():
    X, y = xor(seed=0)
    model = mc.mlp([2, 8, 2], activation="tanh", seed=0)
    start = time.perf_counter()
    history = mc.fit(model, X, y, optimizer=mc.Adam(model, lr=0.05), epochs=200, batch_size=len(X), progress=False)
    assert time.perf_counter() - start < 5
    assert history.accuracy[-1] >= 0.97
    assert mc.accuracy(model.predict(X), y) >= 0.97


def test_small_mlp_learns_a_three_class_spiral():
    X, y = spiral(n_classes=3, seed=0)
    model = mc.mlp([2, 64, 64, 3], seed=0)
    start = time.perf_counter()
    mc.fit(model, X, y, optimizer=mc.Adam(model, lr=0.01), epochs=300, batch_size=32, progress=False)
    assert time.perf_counter() - start < 10
    assert mc.accuracy(model.predict(X), y) >= 0.97


def test_history_records_every_epoch_and_validation():
    X, y = spiral(n_classes=3, seed=1)
    model = mc.mlp([2, 16, 3], seed=0)
    history = mc.fit(model, X, y, epochs=5, validation_data=(X[:50], y[:50]), progress=False)
    assert len(history) == 5
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "seconds"):
        assert len(getattr(history, key)) == 5 and None not in getattr(history, key)
    assert history.loss[-1] < history.loss[0]
    assert "5 epochs" in repr(history)


def test_same_seed_same_model_different_seed_different_model():
    X, y = spiral(n_classes=3, seed=2)

    def train(seed):
        model = mc.mlp([2, 16, 3], seed=0, dropout=0.2)
        mc.fit(model, X, y, optimizer=mc.SGD(model, lr=0.1, momentum=0.9), epochs=3, seed=seed, progress=False)
        return model.layers[0].params["W"]

    np.testing.assert_array_equal(train(1), train(1))
    assert not np.array_equal(train(1), train(2))


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 20), dtype=np.float32)
    y = rng.integers(0, 2, 64)  # pure noise: validation loss soon rises
    X_val, y_val = rng.standard_normal((64, 20), dtype=np.float32), rng.integers(0, 2, 64)
    model = mc.mlp([20, 64, 2], seed=0)
    history = mc.fit(model, X, y, optimizer=mc.Adam(model, lr=0.01), epochs=200, batch_size=16,
                     validation_data=(X_val, y_val), early_stopping=3, progress=False)
    assert history.stopped_early and len(history) < 200
    assert history.best_epoch == int(np.argmin(history.val_loss))
    assert len(history) == history.best_epoch + 1 + 3
    val_loss, _ = mc.evaluate(model, "softmax_cross_entropy", X_val, y_val)
    assert val_loss == pytest.approx(min(history.val_loss), rel=1e-5)


def test_divergence_names_the_learning_rate_and_keeps_the_parameters_finite():
    X, y = spiral(n_classes=3, seed=0)
    model = mc.mlp([2, 64, 3], seed=0)
    with pytest.raises(mc.DivergenceError, match=r"lr=1e\+06.*try lr=100000"):
        mc.fit(model, X * 1000, y, optimizer=mc.SGD(model, lr=1e6), epochs=5, progress=False)
    assert all(np.isfinite(p).all() for _, p, _ in model.named_parameters())


def test_regression_with_mse_learns_a_sine():
    from mlp_core.datasets import noisy_sine
    X, y = noisy_sine(seed=0)
    model = mc.mlp([1, 32, 32, 1], activation="tanh", seed=0)
    history = mc.fit(model, X, y, loss="mse", optimizer=mc.Adam(model, lr=0.01), epochs=200, batch_size=32, progress=False)
    assert history.accuracy[-1] is None
    assert history.loss[-1] < 0.1 * history.loss[0]


def test_fit_validates_its_arguments():
    model = mc.mlp([2, 3], seed=0)
    X, y = np.zeros((4, 2), np.float32), np.array([0, 1, 2, 0])
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        mc.fit(model, X, y, batch_size=0, progress=False)
    with pytest.raises(ValueError, match="pass validation_data"):
        mc.fit(model, X, y, early_stopping=2, progress=False)
    with pytest.raises(ValueError, match="X has 4 rows but y has 3"):
        mc.fit(model, X, y[:3], progress=False)
    with pytest.raises(ValueError, match="X has 1 row but y has 4"):
        mc.fit(model, X[:1], y, progress=False)
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\]"):
        mc.fit(model, X, np.array([0, 1, 5, 0]), progress=False)


def test_history_counts_one_epoch_in_the_singular():
    X, y = spiral(n_classes=3, seed=1)
    history = mc.fit(mc.mlp([2, 4, 3], seed=0), X, y, epochs=1, progress=False)
    assert repr(history).startswith("History(1 epoch, last: loss=")


def test_fit_converts_float64_inputs_once_and_trains_in_float32():
    X, y = spiral(n_classes=3, seed=0)
    model = mc.mlp([2, 8, 3], seed=0)
    mc.fit(model, X.astype(np.float64), y, epochs=1, progress=False)
    assert model.layers[0].x.dtype == np.float32


# -- fit(..., schedule=...) -------------------------------------------------------------------------

def test_fit_sets_the_scheduled_rate_before_every_step():
    X, y = spiral(n_classes=3, seed=0)  # 300 rows: batches of 64 give 5 steps per epoch
    model = mc.mlp([2, 8, 3], seed=0)
    seen, progress = [], []

    class Recorder(mc.SGD):
        def step(self):
            seen.append(self.lr)
            super().step()

    def schedule(p):
        progress.append(p)
        return mc.schedules.cosine(0.2, warmup=0.1)(p)

    mc.fit(model, X, y, optimizer=Recorder(model, lr=0.5), epochs=4, batch_size=64, progress=False, schedule=schedule)
    assert progress == [k / 20 for k in range(20)]
    assert seen == [mc.schedules.cosine(0.2, warmup=0.1)(k / 20) for k in range(20)]


def test_fit_without_a_schedule_leaves_the_rate_alone_and_a_schedule_changes_training():
    X, y = spiral(n_classes=3, seed=0)

    def train(schedule):
        model = mc.mlp([2, 8, 3], seed=0)
        opt = mc.SGD(model, lr=0.1)
        mc.fit(model, X, y, optimizer=opt, epochs=2, progress=False, schedule=schedule)
        return opt.lr, model.layers[0].params["W"].copy()

    lr_none, W_none = train(None)
    lr_const, W_const = train(lambda p: 0.1)
    lr_cos, W_cos = train(mc.schedules.cosine(0.1))
    assert lr_none == lr_const == 0.1
    np.testing.assert_array_equal(W_none, W_const)
    assert lr_cos < 0.1 and not np.array_equal(W_none, W_cos)


@pytest.mark.parametrize("bad", [lambda p: float("nan"), lambda p: -0.1, lambda p: "0.1", lambda p: None])
def test_fit_refuses_a_schedule_that_returns_no_usable_rate(bad):
    X, y = spiral(n_classes=3, seed=0)
    model = mc.mlp([2, 8, 3], seed=0)
    with pytest.raises(ValueError, match=r"The schedule returned lr=.* at progress 0/\d+; a schedule must return"):
        mc.fit(model, X, y, epochs=1, progress=False, schedule=bad)


# -- early stopping and fit(..., augment=...) ---------------------------------------------------------

def test_early_stopping_without_restore_keeps_the_last_weights():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 20), dtype=np.float32)
    y = rng.integers(0, 2, 64)
    X_val, y_val = rng.standard_normal((64, 20), dtype=np.float32), rng.integers(0, 2, 64)
    model = mc.mlp([20, 64, 2], seed=0)
    history = mc.fit(model, X, y, optimizer=mc.Adam(model, lr=0.01), epochs=200, batch_size=16,
                     validation_data=(X_val, y_val), early_stopping=3, restore_best=False, progress=False)
    assert history.stopped_early
    val_loss, _ = mc.evaluate(model, "softmax_cross_entropy", X_val, y_val)
    assert val_loss == pytest.approx(history.val_loss[-1], rel=1e-5) and val_loss > min(history.val_loss)


def test_fit_trains_with_label_smoothing_and_augmentation():
    X, y = spiral(n_classes=3, seed=0)
    model = mc.mlp([2, 32, 3], seed=0)

    def jitter(Xb, rng):
        return Xb + rng.standard_normal(Xb.shape, dtype=Xb.dtype) * Xb.dtype.type(0.01)

    history = mc.fit(model, X, y, loss=mc.SoftmaxCrossEntropy(label_smoothing=0.1),
                     optimizer=mc.Adam(model, lr=0.01), epochs=100, batch_size=32, progress=False, augment=jitter)
    assert mc.accuracy(model.predict(X), y) >= 0.9
    assert history.loss[-1] > 0.2  # smoothed targets keep the loss away from 0
