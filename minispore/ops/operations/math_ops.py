"""Element-wise arithmetic with NumPy broadcasting and MindSpore's type promotion: Add, Sub, Mul."""
import functools
import numbers
from typing import NamedTuple

import numpy as np

from minispore.kernels import bodies as _codes  # operation codes only (no numba import)

from ... import _checks
from ... import dtype as mstype
from ...common.tensor import Tensor
from ..primitive import Primitive

__all__ = ["Add", "Sub", "Mul", "MatMul", "BatchMatMul", "matmul", "bmm", "mm"]


def _kind(np_dtype):
    return "b" if np_dtype == np.bool_ else ("f" if np_dtype.kind == "f" else "i")


def promote(x, y):
    """The result dtype (NumPy) of x (op) y, MindSpore's rules.

    Tensor with Tensor: a float beats an int or bool (keeping the float's width); otherwise NumPy's promotion.
    Tensor with a Python number: the Tensor's dtype, except that a float number with an int or bool tensor gives
    float32 and an int number with a bool tensor gives int64.
    """
    return _promote(*(v.dtype.np_type if isinstance(v, Tensor) else type(v) for v in (x, y)))


def _promote(tx, ty):
    """`promote` on what it depends on: each operand's NumPy dtype, or the Python type of a number."""
    if isinstance(tx, np.dtype) and isinstance(ty, np.dtype):
        kx, ky = _kind(tx), _kind(ty)
        if kx == "f" and ky != "f":
            return tx
        if ky == "f" and kx != "f":
            return ty
        return np.promote_types(tx, ty)
    tensor_dtype, number = (tx, ty) if isinstance(tx, np.dtype) else (ty, tx)
    kind = _kind(tensor_dtype)
    if issubclass(number, (bool, np.bool_)):
        return tensor_dtype
    if issubclass(number, numbers.Integral):
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


class ZipPlan(NamedTuple):
    """What a broadcast binary op decides from shapes and dtypes alone, once per (op, shapes, dtypes)."""
    dtype: mstype.Type  # of the result
    np_dtype: np.dtype
    work: np.dtype  # computed in (float16 computes in float32, as NumPy does)
    shape: tuple  # of the result
    loop: tuple  # the coalesced loop and both operands' element strides in it
    sa: tuple
    sb: tuple
    cast_x: bool  # whether an operand must be converted to `work` first
    cast_y: bool
    size: int  # elements of the result


@functools.lru_cache(maxsize=4096)
def zip_plan(api, x_shape, x_type, y_shape, y_type, out_dtype=None):
    """The ZipPlan of x (op) y: x_type/y_type are NumPy dtypes of Tensors or Python types of numbers."""
    dtype = np.dtype(out_dtype) if out_dtype is not None else _promote(x_type, y_type)
    work = np.dtype(np.float32) if dtype == np.float16 else dtype
    shape = broadcast_shape(api, x_shape, y_shape)
    loop, sa, sb = coalesce(shape, element_strides(x_shape, shape), element_strides(y_shape, shape))
    size = 1
    for n in shape:
        size *= n
    return ZipPlan(mstype.to_dtype(dtype), dtype, work, shape, loop, sa, sb, x_type != work, y_type != work, size)


def _operand(value, cast, plan, backend):
    if isinstance(value, Tensor):
        array = value._array()
        return array.astype(plan.np_dtype, copy=False).astype(plan.work, copy=False) if cast else array
    return backend.from_host(np.array(value, plan.np_dtype).astype(plan.work).reshape(1))


def elementwise(api, op, x, y, backend, out_dtype=None):
    """out = x (op) y on `backend`, broadcasting; x and y are Tensors or numbers (not both numbers)."""
    (x_shape, x_type), (y_shape, y_type) = ((v.shape, v.dtype.np_type) if isinstance(v, Tensor) else ((), type(v))
                                            for v in (x, y))
    plan = zip_plan(api, x_shape, x_type, y_shape, y_type, None if out_dtype is None else np.dtype(out_dtype))
    return zip_run(op, plan, _operand(x, plan.cast_x, plan, backend), _operand(y, plan.cast_y, plan, backend),
                   backend)


# Ops whose NumPy ufunc rounds exactly as the kernel body (one IEEE operation per element): on the CPU, a small
# array goes through the ufunc, whose call costs less than a kernel's dispatch, with the same bits.
_UFUNCS = {_codes.ADD: np.add, _codes.SUB: np.subtract, _codes.MUL: np.multiply}
_UFUNC_BELOW = 1 << 12  # elements


