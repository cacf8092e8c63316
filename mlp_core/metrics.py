"""Metrics on predicted labels: accuracy and the confusion matrix."""
import numpy as np


def accuracy(y_pred, y_true):
    """Fraction of rows where y_pred (N,) equals y_true (N,), as a Python float."""
    y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"accuracy needs predictions and labels of the same shape, got {y_pred.shape} and {y_true.shape}.")
    return float(np.mean(y_pred == y_true))


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Counts (C, C) int64: entry [i, j] is how many examples of true class i were predicted as j."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if n_classes is None:
        n_classes = int(max(y_true.max(), y_pred.max())) + 1
    counts = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64)
