import numpy as np
import pytest

import mlp_core as mc


def test_accuracy_and_confusion_matrix():
    assert mc.accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2])) == 0.75
    np.testing.assert_array_equal(mc.confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), 2), [[1, 0], [1, 1]])


def test_ece_by_hand():
    # confidences 0.9, 0.9 (one right, one wrong) -> bin (0.8, 0.9]; 0.6 (right) -> bin (0.5, 0.6]; ten bins
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6]])
    y = np.array([0, 1, 1])
    confidence, acc, counts = mc.calibration_bins(probs, y, n_bins=10)
    assert counts.tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 1 + 1, 0]
    assert confidence[8] == pytest.approx(0.9) and acc[8] == 0.5
    assert confidence[5] == pytest.approx(0.6) and acc[5] == 1.0
    assert np.isnan(acc[0]) and np.isnan(confidence[0])
    expected = (2 / 3) * abs(0.5 - 0.9) + (1 / 3) * abs(1.0 - 0.6)
    assert mc.expected_calibration_error(probs, y, n_bins=10) == pytest.approx(expected)


def test_a_calibrated_predictor_has_an_ece_near_zero_and_an_overconfident_one_does_not():
    rng = np.random.default_rng(0)
    n, c = 200_000, 4
    logits = rng.standard_normal((n, c)) * 2
    probs = mc.softmax(logits)
    y = (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)  # labels drawn from probs itself
    assert mc.expected_calibration_error(probs, y) < 0.01
    sharper = mc.softmax(3 * logits)  # same argmax, more confident
    assert mc.expected_calibration_error(sharper, y) > 0.1


def test_confidence_one_and_one_over_c_fall_in_the_end_bins():
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])
    _, _, counts = mc.calibration_bins(probs, np.array([0, 0]), n_bins=4)
    assert counts.tolist() == [0, 1, 0, 1]
    assert mc.expected_calibration_error(probs, np.array([0, 0]), n_bins=4) == pytest.approx(0.25)


@pytest.mark.parametrize("probs, y, match", [
    (np.array([[2.0, -1.0]]), np.array([0]), "Apply a softmax to logits first"),
    (np.array([0.2, 0.8]), np.array([1]), r"shape \(N, C\).*not the logits"),
    (np.full((2, 2), 0.5), np.array([0.0, 1.0]), "integer labels"),
    (np.zeros((0, 3)), np.zeros(0, dtype=np.int64), "at least one example"),
])
def test_bad_inputs_are_refused_with_the_fix(probs, y, match):
    with pytest.raises((ValueError, TypeError), match=match):
        mc.expected_calibration_error(probs, y)


def test_n_bins_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="n_bins must be a positive integer"):
        mc.calibration_bins(np.full((1, 2), 0.5), np.array([0]), n_bins=0)
