"""Explorables: the pure computations, and each widget driven the way the book's page drives it.

The book has no kernel: a slider changes the picture only through the jslinks stored in the widget state.
``Page`` takes that state (what the notebook stores and the page embeds), moves a slider or a Play button,
follows the links as the browser's widget manager does, and reports the pictures on show. A missing or
wrong link leaves the picture unchanged, and the tests fail.
"""
import base64
import io
import math
import re

import numpy as np
import pytest
from PIL import Image

from mlp_core import explorables as ex

pytest.importorskip("ipywidgets")
import ipywidgets  # noqa: E402  (after the skip: the module is optional)

PREFIX = "IPY_MODEL_"


class Page:
    """The stored widget state of ``box``, driven with no kernel: a change follows every jslink."""

    def __init__(self, box):
        everything = ipywidgets.Widget.get_manager_state(drop_defaults=False)["state"]
        self.state = {key: entry["state"] for key, entry in everything.items()}
        self.root = box.model_id
        self.links = [(s["source"], s["target"]) for s in self.state.values() if s["_model_name"] == "LinkModel"]

    def _children(self, key):
        state = self.state[key]
        children = [c[len(PREFIX):] for c in state.get("children", [])]
        if state["_model_name"] == "StackModel":  # the page draws only the selected child
            return [] if state["selected_index"] is None else [children[state["selected_index"]]]
        return children

    def widgets(self, key=None):
        """Keys of the widgets on show, depth first."""
        key = key or self.root
        return [key] + [k for child in self._children(key) for k in self.widgets(child)]

    def control(self, model_name, description):
        found = [k for k in self.widgets() if self.state[k]["_model_name"] == model_name
                 and self.state[k]["description"] == description]
        assert len(found) == 1, f"no single {model_name} {description!r} on show: {found}"
        return found[0]

    def set(self, key, trait, value):
        """Change one trait, as a reader's click does, and follow the jslinks both ways."""
        todo = [(key, trait, value)]
        while todo:
            key, trait, value = todo.pop()
            if self.state[key][trait] == value:
                continue
            self.state[key][trait] = value
            for source, target in self.links:
                for a, b in ((source, target), (target, source)):
                    if a == [PREFIX + key, trait]:
                        todo.append((b[0][len(PREFIX):], b[1], value))

    def pictures(self):
        """(src, alt) of every <img> on show, top to bottom."""
        found = []
        for key in self.widgets():
            if self.state[key]["_model_name"] == "HTMLModel":
                found += re.findall(r'<img src="([^"]+)" alt="([^"]*)"', self.state[key]["value"])
        return found


def decode(src):
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))


def check_every_slider_changes_the_picture(box, names):
    page = Page(box)
    before = page.pictures()
    assert before and all(len(alt.split()) >= 8 for _, alt in before), before
    for name in names:
        slider = page.control("SelectionSliderModel", name)
        n = len(page.state[slider]["_options_labels"])
        start = page.state[slider]["index"]
        page.set(slider, "index", n - 1 if start != n - 1 else 0)
        after = page.pictures()
        assert after[-1][0] != before[-1][0], f"moving {name!r} did not change the picture"
        assert after[-1][1] != before[-1][1], f"moving {name!r} did not change the alt text"
        before = after
    return page


def check_play_moves_time(page, name):
    slider = page.control("SelectionSliderModel", name)
    play = page.control("PlayModel", f"play {name}")
    assert page.state[play]["max"] == len(page.state[slider]["_options_labels"]) - 1
    seen = set()
    for frame in range(page.state[play]["max"] + 1):  # what the Play button does, one tick at a time
        page.set(play, "value", frame)
        assert page.state[slider]["index"] == frame
        seen.add(page.pictures()[-1][0])
    assert len(seen) == page.state[play]["max"] + 1, "some frames of the animation show the same picture"


def check_overlay(page):
    """Two pictures: the background, opaque, and the picture over it, transparent, of the same size."""
    (background, _), (layer, _) = page.pictures()
    back, top = decode(background).convert("RGBA"), decode(layer).convert("RGBA")
    assert back.size == top.size
    assert np.asarray(back)[..., 3].min() == 255
    alpha = np.asarray(top)[..., 3]
    assert (alpha == 0).mean() > 0.5 and alpha.max() == 255  # mostly see-through, with something drawn


# ---------------------------------------------------------------------------------------------------
# The mechanism

def test_explorable_one_picture_per_combination_and_duplicates_stored_once():
    calls = []

    def draw(axes, a, b):
        calls.append((a, b))
        axes[0].plot([0, 1], [0, a])  # ignores b: its pictures are all alike
        return f"A line from 0 to {a}, drawn for the value b = {b} of the second slider."

    box = ex.explorable({"a": [1, 2, 3], "b": ["x", "y"]}, draw, layout=lambda fig: fig.subplots(1, 1))
    assert sorted(calls) == [(a, b) for a in (1, 2, 3) for b in ("x", "y")]
    page = Page(box)
    stored, todo = set(), [box.model_id]  # every widget under the box, shown or not
    while todo:
        key = todo.pop()
        todo += [child[len(PREFIX):] for child in page.state[key].get("children", [])]
        if page.state[key]["_model_name"] == "HTMLModel":
            stored.add(key)
    assert len(stored) == 3  # b changes nothing: one stored picture per value of a


def test_explorable_checks_its_arguments():
    def draw(axes, a):
        return "never drawn"

    with pytest.raises(ValueError, match="play"):
        ex.explorable({"a": [1, 2]}, draw, layout=lambda fig: fig.subplots(1, 1), play="time")
    with pytest.raises(ValueError, match="initial"):
        ex.explorable({"a": [1, 2]}, draw, layout=lambda fig: fig.subplots(1, 1), initial={"b": 1})


