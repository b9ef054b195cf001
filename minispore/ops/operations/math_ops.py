"""Element-wise maps, broadcast binary ops, comparisons and reductions, with MindSpore's type promotion.

Each primitive is a code of one of the generic launchers (`unary`, `binary`, `reduce`, `arg_reduce`; DESIGN 7),
and what a call does is decided once per (op, shapes, dtypes, attributes) in a cached plan (`zip_plan`,
`map_plan`, `reduce_plan`), so a small call costs a dictionary lookup, an allocation and one kernel launch.
Primitives are pure functions of their inputs and attributes (no hidden state), so each can take a `bprop`.
"""
import functools
import numbers
from typing import NamedTuple

import numpy as np

from minispore.kernels import bodies as _codes  # operation codes only (no numba import)

from ... import _checks
from ... import dtype as mstype
from ...common._tape import differentiable
from ...common.tensor import Tensor
from ..primitive import Primitive

__all__ = ["Add", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "Mod", "FloorMod", "Pow", "Maximum", "Minimum",
           "Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "Neg", "Abs", "Exp", "Log", "Sqrt",
           "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "Argmax", "Argmin", "promote", "broadcast_shape",
           "elementwise", "binary_op", "unary_op", "reduce_op", "arg_reduce_op"]
__all__ += ["MatMul", "BatchMatMul", "matmul", "bmm", "mm"]


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
    operand: np.dtype  # operands (numbers too) are rounded to this first, then converted to `work`
    work: np.dtype  # the operands are computed in (float16 computes in float32, as NumPy does)
    out_work: np.dtype  # what the kernel writes (bool for comparisons, else `work`)
    code: int  # the kernel's operation (the integer form of an op for integer work)
    shape: tuple  # of the result
    loop: tuple  # the coalesced loop and both operands' element strides in it
    sa: tuple
    sb: tuple
    cast_x: bool  # whether an operand must be converted to `work` first
    cast_y: bool
    size: int  # elements of the result


# Ops whose integer form is another algorithm (a code of its own); bool operands compute in int8 there.
_INTEGER_FORMS = {_codes.DIV: _codes.ITRUNC_DIV, _codes.FLOOR_DIV: _codes.IFLOOR_DIV, _codes.MOD: _codes.IMOD,
                  _codes.FLOOR_MOD: _codes.IFLOOR_MOD, _codes.POW: _codes.IPOW}
_COMPARISONS = frozenset({_codes.EQUAL, _codes.NOT_EQUAL, _codes.GREATER, _codes.GREATER_EQUAL, _codes.LESS,
                          _codes.LESS_EQUAL})
TRUE_DIV = -1  # Div: the quotient in float (float32 for integers), not a kernel code of its own


@functools.lru_cache(maxsize=4096)
def zip_plan(api, op, x_shape, x_type, y_shape, y_type, out_dtype=None):
    """The ZipPlan of x (op) y: x_type/y_type are NumPy dtypes of Tensors or Python types of numbers.

    `op` is a binary code of `kernels.bodies` (or TRUE_DIV). The result dtype is `out_dtype` if given, else
    `promote`'s; then TRUE_DIV of integers gives float32, a comparison gives bool, and the ops of
    `_INTEGER_FORMS` run their integer algorithm on integer (and bool, as int8) work.
    """
    dtype = np.dtype(out_dtype) if out_dtype is not None else _promote(x_type, y_type)
    code = op
    if op == TRUE_DIV:
        code = _codes.DIV
        if dtype.kind != "f":
            dtype = np.dtype(np.float32)
    operand = dtype
    work = np.dtype(np.float32) if dtype == np.float16 else dtype
    if op in _COMPARISONS:
        out_work = dtype = np.dtype(np.bool_)
    elif op in _INTEGER_FORMS and dtype.kind != "f":
        if dtype == np.uint64:
            _checks.fail(api, "x", "a Tensor of a dtype other than uint64 (its integer form computes in int64)",
                         "UInt64", TypeError)
        code = _INTEGER_FORMS[op]
        work = np.dtype(np.int64) if op == _codes.POW else (np.dtype(np.int8) if dtype == np.bool_ else dtype)
        out_work = work
    else:
        out_work = work
    shape = broadcast_shape(api, x_shape, y_shape)
    loop, sa, sb = coalesce(shape, element_strides(x_shape, shape), element_strides(y_shape, shape))
    size = 1
    for n in shape:
        size *= n
    return ZipPlan(mstype.to_dtype(dtype), dtype, operand, work, out_work, code, shape, loop, sa, sb,
                   x_type != work, y_type != work, size)


