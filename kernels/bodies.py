"""Kernel bodies: plain scalar Python, written once and wrapped for each target.

`cpu.py` wraps every function in `__all__` with ``numba.njit(inline="always")`` (and once more with
``inline="never"`` for those in `CALLED`) and `cuda.py` with ``numba.cuda.jit(device=True)`` (see
`_retarget.py`). A body may call other bodies and `mul` by their global names; the wrapper rebinds those names to
the target's compiled versions.

Floating-point rule: every product goes through `mul`. On the CPU it is a plain IEEE multiply; on a GPU it is
``__fmul_rn``, which the CUDA compiler never fuses into an FMA. Divisions, sums and ``sqrt`` are correctly rounded
on both targets, so a body computes the same bits everywhere. Float constants are float32 globals: a Python float
literal would promote the arithmetic to float64.
"""
import collections
import math

import numpy as np

__all__ = [
    "mul", "dmul", "philox_rounds", "philox4x32", "contract_block", "unit_float", "scale_below",
    "log_unit", "sincos_turn", "erfinv", "box_muller", "truncated_normal", "draw4", "lane", "inside", "valid_range",
    "dscale_below", "log_f64", "cossin_f64", "r13_uniform", "r13_philox", "r13_calls", "r13_fresh",
    "r13_skip", "r13_chain", "r13_box_muller", "ms2_block", "ms2_unit", "ms2_normal_pair", "ms2_draw4",
    "conv_row_taps", "conv_rows_nine", "im2col_source", "imul", "pool_row_taps", "pool_count", "pool_average",
    "adaptive_average", "norm_sums", "norm_moments", "norm_rstd", "norm_affine", "layer_norm_value", "moving_average",
    "batch_norm_channel", "dropout_keep", "col2im_row_taps",
]

# Long bodies the CPU compiles once as functions of their own instead of inlining them into every caller: Numba's
# passes over the inlined code took most of a first run's compile time (22 s to the guide's first conv, now ~8 s);
# LLVM still inlines them where it pays.
CALLED = frozenset({"log_f64", "cossin_f64", "r13_calls", "r13_fresh", "r13_philox"})
# the element bodies that branch (no vectorizing them): their launchers call them rather than inlining each copy
CALLED |= {"pow_value", "floor_div_value", "floor_mod_value", "gelu_erf_value"}

# Distribution codes of `draw4`; `minispore.common.initializer` uses the same names.
UNIFORM = 0
NORMAL = 1
TRUNCATED_NORMAL = 2

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


def dmul(a, b):
    """IEEE double product; the CUDA wrapper replaces it with a never-fused ``__dmul_rn``."""
    return a * b


def philox_rounds(c0, c1, c2, c3, k0, k1, k1_step):
    """The ten Philox4x32 rounds: the two 32x32 -> 64-bit products, their high halves xored with key words k0 and
    k1, which advance by 0x9E3779B9 and `k1_step` between rounds."""
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
        k1 = np.uint32((np.uint64(k1) + np.uint64(k1_step)) & np.uint64(_LO32))
    return c0, c1, c2, c3


