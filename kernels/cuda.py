"""CUDA launchers: the bodies wrapped with ``numba.cuda.jit(device=True)`` and grid-stride kernels (GPU only).

Every launcher has the same name and signature as its twin in `cpu.py`. The element kernels' launch geometry
is decided in `_grid` alone: a fixed block size and a capped grid on a real GPU, one tiny block under Numba's
CUDA simulator (NUMBA_ENABLE_CUDASIM=1), where every CUDA thread is a Python thread. They loop grid-stride, so
their results never depend on the geometry. The convolution's GEMM is cuBLAS's, through `cupy.matmul`.

Bit-identity with the CPU: the CUDA compiler contracts a*b+c into an FMA, which the CPU does not, so the bodies'
`mul` is ``__fmul_rn`` here (never fused). The simulator's libdevice functions are stubs, so it keeps plain `*`,
which rounds the same way there.
"""
import numpy as np
from numba import config, cuda

from . import _cache
from ._retarget import compile_bodies
from .conv_plan import DIRECT, plan_conv, zero_pad

__all__ = ["random_fill", "random_fill_at", "r13_normal_fill", "ms2_fill", "ms2_unit_fill", "conv_plan", "conv",
           "binary", "philox4x32"]

SIMULATED = bool(config.ENABLE_CUDASIM)
if not SIMULATED:  # the simulator caches nothing
    from numba.cuda.core import caching as _caching
    _cache.install(_caching)  # before the first cache=True kernel
    import numba.core.event
    _cache.announce_compiles(numba.core.event)
config.CUDA_LOW_OCCUPANCY_WARNINGS = False  # small tensors make small grids; that is expected, not a problem

if SIMULATED:
    _overrides = {}
    _xp = np  # device arrays are NumPy arrays
else:
    import cupy as _xp  # the GPU backend checked it imports before importing this module
    from numba.cuda import libdevice
    _overrides = {"mul": libdevice.fmul_rn, "dmul": libdevice.dmul_rn}

_body = compile_bodies(lambda fn: cuda.jit(device=True)(fn), _overrides)
philox4x32 = _body["philox4x32"]
contract_block = _body["contract_block"]
draw4 = _body["draw4"]
lane = _body["lane"]
inside = _body["inside"]
binary_value = _body["binary_value"]
r13_calls = _body["r13_calls"]
r13_fresh = _body["r13_fresh"]
r13_chain = _body["r13_chain"]
r13_box_muller = _body["r13_box_muller"]
ms2_block = _body["ms2_block"]
ms2_unit = _body["ms2_unit"]
ms2_draw4 = _body["ms2_draw4"]
mul = _body["mul"]
conv_row_taps = _body["conv_row_taps"]
im2col_source = _body["im2col_source"]

_LO32 = 0xFFFFFFFF
_THREADS = 4 if SIMULATED else 256
_MAX_BLOCKS = 1 if SIMULATED else 8192


