"""Tests of mlp_core.data: the IDX reader, the search order, downloads, the cache, and the real dataset.

Crafted tests replace the four official files by tiny ones (20 train and 10 test images) whose
checksums are patched into ``data._FILES``; every place the loader looks is a temporary folder and
the network is replaced by a fake, so no test ever needs the internet.
The real-data tests need Fashion-MNIST installed (CI gets it from the Debian package
dataset-fashion-mnist); without it they fail with the loader's instructions, unless the
environment variable MLP_CORE_ALLOW_NO_DATA is set, in which case they are skipped.
"""
import gzip
import hashlib
import io
import os
import struct
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from mlp_core import data

# SHA-256 of the decoded arrays' bytes. They equal the SHA-256 of each IDX payload, measured
# independently of this parser with `zcat FILE.gz | tail -c +17 | sha256sum` (+9 for labels).
REAL_SHA256 = {
    ("train", "images"): "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
    ("train", "labels"): "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
    ("test", "images"): "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
    ("test", "labels"): "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
}
# SHA-256 of load_fashion_mnist("test")[0]: float32 (10000, 784) pixel / 255, correctly rounded.
REAL_TEST_FLOAT32_SHA256 = "0c0f08b9d95e81a9c662a7e200cbb82a22e7669e3a79c4e861585d1dbf736efd"
N = {"train": 60000, "test": 10000}


def sha256(array):
    return hashlib.sha256(np.ascontiguousarray(array)).hexdigest()


def idx_bytes(array, type_code=0x08):
    """The IDX encoding of ``array``: magic 0x0000TTDD, big-endian uint32 sizes, big-endian payload."""
    big_endian = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[type_code]
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.asarray(array, dtype=big_endian).tobytes()


class Tiny:
    """A miniature Fashion-MNIST: 20 train and 10 test images, with checksums to patch into data._FILES."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.arrays, self.idx, self.gz, self.specs = {}, {}, {}, {}
        for split, n in (("train", 20), ("test", 10)):
            self.arrays[(split, "images")] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
            self.arrays[(split, "labels")] = (np.arange(n) % 10).astype(np.uint8)
        for key, array in self.arrays.items():
            self.idx[key] = idx_bytes(array)
            self.gz[key] = gzip.compress(self.idx[key], mtime=0)
            self.specs[key] = data._FileSpec(data._FILES[key].name, array.shape,
                                             hashlib.md5(self.gz[key]).hexdigest(),
                                             hashlib.sha256(self.idx[key]).hexdigest())

    def write(self, directory, splits=("train", "test"), gz=True):
        directory.mkdir(parents=True, exist_ok=True)
        for (split, kind), spec in self.specs.items():
            if split in splits:
                if gz:
                    (directory / f"{spec.name}.gz").write_bytes(self.gz[(split, kind)])
                else:
                    (directory / spec.name).write_bytes(self.idx[(split, kind)])
        return directory

    def path(self, directory, split, kind):
        return directory / f"{self.specs[(split, kind)].name}.gz"


class FakeResponse(io.BytesIO):
    def __init__(self, payload, fail_after=None):
        super().__init__(payload)
        self.headers = {"Content-Length": str(len(payload))}
        self.fail_after = fail_after

    def read(self, size=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise ConnectionResetError("connection reset by peer (simulated)")
        return super().read(size)


def leftovers(root):
    """Temporary or partial files anywhere under ``root``."""
    return [p for p in Path(root).rglob("*") if p.name.startswith(".tmp-") or p.name.endswith(".part")]


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Every place the loader looks is under tmp_path; the network fails and records what was asked."""
    repo_data = tmp_path / "repo" / "data"
    repo_data.mkdir(parents=True)
    monkeypatch.setattr(data, "REPO_DATA_DIR", repo_data)
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "debian")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(data.ENV_DIR, raising=False)
    monkeypatch.delenv(data.ENV_CACHE, raising=False)
    tiny = Tiny()
    monkeypatch.setattr(data, "_FILES", tiny.specs)
    calls = []

    def no_network(url, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    return SimpleNamespace(tmp=tmp_path, repo=repo_data / "fashion-mnist", cache=repo_data,
                           env=tmp_path / "env", debian=tmp_path / "debian",
                           user=tmp_path / "xdg" / "mlp_core" / "fashion-mnist", tiny=tiny, calls=calls)


@pytest.fixture
def count_decodes(monkeypatch):
    """Counts calls of data._read_verified, i.e. files decoded and verified (not read from the cache)."""
    decoded = []
    original = data._read_verified

    def spy(path, split, kind):
        decoded.append((split, kind))
        return original(path, split, kind)

    monkeypatch.setattr(data, "_read_verified", spy)
    return decoded


# ----------------------------------------------------------------------------------------------
# The IDX reader
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("type_code, dtype", [(0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16),
                                              (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)])
def test_read_idx_round_trips_every_type_in_native_byte_order(tmp_path, compress, type_code, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype) if type_code != 0x08 else \
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    raw = idx_bytes(array, type_code)
    path = tmp_path / "a.idx"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    out = data.read_idx(path, expected_shape=(2, 3, 4))
    assert out.dtype == dtype and out.dtype.isnative and out.flags.writeable
    np.testing.assert_array_equal(out, array)


@pytest.mark.parametrize("content, message", [
    (b"\x00\x00\x08\x03" + b"\x00" * 8, "truncated IDX header"),         # header cut short
    (b"\x00\x00\x09", "not an IDX file"),                                # shorter than a magic number
    (b"\x12\x34\x08\x01\x00\x00\x00\x01\x00", "0x12340801"),             # wrong magic
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "not an IDX file"),        # unknown type code
    (b"<!DOCTYPE html><html>Not Found</html>", "HTML"),                  # an error page saved as data
])
def test_read_idx_rejects_foreign_files_naming_them(tmp_path, content, message):
    path = tmp_path / "foreign-file"
    path.write_bytes(content)
    with pytest.raises(data.DataError, match=message) as info:
        data.read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_checks_dimensions_and_payload_length(tmp_path):
    raw = idx_bytes(np.zeros((5, 28, 28), dtype=np.uint8))
    path = tmp_path / "images"
    path.write_bytes(raw)
    with pytest.raises(data.DataError, match=r"wrong dimensions: expected \(5, 28, 27\).*\(5, 28, 28\)"):
        data.read_idx(path, expected_shape=(5, 28, 27))
    path.write_bytes(raw[:-100])
    with pytest.raises(data.DataError, match="100 bytes are missing"):
        data.read_idx(path)
    path.write_bytes(raw + b"xyz")
    with pytest.raises(data.DataError, match="3 unexpected bytes"):
        data.read_idx(path)


