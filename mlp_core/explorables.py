"""Explorables: figures a reader changes with a slider, in the notebook and in the book without a kernel.

Every picture is drawn in advance, when the notebook runs, and kept in the notebook's widget state. A
slider picks one picture out of a ``Stack`` through ``jslink``, which the browser follows by itself; a
``Play`` button moves a slider along time. So the book's widget manager shows them with no kernel and no
JavaScript of ours.

- ``explorable(controls, draw, layout=...)``: the mechanism. One slider per control, one picture per
  combination of their values, each drawn by ``draw(axes, *values)``, which returns the picture's alt text.
  With ``background``, what never changes is drawn once and each picture is a transparent layer over it,
  which keeps the notebook small.
- One function per chapter computes what it shows and calls ``explorable``: ``explore_neuron`` (chapter 2),
  ``explore_saturation`` (chapter 4), ``explore_init_scale`` (chapter 6), ``explore_optimizers``
  (chapter 7). Each has a pure part (``neuron_path``, ``saturated_run``, ``signal_statistics``,
  ``quadratic_path``) that the tests check without widgets.

A new one is a few lines; for example dropout's rate against the learning curves:

    def explore_dropout(histories):             # {p: History}, trained in the notebook
        def draw(axes, p):
            plot_history(histories[p], title=f"dropout p = {p:g}", axes=axes)
            return f"Loss and accuracy per epoch, training and validation, with dropout p = {p:g}."
        return explorable({"dropout p": list(histories)}, draw, layout=two_panels)

(batch norm on/off is the same with {"batch norm": ["off", "on"]}). Add a Play button with
``play="<control>"`` where a control is time, and a ``background`` where most of the picture never changes.

ipywidgets is imported only inside ``explorable``: the rest of mlp_core never needs it.
"""
import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from .activations import sigmoid
from .initializers import normal
from .model import mlp
from .optimizers import SGD, Adam, RMSProp
from .plotting import OKABE_ITO
from .widgets import image_html

FIGSIZE = (7.5, 3.3)
"""Inches: the width of the book's text column, so the pictures are shown at their size."""
DPI = 90
COLORS = 48
"""Colours of each stored picture (a palette PNG): a few kilobytes instead of tens."""
LAYER_COLORS = 32
"""Colours of a transparent layer over a background: a few lines and a title."""


# ----------------------------------------------------------------------------------------------------
# The mechanism

