"""The playground's ipywidgets: controls, presets, and live panels fed by a Run in a background thread.

Training runs in a thread so that the kernel keeps answering the browser while it trains (Stop,
sliders, other cells); ipykernel sends widget updates from any thread. Between two chunks of
training the thread checks Stop and, if enough time has passed, redraws the panels: it waits at
least ``interval`` seconds and four times as long as the last drawing took, so drawing stays
under a fifth of the time. Only the panels' HTML strings travel to the browser.
"""
import html
import threading
import time

import numpy as np
import ipywidgets as w

from . import draw
from .engine import ACTIVATIONS, DATASETS, INITIALIZERS, LOSSES, OPTIMIZERS, Run, Settings, load_data
from .presets import PRESETS

STYLE = {"description_width": "120px"}
WIDE = w.Layout(width="310px")
ERROR = "#b00020"


def _controls(s):
    """One widget per field of Settings, named like it, showing the values of ``s``."""
    slider = {"style": STYLE, "layout": WIDE, "continuous_update": False}
    pick = {"style": STYLE, "layout": WIDE}
    return {
        "data": w.Dropdown(options=DATASETS, value=s.data, description="data", **pick),
        "n_train": w.Dropdown(options=[500, 1000, 2000, 5000, 10000], value=s.n_train,
                              description="images (F-MNIST)", **pick),
        "seed": w.BoundedIntText(value=s.seed, min=0, max=9999, description="seed", **pick),
        "depth": w.IntSlider(value=s.depth, min=1, max=10, description="hidden layers", **slider),
        "width": w.Dropdown(options=[2, 4, 8, 16, 32, 64, 128, 256], value=s.width, description="units per layer",
                            **pick),
        "activation": w.Dropdown(options=ACTIVATIONS, value=s.activation, description="activation", **pick),
        "init": w.Dropdown(options=INITIALIZERS, value=s.init, description="initialiser", **pick),
        "init_scale": w.FloatLogSlider(value=s.init_scale, base=10, min=-3, max=1, step=0.25, readout_format=".2g",
                                       description="initial scale ×", **slider),
        "batchnorm": w.Checkbox(value=s.batchnorm, description="batch norm", **pick),
        "loss": w.Dropdown(options=LOSSES, value=s.loss, description="loss", **pick),
        "optimizer": w.Dropdown(options=OPTIMIZERS, value=s.optimizer, description="optimiser", **pick),
        "lr": w.FloatLogSlider(value=s.lr, base=10, min=-4, max=1, step=0.25, readout_format=".2g",
                               description="learning rate", **slider),
        "batch_size": w.Dropdown(options=[8, 16, 32, 64, 128, 256], value=s.batch_size, description="batch size",
                                 **pick),
        "weight_decay": w.SelectionSlider(options=[0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], value=s.weight_decay,
                                          description="weight decay", **slider),
        "dropout": w.FloatSlider(value=s.dropout, min=0, max=0.8, step=0.1, description="dropout", **slider),
        "epochs": w.IntSlider(value=s.epochs, min=1, max=100, description="epochs", **slider),
    }


def status_html(run):
    """One line on the run: where it is, its latest numbers, its speed; the reason if it stopped early."""
    s, h = run.settings, run.history
    parts = [f"{s.data}, {s.optimizer} at lr {s.lr:.2g}: epoch {run.epoch}/{s.epochs}"]
    if len(h):
        parts.append(f"training loss {h.loss[-1]:.3f}, validation accuracy {h.val_accuracy[-1]:.3f}")
        parts.append(f"{run.seconds / max(run.epoch, 1):.2g} s per epoch")
    text = html.escape(", ".join(parts) + ".")
    if run.state == "diverged":
        return f'<span style="color: {ERROR};">{html.escape(run.message)}</span> {text}'
    prefix = {"ready": "Starting", "running": "Training", "finished": "Done", "stopped": run.message}[run.state]
    return f"{html.escape(prefix)}: {text}"


