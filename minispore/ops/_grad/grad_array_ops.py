"""bprops of the array primitives (ops/operations/array_ops.py) and of the Tensor methods that move data without
a primitive (``reshape``, ``view``, ``squeeze``, ``astype``, ``transpose``, indexing)."""
import numpy as np

from ...common.tensor import Tensor
from ..operations import array_ops as A
from .registry import is_float, prim, register, register_function, zeros_like

__all__ = []


def _reshape(t, shape):
    return prim(A.Reshape)(t, tuple(shape))


def _as_input(x, dout):
    """dout reshaped to x's shape, or None for a non-float x."""
    return _reshape(dout, x.shape) if is_float(x) else None


@register(A.Reshape)
def _reshape_bprop(_):
    return lambda x, shape, out, dout: (_as_input(x, dout), None)


@register(A.Squeeze)
def _squeeze(_):
    return lambda x, out, dout: (_as_input(x, dout),)


@register(A.ExpandDims)
def _expand_dims(_):
    return lambda x, axis, out, dout: (_as_input(x, dout), None)


def _inverse(perm):
    inverse = [0] * len(perm)
    for i, p in enumerate(perm):
        inverse[p] = i
    return tuple(inverse)


@register(A.Transpose)
def _transpose(_):
    def bprop(x, perm, out, dout):
        if not is_float(x):
            return None, None
        perm = tuple(int(a) % max(x.ndim, 1) for a in perm)
        return prim(A.Transpose)(dout, _inverse(perm)), None
    return bprop


def _slices(dout, axis, sizes):
    """dout split along `axis` into pieces of `sizes` (contiguous copies)."""
    backend = dout._backend
    array = dout._array()
    pieces, start = [], 0
    with backend._on():
        for n in sizes:
            index = (slice(None),) * axis + (slice(start, start + n),)
            pieces.append(Tensor._make(backend.xp.ascontiguousarray(array[index]), backend, dout.dtype))
            start += n
    return pieces


@register(A.Concat)
def _concat(p):
    def bprop(tensors, out, dout):
        axis = p.axis % tensors[0].ndim
        pieces = _slices(dout, axis, [t.shape[axis] for t in tensors])
        return (tuple(g if is_float(t) else None for g, t in zip(pieces, tensors)),)
    return bprop


@register(A.Stack)
def _stack(p):
    def bprop(tensors, out, dout):
        axis = p.axis % (tensors[0].ndim + 1)
        pieces = _slices(dout, axis, [1] * len(tensors))
        return (tuple(_reshape(g, t.shape) if is_float(t) else None for g, t in zip(pieces, tensors)),)
    return bprop


@register(A.Cast)
def _cast(_):
    def bprop(x, dtype, out, dout):
        if not is_float(x) or not is_float(dout):
            return None, None
        return prim(A.Cast)(dout, x.dtype), None
    return bprop


# --- Tensor methods ---------------------------------------------------------------------------------------------
@register_function("Tensor.reshape")
def _tensor_reshape(args, kwargs, out, dout):
    return (_as_input(args[0], dout),) + (None,) * (len(args) - 1)


@register_function("Tensor.astype")
def _tensor_astype(args, kwargs, out, dout):
    x = args[0]
    g = prim(A.Cast)(dout, x.dtype) if is_float(x) and is_float(dout) else None
    return (g,) + (None,) * (len(args) - 1)


@register_function("Tensor.transpose")
def _tensor_transpose(args, kwargs, out, dout):
    x = args[0]
    if not is_float(x):
        return (None,) * len(args)
    # the permutation the call made, read from the same call on a probe whose axes have distinct sizes
    probe_shape = tuple(range(1, x.ndim + 1))
    probe = Tensor._wrap(x._backend.empty(probe_shape, np.float32), x._backend)
    moved = Tensor.transpose.__wrapped__(probe, *args[1:], **kwargs).shape
    perm = tuple(probe_shape.index(n) for n in moved)
    return (prim(A.Transpose)(dout, _inverse(perm)),) + (None,) * (len(args) - 1)


@register_function("Tensor.__getitem__")
def _tensor_getitem(args, kwargs, out, dout):
    x, key = args[0], args[1]
    if not is_float(x):
        return None, None
    dx = zeros_like(x)
    backend = x._backend
    with backend._on():
        target = dx._array()
        target[key] = dout._array().reshape(target[key].shape)
    return dx, None
