"""Fashion-MNIST: find, verify, decode and cache the dataset; read IDX files; split off validation data.

Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) has 60,000 training and 10,000 test images of
28x28 grey levels (0 = background, 255 = ink) in 10 classes, stored as four IDX files:

    train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz  t10k-images-idx3-ubyte.gz  t10k-labels-idx1-ubyte.gz

Quick start::

    from mlp_core.data import load_fashion_mnist, train_val_split, CLASS_NAMES
    X, y = load_fashion_mnist("train")            # X (60000, 784) float32 in [0, 1], y (60000,) int64
    X_test, y_test = load_fashion_mnist("test")   # X (10000, 784), y (10000,)
    X_tr, y_tr, X_val, y_val = train_val_split(X, y, val_size=10_000, seed=0)

IDX files: ``read_idx(path)`` reads one, gzipped or plain, into an array; ``parse_idx(buf)`` checks
and decodes IDX bytes already in memory. Both raise ``DataError`` on a header or length that does not fit.

Where the files come from (per split, the first place holding both its files wins):

1. the directory named by the environment variable ``FASHION_MNIST_DIR``;
2. the repository's ``data/fashion-mnist/``;
3. the user cache ``~/.cache/mlp_core/fashion-mnist/`` (where downloads go when ``data/`` is missing
   or read-only, e.g. for a non-editable install; ``$XDG_CACHE_HOME`` replaces ``~/.cache``);
4. the Debian/Ubuntu package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist/``);
5. a download from the dataset's official address into ``$FASHION_MNIST_DIR`` if set, else into
   ``data/fashion-mnist/`` (or place 3): written to a temporary file, verified, then renamed.

Each file may be gzipped (``.gz``, preferred) or plain. A file is accepted only if the MD5 of the
``.gz`` is the official one or the SHA-256 of its decompressed IDX bytes matches (the Debian copies
are re-gzipped without a file name, so only the second test passes for them). Anything else (a
truncated download, original MNIST under the same name, an HTML error page) raises ``DataError``
naming the file; nothing is silently decoded into garbage.

Decoded cache: after the first load the uint8 arrays are stored as ``fashion-mnist-{train,test}.npz``
in ``$MLP_CORE_CACHE_DIR`` if set, else in the repository's ``data/`` (git-ignored), else in the user
cache directory. The cache records the path, size and modification time of the two source files it
was decoded from, and a CRC-32 checksum of each of its arrays. It is rebuilt when the sources change (or a
different copy wins the search), and when it is unreadable or its arrays fail their checksum; it is
read with ``allow_pickle=False`` and never trusted blindly. A read-only cache folder only costs speed.

Command line (``python -m mlp_core.data [command]``):

    fetch      (default) find the files, downloading them if none are found; verify them; build
               the decoded cache; print where everything is.
    download   download the four files into the download folder (see 5 above) even if a copy
               exists elsewhere; files already there and valid are kept.
    info       print the search order, what each place holds and the cache folder; touch nothing.
"""
import argparse
import gzip
import hashlib
import http.client
import json
import math
import os
import secrets
import sys
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .display import count

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
"""Fashion-MNIST class names in label order: ``CLASS_NAMES[y]`` names label ``y``."""

ENV_DIR = "FASHION_MNIST_DIR"
"""Environment variable naming a directory with the four files; searched first, and downloads go there."""
ENV_CACHE = "MLP_CORE_CACHE_DIR"
"""Environment variable naming the directory for the decoded ``.npz`` cache."""

_REPO_ROOT = Path(__file__).resolve().parent.parent
REPO_DATA_DIR = _REPO_ROOT / "data" if (_REPO_ROOT / "pyproject.toml").is_file() else None
"""The repository's ``data/`` directory, or None when mlp_core is installed outside a checkout."""
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
"""Where the Debian/Ubuntu package ``dataset-fashion-mnist`` puts the four ``.gz`` files."""
URLS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")
"""Download locations, tried in order: the official one, then the dataset's own GitHub repository."""


class DataError(ValueError):
    """A data file (or a download) is damaged, truncated, or not the file it claims to be."""


@dataclass(frozen=True)
class _FileSpec:
    name: str          # file name without ".gz"
    shape: tuple       # shape the IDX header must declare
    md5_gz: str        # MD5 of the official .gz file as served
    sha256_idx: str    # SHA-256 of the decompressed IDX bytes (header included)