def test_parse_idx_is_public_and_decodes_bytes_in_memory():
    images = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    out = data.parse_idx(idx_bytes(images), expected_shape=(2, 3, 4))
    np.testing.assert_array_equal(out, images)
    assert not out.flags.writeable  # a view of the bytes: read_idx returns a writable copy
    labels = data.parse_idx(idx_bytes(np.array([3, 1, 4], dtype=np.uint8)), "labels.idx")
    assert labels.shape == (3,)
    with pytest.raises(data.DataError, match="<bytes>: not an IDX file"):
        data.parse_idx(b"PK\x03\x04 a zip file")
    assert not hasattr(data, "_parse_idx")  # one public name, the one chapter 1 shows


@pytest.mark.parametrize("content, message", [
    (b"\x00\x00\x08\x01\x00\x00", "1 dimension needs 8 header bytes, the file has 6"),
    (b"\x00\x00\x08\x03" + b"\x00" * 8, "3 dimensions need 16 header bytes"),
    (b"\x00\x00\x08", "found only 3 bytes"),
    (b"\x00", "found only 1 byte\\."),
    (b"\x00\x00\x08\x01\x00\x00\x00\x02\x07", r"truncated: 1 byte is missing"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x07\x07", r"which is 1 byte, .*\(1 unexpected byte follows the data\)"),
])
def test_idx_errors_count_in_the_singular_and_the_plural(content, message):
    with pytest.raises(data.DataError, match=message):
        data.parse_idx(content)


def test_read_idx_reports_a_truncated_gzip_stream(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((50, 28, 28), dtype=np.uint8)))[:-20])
    with pytest.raises(data.DataError, match="gzip stream is truncated or corrupt") as info:
        data.read_idx(path)
    assert str(path) in str(info.value) and "python -m mlp_core.data download" in str(info.value)


