"""Optimisers: update every parameter from its gradient, parameter by parameter, by name.

An optimiser is built on anything with ``named_parameters()`` returning (name, param, grad)
triples, usually a Sequential model. ``step()`` updates the parameters in place. Per-parameter
state (velocities, moment estimates) lives in ``self.state[name]`` and the step counter in
``self.t``; ``state_dict()`` / ``load_state_dict()`` let a checkpoint carry both.
"""
import math

import numpy as np


def clip_grad_norm(named_parameters, max_norm):
    """Scale all gradients in place so that their global L2 norm is at most ``max_norm``.

    ``named_parameters`` is a list of (name, param, grad) as ``Sequential.named_parameters()``
    gives. Returns the norm before clipping. The direction of the overall gradient is kept.
    Above ``max_norm`` every gradient is multiplied by max_norm / (norm + 1e-12), the 1e-12
    only guarding the division. PyTorch's ``torch.nn.utils.clip_grad_norm_`` divides by
    norm + 1e-6 instead (and multiplies by min(1, that factor) at every call), so its clipped
    gradients are smaller than these by a relative 1e-6 / norm: compare the two to about
    1e-6, not bit for bit.
    """
    grads = [g for _, _, g in named_parameters]
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    if norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for g in grads:
            g *= scale
    return norm


def _check_positive(name, value, hint=""):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}.{hint}")
    return float(value)  # a Python float keeps float32 arrays float32 (a np.float64 would promote them)


class Optimizer:
    """Shared machinery: learning rate, L2 weight decay, gradient clipping, the step counter.

    weight_decay adds ``weight_decay * W`` to the gradient of every weight matrix (parameters
    with 2 or more dimensions; biases and batch-norm scales are not decayed) before the update:
    L2 regularisation, which AdamW replaces by a decoupled decay (``apply_weight_decay``).
    clip_norm, if set, rescales the gradients to that global norm first.
    """

    defaults = {}

    def __init__(self, model, lr, weight_decay=0.0, clip_norm=None, **hyper):
        if not hasattr(model, "named_parameters"):
            raise TypeError(f"An optimiser needs a model with named_parameters(), got {type(model).__name__}.")
        self.model = model
        self.lr = _check_positive("Learning rate lr", lr, " Typical values: 0.01-0.5 for SGD, 1e-3 for Adam.")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}.")
        self.weight_decay = float(weight_decay)
        self.clip_norm = None if clip_norm is None else _check_positive("clip_norm", clip_norm)
        self.hyper = {k: float(hyper.get(k, v)) for k, v in self.defaults.items()}
        unknown = set(hyper) - set(self.defaults)
        if unknown:
            raise TypeError(f"{type(self).__name__} got unknown settings {sorted(unknown)}; it accepts {sorted(self.defaults)}.")
        self.t = 0
        self.state = {}
        self._work = {}

    def step(self):
        """Apply one update to every parameter, using the gradients left by backward()."""
        self.t += 1
        params = self.model.named_parameters()
        if self.clip_norm is not None:
            clip_grad_norm(params, self.clip_norm)
        for name, param, grad in params:
            if self.weight_decay and param.ndim >= 2:
                grad = self.apply_weight_decay(param, grad)
            self.update(name, param, grad, self.state.setdefault(name, {}))

    def apply_weight_decay(self, param, grad):
        """L2 regularisation: the gradient of (weight_decay / 2) * ||W||**2 added to grad."""
        decayed = np.multiply(param, self.weight_decay, out=self._work_array(param, "decayed"))
        decayed += grad  # grad + weight_decay * param
        return decayed

    def update(self, name, param, grad, state):
        raise NotImplementedError

    def _work_array(self, like, purpose="step"):
        """Scratch space shaped like ``like``, made once and reused by every step (never saved).

        Fresh temporaries the size of a large parameter, two alive at once, can make the C
        allocator hand their memory back to the system after each step and fault it in again
        on the next (hundreds of page faults per step).
        """
        key = (purpose, like.shape, like.dtype)
        if key not in self._work:
            self._work[key] = np.empty_like(like)
        return self._work[key]

    def _scaled_step(self, grad, s, param):
        """lr * grad / (sqrt(s) + eps), Adagrad's and RMSProp's step, in two reused work arrays."""
        numerator = np.multiply(grad, self.lr, out=self._work_array(param, "numerator"))
        denom = np.sqrt(s, out=self._work_array(param))
        denom += self.hyper["eps"]
        return np.divide(numerator, denom, out=denom)

    def _buffer(self, state, key, like):
        if key not in state:
            state[key] = np.zeros_like(like)
        return state[key]

    # -- checkpoints --------------------------------------------------------------------
    def config(self):
        return {"type": type(self).__name__, "lr": self.lr, "weight_decay": self.weight_decay,
                "clip_norm": self.clip_norm, **self.hyper}

    def state_dict(self):
        """{"config": JSON-ready settings and step counter, "arrays": {"<param>/<key>": array}}."""
        arrays = {f"{name}/{key}": value for name, table in self.state.items() for key, value in table.items()}
        return {"config": {**self.config(), "t": self.t}, "arrays": arrays}

    def load_state_dict(self, state_dict):
        """Restore what state_dict() returned; the optimiser type and parameter names must match."""
        config = state_dict["config"]
        if config.get("type") != type(self).__name__:
            raise ValueError(f"Saved optimiser state is for {config.get('type')}, not {type(self).__name__}.")
        names = {name: param for name, param, _ in self.model.named_parameters()}
        state = {}
        for key, value in state_dict["arrays"].items():
            name, _, slot = key.rpartition("/")
            if name not in names or names[name].shape != value.shape:
                raise ValueError(f"Saved optimiser state {key!r} of shape {value.shape} does not fit this model.")
            state.setdefault(name, {})[slot] = value.astype(names[name].dtype)
        self.state, self.t = state, int(config["t"])
        self.lr, self.weight_decay, self.clip_norm = config["lr"], config["weight_decay"], config["clip_norm"]
        self.hyper = {k: float(config[k]) for k in self.defaults}


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (and Nesterov momentum).

    Plain:     W <- W - lr * g
    Momentum:  v <- mu * v + g;  W <- W - lr * v
    Nesterov:  v <- mu * v + g;  W <- W - lr * (g + mu * v)
    (the velocity form of Sutskever et al. 2013, as in PyTorch.)
    """

    defaults = {"momentum": 0.0}

    def __init__(self, model, lr=0.1, momentum=0.0, nesterov=False, **kw):
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}.")
        if nesterov and momentum == 0:
            raise ValueError("Nesterov momentum needs momentum > 0, e.g. SGD(model, lr, momentum=0.9, nesterov=True).")
        super().__init__(model, lr, momentum=momentum, **kw)
        self.nesterov = bool(nesterov)

    def config(self):
        return {**super().config(), "nesterov": self.nesterov}

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self.nesterov = bool(state_dict["config"]["nesterov"])

    def update(self, name, param, grad, state):
        mu = self.hyper["momentum"]
        if mu == 0:
            param -= self.lr * grad
            return
        v = self._buffer(state, "velocity", param)
        v *= mu
        v += grad
        direction = v
        if self.nesterov:  # grad + mu * v, built in a reused array (see _work_array)
            direction = np.multiply(v, mu, out=self._work_array(param))
            direction += grad
        param -= self.lr * direction


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011): s <- s + g**2;  W <- W - lr * g / (sqrt(s) + eps)."""

    defaults = {"eps": 1e-10}

    def __init__(self, model, lr=0.01, eps=1e-10, **kw):
        super().__init__(model, lr, eps=eps, **kw)

    def update(self, name, param, grad, state):
        s = self._buffer(state, "sum_sq", param)
        s += np.square(grad, out=self._work_array(param))
        param -= self._scaled_step(grad, s, param)


