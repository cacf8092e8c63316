"""Small synthetic datasets for the early chapters and the tests: XOR, spirals, circles, a noisy sine.

Same convention as Fashion-MNIST (``mlp_core.data``): ``(X, y)`` with one example per row,
X float32 of shape (N, d). Classification sets return y as int64 labels of shape (N,);
the regression set returns y as float32 targets of shape (N, 1). Every random draw comes from
``numpy.random.default_rng(seed)``, so the same arguments always give the same arrays.
"""
import numpy as np


def _check_count(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"Expected {name} to be an integer >= {minimum}, got {value!r}.")


def _check_noise(noise):
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"Expected noise >= 0 (a standard deviation), got {noise!r}.")


def xor(n=4, *, noise=0.0, seed=0):
    """The XOR problem: X (n, 2) float32 points near the corners of the unit square, y (n,) int64.

    Row i sits on corner i % 4, in the order (0, 0), (0, 1), (1, 0), (1, 1), with label
    y = x1 XOR x2, i.e. 0, 1, 1, 0; ``noise`` adds Gaussian jitter of that standard deviation to X.
    The default ``xor()`` is the four-row truth table, exactly. No line separates the two
    classes, so a network without a hidden layer cannot fit it.
    """
    _check_count("n", n, 1)
    _check_noise(noise)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    X = corners[np.arange(n) % 4]
    if noise > 0:
        X = X + noise * np.random.default_rng(seed).standard_normal(X.shape)
    y = np.array([0, 1, 1, 0], dtype=np.int64)[np.arange(n) % 4]
    return X.astype(np.float32), y


def spiral(n_per_class=100, n_classes=3, *, noise=0.2, seed=0):
    """Interleaved spiral arms, one per class: X (n_per_class * n_classes, 2) float32, y (N,) int64.

    Arm c has points at radius r = t for t evenly spaced in [0, 1] and angle
    4 * (c + t) + noise * N(0, 1) radians: x = (r sin(angle), r cos(angle)). The arms wind
    around each other, so the classes are not linearly separable. Rows are grouped by class
    (all of class 0, then class 1, ...): shuffle before taking mini-batches.
    """
    _check_count("n_per_class", n_per_class, 1)
    _check_count("n_classes", n_classes, 2)
    _check_noise(noise)
    rng = np.random.default_rng(seed)
    r = np.linspace(0.0, 1.0, n_per_class)
    X = np.empty((n_per_class * n_classes, 2), dtype=np.float64)
    for c in range(n_classes):
        angle = 4.0 * (c + r) + noise * rng.standard_normal(n_per_class)
        X[c * n_per_class:(c + 1) * n_per_class] = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    return X.astype(np.float32), y


def circles(n=200, *, factor=0.5, noise=0.1, seed=0):
    """Two concentric rings: X (n, 2) float32, y (n,) int64; even rows on the outer ring (radius 1,
    label 0), odd rows on the inner ring (radius ``factor``, label 1).

    Each point sits at an angle drawn uniformly from [0, 2 pi), plus Gaussian jitter of standard
    deviation ``noise`` on each coordinate. No line separates the rings; a circle does.
    """
    _check_count("n", n, 1)
    _check_noise(noise)
    if not 0 < factor < 1:
        raise ValueError(f"Expected factor, the inner ring's radius, in (0, 1), got {factor!r}.")
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.int64)
    radius = np.where(y == 1, factor, 1.0)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]) + noise * rng.standard_normal((n, 2))
    return X.astype(np.float32), y


def noisy_sine(n=200, *, noise=0.1, low=-np.pi, high=np.pi, seed=0):
    """A 1-D regression curve: X (n, 1) float32 drawn uniformly from [low, high], sorted ascending;
    y (n, 1) float32 = sin(X) + noise * N(0, 1).

    Sorted inputs let ``plt.plot(X, model.predict(X))`` draw the fitted curve directly.
    With ``noise=0`` the targets are sin(x) exactly (up to float32 rounding).
    """
    _check_count("n", n, 1)
    _check_noise(noise)
    if not low < high:
        raise ValueError(f"Expected low < high, got low={low!r} and high={high!r}.")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(low, high, n))
    y = np.sin(x) + noise * rng.standard_normal(n)
    return x.astype(np.float32)[:, None], y.astype(np.float32)[:, None]
