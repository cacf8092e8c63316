"""Shared test helpers: random float64 inputs, hypothesis strategies for shapes, the scripts as modules."""
import importlib.util
from pathlib import Path

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

batch_sizes = st.integers(min_value=1, max_value=6)
widths = st.integers(min_value=1, max_value=6)
seeds = st.integers(min_value=0, max_value=2**32 - 1)

TOL = 1e-6


def randn(shape, seed, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale

# Derandomised: the same examples on every run, so a CI failure can be reproduced locally.
settings.register_profile("course", derandomize=True, deadline=None, database=None)
settings.load_profile("course")


def load_script(name):
    """scripts/<name>.py imported as a module (the scripts folder is not a package)."""
    path = Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
