"""The plotting helpers: colour-blind-safe colours and figures that fit the book's text column."""
import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

import mlp_core as mc
from mlp_core import plotting


@pytest.fixture(autouse=True)
def restore_rc():
    with mpl.rc_context():
        yield
    plt.close("all")


def test_use_style_sets_the_colour_blind_safe_cycle():
    plotting.use_style()
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == plotting.OKABE_ITO
    assert mpl.rcParams["font.size"] >= 10


def test_the_palette_has_distinct_colours():
    assert len(set(plotting.OKABE_ITO)) == len(plotting.OKABE_ITO) == 8


def test_learning_curves_use_the_palette():
    history = mc.History()
    for loss in (1.0, 0.5):
        history.append(loss=loss, accuracy=0.5, val_loss=loss + 0.1, val_accuracy=0.4)
    fig = plotting.plot_history(history)
    colours = {line.get_color() for ax in fig.axes for line in ax.get_lines()}
    assert colours == set(plotting.OKABE_ITO[:2])


@pytest.mark.parametrize("n_cols", [5, 8, 12])
def test_a_gallery_fits_the_text_column(n_cols):
    fig = plotting.show_images(np.zeros((2 * n_cols, 784)), titles=["x"] * (2 * n_cols), n_cols=n_cols)
    assert fig.get_size_inches()[0] <= plotting.COLUMN_INCHES + 1e-9