def _operand(value, cast, plan, backend):
    if isinstance(value, Tensor):
        array = value._array()
        return array.astype(plan.operand, copy=False).astype(plan.work, copy=False) if cast else array
    return _number(value, plan, backend)


def _number(value, plan, backend):
    """A number operand as a (1,) device array of the work dtype, rounded through the operand dtype first."""
    array = np.array([value], plan.operand)
    return backend.from_host(array if plan.operand == plan.work else array.astype(plan.work))


def elementwise(api, op, x, y, backend, out_dtype=None):
    """out = x (op) y on `backend`, broadcasting; x and y are Tensors or numbers (not both numbers)."""
    (x_shape, x_type), (y_shape, y_type) = ((v.shape, v.dtype.np_type) if isinstance(v, Tensor) else ((), type(v))
                                            for v in (x, y))
    plan = zip_plan(api, op, x_shape, x_type, y_shape, y_type, None if out_dtype is None else np.dtype(out_dtype))
    return zip_run(plan, _operand(x, plan.cast_x, plan, backend), _operand(y, plan.cast_y, plan, backend), backend)


# Ops whose NumPy ufunc rounds exactly as the kernel body (one IEEE operation or comparison per element, NaN and
# signed zeros as the body treats them): on the CPU, a small array goes through the ufunc, whose call costs less
# than a kernel's dispatch, with the same bits.
# (Division stays a kernel: NumPy would warn about a zero divisor, and silencing it costs more than the kernel.)
_UFUNCS = {_codes.ADD: np.add, _codes.SUB: np.subtract, _codes.MUL: np.multiply, _codes.MAXIMUM: np.maximum,
           _codes.MINIMUM: np.minimum, _codes.EQUAL: np.equal, _codes.NOT_EQUAL: np.not_equal,
           _codes.GREATER: np.greater, _codes.GREATER_EQUAL: np.greater_equal, _codes.LESS: np.less,
           _codes.LESS_EQUAL: np.less_equal}
_UFUNC_BELOW = 1 << 12  # elements


def zip_run(plan, a, b, backend):
    """The Tensor of a (op) b under `plan`; a and b are C-contiguous device arrays of `plan.work`."""
    if plan.size < _UFUNC_BELOW and plan.code in _UFUNCS and backend.name == "CPU":
        out = _UFUNCS[plan.code](a, b)
        if out.shape != plan.shape:  # a number operand is a (1,) array
            out = out.reshape(plan.shape)
    else:
        out = backend.empty(plan.shape, plan.out_work)
        if plan.size:
            backend.kernels.binary(plan.code, out.reshape(-1), a.reshape(-1), b.reshape(-1), plan.loop, plan.sa,
                                   plan.sb)
    if plan.out_work != plan.np_dtype:
        out = out.astype(plan.np_dtype)
    return Tensor._make(out, backend, plan.dtype)


def binary_op(prim, x, y):
    """x (prim's op) y: the checks and promotion every binary primitive shares (`_Binary.__call__`'s slow path)."""
    prim.check_tensor("x", x, allow_number=True)
    prim.check_tensor("y", y, allow_number=True)
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        _checks.fail(prim.name, "x", "a Tensor when 'y' is a number", x, TypeError)
    backend = prim.common_backend(x=x, y=y)
    dtype = promote(x, y)
    for arg, value in (("x", x), ("y", y)):
        if not isinstance(value, Tensor):  # NumPy would raise OverflowError (uint8 - 1) or wrap
            _checks.check_representable(prim.name, arg, value, dtype)
    if dtype == np.bool_ and prim._op == _codes.SUB:
        _checks.fail(prim.name, "x", "a number Tensor when 'y' is bool (bool subtraction is undefined)",
                     x.dtype if isinstance(x, Tensor) else x, TypeError)
    return elementwise(prim.name, prim._op, x, y, backend, dtype)


