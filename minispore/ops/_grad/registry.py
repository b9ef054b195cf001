"""The bprop registry (MindSpore's ``bprop_getters``) and the backward walk over a tape.

A bprop getter takes a primitive instance and returns ``bprop(*inputs, out, dout)``, which returns one gradient
per input (None where an input is not differentiable: a number, an attribute, an integer index), each built from
primitives, so the backward pass runs on the device of the forward. Differentiable functions (``Tensor.reshape``,
the reduction behind ``Tensor.sum`` ...) register ``bprop(args, kwargs, out, dout)`` under their name instead.
"""
import numpy as np

from ...common import _tape
from ...common.tensor import Tensor

__all__ = ["bprop_getters", "register", "register_function", "backward", "prim", "sum_to", "broadcast_to",
           "zeros_like", "ones_like", "const", "float_mask", "is_float"]

bprop_getters = {}  # Primitive class -> getter(prim) -> bprop


def register(*classes):
    """Decorator: the bprop getter of the primitive classes `classes` (exactly those, not their subclasses)."""
    def wrap(getter):
        for cls in classes:
            bprop_getters[cls] = getter
        return getter
    return wrap


def register_function(name):
    """Decorator: the bprop(args, kwargs, out, dout) of the `differentiable` function `name`."""
    def wrap(bprop):
        _tape.FUNCTION_BPROPS[name] = bprop
        return bprop
    return wrap


_SHARED = {}


def prim(cls, *args, **kwargs):
    """A shared instance of primitive class `cls` for these attributes (bprops call primitives untracked)."""
    key = (cls, args, tuple(sorted(kwargs.items())))
    p = _SHARED.get(key)
    if p is None:
        p = _SHARED[key] = cls(*args, **kwargs)
    return p


def _ops():
    from .. import operations
    return operations


def is_float(t):
    return isinstance(t, Tensor) and t.dtype.np_type.kind == "f"


def zeros_like(t):
    return Tensor._make(t._backend.full(t.shape, 0, t.dtype.np_type), t._backend, t.dtype)


def ones_like(t):
    return Tensor._make(t._backend.full(t.shape, 1, t.dtype.np_type), t._backend, t.dtype)


def const(values, like):
    """A Tensor of the host array `values` on the device of `like`, in its dtype (a marked host->device copy)."""
    array = np.ascontiguousarray(values, dtype=like.dtype.np_type)
    return Tensor._make(like._backend.from_host(array), like._backend, like.dtype)


def float_mask(condition, like):
    """The bool Tensor `condition` as 0/1 in the dtype of `like`."""
    return prim(_ops().Cast)(condition, like.dtype)


def broadcast_to(t, shape):
    """t broadcast (NumPy's rules) to `shape`, as a new contiguous Tensor."""
    if t.shape == tuple(shape):
        return t
    backend = t._backend
    with backend._on():
        array = backend.xp.ascontiguousarray(backend.xp.broadcast_to(t._array(), tuple(shape)))
    return Tensor._make(array, backend, t.dtype)


def sum_to(g, shape):
    """The gradient g of a broadcast result summed back to an operand of `shape`."""
    if g is None or g.shape == tuple(shape):
        return g
    from ..operations import math_ops
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1)
    if axes:
        g = math_ops.reduce_op("grad", math_ops._codes.SUM, g, axes, True)
    return prim(_ops().Reshape)(g, tuple(shape))


def _flat(value):
    return value if isinstance(value, (tuple, list)) else (value,)


def _add(a, b):
    return prim(_ops().Add)(a, b)


def backward(tape, seeds):
    """The gradients of the recorded computation for the seeds [(output Tensor, its sensitivity)], as a dict
    id(tensor) -> gradient Tensor, for every tracked tensor the sensitivities reach."""
    grads = {}
    tracked = tape.tracked

    def accumulate(t, g):
        if g is None or not isinstance(t, Tensor) or id(t) not in tracked:
            return
        if g.dtype is not t.dtype and t.dtype.np_type.kind == "f":
            g = prim(_ops().Cast)(g, t.dtype)
        old = grads.get(id(t))
        grads[id(t)] = g if old is None else _add(old, g)

    for t, s in seeds:
        accumulate(t, s)
    previous, _tape.STATE.tape = _tape.STATE.tape, None  # the backward pass is not recorded
    try:
        for record in reversed(tape.records):
            outs = _flat(record.out)
            douts = [grads.pop(id(o), None) if isinstance(o, Tensor) else None for o in outs]
            if all(d is None for d in douts):
                continue
            if isinstance(record.out, tuple):
                dout = tuple(d if d is not None or not isinstance(o, Tensor) else zeros_like(o)
                             for d, o in zip(douts, outs))
            else:
                dout = douts[0]
            owner = record.owner
            if isinstance(owner, str):
                in_grads = _tape.FUNCTION_BPROPS[owner](record.inputs, record.kwargs, record.out, dout)
            else:
                getter = bprop_getters.get(type(owner))
                if getter is None:
                    raise TypeError(f"For 'grad', the primitive '{owner.name}' must have a bprop (a gradient), "
                                    f"but it has none.")
                in_grads = getter(owner)(*record.inputs, record.out, dout)
            for value, g in zip(record.inputs, in_grads):
                if isinstance(value, (tuple, list)):
                    for v, gv in zip(value, g if g is not None else ()):
                        accumulate(v, gv)
                else:
                    accumulate(value, g)
    finally:
        _tape.STATE.tape = previous
    return grads


def scalar_like(value, like):
    """A Python number as a 0-d Tensor in the dtype and on the device of `like`."""
    return const(np.array(value), like)

