import math
import tracemalloc

import numpy as np
import pytest

import mlp_core as mc


class Toy:
    """One parameter vector with a gradient we set by hand."""

    def __init__(self, w, g):
        self.w, self.g = np.array(w, dtype=np.float64), np.array(g, dtype=np.float64)

    def named_parameters(self):
        return [("0.W", self.w, self.g)]


def run(opt_cls, steps, grads, **kw):
    toy = Toy([1.0, -2.0, 0.5], grads[0])
    opt = opt_cls(toy, **kw)
    out = []
    for g in grads[:steps]:
        toy.g[...] = g
        opt.step()
        out.append(toy.w.copy())
    return out


G1, G2 = np.array([0.5, -1.0, 2.0]), np.array([1.0, 1.0, -1.0])
W0 = np.array([1.0, -2.0, 0.5])


def test_sgd():
    w1, w2 = run(mc.SGD, 2, [G1, G2], lr=0.1)
    np.testing.assert_allclose(w1, W0 - 0.1 * G1)
    np.testing.assert_allclose(w2, W0 - 0.1 * G1 - 0.1 * G2)


def test_momentum():
    w1, w2 = run(mc.SGD, 2, [G1, G2], lr=0.1, momentum=0.9)
    v1 = G1
    v2 = 0.9 * v1 + G2
    np.testing.assert_allclose(w1, W0 - 0.1 * v1)
    np.testing.assert_allclose(w2, W0 - 0.1 * v1 - 0.1 * v2)


def test_nesterov():
    w1, w2 = run(mc.SGD, 2, [G1, G2], lr=0.1, momentum=0.9, nesterov=True)
    v1 = G1
    v2 = 0.9 * v1 + G2
    np.testing.assert_allclose(w1, W0 - 0.1 * (G1 + 0.9 * v1))
    np.testing.assert_allclose(w2, w1 - 0.1 * (G2 + 0.9 * v2))


def test_adagrad():
    w1, w2 = run(mc.Adagrad, 2, [G1, G2], lr=0.1, eps=0.0)
    np.testing.assert_allclose(w1, W0 - 0.1 * np.sign(G1))
    np.testing.assert_allclose(w2, w1 - 0.1 * G2 / np.sqrt(G1 ** 2 + G2 ** 2))


def test_rmsprop():
    w1, = run(mc.RMSProp, 1, [G1], lr=0.01, rho=0.9, eps=0.0)
    np.testing.assert_allclose(w1, W0 - 0.01 * G1 / np.sqrt(0.1 * G1 ** 2))


def test_adam_first_step_is_lr_times_sign_and_second_uses_bias_correction():
    w1, w2 = run(mc.Adam, 2, [G1, G2], lr=0.01)
    np.testing.assert_allclose(w1, W0 - 0.01 * np.sign(G1), rtol=1e-7)
    m = 0.1 * 0.9 * G1 + 0.1 * G2
    v = 0.001 * 0.999 * G1 ** 2 + 0.001 * G2 ** 2
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    np.testing.assert_allclose(w2, w1 - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-10)


def test_weight_decay_applies_to_matrices_only():
    W, b = np.ones((2, 2)), np.ones(2)
    gW, gb = np.zeros((2, 2)), np.zeros(2)

    class Two:
        def named_parameters(self):
            return [("0.W", W, gW), ("0.b", b, gb)]

    mc.SGD(Two(), lr=0.5, weight_decay=0.1).step()
    np.testing.assert_allclose(W, 1 - 0.5 * 0.1)
    np.testing.assert_allclose(b, 1.0)


