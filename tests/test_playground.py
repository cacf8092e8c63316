"""The live playground (chapter 11): the engine, the drawing, the presets, and the widget driven as a user would."""
import json
import re
import time
import warnings

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
import ipywidgets  # noqa: E402

from mlp_core.playground import PRESETS, Playground, Run, Settings, draw, engine, load_data  # noqa: E402


def run_of(**kw):
    s = Settings(**kw)
    return Run(s, load_data(s.data, s.n_train))


# -- engine ---------------------------------------------------------------------------------------

def test_chunks_do_not_change_the_numbers(monkeypatch):
    """A run cut into chunks of one batch trains exactly as one cut into whole epochs."""
    whole = run_of(epochs=3, seed=2, dropout=0.2).run()
    monkeypatch.setattr(engine, "CHUNK_ROWS", 32)
    pieces = run_of(epochs=3, seed=2, dropout=0.2).run()
    assert len(pieces.curve) > len(whole.curve) == 3
    assert pieces.history.loss == whole.history.loss and pieces.history.val_loss == whole.history.val_loss
    np.testing.assert_array_equal(pieces.model.layers[0].params["W"], whole.model.layers[0].params["W"])


def test_a_run_learns_the_spiral_and_records_everything():
    run = run_of(epochs=30)
    assert run.state == "ready" and run.step() and run.state == "running"
    run.run()
    assert run.state == "finished" and len(run.history) == 30 and run.history.val_accuracy[-1] > 0.9
    assert len(run.diagnostics) >= 100 and run.diagnostics["update_ratio"].shape[1] == 3
    assert run.model.layers[0].params["W"].dtype == np.float32 and run.model.layers[0].grads["W"].dtype == np.float32
    report = run.layer_report()
    assert report["dead"].shape == (3,) and report["dead"][0] == 0


def test_reports_do_not_disturb_training():
    """Drawing (layer statistics with dropout and batch norm) between chunks leaves the run's numbers alone."""
    kw = dict(epochs=3, dropout=0.3, batchnorm=True)
    plain = run_of(**kw).run()
    probed = run_of(**kw)
    while probed.step():
        probed.layer_report()
        probed.evaluation()
    assert probed.history.loss == plain.history.loss


def test_every_choice_of_every_setting_trains():
    for loss in engine.LOSSES:
        for optimizer in engine.OPTIMIZERS:
            run = run_of(loss=loss, optimizer=optimizer, lr=0.01, epochs=2, weight_decay=1e-4)
            assert run.run().state == "finished", (loss, optimizer)
    for activation in engine.ACTIVATIONS:
        for init in engine.INITIALIZERS:
            assert run_of(activation=activation, init=init, init_scale=0.5, epochs=1).run().state == "finished"
    for name in ("circles", "XOR"):
        assert run_of(data=name, epochs=20).run().history.val_accuracy[-1] > 0.9, name


def test_the_initial_scale_multiplies_the_weights():
    W = lambda **kw: run_of(**kw).model.layers[0].params["W"]
    np.testing.assert_allclose(W(init_scale=0.5), 0.5 * W(), rtol=1e-6)
    assert abs(W(init="normal", init_scale=1.0, width=256).std() - 1) < 0.1  # normal means N(0, 1)


def test_settings_are_checked():
    with pytest.raises(ValueError, match="Unknown optimizer 'adam'"):
        Settings(optimizer="adam").check()
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        Settings(depth=0).check()
    with pytest.raises(ValueError, match="lr must be a positive number"):
        Settings(lr=0).check()