_FILES = {
    ("train", "images"): _FileSpec("train-images-idx3-ubyte", (60000, 28, 28), "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                                   "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    ("train", "labels"): _FileSpec("train-labels-idx1-ubyte", (60000,), "25c81989df183df01b3e8a0aad5dffbe",
                                   "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    ("test", "images"): _FileSpec("t10k-images-idx3-ubyte", (10000, 28, 28), "bef4ecab320f06d8554ea6380940ec79",
                                  "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    ("test", "labels"): _FileSpec("t10k-labels-idx1-ubyte", (10000,), "bb300cfdad3c16e7a12a480ee83cd310",
                                  "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
}
SPLITS = ("train", "test")
_KINDS = ("images", "labels")
_CACHE_VERSION = 1
_GZIP_MAGIC = b"\x1f\x8b"
_DOWNLOAD_CMD = "python -m mlp_core.data download"
_APT_CMD = "sudo apt-get install dataset-fashion-mnist"
_FIX = f"Get a verified copy with `{_DOWNLOAD_CMD}` (it replaces this file or takes precedence over it)."

# IDX type codes (third byte of the magic number) -> big-endian numpy dtype.
_IDX_DTYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


# ----------------------------------------------------------------------------------------------
# IDX files
# ----------------------------------------------------------------------------------------------

def read_idx(path, expected_shape=None):
    """Read an IDX file (gzipped or plain) into a numpy array of the shape its header declares.

    The header is a magic number 0x0000TTDD (TT: element type, 0x08 for unsigned bytes; DD: number
    of dimensions) followed by DD big-endian uint32 sizes; the payload holds prod(sizes) elements.
    Returns a writable array in native byte order, e.g. (60000, 28, 28) uint8 for training images.
    Raises ``DataError`` naming the file if the magic number, the dimensions (when
    ``expected_shape`` is given) or the payload length is wrong, or if the gzip stream is corrupt.
    """
    path = Path(path)
    return parse_idx(_decompress(path.read_bytes(), path), path, expected_shape).copy()


def _decompress(raw, path):
    """Return the IDX bytes of a file's contents: gunzipped if they start with the gzip magic."""
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(
            f"{path}: the gzip stream is truncated or corrupt ({e}). The file is incomplete or damaged: "
            f"{_FIX}") from None


def parse_idx(buf, path="<bytes>", expected_shape=None):
    """Check the IDX header of ``buf`` (bytes) and return its payload as an array.

    The array has the shape the header declares, e.g. (N, 28, 28) uint8 for images and (N,)
    for labels: a read-only view of ``buf`` for one-byte types, a native-byte-order copy for
    the others. ``path`` only names the data in a ``DataError``; ``read_idx`` reads a file.
    """
    if len(buf) < 4 or buf[:2] != b"\0\0" or buf[2] not in _IDX_DTYPES or buf[3] == 0:
        found = "0x" + buf[:4].hex().upper() if len(buf) >= 4 else f"only {count(len(buf), 'byte')}"
        looks = " It looks like an HTML/XML page (an error page saved in place of the data?)." \
            if buf[:1] == b"<" else ""
        raise DataError(
            f"{path}: not an IDX file. Expected a magic number 0x0000TTDD (TT an IDX type code such as 08 "
            f"for unsigned bytes, DD the number of dimensions, e.g. 0x00000803 for images); found {found}.{looks} "
            f"{_FIX}")
    dtype, ndim = _IDX_DTYPES[buf[2]], buf[3]
    header = 4 + 4 * ndim
    if len(buf) < header:
        need = "needs" if ndim == 1 else "need"
        raise DataError(f"{path}: truncated IDX header: {count(ndim, 'dimension')} {need} {header} header bytes, "
                        f"the file has {len(buf)}. {_FIX}")
    shape = tuple(int(n) for n in np.frombuffer(buf, dtype=">u4", count=ndim, offset=4))
    if expected_shape is not None and shape != tuple(expected_shape):
        raise DataError(f"{path}: wrong dimensions: expected {tuple(expected_shape)}, the header declares {shape}. "
                        f"This is not the expected file. {_FIX}")
    expected_len = math.prod(shape) * dtype.itemsize
    found_len = len(buf) - header
    if found_len != expected_len:
        gap = abs(expected_len - found_len)
        if found_len < expected_len:
            what = f"truncated: {count(gap, 'byte')} {'is' if gap == 1 else 'are'} missing"
        else:
            what = f"{count(gap, 'unexpected byte')} {'follows' if gap == 1 else 'follow'} the data"
        raise DataError(f"{path}: payload length mismatch: the header declares shape {shape} of {dtype.name}, "
                        f"which is {count(expected_len, 'byte')}, but the file holds {found_len} ({what}). "
                        f"{_FIX}")
    data = np.frombuffer(buf, dtype=dtype, offset=header).reshape(shape)
    return data if dtype.isnative else data.astype(dtype.newbyteorder("="))


def _read_verified(path, split, kind):
    """Decode one Fashion-MNIST file and check it against the official checksums -> uint8 array."""
    spec = _FILES[(split, kind)]
    raw = path.read_bytes()
    gzipped = raw[:2] == _GZIP_MAGIC
    md5 = hashlib.md5(raw, usedforsecurity=False).hexdigest() if gzipped else None
    buf = _decompress(raw, path)
    array = parse_idx(buf, path, spec.shape)
    if md5 != spec.md5_gz:
        sha = hashlib.sha256(buf).hexdigest()
        if sha != spec.sha256_idx:
            found = (f"MD5 {md5} and " if gzipped else "") + f"SHA-256 {sha}"
            raise DataError(
                f"{path}: checksum mismatch. Expected the Fashion-MNIST {kind} file {spec.name}: MD5 of the .gz "
                f"{spec.md5_gz} or SHA-256 of the decompressed IDX bytes {spec.sha256_idx}; found {found}. "
                f"The file is damaged or is another dataset in the same format (original MNIST uses the same "
                f"file names). {_FIX}")
    if array.dtype != np.uint8:
        raise DataError(f"{path}: expected unsigned bytes (IDX type 0x08), found {array.dtype}.")
    return array


# ----------------------------------------------------------------------------------------------
# Finding the files
# ----------------------------------------------------------------------------------------------

def _user_cache_dir():
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mlp_core"


def _writable_dir(path):
    return path is not None and path.is_dir() and os.access(path, os.W_OK)


def _search_places():
    """[(description, directory or None)] in search order; None for an unset environment variable."""
    env = os.environ.get(ENV_DIR)
    places = [(f"${ENV_DIR}", Path(env).expanduser() if env else None)]
    if REPO_DATA_DIR is not None:
        places.append(("the repository's data/ folder", REPO_DATA_DIR / "fashion-mnist"))
    places.append(("the user cache", _user_cache_dir() / "fashion-mnist"))
    places.append(("the Debian package dataset-fashion-mnist", DEBIAN_DIR))
    return places


def _download_dir():
    """Where downloads go: $FASHION_MNIST_DIR, else data/fashion-mnist/ if data/ is writable, else the user cache."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser()
    if _writable_dir(REPO_DATA_DIR):
        return REPO_DATA_DIR / "fashion-mnist"
    return _user_cache_dir() / "fashion-mnist"


def _cache_dir():
    """Where the decoded cache goes: $MLP_CORE_CACHE_DIR, else data/ if writable, else the user cache."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    if _writable_dir(REPO_DATA_DIR):
        return REPO_DATA_DIR
    return _user_cache_dir()


def _cache_path(split):
    return _cache_dir() / f"fashion-mnist-{split}.npz"


def _file_in(directory, spec):
    """Path of ``spec``'s file in ``directory`` (``name.gz`` preferred over plain ``name``), or None."""
    for candidate in (directory / f"{spec.name}.gz", directory / spec.name):
        if candidate.is_file():
            return candidate
    return None


def _split_files_in(directory, split):
    """(images_path, labels_path) if ``directory`` holds both files of ``split``, else a reason (str)."""
    if directory is None:
        return "not set"
    if not directory.is_dir():
        return "no such directory"
    found = {kind: _file_in(directory, _FILES[(split, kind)]) for kind in _KINDS}
    found = {kind: path for kind, path in found.items() if path is not None}
    if len(found) == 2:
        return found["images"], found["labels"]
    missing = [f"{_FILES[(split, k)].name}.gz" for k in _KINDS if k not in found]
    return "missing " + " and ".join(missing)


def _check_split(split):
    if split not in SPLITS:
        raise ValueError(f"Expected split 'train' or 'test', got {split!r}.")


def locate_fashion_mnist(split="train", *, download=True):
    """Paths (images, labels) of one split's files, from the first place in the search order holding both.

    Nothing is decoded or verified here (loading does that). If no place holds them and
    ``download`` is True, the four files are downloaded (see ``download_fashion_mnist``).
    Raises FileNotFoundError listing every place tried, and why it failed, with the commands that fix it.
    """
    _check_split(split)
    tried = []
    for description, directory in _search_places():
        found = _split_files_in(directory, split)
        if isinstance(found, tuple):
            return found
        tried.append(f"{description}: {directory or ''}{' - ' if directory else ''}{found}")
    if download:
        target = _download_dir()
        try:
            download_fashion_mnist(target)
            found = _split_files_in(target, split)
            if isinstance(found, tuple):
                return found
            tried.append(f"download into {target}: {found}")
        except (DataError, OSError) as e:
            tried.append(f"download into {target}: failed: {e}")
    else:
        tried.append("download: not attempted (download=False)")
    names = ", ".join(f"{spec.name}.gz" for spec in _FILES.values())
    places = "\n".join(f"  {i}. {line}" for i, line in enumerate(tried, 1))
    raise FileNotFoundError(
        f"Fashion-MNIST ({split} split) not found. Places tried, in order:\n{places}\n"
        f"Fix it with one of:\n"
        f"  - online: {_DOWNLOAD_CMD}\n"
        f"  - Debian/Ubuntu: {_APT_CMD}\n"
        f"  - by hand: copy the four files ({names}) into {_download_dir()} "
        f"or into a folder named by the environment variable {ENV_DIR}.")


# ----------------------------------------------------------------------------------------------
# Downloading
# ----------------------------------------------------------------------------------------------

def download_fashion_mnist(directory=None, *, progress=True, timeout=60.0):
    """Download the four Fashion-MNIST files into ``directory`` and return it (a Path).

    ``directory`` defaults to $FASHION_MNIST_DIR, else data/fashion-mnist/, else the user cache.
    Files already there and valid are kept. Each download streams into a temporary file in the
    same folder (with a progress bar), is verified against the official checksums, and only then
    renamed into place, so an interrupted or bad download never leaves a file behind.
    Raises DataError if every address fails for some file.
    """
    directory = Path(directory).expanduser() if directory is not None else _download_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for (split, kind), spec in _FILES.items():
        existing = _file_in(directory, spec)
        if existing is not None:
            try:
                _read_verified(existing, split, kind)
                continue
            except DataError:
                pass  # damaged: replaced below by a verified download (a .gz wins over a plain file)
        errors = []
        for base in URLS:
            try:
                _download_one(base + spec.name + ".gz", directory / f"{spec.name}.gz", split, kind, progress, timeout)
                break
            except (OSError, http.client.HTTPException, DataError) as e:
                errors.append(f"{base}{spec.name}.gz: {e}")
        else:
            raise DataError(f"could not download {spec.name}.gz; tried:\n    " + "\n    ".join(errors))
    return directory


def _temporary_path(dest, suffix=""):
    """A fresh hidden name next to ``dest``, for writing a file that is renamed onto ``dest`` when complete."""
    return dest.parent / f".tmp-{os.getpid()}-{secrets.token_hex(4)}-{dest.name}{suffix}"


def _remove(path):
    """Delete a temporary file if it exists; never raise (the original error is the one to report)."""
    try:
        path.unlink()
    except OSError:
        pass


def _download_one(url, dest, split, kind, progress, timeout):
    from tqdm.auto import tqdm  # imported here so that loading data never pays for it

    tmp = _temporary_path(dest, ".part")
    try:
        with open(tmp, "xb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name, disable=not progress) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        _read_verified(tmp, split, kind)
        os.replace(tmp, dest)
    except BaseException:
        _remove(tmp)
        raise


# ----------------------------------------------------------------------------------------------
# The decoded cache
# ----------------------------------------------------------------------------------------------

def _fingerprint(path):
    st = path.stat()
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _crc32(array):
    """CRC-32 of an array's bytes: catches truncation and flipped bits in the cache, at about 1 GB/s."""
    return zlib.crc32(np.ascontiguousarray(array))


def _read_cache(path, split, sources):
    """(images, labels, meta) from a valid, up-to-date cache file, else None (missing, stale or corrupt)."""
    if not path.is_file():
        return None
    spec_images, spec_labels = _FILES[(split, "images")], _FILES[(split, "labels")]
    try:  # open the file ourselves: np.load(path) leaks its handle when the zip directory is unreadable
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"][()]))
            if meta.get("version") != _CACHE_VERSION or meta.get("split") != split or meta.get("sources") != sources:
                return None  # stale: built from other files, or by another version
            images, labels = z["images"], z["labels"]
    except Exception:  # whatever is wrong with a cache file (bad zip, bad CRC, a pickle...), rebuild it
        return None
    if (images.dtype != np.uint8 or images.shape != spec_images.shape or labels.dtype != np.uint8
            or labels.shape != spec_labels.shape or _crc32(images) != meta.get("images_crc32")
            or _crc32(labels) != meta.get("labels_crc32") or (split == "train" and "std" not in meta)):
        return None
    return images, labels, meta


def _write_cache(path, images, labels, meta):
    """Write the cache atomically (temporary file, then rename); skip silently if the folder is read-only."""
    tmp = _temporary_path(path)  # ends in .npz, so git ignores it in data/ even if a crash strands it
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "xb") as f:
            np.savez(f, images=images, labels=labels, meta=np.array(json.dumps(meta)))
        os.replace(tmp, path)
    except OSError:
        _remove(tmp)
    except BaseException:
        _remove(tmp)
        raise


def _pixel_stats(images):
    """Mean and standard deviation of all pixels on the [0, 1] scale, exact, from a 256-bin histogram."""
    flat = images.reshape(-1)
    counts = np.zeros(256, dtype=np.int64)
    for start in range(0, flat.size, 1 << 22):  # bincount works in int64: go in chunks to bound memory
        counts += np.bincount(flat[start:start + (1 << 22)], minlength=256)
    levels = np.arange(256) / 255.0
    mean = float(counts @ levels / flat.size)
    std = float(np.sqrt(counts @ (levels - mean) ** 2 / flat.size))
    return mean, std


def _load_uint8(split, *, download=True, use_cache=True):
    """(images (N, 28, 28) uint8, labels (N,) uint8, meta dict) for one split, via the cache when valid."""
    images_path, labels_path = locate_fashion_mnist(split, download=download)
    sources = [_fingerprint(images_path), _fingerprint(labels_path)]
    cache = _cache_path(split)
    if use_cache:
        cached = _read_cache(cache, split, sources)
        if cached is not None:
            return cached
    images = _read_verified(images_path, split, "images")
    labels = _read_verified(labels_path, split, "labels")
    if labels.max(initial=0) >= len(CLASS_NAMES):
        raise DataError(f"{labels_path}: labels must lie in 0..9, found {int(labels.max())}.")
    meta = {"version": _CACHE_VERSION, "split": split, "sources": sources,
            "images_crc32": _crc32(images), "labels_crc32": _crc32(labels)}
    if split == "train":
        meta["mean"], meta["std"] = _pixel_stats(images)
    _write_cache(cache, images, labels, meta)
    return images, labels, meta


# ----------------------------------------------------------------------------------------------
# The public loaders
# ----------------------------------------------------------------------------------------------

def fashion_mnist_stats(*, download=True):
    """(mean, std): the global mean and standard deviation of all training pixels on the [0, 1] scale.

    One scalar pair over all 60000 * 784 training pixels (about 0.2860 and 0.3530), used by
    ``load_fashion_mnist(standardize=True)`` for both splits. Per-pixel statistics are not used:
    border pixels are black in nearly every image, so their standard deviation is close to 0 and
    dividing by it would blow up noise; a global pair keeps the images looking like images.
    """
    _, _, meta = _load_uint8("train", download=download)
    return meta["mean"], meta["std"]


def load_fashion_mnist(split="train", *, flatten=True, as_uint8=False, standardize=False, download=True):
    """Load one split of Fashion-MNIST as ``(X, y)``.

    X: (N, 784) float32 in [0, 1] (pixel / 255), with N = 60000 for "train" and 10000 for "test";
       (N, 28, 28) if ``flatten=False``; uint8 in 0..255 if ``as_uint8=True``; if ``standardize=True``,
       (pixel/255 - mean) / std with the training set's global mean and std (``fashion_mnist_stats``),
       the same pair for both splits.
    y: (N,) int64 class labels 0..9; ``CLASS_NAMES[y[i]]`` names them.
    The files are found (or downloaded if ``download``) as described in the module docstring; the
    first load decodes and verifies them (under a second) and the next loads read the decoded cache.
    """
    _check_split(split)
    if as_uint8 and standardize:
        raise ValueError("as_uint8=True and standardize=True exclude each other: standardized pixels are "
                         "floats. Pass one of them.")
    images, labels, meta = _load_uint8(split, download=download)
    if as_uint8:
        X = images if images.flags.writeable else images.copy()
    else:
        X = np.divide(images, np.float32(255), dtype=np.float32)  # uint8 / float32 scalar: no float64 detour
        if standardize:
            mean, std = (meta["mean"], meta["std"]) if split == "train" else fashion_mnist_stats(download=download)
            X -= np.float32(mean)
            X /= np.float32(std)
    if flatten:
        X = X.reshape(len(X), -1)
    return X, labels.astype(np.int64)


def train_val_split(X, y, val_size=10000, *, seed=0, stratify=True):
    """Split (X, y) into training and validation parts: ``X_train, y_train, X_val, y_val``.

    X: (N, ...) any array with one example per row; y: (N,) labels (or (N, k) targets if
    ``stratify=False``). ``val_size`` is a number of rows (int) or a fraction of N (float in (0, 1)).
    With ``stratify=True`` each class keeps its share: class c contributes round(val_size * N_c / N)
    rows (largest remainders settle the rounding so that the total is exactly ``val_size``).
    The same ``seed`` gives the same split; both parts keep the original order of the rows.
    """
    X, y = np.asarray(X), np.asarray(y)
    N = len(y)
    if X.ndim == 0 or len(X) != N:
        raise ValueError(f"Expected X and y with the same number of rows, got X {X.shape} and y {y.shape}.")
    if isinstance(val_size, (float, np.floating)):
        if not 0 < val_size < 1:
            raise ValueError(f"Expected val_size as a fraction in (0, 1) or a row count, got {val_size}.")
        val_size = int(round(val_size * N))
    if isinstance(val_size, bool) or not isinstance(val_size, (int, np.integer)) or not 0 < val_size < N:
        raise ValueError(f"Expected val_size between 1 and N - 1 = {N - 1} rows (or a fraction in (0, 1)), "
                         f"got {val_size!r}.")
    rng = np.random.default_rng(seed)
    if stratify:
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"stratify=True needs integer class labels of shape (N,), got {y.dtype} {y.shape}. "
                             "Pass stratify=False for regression targets.")
        classes, y_index, counts = np.unique(y, return_inverse=True, return_counts=True)
        share = val_size * counts / N
        take = np.floor(share).astype(np.int64)
        leftover = val_size - int(take.sum())
        take[np.argsort(-(share - take), kind="stable")[:leftover]] += 1
        val_idx = np.concatenate([rng.permutation(np.flatnonzero(y_index == c))[:k] for c, k in enumerate(take)])
    else:
        val_idx = rng.permutation(N)[:val_size]
    is_val = np.zeros(N, dtype=bool)
    is_val[val_idx] = True
    return X[~is_val], y[~is_val], X[is_val], y[is_val]


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------

def _info():
    print("Fashion-MNIST search order (per split, the first place holding both files wins):")
    for i, (description, directory) in enumerate(_search_places(), 1):
        held = []
        for split in SPLITS:
            found = _split_files_in(directory, split)
            held.append(f"{split}: {'yes' if isinstance(found, tuple) else found}")
        print(f"  {i}. {description}: {directory or '(not set)'}\n       {'; '.join(held)}")
    print(f"  {len(_search_places()) + 1}. download from {URLS[0]} into {_download_dir()}")
    print(f"Decoded cache folder (${ENV_CACHE} overrides): {_cache_dir()}")


def _fetch():
    for split in SPLITS:
        images, labels, _ = _load_uint8(split, use_cache=False)  # full verification, fresh cache
        images_path, labels_path = locate_fashion_mnist(split, download=False)
        print(f"{split}: {len(labels)} images, verified\n  {images_path}\n  {labels_path}")
    cache = [_cache_path(split) for split in SPLITS]
    state = "" if all(p.is_file() for p in cache) else " (not written: folder is read-only; loads will be slower)"
    print("decoded cache" + state + ":\n  " + "\n  ".join(map(str, cache)))
    mean, std = fashion_mnist_stats()
    print(f"training pixels: mean {mean:.4f}, std {std:.4f}. Fashion-MNIST is ready.")


def main(argv=None):
    """Command-line entry point: ``python -m mlp_core.data [fetch|download|info]``. Returns an exit code."""
    parser = argparse.ArgumentParser(prog="python -m mlp_core.data", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="fetch", choices=("fetch", "download", "info"),
                        help="fetch (default): find or download, verify, cache and report; "
                             "download: download into the download folder; info: show where files are looked for")
    args = parser.parse_args(argv)
    try:
        if args.command == "info":
            _info()
        elif args.command == "download":
            print(f"downloaded and verified: {download_fashion_mnist()}")
        else:
            _fetch()
    except (DataError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