def zip_run(op, plan, a, b, backend):
    """The Tensor of a (op) b under `plan`; a and b are C-contiguous device arrays of `plan.work`."""
    if plan.size < _UFUNC_BELOW and backend.name == "CPU" and op in _UFUNCS:
        out = _UFUNCS[op](a, b)
        if out.shape != plan.shape:  # a number operand is a (1,) array
            out = out.reshape(plan.shape)
    else:
        out = backend.empty(plan.shape, plan.work)
        if plan.size:
            backend.kernels.binary(op, out.reshape(-1), a.reshape(-1), b.reshape(-1), plan.loop, plan.sa, plan.sb)
    if plan.work != plan.np_dtype:
        out = out.astype(plan.np_dtype)
    return Tensor._make(out, backend, plan.dtype)


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
        if isinstance(x, Tensor) and isinstance(y, Tensor) and x._backend is y._backend:  # the common case, fast
            if self._op != _codes.SUB or x._dtype is not mstype.bool_ or y._dtype is not mstype.bool_:
                plan = zip_plan(self.name, x._shape, x._dtype.np_type, y._shape, y._dtype.np_type)
                return zip_run(self._op, plan, _operand(x, plan.cast_x, plan, x._backend),
                               _operand(y, plan.cast_y, plan, x._backend), x._backend)
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


# --- matrix products --------------------------------------------------------------------------------------------
_MATMUL_KINDS = "fiu"  # float, signed and unsigned int; bool is refused, as MindSpore's CPU kernels do


def _check_matmul_operands(prim, x, y, x_arg="x", y_arg="y"):
    """Tensors of one numeric dtype on one device; returns the backend."""
    prim.check_tensor(x_arg, x)
    prim.check_tensor(y_arg, y)
    backend = prim.common_backend(**{x_arg: x, y_arg: y})
    if x.dtype is not y.dtype:
        raise TypeError(f"For '{prim.name}', the '{x_arg}' and '{y_arg}' must have the same dtype, but got "
                        f"{x.dtype} and {y.dtype}.")
    if x.dtype.np_type.kind not in _MATMUL_KINDS:
        _checks.fail(prim.name, x_arg, "a Tensor of a number dtype", x.dtype, TypeError)
    return backend


def matmul_arrays(api, backend, a, b, transpose_a=False, transpose_b=False):
    """op(a) @ op(b) of two device arrays of rank >= 2 (op transposes the last two axes when asked; leading
    axes broadcast as in NumPy) by the backend's `matmul` launcher: OpenBLAS on the CPU, cuBLAS through CuPy on
    a GPU. float16 multiplies in float32. ValueError when the inner sizes differ or the leading axes do not
    broadcast."""
    m, k = (a.shape[-1], a.shape[-2]) if transpose_a else (a.shape[-2], a.shape[-1])
    k_b, n = (b.shape[-1], b.shape[-2]) if transpose_b else (b.shape[-2], b.shape[-1])
    if k != k_b:
        raise ValueError(f"For '{api}', the inner sizes must be equal, but got {k} (of shape {tuple(a.shape)}, "
                         f"transpose_a={transpose_a}) and {k_b} (of shape {tuple(b.shape)}, "
                         f"transpose_b={transpose_b}).")
    lead = broadcast_shape(api, a.shape[:-2], b.shape[:-2])
    batch = int(np.prod(lead, dtype=np.int64))
    index = [np.broadcast_to(np.arange(int(np.prod(x.shape[:-2], dtype=np.int64))).reshape(x.shape[:-2]),
                             lead).reshape(-1) for x in (a, b)]  # output product p reads a[index[0][p]], ...
    dtype = a.dtype
    work = np.dtype(np.float32) if dtype == np.float16 else dtype
    a3, b3 = (backend.xp.ascontiguousarray(x.reshape((int(np.prod(x.shape[:-2], dtype=np.int64)),) + x.shape[-2:]),
                                           dtype=work) for x in (a, b))
    out = backend.empty((batch, m, n), work)
    backend.kernels.matmul(a3, b3, out, index[0].astype(np.int64), index[1].astype(np.int64), transpose_a,
                           transpose_b)
    return out.reshape(lead + (m, n)).astype(dtype, copy=False)


