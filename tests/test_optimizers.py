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