def png_bytes(fig, transparent=False, colors=COLORS):
    """The figure as a small palette PNG (bytes); ``transparent`` keeps the background see-through."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, transparent=transparent)
    image = Image.open(buffer).convert("RGBA")
    image = image.quantize(colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="png", optimize=True)
    return out.getvalue()


def _axes(fig, layout, frame_of=None):
    """The list of Axes that ``layout(fig)`` makes; with ``frame_of``, same limits and scales, no frame."""
    axes = list(np.ravel(layout(fig)))
    for ax, (xscale, yscale, xlim, ylim) in zip(axes, frame_of or []):
        ax.set_xscale(xscale)
        ax.set_yscale(yscale)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set_axis_off()  # only what draw() adds is shown, over the background
    return axes


def _frame(axes):
    return [(ax.get_xscale(), ax.get_yscale(), ax.get_xlim(), ax.get_ylim()) for ax in axes]


def _labelled(options):
    """Options as (label, value) pairs: a value v becomes (f"{v:g}" or str(v), v)."""
    pairs = []
    for option in options:
        if isinstance(option, tuple):
            pairs.append(option)
        else:
            pairs.append((f"{option:g}" if isinstance(option, (int, float)) else str(option), option))
    return pairs


def explorable(controls, draw, *, layout, background=None, play=None, initial=None, figsize=FIGSIZE,
               interval=500):
    """An ipywidgets VBox: a slider per control, and the picture ``draw`` made for the chosen values.

    controls: {description: options}, the options as values or (label, value) pairs, in slider order.
    layout(fig) adds the Axes to a matplotlib Figure (a fixed layout: no constrained layout) and returns
    them; draw(axes, *values) draws one picture, one value per control, and returns its alt text.
    background(axes), if given, draws what all pictures share and returns its alt text; the pictures
    are then transparent layers over it, with the background's limits and scales and no axis.
    play: the control that is time; it gets a Play button. initial: {description: value} to start at.
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        raise ImportError("Explorables need ipywidgets: pip install ipywidgets "
                          "(or pip install 'mlp-core[widgets]').") from None
    options = {name: _labelled(opts) for name, opts in controls.items()}
    if play is not None and play not in options:
        raise ValueError(f"play={play!r} is not one of the controls {list(options)}.")
    initial = initial or {}
    unknown = set(initial) - set(options)
    if unknown:
        raise ValueError(f"initial names {sorted(unknown)}, which are not controls: {list(options)}.")

    frame_of = under = None
    if background is not None:
        fig = Figure(figsize=figsize)
        axes = _axes(fig, layout)
        alt = background(axes)
        frame_of = _frame(axes)
        under = widgets.HTML(image_html(png_bytes(fig), alt), layout=widgets.Layout(grid_area="picture"))

    pictures = {}  # png -> HTML widget: identical pictures are stored once
    # One Layout and one style for all pictures and Stacks: each would otherwise be two more widgets
    # in the stored state, for every picture.
    shared = {"layout": widgets.Layout()}

    def picture(values):
        fig = Figure(figsize=figsize)
        alt = draw(_axes(fig, layout, frame_of), *values)
        png = png_bytes(fig, transparent=True, colors=LAYER_COLORS) if background else png_bytes(fig)
        if png not in pictures:
            pictures[png] = widgets.HTML(image_html(png, alt), **shared)
            shared.setdefault("style", pictures[png].style)  # the first picture's, for all the others
        return pictures[png]

    style = {"description_width": "initial"}
    sliders = []
    for name, pairs in options.items():
        values = [value for _, value in pairs]
        start = values.index(initial[name]) if name in initial else 0
        sliders.append(widgets.SelectionSlider(options=pairs, index=start, description=name, style=style,
                                               layout=widgets.Layout(width="400px")))

    stack_layout = widgets.Layout()

    def stack(chosen, box_layout=stack_layout):
        """Nested Stacks, one level per control; each level's selected_index follows its slider."""
        level = len(chosen)
        if level == len(sliders):
            return picture(chosen)
        children = [stack(chosen + (value,)) for _, value in options[sliders[level].description]]
        node = widgets.Stack(children, selected_index=sliders[level].index, layout=box_layout)
        widgets.jslink((sliders[level], "index"), (node, "selected_index"))
        return node

    if under is None:
        shown = stack(())
    else:  # the background and the pictures in one grid cell, the pictures on top
        shown = widgets.GridBox([under, stack((), widgets.Layout(grid_area="picture"))],
                                layout=widgets.Layout(grid_template_areas='"picture"'))

    rows = []
    for slider in sliders:
        if slider.description == play:
            button = widgets.Play(value=slider.index, min=0, max=len(slider.options) - 1, interval=interval,
                                  description=f"play {slider.description}")
            widgets.jslink((button, "value"), (slider, "index"))
            rows.append(widgets.HBox([slider, button]))
        else:
            rows.append(slider)
    box = widgets.VBox(rows + [shown])
    box.add_class("explorable")  # how the book's browser check finds them
    return box


def two_panels(fig):
    """A fixed layout of two Axes side by side (left wider), the same in every picture."""
    return [fig.add_axes((0.1, 0.15, 0.46, 0.71)), fig.add_axes((0.67, 0.15, 0.3, 0.71))]


# ----------------------------------------------------------------------------------------------------
# Chapter 2: one neuron, gradient descent on its loss surface

NEURON_X = np.array([-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0])
"""Inputs of the toy problem of ``explore_neuron``: one number per example, so (w, b) are all the parameters."""
NEURON_Y = np.array([0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0])
"""Its targets: 1 for positive x, except one example on each side, so the best (w, b) is finite."""


def neuron_loss(w, b, x=NEURON_X, y=NEURON_Y):
    """MSE L = sum_n (sigma(w x_n + b) - y_n)^2 / (2N) at the weights w and biases b (arrays, same shape)."""
    w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
    a = sigmoid(w[..., None] * x + b[..., None])
    return 0.5 * np.mean((a - y) ** 2, axis=-1)


