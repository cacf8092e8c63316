"""Plotting helpers for the chapters: learning curves, confusion matrices, image galleries.

Each function draws into the given matplotlib Axes (or a new figure) and returns the Figure,
so a notebook cell can show it and a script can save it. ``use_style()`` gives every figure the
course's colour-blind-safe colours and a font that stays readable when the figure is shrunk to
the width of the book's text column.
"""
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .palette import OKABE_ITO

# The book's text column is about 700 px wide; figures wider than this are shrunk to fit.
COLUMN_INCHES = 7.5


def use_style():
    """Colour-blind-safe colour cycle (OKABE_ITO) and larger default text for every later figure."""
    mpl.rcParams.update({
        "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
        "font.size": 11,
        "axes.titlesize": 11,
        "axes.labelsize": 11,
        "legend.fontsize": 10,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
    })


def plot_history(history, title="Learning curves", axes=None):
    """Loss (left) and accuracy (right) per epoch, training and validation, from a History."""
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    else:
        fig = axes[0].figure
    epochs = np.arange(1, len(history) + 1)
    panels = (("loss", "val_loss", "loss (mean cross-entropy)"), ("accuracy", "val_accuracy", "accuracy"))
    for ax, (train_key, val_key, ylabel) in zip(axes, panels):
        train, val = getattr(history, train_key), getattr(history, val_key)
        if train and train[0] is not None:
            ax.plot(epochs, train, "o-", ms=3, color=OKABE_ITO[0], label="training (average over the epoch)")
        if val and val[0] is not None:
            ax.plot(epochs, val, "s--", ms=3, color=OKABE_ITO[1], label="validation (after the epoch)")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_title(f"{title}: loss")
    axes[1].set_title(f"{title}: accuracy")
    return fig


def plot_confusion_matrix(counts, class_names, title="Confusion matrix", ax=None):
    """Heat map of a (C, C) count matrix, rows = true class, columns = predicted class."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
    else:
        fig = ax.figure
    counts = np.asarray(counts)
    image = ax.imshow(counts, cmap="Blues")
    fig.colorbar(image, ax=ax, label="number of test images")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    threshold = counts.max() / 2
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if counts[i, j] > threshold else "black")
    return fig


def show_images(images, titles=None, n_cols=8, title=None, size=1.4, cmap="gray_r"):
    """Grid of 28x28 images from an array (n, 784) or (n, 28, 28), each with an optional title.

    ``size`` (inches per image) is reduced so that the grid fits the text column, where the titles
    are then shown at about their nominal size.
    """
    images = np.asarray(images)
    n = len(images)
    side = int(round(np.sqrt(images[0].size)))
    n_rows = int(np.ceil(n / n_cols))
    size = min(size, COLUMN_INCHES / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols, size * n_rows * 1.15), squeeze=False,
                             constrained_layout=True)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k < n:
            ax.imshow(images[k].reshape(side, side), cmap=cmap, vmin=0, vmax=images.max() or 1)
            if titles is not None:
                ax.set_title(titles[k], fontsize=9)
    if title:
        fig.suptitle(title)
    return fig