class _Binary(Primitive):
    """x (op) y element-wise, with NumPy broadcasting and MindSpore's type promotion.

    Inputs:
        - **x** (Tensor | number) - the first operand.
        - **y** (Tensor | number) - the second; at least one of x, y is a Tensor.

    Outputs:
        Tensor of the broadcast shape of x and y, on their device.

    Raises:
        TypeError: an operand that is neither a Tensor nor a number, two numbers, or Tensors on two devices.
        ValueError: shapes that do not broadcast, or a number the result's integer dtype cannot hold.
    """

    _op = None

    def __call__(self, x, y):
        if isinstance(x, Tensor):
            if isinstance(y, Tensor):
                if x._backend is y._backend and (self._op != _codes.SUB or x._dtype is not mstype.bool_ or
                                                 y._dtype is not mstype.bool_):  # the common case, fast
                    plan = zip_plan(self.name, self._op, x._shape, x._dtype.np_type, y._shape, y._dtype.np_type)
                    return zip_run(plan, _operand(x, plan.cast_x, plan, x._backend),
                                   _operand(y, plan.cast_y, plan, x._backend), x._backend)
            elif type(y) is float or (type(y) is int and x._dtype.np_type.kind == "f"):  # nothing to check
                plan = zip_plan(self.name, self._op, x._shape, x._dtype.np_type, (), type(y))
                return zip_run(plan, _operand(x, plan.cast_x, plan, x._backend), _number(y, plan, x._backend),
                               x._backend)
        elif isinstance(y, Tensor) and (type(x) is float or (type(x) is int and y._dtype.np_type.kind == "f")):
            plan = zip_plan(self.name, self._op, (), type(x), y._shape, y._dtype.np_type)
            return zip_run(plan, _number(x, plan, y._backend), _operand(y, plan.cast_y, plan, y._backend),
                           y._backend)
        return binary_op(self, x, y)


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
    """x * y element-wise (bool * bool is logical and)."""

    _op = _codes.MUL


class Div(_Binary):
    """x / y element-wise, the quotient in float: integer (and bool) operands give float32, as MindSpore 2.x.

    Division by zero gives inf or NaN (IEEE).
    """

    _op = TRUE_DIV


class RealDiv(_Binary):
    """x / y element-wise in the operands' dtype: floats divide (IEEE), integers divide toward zero as C does
    (MindSpore 2.10's CPU kernel; 0 where y is 0)."""

    _op = _codes.DIV


class FloorDiv(_Binary):
    """floor(x / y) element-wise, Python's and NumPy's rounding toward minus infinity (so 1.0 // 0.1 is 9.0).

    Integers: 0 where y is 0 (MindSpore 2.10 gives the dtype's extreme). Floats: x / y where y is 0 (inf, NaN).
    """

    _op = _codes.FLOOR_DIV


class Mod(_Binary):
    """The remainder of x / y truncated toward zero, with the sign of x (C's fmod), as MindSpore's Mod.

    Python's `%` (the sign of y) is `FloorMod` (Tensor's `%`). NaN where a float y is 0; 0 where an integer y is 0.
    """

    _op = _codes.MOD


class FloorMod(_Binary):
    """x - floor(x / y) * y element-wise: the sign of y, Python's `%` (as NumPy's remainder); Tensor's `%`.

    NaN where a float y is 0; 0 where an integer y is 0.
    """

    _op = _codes.FLOOR_MOD


class Pow(_Binary):
    """x ** y element-wise. Floats: C's pow (NaN for a negative base and non-integral exponent; float32 computed
    in double, so correctly rounded in practice); integers: exact, wrapping as NumPy (a negative exponent gives the
    integer part of the reciprocal)."""

    _op = _codes.POW

    def __call__(self, x, y):
        # a float tensor to the number 2, 0.5 or -1: the body's own exact forms, run as their own ops (no call of
        # the general body per element): x * x, sqrt(x), 1 / x
        if type(y) in (int, float) and isinstance(x, Tensor) and x._dtype.np_type.kind == "f":
            if y == 2:
                return _primitive("Mul")(x, x)
            if y == 0.5:
                return _primitive("Sqrt")(x)
            if y == -1:
                return _primitive("Div")(1.0, x)
        return super().__call__(x, y)


