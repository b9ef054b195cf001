"""The optimizers step by step against their formulas in NumPy, on every device.

The oracles below do MindSpore's operations in the same order in the parameter's dtype, with the scalars rounded to
float32 where MindSpore stores them so (learning rates, weight decay, betas, eps), so the kernels must match them bit
for bit on both devices; a float64 run of the same formulas bounds the float32 rounding, and torch.optim checks the
formulas themselves where they coincide (SGD, Momentum, Adam).
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minispore.dtype as mstype
from minispore import Parameter, Tensor, nn
from minispore.kernels import _parallel


def _f32(x, t):
    return t(np.float32(x))  # a scalar as MindSpore stores it (float32), in the work dtype t


# --- oracles: one optimizer's steps over the NumPy array w (new arrays, w untouched) ---------------------------
def _decayed(w, g, decay, scale):
    t = w.dtype.type
    if decay != 0:
        g = w * _f32(decay, t) + g
    return g * _f32(scale, t)


def sgd_oracle(w, grads, lrs, momentum=0.0, dampening=0.0, decay=0.0, nesterov=False, scale=1.0):
    t = w.dtype.type
    accum = None
    for g, lr in zip(grads, lrs):
        g = _decayed(w, g, decay, scale)
        d = g
        if momentum > 0:
            mu = _f32(momentum, t)
            accum = g if accum is None else accum * mu + (t(1) - _f32(dampening, t)) * g
            d = g + accum * mu if nesterov else accum
        w = w - _f32(lr, t) * d
    return w


def momentum_oracle(w, grads, lrs, momentum, decay=0.0, nesterov=False, scale=1.0):
    t = w.dtype.type
    accum = np.zeros_like(w)
    mu = _f32(momentum, t)
    for g, lr in zip(grads, lrs):
        g = _decayed(w, g, decay, scale)
        accum = accum * mu + g
        lr = _f32(lr, t)
        w = w - (g * lr + accum * mu * lr) if nesterov else w - lr * accum
    return w, accum


def adam_oracle(w, grads, lrs, beta1=0.9, beta2=0.999, eps=1e-8, decay=0.0, nesterov=False, amsgrad=False,
                scale=1.0):
    t = w.dtype.type
    m, v, vhat = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    b1, b2 = _f32(beta1, t), _f32(beta2, t)
    b1p = b2p = np.float32(1)
    for g, lr in zip(grads, lrs):
        b1p, b2p = b1p * np.float32(beta1), b2p * np.float32(beta2)  # float32 Parameters in MindSpore
        lr_t = _f32(lr, t) * np.sqrt(t(1) - t(b2p)) / (t(1) - t(b1p))
        g = _decayed(w, g, decay, scale)
        m = b1 * m + (t(1) - b1) * g
        v = b2 * v + (t(1) - b2) * (g * g)
        vhat = np.maximum(vhat, v)
        u = b1 * m + (t(1) - b1) * g if nesterov else m
        w = w - lr_t * (u / (np.sqrt(vhat if amsgrad else v) + _f32(eps, t)))
    return w, m, v


def adam_weight_decay_oracle(w, grads, lrs, beta1=0.9, beta2=0.999, eps=1e-6, decay=0.0):
    t = w.dtype.type
    m, v = np.zeros_like(w), np.zeros_like(w)
    b1, b2 = _f32(beta1, t), _f32(beta2, t)
    for g, lr in zip(grads, lrs):
        m = b1 * m + (t(1) - b1) * g
        v = b2 * v + (t(1) - b2) * (g * g)
        u = m / (np.sqrt(v) + _f32(eps, t))
        if decay != 0:
            u = u + _f32(decay, t) * w
        w = w - _f32(lr, t) * u
    return w, m, v


def _data(shape, dtype, steps, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape).astype(dtype)
    return w, [rng.standard_normal(shape).astype(dtype) for _ in range(steps)]


def _train(make, w, grads, name="w"):
    """The parameter (a copy of w) after one optimizer step per gradient, and the optimizer."""
    param = Parameter(Tensor(w), name=name)
    optim = make([param])
    for g in grads:
        assert optim((Tensor(g),)) == (True,)
    return param, optim


_CASES = {
    "SGD": [dict(), dict(momentum=0.9), dict(momentum=0.9, dampening=0.3), dict(momentum=0.8, nesterov=True),
            dict(momentum=0.0, dampening=0.5), dict(momentum=0.9, weight_decay=0.01, loss_scale=4.0)],
    "Momentum": [dict(momentum=0.9), dict(momentum=0.9, use_nesterov=True),
                 dict(momentum=0.5, weight_decay=0.1, loss_scale=2.0)],
    "Adam": [dict(), dict(weight_decay=0.1), dict(use_nesterov=True), dict(use_amsgrad=True),
             dict(beta1=0.5, beta2=0.9, eps=1e-3, loss_scale=8.0)],
    "AdamWeightDecay": [dict(), dict(weight_decay=0.1), dict(beta1=0.5, beta2=0.9, eps=1e-3, weight_decay=0.01)],
}


def _oracle(kind, w, grads, lrs, kw):
    """The oracle's weights for optimizer `kind` built with keywords `kw`."""
    scale = 1.0 / kw.get("loss_scale", 1.0)
    decay = kw.get("weight_decay", 0.0) * kw.get("loss_scale", 1.0)
    if kind == "SGD":
        return sgd_oracle(w, grads, lrs, kw.get("momentum", 0.0), kw.get("dampening", 0.0), decay,
                          kw.get("nesterov", False), scale)
    if kind == "Momentum":
        return momentum_oracle(w, grads, lrs, kw["momentum"], decay, kw.get("use_nesterov", False), scale)[0]
    if kind == "Adam":
        return adam_oracle(w, grads, lrs, kw.get("beta1", 0.9), kw.get("beta2", 0.999), kw.get("eps", 1e-8), decay,
                           kw.get("use_nesterov", False), kw.get("use_amsgrad", False), scale)[0]
    return adam_weight_decay_oracle(w, grads, lrs, kw.get("beta1", 0.9), kw.get("beta2", 0.999), kw.get("eps", 1e-6),
                                    kw.get("weight_decay", 0.0))[0]


