"""A training playground: pick the settings, retrain a small MLP, watch its learning curves.

Two parts, kept apart so that the first can be tested (and used) without any widget:

- ``train_small_mlp``: the pure part. Trains a d_in-hidden-C ReLU network on a seeded subset of
  the training rows with the given settings and returns ``(model, history)``.
- ``training_playground``: the ipywidgets wiring. Sliders and drop-downs for the settings, a
  "Train" button that calls ``train_small_mlp``, and an image where the curves of
  ``plotting.plot_history`` are redrawn after every epoch.

ipywidgets is imported only inside ``training_playground``: the rest of mlp_core never needs it.
"""
import base64
import html
import io

import numpy as np
from matplotlib.figure import Figure

from .display import count
from .model import mlp
from .optimizers import SGD, Adam
from .plotting import plot_history
from .training import DivergenceError, fit

OPTIMIZER_NAMES = ("SGD", "SGD+momentum", "Adam")
"""The optimisers the playground offers; "SGD+momentum" is SGD with momentum 0.9."""


def make_optimizer(name, model, lr):
    """The optimiser called ``name`` (one of OPTIMIZER_NAMES) for ``model`` with learning rate ``lr``."""
    if name == "SGD":
        return SGD(model, lr=lr)
    if name == "SGD+momentum":
        return SGD(model, lr=lr, momentum=0.9)
    if name == "Adam":
        return Adam(model, lr=lr)
    raise ValueError(f"Unknown optimizer {name!r}; expected one of {OPTIMIZER_NAMES}.")


def train_small_mlp(X_train, y_train, X_val, y_val, *, lr=1e-3, hidden=64, batch_size=128, epochs=5,
                    optimizer="Adam", n_train=5000, seed=0, callback=None):
    """Train a small MLP [d_in, hidden, C] with ReLU on ``n_train`` rows of the training data.

    X_train (N, d_in) and y_train (N,) int labels; X_val, y_val the same for validation, used
    whole. The rows are drawn without replacement by a generator seeded with ``seed``, which
    also seeds the initial weights and the shuffling: the same arguments give the same result.
    ``callback(epoch, history)`` runs after every epoch (see ``fit``).
    Returns ``(model, history)``; raises DivergenceError if the loss becomes NaN or infinite.
    """
    if not 1 <= n_train <= len(X_train):
        raise ValueError(f"n_train must be between 1 and the {len(X_train)} training rows, got {n_train}.")
    rows = np.random.default_rng(seed).choice(len(X_train), size=n_train, replace=False)
    n_classes = int(max(np.max(y_train), np.max(y_val))) + 1
    model = mlp([X_train.shape[1], hidden, n_classes], seed=seed)
    history = fit(model, X_train[rows], y_train[rows], optimizer=make_optimizer(optimizer, model, lr),
                  epochs=epochs, batch_size=batch_size, validation_data=(X_val, y_val), seed=seed,
                  progress=False, callback=callback)
    return model, history


CURVES_ALT = ("Learning curves of the last run: loss (left) and accuracy (right) per epoch, "
              "for the training and the validation images.")


def history_figure_png(history, title):
    """The learning curves of ``history`` as PNG bytes.

    The figure is drawn without pyplot, so it never shows up a second time below the cell.
    """
    fig = Figure(figsize=(10, 3.6), layout="constrained")
    plot_history(history, title=title, axes=fig.subplots(1, 2))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def image_html(png, alt):
    """An <img> element showing ``png`` (bytes) with the alternative text ``alt``."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" style="max-width: 100%;">'


def training_playground(X_train, y_train, X_val, y_val, n_train=5000, seed=0, train_now=True):
    """An ipywidgets VBox that retrains ``train_small_mlp`` and redraws its curves on "Train".

    Controls: learning rate (log slider), hidden width, batch size, epochs, optimiser.
    Below the button a status line reports the last run (or the divergence message), and an
    image below shows the learning curves, redrawn after every epoch. ``train_now`` runs
    one training with the initial settings right away, so that the curves show from the start.
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        raise ImportError("The training playground needs ipywidgets: pip install ipywidgets "
                          "(or pip install 'mlp-core[widgets]').") from None

    style = {"description_width": "110px"}
    lr = widgets.FloatLogSlider(value=1e-3, base=10, min=-4, max=1, step=0.25, description="learning rate",
                                readout_format=".2g", style=style)
    hidden = widgets.Dropdown(options=[16, 32, 64, 128, 256], value=64, description="hidden units", style=style)
    batch_size = widgets.Dropdown(options=[16, 32, 64, 128, 256, 512], value=128, description="batch size",
                                  style=style)
    epochs = widgets.IntSlider(value=10, min=1, max=30, description="epochs", style=style)
    optimizer = widgets.Dropdown(options=OPTIMIZER_NAMES, value="Adam", description="optimizer", style=style)
    button = widgets.Button(description="Train", button_style="primary", icon="play")
    status = widgets.HTML(value="Press Train.")  # HTML, not Label: long messages wrap
    # An HTML widget holding an <img>, which can carry an alt text for screen readers: an image shown
    # by an Output widget cannot, and an Image widget's tooltip stops it from rendering in ipywidgets 8.
    curves = widgets.HTML()

    def train(_button=None):
        settings = (f"{optimizer.value}, lr={lr.value:.2g}, {hidden.value} hidden units, "
                    f"batch {batch_size.value}")
        title = f"{optimizer.value}, lr={lr.value:.2g}"
        drawn = False

        def redraw(epoch, history):
            nonlocal drawn
            drawn = True
            status.value = html.escape(f"{settings}: epoch {epoch + 1}/{epochs.value}...")
            curves.value = image_html(history_figure_png(history, title), CURVES_ALT)

        button.disabled = True
        try:
            _, history = train_small_mlp(X_train, y_train, X_val, y_val, lr=lr.value, hidden=hidden.value,
                                         batch_size=batch_size.value, epochs=epochs.value,
                                         optimizer=optimizer.value, n_train=n_train, seed=seed,
                                         callback=redraw)
            status.value = html.escape(f"{settings}: after {count(len(history), 'epoch')} on "
                                       f"{count(n_train, 'image')}, training "
                                       f"loss {history.loss[-1]:.3f}, validation accuracy "
                                       f"{history.val_accuracy[-1]:.3f}.")
        except DivergenceError as error:
            status.value = html.escape(f"{settings}: {error}")
            if not drawn:  # diverged in the first epoch: do not leave the previous run's curves up
                curves.value = ""
        finally:
            button.disabled = False

    button.on_click(train)
    if train_now:
        train()
    return widgets.VBox([
        widgets.HBox([lr, optimizer]),
        widgets.HBox([hidden, batch_size]),
        widgets.HBox([epochs, button]),
        status,
        curves,
    ])