# ----------------------------------------------------------------------------------------------
# Crafted files through the loader: each damage gives its clear error and leaves nothing behind
# ----------------------------------------------------------------------------------------------

def test_crafted_files_load_with_the_documented_shapes_and_dtypes(env):
    env.tiny.write(env.debian)
    X, y = data.load_fashion_mnist("train")
    assert X.shape == (20, 784) and X.dtype == np.float32 and y.shape == (20,) and y.dtype == np.int64
    images = env.tiny.arrays[("train", "images")]
    np.testing.assert_array_equal(X, (images.reshape(20, -1) / 255.0).astype(np.float32))
    np.testing.assert_array_equal(y, env.tiny.arrays[("train", "labels")])
    X, _ = data.load_fashion_mnist("test", flatten=False, as_uint8=True)
    assert X.shape == (10, 28, 28) and X.dtype == np.uint8 and X.flags.writeable
    np.testing.assert_array_equal(X, env.tiny.arrays[("test", "images")])


def test_standardize_uses_the_training_set_global_mean_and_std_for_both_splits(env):
    env.tiny.write(env.debian)
    train = env.tiny.arrays[("train", "images")] / 255.0
    mean, std = data.fashion_mnist_stats()
    assert mean == pytest.approx(train.mean(), rel=1e-12) and std == pytest.approx(train.std(), rel=1e-12)
    for split in ("train", "test"):
        X, _ = data.load_fashion_mnist(split, standardize=True)
        expected = (env.tiny.arrays[(split, "images")].reshape(len(X), -1) / 255.0 - mean) / std
        assert X.dtype == np.float32
        np.testing.assert_allclose(X, expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="exclude each other"):
        data.load_fashion_mnist("train", as_uint8=True, standardize=True)


@pytest.mark.parametrize("split", ["validation", "t10k", None])
def test_unknown_split_names_the_choices(split):
    with pytest.raises(ValueError, match="'train' or 'test'"):
        data.load_fashion_mnist(split)


def test_a_debian_style_gzip_is_accepted_by_its_decompressed_sha256(env):
    """The Debian .gz files differ from the official ones (no file name in the gzip header)."""
    env.tiny.write(env.debian)
    key = ("train", "images")
    path = env.tiny.path(env.debian, *key)
    path.write_bytes(gzip.compress(env.tiny.idx[key], mtime=1234567))   # same content, other gzip header
    assert hashlib.md5(path.read_bytes()).hexdigest() != env.tiny.specs[key].md5_gz
    X, _ = data.load_fashion_mnist("train", as_uint8=True, flatten=False)
    np.testing.assert_array_equal(X, env.tiny.arrays[key])


def test_uncompressed_files_are_accepted_too(env):
    env.tiny.write(env.repo, gz=False)
    X, y = data.load_fashion_mnist("test", as_uint8=True, flatten=False)
    np.testing.assert_array_equal(X, env.tiny.arrays[("test", "images")])


def corrupt_wrong_magic(env, path, key):
    path.write_bytes(gzip.compress(b"\x00\x01" + env.tiny.idx[key][2:]))
    return "not an IDX file"


def corrupt_truncated_payload(env, path, key):
    path.write_bytes(gzip.compress(env.tiny.idx[key][:-784]))
    return "784 bytes are missing"


def corrupt_truncated_gzip(env, path, key):
    path.write_bytes(env.tiny.gz[key][: len(env.tiny.gz[key]) // 2])
    return "gzip stream is truncated"


def corrupt_wrong_dimensions(env, path, key):
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((20, 28, 27), dtype=np.uint8))))
    return r"wrong dimensions: expected \(20, 28, 28\), the header declares \(20, 28, 27\)"


def corrupt_checksum_mismatch(env, path, key):
    images = env.tiny.arrays[key].copy()
    images[3, 14, 14] ^= 1                                   # one pixel, one bit: a valid IDX file
    path.write_bytes(gzip.compress(idx_bytes(images)))
    return "checksum mismatch"


@pytest.mark.parametrize("damage", [corrupt_wrong_magic, corrupt_truncated_payload, corrupt_truncated_gzip,
                                    corrupt_wrong_dimensions, corrupt_checksum_mismatch])
