"""Weight initialisers for a weight matrix of shape (fan_in, fan_out).

Each takes ``shape``, ``rng`` (a ``numpy.random.Generator``, an integer seed or None) and
``dtype`` (float32 by default), and draws directly in that dtype (no float64 detour).

| name            | distribution                        | variance                    | source                |
|-----------------|-------------------------------------|-----------------------------|-----------------------|
| normal          | N(0, std^2)                         | std^2                       |                       |
| xavier_normal   | N(0, s^2)                           | 2 / (fan_in + fan_out)      | Glorot & Bengio 2010  |
| xavier_uniform  | U(-l, l), l = sqrt(6/(fan_in+fan_out)) | 2 / (fan_in + fan_out)   | Glorot & Bengio 2010  |
| he_normal       | N(0, s^2)                           | 2 / fan_in                  | He et al. 2015        |
| he_uniform      | U(-l, l), l = sqrt(6 / fan_in)      | 2 / fan_in                  | He et al. 2015        |

(U(-l, l) has variance l^2 / 3.)
"""
import math

import numpy as np


def as_generator(seed=None):
    """Return a ``numpy.random.Generator``: ``seed`` may be one already, an int, or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer)):
        return np.random.default_rng(seed)
    raise TypeError(f"Expected a seed (int), a numpy.random.Generator or None, got {type(seed).__name__}.")


def _fans(shape):
    if len(shape) != 2:
        raise ValueError(f"Initialisers expect a weight shape (fan_in, fan_out), got {shape}.")
    return shape


def normal(shape, std=0.01, rng=None, dtype=np.float32):
    """Entries drawn from N(0, std^2)."""
    _fans(shape)
    return _scaled_normal(shape, std, rng, dtype)


def _scaled_normal(shape, std, rng, dtype):
    w = as_generator(rng).standard_normal(shape, dtype=dtype)
    w *= std  # in place, so a float32 draw stays float32
    return w


def _scaled_uniform(shape, limit, rng, dtype):
    w = as_generator(rng).random(shape, dtype=dtype)  # U[0, 1)
    w *= 2 * limit
    w -= limit
    return w


def xavier_normal(shape, rng=None, dtype=np.float32):
    """Glorot normal: N(0, 2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    return _scaled_normal(shape, math.sqrt(2 / (fan_in + fan_out)), rng, dtype)


def xavier_uniform(shape, rng=None, dtype=np.float32):
    """Glorot uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    return _scaled_uniform(shape, math.sqrt(6 / (fan_in + fan_out)), rng, dtype)


def he_normal(shape, rng=None, dtype=np.float32):
    """He (Kaiming) normal for ReLU layers: N(0, 2 / fan_in)."""
    fan_in, _ = _fans(shape)
    return _scaled_normal(shape, math.sqrt(2 / fan_in), rng, dtype)


def he_uniform(shape, rng=None, dtype=np.float32):
    """He (Kaiming) uniform for ReLU layers: U(-l, l) with l = sqrt(6 / fan_in)."""
    fan_in, _ = _fans(shape)
    return _scaled_uniform(shape, math.sqrt(6 / fan_in), rng, dtype)


INITIALIZERS = {
    "normal": normal,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}


def get_initializer(name):
    """Return the initialiser called ``name`` (a key of INITIALIZERS), or ``name`` if it is callable."""
    if callable(name):
        return name
    try:
        return INITIALIZERS[str(name).lower()]
    except KeyError:
        raise ValueError(
            f"Unknown initialiser {name!r}. Expected one of {sorted(INITIALIZERS)}, "
            "or a function f(shape, rng, dtype) returning an array of that shape."
        ) from None
