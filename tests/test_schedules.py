import math

import numpy as np
import pytest

import mlp_core as mc
from mlp_core import schedules
from mlp_core.datasets import spiral


def test_step_decay_drops_exactly_at_each_epoch_boundary():
    s = schedules.step_decay(1e-3, factor=0.85, every=1 / 20)
    total = 20 * 391
    for k in range(total):  # without the 1e-9 in step_decay, six of these steps come out one epoch late
        assert s(k / total) == 1e-3 * 0.85 ** (k // 391), k
    third = schedules.step_decay(0.3)  # defaults: factor 0.1 at 1/3 and 2/3 of the run
    assert [third(p) for p in (0, 0.33, 1 / 3, 0.6, 2 / 3, 0.99)] == pytest.approx([0.3, 0.3, 0.03, 0.03, 0.003, 0.003])


def test_cosine_values_at_known_points():
    s = schedules.cosine(0.1, lr_min=0.01)
    assert s(0) == 0.1
    assert s(0.5) == pytest.approx(0.055, rel=1e-12)  # the midpoint of lr_max and lr_min
    assert s(0.25) == pytest.approx(0.01 + 0.09 * (1 + math.cos(math.pi / 4)) / 2, rel=1e-12)
    assert s(1 - 1e-12) == pytest.approx(0.01, rel=1e-9)
    w = schedules.cosine(0.1, warmup=0.2)
    assert w(0) == 0 and w(0.1) == pytest.approx(0.05) and w(0.2) == pytest.approx(0.1)
    assert w(0.6) == pytest.approx(0.05)  # half-way through the cosine part, (0.6 - 0.2) / 0.8
    values = [w(p) for p in np.linspace(0.2, 0.999, 50)]
    assert all(a >= b for a, b in zip(values, values[1:]))


def test_linear_warmup_and_one_cycle_values_at_known_points():
    w = schedules.linear_warmup(0.4, warmup=0.25)
    assert [w(p) for p in (0, 0.125, 0.25, 0.9)] == pytest.approx([0, 0.2, 0.4, 0.4])
    c = schedules.one_cycle(1.0, pct_start=0.3, div_factor=25, final_div_factor=1e4)
    assert c(0) == pytest.approx(0.04)
    assert c(0.15) == pytest.approx((0.04 + 1.0) / 2)
    assert c(0.3) == pytest.approx(1.0)
    assert c(0.65) == pytest.approx((1.0 + 0.04e-4) / 2)
    assert c(1 - 1e-12) == pytest.approx(0.04e-4, rel=1e-6)


@pytest.mark.parametrize("make, match", [
    (lambda: schedules.cosine(0.0), "lr_max must be a positive number"),
    (lambda: schedules.cosine(0.1, lr_min=0.2), r"lr_min must lie in \[0, lr_max\)"),
    (lambda: schedules.cosine(0.1, warmup=5), r"warmup is a fraction.*2 / 20 = 0.1"),
    (lambda: schedules.linear_warmup(0.1, warmup=0), "needs warmup > 0"),
    (lambda: schedules.one_cycle(0.1, pct_start=1.0), r"pct_start is a fraction"),
    (lambda: schedules.step_decay(0.1, factor=-1), "factor must be a positive number"),
])
def test_schedules_refuse_bad_settings_with_a_fix(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_lr_range_test_leaves_the_model_as_it_was_and_finds_the_breakdown():
    X, y = spiral(n_classes=3, seed=0)
    model = mc.mlp([2, 32, 3], seed=0, dropout=0.1)
    model.eval()
    before = [p.copy() for _, p, _ in model.named_parameters()]
    result = schedules.lr_range_test(model, X, y, lr_min=1e-4, lr_max=100.0, steps=60, batch_size=32, momentum=0.9)
    assert not model.training
    for (_, p, _), saved in zip(model.named_parameters(), before):
        np.testing.assert_array_equal(p, saved)
    k = len(result["lr"])
    assert len(result["loss"]) == len(result["smoothed"]) == k
    np.testing.assert_allclose(result["lr"][:2], [1e-4, 1e-4 * 1e6 ** (1 / 59)])
    assert k < 60  # the loss blows up before lr = 100 and the test stops early
    assert result["smoothed"][-1] > 4 * result["smoothed"].min() or not np.isfinite(result["smoothed"][-1])
    assert result["smoothed"].min() < 0.9 * result["smoothed"][0]  # it did learn somewhere on the way
    # The smoothed loss is the bias-corrected moving average of the batch losses.
    avg = 0.0
    for i, value in enumerate(result["loss"]):
        avg = 0.05 * value + 0.95 * avg
        assert result["smoothed"][i] == pytest.approx(avg / (1 - 0.95 ** (i + 1)))


def test_lr_range_test_uses_the_given_optimizer_and_checks_its_settings():
    X, y = spiral(n_classes=3, seed=0)
    model = mc.mlp([2, 8, 3], seed=0)
    sgd = schedules.lr_range_test(model, X, y, steps=5, lr_max=1e-3)
    adam = schedules.lr_range_test(model, X, y, optimizer=mc.Adam, steps=5, lr_max=1e-3)
    assert sgd["loss"][0] == adam["loss"][0] and sgd["loss"][-1] != adam["loss"][-1]
    with pytest.raises(ValueError, match="lr_max must exceed lr_min"):
        schedules.lr_range_test(model, X, y, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match="steps must be an integer >= 2"):
        schedules.lr_range_test(model, X, y, steps=1)