class MatMul(Primitive):
    r"""Matrix product of two 2-d Tensors: (x^T if transpose_a else x) @ (y^T if transpose_b else y).

    Args:
        transpose_a (bool): transpose x first. Default: False.
        transpose_b (bool): transpose y first. Default: False.

    Inputs:
        - **x** (Tensor) - (N, C) (or (C, N) with transpose_a), a number dtype.
        - **y** (Tensor) - (C, M) (or (M, C) with transpose_b), the dtype of x.

    Outputs:
        Tensor (N, M) of the dtype of x.

    Raises:
        TypeError: non-bool arguments, non-Tensor inputs, or different or bool dtypes.
        ValueError: inputs not 2-d, or inner sizes that differ.

    Examples:
        >>> MatMul()(Tensor(np.ones([1, 3]), mstype.float32), Tensor(np.ones([3, 4]), mstype.float32)).shape
        (1, 4)
    """

    _batched = False

    def __init__(self, transpose_a=False, transpose_b=False):
        super().__init__()
        self.transpose_a = _checks.check_bool(self.name, "transpose_a", transpose_a)
        self.transpose_b = _checks.check_bool(self.name, "transpose_b", transpose_b)
        self.add_prim_attr("transpose_a", self.transpose_a)
        self.add_prim_attr("transpose_b", self.transpose_b)

    def __call__(self, x, y):
        backend = _check_matmul_operands(self, x, y)
        for arg, value in (("x", x), ("y", y)):
            if (value.ndim < 2) if self._batched else (value.ndim != 2):
                _checks.fail(self.name, arg, "at least 2-d" if self._batched else "2-d", f"shape {value.shape}")
        # BLAS reads a transposed operand as it is stored: no transposed copy
        out = matmul_arrays(self.name, backend, x._array(), y._array(), self.transpose_a, self.transpose_b)
        return Tensor._wrap(out, backend)


class BatchMatMul(MatMul):
    r"""Batched matrix product of Tensors of rank >= 2: (..., N, C) @ (..., C, M) -> (..., N, M), each side
    optionally transposed in its last two axes; the leading axes broadcast as in NumPy.

    Args:
        transpose_a (bool): transpose the last two axes of x first. Default: False.
        transpose_b (bool): transpose the last two axes of y first. Default: False.

    Inputs:
        - **x** (Tensor) - (*B, N, C), a number dtype.
        - **y** (Tensor) - (*B, C, M), the dtype of x.

    Outputs:
        Tensor (*B, N, M).

    Raises:
        TypeError: non-bool arguments, non-Tensor inputs, or different or bool dtypes.
        ValueError: inputs of rank < 2, inner sizes that differ, or batch axes that do not broadcast.

    Examples:
        >>> x = Tensor(np.ones([2, 4, 1, 3]), mstype.float32)
        >>> BatchMatMul()(x, Tensor(np.ones([2, 4, 3, 4]), mstype.float32)).shape
        (2, 4, 1, 4)
    """

    _batched = True


def matmul(input, other):  # noqa: A002 (MindSpore's argument name)
    r"""The matrix product of NumPy's `matmul`: 1-d operands are vectors, leading axes broadcast.

    Args:
        input (Tensor): a number dtype, at least 1-d.
        other (Tensor): the dtype of input, at least 1-d.

    Returns:
        Tensor; 0-d for two vectors.

    Raises:
        TypeError: non-Tensor inputs, or different or bool dtypes.
        ValueError: a 0-d input, inner sizes that differ, or batch axes that do not broadcast.
    """
    prim = Primitive("matmul")
    backend = _check_matmul_operands(prim, input, other, "input", "other")
    for arg, value in (("input", input), ("other", other)):
        if value.ndim == 0:
            _checks.fail("matmul", arg, "at least 1-d", f"shape {value.shape}")
    a, b = input._array(), other._array()
    out = matmul_arrays("matmul", backend, a.reshape(1, -1) if a.ndim == 1 else a,
                        b.reshape(-1, 1) if b.ndim == 1 else b)
    if a.ndim == 1:
        out = out.reshape(out.shape[:-2] + out.shape[-1:])
    if b.ndim == 1:
        out = out.reshape(out.shape[:-1])
    return Tensor._wrap(out, backend)


def bmm(input_x, mat2):
    r"""Batched matrix product: `BatchMatMul()(input_x, mat2)`."""
    return BatchMatMul()(input_x, mat2)


def mm(input, mat2):  # noqa: A002 (MindSpore's argument name)
    r"""Matrix product of two 2-d Tensors: `MatMul()(input, mat2)`."""
    return MatMul()(input, mat2)
