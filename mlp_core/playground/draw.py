"""Drawing for the playground without matplotlib: small SVG charts, palette PNGs, HTML tables.

Each function returns an HTML string that a browser draws in well under a millisecond and that
weighs a few kilobytes: a live update re-sends only these strings, never a rendered figure.
Every chart is an ``<svg role="img">`` with an ``aria-label`` and every image an ``<img alt>``,
so that screen readers (and the book's accessibility check) can say what they show.
"""
import base64
import html
import math
import struct
import zlib

import numpy as np

from ..palette import OKABE_ITO

TEXT = "#222222"
FONT = 'font-family="sans-serif" font-size="11"'


# -- PNG --------------------------------------------------------------------------------------

def png(indices, palette):
    """PNG bytes of an (H, W) uint8 image of indices into ``palette``, (K, 3) uint8 RGB colours."""
    indices, palette = np.asarray(indices, np.uint8), np.asarray(palette, np.uint8)
    h, w = indices.shape

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = np.hstack([np.zeros((h, 1), np.uint8), indices]).tobytes()  # filter type 0 on every row
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0))
            + chunk(b"PLTE", palette.tobytes()) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


def data_uri(png_bytes):
    return "data:image/png;base64," + base64.b64encode(png_bytes).decode("ascii")


def img(png_bytes, alt, width, height):
    """An <img> of ``png_bytes`` drawn at width x height CSS pixels, pixels kept sharp."""
    return (f'<img src="{data_uri(png_bytes)}" alt="{html.escape(alt)}" width="{width}" height="{height}" '
            'style="image-rendering: pixelated;">')


def hex_rgb(colour):
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]


def diverging_palette(n=255):
    """n colours from blue (-1) through white (0) to red (+1), (n, 3) uint8."""
    t = np.linspace(-1, 1, n)[:, None]
    blue, red, white = np.array([33, 102, 172]), np.array([178, 24, 43]), np.array([255, 255, 255])
    rgb = np.where(t < 0, white + (blue - white) * -t, white + (red - white) * t)
    return rgb.round().astype(np.uint8)


def tiles(images, n_cols, side=28):
    """Images (n, side*side) as one (rows*(side+1)-1, n_cols*(side+1)-1) mosaic, 1-pixel gaps of NaN."""
    n = len(images)
    n_rows = math.ceil(n / n_cols)
    mosaic = np.full((n_rows * (side + 1) - 1, n_cols * (side + 1) - 1), np.nan)
    for k, image in enumerate(images):
        r, c = divmod(k, n_cols)
        mosaic[r * (side + 1):r * (side + 1) + side, c * (side + 1):c * (side + 1) + side] = image.reshape(side, side)
    return mosaic


def weights_html(W, title="Weights into the first layer"):
    """Each row of W (n, 784) as a 28x28 image, blue negative, red positive, each scaled to its own max |w|."""
    W = np.asarray(W, np.float64)
    scale = np.abs(W).max(axis=1, keepdims=True)
    scaled = np.divide(W, scale, out=np.zeros_like(W), where=scale > 0)
    mosaic = tiles(scaled, n_cols=8)
    palette = np.vstack([diverging_palette(255), [[255, 255, 255]]])
    indices = np.where(np.isnan(mosaic), 255, np.round((np.nan_to_num(mosaic) + 1) * 127)).astype(np.uint8)
    h, w = indices.shape
    alt = (f"{title}: the weights into the first {len(W)} hidden units, each drawn as a 28 by 28 image, "
           "blue negative and red positive.")
    return (f'<div style="color: {TEXT};"><b>{html.escape(title)}</b> (unit by unit; blue &lt; 0 &lt; red)<br>'
            f"{img(png(indices, palette), alt, w * 2, h * 2)}</div>")


# -- charts -----------------------------------------------------------------------------------