def test_clip_grad_norm_rescales_to_the_global_norm():
    toy = Toy([0.0, 0.0, 0.0], [3.0, 4.0, 0.0])
    norm = mc.clip_grad_norm(toy.named_parameters(), 1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(toy.g, [0.6, 0.8, 0.0])
    w1, = run(mc.SGD, 1, [np.array([3.0, 4.0, 0.0])], lr=1.0, clip_norm=1.0)
    np.testing.assert_allclose(w1, W0 - [0.6, 0.8, 0.0])


def test_clip_grad_norm_documents_its_epsilon_next_to_pytorchs():
    # Learners compare with torch.nn.utils.clip_grad_norm_, which divides by norm + 1e-6.
    doc = " ".join(mc.clip_grad_norm.__doc__.split())
    assert "norm + 1e-12" in doc and "PyTorch" in doc and "norm + 1e-6" in doc
    toy = Toy([0.0, 0.0], [3e-6, 4e-6])  # a tiny norm, 5e-6, where the two epsilons differ most
    mc.clip_grad_norm(toy.named_parameters(), 1e-6)
    np.testing.assert_allclose(toy.g, np.array([3e-6, 4e-6]) * (1e-6 / (5e-6 + 1e-12)), rtol=1e-15)
    assert not np.allclose(toy.g, np.array([3e-6, 4e-6]) * (1e-6 / (5e-6 + 1e-6)), rtol=1e-3)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
def test_non_positive_learning_rate_is_refused(lr):
    with pytest.raises(ValueError, match="Learning rate lr must be a positive number"):
        mc.SGD(Toy([0.0], [0.0]), lr=lr)


def test_optimizer_keeps_float32_parameters_float32():
    model = mc.mlp([4, 3, 2], seed=0)
    opt = mc.Adam(model, lr=np.float64(1e-3), weight_decay=np.float64(1e-4))
    X = np.ones((5, 4), np.float32)
    loss = mc.SoftmaxCrossEntropy()
    loss(model.forward(X), np.array([0, 1, 0, 1, 0]))
    model.backward(loss.backward())
    opt.step()
    for name, p, g in model.named_parameters():
        assert p.dtype == g.dtype == np.float32, name
    assert all(a.dtype == np.float32 for table in opt.state.values() for a in table.values())


def reference_step(kind, hyper, lr, t, param, grad, state):
    """The update rules written as plain NumPy expressions, one temporary array after another."""
    if kind == "sgd":
        mu, nesterov = hyper
        if mu == 0:
            param -= lr * grad
            return
        v = state.setdefault("velocity", np.zeros_like(param))
        v *= mu
        v += grad
        param -= lr * (grad + mu * v if nesterov else v)
    elif kind == "adagrad":
        s = state.setdefault("sum_sq", np.zeros_like(param))
        s += grad * grad
        param -= lr * grad / (np.sqrt(s) + 1e-10)
    elif kind == "rmsprop":
        s = state.setdefault("mean_sq", np.zeros_like(param))
        s *= 0.9
        s += (1 - 0.9) * grad * grad
        param -= lr * grad / (np.sqrt(s) + 1e-8)
    else:
        b1, b2, eps = 0.9, 0.999, 1e-8
        m, v = state.setdefault("m", np.zeros_like(param)), state.setdefault("v", np.zeros_like(param))
        m *= b1
        m += (1 - b1) * grad
        v *= b2
        v += (1 - b2) * (grad * grad)
        c2 = math.sqrt(1 - b2 ** t)
        denom = np.sqrt(v) + eps * c2
        param -= (lr * c2 / (1 - b1 ** t)) * (m / denom)


CASES = [("sgd", mc.SGD, {"momentum": 0.0}, (0.0, False)), ("sgd", mc.SGD, {"momentum": 0.9}, (0.9, False)),
         ("sgd", mc.SGD, {"momentum": 0.9, "nesterov": True}, (0.9, True)), ("adagrad", mc.Adagrad, {}, None),
         ("rmsprop", mc.RMSProp, {}, None), ("adam", mc.Adam, {}, None)]
CASE_IDS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


@pytest.mark.parametrize("kind, make_opt, kw, hyper", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_work_arrays_give_the_textbook_expressions_bit_for_bit(kind, make_opt, kw, hyper, weight_decay):
    rng = np.random.default_rng(0)
    model = mc.mlp([5, 4, 3], seed=0)
    opt = make_opt(model, lr=0.05, weight_decay=weight_decay, **kw)
    copies = {name: p.copy() for name, p, _ in model.named_parameters()}
    states = {name: {} for name in copies}
    for t in range(1, 5):
        for name, p, g in model.named_parameters():
            g[...] = rng.standard_normal(g.shape, dtype=np.float32)
        opt.step()
        for name, _, g in model.named_parameters():
            grad = g + weight_decay * copies[name] if weight_decay and g.ndim >= 2 else g
            reference_step(kind, hyper, 0.05, t, copies[name], grad, states[name])
    for name, p, _ in model.named_parameters():
        np.testing.assert_array_equal(p, copies[name], err_msg=name)


@pytest.mark.parametrize("kind, make_opt, kw, hyper", CASES, ids=CASE_IDS)
def test_a_step_keeps_at_most_one_parameter_sized_temporary_alive(kind, make_opt, kw, hyper):
    # Two live temporaries the size of W made glibc return and re-fault their memory at every
    # step (hundreds of page faults per step for Adam); the updates write into reused work arrays.
    model = mc.mlp([300, 200, 10], seed=0)
    opt = make_opt(model, lr=0.01, weight_decay=0.1, **kw)
    for _, _, g in model.named_parameters():
        g[...] = np.random.default_rng(0).standard_normal(g.shape, dtype=np.float32)
    opt.step()  # the first step creates the state and the work arrays
    largest = max(p.nbytes for _, p, _ in model.named_parameters())
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        opt.step()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * largest, f"{peak} bytes at the peak of a step; the largest parameter has {largest}"


# -- AdamW: decoupled weight decay ----------------------------------------------------------------

class Matrix:
    """A weight matrix (decayed) and a bias (not decayed), with gradients set by hand, in float64."""

    def __init__(self):
        self.W, self.b = np.array([[1.0, -2.0], [0.5, 4.0]]), np.array([1.0, -1.0])
        self.gW, self.gb = np.zeros((2, 2)), np.zeros(2)

    def named_parameters(self):
        return [("0.W", self.W, self.gW), ("0.b", self.b, self.gb)]


def test_adamw_steps_match_hand_computed_values():
    toy, lr, wd, b1, b2, eps = Matrix(), 0.1, 0.5, 0.9, 0.999, 1e-8
    W0, b0 = toy.W.copy(), toy.b.copy()
    g1, g2 = np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0], [-1.0, 3.0]])
    opt = mc.AdamW(toy, lr=lr, weight_decay=wd)
    toy.gW[...], toy.gb[...] = g1, [0.5, -0.5]
    opt.step()
    # Step 1: shrink by 1 - lr * wd = 0.95, then Adam's first step lr * sign(g) (0 where g = 0).
    W1 = 0.95 * W0 - lr * g1 / (np.abs(g1) + eps)
    np.testing.assert_allclose(toy.W, W1, rtol=1e-12)
    np.testing.assert_allclose(toy.b, b0 - lr * np.array([0.5, -0.5]) / (0.5 + eps), rtol=1e-12)  # no decay
    toy.gW[...] = g2
    opt.step()
    m = (1 - b1) * (b1 * g1 + g2)
    v = (1 - b2) * (b2 * g1 ** 2 + g2 ** 2)
    m_hat, v_hat = m / (1 - b1 ** 2), v / (1 - b2 ** 2)
    W2 = 0.95 * W1 - lr * m_hat / (np.sqrt(v_hat) + eps)
    np.testing.assert_allclose(toy.W, W2, rtol=1e-12)
    # Adam with weight_decay would put 0.5 * W into the gradient and into m and v: another step.
    l2 = Matrix()
    l2_opt = mc.Adam(l2, lr=lr, weight_decay=wd)
    for g in (g1, g2):
        l2.gW[...] = g
        l2_opt.step()
    assert np.abs(l2.W - toy.W).max() > 0.05