def _primitive(name):
    """A shared instance of the primitive class `name` of this module."""
    prim = _SHARED.get(name)
    if prim is None:
        prim = _SHARED[name] = globals()[name]()
    return prim


_SHARED = {}


class Maximum(_Binary):
    """The larger of x and y element-wise; NaN if either is NaN (as NumPy; MindSpore 2.10's CPU returns y)."""

    _op = _codes.MAXIMUM


class Minimum(_Binary):
    """The smaller of x and y element-wise; NaN if either is NaN (as NumPy)."""

    _op = _codes.MINIMUM


class Equal(_Binary):
    """x == y element-wise, a bool Tensor (operands compared in their promoted dtype)."""

    _op = _codes.EQUAL


class NotEqual(_Binary):
    """x != y element-wise, a bool Tensor."""

    _op = _codes.NOT_EQUAL


class Greater(_Binary):
    """x > y element-wise, a bool Tensor."""

    _op = _codes.GREATER


class GreaterEqual(_Binary):
    """x >= y element-wise, a bool Tensor."""

    _op = _codes.GREATER_EQUAL


class Less(_Binary):
    """x < y element-wise, a bool Tensor."""

    _op = _codes.LESS


class LessEqual(_Binary):
    """x <= y element-wise, a bool Tensor."""

    _op = _codes.LESS_EQUAL


# --- element-wise maps ------------------------------------------------------------------------------------------
class MapPlan(NamedTuple):
    """What a unary op decides from its input dtype alone."""
    dtype: mstype.Type  # of the result
    np_dtype: np.dtype
    work: np.dtype  # computed in
    code: int  # the UNARY code
    cast: bool  # the input is converted to `work` first
    zero: object  # 0 of `work`: the parameter of ops without one
    cast_out: bool  # the result is converted from `work` to `np_dtype`


_INT_KINDS = "biu"


def map_plan(api, rule, np_dtype):
    """The MapPlan of a unary op with `rule` = (float code, integer code or None, integers go to float32) on an
    input of `np_dtype`: floats compute in their width (float16 in float32); integers run the integer code in
    their dtype, or compute in float32, or are refused with a TypeError naming the float dtypes."""
    float_code, int_code, int_to_float = rule
    if np_dtype.kind == "f":
        work = np.dtype(np.float32) if np_dtype == np.float16 else np_dtype
        return MapPlan(mstype.to_dtype(np_dtype), np_dtype, work, float_code, work != np_dtype, work.type(0),
                       work != np_dtype)
    if int_code is not None and np_dtype != np.bool_:
        return MapPlan(mstype.to_dtype(np_dtype), np_dtype, np_dtype, int_code, False, np_dtype.type(0), False)
    if int_to_float:
        f32 = np.dtype(np.float32)
        return MapPlan(mstype.float32, f32, f32, float_code, True, f32.type(0), False)
    accepted = "float16, float32 or float64" + (", or an integer" if int_code is not None else "")
    return _checks.fail(api, "x", f"a Tensor of {accepted} dtype", mstype.to_dtype(np_dtype), TypeError)


def map_run(plan, x, p, backend):
    """The Tensor of body(x, p) under `plan`; p is the op's parameter as a scalar of `plan.work`."""
    array = x._array()
    if plan.cast:
        array = array.astype(plan.work)
    out = backend.empty(array.size, plan.work)
    if array.ndim != 1:
        array = array.reshape(-1)
    backend.kernels.unary(plan.code, out, array, p)
    if plan.cast_out:
        out = out.astype(plan.np_dtype)
    return Tensor._make(out.reshape(x._shape) if len(x._shape) != 1 else out, backend, plan.dtype)


