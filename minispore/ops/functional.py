"""Functional forms of the element-wise, reduction, activation and array primitives (``ops.relu(x)``, ...), with
MindSpore 2.10's names and argument names. Each calls one shared primitive instance (or the plan behind it)."""
from .. import _checks
from .. import dtype as mstype
from ..common.tensor import Tensor
from ..kernels import bodies as _codes
from .operations import array_ops, math_ops, nn_ops

__all__ = [
    "add", "sub", "mul", "div", "floor_div", "floordiv", "fmod", "floor_mod", "remainder", "pow", "maximum",
    "minimum", "neg", "abs", "exp", "log", "sqrt", "equal", "eq", "not_equal", "ne", "greater", "gt",
    "greater_equal", "ge", "less", "lt", "less_equal", "le", "relu", "relu6", "sigmoid", "tanh", "gelu", "silu",
    "elu", "leaky_relu", "softmax", "log_softmax", "sum", "reduce_sum", "mean", "reduce_mean", "amax", "amin",
    "max", "min", "argmax", "argmin", "reshape", "transpose", "permute", "squeeze", "expand_dims", "unsqueeze",
    "concat", "cat", "stack", "cast", "ones_like", "zeros_like",
]

_PRIMS = {}


def _prim(cls, *args):
    """One shared instance of primitive class `cls` per attribute values."""
    key = (cls, args)
    prim = _PRIMS.get(key)
    if prim is None:
        prim = _PRIMS[key] = cls(*args)
    return prim


# --- arithmetic and comparisons: (input, other), Tensors or numbers ------------------------------------------
def add(input, other):  # noqa: A002 (MindSpore's argument names)
    """input + other element-wise (``ops.Add``)."""
    return _prim(math_ops.Add)(input, other)


def sub(input, other):  # noqa: A002
    """input - other element-wise (``ops.Sub``)."""
    return _prim(math_ops.Sub)(input, other)


def mul(input, other):  # noqa: A002
    """input * other element-wise (``ops.Mul``)."""
    return _prim(math_ops.Mul)(input, other)


def div(input, other, *, rounding_mode=None):  # noqa: A002
    """input / other element-wise: the float quotient (``ops.Div``); rounding_mode 'floor' (``ops.FloorDiv``) or
    'trunc' (toward zero, in the operands' dtype).

    Raises:
        ValueError: rounding_mode not None, 'floor' or 'trunc'.
    """
    if rounding_mode is None:
        return _prim(math_ops.Div)(input, other)
    mode = _checks.check_choice("div", "rounding_mode", rounding_mode, ("floor", "trunc"))
    if mode == "floor":
        return _prim(math_ops.FloorDiv)(input, other)
    if math_ops.promote(input, other).kind != "f":
        return _prim(math_ops.RealDiv)(input, other)  # integers: C's division, toward zero
    quotient = _prim(math_ops.Div)(input, other)
    return _prim(math_ops.Sub)(quotient, _prim(math_ops.Mod)(quotient, 1))  # q - fmod(q, 1): exact


def floor_div(x, y):
    """floor(x / y) element-wise (``ops.FloorDiv``)."""
    return _prim(math_ops.FloorDiv)(x, y)


floordiv = floor_div


def fmod(input, other):  # noqa: A002
    """The remainder with the sign of input (C's fmod; ``ops.Mod``)."""
    return _prim(math_ops.Mod)(input, other)


def floor_mod(x, y):
    """The remainder with the sign of y (Python's %; ``ops.FloorMod``)."""
    return _prim(math_ops.FloorMod)(x, y)


remainder = floor_mod


def pow(input, exponent):  # noqa: A001,A002 (MindSpore's name)
    """input ** exponent element-wise (``ops.Pow``)."""
    return _prim(math_ops.Pow)(input, exponent)


def maximum(input, other):  # noqa: A002
    """The larger of input and other element-wise (``ops.Maximum``)."""
    return _prim(math_ops.Maximum)(input, other)


def minimum(input, other):  # noqa: A002
    """The smaller of input and other element-wise (``ops.Minimum``)."""
    return _prim(math_ops.Minimum)(input, other)


def equal(input, other):  # noqa: A002
    """input == other element-wise, a bool Tensor (``ops.Equal``)."""
    return _prim(math_ops.Equal)(input, other)


def not_equal(input, other):  # noqa: A002
    """input != other element-wise, a bool Tensor (``ops.NotEqual``)."""
    return _prim(math_ops.NotEqual)(input, other)


def greater(input, other):  # noqa: A002
    """input > other element-wise, a bool Tensor (``ops.Greater``)."""
    return _prim(math_ops.Greater)(input, other)