def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 block function: four counter words and two key words to four random words."""
    return philox_rounds(c0, c1, c2, c3, k0, k1, _PHILOX_W1)


def contract_block(blk, stream, k0, k1):
    """The four words of Philox block `blk` of `stream`: the portable contract's counter layout, in one place.

    Element i of a stream is word i & 3 of block i >> 2; the counter is (block lo, block hi, stream lo, stream hi).
    """
    return philox4x32(np.uint32(blk & _LO32), np.uint32(blk >> 32), np.uint32(stream & _LO32),
                      np.uint32(stream >> 32), k0, k1)


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
    return log_scaled(y, e)


def log_scaled(y, e):
    """log(y * 2**e) for y in [sqrt(1/2), sqrt(2)): the float32 series every float32 log here ends in."""
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


# --- double-precision log, cos and sin from + - * / only --------------------------------------------------------
# MindSpore's generators round double (or float) libm results; these reproduce them to a few double ulps, which
# rounds to the same float32 for every input they see (tested exhaustively), and LLVM vectorizes them (libm calls
# it does not).
_D1 = np.float64(1.0)
_D2 = np.float64(2.0)
_DHALF = np.float64(0.5)
_DMINUS_TWO = np.float64(-2.0)
_DSQRT_HALF = np.float64(math.sqrt(0.5))
_DP16 = np.float64(2.0 ** 16)
_DP8 = np.float64(2.0 ** 8)
_DP4 = np.float64(2.0 ** 4)
_DP2 = np.float64(2.0 ** 2)
_DM16 = np.float64(2.0 ** -16)
_DM8 = np.float64(2.0 ** -8)
_DM4 = np.float64(2.0 ** -4)
_DM2 = np.float64(2.0 ** -2)
_DM1 = np.float64(0.5)
_DTINY = np.float64(2.0 ** -200)
_DP64 = np.float64(2.0 ** 64)
_DP32 = np.float64(2.0 ** 32)
_DM64 = np.float64(2.0 ** -64)
_DM32 = np.float64(2.0 ** -32)
_DLN2_HI = np.float64(0.6931471806019545)  # 32 significant bits: e * _DLN2_HI is exact for |e| < 2**21
_DLN2_LO = np.float64(-4.2009150726810846e-11)
# 2 atanh(s) = 2s + s * (2/3 z + 2/5 z^2 + ... + 2/23 z^11), z = s^2 <= 0.0295: truncation below 1e-18
_DL = [np.float64(2.0 / (2 * k + 1)) for k in range(1, 12)]
_DL1, _DL2, _DL3, _DL4, _DL5, _DL6, _DL7, _DL8, _DL9, _DL10, _DL11 = _DL
# pi/2 in three parts of 33, 33 and 53 bits (Cody & Waite): k * part is exact for the k (< 8) used here
_DPIO2_1 = np.float64(1.5707963267341256)
_DPIO2_2 = np.float64(6.077100506303966e-11)
_DPIO2_3 = np.float64(2.0222662487959506e-21)
_D2_OVER_PI = np.float64(2.0 / math.pi)
# Taylor coefficients on [-pi/4, pi/4]: sin to r^17, cos to r^18 (truncation below 1e-19)
_DS = [np.float64((-1) ** k / math.factorial(2 * k + 1)) for k in range(1, 9)]
_DS1, _DS2, _DS3, _DS4, _DS5, _DS6, _DS7, _DS8 = _DS
_DC = [np.float64((-1) ** k / math.factorial(2 * k)) for k in range(2, 10)]
_DC2, _DC3, _DC4, _DC5, _DC6, _DC7, _DC8, _DC9 = _DC


def dscale_below(y, e, bound, factor, step):
    """`scale_below` in double: (y * factor, e - step) if y < bound (factor a power of two: exact)."""
    small = y < bound
    return (dmul(y, factor) if small else y), (e - step if small else e)


def log_f64(y):
    """Natural log of a double y in [2**-200, 1] (smaller y is taken as 2**-200), to a few double ulps."""
    y = y if y > _DTINY else _DTINY
    e = np.int32(0)
    y, e = dscale_below(y, e, _DM64, _DP64, np.int32(64))
    y, e = dscale_below(y, e, _DM64, _DP64, np.int32(64))
    y, e = dscale_below(y, e, _DM32, _DP32, np.int32(32))
    y, e = dscale_below(y, e, _DM16, _DP16, np.int32(16))
    y, e = dscale_below(y, e, _DM8, _DP8, np.int32(8))
    y, e = dscale_below(y, e, _DM4, _DP4, np.int32(4))
    y, e = dscale_below(y, e, _DM2, _DP2, np.int32(2))
    y, e = dscale_below(y, e, _DM1, _D2, np.int32(1))
    y, e = dscale_below(y, e, _DSQRT_HALF, _D2, np.int32(1))  # now y in [sqrt(1/2), sqrt(2))
    return dlog_scaled(y, e)


def dlog_scaled(y, e):
    """log(y * 2**e) for a double y in [sqrt(1/2), sqrt(2)), to a few double ulps (`log_scaled` in double)."""
    f = y - _D1  # exact
    s = f / (_D2 + f)
    z = dmul(s, s)
    r = _DL11
    r = _DL10 + dmul(z, r)
    r = _DL9 + dmul(z, r)
    r = _DL8 + dmul(z, r)
    r = _DL7 + dmul(z, r)
    r = _DL6 + dmul(z, r)
    r = _DL5 + dmul(z, r)
    r = _DL4 + dmul(z, r)
    r = _DL3 + dmul(z, r)
    r = _DL2 + dmul(z, r)
    r = dmul(z, _DL1 + dmul(z, r))
    hfsq = dmul(_DHALF, dmul(f, f))
    ef = np.float64(e)
    # log(1 + f) = f - hfsq + s * (hfsq + r), summed small terms first (fdlibm's arrangement)
    return dmul(ef, _DLN2_HI) + (f - (hfsq - (dmul(s, hfsq + r) + dmul(ef, _DLN2_LO))))


def cossin_f64(a):
    """(cos a, sin a) of a double a in [0, 8), to about one double ulp."""
    k = np.int32(dmul(a, _D2_OVER_PI) + _DHALF)  # nearest quarter turn (a >= 0: truncation rounds)
    kf = np.float64(k)
    r = ((a - dmul(kf, _DPIO2_1)) - dmul(kf, _DPIO2_2)) - dmul(kf, _DPIO2_3)
    z = dmul(r, r)
    ps = _DS8
    ps = _DS7 + dmul(z, ps)
    ps = _DS6 + dmul(z, ps)
    ps = _DS5 + dmul(z, ps)
    ps = _DS4 + dmul(z, ps)
    ps = _DS3 + dmul(z, ps)
    ps = _DS2 + dmul(z, ps)
    ps = _DS1 + dmul(z, ps)
    s = r + dmul(dmul(r, z), ps)
    pc = _DC9
    pc = _DC8 + dmul(z, pc)
    pc = _DC7 + dmul(z, pc)
    pc = _DC6 + dmul(z, pc)
    pc = _DC5 + dmul(z, pc)
    pc = _DC4 + dmul(z, pc)
    pc = _DC3 + dmul(z, pc)
    pc = _DC2 + dmul(z, pc)
    c = (_D1 - dmul(_DHALF, z)) + dmul(dmul(z, z), pc)
    q = k & np.int32(3)  # rotate by q quarter turns, as in `sincos_turn`
    swap = (q & np.int32(1)) != 0
    cq = s if swap else c
    sq = c if swap else s
    cq = -cq if (q == 1 or q == 2) else cq
    sq = -sq if q >= 2 else sq
    return cq, sq


# --- MindSpore r1.3's random_normal (the "mindspore-r1.3" generator; see shared/MINDSPORE_RNG.md) ----------------
_R13_TWO_PI = np.float32(np.float32(2.0) * np.float32(3.14))  # C++ `2 * 3.14f`: PI is literally 3.14f
_R13_MIN_U = np.float32(1e-7)
_TWO_M23 = np.float32(2.0 ** -23)
_R13_KEY_STEP = (_ROUNDS * _PHILOX_W0) & _LO32  # a call's ten advances of key word 0
R13_CHAINS = 16  # random_normal always splits the tensor into 16 chains (1 when it has at most 16 elements)


def r13_uniform(g):
    """float32(0x3F800000 | (g & 0x7FFFFF)) - 1, at least 1e-7: the mantissa bits times 2**-23, exactly."""
    u = mul(np.float32(np.int32(g & np.uint32(0x7FFFFF))), _TWO_M23)
    return u if u > _R13_MIN_U else _R13_MIN_U


def r13_philox(s0, s1, s2, s3, k0):
    """One call of r1.3's generator: ten rounds that xor key word 0 into both halves, then the state plus one.

    Returns the new state (which is also the call's four output words) and the advanced key word; the key is
    a member of the generator and stays advanced across calls.
    """
    # r1.3 xors key word 0 into both halves: Philox's rounds with key word 1 equal to, and stepping as, word 0
    s0, s1, s2, s3 = philox_rounds(s0, s1, s2, s3, k0, k0, _PHILOX_W0)
    k0 = np.uint32((np.uint64(k0) + np.uint64(_R13_KEY_STEP)) & np.uint64(_LO32))
    return r13_skip(s0, s1, s2, s3, np.uint64(1)) + (k0,)


def r13_calls(out, tail, t, start, length, j0, j1, state):
    """Calls j0 .. j1 - 1 of chain t (first element `start`, `length` elements) from `state` = (s0, s1, s2, s3,
    k0); each call's four uniforms go to out[start + 4j ...], or, for a last call that feeds elements past the
    chain's end, to tail[t]. Returns the state after them."""
    s0, s1, s2, s3, k0 = state
    for j in range(j0, j1):
        s0, s1, s2, s3, k0 = r13_philox(s0, s1, s2, s3, k0)
        e = start + (j << 2)  # call j feeds elements 4j .. 4j + 3 of the chain
        dest = out[e:e + 4] if e + 3 < start + length else tail[t]
        dest[0] = r13_uniform(s0)
        dest[1] = r13_uniform(s1)
        dest[2] = r13_uniform(s2)
        dest[3] = r13_uniform(s3)
    return s0, s1, s2, s3, k0


def r13_fresh(seed, seed2, skip):
    """The (s0, s1, s2, s3, k0) of r1.3's generator for (seed, seed2), its state advanced by `skip` calls."""
    return r13_skip(np.uint32(0), np.uint32(0), np.uint32(seed2 & _LO32), np.uint32(seed2 >> 32),
                    np.uint64(skip)) + (np.uint32(seed & _LO32),)


def r13_skip(s0, s1, s2, s3, n):
    """The 128-bit state (s0 least significant) plus n (a uint64), carried through all four words."""
    t = np.uint64(s0) + (n & np.uint64(_LO32))
    s0 = np.uint32(t & np.uint64(_LO32))
    t = np.uint64(s1) + (n >> np.uint64(32)) + (t >> np.uint64(32))
    s1 = np.uint32(t & np.uint64(_LO32))
    t = np.uint64(s2) + (t >> np.uint64(32))
    s2 = np.uint32(t & np.uint64(_LO32))
    s3 = np.uint32((np.uint64(s3) + (t >> np.uint64(32))) & np.uint64(_LO32))
    return s0, s1, s2, s3


def r13_chain(total, t):
    """(first element, length, state skip) of chain t of a `total`-element tensor in r1.3's 16-way split.

    Chains 0..14 take total // 16 elements each and chain 15 the rest; chain t's generator starts at the fresh
    state advanced by (its own length * t + 3) // 4 calls. A tensor of at most 16 elements is one chain.
    """
    if total <= R13_CHAINS:
        return 0, (total if t == 0 else 0), 0
    batch = total // R13_CHAINS
    length = batch if t < R13_CHAINS - 1 else total - (R13_CHAINS - 1) * batch
    return t * batch, length, (length * t + 3) // 4


def r13_box_muller(u0, u1):
    """r1.3's two normals of a uniform pair: r = sqrt(-2 * (double) logf(u0)), a = 6.28f * u1 (float);
    (float)(r * (double) sinf(a)) first, then the cosine; logf/sinf/cosf correctly rounded."""
    r = math.sqrt(dmul(_DMINUS_TWO, np.float64(np.float32(log_f64(np.float64(u0))))))
    c, s = cossin_f64(np.float64(mul(_R13_TWO_PI, u1)))
    return np.float32(dmul(r, np.float64(np.float32(s)))), np.float32(dmul(r, np.float64(np.float32(c))))


# --- MindSpore 2.10's random.h (the "mindspore-2" generator) ----------------------------------------------------
_TWO_M32 = np.float64(2.0 ** -32)
_DTWO_M23 = np.float64(2.0 ** -23)
_MS2_MIN_U = np.float64(np.float32(1e-7))  # `constexpr T threshold = 1.0e-7f`, T = double
_MS2_TWO_PI = np.float64(2.0 * np.float64(np.float32(3.1415926)))  # 2 * (double) 3.1415926f, exact


def ms2_block(blk, seed):
    """Philox4x32-10 block `blk` of a 2.10 generator: key (seed lo, seed hi), counter (blk lo, blk hi, seed lo,
    seed hi). Element i of a fill uses word i & 3 of block i >> 2 (2.10's tasks skip ahead to their first
    element), so every value is a pure function of (seed, i)."""
    s0 = np.uint32(seed & _LO32)
    s1 = np.uint32(seed >> 32)
    return philox4x32(np.uint32(blk & _LO32), np.uint32(blk >> 32), s0, s1, s0, s1)


def ms2_unit(w):
    """UniformDistribution's s = w / 2**32 in double (exact)."""
    return dmul(np.float64(w), _TWO_M32)


def ms2_normal_pair(wa, wb, mean, sigma):
    """NormalDistribution in double: x = sqrt(-2 log u1) * sigma, y = 2 pi u2; (mean + x cos y, mean + x sin y)."""
    u1 = dmul(np.float64(wa & np.uint32(0x7FFFFF)), _DTWO_M23)
    u2 = dmul(np.float64(wb & np.uint32(0x7FFFFF)), _DTWO_M23)
    u1 = u1 if u1 > _MS2_MIN_U else _MS2_MIN_U
    u2 = u2 if u2 > _MS2_MIN_U else _MS2_MIN_U
    x = dmul(math.sqrt(dmul(_DMINUS_TWO, log_f64(u1))), sigma)
    c, s = cossin_f64(dmul(_MS2_TWO_PI, u2))
    return np.float32(mean + dmul(x, c)), np.float32(mean + dmul(x, s))


def ms2_draw4(dist, w0, w1, w2, w3, p0, p1):
    """Four float32 samples of one block. UNIFORM: p1 * s + p0 (p1 = b - a, p0 = a, in double). NORMAL: two
    pairs with mean p0 and sigma p1."""
    if dist == UNIFORM:
        return (np.float32(dmul(p1, ms2_unit(w0)) + p0), np.float32(dmul(p1, ms2_unit(w1)) + p0),
                np.float32(dmul(p1, ms2_unit(w2)) + p0), np.float32(dmul(p1, ms2_unit(w3)) + p0))
    z0, z1 = ms2_normal_pair(w0, w1, p0, p1)
    z2, z3 = ms2_normal_pair(w2, w3, p0, p1)
    return z0, z1, z2, z3


# --- direct convolution -----------------------------------------------------------------------------------------
def conv_row_taps(acc, x, w, n, o, c0, z0, y0, dil, stride, ow_lo, ow_hi):
    """acc[i, ow] += x * w[o] for ow in [ow_lo, ow_hi) of consecutive output rows i (input rows from y0 + i *
    stride[1]), tap by tap in (channel, kernel depth, kernel row, kernel column) order.

    Each product is rounded before its add (`mul`), as MindSpore's CPU convolution sums, so small convolutions
    print MindSpore's digits. x is the zero-padded NCDHW input (every tap is inside it) and w is
    O x C/group x KD x KH x KW; c0 is the first input channel of o's group; z0, y0 are the first row's input
    depth and row. The rows share each tap's weight.
    """
    kd_n, kh_n, kw_n = w.shape[2], w.shape[3], w.shape[4]
    sw = stride[2]
    nine = kh_n == 3 and kw_n == 3 and sw == 1 and dil[2] == 1
    for c in range(w.shape[1]):
        for kd in range(kd_n):
            z = z0 + kd * dil[0]
            if nine:
                conv_rows_nine(acc, x, w, n, o, c0 + c, c, z, kd, y0, dil[1], stride[1], ow_lo, ow_hi)
                continue
            for kh in range(kh_n):
                for kw in range(kw_n):
                    wv = w[o, c, kd, kh, kw]
                    # unsigned offsets and a unit-stride loop: what LLVM vectorizes
                    a0 = np.uint64(ow_lo)
                    x0 = np.uint64(ow_lo * sw + kw * dil[2])
                    for i in range(acc.shape[0]):
                        xrow = x[n, c0 + c, z, y0 + i * stride[1] + kh * dil[1]]
                        arow = acc[i]
                        if sw == 1:
                            for j in range(np.uint64(ow_hi - ow_lo)):
                                arow[a0 + j] += mul(xrow[x0 + j], wv)
                        else:
                            for j in range(np.uint64(ow_hi - ow_lo)):
                                arow[a0 + j] += mul(xrow[x0 + j * np.uint64(sw)], wv)


def conv_rows_nine(acc, x, w, n, o, cx, c, z, kd, y0, dh, sh, ow_lo, ow_hi):
    """`conv_row_taps` for one 3x3 unit-stride kernel plane: the nine rounded products of an output added in
    (row, column) order in one pass (one load and store of the sum instead of nine), the same sums."""
    w00 = w[o, c, kd, 0, 0]
    w01 = w[o, c, kd, 0, 1]
    w02 = w[o, c, kd, 0, 2]
    w10 = w[o, c, kd, 1, 0]
    w11 = w[o, c, kd, 1, 1]
    w12 = w[o, c, kd, 1, 2]
    w20 = w[o, c, kd, 2, 0]
    w21 = w[o, c, kd, 2, 1]
    w22 = w[o, c, kd, 2, 2]
    one = np.uint64(1)
    two = np.uint64(2)
    for i in range(acc.shape[0]):
        y = y0 + i * sh
        r0 = x[n, cx, z, y]
        r1 = x[n, cx, z, y + dh]
        r2 = x[n, cx, z, y + dh + dh]
        arow = acc[i]
        for j in range(np.uint64(ow_lo), np.uint64(ow_hi)):
            s = arow[j] + mul(r0[j], w00)
            s = (s + mul(r0[j + one], w01)) + mul(r0[j + two], w02)
            s = ((s + mul(r1[j], w10)) + mul(r1[j + one], w11)) + mul(r1[j + two], w12)
            arow[j] = ((s + mul(r2[j], w20)) + mul(r2[j + one], w21)) + mul(r2[j + two], w22)


def im2col_source(r, p, kernel, stride, dilation, pad, out_size):
    """(c, z, y, x) of the input that im2col row r = (c, kd, kh, kw) reads at output position p = (od, oh, ow)
    (flat, C order), c counted from the first channel the rows cover; z, y, x may fall outside (zero padding)."""
    kd_n, kh_n, kw_n = kernel
    oh_n, ow_n = out_size[1], out_size[2]
    k3 = kd_n * kh_n * kw_n
    k = r % k3
    z = (p // (oh_n * ow_n)) * stride[0] - pad[0] + (k // (kh_n * kw_n)) * dilation[0]
    y = ((p // ow_n) % oh_n) * stride[1] - pad[1] + ((k // kw_n) % kh_n) * dilation[1]
    xw = (p % ow_n) * stride[2] - pad[2] + (k % kw_n) * dilation[2]
    return r // k3, z, y, xw


# --- pooling and normalisation ----------------------------------------------------------------------------------
# Pooling modes of `PoolPlan.mode`; `minispore.ops` uses the same names.
MAX_POOL = 0
MAX_POOL_ARGMAX = 1  # max pooling that also records where each maximum came from
AVG_POOL = 2

# Elements of one channel (BatchNorm) or one row (LayerNorm) a partial sum covers: a shape-only split, so the
# statistics never depend on the thread count or the device.
NORM_CHUNK = 4096

_D0 = np.float64(0.0)


class PoolPlan(collections.namedtuple(
        "PoolPlan", "mode kernel stride dilation pad count_lo count_hi divisor")):
    """What a pooling launcher needs, decided once above both targets (not a body: outside `__all__`). The
    launchers hand its fields to the kernels as plain ints and int tuples.

    mode: MAX_POOL, MAX_POOL_ARGMAX or AVG_POOL. kernel, stride, dilation, pad (before), count_lo, count_hi: three
    ints each (depth, height, width). An average divides by `divisor` when it is > 0, else by the number of window
    cells inside [-count_lo, size + count_hi) on every axis (0, 0: real cells only; the pads: padding counts).
    """


def imul(a, b):
    """Integer product (index arithmetic), spelled so that no float product can hide in it."""
    return np.int64(a) * np.int64(b)


def pool_row_taps(mode, acc, arg, x, n, c, z0, y0, kernel, stride, dilation, pad_w, ow_lo, ow_hi):
    """Fold the window taps of consecutive output rows i into acc[i, ow] for ow in [ow_lo, ow_hi), tap by tap in
    (depth, row, column) order: the maximum (NaN wins, the first maximum's flat input index goes to arg[i, ow]
    with MAX_POOL_ARGMAX) or the sum (AVG_POOL). Cells outside x (padding) are skipped.

    x is NCDHW; z0, y0 are the input depth and row of the first row's window (before dilation); row i's window
    starts stride rows lower; pad_w is the left padding. acc holds -inf (max) or 0 (sum), arg -1, on entry.
    """
    kd_n, kh_n, kw_n = kernel
    sw = stride[2]
    d_n, h_n, w_n = x.shape[2], x.shape[3], x.shape[4]
    z = z0
    for kd in range(kd_n):
        if 0 <= z < d_n:
            yk = y0
            for kh in range(kh_n):
                off = -pad_w  # input column of output column 0 for this tap
                for kw in range(kw_n):
                    lo, hi = valid_range(off, sw, w_n, acc.shape[1])
                    lo = max(lo, ow_lo)
                    hi = min(hi, ow_hi)
                    x0 = off + imul(lo, sw)
                    y = yk
                    for i in range(acc.shape[0]):
                        if 0 <= y < h_n and lo < hi:
                            xrow = x[n, c, z, y]
                            arow = acc[i]
                            if mode == AVG_POOL:
                                if sw == 1:  # unsigned offsets, unit stride: the loops LLVM vectorizes
                                    for j in range(np.uint64(hi - lo)):
                                        arow[np.uint64(lo) + j] += xrow[np.uint64(x0) + j]
                                else:
                                    xi = x0
                                    for j in range(lo, hi):
                                        arow[j] += xrow[xi]
                                        xi += sw
                            elif mode == MAX_POOL:
                                if sw == 1:
                                    for j in range(np.uint64(hi - lo)):
                                        v = xrow[np.uint64(x0) + j]
                                        m = arow[np.uint64(lo) + j]
                                        arow[np.uint64(lo) + j] = v if (v > m) | (v != v) else m
                                else:
                                    xi = x0
                                    for j in range(lo, hi):
                                        v = xrow[xi]
                                        m = arow[j]
                                        arow[j] = v if (v > m) | (v != v) else m
                                        xi += sw
                            else:  # selects, not branches: the loop stays vectorizable
                                brow = arg[i]
                                flat = imul(imul(z, h_n) + y, w_n) + x0
                                for j in range(np.uint64(hi - lo)):
                                    jo = np.uint64(lo) + j
                                    step = np.uint64(j) * np.uint64(sw)
                                    xi = np.uint64(x0) + step
                                    v = xrow[xi]
                                    m = arow[jo]
                                    a = brow[jo]
                                    take = (v > m) | (v != v) | (a < 0)
                                    arow[jo] = v if take else m
                                    brow[jo] = flat + np.int64(step) if take else a
                        y += stride[1]
                    off += dilation[2]
                yk += dilation[1]
        z += dilation[0]


def pool_count(o, stride, pad, kernel, size, count_lo, count_hi):
    """How many cells of output o's window [o * stride - pad, + kernel) lie in [-count_lo, size + count_hi)."""
    start = imul(o, stride) - pad
    return max(0, min(start + kernel, size + count_hi) - max(start, -count_lo))


def pool_average(acc, od, oh0, kernel, stride, pad, count_lo, count_hi, divisor, in_shape, ow_lo, ow_hi):
    """acc[i, ow] /= the divisor of output (od, oh0 + i, ow), ow in [ow_lo, ow_hi) (see `PoolPlan`).

    The quotient is formed in double and rounded once to acc's type: the correctly rounded division for float32
    (double has more than 2 * 24 + 2 bits), on every target.
    """
    for i in range(acc.shape[0]):
        cz = pool_count(od, stride[0], pad[0], kernel[0], in_shape[2], count_lo[0], count_hi[0])
        cy = pool_count(oh0 + i, stride[1], pad[1], kernel[1], in_shape[3], count_lo[1], count_hi[1])
        for ow in range(ow_lo, ow_hi):
            cx = pool_count(ow, stride[2], pad[2], kernel[2], in_shape[4], count_lo[2], count_hi[2])
            div = divisor if divisor > 0 else max(1, imul(imul(cz, cy), cx))
            acc[i, ow] = np.float64(acc[i, ow]) / np.float64(div)


def adaptive_average(x, n, c, h0, h1, w0, w1):
    """Mean of x[n, c, h0:h1, w0:w1] (an adaptive pooling window), summed row by row in double, divided in
    double (the caller rounds it once to x's type)."""
    total = _D0
    for h in range(h0, h1):
        row = x[n, c, h]
        for w in range(w0, w1):
            total += np.float64(row[w])
    return total / np.float64(imul(h1 - h0, w1 - w0))


def norm_sums(x, c, t0, t1, shift):
    """(sum of d, sum of d * d), d = x - shift in double, over the flat positions [t0, t1) of channel c of x
    (N, C, S) (position t is x[t // S, c, t % S]), in four interleaved lanes, then lane 0 + 1 + 2 + 3.

    The lanes break the chain of dependent additions (4x faster); their order is fixed, so the result is the same
    on every target. A LayerNorm row is channel 0 of an (R, 1, L) view.
    """
    s_n = x.shape[2]
    a0 = a1 = a2 = a3 = _D0
    b0 = b1 = b2 = b3 = _D0
    t = t0
    while t < t1:
        n = t // s_n
        k = t - imul(n, s_n)
        k1 = min(s_n, k + (t1 - t))
        t += k1 - k
        row = x[n, c]
        while k + 4 <= k1:
            d0 = np.float64(row[k]) - shift
            d1 = np.float64(row[k + 1]) - shift
            d2 = np.float64(row[k + 2]) - shift
            d3 = np.float64(row[k + 3]) - shift
            a0 += d0
            a1 += d1
            a2 += d2
            a3 += d3
            b0 += dmul(d0, d0)
            b1 += dmul(d1, d1)
            b2 += dmul(d2, d2)
            b3 += dmul(d3, d3)
            k += 4
        while k < k1:
            d0 = np.float64(row[k]) - shift
            a0 += d0
            b0 += dmul(d0, d0)
            k += 1
    return (a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3)


def norm_moments(s1, s2, count, shift):
    """(mean, biased variance, unbiased variance) in double of `count` values from the sums s1, s2 of
    d = x - shift (`norm_sums`); the unbiased one is the biased one for a single value."""
    m1 = s1 / count
    var = (s2 - dmul(s1, m1)) / count
    var = var if var > _D0 else _D0
    unbiased = dmul(var, np.float64(count) / np.float64(count - 1)) if count > 1 else var
    return shift + m1, var, unbiased


def norm_rstd(var, eps):
    """1 / sqrt(var + eps) in double."""
    return _D1 / math.sqrt(np.float64(var) + eps)


def norm_affine(mean, var, gamma, beta, eps):
    """(scale, offset) in double with gamma * (x - mean) / sqrt(var + eps) + beta = x * scale + offset."""
    scale = dmul(np.float64(gamma), norm_rstd(var, eps))
    return scale, np.float64(beta) - dmul(np.float64(mean), scale)


def layer_norm_value(v, mean, rstd, gamma, beta):
    """(v - mean) * rstd * gamma + beta, every operand of v's type, left to right."""
    return mul(mul(v - mean, rstd), gamma) + beta


def moving_average(moving, batch, momentum):
    """(1 - momentum) * moving + momentum * batch, in double (MindSpore's primitive momentum)."""
    return dmul(_D1 - momentum, np.float64(moving)) + dmul(momentum, np.float64(batch))


def batch_norm_channel(partial, x, gamma, beta, moving_mean, moving_var, eps, momentum, stats, affine, c):
    """Channel c of BatchNorm's training statistics from `partial` (see the `norm_partial_sums` launchers): the
    batch mean, biased and unbiased variance into stats[:, c], the moving statistics updated in place, and
    (scale, offset) into affine[:, c]."""
    s1 = 0.0
    s2 = 0.0
    for p in range(partial.shape[1]):
        s1 += partial[c, p, 0]
        s2 += partial[c, p, 1]
    mean, var, unbiased = norm_moments(s1, s2, imul(x.shape[0], x.shape[2]), np.float64(x[0, c, 0]))
    stats[0, c] = mean
    stats[1, c] = var
    stats[2, c] = unbiased
    moving_mean[c] = moving_average(moving_mean[c], mean, momentum)
    moving_var[c] = moving_average(moving_var[c], unbiased, momentum)
    scale, offset = norm_affine(mean, var, gamma[c], beta[c], eps)
    affine[0, c] = scale
    affine[1, c] = offset


def dropout_keep(w, keep_prob):
    """Whether an element whose random word is w survives: its portable uniform (`unit_float`) < keep_prob."""
    return unit_float(w) < keep_prob


def col2im_row_taps(acc, cols, b, cl, i0, stride, dilation, pad, j_lo, j_hi):
    """acc[r, j] += cols[b, cl, kh, kw, p, q] for output rows i0 + r and columns j in [j_lo, j_hi), tap by tap in
    (kernel row, kernel column) order: the taps of a transposed convolution, whose (p, q) lands on (i, j) when
    i = p * stride[0] + kh * dilation[0] - pad[0] and j = q * stride[1] + kw * dilation[1] - pad[1].

    Every output element receives at most one product per tap, in the same order on every target; the rows of a
    block share each tap's column bounds.
    """
    kh_n, kw_n, p_n, q_n = cols.shape[2], cols.shape[3], cols.shape[4], cols.shape[5]
    sh, sw = stride
    u0 = i0 + pad[0]  # p * sh + kh * dh of the block's first row, for kh = 0
    for kh in range(kh_n):
        off = -pad[1]  # the output column of q = 0 for this tap
        for kw in range(kw_n):
            lo, hi = valid_range(off - j_lo, sw, j_hi - j_lo, q_n)
            j0 = off + imul(lo, sw)
            u = u0
            for r in range(acc.shape[0]):
                if u >= 0 and u % sh == 0 and u // sh < p_n and lo < hi:
                    arow = acc[r]
                    crow = cols[b, cl, kh, kw, u // sh]
                    if sw == 1:  # unsigned offsets, unit stride: the loop LLVM vectorizes
                        for q in range(np.uint64(hi - lo)):
                            arow[np.uint64(j0) + q] += crow[np.uint64(lo) + q]
                    else:
                        j = j0
                        for q in range(lo, hi):
                            arow[j] += crow[q]
                            j += sw
                u += 1
            off += dilation[1]
        u0 -= dilation[0]


# --- element-wise maps, broadcast binary ops, reductions, softmax ------------------------------------------------
# Each operation is a code (the names `minispore.ops` uses) and a body; a launcher compiles one copy of its loop per
# code with the body bound in (`UNARY`, `BINARY`, `REDUCE_FINISH`), so a new activation is a body and a code.
# Bodies of the float ops are written once, in float32, and compiled a second time for float64 work by
# `compile_bodies(..., wide=True)`, which rebinds the names in `WIDE` (constants, `mul`, the exp/log cores) to their
# double twins. exp, expm1 and log are ours, from + - * / only, so both targets give the same bits.
__all__ += [
    "log_scaled", "dlog_scaled", "float_from_bits", "float_bits", "double_from_bits", "double_bits", "fldexp",
    "dldexp", "fexp", "dexp", "fexpm1", "dexpm1", "flog", "dlog", "ffloor", "dfloor", "fsigmoid", "fmod",
    "fmod_value", "dpow",
    "neg_value", "abs_value", "exp_value", "log_value", "sqrt_value", "relu_value", "irelu_value", "relu6_value",
    "sigmoid_value", "tanh_value", "gelu_value", "erfc_double", "gelu_erf_value", "silu_value", "elu_value",
    "leaky_relu_value",
    "add_value", "sub_value", "mul_value", "div_value", "itrunc_div_value", "floor_div_value", "ifloor_div_value",
    "mod_value", "imod_value", "floor_mod_value", "ifloor_mod_value", "pow_value", "ipow_value", "maximum_value",
    "minimum_value", "equal_value", "not_equal_value", "greater_value", "greater_equal_value", "less_value",
    "less_equal_value",
    "sum_fold", "max_fold", "min_fold", "out_base", "reduced_offset", "reduce_chunk", "arg_better",
    "arg_lane", "softmax_lane",
]

# unary codes (`UNARY` names each one's body, called as body(x, p) with p the op's parameter, e.g. ELU's alpha)
NEG, ABS, EXP, LOG, SQRT, RELU, IRELU, RELU6, SIGMOID, TANH, GELU, GELU_ERF, SILU, ELU, LEAKY_RELU = range(15)
UNARY = {NEG: "neg_value", ABS: "abs_value", EXP: "exp_value", LOG: "log_value", SQRT: "sqrt_value",
         RELU: "relu_value", IRELU: "irelu_value", RELU6: "relu6_value", SIGMOID: "sigmoid_value",
         TANH: "tanh_value", GELU: "gelu_value", GELU_ERF: "gelu_erf_value", SILU: "silu_value", ELU: "elu_value",
         LEAKY_RELU: "leaky_relu_value"}
# binary codes; an I-prefixed code is the integer form of the op (its own algorithm); comparisons give bools
(ADD, SUB, MUL, DIV, ITRUNC_DIV, FLOOR_DIV, IFLOOR_DIV, MOD, IMOD, FLOOR_MOD, IFLOOR_MOD, POW, IPOW, MAXIMUM,
 MINIMUM, EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL) = range(21)
BINARY = {ADD: "add_value", SUB: "sub_value", MUL: "mul_value", DIV: "div_value", ITRUNC_DIV: "itrunc_div_value",
          FLOOR_DIV: "floor_div_value", IFLOOR_DIV: "ifloor_div_value", MOD: "mod_value", IMOD: "imod_value",
          FLOOR_MOD: "floor_mod_value", IFLOOR_MOD: "ifloor_mod_value", POW: "pow_value", IPOW: "ipow_value",
          MAXIMUM: "maximum_value", MINIMUM: "minimum_value", EQUAL: "equal_value", NOT_EQUAL: "not_equal_value",
          GREATER: "greater_value", GREATER_EQUAL: "greater_equal_value", LESS: "less_value",
          LESS_EQUAL: "less_equal_value"}
# reduction codes: FOLD[code] names the body fold(acc, v). `reduce_chunk` calls the name `fold`, which a compile binds
# (`compile_bodies(bind=...)`): a body branching on the op would be inlined many times over, and cost seconds. (A
# mean is a sum divided above the kernels: one kernel fewer to compile per dtype.)
SUM, MAX, MIN = range(3)
FOLD = {SUM: "sum_fold", MAX: "max_fold", MIN: "min_fold"}
BIND = {"fold": "sum_fold"}  # names a compile binds to bodies of its choice, and their defaults
ARGMAX, ARGMIN = range(2)
SOFTMAX, LOG_SOFTMAX = range(2)
REDUCE_CHUNK = 8192  # reduced elements per partial fold: more than this are folded in chunks, then the chunks in order
REDUCE_LANES = 8  # contiguous reductions fold eight interleaved lanes (vectorizable), combined pairwise

_INF = np.float32(np.inf)
_NAN = np.float32(np.nan)
_LOG2E = np.float32(1.4426950408889634)
_LN2 = np.float32(math.log(2.0))
_F2P23 = np.float32(2.0 ** 23)  # float32 magnitudes from here on are integers
_P24 = np.float32(2.0 ** 24)
_TWO_M126 = np.float32(2.0 ** -126)  # the smallest normal float32
_EXP_HI = np.float32(89.0)  # exp(89) overflows float32 and exp(-104) rounds to 0: arguments clamp to [-104, 89]
_EXP_LO = np.float32(-104.0)
# 1/n! for the exp series (n = 2..7 on |r| <= ln2/2) and the expm1 series (n = 2..11 on |x| < ln2)
_X2, _X3, _X4, _X5, _X6, _X7 = (np.float32(1.0 / math.factorial(n)) for n in range(2, 8))
_Y2, _Y3, _Y4, _Y5, _Y6, _Y7, _Y8, _Y9, _Y10, _Y11 = (np.float32(1.0 / math.factorial(n)) for n in range(2, 12))
_GELU_C = np.float32(math.sqrt(2.0 / math.pi))  # GELU's tanh approximation: tanh(c * (x + 0.044715 x^3))
_GELU_C3 = np.float32(math.sqrt(2.0 / math.pi) * 0.044715)
_TANH_SAT = np.float32(40.0)  # tanh rounds to 1 well before this, and expm1(2 * 40) still fits

_D0 = np.float64(0.0)
_D6 = np.float64(6.0)
_DINF = np.float64(np.inf)
_DNAN = np.float64(np.nan)
_DLOG2E = np.float64(1.4426950408889634)
_DLN2 = np.float64(math.log(2.0))
_DSQRT2 = np.float64(math.sqrt(2.0))
_D2P52 = np.float64(2.0 ** 52)
_DP54 = np.float64(2.0 ** 54)
_DTWO_M1022 = np.float64(2.0 ** -1022)
_D2P53 = np.float64(2.0 ** 53)
_DEXP_HI = np.float64(710.0)
_DEXP_LO = np.float64(-746.0)
_DX = [np.float64(1.0 / math.factorial(n)) for n in range(2, 14)]  # exp series to r^13
_DX2, _DX3, _DX4, _DX5, _DX6, _DX7, _DX8, _DX9, _DX10, _DX11, _DX12, _DX13 = _DX
_DY = [np.float64(1.0 / math.factorial(n)) for n in range(2, 19)]  # expm1 series to x^18
_DY2, _DY3, _DY4, _DY5, _DY6, _DY7, _DY8, _DY9, _DY10, _DY11, _DY12, _DY13, _DY14, _DY15, _DY16, _DY17, _DY18 = _DY
_DGELU_C = np.float64(math.sqrt(2.0 / math.pi))
_DGELU_C3 = np.float64(math.sqrt(2.0 / math.pi) * 0.044715)
_DTANH_SAT = np.float64(350.0)
_F6 = np.float32(6.0)
# erfc in double: 2/sqrt(pi) z sum (-z^2)^n / (n! (2n+1)) below 1.5, else Laplace's continued fraction; the float32
# bodies take fewer terms (1e-9 relative) than the float64 ones (1e-15)
_ERF_SPLIT = np.float64(1.5)
_ERF_SERIES = np.array([(-1.0) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(16)])
_DERF_SERIES = np.array([(-1.0) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(24)])
_ERFC_TERMS = 32
_DERFC_TERMS = 80
_D2_SQRTPI = np.float64(2.0 / math.sqrt(math.pi))
_D1_SQRTPI = np.float64(1.0 / math.sqrt(math.pi))
_wcast = np.float32  # the work type of a body compiled for float32; `_dcast` for float64
_dcast = np.float64

# The names float bodies use that a float64 compile rebinds (see `compile_bodies`): constants, `mul` and the cores.
WIDE = {"_F0": "_D0", "_F1": "_D1", "_F2": "_D2", "_HALF": "_DHALF", "_F6": "_D6", "_INF": "_DINF", "_NAN": "_DNAN",
        "_GELU_C": "_DGELU_C", "_GELU_C3": "_DGELU_C3", "_TANH_SAT": "_DTANH_SAT", "_wcast": "_dcast",
        "_ERF_SERIES": "_DERF_SERIES", "_ERFC_TERMS": "_DERFC_TERMS",
        "mul": "dmul", "fexp": "dexp", "fexpm1": "dexpm1", "flog": "dlog", "ffloor": "dfloor"}


def float_from_bits(i):
    """The float32 whose bits are the int32 i. Each target binds a bitcast instead (this form runs in the CUDA
    simulator)."""
    return np.int32(i).view(np.float32)


def float_bits(x):
    """The bits of the float32 x as an int32 (a target binds a bitcast)."""
    return np.float32(x).view(np.int32)


def double_from_bits(i):
    """The double whose bits are the int64 i (a target binds a bitcast)."""
    return np.int64(i).view(np.float64)


def double_bits(x):
    """The bits of the double x as an int64 (a target binds a bitcast)."""
    return np.float64(x).view(np.int64)


def fldexp(y, k):
    """y * 2**k for an integer k in [-252, 254]: two exact powers of two, so one rounding (subnormals too)."""
    h = np.int32(k) >> np.int32(1)
    a = float_from_bits((h + np.int32(127)) << np.int32(23))
    b = float_from_bits((np.int32(k) - h + np.int32(127)) << np.int32(23))
    return mul(mul(y, a), b)


def dldexp(y, k):
    """`fldexp` in double, for an integer k in [-2044, 2046]."""
    h = np.int64(k) >> np.int64(1)
    a = double_from_bits((h + np.int64(1023)) << np.int64(52))
    b = double_from_bits((np.int64(k) - h + np.int64(1023)) << np.int64(52))
    return dmul(dmul(y, a), b)


def fexp(x):
    """e**x of a float32 from + - * / only, to about one ulp: x = k ln2 + r, e**r by its series, times 2**k."""
    t = x if x < _EXP_HI else _EXP_HI  # also NaN: no int conversion ever sees one
    t = t if t > _EXP_LO else _EXP_LO
    u = mul(t, _LOG2E)
    k = np.int32(u + _HALF if u >= _F0 else u - _HALF)  # nearest (int conversion truncates)
    kf = np.float32(k)
    r = (t - mul(kf, _LN2_HI)) - mul(kf, _LN2_LO)  # k * _LN2_HI is exact
    p = mul(mul(r, r), _X2 + mul(r, _X3 + mul(r, _X4 + mul(r, _X5 + mul(r, _X6 + mul(r, _X7))))))
    y = fldexp(_F1 + (r + p), k)
    return y if x == x else x


def dexp(x):
    """e**x of a double from + - * / only, to about one double ulp (`fexp` in double)."""
    t = x if x < _DEXP_HI else _DEXP_HI
    t = t if t > _DEXP_LO else _DEXP_LO
    u = dmul(t, _DLOG2E)
    k = np.int32(u + _DHALF if u >= _D0 else u - _DHALF)
    kf = np.float64(k)
    r = (t - dmul(kf, _DLN2_HI)) - dmul(kf, _DLN2_LO)
    q = _DX13
    q = _DX12 + dmul(r, q)
    q = _DX11 + dmul(r, q)
    q = _DX10 + dmul(r, q)
    q = _DX9 + dmul(r, q)
    q = _DX8 + dmul(r, q)
    q = _DX7 + dmul(r, q)
    q = _DX6 + dmul(r, q)
    q = _DX5 + dmul(r, q)
    q = _DX4 + dmul(r, q)
    q = _DX3 + dmul(r, q)
    q = _DX2 + dmul(r, q)
    y = dldexp(_D1 + (r + dmul(dmul(r, r), q)), k)
    return y if x == x else x


def fexpm1(x):
    """e**x - 1 of a float32, accurate near 0 (its series for |x| < ln2, else exp(x) - 1), to about two ulps."""
    small = abs(x) < _LN2
    s = x if small else _F0
    q = _Y2 + mul(s, _Y3 + mul(s, _Y4 + mul(s, _Y5 + mul(s, _Y6 + mul(s, _Y7 + mul(s, _Y8 + mul(s, _Y9 + mul(
        s, _Y10 + mul(s, _Y11)))))))))
    return s + mul(mul(s, s), q) if small else fexp(x) - _F1


def dexpm1(x):
    """`fexpm1` in double (series to x**18)."""
    small = abs(x) < _DLN2
    s = x if small else _D0
    q = _DY18
    q = _DY17 + dmul(s, q)
    q = _DY16 + dmul(s, q)
    q = _DY15 + dmul(s, q)
    q = _DY14 + dmul(s, q)
    q = _DY13 + dmul(s, q)
    q = _DY12 + dmul(s, q)
    q = _DY11 + dmul(s, q)
    q = _DY10 + dmul(s, q)
    q = _DY9 + dmul(s, q)
    q = _DY8 + dmul(s, q)
    q = _DY7 + dmul(s, q)
    q = _DY6 + dmul(s, q)
    q = _DY5 + dmul(s, q)
    q = _DY4 + dmul(s, q)
    q = _DY3 + dmul(s, q)
    q = _DY2 + dmul(s, q)
    return s + dmul(dmul(s, s), q) if small else dexp(x) - _D1


def flog(x):
    """Natural log of a float32 (any: -inf at 0, NaN below 0 and for NaN), from + - * / only, to about one ulp:
    x = y * 2**e read from its bits (subnormals scaled by 2**24 first), y in [sqrt(1/2), sqrt(2))."""
    ok = x > _F0 and x < _INF
    y = x if ok else _F1
    tiny = y < _TWO_M126
    y = mul(y, _P24) if tiny else y
    bits = float_bits(y)
    e = ((bits >> np.int32(23)) & np.int32(0xFF)) - np.int32(127) - (np.int32(24) if tiny else np.int32(0))
    y = float_from_bits((bits & np.int32(0x7FFFFF)) | np.int32(0x3F800000))  # in [1, 2)
    big = y >= _SQRT2
    y = mul(y, _M1) if big else y
    e = e + np.int32(1) if big else e
    r = log_scaled(y, e)
    return r if ok else (-_INF if x == _F0 else (x if x == _INF else _NAN))


def dlog(x):
    """`flog` in double (subnormals scaled by 2**54 first), to a few double ulps."""
    ok = x > _D0 and x < _DINF
    y = x if ok else _D1
    tiny = y < _DTWO_M1022
    y = dmul(y, _DP54) if tiny else y
    bits = double_bits(y)
    e = ((bits >> np.int64(52)) & np.int64(0x7FF)) - np.int64(1023) - (np.int64(54) if tiny else np.int64(0))
    y = double_from_bits((bits & np.int64(0xFFFFFFFFFFFFF)) | np.int64(0x3FF0000000000000))
    big = y >= _DSQRT2
    y = dmul(y, _DM1) if big else y
    e = e + np.int64(1) if big else e
    r = dlog_scaled(y, np.int32(e))
    return r if ok else (-_DINF if x == _D0 else (x if x == _DINF else _DNAN))


def ffloor(x):
    """floor(x) of a float32, exactly (|x| >= 2**23, inf and NaN are returned as they are)."""
    big = not abs(x) < _F2P23
    t = np.float32(np.int32(_F0 if big else x))  # truncates toward zero
    t = t - _F1 if t > x else t
    return x if big else t


def dfloor(x):
    """`ffloor` in double (|x| >= 2**52 is integral)."""
    big = not abs(x) < _D2P52
    t = np.float64(np.int64(_D0 if big else x))
    t = t - _D1 if t > x else t
    return x if big else t


def fsigmoid(x):
    """1 / (1 + e**-x) without overflow: e**-|x| is at most 1."""
    e = fexp(-abs(x))
    return _F1 / (_F1 + e) if x >= _F0 else e / (_F1 + e)


def fmod(a, b):
    """C's fmod of finite a and nonzero b: exact, so every target's libm gives the same bits (the CPU binds
    NumPy's, which Numba compiles)."""
    return math.fmod(a, b)


def fmod_value(a, b):
    """C's fmod(a, b) (NaN for b == 0 or an infinite a), guarded so that no libm call sees those."""
    ok = b != _F0 and (a - a) == _F0
    m = fmod(a if ok else _F0, b if ok else _F1)
    return m if ok else _NAN


def dpow(a, b):
    """a**b of doubles as C's pow: exp(b log|a|) in double, the sign of an odd integer power, NaN for a negative
    base with a non-integral exponent, 1 for b == 0 and for a == 1."""
    ab = abs(a)
    whole = dfloor(b) == b  # +-inf count as even integers
    odd = whole and abs(b) < _D2P53 and fmod(b, _D2) != _D0
    r = dexp(dmul(b, dlog(ab)))
    r = -r if (odd and a < _D0) else r
    r = _DNAN if (a < _D0 and not whole) else r
    r = _D1 if (ab == _D1 and not abs(b) < _DINF and b == b) else r  # (+-1) ** +-inf
    return _D1 if (b == _D0 or a == _D1) else r


# unary bodies: body(x, p)
def neg_value(x, p):
    return -x


def abs_value(x, p):
    return abs(x)


def exp_value(x, p):
    return fexp(x)


def log_value(x, p):
    return flog(x)


def sqrt_value(x, p):
    return math.sqrt(x) if x >= _F0 else _NAN  # sqrt is correctly rounded everywhere; NaN stays NaN


def relu_value(x, p):
    return x if x > _F0 else _F0  # NaN gives 0, as MindSpore's CPU kernel


def irelu_value(x, p):
    return x if x > 0 else x - x


def relu6_value(x, p):
    y = x if x > _F0 else _F0
    return y if y < _F6 else _F6


def sigmoid_value(x, p):
    return fsigmoid(x)


def tanh_value(x, p):
    """tanh(x) = expm1(2|x|) / (expm1(2|x|) + 2), signed: no cancellation near 0."""
    a = abs(x)
    e = fexpm1(a + a)
    t = e / (e + _F2)
    t = _F1 if a > _TANH_SAT else t
    return -t if x < _F0 else t


def gelu_value(x, p):
    """GELU, tanh approximation: 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = c (x + 0.044715 x^3).

    -2|u| is computed in double and split into float hi + lo, e**(-2|u|) = exp(hi) (1 + lo): in float alone the
    rounding of u would cost |2u| ulps (30 at x = -5).
    """
    d = np.float64(x)
    v = -abs(dmul(d + d, _DGELU_C + dmul(_DGELU_C3, dmul(d, d))))
    hi = _wcast(v)
    lo = _wcast(v - np.float64(hi)) if v > _DEXP_LO else _F0
    e = mul(fexp(hi), _F1 + lo)
    return x / (_F1 + e) if x >= _F0 else mul(x, e) / (_F1 + e)


def erfc_double(t):
    """erfc(t) of a double t: the series of erf below 1.5 (erfc = 1 - erf), else the continued fraction."""
    z = abs(t)
    w = dmul(z, z)
    q = _ERF_SERIES[_ERF_SERIES.size - 1]
    for i in range(_ERF_SERIES.size - 2, -1, -1):
        q = _ERF_SERIES[i] + dmul(w, q)
    s = _D1 - dmul(dmul(_D2_SQRTPI, z), q)
    f = z if z > _ERF_SPLIT else _ERF_SPLIT  # below the split the fraction is not used: keep it finite
    g = f
    for k in range(_ERFC_TERMS, 0, -1):
        g = f + dmul(_DHALF, np.float64(k)) / g
    e = s if z < _ERF_SPLIT else dmul(dexp(-w), _D1_SQRTPI) / g
    return e if t >= _D0 else _D2 - e


def gelu_erf_value(x, p):
    """GELU without approximation: x Phi(x) = x erfc(-x / sqrt(2)) / 2, computed in double."""
    d = np.float64(x)
    return _wcast(dmul(dmul(_DHALF, d), erfc_double(-dmul(d, _DSQRT_HALF))))


def silu_value(x, p):
    """x sigmoid(x), from e**-|x| (no overflow for large negative x)."""
    e = fexp(-abs(x))
    return x / (_F1 + e) if x >= _F0 else mul(x, e) / (_F1 + e)


def elu_value(x, p):
    return x if x > _F0 else mul(p, fexpm1(x))


def leaky_relu_value(x, p):
    return x if x >= _F0 else mul(p, x)


# binary bodies: body(a, b), a and b of the work dtype
def add_value(a, b):
    return a + b


def sub_value(a, b):
    return a - b


def mul_value(a, b):
    return a * b  # also integers, which `mul` (float32 on a GPU) cannot take; one product, nothing to fuse


def div_value(a, b):
    return a / b


def ifloor_div_value(a, b):
    """Python's a // b of integers; 0 where b == 0 (and no trap on INT_MIN // -1)."""
    if b == 0:
        return a - a
    if b == -1:
        return -a
    return a // b


def ifloor_mod_value(a, b):
    """Python's a % b of integers (the sign of b); 0 where b == 0."""
    if b == 0 or b == -1:
        return a - a
    return a % b


def itrunc_div_value(a, b):
    """C's a / b of integers (toward zero); 0 where b == 0."""
    q = ifloor_div_value(a, b)
    r = ifloor_mod_value(a, b)
    return q + 1 if (r != 0 and (a < 0) != (b < 0)) else q


def imod_value(a, b):
    """C's a % b of integers (the sign of a); 0 where b == 0."""
    r = ifloor_mod_value(a, b)
    return r - b if (r != 0 and (a < 0) != (b < 0)) else r


def floor_div_value(a, b):
    """floor(a / b) as NumPy's floor_divide computes it: (a - fmod(a, b)) / b, corrected, so 1 // 0.1 is 9."""
    m = fmod_value(a, b)
    d = (a - m) / b
    d = d - _F1 if (m != _F0 and (b < _F0) != (m < _F0)) else d
    f = ffloor(d)
    f = f + _F1 if d - f > _HALF else f
    f = f if d != _F0 else mul(_F0, a / b)  # a zero with the quotient's sign
    return f if b != _F0 else a / b


def mod_value(a, b):
    return fmod_value(a, b)  # MindSpore's Mod: the sign of a


def floor_mod_value(a, b):
    """a - floor(a / b) * b as NumPy computes it: fmod, moved into b's sign; NaN where b == 0."""
    m = fmod_value(a, b)
    m = m + b if (m != _F0 and (b < _F0) != (m < _F0)) else m
    return m if m != _F0 else (-_F0 if b < _F0 else _F0)


def pow_value(a, b):
    """a**b: exact forms for b in (2, 1, 0.5, -1) (NumPy's), else C's pow computed in double and rounded."""
    if b == _F2:
        return mul(a, a)
    if b == _F1:
        return a
    if b == _HALF:
        return sqrt_value(a, a)
    if b == -_F1:
        return _F1 / a
    return _wcast(dpow(np.float64(a), np.float64(b)))


def ipow_value(a, b):
    """a**b of integers by squaring, in int64 (wrapping as NumPy's); for b < 0 the integer part of 1 / a**-b."""
    if b < 0:
        if a == 1:
            return a
        if a == -1:
            return a if (b & 1) != 0 else -a
        return a - a
    r = np.int64(1)
    base = a
    e = b
    while e > 0:
        if (e & 1) != 0:
            r = imul(r, base)
        base = imul(base, base)
        e = e >> 1
    return r


def maximum_value(a, b):
    return a if (a > b) | (a != a) else b  # NaN wins, and a tie gives b (signed zeros too): NumPy's maximum exactly


def minimum_value(a, b):
    return a if (a < b) | (a != a) else b


def equal_value(a, b):
    return a == b


def not_equal_value(a, b):
    return a != b


def greater_value(a, b):
    return a > b


def greater_equal_value(a, b):
    return a >= b


def less_value(a, b):
    return a < b


def less_equal_value(a, b):
    return a <= b


# reductions
def sum_fold(acc, v):
    return acc + v


def max_fold(acc, v):
    return v if (v > acc) | (v != v) else acc  # NaN wins, as in NumPy; `|`, not `or`: no branch to compile


def min_fold(acc, v):
    return v if (v < acc) | (v != v) else acc


fold = sum_fold  # what `reduce_chunk` folds with: each compile binds it (`BIND`)


def out_base(o, oshape, ostr):
    """The input offset of output element o (C order over `oshape`), whose axes step `ostr` in the input."""
    base = 0
    for d in range(len(oshape) - 1, -1, -1):
        base += imul(o % oshape[d], ostr[d])
        o //= oshape[d]
    return base


def reduced_offset(k, rshape, rstr):
    """The input offset of reduced element k (C order over the reduced axes `rshape`, steps `rstr`)."""
    off = 0
    for d in range(len(rshape) - 1, -1, -1):
        off += imul(k % rshape[d], rstr[d])
        k //= rshape[d]
    return off


def reduce_chunk(a, base, k0, k1, rshape, rstr, lanes):
    """The `fold` of reduced elements k0 .. k1 - 1 (k1 > k0) of the output at `base`, in an order fixed by the shape.

    `lanes` (the reduced elements are contiguous): eight interleaved running folds, combined pairwise, then the
    tail; else one element after another.
    """
    n = k1 - k0
    if lanes and n >= (REDUCE_LANES << 1):
        p = base + k0
        s0, s1, s2, s3, s4, s5, s6, s7 = a[p], a[p + 1], a[p + 2], a[p + 3], a[p + 4], a[p + 5], a[p + 6], a[p + 7]
        for i in range(1, n >> 3):
            q = p + (i << 3)
            s0 = fold(s0, a[q])
            s1 = fold(s1, a[q + 1])
            s2 = fold(s2, a[q + 2])
            s3 = fold(s3, a[q + 3])
            s4 = fold(s4, a[q + 4])
            s5 = fold(s5, a[q + 5])
            s6 = fold(s6, a[q + 6])
            s7 = fold(s7, a[q + 7])
        acc = fold(fold(fold(s0, s1), fold(s2, s3)),
                         fold(fold(s4, s5), fold(s6, s7)))
        for k in range(p + (n >> 3 << 3), base + k1):
            acc = fold(acc, a[k])
        return acc
    if lanes:
        acc = a[base + k0]
        for k in range(base + k0 + 1, base + k1):
            acc = fold(acc, a[k])
        return acc
    acc = a[base + reduced_offset(k0, rshape, rstr)]
    for k in range(k0 + 1, k1):
        acc = fold(acc, a[base + reduced_offset(k, rshape, rstr)])
    return acc


def arg_better(op, v, best):
    """Whether v replaces `best` in ARGMAX (ARGMIN): strictly larger (smaller), or the first NaN (as NumPy)."""
    if op == ARGMAX:
        return (v > best) | ((v != v) & (best == best))
    return (v < best) | ((v != v) & (best == best))


def arg_lane(op, values, indices, a, lane, n, inner):
    """values/indices[lane] = the extreme of a[base + k * inner], k < n, and its first k (lane = o * inner + i)."""
    base = imul(imul(lane // inner, n), inner) + lane % inner
    best = a[base]
    at = 0
    for k in range(1, n):
        v = a[base + imul(k, inner)]
        better = arg_better(op, v, best)
        best = v if better else best  # selects, not a branch: nothing to mispredict
        at = k if better else at
    values[lane] = best
    indices[lane] = at


def softmax_lane(op, out, a, lane, n, inner):
    """SOFTMAX exp(x - max) / sum, or LOG_SOFTMAX (x - max) - log(sum), along one lane of n elements.

    The exps are written to `out` first and summed by `reduce_chunk` (its lane order when the lane is
    contiguous), so the exp loop vectorizes; the division and the log-softmax then overwrite them.
    """
    base = imul(imul(lane // inner, n), inner) + lane % inner
    m = a[base]
    for k in range(1, n):
        m = max_fold(m, a[base + imul(k, inner)])
    if inner == 1:
        for k in range(np.uint64(n)):
            out[np.uint64(base) + k] = fexp(a[np.uint64(base) + k] - m)
    else:
        for k in range(n):
            out[base + imul(k, inner)] = fexp(a[base + imul(k, inner)] - m)
    s = reduce_chunk(out, base, 0, n, (n,), (inner,), inner == 1)
    if op == SOFTMAX:
        for k in range(n):
            out[base + imul(k, inner)] = out[base + imul(k, inner)] / s
    else:
        ls = flog(s)
        for k in range(n):
            out[base + imul(k, inner)] = (a[base + imul(k, inner)] - m) - ls


# --- optimizers: one fused update per parameter element ----------------------------------------------------------
# Each body maps one element's (weight, gradient, state) to its new values, MindSpore's weight decay (w * decay + g)
# and loss-scale division (a product with 1 / scale) included, so a step is one kernel per parameter. Their scalars
# (a `*Step` tuple below, in the parameter's dtype) are computed above the kernels, 1 - beta1 too: the bodies hold
# no constants, and their float64 compile (`wide`) only rebinds `mul` and `_wcast` (a float32 sqrt's result is a
# float32 on every target then; the CUDA simulator's math.sqrt returns a double).
__all__ += ["decayed_gradient", "sgd_value", "momentum_value", "adam_value", "adam_weight_decay_value"]

SGDStep = collections.namedtuple("SGDStep", "lr momentum one_minus_dampening weight_decay scale")
MomentumStep = collections.namedtuple("MomentumStep", "lr momentum weight_decay scale")
AdamStep = collections.namedtuple(
    "AdamStep", "lr_t beta1 one_minus_beta1 beta2 one_minus_beta2 eps weight_decay scale")
AdamWeightDecayStep = collections.namedtuple(
    "AdamWeightDecayStep", "lr beta1 one_minus_beta1 beta2 one_minus_beta2 eps weight_decay")


def decayed_gradient(w, g, weight_decay, scale):
    """MindSpore's decay_weight then scale_grad: (w * decay + g) * (1 / loss_scale). A decay of 0 adds nothing (an
    infinite weight times 0 would add a NaN)."""
    if weight_decay != 0:
        g = mul(w, weight_decay) + g
    return mul(g, scale)


def sgd_value(w, g, accum, stat, lr, momentum, one_minus_dampening, weight_decay, scale, nesterov):
    """ops.SGD: accum = g on the first step (stat > 0, then stat = 0), else accum * momentum + (1 - dampening) * g;
    w -= lr * (g + momentum * accum) with Nesterov, else lr * accum. Without momentum w -= lr * g (state untouched)."""
    g = decayed_gradient(w, g, weight_decay, scale)
    d = g
    if momentum > 0:
        if stat > 0:
            accum = g
            stat = stat - stat
        else:
            accum = mul(accum, momentum) + mul(one_minus_dampening, g)
        d = g + mul(accum, momentum) if nesterov else accum
    return w - mul(lr, d), accum, stat


def momentum_value(w, g, accum, lr, momentum, weight_decay, scale, nesterov):
    """ops.ApplyMomentum: accum = accum * momentum + g; w -= lr * accum, or with Nesterov
    w -= g * lr + accum * momentum * lr (as documented; MindSpore's CPU kernel ignores the flag)."""
    g = decayed_gradient(w, g, weight_decay, scale)
    accum = mul(accum, momentum) + g
    if nesterov:
        return w - (mul(g, lr) + mul(mul(accum, momentum), lr)), accum
    return w - mul(lr, accum), accum


def adam_value(w, g, m, v, vhat, lr_t, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, scale,
               nesterov, amsgrad):
    """ops.Adam (ops.ApplyAdamWithAmsgradV2 with `amsgrad`): m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2)
    g^2, vhat = max(vhat, v); w -= lr_t * u / (sqrt(v or vhat) + eps), u = m, or beta1 m + (1 - beta1) g with
    Nesterov; lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t) comes computed."""
    g = decayed_gradient(w, g, weight_decay, scale)
    m = mul(beta1, m) + mul(one_minus_beta1, g)
    v = mul(beta2, v) + mul(one_minus_beta2, mul(g, g))
    if amsgrad:
        vhat = maximum_value(vhat, v)
        root = _wcast(math.sqrt(vhat))
    else:
        root = _wcast(math.sqrt(v))
    u = mul(beta1, m) + mul(one_minus_beta1, g) if nesterov else m
    return w - mul(lr_t, u / (root + eps)), m, v, vhat


def adam_weight_decay_value(w, g, m, v, lr, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay):
    """ops.AdamWeightDecay: the moments as Adam's, no bias correction; w -= lr * (m / (sqrt(v) + eps) + decay w)."""
    m = mul(beta1, m) + mul(one_minus_beta1, g)
    v = mul(beta2, v) + mul(one_minus_beta2, mul(g, g))
    u = m / (_wcast(math.sqrt(v)) + eps)
    if weight_decay != 0:
        u = u + mul(weight_decay, w)
    return w - mul(lr, u), m, v