def test_a_damaged_file_raises_a_clear_error_and_leaves_nothing_behind(env, damage):
    env.tiny.write(env.debian)
    key = ("train", "images")
    path = env.tiny.path(env.debian, *key)
    message = damage(env, path, key)
    with pytest.raises(data.DataError, match=message) as info:
        data.load_fashion_mnist("train")
    assert str(path) in str(info.value)
    assert "python -m mlp_core.data download" in str(info.value)
    assert not data._cache_path("train").exists()
    assert leftovers(env.tmp) == []
    assert env.calls == []                     # a local copy exists: no download, even a damaged one


def test_labels_of_the_wrong_count_are_rejected(env):
    env.tiny.write(env.debian)
    path = env.tiny.path(env.debian, "test", "labels")
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(9, dtype=np.uint8))))
    with pytest.raises(data.DataError, match=r"expected \(10,\), the header declares \(9,\)"):
        data.load_fashion_mnist("test")


# ----------------------------------------------------------------------------------------------
# Search order and downloads
# ----------------------------------------------------------------------------------------------

def test_search_order_env_dir_then_data_dir_then_user_cache_then_debian(env, monkeypatch):
    for directory in (env.env, env.repo, env.user, env.debian):
        env.tiny.write(directory)
    monkeypatch.setenv(data.ENV_DIR, str(env.env))
    expected = [env.env, env.repo, env.user, env.debian]
    for winner in expected:
        images, labels = data.locate_fashion_mnist("train")
        assert images.parent == winner and labels.parent == winner
        for path in winner.iterdir():
            path.unlink()                                   # empty the winner: the next place wins
    assert env.calls == []


def test_a_place_holding_only_one_split_serves_that_split_only(env, monkeypatch):
    env.tiny.write(env.env, splits=("train",))
    env.tiny.write(env.debian)
    monkeypatch.setenv(data.ENV_DIR, str(env.env))
    assert data.locate_fashion_mnist("train")[0].parent == env.env
    assert data.locate_fashion_mnist("test")[0].parent == env.debian


def test_no_download_while_a_valid_local_copy_exists(env):
    env.tiny.write(env.debian)
    for split in ("train", "test"):
        data.load_fashion_mnist(split)
        data.load_fashion_mnist(split)
    assert env.calls == []


def test_nothing_found_lists_every_place_and_the_commands_that_fix_it(env, monkeypatch):
    with pytest.raises(FileNotFoundError) as info:
        data.load_fashion_mnist("train", download=False)
    message = str(info.value)
    for expected in (f"${data.ENV_DIR}: not set", str(env.repo), str(env.user), str(env.debian),
                     "download: not attempted", "python -m mlp_core.data download",
                     "sudo apt-get install dataset-fashion-mnist", "train-images-idx3-ubyte.gz"):
        assert expected in message
    assert env.calls == []
    with pytest.raises(FileNotFoundError, match="network disabled in tests") as info:
        data.load_fashion_mnist("train")                   # download attempted: it fails, and says so
    assert env.calls and leftovers(env.tmp) == []


def serve(env, monkeypatch, payloads, fail_after=None):
    """Fake urlopen serving payloads[file name], except from hosts named "unreachable"."""
    def fake_urlopen(url, timeout=None):
        env.calls.append(url)
        payload = payloads.get(url.rsplit("/", 1)[-1])
        if payload is None or "unreachable" in url:
            raise urllib.error.URLError("unreachable (simulated)")
        return FakeResponse(payload, fail_after)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)


def test_download_goes_to_data_dir_is_verified_and_falls_back_to_the_second_address(env, monkeypatch):
    payloads = {f"{spec.name}.gz": env.tiny.gz[key] for key, spec in env.tiny.specs.items()}
    serve(env, monkeypatch, payloads)
    monkeypatch.setattr(data, "URLS", ("http://unreachable.invalid/", data.URLS[1]))
    X, y = data.load_fashion_mnist("test", as_uint8=True, flatten=False)
    np.testing.assert_array_equal(X, env.tiny.arrays[("test", "images")])
    assert sorted(p.name for p in env.repo.iterdir()) == sorted(payloads)   # all four, nothing else
    assert any(url.startswith("http://unreachable.invalid/") for url in env.calls)
    assert leftovers(env.tmp) == []
    calls = len(env.calls)
    data.load_fashion_mnist("train")
    assert len(env.calls) == calls                          # now a valid local copy exists


