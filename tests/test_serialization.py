import os

import numpy as np
import pytest

import mlp_core as mc


def trained(tmp_path, optimizer_cls=mc.Adam, **kw):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6), dtype=np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)
    model = mc.mlp([6, 16, 8, 3], seed=0, **kw)
    opt = optimizer_cls(model, lr=1e-2)
    mc.fit(model, X, y, optimizer=opt, epochs=2, batch_size=32, seed=1, progress=False)
    return model, opt, X, y


def test_round_trip_reproduces_predictions_bit_for_bit(tmp_path):
    model, opt, X, _ = trained(tmp_path, batchnorm=True, dropout=0.2)
    path = tmp_path / "model.npz"
    mc.save_model(path, model, opt)
    loaded = mc.load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.architecture() == model.architecture()


@pytest.mark.parametrize("optimizer_cls", [mc.Adam, mc.SGD, mc.RMSProp, mc.Adagrad])
def test_training_resumes_identically(tmp_path, optimizer_cls):
    model, opt, X, y = trained(tmp_path, optimizer_cls, dropout=0.3, batchnorm=True)
    path = tmp_path / "checkpoint.npz"
    mc.save_model(path, model, opt)
    mc.fit(model, X, y, optimizer=opt, epochs=2, batch_size=32, seed=5, progress=False)
    resumed, resumed_opt = mc.load_model(path, with_optimizer=True)
    assert resumed_opt.t == opt.t - 2 * 7
    mc.fit(resumed, X, y, optimizer=resumed_opt, epochs=2, batch_size=32, seed=5, progress=False)
    for (name, a, _), (_, b, _) in zip(model.named_parameters(), resumed.named_parameters()):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_momentum_state_and_nesterov_survive(tmp_path):
    model = mc.mlp([3, 4, 2], seed=0)
    opt = mc.SGD(model, lr=0.1, momentum=0.9, nesterov=True)
    mc.fit(model, np.ones((8, 3), np.float32), np.arange(8) % 2, optimizer=opt, epochs=1, progress=False)
    mc.save_model(tmp_path / "m.npz", model, opt)
    _, loaded = mc.load_model(tmp_path / "m.npz", with_optimizer=True)
    assert loaded.nesterov and loaded.hyper["momentum"] == 0.9
    np.testing.assert_array_equal(loaded.state["0.W"]["velocity"], opt.state["0.W"]["velocity"])


def test_loading_into_another_architecture_is_a_clear_error(tmp_path):
    model, _, _, _ = trained(tmp_path)
    mc.save_model(tmp_path / "m.npz", model)
    other = mc.mlp([6, 32, 3], seed=0)
    with pytest.raises(ValueError, match=r"(?s)another architecture.*Dense\(d_in=6, d_out=16\).*Dense\(d_in=6, d_out=32\)"):
        mc.load_weights(tmp_path / "m.npz", other)
    same = mc.mlp([6, 16, 8, 3], seed=9)
    mc.load_weights(tmp_path / "m.npz", same)
    np.testing.assert_array_equal(same.layers[0].params["W"], model.layers[0].params["W"])


def test_corrupt_and_foreign_files_are_clear_errors(tmp_path):
    model, _, _, _ = trained(tmp_path)
    path = tmp_path / "m.npz"
    mc.save_model(path, model)
    data = path.read_bytes()
    (tmp_path / "truncated.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated.npz is not a readable mlp_core model file"):
        mc.load_model(tmp_path / "truncated.npz")
    np.savez(tmp_path / "foreign.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="not an mlp_core model file"):
        mc.load_model(tmp_path / "foreign.npz")


def test_pickled_objects_are_never_loaded(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, meta=np.array([{"format": "mlp_core-checkpoint"}], dtype=object))
    with pytest.raises(ValueError, match="not a readable mlp_core model file"):
        mc.load_model(path)


def test_a_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    model, _, _, _ = trained(tmp_path)
    path = tmp_path / "m.npz"
    mc.save_model(path, model)
    before = path.read_bytes()

    def broken_savez(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        mc.save_model(path, model)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]  # no temporary file left behind


def test_loading_optimizer_state_that_was_not_saved(tmp_path):
    model, _, _, _ = trained(tmp_path)
    mc.save_model(tmp_path / "m.npz", model)
    with pytest.raises(ValueError, match="holds no optimiser state"):
        mc.load_model(tmp_path / "m.npz", with_optimizer=True)
