"""Save and load a model (and its optimiser) as one ``.npz`` file, never with pickles.

The file holds the arrays (parameters "param/0.W", buffers "buffer/1.running_mean",
optimiser state "optim/0.W/m") and one JSON string "meta" with the architecture, the dtype,
the optimiser's settings and step counter, and the random state of dropout layers. It is
written to a temporary file in the same folder and then renamed over the target, so an
interrupted save never leaves a half-written file in place of a good one.
"""
import json
import os
import tempfile
import zipfile

import numpy as np

from . import activations, layers
from .initializers import INITIALIZERS
from .model import Sequential
from .optimizers import OPTIMIZERS

FORMAT = "mlp_core-checkpoint"
VERSION = 1
LAYER_TYPES = {cls.__name__: cls for cls in (
    layers.Dense, layers.Dropout, layers.BatchNorm1d, activations.Sigmoid, activations.Tanh,
    activations.ReLU, activations.LeakyReLU, activations.Softmax)}
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")


def save_model(path, model, optimizer=None):
    """Write model (and optimizer state, if given) to ``path`` (.npz), atomically."""
    path = os.fspath(path)
    arrays = {f"param/{name}": p for name, p, _ in model.named_parameters()}
    arrays.update({f"buffer/{name}": b for name, b in model.named_buffers()})
    meta = {"format": FORMAT, "version": VERSION, "architecture": model.architecture(),
            "dtype": str(model.dtype), "optimizer": None,
            "rng": {str(i): layer.rng.bit_generator.state for i, layer in enumerate(model.layers) if hasattr(layer, "rng")}}
    if optimizer is not None:
        state = optimizer.state_dict()
        meta["optimizer"] = state["config"]
        arrays.update({f"optim/{key}": value for key, value in state["arrays"].items()})
    arrays["meta"] = np.array(json.dumps(meta))
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _read(path):
    path = os.fspath(path)
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as e:
        raise ValueError(
            f"{path} is not a readable mlp_core model file ({type(e).__name__}: {e}). "
            "It may be truncated or corrupt, or not written by save_model; save the model again."
        ) from None
    try:
        meta = json.loads(str(arrays.pop("meta")))
        assert meta["format"] == FORMAT
    except Exception:
        raise ValueError(f"{path} is an .npz file but not an mlp_core model file (no valid 'meta' entry); "
                         "load it with numpy.load, or save the model with save_model.") from None
    if meta["version"] > VERSION:
        raise ValueError(f"{path} was written by a newer mlp_core (format {meta['version']}); upgrade mlp_core.")
    return meta, arrays


def _describe(architecture):
    return " -> ".join(f"{a['type']}({', '.join(f'{k}={v}' for k, v in a.items() if k not in ('type', 'init'))})"
                       for a in architecture)


def _same_architecture(a, b):
    strip = lambda arch: [{k: v for k, v in layer.items() if k != "init"} for layer in arch]
    return strip(a) == strip(b)


def _fill(path, meta, arrays, model, optimizer):
    if not _same_architecture(meta["architecture"], model.architecture()):
        raise ValueError(
            f"{path} holds a model of another architecture.\n  in the file: {_describe(meta['architecture'])}\n"
            f"  this model:  {_describe(model.architecture())}\n"
            "Build the model with the same layers, or call load_model(path) to rebuild it from the file."
        )
    for name, p, _ in model.named_parameters():
        p[...] = arrays[f"param/{name}"]
    for name, b in model.named_buffers():
        b[...] = arrays[f"buffer/{name}"]
    for i, state in meta["rng"].items():
        if state["bit_generator"] not in BIT_GENERATORS:
            raise ValueError(f"{path}: unknown random generator {state['bit_generator']!r}.")
        rng = np.random.Generator(getattr(np.random, state["bit_generator"])())
        rng.bit_generator.state = state
        model.layers[int(i)].rng = rng
    if optimizer is not None:
        if meta["optimizer"] is None:
            raise ValueError(f"{path} holds no optimiser state; it was saved without an optimizer.")
        optimizer.load_state_dict({"config": meta["optimizer"], "arrays": {
            key[len("optim/"):]: value for key, value in arrays.items() if key.startswith("optim/")}})


def load_weights(path, model, optimizer=None):
    """Load parameters, buffers (and optimiser state) from ``path`` into an existing model.

    Raises ValueError if the file's architecture differs from the model's.
    """
    meta, arrays = _read(path)
    _fill(path, meta, arrays, model, optimizer)
    return model


def load_model(path, with_optimizer=False):
    """Rebuild the saved model from ``path``; with ``with_optimizer`` return (model, optimizer)."""
    meta, arrays = _read(path)
    dtype = np.dtype(meta["dtype"])
    built = []
    for spec in meta["architecture"]:
        spec = dict(spec)
        cls = LAYER_TYPES.get(spec.pop("type"))
        if cls is None:
            raise ValueError(f"{path}: unknown layer type in the architecture; known: {sorted(LAYER_TYPES)}.")
        if cls in (layers.Dense, layers.BatchNorm1d):
            spec["dtype"] = dtype
        if cls is layers.Dense and spec.get("init") not in INITIALIZERS:
            spec["init"] = "normal"  # a custom initialiser: the weights are overwritten anyway
        built.append(cls(**spec))
    model = Sequential(built)
    optimizer = None
    if with_optimizer:
        config = meta["optimizer"]
        if config is None:
            raise ValueError(f"{path} holds no optimiser state; it was saved without an optimizer.")
        optimizer = OPTIMIZERS[config["type"].lower()](model, lr=config["lr"])
    _fill(path, meta, arrays, model, optimizer)
    return (model, optimizer) if with_optimizer else model