def test_download_goes_to_the_env_dir_when_set(env, monkeypatch):
    serve(env, monkeypatch, {f"{spec.name}.gz": env.tiny.gz[key] for key, spec in env.tiny.specs.items()})
    monkeypatch.setenv(data.ENV_DIR, str(env.env))
    assert data.download_fashion_mnist(progress=False) == env.env
    assert len(list(env.env.glob("*.gz"))) == 4 and not env.repo.exists()


def test_cli_download_command(env, monkeypatch, capsys):
    serve(env, monkeypatch, {f"{spec.name}.gz": env.tiny.gz[key] for key, spec in env.tiny.specs.items()})
    assert data.main(["download"]) == 0
    assert str(env.repo) in capsys.readouterr().out and len(list(env.repo.glob("*.gz"))) == 4


def test_a_bad_or_interrupted_download_leaves_no_file(env, monkeypatch):
    html = b"<html><body>Access denied</body></html>"
    serve(env, monkeypatch, {f"{spec.name}.gz": html for spec in env.tiny.specs.values()})
    with pytest.raises(data.DataError, match="HTML"):
        data.download_fashion_mnist(progress=False)
    assert list(env.repo.iterdir()) == []
    payloads = {f"{spec.name}.gz": env.tiny.gz[key] for key, spec in env.tiny.specs.items()}
    serve(env, monkeypatch, payloads, fail_after=100)
    with pytest.raises(FileNotFoundError, match="connection reset"):
        data.load_fashion_mnist("train")
    assert list(env.repo.iterdir()) == [] and leftovers(env.tmp) == []


def test_download_replaces_a_damaged_file_and_keeps_valid_ones(env, monkeypatch):
    env.tiny.write(env.repo)
    damaged = env.tiny.path(env.repo, "train", "labels")
    damaged.write_bytes(b"junk")
    serve(env, monkeypatch, {f"{spec.name}.gz": env.tiny.gz[key] for key, spec in env.tiny.specs.items()})
    data.download_fashion_mnist(progress=False)
    assert env.calls == [data.URLS[0] + damaged.name]     # only the damaged file was fetched again
    assert damaged.read_bytes() == env.tiny.gz[("train", "labels")]


# ----------------------------------------------------------------------------------------------
# The decoded cache
# ----------------------------------------------------------------------------------------------

def test_second_load_reads_the_cache_and_a_changed_source_invalidates_it(env, count_decodes):
    env.tiny.write(env.debian)
    first = data.load_fashion_mnist("train")
    assert count_decodes == [("train", "images"), ("train", "labels")]
    assert data._cache_path("train") == env.cache / "fashion-mnist-train.npz"
    second = data.load_fashion_mnist("train")
    assert len(count_decodes) == 2                          # served from the cache
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    source = env.tiny.path(env.debian, "train", "labels")
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    data.load_fashion_mnist("train")
    assert len(count_decodes) == 4                          # the source changed: decoded again


def test_a_copy_higher_in_the_search_order_invalidates_the_cache(env, monkeypatch, count_decodes):
    env.tiny.write(env.debian)
    data.load_fashion_mnist("test")
    env.tiny.write(env.repo)
    data.load_fashion_mnist("test")
    assert len(count_decodes) == 4


def flip_a_byte_in_the_images(path):
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("images.npy")
    raw[info.header_offset + 1000] ^= 0xFF  # inside the stored (uncompressed) array bytes
    path.write_bytes(bytes(raw))


def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def replace_by_garbage(path):
    path.write_bytes(b"not a zip file at all")


def tamper_consistently(path):
    """A well-formed .npz whose images no longer match the checksum recorded in its meta."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {key: z[key] for key in z.files}
    arrays["images"][0, 0, 0] ^= 1
    np.savez(path, **arrays)


def plant_a_pickle(path):
    """Object arrays can only be stored pickled; the loader must refuse, not unpickle."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {key: z[key] for key in z.files}
    arrays["images"] = np.array([{"evil": 1}], dtype=object)
    np.savez(path, **arrays)


@pytest.mark.parametrize("damage", [flip_a_byte_in_the_images, truncate, replace_by_garbage,
                                    tamper_consistently, plant_a_pickle])
