"""Kernel bodies: plain scalar Python, written once and wrapped for each target.

`cpu.py` wraps every function in `__all__` with ``numba.njit(inline="always")`` and `cuda.py` with
``numba.cuda.jit(device=True)`` (see `_retarget.py`). A body may call other bodies and `mul` by their global
names; the wrapper rebinds those names to the target's compiled versions.

Floating-point rule: every product goes through `mul`. On the CPU it is a plain IEEE multiply; on a GPU it is
``__fmul_rn``, which the CUDA compiler never fuses into an FMA. Divisions, sums and ``sqrt`` are correctly rounded
on both targets, so a body computes the same bits everywhere. Float constants are float32 globals: a Python float
literal would promote the arithmetic to float64.
"""
import math

import numpy as np

__all__ = [
    "mul", "philox4x32", "unit_float", "scale_below", "log_unit", "sincos_turn", "erfinv", "box_muller",
    "truncated_normal", "draw4", "lane", "inside", "valid_range", "binary_value",
]

# Distribution codes of `draw4`; `minispore.common.initializer` uses the same names.
UNIFORM = 0
NORMAL = 1
TRUNCATED_NORMAL = 2

# Operation codes of `binary_value`; `minispore.ops` uses the same names.
ADD = 0
SUB = 1
MUL = 2

# Philox4x32-10 (Salmon et al., SC'11; Random123 constants).
# Plain ints: Numba types a global as a (signed) literal, so each use casts it with np.uint64.
_PHILOX_M0 = 0xD2511F53
_PHILOX_M1 = 0xCD9E8D57
_PHILOX_W0 = 0x9E3779B9
_PHILOX_W1 = 0xBB67AE85
_LO32 = 0xFFFFFFFF
_ROUNDS = 10

_F0 = np.float32(0.0)
_F1 = np.float32(1.0)
_F2 = np.float32(2.0)
_HALF = np.float32(0.5)
_TWO_M24 = np.float32(2.0 ** -24)
_MINUS_TWO = np.float32(-2.0)
_SQRT2 = np.float32(math.sqrt(2.0))
_SQRT_HALF = np.float32(math.sqrt(0.5))
_LN2_HI = np.float32(0.693145751953125)  # 16 significant bits: e * _LN2_HI is exact for |e| < 256
_LN2_LO = np.float32(math.log(2.0) - 0.693145751953125)
# log(1 + f) = 2 atanh(s), s = f / (2 + f): 2s + s * (2/3 z + 2/5 z^2 + 2/7 z^3 + 2/9 z^4), z = s^2
_L1 = np.float32(2.0 / 3.0)
_L2 = np.float32(2.0 / 5.0)
_L3 = np.float32(2.0 / 7.0)
_L4 = np.float32(2.0 / 9.0)
# Taylor coefficients of sin and cos on [-pi/4, pi/4]
_S1 = np.float32(-1.0 / 6.0)
_S2 = np.float32(1.0 / 120.0)
_S3 = np.float32(-1.0 / 5040.0)
_S4 = np.float32(1.0 / 362880.0)
_C1 = np.float32(-0.5)
_C2 = np.float32(1.0 / 24.0)
_C3 = np.float32(-1.0 / 720.0)
_C4 = np.float32(1.0 / 40320.0)
_C5 = np.float32(-1.0 / 3628800.0)
_QUARTER_TURN_STEP = np.float32(2.0 * math.pi / 2.0 ** 24)  # radians per unit of a 24-bit turn fraction
# Giles (2010), "Approximating the erfinv function", single-precision coefficients.
_EA = [np.float32(c) for c in (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                               -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)]
_EB = [np.float32(c) for c in (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                               -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)]
_EA0, _EA1, _EA2, _EA3, _EA4, _EA5, _EA6, _EA7, _EA8 = _EA
_EB0, _EB1, _EB2, _EB3, _EB4, _EB5, _EB6, _EB7, _EB8 = _EB
_TWO_P5 = np.float32(2.5)
_THREE = np.float32(3.0)
_FIVE = np.float32(5.0)
_P16 = np.float32(2.0 ** 16)
_P8 = np.float32(2.0 ** 8)
_P4 = np.float32(2.0 ** 4)
_P2 = np.float32(2.0 ** 2)
_P1 = np.float32(2.0)
_M16 = np.float32(2.0 ** -16)
_M8 = np.float32(2.0 ** -8)
_M4 = np.float32(2.0 ** -4)
_M2 = np.float32(2.0 ** -2)
_M1 = np.float32(0.5)
_TINY = np.float32(2.0 ** -31)


