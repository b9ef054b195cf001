"""Element-wise arithmetic with NumPy broadcasting and MindSpore's type promotion: Add, Sub, Mul."""
import numbers

import numpy as np

from minispore.kernels import bodies as _codes  # operation codes only (no numba import)

from ... import _checks
from ...common.tensor import Tensor
from ..primitive import Primitive

__all__ = ["Add", "Sub", "Mul"]


def _kind(np_dtype):
    return "b" if np_dtype == np.bool_ else ("f" if np_dtype.kind == "f" else "i")


def promote(x, y):
    """The result dtype (NumPy) of x (op) y, MindSpore's rules.

    Tensor with Tensor: a float beats an int or bool (keeping the float's width); otherwise NumPy's promotion.
    Tensor with a Python number: the Tensor's dtype, except that a float number with an int or bool tensor gives
    float32 and an int number with a bool tensor gives int64.
    """
    tx = x.dtype.np_type if isinstance(x, Tensor) else None
    ty = y.dtype.np_type if isinstance(y, Tensor) else None
    if tx is not None and ty is not None:
        kx, ky = _kind(tx), _kind(ty)
        if kx == "f" and ky != "f":
            return tx
        if ky == "f" and kx != "f":
            return ty
        return np.promote_types(tx, ty)
    tensor_dtype, number = (tx, y) if tx is not None else (ty, x)
    kind = _kind(tensor_dtype)
    if isinstance(number, (bool, np.bool_)):
        return tensor_dtype
    if isinstance(number, numbers.Integral):
        return np.dtype(np.int64) if kind == "b" else tensor_dtype
    return tensor_dtype if kind == "f" else np.dtype(np.float32)


def broadcast_shape(api, sx, sy):
    """NumPy's broadcast of two shapes; ValueError naming both when they do not broadcast."""
    n = max(len(sx), len(sy))
    out = []
    for a, b in zip((1,) * (n - len(sx)) + tuple(sx), (1,) * (n - len(sy)) + tuple(sy)):
        if a != b and a != 1 and b != 1:
            raise ValueError(f"For '{api}', the shapes of 'x' {sx} and 'y' {sy} must broadcast, but they do not.")
        out.append(b if a == 1 else a)
    return tuple(out)


def element_strides(shape, out_shape):
    """C-order element strides of a contiguous array of `shape` read as `out_shape` (0 where broadcast)."""
    shape = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step if size != 1 else 0)
        step *= size
    return tuple(reversed(strides))


def coalesce(shape, sa, sb):
    """Merge adjacent axes that both operands walk contiguously, so the kernel loops over few, long axes."""
    dims = [(n, a, b) for n, a, b in zip(shape, sa, sb) if n != 1] or [(1, 0, 0)]
    merged = [dims[0]]
    for n, a, b in dims[1:]:
        pn, pa, pb = merged[-1]
        if pa == a * n and pb == b * n:
            merged[-1] = (pn * n, a, b)
        else:
            merged.append((n, a, b))
    shape, sa, sb = zip(*merged)
    return tuple(shape), tuple(sa), tuple(sb)


def elementwise(api, op, x, y, backend, out_dtype=None):
    """out = x (op) y on `backend`, broadcasting; x and y are Tensors or numbers (not both numbers)."""
    dtype = np.dtype(out_dtype) if out_dtype is not None else promote(x, y)
    work = np.dtype(np.float32) if dtype == np.float16 else dtype  # as NumPy does: half math in float32
    arrays, shapes = [], []
    for value in (x, y):
        if isinstance(value, Tensor):
            arrays.append(value._array().astype(dtype, copy=False).astype(work, copy=False))
            shapes.append(value.shape)
        else:
            arrays.append(backend.full((1,), np.array(value, dtype), work))
            shapes.append(())
    shape = broadcast_shape(api, shapes[0], shapes[1])
    out = backend.empty(shape, work)
    if out.size:
        loop, sa, sb = coalesce(shape, element_strides(shapes[0], shape), element_strides(shapes[1], shape))
        backend.kernels.binary(op, out.reshape(-1), arrays[0].reshape(-1), arrays[1].reshape(-1), loop, sa, sb)
    return Tensor._wrap(out.astype(dtype, copy=False), backend)


class _Binary(Primitive):
    """x (op) y element-wise, with NumPy broadcasting and MindSpore's type promotion.

    Inputs:
        - **x** (Tensor | number) - the first operand.
        - **y** (Tensor | number) - the second; at least one of x, y is a Tensor.

    Outputs:
        Tensor of the broadcast shape of x and y, on their device.
    """

    _op = None

    def __call__(self, x, y):
        self.check_tensor("x", x, allow_number=True)
        self.check_tensor("y", y, allow_number=True)
        if not isinstance(x, Tensor) and not isinstance(y, Tensor):
            _checks.fail(self.name, "x", "a Tensor when 'y' is a number", x, TypeError)
        backend = self.common_backend(x=x, y=y)
        dtype = promote(x, y)
        for arg, value in (("x", x), ("y", y)):
            if not isinstance(value, Tensor):  # NumPy would raise OverflowError (uint8 - 1) or wrap
                _checks.check_representable(self.name, arg, value, dtype)
        if dtype == np.bool_ and self._op == _codes.SUB:
            _checks.fail(self.name, "x", "a number Tensor when 'y' is bool (bool subtraction is undefined)",
                         x.dtype if isinstance(x, Tensor) else x, TypeError)
        return elementwise(self.name, self._op, x, y, backend, dtype)


class Add(_Binary):
    """x + y element-wise (bool + bool is logical or, as in NumPy).

    Examples:
        >>> Add()(Tensor(np.array([1, 2, 3]), mstype.float32), 1.0)
        Tensor(shape=[3], dtype=Float32, value=
        [2. 3. 4.])
    """

    _op = _codes.ADD


class Sub(_Binary):
    """x - y element-wise."""

    _op = _codes.SUB


class Mul(_Binary):
    """x * y element-wise."""

    _op = _codes.MUL
