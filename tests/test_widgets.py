"""The training playground: the pure training function, and the widget wiring driven without a browser."""
import base64
import re
import sys

import numpy as np
import pytest

import mlp_core as mc
from mlp_core import widgets as playground
from mlp_core.datasets import spiral

pytest.importorskip("ipywidgets")
import ipywidgets  # noqa: E402  (after the skip: the module is optional)


@pytest.fixture(scope="module")
def data():
    """A three-class spiral split into 240 training and 60 validation points (chance accuracy 1/3)."""
    X, y = spiral(n_per_class=100, n_classes=3, seed=0)
    order = np.random.default_rng(0).permutation(len(X))
    train, val = order[:240], order[240:]
    return X[train], y[train], X[val], y[val]


def controls(box):
    """Every widget inside ``box``, depth first."""
    found = []
    for child in box.children:
        found.append(child)
        if hasattr(child, "children"):
            found.extend(controls(child))
    return found


def status_and_curves(box):
    """The status line and the image of the learning curves: the playground's last two rows."""
    status, curves = box.children[-2:]
    assert isinstance(status, ipywidgets.HTML) and isinstance(curves, ipywidgets.HTML)
    return status, curves


def shows_png(curves):
    """True when the curves widget shows a PNG with an alternative text."""
    match = re.fullmatch(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)" style="[^"]*">', curves.value)
    return bool(match) and base64.b64decode(match[1]).startswith(b"\x89PNG") and "Learning curves" in match[2]


def control(box, kind, description=None):
    matches = [w for w in controls(box) if isinstance(w, kind) and description in (None, getattr(w, "description", None))]
    assert len(matches) == 1, f"expected one {kind.__name__} {description!r}, found {len(matches)}"
    return matches[0]


# -- the pure part --------------------------------------------------------------------------------

def test_train_small_mlp_runs_the_requested_epochs_and_learns(data):
    seen = []
    model, history = playground.train_small_mlp(*data, lr=0.01, hidden=32, batch_size=32, epochs=30,
                                                optimizer="Adam", n_train=200, seed=0,
                                                callback=lambda epoch, h: seen.append(epoch))
    assert isinstance(history, mc.History) and len(history) == 30
    assert seen == list(range(30))
    assert [layer.params["W"].shape for layer in model.layers if isinstance(layer, mc.Dense)] == [(2, 32), (32, 3)]
    assert history.loss[-1] < history.loss[0]
    assert history.val_accuracy[-1] > 0.6  # chance is 1/3


@pytest.mark.parametrize("name", playground.OPTIMIZER_NAMES)
def test_every_offered_optimizer_trains(data, name):
    lr = {"SGD": 0.5, "SGD+momentum": 0.1, "Adam": 0.01}[name]
    _, history = playground.train_small_mlp(*data, lr=lr, hidden=32, epochs=20, batch_size=16,
                                            optimizer=name, n_train=200, seed=0)
    assert len(history) == 20 and history.accuracy[-1] > 0.5


def test_same_settings_same_history(data):
    runs = [playground.train_small_mlp(*data, epochs=3, n_train=100, seed=1)[1].loss for _ in range(2)]
    assert runs[0] == runs[1]


def test_settings_are_checked(data):
    with pytest.raises(ValueError, match="Unknown optimizer"):
        playground.train_small_mlp(*data, optimizer="adamw", n_train=100)
    with pytest.raises(ValueError, match="n_train"):
        playground.train_small_mlp(*data, n_train=10_000)


def test_make_optimizer_builds_what_the_name_says():
    model = mc.mlp([2, 3, 2], seed=0)
    sgd, momentum, adam = (playground.make_optimizer(n, model, 0.1) for n in playground.OPTIMIZER_NAMES)
    assert isinstance(sgd, mc.SGD) and sgd.hyper["momentum"] == 0
    assert isinstance(momentum, mc.SGD) and momentum.hyper["momentum"] == 0.9
    assert isinstance(adam, mc.Adam) and adam.lr == 0.1


# -- the widget -----------------------------------------------------------------------------------

def test_the_playground_has_its_controls(data):
    box = playground.training_playground(*data, n_train=100, train_now=False)
    assert isinstance(box, ipywidgets.VBox)
    lr = control(box, ipywidgets.FloatLogSlider, "learning rate")
    assert lr.min <= -3 <= lr.max and lr.max >= 0  # covers Adam's 1e-3 and SGD's lr = 1
    assert control(box, ipywidgets.Dropdown, "optimizer").options == playground.OPTIMIZER_NAMES
    assert 64 in control(box, ipywidgets.Dropdown, "hidden units").options
    assert 128 in control(box, ipywidgets.Dropdown, "batch size").options
    assert control(box, ipywidgets.IntSlider, "epochs").value >= 1
    assert control(box, ipywidgets.Button, "Train")
    status, curves = status_and_curves(box)
    assert curves.value == "" and status.value == "Press Train."


def test_clicking_train_retrains_and_redraws(data):
    box = playground.training_playground(*data, n_train=200, train_now=False)
    status, curves = status_and_curves(box)
    control(box, ipywidgets.IntSlider, "epochs").value = 4
    control(box, ipywidgets.FloatLogSlider, "learning rate").value = 0.01
    control(box, ipywidgets.Button, "Train").click()
    assert "after 4 epochs on 200 images" in status.value and "validation accuracy" in status.value
    assert shows_png(curves)
    first = curves.value

    control(box, ipywidgets.Dropdown, "optimizer").value = "SGD"
    control(box, ipywidgets.Button, "Train").click()
    assert status.value.startswith("SGD, lr=0.01") and shows_png(curves) and curves.value != first


def test_the_status_line_counts_one_epoch_in_the_singular(data):
    box = playground.training_playground(*data, n_train=1, train_now=False)
    control(box, ipywidgets.IntSlider, "epochs").value = 1
    control(box, ipywidgets.Button, "Train").click()
    status = status_and_curves(box)[0].value
    assert "after 1 epoch on 1 image, training loss" in status, status


def test_train_now_shows_curves_from_the_start(data):
    box = playground.training_playground(*data, n_train=100, train_now=True)
    status, curves = status_and_curves(box)
    assert shows_png(curves) and "validation accuracy" in status.value


def test_divergence_is_reported_not_raised(data, monkeypatch):
    def diverge(*args, callback, **kwargs):
        history = mc.History()
        history.append(loss=2.0, accuracy=0.3, val_loss=2.1, val_accuracy=0.3)
        callback(0, history)
        raise mc.DivergenceError("Training diverged: ... with learning rate lr=10.")

    monkeypatch.setattr(playground, "train_small_mlp", diverge)
    box = playground.training_playground(*data, train_now=False)
    button = control(box, ipywidgets.Button, "Train")
    button.click()
    status, curves = status_and_curves(box)
    assert "Training diverged" in status.value and "lr=10" in status.value
    assert shows_png(curves)  # the epochs before the divergence
    assert not button.disabled


def test_a_missing_ipywidgets_says_how_to_install_it(data, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        playground.training_playground(*data)