def mul(a, b):
    """IEEE float product; the CUDA wrapper replaces it with a never-fused ``__fmul_rn``."""
    return a * b


def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 block function: four counter words and two key words to four random words."""
    for _ in range(_ROUNDS):
        p0 = np.uint64(c0) * np.uint64(_PHILOX_M0)
        p1 = np.uint64(c2) * np.uint64(_PHILOX_M1)
        n0 = np.uint32((p1 >> np.uint64(32)) ^ np.uint64(c1) ^ np.uint64(k0))
        n2 = np.uint32((p0 >> np.uint64(32)) ^ np.uint64(c3) ^ np.uint64(k1))
        c1 = np.uint32(p1 & np.uint64(_LO32))
        c3 = np.uint32(p0 & np.uint64(_LO32))
        c0 = n0
        c2 = n2
        k0 = np.uint32((np.uint64(k0) + np.uint64(_PHILOX_W0)) & np.uint64(_LO32))
        k1 = np.uint32((np.uint64(k1) + np.uint64(_PHILOX_W1)) & np.uint64(_LO32))
    return c0, c1, c2, c3


def unit_float(w):
    """The top 24 bits of a random word as a float32 in [0, 1) (never 1.0)."""
    return mul(np.float32(np.int32(w >> 8)), _TWO_M24)


def scale_below(y, e, bound, factor, step):
    """One step of an exact binary search for the exponent of y: (y * factor, e - step) if y < bound."""
    small = y < bound
    return (mul(y, factor) if small else y), (e - step if small else e)


def log_unit(y):
    """Natural log of y in [2**-31, 1] with + - * / only (no libm), to about one ulp."""
    y = y if y > _TINY else _TINY  # a select, not max(): keeps the loop vectorizable
    e = np.int32(0)
    y, e = scale_below(y, e, _M16, _P16, np.int32(16))
    y, e = scale_below(y, e, _M8, _P8, np.int32(8))
    y, e = scale_below(y, e, _M4, _P4, np.int32(4))
    y, e = scale_below(y, e, _M2, _P2, np.int32(2))
    y, e = scale_below(y, e, _M1, _P1, np.int32(1))
    y, e = scale_below(y, e, _SQRT_HALF, _P1, np.int32(1))  # now y in [sqrt(1/2), sqrt(2)), around 1
    f = y - _F1
    s = f / (_F2 + f)
    z = mul(s, s)
    r = mul(z, _L1 + mul(z, _L2 + mul(z, _L3 + mul(z, _L4))))
    ef = np.float32(e)
    return mul(ef, _LN2_HI) + ((s + s) + mul(s, r) + mul(ef, _LN2_LO))


def sincos_turn(k):
    """(cos, sin) of 2*pi*k/2**24 for an integer k in [0, 2**24), reduced exactly in integers."""
    q = (np.int32(k) + np.int32(1 << 21)) >> np.int32(22)  # nearest quarter turn, 0..4 (int32: SIMD-friendly)
    a = mul(np.float32(np.int32(k) - (q << np.int32(22))), _QUARTER_TURN_STEP)  # in [-pi/4, pi/4)
    z = mul(a, a)
    s = a + mul(mul(a, z), _S1 + mul(z, _S2 + mul(z, _S3 + mul(z, _S4))))
    c = _F1 + mul(z, _C1 + mul(z, _C2 + mul(z, _C3 + mul(z, _C4 + mul(z, _C5)))))
    # rotate by q quarter turns: (c, s), (-s, c), (-c, -s), (s, -c); two-way selects only (vectorizable)
    q = q & np.int32(3)
    swap = (q & np.int32(1)) != 0
    cq = s if swap else c
    sq = c if swap else s
    cq = -cq if (q == 1 or q == 2) else cq
    sq = -sq if q >= 2 else sq
    return cq, sq


def erfinv(x):
    """Inverse error function for x in (-1, 1), Giles' single-precision approximation on our own log."""
    w = -log_unit(mul(_F1 - x, _F1 + x))
    a = w - _TWO_P5
    pa = _EA0
    pa = _EA1 + mul(pa, a)
    pa = _EA2 + mul(pa, a)
    pa = _EA3 + mul(pa, a)
    pa = _EA4 + mul(pa, a)
    pa = _EA5 + mul(pa, a)
    pa = _EA6 + mul(pa, a)
    pa = _EA7 + mul(pa, a)
    pa = _EA8 + mul(pa, a)
    b = math.sqrt(w) - _THREE
    pb = _EB0
    pb = _EB1 + mul(pb, b)
    pb = _EB2 + mul(pb, b)
    pb = _EB3 + mul(pb, b)
    pb = _EB4 + mul(pb, b)
    pb = _EB5 + mul(pb, b)
    pb = _EB6 + mul(pb, b)
    pb = _EB7 + mul(pb, b)
    pb = _EB8 + mul(pb, b)
    return mul(pa if w < _FIVE else pb, x)