class Playground:
    """The live playground: ``Playground().widget`` is the ipywidgets box to display.

    Methods do what the buttons do: ``train()``, ``stop()``, ``reset()``, ``load_preset(name)``;
    ``wait()`` blocks until the current run ends. With ``threaded=False`` a run trains in the
    caller's thread (tests, and a notebook that stores the final state).
    """

    def __init__(self, settings=None, *, threaded=True, interval=0.2):
        self.defaults = settings or Settings()
        self.threaded, self.interval = threaded, interval
        self.controls = _controls(self.defaults)
        self.train_button = w.Button(description="Train", button_style="primary", icon="play")
        self.stop_button = w.Button(description="Stop", icon="stop", disabled=True)
        self.reset_button = w.Button(description="Reset", icon="undo")
        self.auto = w.Checkbox(value=False, description="retrain on every change (2-D data)", indent=False,
                               layout=w.Layout(width="300px"))
        self.preset_buttons = {name: w.Button(description=name, layout=w.Layout(width="auto"))
                               for name in PRESETS}
        self.preset_text = w.HTML()
        self.status = w.HTML("Press Train, or load a preset.")
        self.curves, self.picture, self.layers, self.final = w.HTML(), w.HTML(), w.HTML(), w.HTML()
        self.run, self.thread, self.draw_seconds = None, None, []
        self._stop, self._quiet = threading.Event(), False

        self.train_button.on_click(lambda _: self.train())
        self.stop_button.on_click(lambda _: self.stop())
        self.reset_button.on_click(lambda _: self.reset())
        for name, button in self.preset_buttons.items():
            button.on_click(lambda _, name=name: self.load_preset(name))
        for control in self.controls.values():
            control.observe(self._changed, "value")

        c = self.controls
        row = lambda *names: w.HBox([c[n] for n in names], layout=w.Layout(flex_flow="row wrap"))
        wrap = w.Layout(flex_flow="row wrap", align_items="flex-start")
        self.widget = w.VBox([
            row("data", "n_train", "seed"), row("depth", "width", "activation"),
            row("init", "init_scale", "batchnorm"), row("loss", "optimizer", "lr"),
            row("batch_size", "weight_decay", "dropout"), row("epochs"),
            w.HBox([self.train_button, self.stop_button, self.reset_button, self.auto], layout=wrap),
            w.HTML("<b>Presets</b> (one click loads the settings and trains):"),
            w.HBox(list(self.preset_buttons.values()), layout=wrap), self.preset_text,
            self.status, w.HBox([self.curves, self.picture], layout=wrap),
            w.HBox([self.layers], layout=wrap), self.final,
        ])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- settings ---------------------------------------------------------------------------
    def settings(self):
        """The Settings the controls show now."""
        return Settings(**{name: control.value for name, control in self.controls.items()})

    def apply(self, settings):
        """Show ``settings`` in the controls without triggering an automatic retrain."""
        self._quiet = True
        try:
            for name, control in self.controls.items():
                control.value = getattr(settings, name)
        finally:
            self._quiet = False

    def _changed(self, change):
        if not self._quiet and self.auto.value and self.settings().two_d:
            self.train()

    # -- the buttons -------------------------------------------------------------------------
    def train(self):
        """Stop any run, then train a new one with the controls' settings."""
        self.stop(wait=True)
        self._stop.clear()
        self.final.value = ""
        settings = self.settings()
        self.stop_button.disabled = False
        if self.threaded:
            self.thread = threading.Thread(target=self._train, args=(settings,), daemon=True)
            self.thread.start()
        else:
            self._train(settings)

    def stop(self, wait=False):
        """Ask the run to stop at its next chunk; with ``wait``, return once it has."""
        self._stop.set()
        if wait:
            self.wait()

    def wait(self, timeout=None):
        """Block until the current run's thread ends (or ``timeout`` seconds pass)."""
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def reset(self):
        """Stop, put the default settings back and clear the panels."""
        self.stop(wait=True)
        self.apply(self.defaults)
        self.run = None
        for panel in (self.curves, self.picture, self.layers, self.final, self.preset_text):
            panel.value = ""
        self.status.value = "Press Train, or load a preset."

    def load_preset(self, name):
        """Show the preset's settings and what to look for, then train."""
        preset = PRESETS[name]
        self.stop(wait=True)
        self.apply(Settings(**preset["settings"]))
        self.preset_text.value = f"<b>{html.escape(name)}.</b> {preset['text']}"
        self.train()

    # -- the training thread ----------------------------------------------------------------
    def _train(self, settings):
        try:
            if not settings.two_d:
                self.status.value = "Loading Fashion-MNIST..."
            run = self.run = Run(settings, load_data(settings.data, settings.n_train))
            self._prepare_picture(run)
            self.draw_seconds = []
            self._draw(run)
            last = time.perf_counter()
            while run.step():
                if self._stop.is_set():
                    run.stop()
                    break
                if time.perf_counter() - last >= max(self.interval, 4 * self.draw_seconds[-1]):
                    self._draw(run)
                    last = time.perf_counter()
            self._draw(run, final=True)
        except Exception as error:  # shown in the widget: a thread's traceback would reach no one
            self.status.value = f'<span style="color: {ERROR};">{html.escape(f"{type(error).__name__}: {error}")}</span>'
        finally:
            self.stop_button.disabled = True

    def _prepare_picture(self, run):
        if run.data.images:
            self.grid = None
            return
        X = run.data.X_train
        low, high = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
        n = 64
        xs = np.linspace(low[0], high[0], n, dtype=np.float32)
        ys = np.linspace(high[1], low[1], n, dtype=np.float32)
        gx, gy = np.meshgrid(xs, ys)
        self.grid = np.column_stack([gx.ravel(), gy.ravel()])
        self.extent = (low[0], high[0], low[1], high[1])

    def _draw(self, run, final=False):
        with np.errstate(all="ignore"):  # a diverged network's NaNs are drawn as gaps, not warned about
            self._draw_panels(run, final)

    def _draw_panels(self, run, final):
        start = time.perf_counter()
        self.curves.value = draw.curves_html(run.curve, run.history, run.settings.epochs)
        if run.data.images:
            self.picture.value = draw.weights_html(run.first_weights())
        else:
            self.picture.value = draw.boundary_html(run.grid_probabilities(self.grid), (64, 64), self.extent,
                                                    run.data.X_train, run.data.y_train)
        self.layers.value = draw.diagnostics_html(run.diagnostics, run.layer_report(),
                                                  run.settings.epochs * run.batches)
        if final:
            counts, pred, confidence = run.evaluation()
            parts = [draw.confusion_html(counts, run.data.class_names)]
            if run.data.images:
                y = run.data.y_val
                wrong = np.flatnonzero(pred != y)
                worst = wrong[np.argsort(-confidence[wrong], kind="stable")[:8]]
                parts.append(draw.mistakes_html(run.data.X_val[worst], y[worst], pred[worst], confidence[worst],
                                                run.data.class_names))
            self.final.value = "".join(parts)
        self.status.value = status_html(run)
        self.draw_seconds.append(time.perf_counter() - start)
