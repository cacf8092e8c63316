"""The model keeps all parameters in one vector theta; optimisers update it in one go.

The flat update must give exactly what the per-parameter update gives, share its state with
``optimizer.state`` (checkpoints, weight decay) and step aside when the views are gone.
"""
import tracemalloc

import numpy as np
import pytest

import mlp_core as mc

OPTIMIZERS = [
    (mc.SGD, {"lr": 0.1}),
    (mc.SGD, {"lr": 0.1, "momentum": 0.9}),
    (mc.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (mc.Adagrad, {"lr": 0.05}),
    (mc.RMSProp, {"lr": 0.01}),
    (mc.Adam, {"lr": 0.01}),
]
IDS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


def unpack(model):
    """Replace every parameter and gradient by a copy: the model no longer has a flat vector."""
    for layer in model.layers:
        for key in layer.params:
            layer.params[key] = layer.params[key].copy()
            layer.grads[key] = layer.grads[key].copy()
    assert model.flat_parameters() is None
    return model


def train(model, opt, steps=5, seed=0):
    rng = np.random.default_rng(seed)
    loss = mc.SoftmaxCrossEntropy()
    for _ in range(steps):
        X = rng.standard_normal((16, 6), dtype=np.float32)
        y = rng.integers(0, 3, 16)
        loss.forward(model.forward(X), y)
        model.backward(loss.backward())
        opt.step()
    return model


def small_mlp():
    return mc.mlp([6, 5, 4, 3], seed=1, batchnorm=True)


def test_layers_hold_views_of_theta():
    model = small_mlp()
    theta, grad_theta = model.flat_parameters()
    assert theta.size == model.num_parameters() and theta.dtype == np.float32
    W = model.layers[0].params["W"]
    W[0, 0] = 123.0
    assert theta[0] == 123.0
    assert np.shares_memory(model.layers[0].grads["W"], grad_theta)


@pytest.mark.parametrize("make_opt, kw", OPTIMIZERS, ids=IDS)
def test_flat_update_equals_per_parameter_update_bit_for_bit(make_opt, kw):
    packed, loose = small_mlp(), unpack(small_mlp())
    opt_packed, opt_loose = make_opt(packed, **kw), make_opt(loose, **kw)
    train(packed, opt_packed)
    train(loose, opt_loose)
    for (name, a, _), (_, b, _) in zip(packed.named_parameters(), loose.named_parameters()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    flat_arrays, loose_arrays = opt_packed.state_dict()["arrays"], opt_loose.state_dict()["arrays"]
    assert flat_arrays.keys() == loose_arrays.keys()
    for key in flat_arrays:
        np.testing.assert_array_equal(flat_arrays[key], loose_arrays[key], err_msg=key)


def test_state_is_shared_when_weight_decay_switches_to_the_per_parameter_path():
    packed, loose = small_mlp(), unpack(small_mlp())
    opt_packed, opt_loose = (mc.Adam(m, lr=0.01) for m in (packed, loose))
    train(packed, opt_packed, steps=3)
    train(loose, opt_loose, steps=3)
    opt_packed.weight_decay = opt_loose.weight_decay = 0.1  # weight decay: parameter by parameter
    train(packed, opt_packed, steps=2, seed=1)
    train(loose, opt_loose, steps=2, seed=1)
    opt_packed.weight_decay = opt_loose.weight_decay = 0.0  # and back to the flat update
    train(packed, opt_packed, steps=2, seed=2)
    train(loose, opt_loose, steps=2, seed=2)
    for (name, a, _), (_, b, _) in zip(packed.named_parameters(), loose.named_parameters()):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_loaded_optimizer_state_is_used_by_the_flat_update():
    reference, resumed = small_mlp(), small_mlp()
    opt_reference = mc.SGD(reference, lr=0.1, momentum=0.9)
    train(reference, opt_reference, steps=3)
    for (_, p, _), (_, q, _) in zip(resumed.named_parameters(), reference.named_parameters()):
        p[...] = q
    for layer, ref_layer in zip(resumed.layers, reference.layers):
        for key in layer.buffers:
            layer.buffers[key][...] = ref_layer.buffers[key]
    opt_resumed = mc.SGD(resumed, lr=0.1, momentum=0.9)
    opt_resumed.load_state_dict(opt_reference.state_dict())
    train(reference, opt_reference, steps=2, seed=5)
    train(resumed, opt_resumed, steps=2, seed=5)
    for (name, a, _), (_, b, _) in zip(reference.named_parameters(), resumed.named_parameters()):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_replacing_a_parameter_or_adding_a_layer_turns_the_flat_path_off():
    model = small_mlp()
    model.layers[0].params["W"] = model.layers[0].params["W"] + 0
    assert model.flat_parameters() is None
    model = small_mlp()
    model.layers.append(mc.Dense(3, 2, seed=0))
    assert model.flat_parameters() is None
    opt = mc.SGD(model, lr=0.1)  # still trains, parameter by parameter, including the new layer
    before = model.layers[-1].params["W"].copy()
    model.forward(np.random.default_rng(0).standard_normal((4, 6), dtype=np.float32))
    model.backward(np.ones((4, 2), np.float32))
    opt.step()
    assert not np.array_equal(before, model.layers[-1].params["W"])


def test_astype_packs_the_converted_parameters_again():
    model = small_mlp().astype(np.float64)
    theta, grad_theta = model.flat_parameters()
    assert theta.dtype == grad_theta.dtype == np.float64
    assert all(np.shares_memory(p, theta) for _, p, _ in model.named_parameters())


@pytest.mark.parametrize("make_opt, kw", OPTIMIZERS + [(mc.Adam, {"lr": 0.01, "weight_decay": 0.1})],
                         ids=IDS + ["adam_weight_decay"])
def test_a_step_keeps_at_most_one_parameter_sized_temporary_alive(make_opt, kw):
    # Two or more live temporaries the size of all parameters made glibc unmap and remap memory
    # at every step (about 430 page faults per step for Adam); the updates use reused work arrays.
    model = mc.mlp([300, 200, 10], seed=0)
    opt = make_opt(model, **kw)
    theta, grad_theta = model.flat_parameters()
    grad_theta[...] = np.random.default_rng(0).standard_normal(grad_theta.shape, dtype=np.float32)
    opt.step()  # the first step creates the state and the work arrays
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        opt.step()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * theta.nbytes, f"{peak} bytes at the peak of a step, parameters are {theta.nbytes}"