def box_muller(wa, wb):
    """Two standard normals from two random words (polynomial log and sin/cos: same bits on every target)."""
    u = mul(np.float32(np.int32(wa >> 8) + np.int32(1)), _TWO_M24)  # (0, 1]: log never sees 0
    r = math.sqrt(mul(_MINUS_TWO, log_unit(u)))
    c, s = sincos_turn(wb >> 8)
    return mul(r, c), mul(r, s)


def truncated_normal(w, p0, p1, p2, p3, lo, hi):
    """mean + sigma * sqrt(2) * erfinv(v), v uniform in (erf(alpha/sqrt2), erf(beta/sqrt2)), clamped."""
    u = mul(np.float32(np.int32(w >> 8)) + _HALF, _TWO_M24)  # (0, 1): erfinv never sees +-1
    z = mul(_SQRT2, erfinv(p2 + mul(p3, u)))
    x = p0 + mul(p1, z)
    x = x if x > lo else lo  # selects, not min/max: keeps the loop vectorizable
    return x if x < hi else hi


def draw4(dist, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi):
    """Four float32 samples of distribution `dist` from one Philox block.

    UNIFORM: p0 + p1 * u.  NORMAL: p0 + p1 * z.  TRUNCATED_NORMAL: p0 + p1 * z with z the inverse CDF of
    v = p2 + p3 * u (p2, p3 in erf space), clamped to [lo, hi].
    """
    if dist == UNIFORM:
        return (p0 + mul(p1, unit_float(w0)), p0 + mul(p1, unit_float(w1)),
                p0 + mul(p1, unit_float(w2)), p0 + mul(p1, unit_float(w3)))
    if dist == NORMAL:
        z0, z1 = box_muller(w0, w1)
        z2, z3 = box_muller(w2, w3)
        return p0 + mul(p1, z0), p0 + mul(p1, z1), p0 + mul(p1, z2), p0 + mul(p1, z3)
    return (truncated_normal(w0, p0, p1, p2, p3, lo, hi), truncated_normal(w1, p0, p1, p2, p3, lo, hi),
            truncated_normal(w2, p0, p1, p2, p3, lo, hi), truncated_normal(w3, p0, p1, p2, p3, lo, hi))


def lane(v, j):
    """Element j (0..3) of a four-tuple, without a dynamic tuple index."""
    return v[0] if j == 0 else (v[1] if j == 1 else (v[2] if j == 2 else v[3]))


def inside(x, z, y, w):
    """Whether (z, y, w) indexes the spatial part of an NCDHW array (zero padding outside)."""
    return 0 <= z < x.shape[2] and 0 <= y < x.shape[3] and 0 <= w < x.shape[4]


def valid_range(offset, step, size, count):
    """[lo, hi) of the positions o in [0, count) with 0 <= offset + o*step < size (step > 0)."""
    lo = 0 if offset >= 0 else (step - 1 - offset) // step
    hi = 0 if size <= offset else min(count, (size - offset + step - 1) // step)
    return min(lo, hi), hi


def binary_value(op, a, b):
    """The element operation of the binary ops: ADD, SUB or MUL."""
    if op == ADD:
        return a + b
    if op == SUB:
        return a - b
    return a * b
