"""Metrics: accuracy and the confusion matrix on predicted labels; calibration (ECE) on predicted probabilities."""
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


def _check_probabilities(probs, y_true):
    probs, y_true = np.asarray(probs), np.asarray(y_true)
    if probs.ndim != 2 or y_true.shape != (len(probs),):
        raise ValueError(f"Calibration needs probabilities of shape (N, C) and labels of shape (N,), got {probs.shape} "
                         f"and {y_true.shape}. Pass model.predict_proba(X), not the logits or the predicted labels.")
    if len(probs) == 0:
        raise ValueError("Calibration needs at least one example, got N = 0.")
    if not np.issubdtype(y_true.dtype, np.integer):
        raise TypeError(f"Calibration needs integer labels, got dtype {y_true.dtype}; convert with y.astype(np.int64).")
    sums = probs.sum(axis=1, dtype=np.float64)
    if probs.min() < 0 or np.abs(sums - 1).max() > 1e-3:
        raise ValueError("Calibration needs probabilities: rows of non-negative numbers that sum to 1. "
                         "Apply a softmax to logits first (model.predict_proba does).")
    return probs, y_true


def calibration_bins(probs, y_true, n_bins=15):
    """Reliability-diagram data for probabilities (N, C) and labels (N,), in ``n_bins`` equal bins of confidence.

    The confidence of a row is its largest probability; bin m holds the confidences in ((m-1)/M, m/M].
    Returns (confidence, accuracy, counts), each (n_bins,): the mean confidence and the accuracy of
    the rows in each bin (NaN for an empty bin) and the number of rows in it.
    """
    probs, y_true = _check_probabilities(probs, y_true)
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}.")
    confidence = probs.max(axis=1).astype(np.float64)
    correct = (probs.argmax(axis=1) == y_true).astype(np.float64)
    bins = np.clip(np.ceil(confidence * n_bins).astype(np.int64) - 1, 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(bins, weights=confidence, minlength=n_bins) / counts
        accuracy_in_bin = np.bincount(bins, weights=correct, minlength=n_bins) / counts
    return mean_confidence, accuracy_in_bin, counts


def expected_calibration_error(probs, y_true, n_bins=15):
    """ECE (Guo et al. 2017): sum over bins of (rows in bin / N) * |accuracy - mean confidence|, a float in [0, 1].

    probs (N, C) are predicted probabilities, y_true (N,) integer labels; see ``calibration_bins``.
    """
    confidence, acc, counts = calibration_bins(probs, y_true, n_bins)
    filled = counts > 0
    return float(np.sum(counts[filled] * np.abs(acc[filled] - confidence[filled])) / counts.sum())