def unary_op(prim, x, p=None):
    """prim's op on the Tensor x (prim._rule: see `map_plan`) with parameter p (a number; None: 0); plans are
    cached on the primitive's class."""
    if not isinstance(x, Tensor):
        _checks.fail(prim.name, "x", "a Tensor", x, TypeError)
    plans = type(prim)._plans
    plan = plans.get(x._dtype)
    if plan is None:
        plan = plans[x._dtype] = map_plan(prim.name, prim._rule, x._dtype.np_type)
    return map_run(plan, x, plan.zero if p is None else plan.work.type(p), x._backend)


class _Unary(Primitive):
    """op(x) element-wise.

    Inputs:
        - **x** (Tensor) - any shape.

    Outputs:
        Tensor of the shape of x, on its device.

    Raises:
        TypeError: x is not a Tensor, or of a dtype the op does not take.
    """

    _rule = None  # (float code, integer code or None, integers compute in float32)
    _plans = None  # per subclass: input dtype -> MapPlan

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._plans = {}

    def __call__(self, x):
        if type(x) is Tensor:  # the common case: a plain Tensor whose plan exists
            plan = self._plans.get(x._dtype)
            if plan is not None:
                return map_run(plan, x, plan.zero, x._backend)
        return unary_op(self, x)


class Neg(_Unary):
    """-x element-wise (numbers, not bool)."""

    _rule = (_codes.NEG, _codes.NEG, False)

    def __call__(self, x):
        if isinstance(x, Tensor) and x._dtype is mstype.bool_:
            _checks.fail(self.name, "x", "a Tensor of a number dtype (bool cannot be negated)", x.dtype, TypeError)
        return super().__call__(x)


class Abs(_Unary):
    """|x| element-wise (bool stays bool; the most negative integer stays itself, as NumPy's)."""

    _rule = (_codes.ABS, _codes.ABS, False)

    def __call__(self, x):
        if isinstance(x, Tensor) and x._dtype is mstype.bool_:
            return Tensor._make(x._array().copy(), x._backend, x._dtype)
        return super().__call__(x)


class Exp(_Unary):
    """e ** x element-wise, from + - * / only (the same bits on every device; <= 1 ulp from the exact value);
    integers and bools compute in float32."""

    _rule = (_codes.EXP, None, True)


class Log(_Unary):
    """The natural logarithm element-wise (-inf at 0, NaN below), from + - * / only (<= 2 ulp); integers and
    bools compute in float32."""

    _rule = (_codes.LOG, None, True)


class Sqrt(_Unary):
    """The square root element-wise (IEEE, correctly rounded; NaN below 0); integers compute in float32."""

    _rule = (_codes.SQRT, None, True)


# --- reductions -------------------------------------------------------------------------------------------------
class ReducePlan(NamedTuple):
    """What a reduction decides from its input shape and dtype, the axes and keep_dims alone."""
    dtype: mstype.Type  # of the result
    np_dtype: np.dtype
    work: np.dtype
    code: int  # the kernel's fold: SUM, MAX or MIN
    mean: bool  # the sum is divided by `total` (integers toward zero)
    cast: bool  # the input is converted to `work` first
    shape: tuple  # of the result
    n_out: int
    total: int  # reduced elements per output
    oshape: tuple  # the kernel's geometry: see `kernels.cpu.reduce`
    ostr: tuple
    rshape: tuple
    rstr: tuple
    chunk: int
    lanes: bool
    partial: int  # elements of the chunk-fold scratch
    count: object  # `total` as a scalar of `work`


def normalize_axes(api, axis, ndim, arg="axis"):
    """`axis` (an int, or a tuple or list of ints; () or None: all) as a sorted tuple of distinct axes in [0, ndim).

    A 0-d tensor takes the axes -1 and 0 (as MindSpore). TypeError for other types, ValueError out of range or
    repeated.
    """
    if axis is None:
        return tuple(range(ndim))
    items = (axis,) if _checks.is_int(axis) else axis
    if not isinstance(items, (tuple, list)) or not all(_checks.is_int(a) for a in items):
        _checks.fail(api, arg, "an int, or a tuple or list of ints", axis, TypeError)
    if not items:
        return tuple(range(ndim))
    bound = max(ndim, 1)
    out = []
    for a in items:
        if not -bound <= a < bound:
            _checks.fail(api, arg, f"in the range [{-bound}, {bound})", axis)
        out.append(int(a) % bound)
    if len(set(out)) != len(out):
        _checks.fail(api, arg, "distinct axes", axis)
    return tuple(sorted(a for a in out if a < ndim))