def _make(kind, lr, kw):
    return lambda params: getattr(nn, kind)(params, lr, **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind,kw", [(k, kw) for k, cases in _CASES.items() for kw in cases])
def test_each_optimizer_matches_its_formula_bit_for_bit(device, small, kind, kw, dtype):
    w, grads = _data((3,) if small else (4, 5), dtype, 3)
    param, _ = _train(_make(kind, 0.05, kw), w, grads)
    assert param.dtype == mstype.to_dtype(np.dtype(dtype))
    np.testing.assert_array_equal(param.asnumpy(), _oracle(kind, w, grads, [0.05] * 3, kw))
    if dtype == np.float32:  # the same formulas in float64 bound the float32 rounding
        wide = _oracle(kind, w.astype(np.float64), [g.astype(np.float64) for g in grads], [0.05] * 3, kw)
        np.testing.assert_allclose(param.asnumpy(), wide, rtol=2e-6, atol=2e-7)


def test_sgd_and_momentum_over_shapes_and_arguments(device, small):
    @settings(max_examples=3 if small else 15, deadline=None)
    @given(shape=st.lists(st.integers(1, 2 if small else 5), min_size=0, max_size=2 if small else 3),
           steps=st.integers(1, 4), momentum=st.sampled_from([0.0, 0.5, 0.9]), decay=st.sampled_from([0.0, 1e-2]),
           dampening=st.sampled_from([0.0, 0.25]), lr=st.floats(1e-3, 1.0), seed=st.integers(0, 2 ** 16))
    def run(shape, steps, momentum, decay, dampening, lr, seed):
        w, grads = _data(tuple(shape), np.float32, steps, seed)
        param, _ = _train(_make("SGD", lr, dict(momentum=momentum, dampening=dampening, weight_decay=decay)), w,
                          grads)
        expected = sgd_oracle(w, grads, [lr] * steps, momentum, dampening, decay)
        np.testing.assert_array_equal(param.asnumpy(), expected)
        param, optim = _train(_make("Momentum", lr, dict(momentum=momentum, weight_decay=decay)), w, grads)
        expected, accum = momentum_oracle(w, grads, [lr] * steps, momentum, decay)
        np.testing.assert_array_equal(param.asnumpy(), expected)
        np.testing.assert_array_equal(optim.moments[0].asnumpy(), accum)
    run()


def test_state_is_named_as_mindspore_and_lives_on_the_parameters_device(device):
    w, grads = _data((2, 3), np.float32, 2)
    names = {"SGD": ["global_step", "learning_rate", "net.w", "momentum", "accum.net.w", "stat.net.w"],
             "Momentum": ["global_step", "learning_rate", "net.w", "momentum", "moments.net.w"],
             "Adam": ["global_step", "learning_rate", "net.w", "beta1_power", "beta2_power", "moment1.net.w",
                      "moment2.net.w"],
             "AdamWeightDecay": ["global_step", "learning_rate", "net.w", "adam_m.net.w", "adam_v.net.w"]}
    for kind, expected in names.items():
        param, optim = _train(_make(kind, 0.1, dict(momentum=0.9) if kind == "Momentum" else {}), w, grads,
                              name="net.w")
        assert [p.name for p in optim.get_parameters()] == expected
        assert optim.parameters == (param,) and optim.global_step.asnumpy().tolist() == [2]
        for state in optim.get_parameters():
            if state.name.endswith("net.w"):
                assert state._backend is param._backend and state.shape == param.shape
    adam = _train(_make("Adam", 0.1, dict(use_amsgrad=True)), w, grads)[1]
    assert [p.name for p in adam.get_parameters()][-1] == "vhat.w"
    np.testing.assert_array_equal(adam.beta1_power.asnumpy(), np.float32(0.9) * np.float32(0.9))


def test_parameters_are_updated_in_place(device):
    w, grads = _data((5,), np.float32, 1)
    param = Parameter(Tensor(w), name="w")
    array = param._array()
    nn.Adam([param], 0.1)((Tensor(grads[0]),))
    assert param._array() is array and not np.array_equal(param.asnumpy(), w)


def test_adam_state_and_amsgrad_moments(device):
    w, grads = _data((4,), np.float64, 3)
    param, optim = _train(_make("Adam", 0.01, dict(use_amsgrad=True, weight_decay=0.1)), w, grads)
    expected, m, v = adam_oracle(w, grads, [0.01] * 3, decay=0.1, amsgrad=True)
    np.testing.assert_array_equal(param.asnumpy(), expected)
    np.testing.assert_array_equal(optim.moment1[0].asnumpy(), m)
    np.testing.assert_array_equal(optim.moment2[0].asnumpy(), v)
    assert (optim.vhat[0].asnumpy() >= v).all()


@pytest.mark.parametrize("lr", [0.05, 1, "tensor", "list", "tensor_list"])
def test_learning_rate_as_float_tensor_or_per_step_list(device, lr):
    w, grads = _data((3,), np.float32, 3)
    per_step = [0.3, 0.2, 0.1]
    value = {"tensor": Tensor(0.05, mstype.float32), "list": per_step,
             "tensor_list": Tensor(np.array(per_step, np.float32))}.get(lr, lr)
    lrs = per_step if lr in ("list", "tensor_list") else [float(lr) if lr == 1 else 0.05] * 3
    param, optim = _train(_make("SGD", value, dict(momentum=0.9)), w, grads)
    np.testing.assert_array_equal(param.asnumpy(), sgd_oracle(w, grads, lrs, momentum=0.9))
    assert optim.dynamic_lr == (lr in ("list", "tensor_list"))
    if optim.dynamic_lr:  # the list is spent: MindSpore's Gather refuses the index
        with pytest.raises(RuntimeError, match="global_step"):
            optim((Tensor(grads[0]),))
        assert optim.get_lr_parameter(param).shape == (3,)
    else:
        assert optim.get_lr().asnumpy() == np.float32(lrs[0]) and optim.get_lr().dtype == mstype.float32


def test_weight_decay_skips_beta_and_gamma_unless_grouped(device):
    rng = np.random.default_rng(1)
    names = ["conv.weight", "bn.gamma", "bn.beta", "dense.bias"]
    params = [Parameter(Tensor(rng.standard_normal(3).astype(np.float32)), name=n) for n in names]
    start = [p.asnumpy().copy() for p in params]  # asnumpy may share the data, which the step updates
    grads = [rng.standard_normal(3).astype(np.float32) for _ in names]
    optim = nn.Momentum(params, 0.1, 0.9, weight_decay=0.5)
    assert optim.decay_flags == (True, False, False, True)
    optim(tuple(Tensor(g) for g in grads))
    for p, w, g, flag in zip(params, start, grads, optim.decay_flags):
        np.testing.assert_array_equal(p.asnumpy(), momentum_oracle(w, [g], [0.1], 0.9, 0.5 if flag else 0.0)[0])
    # grouped: each group's weight_decay applies to all its parameters, names ignored
    params = [Parameter(Tensor(w), name=n) for w, n in zip(start, names)]
    optim = nn.Momentum([{"params": params[:2], "weight_decay": 0.5}, {"params": params[2:]}], 0.1, 0.9)
    assert optim.decay_flags == (True, True, False, False)
    optim(tuple(Tensor(g) for g in grads))
    for p, w, g, decay in zip(params, start, grads, (0.5, 0.5, 0.0, 0.0)):
        np.testing.assert_array_equal(p.asnumpy(), momentum_oracle(w, [g], [0.1], 0.9, decay)[0])


def test_parameter_groups_learning_rates_and_order(device):
    rng = np.random.default_rng(2)
    a, b, c = (Parameter(Tensor(rng.standard_normal(2).astype(np.float32)), name=n) for n in "abc")
    start = {p.name: p.asnumpy().copy() for p in (a, b, c)}
    groups = [{"params": [a], "lr": [0.5, 0.25], "weight_decay": 0.1}, {"params": [b, c], "lr": 0.2},
              {"order_params": [c, a, b]}]
    optim = nn.Adam(groups, learning_rate=0.01)
    assert [p.name for p in optim.parameters] == ["c", "a", "b"]
    assert optim.is_group_lr and optim.dynamic_lr
    assert [float(x.asnumpy()) for x in optim.get_lr()] == [np.float32(0.2), 0.5, np.float32(0.2)]
    assert [float(d.asnumpy()) for d in optim.get_weight_decay()] == [0.0, np.float32(0.1), 0.0]
    assert [p.name for p in optim.get_parameters()][:3] == ["global_step", "learning_rate_group_1",  # c's first
                                                            "learning_rate_group_0"]
    steps = [{n: rng.standard_normal(2).astype(np.float32) for n in "abc"} for _ in range(2)]
    for s in steps:
        optim(tuple(Tensor(s[p.name]) for p in optim.parameters))
    for p, lrs, decay in ((a, [0.5, 0.25], 0.1), (b, [0.2] * 2, 0.0), (c, [0.2] * 2, 0.0)):
        expected = adam_oracle(start[p.name], [s[p.name] for s in steps], lrs, decay=decay)[0]
        np.testing.assert_array_equal(p.asnumpy(), expected)
    assert optim.get_lr_parameter([a, b])[1].name == "learning_rate_group_1"


def test_the_kernels_split_by_element_so_the_thread_count_does_not_matter(monkeypatch):
    # the serial and parallel copies of two of the four loops (each parallel compile costs seconds; the loops are
    # the same element-wise shape), over several parallel tasks
    w, grads = _data((3 * 16384 + 5,), np.float32, 2)

    def run():
        return [_train(_make(kind, 0.1, kw), w, grads)[0].asnumpy().tobytes()
                for kind, kw in (("Momentum", dict(momentum=0.9)), ("Adam", dict(weight_decay=0.1)))]

    monkeypatch.setattr(_parallel, "SERIAL_BELOW", 0)
    parallel = run()
    monkeypatch.setattr(_parallel, "SERIAL_BELOW", 1 << 62)
    assert run() == parallel


def test_bad_arguments_raise_clear_errors():
    p = Parameter(Tensor(np.ones(3, np.float32)), name="w")
    bad = [
        (ValueError, "learning_rate", lambda: nn.SGD([p], -0.1)),
        (TypeError, "learning_rate", lambda: nn.SGD([p], "0.1")),
        (TypeError, "learning_rate", lambda: nn.SGD([p], True)),
        (ValueError, "learning_rate", lambda: nn.SGD([p], Tensor(np.ones((2, 2), np.float32)))),
        (ValueError, "learning_rate", lambda: nn.SGD([p], [])),
        (ValueError, "parameters", lambda: nn.SGD(None)),
        (ValueError, "parameters", lambda: nn.SGD([])),
        (TypeError, "parameters", lambda: nn.SGD(3)),
        (TypeError, "parameters", lambda: nn.SGD([p, 2])),
        (TypeError, "parameters", lambda: nn.SGD([p, {"params": [p]}])),
        (TypeError, "parameters", lambda: nn.SGD([Parameter(Tensor(np.ones(2, np.int32)), name="i")])),
        (ValueError, "weight_decay", lambda: nn.SGD([p], weight_decay=-1.0)),
        (TypeError, "weight_decay", lambda: nn.SGD([p], weight_decay="x")),
        (ValueError, "loss_scale", lambda: nn.SGD([p], loss_scale=0.0)),
        (TypeError, "momentum", lambda: nn.Momentum([p], 0.1, 1)),
        (ValueError, "momentum", lambda: nn.Momentum([p], 0.1, -0.5)),
        (ValueError, "momentum", lambda: nn.SGD([p], momentum=-1.0)),
        (ValueError, "nesterov", lambda: nn.SGD([p], nesterov=True)),
        (ValueError, "nesterov", lambda: nn.SGD([p], momentum=0.9, dampening=0.1, nesterov=True)),
        (TypeError, "use_nesterov", lambda: nn.Momentum([p], 0.1, 0.9, use_nesterov=1)),
        (ValueError, "beta1", lambda: nn.Adam([p], beta1=1.0)),
        (TypeError, "beta2", lambda: nn.Adam([p], beta2=0)),
        (ValueError, "eps", lambda: nn.AdamWeightDecay([p], eps=0.0)),
        (ValueError, "use_amsgrad", lambda: nn.Adam([p], use_amsgrad=True, use_lazy=True)),
        (KeyError, "use_lazy", lambda: nn.Adam([p], foo=True)),
        (KeyError, "keys", lambda: nn.SGD([{"params": [p], "momentum": 0.1}])),
        (ValueError, "once", lambda: nn.SGD([{"params": [p]}, {"params": [p]}])),
        (ValueError, "order_params", lambda: nn.SGD([{"params": [p]}, {"order_params": []}])),
        (ValueError, "same length", lambda: nn.SGD([{"params": [p], "lr": [0.1, 0.2]},
                                                    {"params": [Parameter(Tensor(1.0), name="q")], "lr": [0.1]}])),
    ]
    for error, word, make in bad:
        with pytest.raises(error, match=word):
            make()
    with pytest.raises(ValueError, match="For 'Optimizer'|For 'SGD'"):  # the template, with the API's name
        nn.SGD([p], -1)


def test_bad_gradients_raise_clear_errors(device):
    p = Parameter(Tensor(np.ones((2, 3), np.float32)), name="w")
    optim = nn.SGD([p], 0.1, momentum=0.9)
    good = Tensor(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"For 'SGD', the 'gradients' must be a tuple of 1 Tensors.*got 2"):
        optim((good, good))
    with pytest.raises(ValueError, match="shape"):
        optim((Tensor(np.ones(6, np.float32)),))
    with pytest.raises(TypeError, match="dtype"):
        optim((Tensor(np.ones((2, 3), np.float64)),))
    with pytest.raises(TypeError, match="Tensors"):
        optim(good)
    with pytest.raises(TypeError, match="Tensors"):
        optim((np.ones((2, 3), np.float32),))
    assert optim.global_step.asnumpy().tolist() == [0]  # nothing happened
    np.testing.assert_array_equal(p.asnumpy(), np.ones((2, 3), np.float32))


def test_against_torch_where_the_formulas_coincide():
    torch = pytest.importorskip("torch")
    w, grads = _data((3, 4), np.float64, 4, seed=5)
    cases = [("SGD", dict(momentum=0.9, dampening=0.2, weight_decay=0.01), torch.optim.SGD,
              dict(momentum=0.9, dampening=0.2, weight_decay=0.01)),
             ("SGD", dict(momentum=0.9, nesterov=True), torch.optim.SGD, dict(momentum=0.9, nesterov=True)),
             ("Momentum", dict(momentum=0.9, use_nesterov=True), torch.optim.SGD, dict(momentum=0.9, nesterov=True)),
             ("Adam", dict(weight_decay=0.01), torch.optim.Adam, dict(weight_decay=0.01)),
             ("Adam", dict(use_amsgrad=True), torch.optim.Adam, dict(amsgrad=True))]
    for kind, kw, torch_optim, torch_kw in cases:
        ours = _train(_make(kind, 0.01, kw), w, grads)[0].asnumpy()
        t = torch.tensor(w, requires_grad=True)
        torch_kw = {k: float(np.float32(v)) if isinstance(v, float) else v for k, v in torch_kw.items()}
        if kind == "Adam":  # the scalars as MindSpore stores them
            torch_kw.update(betas=(float(np.float32(0.9)), float(np.float32(0.999))), eps=float(np.float32(1e-8)))
        opt = torch_optim([t], lr=float(np.float32(0.01)), **torch_kw)
        for g in grads:
            t.grad = torch.tensor(g)
            opt.step()
        # Adam: MindSpore's beta powers are float32 (1 - beta2^t is then good to ~1e-5 early on), and torch adds eps
        # to sqrt(v) / sqrt(1 - beta2^t), MindSpore to sqrt(v)
        np.testing.assert_allclose(ours, t.detach().numpy(), rtol=1e-4 if kind == "Adam" else 1e-12, atol=1e-12,
                                   err_msg=f"{kind} {kw}")


@pytest.mark.parametrize("kind,kw,lr", [("SGD", dict(momentum=0.9), 0.05), ("Momentum", dict(momentum=0.9), 0.05),
                                        ("Adam", {}, 0.1), ("AdamWeightDecay", dict(weight_decay=1e-4), 0.1)])
def test_each_optimizer_fits_a_least_squares_problem(device, kind, kw, lr):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 3)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5], np.float32)
    param = Parameter(Tensor(np.zeros(3, np.float32)), name="w")
    optim = getattr(nn, kind)([param], lr, **kw)

    def loss():
        return float(np.mean((x @ param.asnumpy() - y) ** 2))

    start = loss()
    for _ in range(40):
        residual = x @ param.asnumpy() - y
        optim((Tensor((2 * x.T @ residual / len(y)).astype(np.float32)),))
    assert loss() < 0.05 * start, (kind, start, loss())