def test_a_corrupt_cache_is_rebuilt_never_trusted(env, count_decodes, damage):
    env.tiny.write(env.debian)
    expected = data.load_fashion_mnist("test", as_uint8=True)
    cache = data._cache_path("test")
    damage(cache)
    again = data.load_fashion_mnist("test", as_uint8=True)
    assert len(count_decodes) == 4                          # decoded from the sources again
    np.testing.assert_array_equal(again[0], expected[0])
    np.testing.assert_array_equal(again[1], expected[1])
    sources = [data._fingerprint(p) for p in data.locate_fashion_mnist("test", download=False)]
    assert data._read_cache(cache, "test", sources) is not None   # and the rebuilt cache is valid
    assert leftovers(env.tmp) == []


def test_cache_location_follows_the_env_var_and_an_unwritable_one_only_costs_speed(env, monkeypatch,
                                                                                   count_decodes):
    env.tiny.write(env.debian)
    monkeypatch.setenv(data.ENV_CACHE, str(env.tmp / "my-cache"))
    data.load_fashion_mnist("test")
    assert (env.tmp / "my-cache" / "fashion-mnist-test.npz").is_file()
    blocker = env.tmp / "a-file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(data.ENV_CACHE, str(blocker / "cache"))
    X, y = data.load_fashion_mnist("test")
    assert X.shape == (10, 784) and leftovers(env.tmp) == []


def test_without_a_writable_data_dir_downloads_and_cache_go_to_the_user_cache(env, monkeypatch):
    monkeypatch.setattr(data, "REPO_DATA_DIR", None)
    assert data._download_dir() == env.user
    assert data._cache_dir() == env.user.parent


# ----------------------------------------------------------------------------------------------
# Validation split
# ----------------------------------------------------------------------------------------------

def test_train_val_split_is_stratified_reproducible_and_a_partition():
    y = np.repeat(np.arange(3), [50, 30, 20])
    X = np.arange(100, dtype=np.float32)[:, None] * np.ones((1, 2), dtype=np.float32)
    X_tr, y_tr, X_val, y_val = data.train_val_split(X, y, val_size=0.2, seed=3)
    assert np.bincount(y_val).tolist() == [10, 6, 4] and len(y_tr) == 80
    assert sorted(np.concatenate([X_tr[:, 0], X_val[:, 0]]).tolist()) == list(range(100))
    assert np.all(np.diff(X_val[:, 0]) > 0)                 # original order kept
    again = data.train_val_split(X, y, val_size=20, seed=3)
    np.testing.assert_array_equal(again[2], X_val)
    other = data.train_val_split(X, y, val_size=20, seed=4)
    assert not np.array_equal(other[2], X_val)


def test_train_val_split_rounding_gives_exactly_val_size():
    y = np.repeat(np.arange(3), [34, 33, 33])
    for val_size in range(1, 100):
        _, _, _, y_val = data.train_val_split(np.zeros((100, 1)), y, val_size=val_size)
        assert len(y_val) == val_size
        assert np.all(np.abs(np.bincount(y_val, minlength=3) - val_size * np.array([34, 33, 33]) / 100) < 1)


def test_train_val_split_without_stratification_takes_regression_targets():
    X, y = np.arange(10.0)[:, None], np.arange(10.0)[:, None]
    X_tr, y_tr, X_val, y_val = data.train_val_split(X, y, val_size=3, stratify=False)
    assert X_val.shape == (3, 1) and y_tr.shape == (7, 1)
    np.testing.assert_array_equal(X_val, y_val)


@pytest.mark.parametrize("kwargs, message", [
    ({"val_size": 0}, "between 1 and N - 1"), ({"val_size": 10}, "between 1 and N - 1"),
    ({"val_size": 1.5}, "fraction"), ({"val_size": True}, "between 1"), ({"val_size": "3"}, "between 1"),
])
def test_train_val_split_rejects_bad_sizes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.train_val_split(np.zeros((10, 2)), np.arange(10) % 2, **kwargs)


def test_train_val_split_rejects_mismatched_rows_and_float_labels():
    with pytest.raises(ValueError, match="same number of rows"):
        data.train_val_split(np.zeros((10, 2)), np.zeros(9, dtype=int))
    with pytest.raises(ValueError, match="stratify=False"):
        data.train_val_split(np.zeros((10, 2)), np.zeros(10), val_size=3)


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------