def _grid(n):
    """(blocks, threads) of a grid-stride launch over n items: the one place launch geometry is decided."""
    return max(1, min(_MAX_BLOCKS, -(-n // _THREADS))), _THREADS


# --- random fills -------------------------------------------------------------------------------------------------
@cuda.jit(cache=not SIMULATED)
def _random_fill(out, start, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    n = out.size
    first = start >> 2
    nblocks = ((start + n - 1) >> 2) - first + 1
    b = cuda.grid(1)
    while b < nblocks:
        blk = first + b
        w0, w1, w2, w3 = contract_block(blk, stream, k0, k1)
        v = draw4(dist, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi)
        base = blk * 4 - start
        for j in range(4):
            i = base + j
            if 0 <= i < n:
                out[i] = lane(v, j)
        b += cuda.gridsize(1)


def random_fill(out, start, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element start + t of the stream: Philox block (i >> 2, stream), word i & 3."""
    if out.size:
        blocks, threads = _grid(((start + out.size - 1) >> 2) - (start >> 2) + 1)
        _random_fill[blocks, threads](out, start, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi)


@cuda.jit(cache=not SIMULATED)
def _random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    t = cuda.grid(1)
    while t < out.size:
        i = index[t]
        w0, w1, w2, w3 = contract_block(i >> 2, stream, k0, k1)
        out[t] = lane(draw4(dist, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi), i & 3)
        t += cuda.gridsize(1)


def random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element index[t] of the stream (any slice of a tensor, generated alone)."""
    if out.size:
        blocks, threads = _grid(out.size)
        _random_fill_at[blocks, threads](out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi)


@cuda.jit(cache=not SIMULATED)
def _r13_uniforms(out, tail, seed, seed2):
    t = cuda.grid(1)
    if t < 16:  # one thread per chain: each chain's generator is serial
        start, length, skip = r13_chain(out.size, t)
        r13_calls(out, tail, t, start, length, 0, (length + 3) // 4, r13_fresh(seed, seed2, skip))


@cuda.jit(cache=not SIMULATED)
def _r13_normals(out, tail, sigma, mean, most_pairs):
    total = out.size
    q = cuda.grid(1)
    while q < 16 * most_pairs:
        t = q // most_pairs
        p = q % most_pairs
        start, length, skip = r13_chain(total, t)
        full = 2 * (length // 4)
        if p < (length + 1) // 2:
            e = start + 2 * p
            if p < full:
                z0, z1 = r13_box_muller(out[e], out[e + 1])
            else:
                h = 2 * (p - full)
                z0, z1 = r13_box_muller(tail[t, h], tail[t, h + 1])
            out[e] = mul(z0, sigma) + mean
            if 2 * p + 1 < length:
                out[e + 1] = mul(z1, sigma) + mean
        q += cuda.gridsize(1)


def r13_normal_fill(out, tail, seed, seed2, sigma, mean):
    """MindSpore r1.3's random_normal(shape, seed, seed2) * sigma + mean into the flat float32 `out`.

    `tail` is (16, 4) float32 scratch. The values depend on r1.3's fixed 16-chain split only, never on the
    launch geometry.
    """
    if out.size:
        _r13_uniforms[1, 16](out, tail, seed, seed2)
        most_pairs = (out.size // 16 + 17) // 2
        blocks, threads = _grid(16 * most_pairs)
        _r13_normals[blocks, threads](out, tail, sigma, mean, most_pairs)


@cuda.jit(cache=not SIMULATED)
def _ms2_fill(out, seed, dist, p0, p1):
    b = cuda.grid(1)
    while b < (out.size + 3) // 4:
        w0, w1, w2, w3 = ms2_block(b, seed)
        v = ms2_draw4(dist, w0, w1, w2, w3, p0, p1)
        for j in range(4):
            if 4 * b + j < out.size:
                out[4 * b + j] = lane(v, j)
        b += cuda.gridsize(1)


def ms2_fill(out, seed, dist, p0, p1):
    """MindSpore 2.10's _random_uniform (p0 = a, p1 = b - a) or _random_normal (p0 = mean, p1 = sigma), all as
    doubles, into the flat float32 `out`."""
    if out.size:
        blocks, threads = _grid((out.size + 3) // 4)
        _ms2_fill[blocks, threads](out, seed, dist, p0, p1)


@cuda.jit(cache=not SIMULATED)
def _ms2_unit_fill(out, seed):
    i = cuda.grid(1)
    while i < out.size:
        out[i] = ms2_unit(lane(ms2_block(i >> 2, seed), i & 3))
        i += cuda.gridsize(1)


def ms2_unit_fill(out, seed):
    """out[i] = word i of 2.10's generator / 2**32, in the flat float64 `out` (TruncatedNormal's uniforms)."""
    if out.size:
        blocks, threads = _grid(out.size)
        _ms2_unit_fill[blocks, threads](out, seed)


# --- convolution: one launcher, the plan decides -----------------------------------------------------------------
@cuda.jit(cache=not SIMULATED)
def _conv_direct(x, w, out, stride, dilation):
    n_n, o_n, od_n, oh_n, ow_n = out.shape
    per_group = o_n // (x.shape[1] // w.shape[1])
    t = cuda.grid(1)
    while t < out.size:  # one output element per thread; x is zero-padded
        ow = t % ow_n
        r = t // ow_n
        oh = r % oh_n
        od = (r // oh_n) % od_n
        o = (r // (oh_n * od_n)) % o_n
        n = r // (oh_n * od_n * o_n)
        acc = out[n, o, od, oh:oh + 1]
        acc[0, ow] = 0
        conv_row_taps(acc, x, w, n, o, (o // per_group) * w.shape[1], od * stride[0], oh * stride[1], dilation,
                      stride, ow, ow + 1)
        t += cuda.gridsize(1)


@cuda.jit(cache=not SIMULATED)
def _im2col(x, cols, n0, p0, rows, p_n, kernel, stride, dilation, pad, out_size):
    """cols[i, r, j] = im2col row r (of `rows`) of image n0 + i at output position p0 + j (of `p_n`), zero
    outside x."""
    total = np.int64(cols.size)
    t = np.int64(cuda.grid(1))  # 64-bit: a chunk may hold more than 2**31 elements
    step = np.int64(cuda.gridsize(1))
    while t < total:
        j = t % p_n
        r = (t // p_n) % rows
        i = t // (p_n * rows)
        c, z, y, xw = im2col_source(r, p0 + j, kernel, stride, dilation, pad, out_size)
        if inside(x, z, y, xw):
            cols[i, r, j] = x[n0 + i, c, z, y, xw]
        else:
            cols[i, r, j] = 0
        t += step


def conv_plan(x_shape, w_shape, dtype, kernel, stride, dilation, pad, out_size, groups):
    """The `ConvPlan` of a convolution on this GPU (see `conv_plan.plan_conv`)."""
    return plan_conv("GPU", x_shape, w_shape, dtype, kernel, stride, dilation, pad, out_size, groups, True, 1)


def conv(x, w, out, scratch, plan):
    """out = conv(x, w) as `plan` says: x (N, C, D, H, W), w (O, C/G, KD, KH, KW), out (N, O, *plan.out_size),
    scratch of plan.scratch elements.

    DIRECT: the direct body, one thread per output, from a zero-padded copy of x in the scratch. STEPS: a few
    images, or a block of one image's positions, at a time: im2col into the scratch (rows of one group are
    contiguous, so it reshapes to (images, G, K, positions) without a copy), then one matmul batched over images
    and groups: cuBLAS through CuPy on a GPU, NumPy's under the simulator. Only 1-d grid-stride launches with a
    capped grid: no grid dimension depends on the shape.
    """
    if not out.size:
        return
    if plan.algorithm == DIRECT:
        if plan.padded != x.shape or any(plan.pad):  # else every tap is inside x already
            x = zero_pad(x, scratch[:plan.scratch].reshape(plan.padded), plan.pad)
        blocks, threads = _grid(out.size)
        _conv_direct[blocks, threads](x, w, out, plan.stride, plan.dilation)
        return
    n_batch, groups = x.shape[0], plan.groups
    w = w.reshape(groups, w.shape[0] // groups, -1)
    k_n = w.shape[2]
    out = out.reshape(n_batch, groups, w.shape[1], -1)
    p_n = out.shape[3]
    images, positions = plan.step
    rows = groups * k_n
    for n0 in range(0, n_batch, images):
        n1 = min(n0 + images, n_batch)
        for p0 in range(0, p_n, positions):
            p1 = min(p0 + positions, p_n)
            cols = scratch[:(n1 - n0) * rows * (p1 - p0)].reshape(n1 - n0, rows, p1 - p0)
            blocks, threads = _grid(cols.size)
            _im2col[blocks, threads](x, cols, n0, p0, rows, p1 - p0, plan.kernel, plan.stride, plan.dilation,
                                     plan.pad, plan.out_size)
            cols = cols.reshape(n1 - n0, groups, k_n, p1 - p0)
            if p1 - p0 == p_n:
                _xp.matmul(w, cols, out=out[n0:n1])
            else:
                out[n0:n1, :, :, p0:p1] = _xp.matmul(w, cols)


# --- element-wise -------------------------------------------------------------------------------------------------
@cuda.jit(cache=not SIMULATED)
def _binary(op, out, a, b, shape, sa, sb):
    nd = len(shape)
    t = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while t < out.size:
        rem = t
        oa = 0
        ob = 0
        for d in range(nd - 1, -1, -1):
            idx = rem % shape[d]
            rem //= shape[d]
            oa += idx * sa[d]
            ob += idx * sb[d]
        out[t] = binary_value(op, a[oa], b[ob])
        t += step


def binary(op, out, a, b, shape, sa, sb):
    """out = a (op) b over `shape`, C order; a and b are flat with element strides sa, sb (0 = broadcast)."""
    if out.size:
        blocks, threads = _grid(out.size)
        _binary[blocks, threads](op, out, a, b, shape, sa, sb)