def _groups(shape, strides, axes):
    """The coalesced (sizes, strides) of the axes `axes` (ascending) of a C-contiguous array: size-1 axes dropped,
    and an axis merged into the one before it when the two are walked contiguously (no axis of another group with
    more than one element lies between them)."""
    dims = []
    for i in axes:
        if shape[i] == 1:
            continue
        if dims and dims[-1][1] == strides[i] * shape[i]:
            dims[-1] = (dims[-1][0] * shape[i], strides[i])
        else:
            dims.append((shape[i], strides[i]))
    if not dims:
        return (1,), (0,)
    return tuple(d[0] for d in dims), tuple(d[1] for d in dims)


@functools.lru_cache(maxsize=4096)
def reduce_plan(api, op, shape, np_dtype, axes, keep_dims):
    """The ReducePlan of REDUCE code `op` over the normalized `axes` of a `shape` array of `np_dtype`.

    Dtypes as MindSpore's primitives: the input's (SUM of bool is logical or; MEAN of integers divides toward
    zero); MEAN, MAX and MIN refuse bool, MAX and MIN refuse an empty reduction. float16 computes in float32.
    """
    if np_dtype == np.bool_ and op != _codes.SUM:
        _checks.fail(api, "x", "a Tensor of a number dtype", "Bool", TypeError)
    work = np.dtype(np.float32) if np_dtype == np.float16 else np_dtype
    code = _codes.SUM if op == MEAN else op
    strides, step = [0] * len(shape), 1
    for i in range(len(shape) - 1, -1, -1):
        strides[i] = step
        step *= shape[i]
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    out_shape = tuple(1 if i in axes else n for i, n in enumerate(shape)) if keep_dims else \
        tuple(shape[i] for i in kept)
    total = int(np.prod([shape[i] for i in axes], dtype=np.int64))
    n_out = int(np.prod([shape[i] for i in kept], dtype=np.int64))
    if total == 0 and n_out and op in (_codes.MAX, _codes.MIN):
        _checks.fail(api, "x", "non-empty along the reduced axes (a maximum or minimum of nothing is undefined)",
                     f"shape {shape} reduced over axes {axes}")
    oshape, ostr = _groups(shape, strides, kept)
    rshape, rstr = _groups(shape, strides, axes)
    chunk = _codes.REDUCE_CHUNK
    chunks = -(-total // chunk)
    return ReducePlan(mstype.to_dtype(np_dtype), np_dtype, work, code, op == MEAN, work != np_dtype, out_shape, n_out,
                      total,
                      oshape, ostr, rshape, rstr, chunk, len(rshape) == 1 and rstr[0] == 1,
                      n_out * chunks if chunks > 1 else 1, work.type(max(total, 1)))


def reduce_run(plan, x, backend):
    """The Tensor of the reduction `plan` of x."""
    array = x._array()
    if plan.cast:
        array = array.astype(plan.work)
    if plan.total == 0 or plan.n_out == 0:  # nothing to fold: the sum of nothing is 0 (a mean of nothing NaN)
        fill = np.nan if plan.mean else 0
        return Tensor._make(backend.full(plan.shape, fill, plan.np_dtype), backend, plan.dtype)
    out = backend.empty(plan.n_out, plan.work)
    partial = backend.empty(plan.partial, plan.work) if plan.partial > 1 else _unused(backend, plan.work)
    backend.kernels.reduce(plan.code, out, array.reshape(-1) if array.ndim != 1 else array, partial, plan.oshape,
                           plan.ostr, plan.rshape, plan.rstr, plan.chunk, plan.lanes)
    if plan.mean:  # one IEEE division per output (integers: toward zero), the same on every device
        xp = backend.xp
        with backend._on():
            if plan.work.kind == "f":
                xp.divide(out, plan.count, out=out)
            else:
                out = xp.floor_divide(out, plan.count) + ((xp.remainder(out, plan.count) != 0) & (out < 0))
    if plan.cast:
        out = out.astype(plan.np_dtype)
    return Tensor._make(out.reshape(plan.shape), backend, plan.dtype)


_UNUSED = {}


def _unused(backend, dtype):
    """A one-element device array for a scratch argument the kernel will not touch."""
    key = (backend, dtype)
    array = _UNUSED.get(key)
    if array is None:
        array = _UNUSED[key] = backend.empty(1, dtype)
    return array


MEAN = -1  # reduce_op's code of the mean (a sum, then a division)


@differentiable("reduce_op")
def reduce_op(api, op, x, axis=(), keep_dims=False):
    """The reduction `op` (SUM, MAX, MIN of `kernels.bodies`, or MEAN) of the Tensor x over `axis`."""
    if not isinstance(x, Tensor):
        _checks.fail(api, "x", "a Tensor", x, TypeError)
    key = axis if isinstance(axis, (int, tuple)) and type(axis) is not bool else \
        (tuple(axis) if isinstance(axis, list) else axis)
    try:
        plan = _reduce_plan_of(api, op, x._shape, x._dtype.np_type, key, keep_dims)
    except TypeError:  # an unhashable axis: let the checks say what is wrong with it
        plan = _reduce_plan_of.__wrapped__(api, op, x._shape, x._dtype.np_type, key, keep_dims)
    return reduce_run(plan, x, x._backend)


@functools.lru_cache(maxsize=4096)
def _reduce_plan_of(api, op, shape, np_dtype, axis, keep_dims):
    return reduce_plan(api, op, shape, np_dtype, normalize_axes(api, axis, len(shape)), keep_dims)


class _Reduce(Primitive):
    """A reduction over `axis` (an int, a tuple or list of ints; () reduces every axis).

    Args:
        keep_dims (bool): keep the reduced axes as size 1. Default: False.

    Inputs:
        - **x** (Tensor) - any shape.
        - **axis** (int | tuple[int] | list[int]) - the axes, in [-ndim, ndim). Default: ().

    Outputs:
        Tensor of the dtype of x, with the reduced axes removed (or of size 1 with keep_dims).

    Raises:
        TypeError: keep_dims not a bool, x not a Tensor, or an axis that is not an int.
        ValueError: an axis out of range or repeated.
    """

    _op = None

    def __init__(self, keep_dims=False):
        super().__init__()
        self.keep_dims = _checks.check_bool(self.name, "keep_dims", keep_dims)
        self.add_prim_attr("keep_dims", self.keep_dims)

    def __call__(self, x, axis=()):
        return reduce_op(self.name, self._op, x, axis, self.keep_dims)


class ReduceSum(_Reduce):
    """The sum over `axis` (bool: logical or, as MindSpore's primitive), summed in an order fixed by the shape:
    per output, eight interleaved running sums of contiguous elements (else one after another), in chunks of
    8192 whose sums are then added in order. float16 sums in float32.

    Examples:
        >>> ReduceSum(keep_dims=True)(Tensor(np.ones([2, 3]), mstype.float32), 1).shape
        (2, 1)
    """

    _op = _codes.SUM

    def __init__(self, keep_dims=False, skip_mode=False):
        super().__init__(keep_dims)
        self.skip_mode = _checks.check_bool(self.name, "skip_mode", skip_mode)

    def __call__(self, x, axis=()):
        if self.skip_mode and isinstance(axis, (tuple, list)) and not axis:
            if not isinstance(x, Tensor):
                _checks.fail(self.name, "x", "a Tensor", x, TypeError)
            return Tensor._make(x._array().copy(), x._backend, x._dtype)
        return reduce_op(self.name, self._op, x, axis, self.keep_dims)


class ReduceMean(_Reduce):
    """The mean over `axis`: the sum (ReduceSum's order) divided by the count; integers divide toward zero."""

    _op = MEAN


class ReduceMax(_Reduce):
    """The maximum over `axis` (NaN if any element is NaN, as NumPy)."""

    _op = _codes.MAX


class ReduceMin(_Reduce):
    """The minimum over `axis` (NaN if any element is NaN)."""

    _op = _codes.MIN


class ArgPlan(NamedTuple):
    """What an arg-reduction decides from the shape, dtype and axis alone."""
    work: np.dtype  # the values are compared in
    shape: tuple  # of the result
    n: int  # elements along the axis
    inner: int  # elements after the axis


@functools.lru_cache(maxsize=1024)
def arg_plan(api, shape, np_dtype, axis, keep_dims):
    """The ArgPlan of an arg-reduction along the int `axis` (None: the flattened tensor) of a `shape` array."""
    if np_dtype == np.bool_:
        _checks.fail(api, "x", "a Tensor of a number dtype", "Bool", TypeError)
    work = np.dtype(np.float32) if np_dtype == np.float16 else np_dtype
    if axis is None:
        n = int(np.prod(shape, dtype=np.int64))
        out = tuple(1 for _ in shape) if keep_dims else ()
        inner = 1
    else:
        ndim = max(len(shape), 1)
        if not _checks.is_int(axis):
            _checks.fail(api, "axis", "an int", axis, TypeError)
        if not -ndim <= axis < ndim:
            _checks.fail(api, "axis", f"in the range [{-ndim}, {ndim})", axis)
        axis = int(axis) % ndim
        if not shape:
            return ArgPlan(work, (), 1, 1)
        n = shape[axis]
        inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
        out = shape[:axis] + ((1,) if keep_dims else ()) + shape[axis + 1:]
    if n == 0:
        _checks.fail(api, "x", "non-empty along the axis (the extreme of nothing is undefined)", f"shape {shape}")
    return ArgPlan(work, out, n, inner)


@differentiable("arg_reduce_op")
def arg_reduce_op(api, op, x, axis, keep_dims, index_dtype, values=False):
    """The indices (and, with `values`, the values first) of the ARGMAX / ARGMIN of x along `axis` (None:
    flattened): the first extreme, NaN counting as the largest and smallest (as NumPy)."""
    if not isinstance(x, Tensor):
        _checks.fail(api, "x", "a Tensor", x, TypeError)
    plan = arg_plan(api, x._shape, x._dtype.np_type, axis, keep_dims)
    backend = x._backend
    array = x._array()
    if plan.work != array.dtype:
        array = array.astype(plan.work)
    lanes = array.size // plan.n if plan.n else 0
    found = backend.empty((lanes,), plan.work)
    indices = backend.empty((lanes,), index_dtype.np_type)
    backend.kernels.arg_reduce(op, found, indices, array.reshape(-1), plan.n, plan.inner)
    index = Tensor._make(indices.reshape(plan.shape), backend, index_dtype)
    if not values:
        return index
    found = found.astype(x._dtype.np_type, copy=False).reshape(plan.shape)
    return Tensor._make(found, backend, x._dtype), index


class Argmax(Primitive):
    """The index of the first maximum along `axis` (NaN counts as the largest, as NumPy).

    Args:
        axis (int): the axis. Default: -1.
        output_type (minispore.dtype): int32 or int64. Default: int32.

    Inputs:
        - **input_x** (Tensor) - a number dtype.

    Outputs:
        Tensor of `output_type`, the shape of x without `axis`.

    Raises:
        TypeError: axis not an int, output_type not int32/int64, or x not a Tensor of a number dtype.
        ValueError: axis out of range, or x empty along it.
    """

    _op = _codes.ARGMAX

    def __init__(self, axis=-1, output_type=mstype.int32):
        super().__init__()
        self.axis = _checks.check_int(self.name, "axis", axis)
        if output_type not in (mstype.int32, mstype.int64):
            _checks.fail(self.name, "output_type", "mstype.int32 or mstype.int64", output_type, TypeError)
        self.output_type = output_type
        self.add_prim_attr("axis", self.axis)
        self.add_prim_attr("output_type", output_type)

    def __call__(self, input_x):
        return arg_reduce_op(self.name, self._op, input_x, self.axis, False, self.output_type)


class Argmin(Argmax):
    """The index of the first minimum along `axis` (NaN counts as the smallest); see `Argmax`."""

    _op = _codes.ARGMIN


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


@differentiable("matmul")
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