def test_png_bytes_is_a_small_palette_png():
    from matplotlib.figure import Figure

    fig = Figure(figsize=ex.FIGSIZE)
    ax = fig.subplots()
    ax.plot(np.sin(np.linspace(0, 10, 200)))
    png = ex.png_bytes(fig)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "P" and len(image.getcolors()) <= ex.COLORS
    assert len(png) < 20_000


# ---------------------------------------------------------------------------------------------------
# Chapter 2: one neuron

def test_neuron_path_is_gradient_descent_on_the_mse():
    w0, b0, lr = 0.5, -0.3, 2.0
    path = ex.neuron_path(w0, b0, lr, steps=3)
    assert path.shape == (4, 3)
    a = 1 / (1 + np.exp(-(w0 * ex.NEURON_X + b0)))
    delta = (a - ex.NEURON_Y) * a * (1 - a) / len(a)
    assert np.allclose(path[1, :2], [w0 - lr * np.sum(delta * ex.NEURON_X), b0 - lr * np.sum(delta)], rtol=1e-12)
    assert np.allclose(path[:, 2], ex.neuron_loss(path[:, 0], path[:, 1]), rtol=1e-12)
    h = 1e-6  # the step is against the gradient of neuron_loss
    grad_w = (ex.neuron_loss(w0 + h, b0) - ex.neuron_loss(w0 - h, b0)) / (2 * h)
    assert abs((w0 - path[1, 0]) / lr - grad_w) < 1e-8


def test_neuron_path_plateau_from_a_saturated_start():
    fast, slow = ex.neuron_path(0.0, 0.0, 4.0, 100), ex.neuron_path(1.0, 6.0, 4.0, 100)
    assert fast[10, 2] < 0.07 and np.all(np.diff(fast[:, 2]) <= 1e-12)
    assert slow[10, 2] > 0.23  # still on the plateau after 10 steps


def test_explore_neuron_sliders_and_play():
    box = ex.explore_neuron(starts=((0.0, 0.0), (1.0, 6.0)), lrs=(0.5, 32.0), steps=(0, 5, 50))
    page = check_every_slider_changes_the_picture(box, ["start (w0, b0)", "learning rate", "step"])
    check_play_moves_time(page, "step")
    check_overlay(page)


# ---------------------------------------------------------------------------------------------------
# Chapter 4: the saturated neuron

def test_saturated_run_steps():
    lr = 0.15
    for loss, delta in (("mse", lambda a: a * a * (1 - a)), ("cross_entropy", lambda a: a)):
        z = ex.saturated_run(4.0, loss, lr=lr, epochs=2)
        a = 1 / (1 + math.exp(-4.0))
        assert z[0] == 4.0 and abs(z[1] - (4.0 - 2 * lr * delta(a))) < 1e-12  # w and b both move
    a_mse = 1 / (1 + np.exp(-ex.saturated_run(4.0, "mse")))
    a_ce = 1 / (1 + np.exp(-ex.saturated_run(4.0, "cross_entropy")))
    assert np.argmax(a_ce < 0.5) < 20 and np.argmax(a_mse < 0.5) > 200  # chapter 4's experiment 1
    with pytest.raises(ValueError, match="loss"):
        ex.saturated_run(4.0, "hinge")


def test_explore_saturation_sliders_and_play():
    box = ex.explore_saturation(starts=(2.0, 4.0, 8.0), epochs=40, every=20)
    page = check_every_slider_changes_the_picture(box, ["initial z0", "epoch"])
    check_play_moves_time(page, "epoch")
    check_overlay(page)


# ---------------------------------------------------------------------------------------------------
# Chapter 6: the scale of the weights

@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    return rng.random((100, 784), dtype=np.float32), rng.integers(0, 10, size=100)


def test_signal_statistics_follow_the_gain(batch):
    X, y = batch
    he = ex.signal_statistics(X, y, math.sqrt(2), "relu", depth=6, width=128)["input_std"]
    small = ex.signal_statistics(X, y, 0.5, "relu", depth=6, width=128)["input_std"]
    assert 0.5 < he[-1] / he[1] < 2
    ratio = (small[-1] / small[1]) ** (1 / 4)  # four layers from the input of layer 2 to that of layer 6
    assert abs(ratio - 0.5 / math.sqrt(2)) < 0.05


def test_explore_init_scale_sliders(batch):
    X, y = batch
    box = ex.explore_init_scale(X, y, gains=[0.5, ("√2", math.sqrt(2))], depth=4)
    check_every_slider_changes_the_picture(box, ["activation", "weight scale g"])
    assert "PlayModel" not in {Page(box).state[k]["_model_name"] for k in Page(box).widgets()}


# ---------------------------------------------------------------------------------------------------
# Chapter 7: optimisers on the quadratic

def test_quadratic_path_plain_gradient_descent_is_exact():
    lr, lam = ex.OPTIMIZERS["SGD, momentum β"][1], np.array([1.0, 20.0])
    path = ex.quadratic_path("SGD, momentum β", 0.0, steps=5)
    assert np.allclose(path[1:] / path[:-1], 1 - lr * lam, rtol=1e-12)  # theta_{t+1} = (1 - lr lam) theta_t
    with_momentum = ex.quadratic_path("SGD, momentum β", 0.5, steps=40)
    assert np.linalg.norm(with_momentum[-1]) < np.linalg.norm(ex.quadratic_path("SGD, momentum β", 0.0, 40)[-1])


def test_explore_optimizers_sliders_and_play():
    box = ex.explore_optimizers(betas=(0.0, 0.9), steps=8, every=4)
    page = check_every_slider_changes_the_picture(box, ["optimiser", "β", "step"])
    check_play_moves_time(page, "step")
    check_overlay(page)