def nice_ticks(low, high, n=5):
    """About n round numbers covering [low, high], as a list."""
    if not high > low:
        high = low + 1
    step = 10 ** math.floor(math.log10((high - low) / n))
    for factor in (1, 2, 2.5, 5, 10):
        if (high - low) / (step * factor) <= n:
            step *= factor
            break
    first = math.ceil(low / step - 1e-9)
    return [k * step for k in range(first, math.floor(high / step + 1e-9) + 1)]


def _fmt(value):
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-2:
        return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e")
    return f"{value:g}"


def line_chart(series, *, title, xlabel, ylabel, x_range, log_y=False, y_range=None, width=300, height=200,
               description="", legend_below=False):
    """An SVG chart of ``series``, a list of dicts with label, x, y, colour and optional dash.

    Non-finite points are left out. ``y_range`` fixes the vertical axis (for a log axis, in powers of
    ten); otherwise it covers the data. ``description`` is read out by screen readers after the title.
    """
    left, right, top, bottom = 46, 14, 20, 30
    pw, ph = width - left - right, height - top - bottom
    ys = [np.asarray(s["y"], np.float64) for s in series]
    finite = np.concatenate([y[np.isfinite(y) & ((y > 0) if log_y else True)] for y in ys] + [np.array([])])
    if log_y:
        finite = np.log10(finite)
    if y_range is not None:
        y0, y1 = y_range
    elif finite.size:
        y0, y1 = float(finite.min()), float(finite.max())
        if log_y:
            y0, y1 = math.floor(y0), math.ceil(y1)
        elif y0 >= 0:
            y0, y1 = 0.0, y1 * 1.05  # losses and accuracies: from zero up
        else:
            pad = 0.05 * (y1 - y0 or 1)
            y0, y1 = y0 - pad, y1 + pad
    else:
        y0, y1 = 0.0, 1.0
    if y1 <= y0:
        y1 = y0 + 1
    x0, x1 = x_range

    def sx(x):
        return left + (x - x0) / ((x1 - x0) or 1) * pw

    def sy(y):
        return top + ph - (y - y0) / (y1 - y0) * ph

    label = f"{title}. {description}".strip()
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{html.escape(label)}" {FONT} fill="{TEXT}"><title>{html.escape(label)}</title>',
           f'<text x="{left + pw / 2:.0f}" y="13" text-anchor="middle" font-weight="bold">{html.escape(title)}</text>']
    y_ticks = range(int(y0), int(y1) + 1) if log_y else nice_ticks(y0, y1)
    for t in y_ticks:
        y = sy(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dddddd"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(10.0 ** t if log_y else t)}</text>')
    for t in nice_ticks(x0, x1):
        x = sx(t)
        out.append(f'<text x="{x:.1f}" y="{top + ph + 13}" text-anchor="middle">{_fmt(t)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888888"/>')
    out.append(f'<text x="{left + pw / 2:.0f}" y="{height - 3}" text-anchor="middle">{html.escape(xlabel)}</text>')
    out.append(f'<text transform="translate(11 {top + ph / 2:.0f}) rotate(-90)" text-anchor="middle">'
               f"{html.escape(ylabel)}</text>")
    legend_y = top + ph - 6 - 13 * (sum(bool(s.get("label")) for s in series) - 1) if legend_below else top + 12
    for s, y in zip(series, ys):
        x = np.asarray(s["x"], np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            yy = np.log10(y) if log_y else y
        keep = np.isfinite(yy)
        yy = np.clip(yy, y0, y1)
        dash = f' stroke-dasharray="{s["dash"]}"' if s.get("dash") else ""
        if keep.any():
            points = " ".join(f"{sx(a):.0f},{sy(b):.0f}" for a, b in zip(x[keep], yy[keep]))
            out.append(f'<polyline points="{points}" fill="none" stroke="{s["colour"]}" stroke-width="1.6"{dash}/>')
        if s.get("label"):
            out.append(f'<line x1="{left + pw - 92}" x2="{left + pw - 76}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
                       f'stroke="{s["colour"]}" stroke-width="2"{dash}/>'
                       f'<text x="{left + pw - 72}" y="{legend_y}">{html.escape(s["label"])}</text>')
            legend_y += 13
    out.append("</svg>")
    return "".join(out)


# -- the panels -------------------------------------------------------------------------------

def curves_html(curve, history, epochs):
    """Loss and accuracy against epochs: training per chunk (solid), validation per epoch (dashed)."""
    x = [c[0] for c in curve]
    ve = list(range(1, len(history) + 1))
    charts = []
    for k, (name, val) in enumerate((("loss", history.val_loss), ("accuracy", history.val_accuracy))):
        train = [c[1 + k] for c in curve]
        last = (f"Last values: training {train[-1]:.3g}" if train else "No epoch yet") + (
            f", validation {val[-1]:.3g}." if val else ".")
        charts.append(line_chart(
            [{"label": "training", "x": x, "y": train, "colour": OKABE_ITO[0]},
             {"label": "validation", "x": ve, "y": val, "colour": OKABE_ITO[1], "dash": "5,3"}],
            title=f"{name.capitalize()} while training", xlabel="epoch", ylabel=name, x_range=(0, epochs),
            y_range=(0, 1) if name == "accuracy" else None, description=last, legend_below=name == "accuracy"))
    return "".join(charts)


def boundary_html(probabilities, grid_shape, extent, X, y, title="Decision regions"):
    """The predicted class on a grid, paler where the model is less sure, with the points (X, y) on top.

    probabilities (H*W, C) on a grid of ``grid_shape`` (H, W) spanning ``extent`` (x0, x1, y0, y1), first
    row at y1; X (N, 2), y (N,) labels: each class its colour and its marker (circle, square, triangle).
    """
    levels, size = 4, 220
    n_classes = probabilities.shape[1]
    conf = probabilities.max(axis=1)
    level = np.clip(((conf - 1 / n_classes) / (1 - 1 / n_classes) * levels).astype(int), 0, levels - 1)
    indices = (probabilities.argmax(axis=1) * levels + level).reshape(grid_shape)
    palette = [np.array([255, 255, 255]) + (np.array(hex_rgb(OKABE_ITO[c])) - 255) * (0.15 + 0.3 * k / (levels - 1))
               for c in range(n_classes) for k in range(levels)]
    x0, x1, y0, y1 = extent
    region = data_uri(png(indices, np.round(palette).astype(np.uint8)))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 18}" role="img" '
           f'aria-label="{html.escape(title)}: the plane coloured by the class the network predicts there, paler where '
           f'it is less sure, with the training points on top, one colour and marker per class." {FONT} fill="{TEXT}">'
           f'<text x="{size / 2}" y="13" text-anchor="middle" font-weight="bold">{html.escape(title)}</text>'
           f'<image href="{region}" x="0" y="18" width="{size}" height="{size}" preserveAspectRatio="none" '
           'style="image-rendering: pixelated;"/>']
    px = (X[:, 0] - x0) / (x1 - x0) * size
    py = 18 + (y1 - X[:, 1]) / (y1 - y0) * size
    for a, b, c in zip(px, py, y):
        colour = OKABE_ITO[c]
        if c == 0:
            out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.6" fill="{colour}" stroke="white" stroke-width="0.6"/>')
        elif c == 1:
            out.append(f'<rect x="{a - 2.4:.1f}" y="{b - 2.4:.1f}" width="4.8" height="4.8" fill="{colour}" '
                       'stroke="white" stroke-width="0.6"/>')
        else:
            out.append(f'<path d="M{a:.1f} {b - 3:.1f}l2.8 5h-5.6z" fill="{colour}" stroke="white" stroke-width="0.6"/>')
    out.append("</svg>")
    return "".join(out)