def test_cli_fetch_and_info_report_where_the_data_is(env, capsys):
    env.tiny.write(env.debian)
    assert data.main(["info"]) == 0
    out = capsys.readouterr().out
    assert str(env.debian) in out and f"${data.ENV_DIR}" in out and str(env.cache) in out
    assert data.main([]) == 0                               # fetch is the default
    out = capsys.readouterr().out
    assert str(env.tiny.path(env.debian, "test", "images")) in out
    assert str(env.cache / "fashion-mnist-train.npz") in out and "ready" in out


def test_cli_fails_with_the_instructions_when_nothing_is_found(env, capsys):
    assert data.main(["fetch"]) == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install dataset-fashion-mnist" in err and "python -m mlp_core.data download" in err


def test_python_dash_m_runs_the_command_line():
    result = subprocess.run([sys.executable, "-m", "mlp_core.data", "info"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "search order" in result.stdout


# ----------------------------------------------------------------------------------------------
# The real dataset
# ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """Both real splits as uint8, loaded through an empty cache, with the network disabled."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(data.ENV_CACHE, str(tmp_path_factory.mktemp("fashion-mnist-cache")))
        mp.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("tests must not download"))
        try:
            loaded = {split: data.load_fashion_mnist(split, as_uint8=True, flatten=False, download=False)
                      for split in ("train", "test")}
        except FileNotFoundError as e:
            if os.environ.get("MLP_CORE_ALLOW_NO_DATA"):
                pytest.skip(f"Fashion-MNIST not installed and MLP_CORE_ALLOW_NO_DATA is set:\n{e}")
            pytest.fail(f"The real-data tests need Fashion-MNIST (set MLP_CORE_ALLOW_NO_DATA=1 to skip them).\n{e}",
                        pytrace=False)
        yield SimpleNamespace(loaded=loaded)


@pytest.mark.parametrize("split", ["train", "test"])
def test_real_data_shapes_dtypes_classes_and_checksums(real, split):
    X, y = real.loaded[split]
    assert X.shape == (N[split], 28, 28) and X.dtype == np.uint8
    assert y.shape == (N[split],) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [N[split] // 10] * 10   # 6,000 / 1,000 per class, labels 0..9
    assert sha256(X) == REAL_SHA256[(split, "images")]
    assert sha256(y.astype(np.uint8)) == REAL_SHA256[(split, "labels")]


def test_real_data_as_float32_comes_from_the_cache(real, monkeypatch):
    monkeypatch.setattr(data, "_read_verified", lambda *a: pytest.fail("the cache should have been used"))
    X, y = data.load_fashion_mnist("test", download=False)
    assert X.shape == (10000, 784) and X.dtype == np.float32 and X.min() == 0.0 and X.max() == 1.0
    assert sha256(X) == REAL_TEST_FLOAT32_SHA256
    X_train, _ = data.load_fashion_mnist("train", download=False)
    assert X_train.shape == (60000, 784) and X_train.dtype == np.float32
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0


def test_real_data_standardization_statistics(real):
    mean, std = data.fashion_mnist_stats(download=False)
    assert mean == pytest.approx(0.2860406, abs=1e-7) and std == pytest.approx(0.3530242, abs=1e-7)
    X, _ = data.load_fashion_mnist("test", standardize=True, download=False)
    assert X.dtype == np.float32
    expected = (real.loaded["test"][0].reshape(10000, -1) / 255.0 - mean) / std
    np.testing.assert_allclose(X, expected, rtol=1e-5, atol=1e-5)


def test_real_data_validation_split_keeps_1000_per_class(real):
    X, y = real.loaded["train"]
    X_tr, y_tr, X_val, y_val = data.train_val_split(X, y, val_size=10000, seed=0)
    assert np.bincount(y_val).tolist() == [1000] * 10 and np.bincount(y_tr).tolist() == [5000] * 10
    assert X_tr.shape == (50000, 28, 28) and X_val.shape == (10000, 28, 28)
    np.testing.assert_array_equal(data.train_val_split(X, y, val_size=10000, seed=0)[3], y_val)


def test_class_names_in_label_order():
    assert data.CLASS_NAMES == ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
