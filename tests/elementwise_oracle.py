"""Slow, obviously correct references for the element-wise, reduction and softmax ops: Python integers, float64 or
long double math, and the documented summation order written out with NumPy."""
import math

import numpy as np

LANES = 8  # kernels.bodies.REDUCE_LANES, restated: the order is a contract, not an implementation detail


def ulps(got, ref):
    """|got - ref| in units of the last place of `got`'s dtype at ref (ref exact, in float64 or long double);
    NaN where both are NaN and equal infinities count 0."""
    got = np.asarray(got)
    info = np.finfo(got.dtype)
    ref = np.asarray(ref, np.longdouble)
    rounded = ref.astype(got.dtype)
    spacing = np.maximum(np.spacing(np.abs(rounded)).astype(np.longdouble), np.longdouble(info.smallest_subnormal))
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got.astype(np.longdouble) - ref) / spacing
    same = (got == rounded) | (np.isnan(got) & np.isnan(ref))
    return np.where(same, 0.0, err).astype(np.float64)


def same_bits(a, b):
    """Arrays equal bit for bit, except that any NaN equals any NaN (payloads differ between devices and LLVM
    does not keep them)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind != "f":
        return np.array_equal(a, b)
    nan = np.isnan(a)
    return bool(np.array_equal(nan, np.isnan(b)) and
                np.array_equal(a[~nan].view(np.uint8 if a.dtype.itemsize == 1 else f"u{a.dtype.itemsize}"),
                               b[~nan].view(np.uint8 if a.dtype.itemsize == 1 else f"u{a.dtype.itemsize}")))


# --- integers, element by element, with Python's ints ---------------------------------------------------------
def _wrap(value, dtype):
    info = np.iinfo(dtype)
    span = info.max - info.min + 1
    return (value - info.min) % span + info.min


def integer_op(name, a, b, dtype):
    """The integer form of binary op `name` on arrays a, b (broadcast), result wrapped into `dtype`."""
    a, b = np.broadcast_arrays(np.asarray(a, object), np.asarray(b, object))
    out = np.empty(a.shape, object)
    for i in np.ndindex(a.shape):
        x, y = int(a[i]), int(b[i])
        if name in ("FloorDiv", "RealDiv", "Mod", "FloorMod") and y == 0:
            out[i] = 0
        elif name == "FloorDiv":
            out[i] = x // y
        elif name == "RealDiv":  # C: toward zero
            q = abs(x) // abs(y)
            out[i] = q if (x < 0) == (y < 0) else -q
        elif name == "FloorMod":
            out[i] = x % y
        elif name == "Mod":  # C: the sign of x
            r = abs(x) % abs(y)
            out[i] = r if x >= 0 else -r
        elif name == "Pow":
            if y >= 0:
                out[i] = x ** y
            else:
                out[i] = 1 if x == 1 else ((-1 if y % 2 else 1) if x == -1 else 0)
        else:
            raise ValueError(name)
        out[i] = _wrap(out[i], dtype)
    return out.astype(dtype)


# --- float references -----------------------------------------------------------------------------------------
def gelu_tanh(x):
    """MindSpore's GELU (tanh approximation) in long double, as x sigmoid(2u) (no cancellation)."""
    d = np.asarray(x, np.longdouble)
    u = np.sqrt(np.longdouble(2) / np.longdouble(math.pi)) * (d + np.longdouble(0.044715) * d ** 3)
    with np.errstate(over="ignore"):
        return d / (1 + np.exp(-2 * u))


def gelu_erf(x):
    """x Phi(x) in float64 (scipy's erfc)."""
    from scipy.special import erfc
    d = np.asarray(x, np.float64)
    return d * 0.5 * erfc(-d / np.sqrt(2.0))


def sigmoid(x):
    d = np.asarray(x, np.longdouble)
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-d))


UNARY = {  # name -> (reference on long double / float64 values, numpy-level reference for any dtype)
    "Exp": lambda d: np.exp(d),
    "Log": lambda d: np.log(d),
    "Sqrt": lambda d: np.sqrt(d),
    "Tanh": lambda d: np.tanh(d),
    "Sigmoid": sigmoid,
    "SiLU": lambda d: d * sigmoid(d),
    "GeLU": gelu_tanh,
    "ReLU": lambda d: np.where(d > 0, d, 0),
    "ReLU6": lambda d: np.clip(np.where(d > 0, d, 0), 0, 6),
    "Elu": lambda d: np.where(d > 0, d, np.expm1(d)),
    "LeakyReLU": lambda d: np.where(d >= 0, d, np.longdouble(0.2) * d),
}


# --- the reduction order (kernels.bodies.reduce_chunk), written out ----------------------------------------------
def fold_sequential(values, op):
    acc = values[0]
    for v in values[1:]:
        acc = op(acc, v)
    return acc


def fold_chunk(values, op, lanes):
    """One chunk's fold: LANES interleaved running folds combined pairwise, then the tail (contiguous elements,
    at least 2 * LANES), else one element after another."""
    n = len(values)
    if not lanes or n < 2 * LANES:
        return fold_sequential(values, op)
    s = [fold_sequential(values[j:n // LANES * LANES:LANES], op) for j in range(LANES)]
    acc = op(op(op(s[0], s[1]), op(s[2], s[3])), op(op(s[4], s[5]), op(s[6], s[7])))
    return fold_sequential([acc] + list(values[n // LANES * LANES:]), op)


def fold(values, op, lanes, chunk):
    """The fold of one output's reduced elements (C order) in chunks of `chunk`, the chunk folds then in order."""
    parts = [fold_chunk(values[k:k + chunk], op, lanes) for k in range(0, len(values), chunk)]
    return fold_sequential(parts, op)


def reduce_in_order(x, axes, op, work, chunk=8192):
    """The reduction of x over `axes` (sorted) in the kernels' order, each step rounded to `work`; the reduced
    elements are contiguous (lanes) when the reduced axes with more than one element are the trailing ones."""
    kept = [i for i in range(x.ndim) if i not in axes]
    moved = np.moveaxis(x.astype(work), axes, list(range(x.ndim - len(axes), x.ndim))) if axes else x.astype(work)
    moved = moved.reshape([x.shape[i] for i in kept] + [-1])
    big = [i for i in range(x.ndim) if x.shape[i] != 1]
    reduced_big = [i for i in axes if x.shape[i] != 1]
    lanes = len(reduced_big) > 0 and reduced_big == big[len(big) - len(reduced_big):]  # the trailing big axes
    out = np.empty(moved.shape[:-1], work)
    for i in np.ndindex(out.shape):
        values = [work.type(v) for v in moved[i]]
        out[i] = fold(values, op, lanes or len(values) == 1, chunk)
    return out


def sum_op(a, b):
    return type(a)(a + b)


def max_op(a, b):
    return b if (b > a or b != b) else a


def min_op(a, b):
    return b if (b < a or b != b) else a


def softmax(x, axis, log=False):
    """Softmax (or log-softmax) in long double, max subtracted."""
    d = np.asarray(x, np.longdouble)
    shifted = d - d.max(axis=axis, keepdims=True)
    total = np.exp(shifted).sum(axis=axis, keepdims=True)
    return shifted - np.log(total) if log else np.exp(shifted) / total
