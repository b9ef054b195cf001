"""Gradients: the API of grad / value_and_grad / GradOperation (MindSpore 2.10's return structures and errors),
and every bprop against central finite differences in float64 (the numeric side on the CPU, the analytic side on
every device), plus a few against PyTorch's autograd when torch is installed."""
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minispore as ms
import minispore.nn as nn
from minispore import Parameter, ParameterTuple, Tensor, context, ops
from minispore import dtype as mstype
from minispore.common import _tape
from minispore.ops.operations import _grad_ops


@contextlib.contextmanager
def _on_cpu():
    previous = context.get_context("device_target")
    context.set_context(device_target="CPU")
    try:
        yield
    finally:
        context.set_context(device_target=previous)


def _t(a):
    return Tensor(np.asarray(a))


# --- API semantics --------------------------------------------------------------------------------------------
X = np.array([1.0, 2.0], np.float32)
Y = np.array([3.0, 4.0], np.float32)


def _mul(a, b):
    return a * b


def _two(a, b):
    return a * b, a + b


class _Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([2.0, 5.0], np.float32)), name="w")
        self.b = Parameter(Tensor(np.array([1.0], np.float32)), name="b")

    def construct(self, x):
        return x * self.w + self.b


def _np(v):
    if isinstance(v, tuple):
        return tuple(_np(e) for e in v)
    assert isinstance(v, Tensor)
    return v.asnumpy().tolist()


def test_grad_return_structures():
    x, y = Tensor(X), Tensor(Y)
    assert _np(ms.grad(_mul)(x, y)) == [3.0, 4.0]
    assert _np(ms.grad(_mul, 1)(x, y)) == [1.0, 2.0]
    assert _np(ms.grad(_mul, (0, 1))(x, y)) == ([3.0, 4.0], [1.0, 2.0])
    assert _np(ms.grad(_mul, (1,))(x, y)) == ([1.0, 2.0],)
    # several outputs are differentiated as their sum
    assert _np(ms.grad(_two, (0, 1))(x, y)) == ([4.0, 5.0], [2.0, 3.0])
    # has_aux: only the first output; the others come back as a tuple
    g, aux = ms.grad(_two, 0, has_aux=True)(x, y)
    assert _np(g) == [3.0, 4.0] and _np(aux) == ([4.0, 6.0],)
    value, g = ms.value_and_grad(_two, 0, has_aux=True)(x, y)
    assert _np(value) == ([3.0, 8.0], [4.0, 6.0]) and _np(g) == [3.0, 4.0]
    value, g = ms.value_and_grad(_two, 0)(x, y)
    assert _np(value) == ([3.0, 8.0], [4.0, 6.0]) and _np(g) == [4.0, 5.0]


def test_grad_of_weights():
    net, x = _Net(), Tensor(X)
    params = net.trainable_params()
    assert _np(ms.grad(net, None, params)(x)) == ([1.0, 2.0], [2.0])
    assert _np(ms.grad(net, None, ParameterTuple(params))(x)) == ([1.0, 2.0], [2.0])
    assert _np(ms.grad(net, None, net.w)(x)) == [1.0, 2.0]  # a single Parameter: a Tensor
    assert _np(ms.grad(net, 0, params)(x)) == ([2.0, 5.0], ([1.0, 2.0], [2.0]))
    value, (gx, gw) = ms.value_and_grad(net, 0, params)(x)
    assert _np(value) == [3.0, 11.0] and _np(gx) == [2.0, 5.0] and _np(gw) == ([1.0, 2.0], [2.0])
    value, gw = ms.value_and_grad(net, None, params)(x)
    assert _np(gw) == ([1.0, 2.0], [2.0])


