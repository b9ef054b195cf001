"""bprops of the element-wise, comparison, reduction and matrix-product primitives (ops/operations/math_ops.py)."""
import functools
import inspect

import numpy as np

from ...common.tensor import Tensor
from ..operations import array_ops, math_ops
from ..operations import math_ops as M
from .registry import broadcast_to, const, float_mask, is_float, prim, register, register_function, sum_to

__all__ = []

_SUM = M._codes.SUM


def _shape(v):
    return v.shape if isinstance(v, Tensor) else ()


def _both(dx, dy, x, y):
    """The operand gradients summed back to the operands' shapes (None for a number operand)."""
    return (sum_to(dx, x.shape) if isinstance(x, Tensor) and is_float(x) else None,
            sum_to(dy, y.shape) if isinstance(y, Tensor) and is_float(y) else None)


def _mul(a, b):
    return prim(M.Mul)(a, b)


def _div(a, b):
    return prim(M.Div)(a, b)


def _neg(a):
    return prim(M.Neg)(a)


@register(M.Add)
def _add(_):
    def bprop(x, y, out, dout):
        return _both(dout, dout, x, y)
    return bprop


@register(M.Sub)
def _sub(_):
    def bprop(x, y, out, dout):
        return _both(dout, _neg(dout) if isinstance(y, Tensor) else None, x, y)
    return bprop


@register(M.Mul)
def _mul_bprop(_):
    def bprop(x, y, out, dout):
        return _both(_mul(dout, y), _mul(dout, x), x, y)
    return bprop


@register(M.Div, M.RealDiv)
def _div_bprop(_):
    def bprop(x, y, out, dout):
        dx = _div(dout, y)
        dy = _neg(_mul(dx, out)) if isinstance(y, Tensor) else None
        return _both(dx, dy, x, y)
    return bprop


@register(M.Pow)
def _pow(_):
    def bprop(x, y, out, dout):
        dx = dy = None
        if isinstance(x, Tensor):
            dx = _mul(_mul(dout, y), prim(M.Pow)(x, y - 1 if not isinstance(y, Tensor) else prim(M.Sub)(y, 1)))
        if isinstance(y, Tensor):
            if isinstance(x, Tensor):  # log x where x > 0, else 0 (no finite slope in y there)
                positive = float_mask(prim(M.Greater)(x, 0), x)
                safe = prim(M.Add)(_mul(x, positive), prim(M.Sub)(1, positive))
                dy = _mul(_mul(dout, out), prim(M.Log)(safe))
            else:
                dy = _mul(_mul(dout, out), float(np.log(x)) if x > 0 else 0.0)
        return _both(dx, dy, x, y)
    return bprop


def _extreme_bprop(greater):
    def getter(_):
        def bprop(x, y, out, dout):
            # the larger (smaller) operand takes the gradient; a tie splits it in halves, as PyTorch
            wins = float_mask(prim(greater)(x, y), dout)
            tie = _mul(float_mask(prim(M.Equal)(x, y), dout), 0.5)
            x_share = prim(M.Add)(wins, tie)
            y_share = prim(M.Sub)(prim(M.Sub)(1.0, wins), tie)
            return _both(_mul(dout, x_share), _mul(dout, y_share), x, y)
        return bprop
    return getter


register(M.Maximum)(_extreme_bprop(M.Greater))
register(M.Minimum)(_extreme_bprop(M.Less))


@register(M.FloorMod)
def _floor_mod(_):
    def bprop(x, y, out, dout):  # x - floor(x / y) * y
        dy = _neg(_mul(dout, prim(M.FloorDiv)(x, y))) if isinstance(y, Tensor) else None
        return _both(dout, dy, x, y)
    return bprop


@register(M.Mod)
def _mod(_):
    def bprop(x, y, out, dout):  # x - trunc(x / y) * y
        dy = None
        if isinstance(y, Tensor):
            dy = _neg(_mul(dout, _div(prim(M.Sub)(x, out), y)))
        return _both(dout, dy, x, y)
    return bprop


def _no_gradient(_):
    """Comparisons, integer division, argmax and the like: nothing flows back (zeros, as MindSpore)."""
    def bprop(*inputs):
        return (None,) * (len(inputs) - 2)
    return bprop


register(M.Equal, M.NotEqual, M.Greater, M.GreaterEqual, M.Less, M.LessEqual, M.FloorDiv, M.Argmax,
         M.Argmin, array_ops.OnesLike, array_ops.ZerosLike)(_no_gradient)


# --- element-wise maps ------------------------------------------------------------------------------------------
@register(M.Neg)
def _neg_bprop(_):
    return lambda x, out, dout: (_neg(dout),)


@register(M.Abs)
def _abs(_):
    def bprop(x, out, dout):
        if not is_float(x):
            return (None,)
        sign = prim(M.Sub)(float_mask(prim(M.Greater)(x, 0), x), float_mask(prim(M.Less)(x, 0), x))
        return (_mul(dout, sign),)
    return bprop


@register(M.Exp)
def _exp(_):
    return lambda x, out, dout: (_mul(dout, out) if is_float(x) else None,)


@register(M.Log)
def _log(_):
    return lambda x, out, dout: (_div(dout, x) if is_float(x) else None,)


@register(M.Sqrt)
def _sqrt(_):
    return lambda x, out, dout: (_div(_mul(dout, 0.5), out) if is_float(x) else None,)