def diagnostics_html(diagnostics, report, total_steps):
    """Chapter 6's per-layer health: gradient std and update-to-weight ratio per layer over the steps,
    and a table of the latest layer_statistics on validation rows (with dead units)."""
    layers = report["layer"]
    colours = OKABE_ITO[:4] + OKABE_ITO[5:]
    charts = []
    if len(diagnostics):
        steps = diagnostics.steps
        for key, title, ylabel in (("grad_std", "Gradient size per layer", "std of dL/dW"),
                                   ("update_ratio", "Update / weight per layer", "|dW step| / |W|")):
            values = diagnostics[key]
            series = [{"label": f"layer {k + 1}" if len(layers) <= 6 or k in (0, len(layers) - 1) else "",
                       "x": steps, "y": values[:, k], "colour": colours[k % len(colours)]}
                      for k in range(values.shape[1])]
            last = ", ".join(f"{v:.1e}" for v in values[-1])
            charts.append(line_chart(series, title=title, xlabel="step", ylabel=ylabel, x_range=(0, total_steps),
                                     log_y=True, description=f"Latest values, layer 1 first: {last}."))
    head = ("layer", "input std", "inputs = 0", "dead units", "grad std", "delta std")
    rows = "".join(
        f"<tr><td>{k + 1}</td><td>{report['input_std'][k]:.2g}</td><td>{report['input_zero'][k]:.0%}</td>"
        f"<td>{report['dead'][k]:.0%}</td><td>{report['grad_std'][k]:.1e}</td><td>{report['delta_std'][k]:.1e}</td></tr>"
        for k in range(len(layers)))
    header = "".join(f'<th scope="col" style="padding: 0 6px;">{h}</th>' for h in head)
    table = (f'<table style="border-collapse: collapse; color: {TEXT}; font-size: 12px;">'
             "<caption style='font-weight: bold;'>Per layer, now (256 validation rows)</caption>"
             f"<tr>{header}</tr>{rows}</table>")
    return "".join(charts) + table