def test_adamw_moments_see_the_raw_gradient_only():
    toy = Matrix()
    opt = mc.AdamW(toy, lr=0.1, weight_decay=0.5)
    toy.gW[...] = [[0.5, -1.0], [2.0, 0.0]]
    opt.step()
    np.testing.assert_allclose(opt.state["0.W"]["m"], 0.1 * toy.gW, rtol=1e-12)
    np.testing.assert_allclose(opt.state["0.W"]["v"], 0.001 * toy.gW ** 2, rtol=1e-12)


def test_adamw_without_decay_is_adam_bit_for_bit():
    rng = np.random.default_rng(0)
    a, b = mc.mlp([5, 4, 3], seed=0), mc.mlp([5, 4, 3], seed=0)
    opt_a, opt_b = mc.Adam(a, lr=0.01), mc.AdamW(b, lr=0.01, weight_decay=0.0)
    for _ in range(3):
        for (_, _, ga), (_, _, gb) in zip(a.named_parameters(), b.named_parameters()):
            ga[...] = gb[...] = rng.standard_normal(ga.shape, dtype=np.float32)
        opt_a.step()
        opt_b.step()
    for (name, pa, _), (_, pb, _) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(pa, pb, err_msg=name)


def test_adamw_decays_every_weight_at_the_same_rate_whatever_its_gradient_scale():
    # Zero-mean gradient noise of scales 0.01, 1 and 100 in three columns: AdamW shrinks the
    # mean weight of each by (1 - lr * wd) per step; Adam's L2 term is divided by sqrt(v_hat).
    rng = np.random.default_rng(0)
    scales = np.array([0.01, 1.0, 100.0])

    def final_means(make):
        toy = Toy(np.ones(3), np.zeros(3))
        toy.w, toy.g = np.ones((4000, 3)), np.zeros((4000, 3))
        opt = make(toy)
        for _ in range(300):
            toy.g[...] = rng.standard_normal((4000, 3)) * scales
            opt.step()
        return toy.w.mean(axis=0)

    decoupled = final_means(lambda toy: mc.AdamW(toy, lr=1e-2, weight_decay=0.1))
    np.testing.assert_allclose(decoupled, (1 - 1e-3) ** 300, atol=0.01)  # 0.74
    coupled = final_means(lambda toy: mc.Adam(toy, lr=1e-2, weight_decay=0.1))
    assert abs(coupled[0]) < 0.05 and abs(coupled[1] - decoupled[1]) < 0.05 and coupled[2] > 0.97, coupled