def test_overflowing_weights_count_as_divergence_too():
    """Here the last step of an epoch overflows the weights: the validation loss is NaN, not a batch loss."""
    runs = [run_of(**{**PRESETS["dead ReLUs"]["settings"], "activation": "leaky_relu", "seed": seed})
            for seed in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for run in runs:
            run.run()
            run.layer_report()
    assert all(run.state == "diverged" for run in runs) and all(np.isfinite(run.history.val_loss).all() for run in runs)


def test_a_diverging_run_says_so_and_keeps_finite_weights():
    run = run_of(**PRESETS["learning rate too high"]["settings"]).run()
    assert run.state == "diverged" and "Lower the learning rate (try 1)" in run.message
    assert all(np.isfinite(p).all() for _, p, _ in run.model.named_parameters())


def test_fashion_mnist_subsets():
    raw, std = load_data("Fashion-MNIST", 500), load_data("Fashion-MNIST, standardised", 500)
    assert raw.X_train.shape == (500, 784) and raw.X_val.shape == (1000, 784) and raw.images
    assert raw.X_train.dtype == std.X_train.dtype == np.float32
    assert 0 <= raw.X_train.min() and raw.X_train.max() <= 1 and abs(std.X_train.mean()) < 0.1
    np.testing.assert_array_equal(raw.y_train, std.y_train)
    assert np.bincount(raw.y_val, minlength=10).min() > 60  # a shuffle, not the first rows of one class


# -- drawing --------------------------------------------------------------------------------------

def test_png_encoder_writes_a_valid_palette_png():
    image = np.arange(12, dtype=np.uint8).reshape(3, 4) % 3
    data = draw.png(image, [[255, 0, 0], [0, 255, 0], [0, 0, 255]])
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    from PIL import Image  # matplotlib's own dependency
    import io
    decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert decoded.shape == (3, 4, 3) and (decoded[0, 1] == [0, 255, 0]).all()


def test_charts_have_names_and_skip_non_finite_points():
    svg = draw.line_chart([{"label": "a", "x": [0, 1, 2], "y": [1.0, np.nan, 1e-3], "colour": "#000000"}],
                          title="T", xlabel="x", ylabel="y", x_range=(0, 2), log_y=True, description="D.")
    assert 'role="img"' in svg and 'aria-label="T. D."' in svg and "nan" not in svg
    np.testing.assert_allclose(draw.nice_ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(draw.nice_ticks(0, 30), [0, 10, 20, 30])


# -- the widget, driven as a user would ------------------------------------------------------------

def control(pg, name):
    return pg.controls[name]


def imgs_have_alt(html_text):
    return all(re.search(r'alt="[^"]{20,}"', tag) for tag in re.findall(r"<img [^>]*>", html_text))


def test_clicking_train_fills_every_panel():
    pg = Playground(threaded=False)
    assert pg.curves.value == "" and "Press Train" in pg.status.value
    control(pg, "epochs").value = 5
    pg.train_button.click()
    assert pg.status.value.startswith("Done: spiral, Adam at lr 0.01: epoch 5/5")
    assert "Loss while training" in pg.curves.value and "Decision regions" in pg.picture.value
    assert "Update / weight per layer" in pg.layers.value and "dead units" in pg.layers.value
    assert "Confusion matrix" in pg.final.value
    first = pg.picture.value
    control(pg, "activation").value = "tanh"
    pg.train_button.click()
    assert pg.picture.value != first and pg.run.settings.activation == "tanh"


def test_fashion_mnist_shows_weights_and_mistakes():
    pg = Playground(threaded=False)
    pg.apply(Settings(data="Fashion-MNIST", n_train=500, epochs=2, batch_size=64, lr=1e-3))
    pg.train()
    assert "Weights into the first layer" in pg.picture.value and imgs_have_alt(pg.picture.value)
    assert "most confident mistakes" in pg.final.value and pg.final.value.count("<figure") == 8
    assert imgs_have_alt(pg.final.value) and "Ankle boot" in pg.final.value


def test_stop_stops_a_threaded_run_at_the_next_chunk():
    pg = Playground()
    pg.apply(Settings(data="Fashion-MNIST", n_train=2000, epochs=5000, batch_size=64, lr=1e-3))
    pg.train_button.click()
    deadline = time.perf_counter() + 10  # wait for the first epoch, however fast or busy the machine is
    while (pg.run is None or pg.run.epoch < 1) and time.perf_counter() < deadline:
        time.sleep(0.05)
    assert pg.thread.is_alive() and not pg.stop_button.disabled
    clicked = time.perf_counter()
    pg.stop_button.click()
    pg.wait(timeout=5)
    assert time.perf_counter() - clicked < 1.0  # one chunk of 1,024 images, and the last drawing
    assert not pg.thread.is_alive() and pg.run.state == "stopped"
    assert 0 < pg.run.epoch < 5000 and pg.status.value.startswith("Stopped in epoch")
    assert pg.stop_button.disabled


def test_updates_arrive_while_training_and_the_caller_is_not_blocked():
    pg = Playground(interval=0.05)
    pg.apply(Settings(data="Fashion-MNIST", n_train=2000, epochs=20, batch_size=64, lr=1e-3))
    seen = []
    pg.curves.observe(lambda change: seen.append(time.perf_counter()), "value")
    start = time.perf_counter()
    pg.train()
    assert time.perf_counter() - start < 0.2  # train() returns at once: the thread trains
    pg.wait(timeout=30)
    assert pg.run.state == "finished" and len(seen) >= 3 and seen[0] - start < 0.5


def test_reset_puts_the_defaults_back_and_clears_the_panels():
    pg = Playground(threaded=False)
    control(pg, "lr").value = 0.1
    control(pg, "epochs").value = 2
    pg.train()
    pg.reset_button.click()
    assert pg.settings() == Settings() and pg.curves.value == pg.final.value == ""


def test_auto_mode_retrains_on_a_change_of_2d_data_only():
    pg = Playground(threaded=False)
    control(pg, "epochs").value = 2
    assert pg.run is None  # auto is off: no training yet
    pg.auto.value = True
    control(pg, "width").value = 8
    assert pg.run is not None and pg.run.settings.width == 8 and pg.run.state == "finished"
    before = pg.run
    control(pg, "data").value = "Fashion-MNIST"
    assert pg.run is before  # a Fashion-MNIST retrain is too slow for every slider move


def test_a_diverging_run_shows_the_message_not_a_traceback():
    pg = Playground(threaded=False)
    pg.preset_buttons["learning rate too high"].click()
    assert "Training diverged in epoch 1" in pg.status.value and "#b00020" in pg.status.value
    assert "learning rate too high" in pg.preset_text.value


def test_other_errors_are_shown_in_the_widget(monkeypatch):
    def broken(*args):
        raise ValueError("no data today")
    monkeypatch.setattr("mlp_core.playground.widget.load_data", broken)
    pg = Playground(threaded=False)
    pg.train()
    assert "ValueError: no data today" in pg.status.value and pg.stop_button.disabled


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_shows_what_its_text_promises(name):
    pg = Playground(threaded=False)
    pg.preset_buttons[name].click()
    run, text = pg.run, pg.preset_text.value
    assert name in text and pg.settings() == Settings(**PRESETS[name]["settings"])
    h = run.history
    if name == "learning rate too high":
        assert run.state == "diverged"
    elif name == "vanishing gradients":
        grads = np.median(run.diagnostics["grad_std"][-20:], axis=0)
        ratios = np.median(run.diagnostics["update_ratio"][-20:], axis=0)
        assert grads[-1] > 5 * grads[0] and ratios[0] < 5e-4
    elif name == "dead ReLUs":
        assert run.layer_report()["dead"][1:].max() > 0.8 and h.val_accuracy[-1] < 0.5
    elif name == "overfitting on 500 images":
        best = int(np.argmin(h.val_loss))
        assert h.loss[-1] < 0.05 and best < 20 and h.val_loss[-1] > min(h.val_loss) + 0.15
    else:
        assert h.val_accuracy[-1] > 0.5 and run.diagnostics["grad_std"][-1, 0] > 1e-3
        without = run_of(**{**PRESETS[name]["settings"], "batchnorm": False}).run()
        assert without.history.val_accuracy[-1] < 0.2 and without.diagnostics["grad_std"][-1, 0] < 1e-5


def test_an_update_sends_under_100_kB(monkeypatch):
    """Measured on the wire: every widget message is recorded as the comm would send it."""
    sent = []
    monkeypatch.setattr(ipywidgets.Widget, "_send",
                        lambda self, msg, buffers=None: sent.append(len(json.dumps(msg))))
    pg = Playground(threaded=False)
    draws = []
    original = pg._draw

    def counted(run, final=False):
        before = len(sent)
        original(run, final)
        draws.append(sum(sent[before:]))

    pg._draw = counted
    pg.train()
    assert len(draws) >= 2 and max(draws) < 100_000, draws


def test_confusion_cells_keep_a_contrast_of_4_5():
    table = draw.confusion_html(np.arange(100).reshape(10, 10), [str(k) for k in range(10)])
    for r, g, b, colour in re.findall(r"background: rgb\((\d+),(\d+),(\d+)\); color: (#\w+)", table):
        bg, fg = draw.luminance([int(r), int(g), int(b)]), 1.0 if colour == "#ffffff" else 0.0
        assert (max(bg, fg) + 0.05) / (min(bg, fg) + 0.05) >= 4.5, (r, g, b, colour)