def greater_equal(input, other):  # noqa: A002
    """input >= other element-wise, a bool Tensor (``ops.GreaterEqual``)."""
    return _prim(math_ops.GreaterEqual)(input, other)


def less(input, other):  # noqa: A002
    """input < other element-wise, a bool Tensor (``ops.Less``)."""
    return _prim(math_ops.Less)(input, other)


def less_equal(input, other):  # noqa: A002
    """input <= other element-wise, a bool Tensor (``ops.LessEqual``)."""
    return _prim(math_ops.LessEqual)(input, other)


eq, ne, gt, ge, lt, le = equal, not_equal, greater, greater_equal, less, less_equal


# --- element-wise maps and activations ----------------------------------------------------------------------
def neg(input):  # noqa: A002
    """-input element-wise (``ops.Neg``)."""
    return _prim(math_ops.Neg)(input)


def abs(input):  # noqa: A001,A002
    """|input| element-wise (``ops.Abs``)."""
    return _prim(math_ops.Abs)(input)


def exp(input):  # noqa: A002
    """e ** input element-wise (``ops.Exp``)."""
    return _prim(math_ops.Exp)(input)


def log(input):  # noqa: A002
    """The natural logarithm element-wise (``ops.Log``)."""
    return _prim(math_ops.Log)(input)


def sqrt(x):
    """The square root element-wise (``ops.Sqrt``)."""
    return _prim(math_ops.Sqrt)(x)


def relu(input):  # noqa: A002
    """max(input, 0) element-wise (``ops.ReLU``)."""
    return _prim(nn_ops.ReLU)(input)


def relu6(x):
    """min(max(x, 0), 6) element-wise (``ops.ReLU6``)."""
    return _prim(nn_ops.ReLU6)(x)


def sigmoid(input):  # noqa: A002
    """1 / (1 + e ** -input) element-wise (``ops.Sigmoid``)."""
    return _prim(nn_ops.Sigmoid)(input)


def tanh(input):  # noqa: A002
    """tanh element-wise (``ops.Tanh``)."""
    return _prim(nn_ops.Tanh)(input)


def gelu(input, approximate="none"):  # noqa: A002
    """GELU element-wise: 'none' (x Phi(x), MindSpore 2.10's default here) or 'tanh' (``ops.GeLU``).

    Raises:
        ValueError: approximate not 'none' or 'tanh'.
    """
    mode = _checks.check_choice("gelu", "approximate", approximate, ("none", "tanh"))
    return _prim(nn_ops.GeLU if mode == "tanh" else nn_ops._GeLUErf)(input)


def silu(input):  # noqa: A002
    """input * sigmoid(input) element-wise (``ops.SiLU``)."""
    return _prim(nn_ops.SiLU)(input)


def elu(input_x, alpha=1.0):
    """x for x > 0, alpha (e ** x - 1) otherwise (``ops.Elu``)."""
    return _prim(nn_ops.Elu, float(alpha) if isinstance(alpha, (int, float)) else alpha)(input_x)


def leaky_relu(input, alpha=0.2):  # noqa: A002
    """x for x >= 0, alpha x otherwise (``ops.LeakyReLU``)."""
    return _prim(nn_ops.LeakyReLU, float(alpha) if isinstance(alpha, (int, float)) else alpha)(input)


def softmax(input, axis=-1, *, dtype=None):  # noqa: A002
    """Softmax along `axis` (``ops.Softmax``); `dtype` converts input first."""
    if dtype is not None:
        input = cast(input, dtype)  # noqa: A001
    return nn_ops.softmax_op("softmax", _codes.SOFTMAX, input, nn_ops.softmax_axis("softmax", axis))


def log_softmax(logits, axis=-1):
    """Log-softmax along `axis` (``ops.LogSoftmax``)."""
    return nn_ops.softmax_op("log_softmax", _codes.LOG_SOFTMAX, logits, nn_ops.softmax_axis("log_softmax", axis))


# --- reductions ---------------------------------------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001,A002
    """The sum over `dim` (an int, tuple or list; None: all), as ``Tensor.sum`` (integers sum to int64)."""
    _check_tensor("sum", input)
    return input.sum(dim, dtype, keepdim)


def reduce_sum(x, axis=(), keep_dims=False):
    """The sum over `axis` in x's dtype (``ops.ReduceSum``)."""
    return math_ops.reduce_op("reduce_sum", _codes.SUM, x, axis, _checks.check_bool("reduce_sum", "keep_dims",
                                                                                     keep_dims))


def mean(input, axis=None, keep_dims=False):  # noqa: A002
    """The mean over `axis` (None: all) (``ops.ReduceMean``)."""
    return math_ops.reduce_op("mean", math_ops.MEAN, input, axis, _checks.check_bool("mean", "keep_dims", keep_dims))


reduce_mean = mean