def test_adamw_is_registered_saved_and_float32():
    assert mc.optimizers.OPTIMIZERS["adamw"] is mc.AdamW
    model = mc.mlp([4, 3, 2], seed=0)
    opt = mc.AdamW(model, lr=np.float64(1e-3), weight_decay=np.float64(0.1))
    for _, _, g in model.named_parameters():
        g[...] = 1
    opt.step()
    assert all(p.dtype == np.float32 for _, p, _ in model.named_parameters())
    config = opt.state_dict()["config"]
    assert config["type"] == "AdamW" and config["weight_decay"] == 0.1
    other = mc.AdamW(mc.mlp([4, 3, 2], seed=1), lr=1e-2)
    other.load_state_dict(opt.state_dict())
    assert other.weight_decay == 0.1 and other.t == 1


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_adamw_work_arrays_give_the_textbook_expressions_bit_for_bit(weight_decay):
    rng = np.random.default_rng(0)
    model = mc.mlp([5, 4, 3], seed=0)
    opt = mc.AdamW(model, lr=0.05, weight_decay=weight_decay)
    copies = {name: p.copy() for name, p, _ in model.named_parameters()}
    states = {name: {} for name in copies}
    for t in range(1, 5):
        for name, p, g in model.named_parameters():
            g[...] = rng.standard_normal(g.shape, dtype=np.float32)
        opt.step()
        for name, _, g in model.named_parameters():
            if weight_decay and g.ndim >= 2:
                copies[name] *= 1 - 0.05 * weight_decay
            reference_step("adam", None, 0.05, t, copies[name], g, states[name])
    for name, p, _ in model.named_parameters():
        np.testing.assert_array_equal(p, copies[name], err_msg=name)