def neuron_path(w0, b0, lr, steps, x=NEURON_X, y=NEURON_Y):
    """Full-batch gradient descent on one sigmoid neuron a = sigma(w x + b) with the MSE (float64).

    x (N,) inputs, y (N,) targets. Returns an array (steps + 1, 3): w, b and the loss L before each step
    and after the last one.
    """
    w, b = float(w0), float(b0)
    rows = []
    for _ in range(steps + 1):
        a = sigmoid(w * x + b)
        rows.append((w, b, 0.5 * np.mean((a - y) ** 2)))
        delta = (a - y) * a * (1 - a) / len(x)  # dL/dz_n
        w, b = w - lr * np.sum(delta * x), b - lr * np.sum(delta)
    return np.array(rows)


def explore_neuron(starts=((0.0, 0.0), (-3.0, 1.0), (1.0, 6.0)), lrs=(0.5, 4.0, 32.0),
                   steps=(0, 1, 3, 10, 30, 100, 300, 1000)):
    """Gradient descent on a one-input sigmoid neuron, drawn on its loss surface over (w, b).

    Sliders: the starting point (w0, b0), the learning rate, the step (with Play). Left: contours of the
    loss and the path so far; right: the loss against the step.
    """
    paths = {(start, lr): neuron_path(*start, lr, max(steps)) for start in starts for lr in lrs}
    w_grid, b_grid = np.meshgrid(np.linspace(-4, 14, 181), np.linspace(-10, 10, 161))
    surface = neuron_loss(w_grid, b_grid)

    def background(axes):
        left, right = axes
        left.contourf(w_grid, b_grid, surface, levels=np.linspace(0.05, 0.4, 15), cmap="Greys", alpha=0.6)
        left.contour(w_grid, b_grid, surface, levels=np.linspace(0.05, 0.4, 15), colors="0.45", linewidths=0.5)
        left.set(xlabel="weight w", ylabel="bias b", xlim=(-4, 14), ylim=(-10, 10))
        right.set(xscale="symlog", xlim=(0, max(steps)), ylim=(0.05, 0.4), xlabel="step (symlog scale)",
                  ylabel="training loss L")
        right.grid(alpha=0.3)
        return ("Contour map of the mean squared error of one sigmoid neuron over its weight w (-4 to 14) and "
                "bias b (-10 to 10), darker where the loss is higher: a basin near w = 1.2, b = 0, a plateau at "
                "large |b|, a long flat valley towards large w and b; and empty axes for the loss against the step.")

    def draw(axes, start, lr, step):
        left, right = axes
        path = paths[start, lr][: step + 1]
        color = OKABE_ITO[5]
        left.plot(path[:, 0], path[:, 1], "-", color=color, lw=1.2)
        left.plot(path[:, 0], path[:, 1], "o", color=color, ms=2.5)
        left.plot(*start, "s", color="black", ms=6)
        left.plot(path[-1, 0], path[-1, 1], "o", color=color, ms=7, markeredgecolor="black")
        right.plot(np.arange(len(path)), path[:, 2], "-", color=color, lw=1.5)
        right.plot(len(path) - 1, path[-1, 2], "o", color=color, ms=6, markeredgecolor="black")
        w, b, loss = path[-1]
        left.set_title(f"from ({start[0]:g}, {start[1]:g}), lr = {lr:g}, step {step}: L = {loss:.3f}", fontsize=10)
        return (f"Gradient descent from (w, b) = ({start[0]:g}, {start[1]:g}) with learning rate {lr:g}: after "
                f"{step} steps at (w, b) = ({w:.1f}, {b:.1f}) with loss {loss:.3f}.")

    controls = {"start (w0, b0)": [(f"({w:g}, {b:g})", (w, b)) for w, b in starts],
                "learning rate": list(lrs), "step": list(steps)}
    return explorable(controls, draw, layout=two_panels, background=background, play="step",
                      initial={"learning rate": lrs[1]})


# ----------------------------------------------------------------------------------------------------
# Chapter 4: cross-entropy against MSE on a saturated neuron