# --- reductions -------------------------------------------------------------------------------------------------
def _kept_shape(shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def reduce_grad(op, x, axes, out, dout):
    """The gradient of the reduction `op` (SUM, MEAN, MAX, MIN) of x over the normalized `axes`."""
    if not is_float(x):
        return None
    kept = _kept_shape(x.shape, axes)
    reshape = prim(array_ops.Reshape)
    dout = reshape(dout, kept)
    if op == _SUM:
        return broadcast_to(dout, x.shape)
    if op == M.MEAN:
        count = int(np.prod([x.shape[i] for i in axes], dtype=np.int64))
        return broadcast_to(_div(dout, float(max(count, 1))), x.shape)
    # max / min: the gradient is shared by the elements equal to the extreme (MindSpore's rule)
    hit = float_mask(prim(M.Equal)(x, reshape(out, kept)), x)
    count = math_ops.reduce_op("grad", _SUM, hit, axes, True)
    return _mul(hit, _div(dout, count))


def _reduce_getter(prim_):
    def bprop(x, axis, out, dout):
        axes = M.normalize_axes(prim_.name, axis, x.ndim)
        return reduce_grad(prim_._op, x, axes, out, dout), None
    return bprop


register(M.ReduceSum, M.ReduceMean, M.ReduceMax, M.ReduceMin)(_reduce_getter)


@functools.lru_cache(maxsize=None)
def _signature(fn):
    return inspect.signature(fn)


def _bind(fn, args, kwargs):
    """fn's arguments by name, the defaults filled in."""
    if not kwargs and len(args) == len(_signature(fn).parameters):
        return dict(zip(_signature(fn).parameters, args))
    bound = _signature(fn).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.arguments


@register_function("reduce_op")
def _reduce_op(args, kwargs, out, dout):
    a = _bind(math_ops.reduce_op.__wrapped__, args, kwargs)
    x = a["x"]
    axis = a["axis"]
    axis = tuple(axis) if isinstance(axis, list) else axis
    axes = M.normalize_axes(a["api"], axis, x.ndim)
    return (None, None, reduce_grad(a["op"], x, axes, out, dout)) + (None,) * (len(args) - 3)


@register_function("arg_reduce_op")
def _arg_reduce_op(args, kwargs, out, dout):
    a = _bind(math_ops.arg_reduce_op.__wrapped__, args, kwargs)
    x = a["x"]
    grads = [None] * len(args)
    if not a["values"] or not is_float(x):
        return grads
    values, index = out
    dvalues = dout[0]
    axis = a["axis"]
    if axis is None:  # the flattened tensor: one-hot of the flat index
        positions = const(np.arange(x.size).reshape(x.shape), index)
        hit = prim(M.Equal)(positions, prim(array_ops.Reshape)(index, (1,) * x.ndim))
        dx = _mul(float_mask(hit, x), prim(array_ops.Reshape)(dvalues, (1,) * x.ndim))
    else:
        ax = int(axis) % max(x.ndim, 1)
        kept = _kept_shape(x.shape, (ax,))
        line = [1] * x.ndim
        line[ax] = x.shape[ax]
        positions = const(np.arange(x.shape[ax]).reshape(line), index)
        hit = prim(M.Equal)(positions, prim(array_ops.Reshape)(index, kept))
        dx = _mul(float_mask(hit, x), prim(array_ops.Reshape)(dvalues, kept))
    grads[2] = dx
    return grads


# --- matrix products --------------------------------------------------------------------------------------------
def _matmul_grads(cls, x, y, ta, tb, dout):
    """(dx, dy) of op(x) @ op(y) by the primitive class `cls` (MatMul or BatchMatMul)."""
    if not ta and not tb:
        return prim(cls, False, True)(dout, y), prim(cls, True, False)(x, dout)
    if not ta and tb:
        return prim(cls, False, False)(dout, y), prim(cls, True, False)(dout, x)
    if ta and not tb:
        return prim(cls, False, True)(y, dout), prim(cls, False, False)(x, dout)
    return prim(cls, True, True)(y, dout), prim(cls, True, True)(dout, x)


@register(M.MatMul, M.BatchMatMul)
def _matmul(p):
    cls = type(p)

    def bprop(x, y, out, dout):
        if not is_float(x):
            return None, None
        dx, dy = _matmul_grads(cls, x, y, p.transpose_a, p.transpose_b, dout)
        return sum_to(dx, x.shape), sum_to(dy, y.shape)
    return bprop


@register_function("matmul")
def _matmul_function(args, kwargs, out, dout):
    a = _bind(math_ops.matmul.__wrapped__, args, kwargs)
    x, y = a["input"], a["other"]
    if not is_float(x):
        return None, None
    reshape = prim(array_ops.Reshape)
    x2 = reshape(x, (1, -1)) if x.ndim == 1 else x
    y2 = reshape(y, (-1, 1)) if y.ndim == 1 else y
    lead = M.broadcast_shape("matmul", x2.shape[:-2], y2.shape[:-2])
    d = reshape(dout, lead + (x2.shape[-2], y2.shape[-1]))
    x3 = reshape(x2, (1,) * (len(lead) - x2.ndim + 2) + x2.shape) if x2.ndim < len(lead) + 2 else x2
    y3 = reshape(y2, (1,) * (len(lead) - y2.ndim + 2) + y2.shape) if y2.ndim < len(lead) + 2 else y2
    cls = M.BatchMatMul
    dx, dy = _matmul_grads(cls, x3, y3, False, False, d) if d.ndim > 2 else \
        _matmul_grads(M.MatMul, x3, y3, False, False, d)
    return reshape(sum_to(dx, x3.shape), x.shape), reshape(sum_to(dy, y3.shape), y.shape)