def luminance(rgb):
    """WCAG's relative luminance of an sRGB colour given as three 0-255 numbers."""
    c = np.asarray(rgb, np.float64) / 255
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ [0.2126, 0.7152, 0.0722])


def confusion_html(counts, names, title="Confusion matrix (validation)"):
    """A (C, C) count table, rows true class, columns predicted, cells shaded by their count."""
    counts = np.asarray(counts)
    top = max(int(counts.max()), 1)

    def cell(v):
        background = np.round(255 - (255 - np.array([8, 48, 107])) * v / top).astype(int)
        colour = "#000000" if luminance(background) >= 0.18 else "#ffffff"  # either way a contrast of 4.5 or more
        return (f'<td style="background: rgb({background[0]},{background[1]},{background[2]}); color: {colour}; '
                f'text-align: right; padding: 1px 4px;">{v}</td>')

    header = "".join(f'<th scope="col" style="padding: 0 3px;">{html.escape(n)}</th>' for n in names)
    rows = "".join(f'<tr><th scope="row" style="text-align: right; padding-right: 4px;">{html.escape(n)}</th>'
                   f"{''.join(cell(int(v)) for v in row)}</tr>" for n, row in zip(names, counts))
    return (f'<table style="border-collapse: collapse; color: {TEXT}; font-size: 11px;">'
            f"<caption style='font-weight: bold;'>{html.escape(title)}: rows are the true class, "
            f"columns the predicted one</caption><tr><td></td>{header}</tr>{rows}</table>")


def mistakes_html(images, true, pred, confidence, names, title="The most confident mistakes"):
    """Images (n, 784) in a row, each captioned with its prediction, probability and true class."""
    gray = np.linspace(255, 0, 256).round().astype(np.uint8)[:, None].repeat(3, axis=1)  # dark = high
    figures = []
    for image, t, p, c in zip(images, true, pred, confidence):
        x = np.asarray(image, np.float64).reshape(28, 28)
        x = (x - x.min()) / ((x.max() - x.min()) or 1)
        caption = f"{names[p]} ({c:.2f}), true: {names[t]}"
        figures.append(f'<figure style="display: inline-block; margin: 2px; width: 84px; font-size: 10px; '
                       f'color: {TEXT}; vertical-align: top;">'
                       f"{img(png(np.round(x * 255), gray), f'Predicted {caption}', 56, 56)}"
                       f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    return f'<div style="color: {TEXT};"><b>{html.escape(title)}</b><br>{"".join(figures)}</div>'
