import numpy as np
import pytest

import mlp_core as mc
from mlp_core.initializers import INITIALIZERS, get_initializer

FAN_IN, FAN_OUT = 400, 200
EXPECTED_VARIANCE = {
    "xavier_normal": 2 / (FAN_IN + FAN_OUT),
    "xavier_uniform": 2 / (FAN_IN + FAN_OUT),
    "he_normal": 2 / FAN_IN,
    "he_uniform": 2 / FAN_IN,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_VARIANCE))
def test_variance_matches_the_paper(name):
    W = get_initializer(name)((FAN_IN, FAN_OUT), rng=0)
    assert W.shape == (FAN_IN, FAN_OUT) and W.dtype == np.float32
    assert abs(W.mean()) < 0.01 * np.sqrt(EXPECTED_VARIANCE[name]) * 10
    assert W.var() == pytest.approx(EXPECTED_VARIANCE[name], rel=0.02)


@pytest.mark.parametrize("name", ["xavier_uniform", "he_uniform"])
def test_uniform_limits(name):
    W = get_initializer(name)((FAN_IN, FAN_OUT), rng=1)
    limit = np.sqrt(3 * EXPECTED_VARIANCE[name])
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit


def test_normal_std_and_float64():
    W = mc.normal((300, 300), std=0.05, rng=2, dtype=np.float64)
    assert W.dtype == np.float64 and W.std() == pytest.approx(0.05, rel=0.02)


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_seeded_and_generator_draws_are_reproducible(name):
    init = get_initializer(name)
    a = init((5, 4), rng=7)
    b = init((5, 4), rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, init((5, 4), rng=8))


def test_bad_seed_type():
    with pytest.raises(TypeError, match="Generator"):
        mc.he_normal((2, 2), rng="zero")
