"""Array primitives that move or relabel data without arithmetic: Reshape, Transpose, Squeeze, ExpandDims, Concat,
Stack, Cast, OnesLike, ZerosLike.

No kernels of their own: data move through the backend's array module (NumPy or CuPy), and every result is
C-contiguous. Reshape, Squeeze and ExpandDims keep the element order and share the input's data, as MindSpore
2.10's views do; the others return new arrays.
"""
import numbers

import numpy as np

from ... import _checks
from ... import dtype as mstype
from ...common.tensor import Tensor
from ..primitive import Primitive

__all__ = ["Reshape", "Transpose", "Squeeze", "ExpandDims", "Concat", "Stack", "Cast", "OnesLike", "ZerosLike",
           "reshape_shape"]


def _axis(api, arg, axis, ndim):
    """`axis` as an int in [0, ndim): TypeError for a non-int, ValueError outside [-ndim, ndim)."""
    if not _checks.is_int(axis):
        _checks.fail(api, arg, "an int", axis, TypeError)
    if not -ndim <= axis < ndim:
        _checks.fail(api, arg, f"in the range [{-ndim}, {ndim})", axis)
    return int(axis) % ndim


def reshape_shape(api, shape, size, arg="input_shape"):
    """`shape` (a tuple or list of ints, at most one -1) resolved against `size` elements; errors as MindSpore."""
    if type(shape) is tuple:  # the common case: plain non-negative ints of the right size
        known = 1
        for v in shape:
            if type(v) is not int or v < 0:
                break
            known *= v
        else:
            if known == size:
                return shape
    if not isinstance(shape, (tuple, list)) or not all(_checks.is_int(v) for v in shape):
        _checks.fail(api, arg, "a tuple or list of ints", shape, TypeError)
    shape = tuple(int(v) for v in shape)
    if shape.count(-1) > 1 or any(v < -1 for v in shape):
        _checks.fail(api, arg, "non-negative ints with at most one -1", shape)
    known = 1
    for v in shape:
        known *= v if v != -1 else 1
    if -1 in shape:
        if known == 0 or size % known:
            _checks.fail(api, arg, f"a shape of {size} elements (one -1 allowed)", shape)
        shape = tuple(size // known if v == -1 else v for v in shape)
    elif known != size:
        _checks.fail(api, arg, f"a shape of {size} elements (one -1 allowed)", shape)
    return shape


class Reshape(Primitive):
    """The tensor with another shape of the same size (one -1 is inferred); shares the data.

    Inputs:
        - **input_x** (Tensor) - any shape.
        - **input_shape** (tuple[int] | list[int]) - the new shape.

    Outputs:
        Tensor of `input_shape`, the dtype of input_x.

    Raises:
        TypeError: input_x not a Tensor, or a shape that is not ints.
        ValueError: a shape of another size, or more than one -1.

    Examples:
        >>> Reshape()(Tensor(np.arange(6), mstype.float32), (2, -1)).shape
        (2, 3)
    """

    def __call__(self, input_x, input_shape):
        self.check_tensor("input_x", input_x)
        array = input_x._array()
        return Tensor._make(array.reshape(reshape_shape(self.name, input_shape, array.size)), input_x._backend,
                            input_x.dtype)


class Transpose(Primitive):
    """The tensor with its axes permuted by `input_perm` (a C-contiguous copy).

    Inputs:
        - **input_x** (Tensor) - any shape.
        - **input_perm** (tuple[int] | list[int]) - a permutation of the axes (negative axes allowed).

    Outputs:
        Tensor of shape (input_x.shape[p] for p in input_perm).

    Raises:
        TypeError: input_x not a Tensor, or a perm that is not ints.
        ValueError: a perm of another length than the rank, out of range, or with a repeated axis.
    """

    def __call__(self, input_x, input_perm):
        self.check_tensor("input_x", input_x)
        if not isinstance(input_perm, (tuple, list)) or not all(_checks.is_int(a) for a in input_perm):
            _checks.fail(self.name, "input_perm", "a tuple or list of ints", input_perm, TypeError)
        ndim = input_x.ndim
        if len(input_perm) != ndim:
            _checks.fail(self.name, "input_perm", f"of length {ndim} (the rank of 'input_x')", input_perm)
        perm = tuple(_axis(self.name, "input_perm", a, max(ndim, 1)) for a in input_perm)
        if len(set(perm)) != ndim:
            _checks.fail(self.name, "input_perm", "a permutation (each axis once)", input_perm)
        backend = input_x._backend
        with backend._on():
            out = backend.xp.ascontiguousarray(backend.xp.transpose(input_x._array(), perm))
        return Tensor._make(out, backend, input_x.dtype)


class Squeeze(Primitive):
    """The tensor without axes of size 1: all of them, or those of `axis` that have size 1 (others listed are
    kept, as MindSpore 2.10 does). Shares the data.

    Args:
        axis (int | tuple[int] | list[int]): the axes to remove. Default: () (every axis of size 1).

    Inputs:
        - **input_x** (Tensor) - any shape.

    Raises:
        TypeError: axis not an int or a tuple or list of ints, or input_x not a Tensor.
        ValueError: an axis out of range.
    """

    def __init__(self, axis=()):
        super().__init__()
        axes = (axis,) if _checks.is_int(axis) else axis
        if not isinstance(axes, (tuple, list)) or not all(_checks.is_int(a) for a in axes):
            _checks.fail(self.name, "axis", "an int, or a tuple or list of ints", axis, TypeError)
        self.axis = tuple(int(a) for a in axes)
        self.add_prim_attr("axis", self.axis)

    def __call__(self, input_x):
        self.check_tensor("input_x", input_x)
        shape = input_x.shape
        if not self.axis:
            out = tuple(d for d in shape if d != 1)
        else:
            drop = {_axis(self.name, "axis", a, max(len(shape), 1)) for a in self.axis}
            out = tuple(d for i, d in enumerate(shape) if not (i in drop and d == 1))
        return Tensor._make(input_x._array().reshape(out), input_x._backend, input_x.dtype)


class ExpandDims(Primitive):
    """The tensor with an axis of size 1 inserted at `axis` (in [-ndim - 1, ndim]). Shares the data.

    Inputs:
        - **input_x** (Tensor) - any shape.
        - **axis** (int) - where the new axis goes.

    Raises:
        TypeError: axis not an int, or input_x not a Tensor.
        ValueError: axis out of range.
    """

    def __call__(self, input_x, axis):
        self.check_tensor("input_x", input_x)
        axis = _axis(self.name, "axis", axis, input_x.ndim + 1)
        shape = input_x.shape[:axis] + (1,) + input_x.shape[axis:]
        return Tensor._make(input_x._array().reshape(shape), input_x._backend, input_x.dtype)


def _tensor_sequence(prim, value, arg="input_x"):
    """A non-empty tuple or list of Tensors of one dtype on one device; returns (tensors, backend)."""
    if not isinstance(value, (tuple, list)) or not all(isinstance(t, Tensor) for t in value):
        _checks.fail(prim.name, arg, "a tuple or list of Tensors", value, TypeError)
    if not value:
        _checks.fail(prim.name, arg, "a non-empty tuple or list of Tensors", value)
    first = value[0]
    if any(t._backend is not first._backend for t in value):
        prim.common_backend(**{f"{arg}[{i}]": t for i, t in enumerate(value)})  # raises, naming both devices
    if any(t._dtype is not first._dtype for t in value):
        _checks.fail(prim.name, arg, "Tensors of one dtype", f"dtypes {[t.dtype for t in value]}", TypeError)
    return tuple(value), first._backend


class Concat(Primitive):
    """The tensors joined along `axis`; every other axis must agree.

    Args:
        axis (int): the axis, in [-rank, rank). Default: 0.

    Inputs:
        - **input_x** (tuple[Tensor] | list[Tensor]) - of one rank and dtype.

    Raises:
        TypeError: axis not an int, inputs not Tensors, or of different dtypes.
        ValueError: no inputs, different ranks or sizes off the axis, or axis out of range.
    """

    def __init__(self, axis=0):
        super().__init__()
        self.axis = _checks.check_int(self.name, "axis", axis)
        self.add_prim_attr("axis", self.axis)

    def __call__(self, input_x):
        tensors, backend = _tensor_sequence(self, input_x)
        first = tensors[0].shape
        if any(len(t.shape) != len(first) for t in tensors):
            _checks.fail(self.name, "input_x", "Tensors of one rank", f"shapes {[t.shape for t in tensors]}")
        if not first:
            _checks.fail(self.name, "input_x", "Tensors of rank >= 1", "0-d Tensors")
        axis = _axis(self.name, "axis", self.axis, len(first))
        if any(t.shape[:axis] + t.shape[axis + 1:] != first[:axis] + first[axis + 1:] for t in tensors):
            _checks.fail(self.name, "input_x", f"Tensors whose sizes agree except along axis {self.axis}",
                         f"shapes {[t.shape for t in tensors]}")
        with backend._on():
            out = backend.xp.concatenate([t._array() for t in tensors], axis=axis)
        return Tensor._make(out, backend, tensors[0].dtype)


class Stack(Primitive):
    """The tensors (of one shape) stacked along a new axis `axis`, in [-rank - 1, rank].

    Args:
        axis (int): where the new axis goes. Default: 0.

    Inputs:
        - **input_x** (tuple[Tensor] | list[Tensor]) - of one shape and dtype.

    Raises:
        TypeError: axis not an int, inputs not Tensors, or of different dtypes.
        ValueError: no inputs, different shapes, or axis out of range.
    """

    def __init__(self, axis=0):
        super().__init__()
        self.axis = _checks.check_int(self.name, "axis", axis)
        self.add_prim_attr("axis", self.axis)

    def __call__(self, input_x):
        tensors, backend = _tensor_sequence(self, input_x)
        first = tensors[0].shape
        if any(t.shape != first for t in tensors):
            _checks.fail(self.name, "input_x", "Tensors of one shape", f"shapes {[t.shape for t in tensors]}")
        axis = _axis(self.name, "axis", self.axis, len(first) + 1)
        with backend._on():
            out = backend.xp.stack([t._array() for t in tensors], axis=axis)
        return Tensor._make(out, backend, tensors[0].dtype)


class Cast(Primitive):
    """The tensor converted to `dtype` (a copy); a number becomes a 0-d Tensor of `dtype`.

    Floats cast to integers truncate toward zero and to bool test != 0, as NumPy (out-of-range floats are
    undefined there too).

    Inputs:
        - **input_x** (Tensor | number) - the data.
        - **type_** (minispore.dtype) - the target dtype.

    Raises:
        TypeError: input_x not a Tensor or a number, or type_ not a minispore dtype.
    """

    def __call__(self, input_x, type_):
        if not isinstance(type_, mstype.Type):
            _checks.fail(self.name, "type_", "a minispore dtype such as mstype.float32", type_, TypeError)
        if isinstance(input_x, (bool, numbers.Real)) and not isinstance(input_x, Tensor):
            return Tensor(np.array(input_x).astype(type_.np_type))
        self.check_tensor("input_x", input_x)
        backend = input_x._backend
        with backend._on():
            out = input_x._array().astype(type_.np_type)
        return Tensor._make(out, backend, type_)


class _Filled(Primitive):
    """A Tensor of the shape and dtype of x, filled with `_value`."""

    _value = 0

    def __call__(self, x):
        self.check_tensor("x", x)
        return Tensor._make(x._backend.full(x.shape, self._value, x.dtype.np_type), x._backend, x.dtype)


class OnesLike(_Filled):
    """Ones of the shape and dtype of x.

    Inputs:
        - **x** (Tensor) - any shape and dtype.

    Raises:
        TypeError: x is not a Tensor.
    """

    _value = 1


class ZerosLike(_Filled):
    """Zeros of the shape and dtype of x.

    Inputs:
        - **x** (Tensor) - any shape and dtype.

    Raises:
        TypeError: x is not a Tensor.
    """

    _value = 0