class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton 2012): s <- rho * s + (1 - rho) * g**2;  W <- W - lr * g / (sqrt(s) + eps)."""

    defaults = {"rho": 0.9, "eps": 1e-8}

    def __init__(self, model, lr=1e-3, rho=0.9, eps=1e-8, **kw):
        super().__init__(model, lr, rho=rho, eps=eps, **kw)

    def update(self, name, param, grad, state):
        rho = self.hyper["rho"]
        s = self._buffer(state, "mean_sq", param)
        s *= rho
        grad_sq = np.multiply(grad, 1 - rho, out=self._work_array(param))
        grad_sq *= grad  # (1 - rho) * g**2
        s += grad_sq
        param -= self._scaled_step(grad, s, param)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction from the step counter t (1 on the first step).

    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g**2
    m_hat = m / (1 - b1**t);  v_hat = v / (1 - b2**t);  W <- W - lr * m_hat / (sqrt(v_hat) + eps)
    On the first step m_hat = g and v_hat = g**2, so the update is lr * sign(g) (up to eps).
    """

    defaults = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

    def __init__(self, model, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, **kw):
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= b < 1:
                raise ValueError(f"Adam {name} must be in [0, 1), got {b}.")
        super().__init__(model, lr, beta1=beta1, beta2=beta2, eps=eps, **kw)

    def update(self, name, param, grad, state):
        b1, b2, eps, t = self.hyper["beta1"], self.hyper["beta2"], self.hyper["eps"], self.t
        m, v = self._buffer(state, "m", param), self._buffer(state, "v", param)
        work = self._work_array(param)  # scratch space, reused: no new array per step
        m *= b1
        m += np.multiply(grad, 1 - b1, out=work)
        v *= b2
        v += np.multiply(np.square(grad, out=work), 1 - b2, out=work)
        # The bias corrections folded into two scalars, exactly (eps is scaled too; Kingma & Ba's
        # folding, end of section 2, keeps eps unscaled and is only approximately the same):
        # lr * m_hat / (sqrt(v_hat) + eps) == step * m / (sqrt(v) + eps * sqrt(1 - b2**t)).
        c2 = math.sqrt(1 - b2 ** t)
        step = self.lr * c2 / (1 - b1 ** t)
        denom = np.sqrt(v, out=work)
        denom += eps * c2
        np.divide(m, denom, out=denom)
        denom *= step
        param -= denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), as in PyTorch's AdamW.

    Every weight matrix first shrinks, W <- (1 - lr * weight_decay) * W, then takes Adam's step
    with the raw gradient: the decay never enters m and v, so every weight decays at the same
    rate, lr * weight_decay per step, whatever the size of its gradient. (Adam(weight_decay=...)
    adds weight_decay * W to the gradient instead: L2 regularisation, rescaled by 1 / sqrt(v_hat).)
    The decay follows lr, so a schedule lowers both together. Biases are not decayed.
    """

    def __init__(self, model, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01, **kw):
        super().__init__(model, lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, **kw)

    def apply_weight_decay(self, param, grad):
        """W <- (1 - lr * weight_decay) * W, in place, from the weights before this step; grad is unchanged."""
        param *= 1 - self.lr * self.weight_decay
        return grad


OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSProp, "adam": Adam, "adamw": AdamW}