def amax(input, axis=None, keepdims=False):  # noqa: A002
    """The maximum over `axis` (None: all) (``ops.ReduceMax``)."""
    return math_ops.reduce_op("amax", _codes.MAX, input, axis, _checks.check_bool("amax", "keepdims", keepdims))


def amin(input, axis=None, keepdims=False):  # noqa: A002
    """The minimum over `axis` (None: all) (``ops.ReduceMin``)."""
    return math_ops.reduce_op("amin", _codes.MIN, input, axis, _checks.check_bool("amin", "keepdims", keepdims))


def max(input, axis=None, keepdims=False, *, initial=None, where=None):  # noqa: A001,A002
    """(values, int64 indices) of the maximum along the int `axis`, as MindSpore 2.10's ``ops.max``; with
    axis None, the maximum of all elements and the index in the flattened tensor."""
    _check_tensor("max", input)
    if axis is None:
        values, index = math_ops.arg_reduce_op("max", _codes.ARGMAX, input, None, keepdims, mstype.int64, True)
    else:
        values, index = input.max(dim=axis, keepdim=keepdims)
    return (values if initial is None else maximum(values, initial)), index


def min(input, axis=None, keepdims=False, *, initial=None, where=None):  # noqa: A001,A002
    """(values, int64 indices) of the minimum; see `max`."""
    _check_tensor("min", input)
    if axis is None:
        values, index = math_ops.arg_reduce_op("min", _codes.ARGMIN, input, None, keepdims, mstype.int64, True)
    else:
        values, index = input.min(dim=axis, keepdim=keepdims)
    return (values if initial is None else minimum(values, initial)), index


def argmax(input, dim=None, keepdim=False):  # noqa: A002
    """The int64 index of the first maximum along `dim` (None: flattened) (``Tensor.argmax``)."""
    _check_tensor("argmax", input)
    return input.argmax(dim=dim, keepdim=keepdim)


def argmin(input, axis=None, keepdims=False):  # noqa: A002
    """The int32 index of the first minimum along `axis` (None: flattened) (``Tensor.argmin``)."""
    _check_tensor("argmin", input)
    return input.argmin(axis, keepdims)


def _check_tensor(api, value):
    if not isinstance(value, Tensor):
        _checks.fail(api, "input", "a Tensor", value, TypeError)


# --- array ops ----------------------------------------------------------------------------------------------
def reshape(input, shape):  # noqa: A002
    """The tensor with another shape of the same size (``ops.Reshape``)."""
    return _prim(array_ops.Reshape)(input, shape)


def transpose(input, input_perm):  # noqa: A002
    """The tensor with its axes permuted (``ops.Transpose``)."""
    return _prim(array_ops.Transpose)(input, input_perm)


def permute(input, axis):  # noqa: A002
    """The tensor with its axes permuted (``ops.Transpose``)."""
    return _prim(array_ops.Transpose)(input, axis)


def squeeze(input, axis=None):  # noqa: A002
    """The tensor without axes of size 1 (all, or those of `axis`) (``ops.Squeeze``)."""
    return _prim(array_ops.Squeeze, () if axis is None else (tuple(axis) if isinstance(axis, list) else axis))(input)


def expand_dims(input_x, axis):
    """The tensor with an axis of size 1 inserted at `axis` (``ops.ExpandDims``)."""
    return _prim(array_ops.ExpandDims)(input_x, axis)


def unsqueeze(input, dim):  # noqa: A002
    """The tensor with an axis of size 1 inserted at `dim` (``ops.ExpandDims``)."""
    return _prim(array_ops.ExpandDims)(input, dim)


def concat(tensors, axis=0):
    """The tensors joined along `axis` (``ops.Concat``)."""
    return _prim(array_ops.Concat, _checks.check_int("concat", "axis", axis))(tensors)


cat = concat


def stack(tensors, axis=0):
    """The tensors stacked along a new axis `axis` (``ops.Stack``)."""
    return _prim(array_ops.Stack, _checks.check_int("stack", "axis", axis))(tensors)


def cast(input, dtype):  # noqa: A002
    """The tensor converted to `dtype` (``ops.Cast``)."""
    return _prim(array_ops.Cast)(input, dtype)


def ones_like(input, *, dtype=None):  # noqa: A002
    """Ones of the shape of input, of its dtype or `dtype` (``ops.OnesLike``)."""
    out = _prim(array_ops.OnesLike)(input)
    return out if dtype is None else cast(out, dtype)


def zeros_like(input, *, dtype=None):  # noqa: A002
    """Zeros of the shape of input, of its dtype or `dtype` (``ops.ZerosLike``)."""
    out = _prim(array_ops.ZerosLike)(input)
    return out if dtype is None else cast(out, dtype)