def saturated_run(z0, loss, lr=0.15, epochs=300):
    """Nielsen's neuron: input x = 1, target y = 0, started at w = b = z0 / 2 (so z = z0), float64.

    loss: "mse" (delta = (a - y) a (1 - a)) or "cross_entropy" (delta = a - y). Gradient descent with
    rate lr; returns the pre-activations z (epochs + 1,) before each step and after the last.
    """
    if loss not in ("mse", "cross_entropy"):
        raise ValueError(f"loss must be 'mse' or 'cross_entropy', got {loss!r}.")
    w = b = z0 / 2
    zs = []
    for _ in range(epochs + 1):
        z = w + b  # x = 1
        zs.append(z)
        a = sigmoid(z)
        delta = a * a * (1 - a) if loss == "mse" else a  # (a - y) [a (1 - a)] with y = 0, N = 1
        w, b = w - lr * delta, b - lr * delta  # dL/dw = delta x, dL/db = delta
    return np.array(zs)


def explore_saturation(starts=(1.0, 4.0, 6.0, 8.0), lr=0.15, epochs=300, every=25):
    """The saturated neuron of chapter 4 trained with MSE and with cross-entropy, side by side.

    Sliders: the starting pre-activation z0 and the epoch (with Play). Left: dL/dz of both losses as a
    function of z, with each run's current z; right: the outputs a = sigma(z) so far.
    """
    names = {"mse": "MSE", "cross_entropy": "cross-entropy"}
    colors = {"mse": OKABE_ITO[0], "cross_entropy": OKABE_ITO[1]}
    runs = {(z0, loss): saturated_run(z0, loss, lr, epochs) for z0 in starts for loss in names}
    z = np.linspace(-6, 9, 300)

    def background(axes):
        left, right = axes
        s = sigmoid(z)
        left.plot(z, s * s * (1 - s), color=colors["mse"], lw=1.5, label="MSE: a² (1 − a)")
        left.plot(z, s, color=colors["cross_entropy"], lw=1.5, label="cross-entropy: a")
        left.set(xlim=(-6, 9), ylim=(0, 1.03), xlabel="pre-activation z", ylabel="gradient dL/dz (target 0)")
        left.legend(loc="upper left", fontsize=9)
        left.grid(alpha=0.3)
        for loss, name in names.items():  # the legend of the curves that each picture draws
            right.plot([], [], color=colors[loss], lw=1.8, label=name)
        right.legend(loc="lower left", fontsize=9)
        right.set(xlim=(0, epochs), ylim=(0, 1.03), xlabel="epoch", ylabel="output a (target 0)")
        right.grid(alpha=0.3)
        return ("Left: the gradient dL/dz against z for a target of 0: cross-entropy's, a = sigma(z), rises to 1; "
                "MSE's, a squared times (1 - a), peaks near 0.15 at z = 0.7 and falls back to almost 0 for large z. "
                "Right: empty axes for the output against the epoch.")

    def draw(axes, z0, epoch):
        left, right = axes
        parts = []
        for loss, name in names.items():
            zs = runs[z0, loss][: epoch + 1]
            a = sigmoid(zs)
            grad = a[-1] ** 2 * (1 - a[-1]) if loss == "mse" else a[-1]
            left.plot(zs[-1], grad, "o", color=colors[loss], ms=9, markeredgecolor="black")
            right.plot(np.arange(len(a)), a, "-", color=colors[loss], lw=1.8)
            parts.append(f"{name} a = {a[-1]:.2f}")
        axes[0].figure.suptitle(f"started at z = {z0:g}, epoch {epoch}: " + ", ".join(parts), fontsize=10)
        return (f"Started at z = {z0:g}, after {epoch} epochs at learning rate {lr:g}: "
                + "; ".join(parts) + ".")

    controls = {"initial z0": list(starts), "epoch": list(range(0, epochs + 1, every))}
    return explorable(controls, draw, layout=two_panels, background=background, play="epoch",
                      initial={"initial z0": 4.0} if 4.0 in starts else None)


# ----------------------------------------------------------------------------------------------------
# Chapter 6: the scale of the initial weights and the signal through depth

def signal_statistics(X, y, gain, activation="relu", depth=10, width=256, seed=0):
    """layer_statistics (with the arrays) of a fresh ``depth``-layer MLP on the batch X (N, d_in), y (N,).

    Every Dense layer draws W ~ N(0, gain^2 / n_in): gain 1 keeps the variance through a linear layer,
    sqrt(2) is He's value for ReLU.
    """
    from .diagnostics import layer_statistics

    def init(shape, rng=None, dtype=np.float32):
        return normal(shape, std=gain / np.sqrt(shape[0]), rng=rng, dtype=dtype)

    model = mlp([X.shape[1]] + [width] * (depth - 1) + [int(np.max(y)) + 1], activation=activation,
                init=init, seed=seed)
    return layer_statistics(model, X, y, keep_arrays=True)