def test_unused_inputs_and_constants_get_zeros():
    x, y = Tensor(X), Tensor(Y)
    z = Tensor(np.array([1, 2], np.int32))
    gx, gy, gz = ms.grad(lambda a, b, c: a * 2, (0, 1, 2))(x, y, z)
    assert _np(gx) == [2.0, 2.0] and _np(gy) == [0.0, 0.0] and _np(gz) == [0, 0]
    assert gz.dtype == mstype.int32
    assert _np(ms.grad(lambda a: Tensor(np.ones(2, np.float32)))(x)) == [0.0, 0.0]
    # the same tensor at two positions: each position its own gradient
    assert _np(ms.grad(_mul, (0, 1))(x, x)) == ([1.0, 2.0], [1.0, 2.0])
    # a number argument passes through
    assert _np(ms.grad(lambda a, s: a * s)(x, 3.0)) == [3.0, 3.0]


def test_grad_errors():
    x, y = Tensor(X), Tensor(Y)
    for transform in (ms.grad, ms.value_and_grad):
        with pytest.raises(ValueError, match="grad_position"):
            transform(_mul, None, None)
        with pytest.raises(TypeError, match="grad_position"):
            transform(_mul, 1.5)
        with pytest.raises(TypeError, match="weights"):
            transform(_mul, 0, [x])
        with pytest.raises(TypeError, match="has_aux"):
            transform(_mul, 0, None, 1)
    with pytest.raises(ValueError, match="grad_position"):
        ms.grad(_mul, 5)(x, y)
    with pytest.raises(TypeError, match="inputs"):
        ms.grad(lambda a, s: a * s, 1)(x, 3.0)
    with pytest.raises(ValueError, match="has_aux"):
        ms.grad(_mul, 0, has_aux=True)(x, y)
    for flag in ("get_all", "get_by_list", "sens_param"):
        with pytest.raises(TypeError, match=flag):
            ops.GradOperation(**{flag: 1})


def test_grad_operation():
    x, y = Tensor(X), Tensor(Y)
    assert ops.composite.GradOperation is ops.GradOperation
    assert _np(ops.GradOperation()(_mul)(x, y)) == [3.0, 4.0]
    assert _np(ops.GradOperation(get_all=True)(_mul)(x, y)) == ([3.0, 4.0], [1.0, 2.0])
    assert _np(ops.GradOperation(get_all=True)(lambda a: a * a)(x)) == ([2.0, 4.0],)
    assert _np(ops.GradOperation()(_two)(x, y)) == [4.0, 5.0]
    net = _Net()
    params = ParameterTuple(net.trainable_params())
    assert _np(ops.GradOperation(get_by_list=True)(net, params)(x)) == ([1.0, 2.0], [2.0])
    assert _np(ops.GradOperation(get_all=True, get_by_list=True)(net, params)(x)) == \
        (([2.0, 5.0],), ([1.0, 2.0], [2.0]))
    sens = Tensor(np.array([10.0, 100.0], np.float32))
    assert _np(ops.GradOperation(sens_param=True)(_mul)(x, y, sens)) == [30.0, 400.0]
    ones = Tensor(np.ones(2, np.float32))
    assert _np(ops.GradOperation(sens_param=True)(_two)(x, y, (sens, ones))) == [31.0, 401.0]


def test_no_tape_outside_a_transform():
    x = Tensor(X)
    assert _tape.STATE.tape is None
    ms.grad(lambda a: a * a)(x)
    assert _tape.STATE.tape is None
    with pytest.raises(ZeroDivisionError):
        ms.grad(lambda a: 1 / 0)(x)
    assert _tape.STATE.tape is None
    with pytest.raises(RuntimeError, match="nested"):
        ms.grad(lambda a: ms.grad(lambda b: b * b)(a) * a)(x)
    assert _tape.STATE.tape is None


def test_cell_training_gradient_matches_closed_form():
    # loss = mean((x W^T + b - t)^2) for nn.Dense: dW = 2/n (r^T x), db = 2/n sum r
    rng = np.random.default_rng(0)
    net = nn.Dense(3, 2)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    t = rng.standard_normal((4, 2)).astype(np.float32)

    def loss(a, target):
        d = net(a) - target
        return (d * d).mean()
    gw, gb = ms.grad(loss, None, net.trainable_params())(Tensor(x), Tensor(t))
    w, b = net.weight.asnumpy(), net.bias.asnumpy()
    r = x @ w.T + b - t
    np.testing.assert_allclose(gw.asnumpy(), 2 / r.size * r.T @ x, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gb.asnumpy(), 2 / r.size * r.sum(0), rtol=1e-5, atol=1e-6)


