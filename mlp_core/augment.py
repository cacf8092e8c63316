"""Data augmentation for batches of images: random shifts and horizontal flips, seeded, in the batch's dtype.

An augmentation is a callable ``f(X, rng)``: X (N, H*W) holds one flattened image per row (28x28 for
Fashion-MNIST), rng is a NumPy Generator, and the result (N, H*W), of X's dtype, holds a randomly changed
copy of each row. X itself is never changed. The result is written into a buffer that the augmentation
allocates at its first call (and again only for a larger batch), so the next call overwrites it: copy it
to keep it. ``fit(..., augment=f)`` applies f to every mini-batch it gathers::

    from mlp_core import augment
    f = augment.compose(augment.random_shift(max_pixels=2), augment.random_flip(p=0.5))
    mc.fit(model, X, y, augment=f)
"""
import numpy as np

FASHION_MNIST_SHAPE = (28, 28)


class Augmentation:
    """Base class: ``__call__(X (N, H*W), rng)`` checks X, then ``apply`` writes the result into a reused buffer."""

    def __init__(self, shape=FASHION_MNIST_SHAPE):
        if len(shape) != 2 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in shape):
            raise ValueError(f"shape is the (height, width) of one image, two positive integers, got {shape!r}.")
        self.shape = (int(shape[0]), int(shape[1]))
        self._buffer = None

    def __call__(self, X, rng):
        height, width = self.shape
        if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[1] != height * width:
            got = X.shape if isinstance(X, np.ndarray) else type(X).__name__
            raise ValueError(f"{self!r} expects a batch of flattened {height}x{width} images, shape (N, "
                             f"{height * width}), got {got}. Pass shape=(height, width) for other images.")
        if not np.issubdtype(X.dtype, np.floating):
            raise TypeError(f"{self!r} expects floating-point pixels, got dtype {X.dtype}; scale the images first, "
                            "X.astype(np.float32) / np.float32(255).")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"{self!r} draws from a numpy Generator, got {type(rng).__name__}; "
                            "pass np.random.default_rng(seed).")
        buffer = self._buffer
        if buffer is None or len(buffer) < len(X) or buffer.dtype != X.dtype:
            buffer = self._buffer = np.empty_like(X)
        out = buffer[:len(X)]
        self.apply(X.reshape(len(X), height, width), out.reshape(len(X), height, width), rng)
        return out

    def apply(self, images, out, rng):
        """Write the augmented images (N, H, W) into out (N, H, W)."""
        raise NotImplementedError


class RandomShift(Augmentation):
    """Move each image by its own (dy, dx), each drawn uniformly from -max_pixels..max_pixels; 0 fills the gap."""

    def __init__(self, max_pixels=2, shape=FASHION_MNIST_SHAPE):
        super().__init__(shape)
        if not isinstance(max_pixels, (int, np.integer)) or not 0 <= max_pixels < min(self.shape):
            raise ValueError(f"max_pixels must be an integer from 0 to {min(self.shape) - 1}, got {max_pixels!r}.")
        self.max_pixels = int(max_pixels)

    def apply(self, images, out, rng):
        m, k = self.max_pixels, 2 * self.max_pixels + 1
        codes = rng.integers(0, k * k, size=len(images))  # one code per image: (dy + m) * k + (dx + m)
        out.fill(0)  # the rows and columns that move in from outside the frame are background
        for code in np.unique(codes):  # at most k * k groups of images that move alike
            rows = np.flatnonzero(codes == code)
            dy, dx = divmod(int(code), k)
            (to_y, from_y), (to_x, from_x) = _slices(dy - m, self.shape[0]), _slices(dx - m, self.shape[1])
            out[rows, to_y, to_x] = images[rows, from_y, from_x]

    def __repr__(self):
        return f"RandomShift(max_pixels={self.max_pixels})"


def _slices(d, size):
    """(destination, source) slices that move a line of ``size`` pixels by d."""
    return slice(max(d, 0), size + min(d, 0)), slice(max(-d, 0), size - max(d, 0))


class RandomFlip(Augmentation):
    """Mirror each image left-right with probability p."""

    def __init__(self, p=0.5, shape=FASHION_MNIST_SHAPE):
        super().__init__(shape)
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= p <= 1:
            raise ValueError(f"p is the probability of flipping an image and must be in [0, 1], got {p!r}.")
        self.p = float(p)

    def apply(self, images, out, rng):
        rows = np.flatnonzero(rng.random(len(images)) < self.p)
        out[...] = images
        out[rows] = images[rows, :, ::-1]

    def __repr__(self):
        return f"RandomFlip(p={self.p:g})"


class Compose:
    """Apply augmentations one after the other: compose(f, g)(X, rng) = g(f(X, rng), rng)."""

    def __init__(self, *augmentations):
        if not augmentations or not all(callable(a) for a in augmentations):
            raise TypeError("compose takes one or more augmentations, e.g. compose(random_shift(2), random_flip(0.5)).")
        if len({id(a) for a in augmentations}) != len(augmentations):
            raise ValueError("compose got the same augmentation object twice; it would read from and write to one "
                             "buffer. Create a second one instead, e.g. random_shift(1) twice.")
        self.augmentations = augmentations

    def __call__(self, X, rng):
        for augmentation in self.augmentations:
            X = augmentation(X, rng)
        return X

    def __repr__(self):
        return f"compose({', '.join(map(repr, self.augmentations))})"


def random_shift(max_pixels=2, shape=FASHION_MNIST_SHAPE):
    """An augmentation that moves each image by up to ``max_pixels`` pixels in each direction (RandomShift)."""
    return RandomShift(max_pixels, shape)


def random_flip(p=0.5, shape=FASHION_MNIST_SHAPE):
    """An augmentation that mirrors each image left-right with probability ``p`` (RandomFlip)."""
    return RandomFlip(p, shape)


def compose(*augmentations):
    """One augmentation that applies the given ones in order (Compose)."""
    return Compose(*augmentations)