GAINS = [("0.25", 0.25), ("0.5", 0.5), ("1", 1.0), ("√2 (He)", float(np.sqrt(2))), ("2", 2.0), ("4", 4.0)]


def explore_init_scale(X, y, gains=GAINS, activations=("tanh", "relu"), depth=10):
    """Per-layer statistics of a fresh deep MLP on the batch X (N, d_in), y (N,) as the weight scale changes.

    Sliders: the activation and the gain g of W ~ N(0, g^2 / n_in). Left: the standard deviation of the
    activations entering each layer and of the gradients delta at each layer; right: histograms of the
    activations entering three layers (2, 5 and 9 of 10).
    """
    stats = {(act, g): signal_statistics(X, y, g, act, depth) for act in activations for _, g in _labelled(gains)}
    layers = np.arange(1, depth + 1)
    shown = sorted({1, depth // 2 - 1, depth - 2})  # inputs[k] enters layer k + 1: layers 2, 5, 9 of 10
    entering = ", ".join(str(k + 1) for k in shown)

    def draw(axes, activation, gain):
        left, right = axes
        s = stats[activation, gain]
        left.semilogy(layers, s["input_std"], "o-", color=OKABE_ITO[0], ms=4, label="activations entering layer k")
        left.semilogy(layers, s["delta_std"], "s--", color=OKABE_ITO[5], ms=4, label="gradients delta of layer k")
        left.set(ylim=(1e-9, 1e5), xlabel="layer k", ylabel="standard deviation (log)",
                 title=f"{activation}, W ~ N(0, {gain:.2g}² / n_in)")
        left.set_xticks(layers)
        left.grid(alpha=0.3)
        left.legend(loc="lower left", fontsize=8)
        limit = 1.0 if activation == "tanh" else max(float(np.max(s["inputs"][k])) for k in shown) or 1.0
        bins = np.linspace(-limit if activation == "tanh" else 0.0, limit, 41)
        for color, k in zip(OKABE_ITO[1:4], shown):
            right.hist(np.ravel(s["inputs"][k]), bins=bins, histtype="step", color=color, lw=1.4,
                       label=f"into layer {k + 1}")
        right.set(yscale="log", xlabel=f"activation value ({activation})", ylabel="count (log)",
                  title="histograms")
        right.legend(fontsize=8)
        first, last = s["input_std"][1], s["input_std"][-1]
        return (f"{activation} network of {depth} layers with W ~ N(0, {gain:.2g}^2 / n_in): the standard deviation of "
                f"the activations goes from {first:.1e} entering layer 2 to {last:.1e} entering layer {depth}, the "
                f"gradients' from {s['delta_std'][-1]:.1e} at the top to {s['delta_std'][0]:.1e} at layer 1; "
                f"histograms of the activations entering layers {entering}.")

    controls = {"activation": list(activations), "weight scale g": list(gains)}
    return explorable(controls, draw, layout=two_panels,
                      initial={"activation": activations[-1], "weight scale g": float(np.sqrt(2))})


# ----------------------------------------------------------------------------------------------------
# Chapter 7: optimisers on the quadratic

class Quadratic:
    """L(theta) = (lam[0] theta[0]^2 + lam[1] theta[1]^2) / 2, seen by an optimiser like a model."""

    def __init__(self, lam, start):
        self.lam = np.asarray(lam, dtype=np.float64)
        self.theta = np.array(start, dtype=np.float64)
        self.grad = np.zeros_like(self.theta)

    def named_parameters(self):
        return [("theta", self.theta, self.grad)]

    def loss(self):
        return 0.5 * float(np.sum(self.lam * self.theta ** 2))

    def backward(self):
        self.grad[...] = self.lam * self.theta  # dL/dtheta = H theta, H = diag(lam)


OPTIMIZERS = {
    "SGD, momentum β": (lambda q, lr, beta: SGD(q, lr=lr, momentum=beta), 0.04),
    "RMSProp, ρ = β": (lambda q, lr, beta: RMSProp(q, lr=lr, rho=beta), 0.1),
    "Adam, β₁ = β": (lambda q, lr, beta: Adam(q, lr=lr, beta1=beta), 0.3),
}
"""The optimisers of ``explore_optimizers``: how each uses β, and its learning rate."""


def quadratic_path(optimizer, beta, steps, lr=None, lam=(1.0, 20.0), start=(-4.0, 1.5)):
    """The points theta (steps + 1, 2) of ``optimizer`` (a key of OPTIMIZERS) with β = beta on the quadratic."""
    make, default_lr = OPTIMIZERS[optimizer]
    quadratic = Quadratic(lam, start)
    opt = make(quadratic, default_lr if lr is None else lr, beta)
    points = [quadratic.theta.copy()]
    for _ in range(steps):
        quadratic.backward()
        opt.step()
        points.append(quadratic.theta.copy())
    return np.array(points)


def explore_optimizers(betas=(0.0, 0.5, 0.9), steps=40, every=5, lam=(1.0, 20.0), start=(-4.0, 1.5)):
    """SGD with momentum, RMSProp and Adam on the quadratic of chapter 7, with their β on a slider.

    Sliders: the optimiser, β, the step (with Play). Left: the contours and the path so far; right: the
    loss against the step.
    """
    lam = np.asarray(lam, dtype=np.float64)
    paths = {(name, beta): quadratic_path(name, beta, steps, lam=lam, start=start)
             for name in OPTIMIZERS for beta in betas}
    t1, t2 = np.meshgrid(np.linspace(-4.6, 1.2, 200), np.linspace(-2.2, 2.2, 160))
    start_loss = 0.5 * float(np.sum(lam * np.square(start)))

    def background(axes):
        left, right = axes
        left.contour(t1, t2, 0.5 * (lam[0] * t1 ** 2 + lam[1] * t2 ** 2), levels=np.geomspace(0.01, 60, 12),
                     colors="0.6", linewidths=0.7)
        left.plot(*start, "s", color="black", ms=6)
        left.plot(0, 0, "*", color="black", ms=10)
        left.set(xlim=(-4.6, 1.2), ylim=(-2.2, 2.2), xlabel=f"θ₁ (curvature {lam[0]:g})",
                 ylabel=f"θ₂ (curvature {lam[1]:g})")
        right.set(yscale="log", xlim=(0, steps), ylim=(1e-8, 1e3), xlabel="step", ylabel="loss (log)")
        right.grid(alpha=0.3)
        return (f"Contours of the quadratic L = ({lam[0]:g} θ₁² + {lam[1]:g} θ₂²) / 2, narrow ellipses around the "
                f"minimum (star) at the origin, the start (square) at ({start[0]:g}, {start[1]:g}); and empty "
                "axes for the loss against the step, log scale.")

    def draw(axes, name, beta, step):
        left, right = axes
        path = paths[name, beta][: step + 1]
        losses = 0.5 * np.sum(lam * path ** 2, axis=1)
        color = OKABE_ITO[5]
        left.plot(path[:, 0], path[:, 1], "o-", color=color, ms=2.5, lw=1)
        left.plot(*path[-1], "o", color=color, ms=7, markeredgecolor="black")
        right.plot(np.arange(len(path)), np.maximum(losses, 1e-12), "-", color=color, lw=1.5)
        right.plot(step, max(losses[-1], 1e-12), "o", color=color, ms=6, markeredgecolor="black")
        lr = OPTIMIZERS[name][1]
        left.set_title(f"{name.split(',')[0]}, β = {beta:g}, lr = {lr:g}, step {step}: L = {losses[-1]:.1e}",
                       fontsize=10)
        return (f"{name.split(',')[0]} with β = {beta:g} and learning rate {lr:g}, after {step} steps from a loss of "
                f"{start_loss:.3g}: at θ = ({path[-1, 0]:.2f}, {path[-1, 1]:.2f}), loss {losses[-1]:.1e}.")

    controls = {"optimiser": list(OPTIMIZERS), "β": list(betas), "step": list(range(0, steps + 1, every))}
    return explorable(controls, draw, layout=two_panels, background=background, play="step",
                      initial={"β": 0.9} if 0.9 in betas else None)