# --- finite differences ---------------------------------------------------------------------------------------
def _distinct(rng, shape, scale=0.1):
    """float64 values that are pairwise at least `scale` apart and at least scale/2 from 0 (away from the kinks
    of relu, abs, max, pooling ...), in random order."""
    n = int(np.prod(shape, dtype=np.int64))
    return ((rng.permutation(n) - n // 2) * scale + scale / 2).reshape(shape)


def _numeric(fn, arrays, weights, eps=1e-6):
    """Central differences of sum(w * fn(*arrays)) on the CPU, for every float array."""
    def loss(values):
        with _on_cpu():
            out = fn(*[Tensor(v) for v in values])
            leaves = out if isinstance(out, tuple) else (out,)
            return sum(float(np.sum(w * leaf.asnumpy())) for w, leaf in zip(weights, leaves))
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for j in range(a.size):
            values = [v.copy() for v in arrays]
            values[i].reshape(-1)[j] += eps
            up = loss(values)
            values[i].reshape(-1)[j] -= 2 * eps
            down = loss(values)
            g.reshape(-1)[j] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def check_gradients(fn, arrays, rng, rtol=1e-6, atol=1e-7):
    """ms.grad of sum(w * fn(...)) with random weights w, on the current device, against central differences."""
    with _on_cpu():
        out = fn(*[Tensor(a) for a in arrays])
    leaves = out if isinstance(out, tuple) else (out,)
    weights = [rng.standard_normal(leaf.shape) for leaf in leaves]

    def weighted(*tensors):
        out = fn(*tensors)
        leaves = out if isinstance(out, tuple) else (out,)
        total = None
        for w, leaf in zip(weights, leaves):
            term = (leaf * Tensor(w.astype(np.float64))).sum()
            total = term if total is None else total + term
        return total
    got = ms.grad(weighted, tuple(range(len(arrays))))(*[Tensor(a) for a in arrays])
    want = _numeric(fn, arrays, weights)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.asnumpy(), w, rtol=rtol, atol=atol)


def _shape(draw, ndim_max=3, size_max=3):
    return tuple(draw(st.lists(st.integers(1, size_max), min_size=1, max_size=ndim_max)))


def _broadcast_pair(draw):
    shape = _shape(draw)
    other = tuple(n if draw(st.booleans()) else 1 for n in shape)[draw(st.integers(0, len(shape) - 1)):]
    return (shape, other) if draw(st.booleans()) else (other, shape)


def _unary_case(fn, positive=False):
    def case(draw, rng):
        x = _distinct(rng, _shape(draw))
        return fn, [np.abs(x) + 0.5 if positive else x]
    return case


def _binary_case(fn, positive_y=False):
    def case(draw, rng):
        sx, sy = _broadcast_pair(draw)
        y = _distinct(rng, sy, 0.13)
        return fn, [_distinct(rng, sx), np.abs(y) + 0.5 if positive_y else y]
    return case


def _reduce_case(cls):
    def case(draw, rng):
        shape = _shape(draw)
        axes = tuple(sorted(set(draw(st.lists(st.integers(0, len(shape) - 1), max_size=len(shape))))))
        keep = draw(st.booleans())
        return (lambda x: cls(keep)(x, axes)), [_distinct(rng, shape)]
    return case


def _softmax_case(cls):
    def case(draw, rng):
        shape = _shape(draw)
        axis = draw(st.integers(-len(shape), len(shape) - 1))
        return (lambda x: cls(axis)(x)), [rng.standard_normal(shape)]
    return case


def _matmul_case(draw, rng):
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    ta, tb = draw(st.booleans()), draw(st.booleans())
    a = rng.standard_normal((k, m) if ta else (m, k))
    b = rng.standard_normal((n, k) if tb else (k, n))
    return (lambda x, y: ops.MatMul(ta, tb)(x, y)), [a, b]


def _batch_matmul_case(draw, rng):
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    ta, tb = draw(st.booleans()), draw(st.booleans())
    batch_a, batch_b = ((2,), (1,)) if draw(st.booleans()) else ((2, 1), (3,))
    a = rng.standard_normal(batch_a + ((k, m) if ta else (m, k)))
    b = rng.standard_normal(batch_b + ((n, k) if tb else (k, n)))
    return (lambda x, y: ops.BatchMatMul(ta, tb)(x, y)), [a, b]


def _tensor_matmul_case(draw, rng):
    sa, sb = draw(st.sampled_from([((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 2, 3), (3, 2)),
                                   ((2, 3), (2, 3, 1))]))
    return (lambda x, y: x @ y), [rng.standard_normal(sa), rng.standard_normal(sb)]


def _array_case(draw, rng):
    kind = draw(st.sampled_from(["reshape", "transpose", "squeeze", "expand", "concat", "stack", "getitem",
                                 "method_transpose", "flatten", "view", "astype"]))
    x = rng.standard_normal((2, 1, 3))
    if kind == "reshape":
        return (lambda a: ops.Reshape()(a, (3, 2))), [x]
    if kind == "transpose":
        return (lambda a: ops.Transpose()(a, (2, 0, 1))), [x]
    if kind == "squeeze":
        return (lambda a: ops.Squeeze(1)(a)), [x]
    if kind == "expand":
        return (lambda a: ops.ExpandDims()(a, -1)), [x]
    if kind == "concat":
        return (lambda a, b: ops.Concat(2)((a, b, a))), [x, rng.standard_normal((2, 1, 2))]
    if kind == "stack":
        return (lambda a, b: ops.Stack(1)([a, b])), [x, rng.standard_normal((2, 1, 3))]
    if kind == "getitem":
        return (lambda a: a[1:, :, ::2] * a[0, :, 1:]), [x]
    if kind == "method_transpose":
        return (lambda a: a.transpose(0, 2) + a.T * a.transpose((1, 0, 2)).transpose(2, 1, 0)), [x]
    if kind == "flatten":
        return (lambda a: a.flatten(order="F") * a.squeeze().reshape(-1)), [x]
    if kind == "view":
        return (lambda a: a.view(3, 2).expand_dims(0)), [x]
    return (lambda a: a.astype(mstype.float32).astype(mstype.float64) + ops.Cast()(a, mstype.float64)), [x]


def _extreme_values_case(draw, rng):
    shape = _shape(draw)
    axis = draw(st.integers(0, len(shape) - 1))
    method = draw(st.sampled_from(["max_dim", "min_dim", "max_all", "sum", "mean", "amax"]))
    fns = {"max_dim": lambda a: a.max(axis)[0], "min_dim": lambda a: a.min(axis, True)[0],
           "max_all": lambda a: ops.max(a)[0], "sum": lambda a: a.sum(axis) + ops.sum(a),
           "mean": lambda a: a.mean(axis, True) + ops.mean(a), "amax": lambda a: ops.amax(a, axis)}
    return fns[method], [_distinct(rng, shape)]


def _bias_add_case(draw, rng):
    fmt = draw(st.sampled_from(["NCHW", "NHWC"]))
    x = rng.standard_normal((2, 3, 2))
    c = 2 if fmt == "NHWC" else 3
    return (lambda a, b: ops.BiasAdd(fmt)(a, b)), [x, rng.standard_normal(c)]


def _conv2d_case(draw, rng, small=False):
    group = draw(st.sampled_from([1, 2]))
    c, o = 2 * group // (2 if group == 1 else 1), 2
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    stride, dilation = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    pad_mode = draw(st.sampled_from(["valid", "same", "pad"]))
    pad = tuple(draw(st.integers(0, 1)) for _ in range(4)) if pad_mode == "pad" else 0
    fmt = draw(st.sampled_from(["NCHW", "NHWC"])) if group == 1 else "NCHW"
    hw = (dilation * (k[0] - 1) + 1 + draw(st.integers(0, 2)), dilation * (k[1] - 1) + 1 + draw(st.integers(0, 2)))
    prim = ops.Conv2D(o, k, pad_mode=pad_mode, pad=pad, stride=stride, dilation=dilation, group=group,
                      data_format=fmt)
    x = rng.standard_normal((1, c) + hw)
    w = rng.standard_normal((o, c // group) + k)
    if fmt == "NHWC":
        x, w = x.transpose(0, 2, 3, 1), w.transpose(0, 2, 3, 1)
    return prim, [x, w]


def _conv3d_case(draw, rng):
    group = draw(st.sampled_from([1, 2]))
    k = (draw(st.integers(1, 2)), 2, 1)
    stride, dilation = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    pad_mode = draw(st.sampled_from(["valid", "same", "pad"]))
    pad = tuple(draw(st.integers(0, 1)) for _ in range(6)) if pad_mode == "pad" else 0
    spatial = tuple(dilation * (n - 1) + 1 + draw(st.integers(0, 1)) for n in k)
    prim = ops.Conv3D(2, k, pad_mode=pad_mode, pad=pad, stride=stride, dilation=dilation, group=group)
    return prim, [rng.standard_normal((1, 2) + spatial), rng.standard_normal((2, 2 // group) + k)]


def _conv_backprop_case(draw, rng):
    if draw(st.booleans()):
        return _conv3d_backprop_case(draw, rng)
    stride = draw(st.integers(1, 2))
    pad_mode = draw(st.sampled_from(["valid", "same"]))
    size = (1, 2, 4, 3)
    out_hw = tuple(-(-n // stride) if pad_mode == "same" else (n - 2) // stride + 1 for n in size[2:])
    if draw(st.booleans()):
        prim = ops.Conv2DBackpropInput(2, 2, pad_mode=pad_mode, stride=stride)
        return (lambda d, w: prim(d, w, size)), [rng.standard_normal((1, 2) + out_hw),
                                                 rng.standard_normal((2, 2, 2, 2))]
    prim = _grad_ops.Conv2DBackpropFilter(2, 2, pad_mode=pad_mode, stride=stride)
    return (lambda d, x: prim(d, x, (2, 2, 2, 2))), [rng.standard_normal((1, 2) + out_hw), rng.standard_normal(size)]


def _conv3d_backprop_case(draw, rng):
    stride, group = draw(st.integers(1, 2)), draw(st.sampled_from([1, 2]))
    pad_mode = draw(st.sampled_from(["valid", "same", "pad"]))
    pad = tuple(draw(st.integers(0, 1)) for _ in range(6)) if pad_mode == "pad" else 0
    size = (1, 2, 3, 3, 2)
    kwargs = dict(pad_mode=pad_mode, pad=pad, stride=stride, group=group)
    out = ops.Conv3D(2, 2, **kwargs)(Tensor(np.zeros(size)), Tensor(np.zeros((2, 2 // group, 2, 2, 2)))).shape
    dout, w = rng.standard_normal(out), rng.standard_normal((2, 2 // group, 2, 2, 2))
    if draw(st.booleans()):
        prim = ops.Conv3DBackpropInput(2, 2, **kwargs)
        return (lambda a, b: prim(a, b, size)), [w, dout]
    prim = ops.Conv3DBackpropFilter(2, 2, **kwargs)
    return (lambda a, b: prim(a, b, w.shape)), [rng.standard_normal(size), dout]


def _pool_case(draw, rng):
    kind = draw(st.sampled_from(["max", "avg", "max3d", "avg3d", "argmax3d", "max_pool2d_fn", "nn_max_pad"]))
    if kind in ("max", "avg"):
        cls = ops.MaxPool if kind == "max" else ops.AvgPool
        fmt = draw(st.sampled_from(["NCHW", "NHWC"]))
        prim = cls(kernel_size=draw(st.integers(1, 3)), strides=draw(st.integers(1, 2)),
                   pad_mode=draw(st.sampled_from(["valid", "same"])), data_format=fmt)
        shape = (1, 2, 4, 3) if fmt == "NCHW" else (1, 4, 3, 2)
        return prim, [_distinct(rng, shape)]
    if kind == "max3d":
        pad_mode = draw(st.sampled_from(["valid", "same", "pad"]))
        prim = ops.MaxPool3D(kernel_size=2, strides=draw(st.integers(1, 2)), pad_mode=pad_mode,
                             pad_list=1 if pad_mode == "pad" else 0)
        return prim, [_distinct(rng, (1, 1, 3, 3, 2))]
    if kind == "avg3d":
        pad_mode = draw(st.sampled_from(["valid", "same", "pad"]))
        prim = ops.AvgPool3D(kernel_size=2, strides=draw(st.integers(1, 2)), pad_mode=pad_mode,
                             pad=1 if pad_mode == "pad" else 0, ceil_mode=draw(st.booleans()),
                             count_include_pad=draw(st.booleans()), divisor_override=draw(st.sampled_from([0, 3])))
        return prim, [_distinct(rng, (1, 1, 3, 3, 2))]
    if kind == "argmax3d":
        prim = ops.MaxPool3DWithArgmax(ksize=2, strides=1, pads=draw(st.integers(0, 1)))
        return (lambda a: prim(a)[0]), [_distinct(rng, (1, 1, 2, 3, 3))]
    if kind == "max_pool2d_fn":
        return (lambda a: ops.max_pool2d(a, 2, 1, padding=1, return_indices=True)[0]), [_distinct(rng, (1, 2, 3, 3))]
    layer = nn.MaxPool2d(kernel_size=3, stride=2, pad_mode="pad", padding=1)
    return layer, [_distinct(rng, (1, 1, 4, 4))]


def _norm_case(draw, rng):
    kind = draw(st.sampled_from(["bn_train", "bn_eval", "bn_nhwc", "layer_norm"]))
    if kind.startswith("bn"):
        training = kind != "bn_eval"
        fmt = "NHWC" if kind == "bn_nhwc" else "NCHW"
        prim = ops.BatchNorm(is_training=training, epsilon=1e-3, data_format=fmt)
        c = 2
        x = rng.standard_normal((3, 2, 2) if fmt == "NCHW" else (3, 2, c))
        mean, var = rng.standard_normal(c), np.abs(rng.standard_normal(c)) + 0.5

        def fn(a, scale, bias):  # the running statistics are updated in place: fresh ones per call
            return prim(a, scale, bias, Tensor(mean.copy()), Tensor(var.copy()))[0]
        return fn, [x, rng.standard_normal(c), rng.standard_normal(c)]
    norm = draw(st.integers(1, 2))
    params = draw(st.integers(1, 2))
    prim = ops.LayerNorm(begin_norm_axis=norm, begin_params_axis=params, epsilon=1e-3)
    shape = (2, 3, 2)
    return (lambda a, g, b: prim(a, g, b)[0]), [rng.standard_normal(shape), rng.standard_normal(shape[params:]),
                                                 rng.standard_normal(shape[params:])]


_CASES = {
    "Add": _binary_case(lambda a, b: a + b), "Sub": _binary_case(lambda a, b: a - b),
    "Mul": _binary_case(lambda a, b: a * b), "Div": _binary_case(lambda a, b: a / b, positive_y=True),
    "RealDiv": _binary_case(lambda a, b: ops.RealDiv()(a, b), positive_y=True),
    "Pow": _binary_case(lambda a, b: ops.Pow()(ops.Abs()(a) + 0.5, b)),
    "PowNumber": _unary_case(lambda a: a ** 3 + a ** 2 + 2.0 ** a - 1 / a, positive=True),
    "Maximum": _binary_case(lambda a, b: ops.Maximum()(a, b)),
    "Minimum": _binary_case(lambda a, b: ops.Minimum()(a, b)),
    "FloorMod": _binary_case(lambda a, b: ops.FloorMod()(a, b), positive_y=True),
    "Mod": _binary_case(lambda a, b: ops.Mod()(a, b), positive_y=True),
    "Neg": _unary_case(lambda a: -a), "Abs": _unary_case(ops.Abs()), "Exp": _unary_case(ops.Exp()),
    "Log": _unary_case(ops.Log(), positive=True), "Sqrt": _unary_case(ops.Sqrt(), positive=True),
    "ReLU": _unary_case(ops.ReLU()), "ReLU6": _unary_case(lambda a: ops.ReLU6()(a * 30)),
    "Sigmoid": _unary_case(ops.Sigmoid()), "Tanh": _unary_case(ops.Tanh()), "GeLU": _unary_case(ops.GeLU()),
    "GeLUErf": _unary_case(nn.GELU(approximate=False)), "SiLU": _unary_case(ops.SiLU()),
    "Elu": _unary_case(ops.Elu(1.5)), "LeakyReLU": _unary_case(ops.LeakyReLU(0.3)),
    "Comparisons": _binary_case(lambda a, b: a * ops.Cast()(ops.Greater()(a, b), mstype.float64) + ops.Cast()(
        ops.Argmax()(a), mstype.float64).sum()),
    "ReduceSum": _reduce_case(ops.ReduceSum), "ReduceMean": _reduce_case(ops.ReduceMean),
    "ReduceMax": _reduce_case(ops.ReduceMax), "ReduceMin": _reduce_case(ops.ReduceMin),
    "Extremes": _extreme_values_case,
    "Softmax": _softmax_case(ops.Softmax), "LogSoftmax": _softmax_case(ops.LogSoftmax),
    "SoftmaxFunctions": _softmax_case(lambda axis: (lambda a: ops.softmax(a, axis) * ops.log_softmax(a, axis))),
    "MatMul": _matmul_case, "BatchMatMul": _batch_matmul_case, "TensorMatmul": _tensor_matmul_case,
    "Array": _array_case, "BiasAdd": _bias_add_case, "Conv2D": _conv2d_case, "Conv3D": _conv3d_case,
    "ConvBackprop": _conv_backprop_case, "Pooling": _pool_case, "Norm": _norm_case,
    "AdaptiveAvgPool2D": lambda draw, rng: (ops.AdaptiveAvgPool2D((draw(st.integers(1, 3)), None)),
                                            [rng.standard_normal(draw(st.sampled_from([(2, 5, 3), (1, 2, 4, 3)])))]),
}
# also on the (slow) simulated GPU: every kind of bprop (the element-wise maps share one launcher: a few of them)
_GPU_CASES = {"Mul", "Div", "Pow", "Maximum", "Sigmoid", "GeLUErf", "Elu", "ReduceMax", "Extremes", "Softmax",
              "LogSoftmax", "MatMul", "BatchMatMul", "TensorMatmul", "Array", "BiasAdd", "Conv2D", "Conv3D",
              "ConvBackprop", "Pooling", "Norm", "AdaptiveAvgPool2D"}


@pytest.mark.parametrize("name", sorted(_CASES))
def test_bprop_matches_finite_differences(name, device, small):
    if small and name not in _GPU_CASES:
        pytest.skip("CPU only under the simulator (time; the same launcher as a GPU case)")
    @settings(max_examples=2 if small else 4, deadline=None)
    @given(st.data(), st.integers(0, 2 ** 16))
    def run(data, seed):
        rng = np.random.default_rng(seed)
        fn, arrays = _CASES[name](data.draw, rng)
        check_gradients(fn, arrays, rng)
    run()


def test_dropout_gradient_uses_the_mask(device):
    x = Tensor(np.arange(1.0, 9.0).reshape(2, 4))
    prim = ops.Dropout(keep_prob=0.5)
    outs = []

    def fn(a):
        out, mask = prim(a)
        outs.append(mask)
        return out
    g = ms.grad(fn)(x)
    np.testing.assert_array_equal(g.asnumpy(), outs[0].asnumpy() * 2.0)


def test_missing_bprop_is_a_clear_error():
    class Opaque(ops.Primitive):
        def __call__(self, x):
            return Tensor(x.asnumpy() * 2)
    with pytest.raises(TypeError, match="Opaque"):
        ms.grad(lambda a: Opaque()(a * 1.0))(Tensor(X))


def test_network_gradient_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 1, 8, 8)).astype(np.float32)
    w1 = rng.standard_normal((3, 1, 3, 3)).astype(np.float32) * 0.5
    w2 = rng.standard_normal((4, 12)).astype(np.float32) * 0.5
    gamma, beta = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(np.float32)

    def ours(a, k1, k2, g, b):
        h = ops.Conv2D(3, 3, pad_mode="pad", pad=1, stride=2)(a, k1)
        h = ops.BatchNorm(is_training=True)(h, g, b, Tensor(np.zeros(3, np.float32)),
                                            Tensor(np.ones(3, np.float32)))[0]
        h = ops.MaxPool(kernel_size=2, strides=2)(ops.ReLU()(h))
        h = ops.MatMul(transpose_b=True)(h.reshape(2, -1), k2)
        return ops.LogSoftmax()(ops.Tanh()(h)).sum() + ops.GeLU()(h).mean()
    got = ms.grad(ours, (0, 1, 2, 3, 4))(*[Tensor(v) for v in (x, w1, w2, gamma, beta)])

    tx, t1, t2, tg, tb = (torch.tensor(v, requires_grad=True) for v in (x, w1, w2, gamma, beta))
    F = torch.nn.functional
    h = F.conv2d(tx, t1, padding=1, stride=2)
    h = F.batch_norm(h, torch.zeros(3), torch.ones(3), tg, tb, training=True, eps=1e-5)
    h = F.max_pool2d(F.relu(h), 2, 2)
    h = h.reshape(2, -1) @ t2.T
    (F.log_softmax(torch.tanh(h), -1).sum() + F.gelu(h, approximate="tanh").mean()).backward()
    for g, t in zip(got, (tx, t1, t2, tg, tb)):
        np.testing.assert_allclose(g.asnumpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5)





def test_conv3d_backprop_primitives_are_the_conv3d_gradients():
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 2, 4, 3, 3)), rng.standard_normal((4, 1, 2, 1, 2))
    conv = ops.Conv3D(4, (2, 1, 2), pad_mode="pad", pad=(1, 0, 0, 1, 1, 1), stride=(2, 1, 2), dilation=(1, 2, 1),
                      group=2)
    dout = rng.standard_normal(conv(Tensor(x), Tensor(w)).shape)
    gx, gw = ms.grad(lambda a, b: (conv(a, b) * Tensor(dout)).sum(), (0, 1))(Tensor(x), Tensor(w))
    kwargs = dict(pad_mode="pad", pad=(1, 0, 0, 1, 1, 1), stride=(2, 1, 2), dilation=(1, 2, 1), group=2)
    got_x = ops.Conv3DBackpropInput(4, (2, 1, 2), **kwargs)(Tensor(w), Tensor(dout), x.shape)
    got_w = ops.Conv3DBackpropFilter(4, (2, 1, 2), **kwargs)(Tensor(x), Tensor(dout), w.shape)
    np.testing.assert_allclose(got_x.asnumpy(), gx.asnumpy(), rtol=1e-12)
    np.testing.assert_allclose(got_w.asnumpy(), gw.asnumpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="dout"):
        ops.Conv3DBackpropInput(4, (2, 1, 2), **kwargs)(Tensor(w), Tensor(dout[:, :, :1]), x.shape)
    with pytest.raises(ValueError, match="w_size"):
        ops.Conv3DBackpropFilter(4, (2, 1, 2), **kwargs)(Tensor(x), Tensor(dout), (4, 2, 2, 1, 2))


def test_conv2d_transpose_output_padding_keeps_the_gradient():
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal((1, 2, 3, 3)).astype(np.float32))
    padded = nn.Conv2dTranspose(2, 2, 3, stride=2, pad_mode="pad", padding=1, output_padding=1)
    plain = nn.Conv2dTranspose(2, 2, 3, stride=2, pad_mode="pad", padding=1, weight_init=padded.weight)
    weights = Tensor(rng.standard_normal((1, 2, 6, 6)).astype(np.float32))
    g_padded = ms.grad(lambda a: (padded(a) * weights).sum())(x).asnumpy()
    g_plain = ms.grad(lambda a: (plain(a) * weights[:, :, :5, :5]).sum())(x).asnumpy()
    assert np.abs(g_plain).min() > 0
    np.testing.assert_allclose(g_padded, g_plain, rtol=1e-6)
