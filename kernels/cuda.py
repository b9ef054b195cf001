"""CUDA launchers: the bodies wrapped with ``numba.cuda.jit(device=True)`` and grid-stride kernels (GPU only).

Every launcher has the same name and signature as its twin in `cpu.py`. The element kernels' launch geometry
is decided in `_grid` alone: a fixed block size and a capped grid on a real GPU, one tiny block under Numba's
CUDA simulator (NUMBA_ENABLE_CUDASIM=1), where every CUDA thread is a Python thread. They loop grid-stride, so
their results never depend on the geometry. The GEMM's grid is one block per output tile (`_TM` x `_TN`).

Bit-identity with the CPU: the CUDA compiler contracts a*b+c into an FMA, which the CPU does not, so the bodies'
`mul` is ``__fmul_rn`` here (never fused). The simulator's libdevice functions are stubs, so it keeps plain `*`,
which rounds the same way there.
"""
import numpy as np
from numba import config, cuda, float32, float64

from . import _cache
from ._retarget import compile_bodies

__all__ = ["random_fill", "random_fill_at", "conv_scratch_shape", "conv", "binary", "philox4x32"]

SIMULATED = bool(config.ENABLE_CUDASIM)
if not SIMULATED:  # the simulator caches nothing
    from numba.cuda.core import caching as _caching
    _cache.install(_caching)  # before the first cache=True kernel
config.CUDA_LOW_OCCUPANCY_WARNINGS = False  # small tensors make small grids; that is expected, not a problem

if SIMULATED:
    _overrides = {}
else:
    from numba.cuda import libdevice
    _overrides = {"mul": libdevice.fmul_rn}

_body = compile_bodies(lambda fn: cuda.jit(device=True)(fn), _overrides)
philox4x32 = _body["philox4x32"]
draw4 = _body["draw4"]
lane = _body["lane"]
inside = _body["inside"]
binary_value = _body["binary_value"]

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
    s0 = np.uint32(stream & _LO32)
    s1 = np.uint32(stream >> 32)
    b = cuda.grid(1)
    while b < nblocks:
        blk = first + b
        w0, w1, w2, w3 = philox4x32(np.uint32(blk & _LO32), np.uint32(blk >> 32), s0, s1, k0, k1)
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
    s0 = np.uint32(stream & _LO32)
    s1 = np.uint32(stream >> 32)
    t = cuda.grid(1)
    while t < out.size:
        i = index[t]
        blk = i >> 2
        w0, w1, w2, w3 = philox4x32(np.uint32(blk & _LO32), np.uint32(blk >> 32), s0, s1, k0, k1)
        out[t] = lane(draw4(dist, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi), i & 3)
        t += cuda.gridsize(1)


def random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element index[t] of the stream (any slice of a tensor, generated alone)."""
    if out.size:
        blocks, threads = _grid(out.size)
        _random_fill_at[blocks, threads](out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi)


# --- convolution: im2col + tiled GEMM -----------------------------------------------------------------------------
@cuda.jit(cache=not SIMULATED)
def _im2col(x, cols, kernel, stride, dilation, pad, out_size):
    kd_n, kh_n, kw_n = kernel
    od_n, oh_n, ow_n = out_size
    k3 = kd_n * kh_n * kw_n
    p_n = od_n * oh_n * ow_n
    rows = cols.shape[1]
    total = cols.shape[0] * rows * p_n
    t = cuda.grid(1)
    while t < total:
        p = t % p_n
        r = (t // p_n) % rows
        n = t // (p_n * rows)
        c = r // k3
        k = r % k3
        z = (p // (oh_n * ow_n)) * stride[0] - pad[0] + (k // (kh_n * kw_n)) * dilation[0]
        y = ((p // ow_n) % oh_n) * stride[1] - pad[1] + ((k // kw_n) % kh_n) * dilation[1]
        w = (p % ow_n) * stride[2] - pad[2] + (k % kw_n) * dilation[2]
        if inside(x, z, y, w):
            cols[n, r, p] = x[n, c, z, y, w]
        else:
            cols[n, r, p] = 0
        t += cuda.gridsize(1)


# Block tile TM x TN of the output, TK deep, each thread computing RM x RN outputs from registers.
if SIMULATED:
    _TM, _TN, _TK, _RM, _RN = 16, 16, 16, 4, 4  # few, fat blocks: the simulator pays per block and barrier
else:
    _TM, _TN, _TK, _RM, _RN = 64, 64, 16, 4, 4
_TY, _TX = _TM // _RM, _TN // _RN  # threads per block along rows and columns


def _make_gemm(acc_type):
    """The tiled GEMM kernel accumulating in `acc_type` (float32 or float64)."""

    @cuda.jit
    def kernel(w, cols, out):
        groups, m_n, k_n = w.shape
        p_n = cols.shape[3]
        n = cuda.blockIdx.z // groups
        g = cuda.blockIdx.z % groups
        m0 = cuda.blockIdx.y * _TM
        p0 = cuda.blockIdx.x * _TN
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        tid = ty * _TX + tx
        a_tile = cuda.shared.array((_TK, _TM), acc_type)
        b_tile = cuda.shared.array((_TK, _TN), acc_type)
        acc = cuda.local.array((_RM, _RN), acc_type)
        a_reg = cuda.local.array(_RM, acc_type)
        b_reg = cuda.local.array(_RN, acc_type)
        for i in range(_RM):
            for j in range(_RN):
                acc[i, j] = 0
        for k0 in range(0, k_n, _TK):
            for e in range(tid, _TM * _TK, _TX * _TY):
                mm = e // _TK
                kk = e % _TK
                ok = m0 + mm < m_n and k0 + kk < k_n
                a_tile[kk, mm] = w[g, m0 + mm, k0 + kk] if ok else 0
            for e in range(tid, _TK * _TN, _TX * _TY):
                kk = e // _TN
                pp = e % _TN
                ok = k0 + kk < k_n and p0 + pp < p_n
                b_tile[kk, pp] = cols[n, g, k0 + kk, p0 + pp] if ok else 0
            cuda.syncthreads()
            for kk in range(_TK):
                for i in range(_RM):
                    a_reg[i] = a_tile[kk, ty + i * _TY]
                for j in range(_RN):
                    b_reg[j] = b_tile[kk, tx + j * _TX]
                for i in range(_RM):
                    for j in range(_RN):
                        acc[i, j] += a_reg[i] * b_reg[j]
            cuda.syncthreads()
        for i in range(_RM):
            m = m0 + ty + i * _TY
            for j in range(_RN):
                p = p0 + tx + j * _TX
                if m < m_n and p < p_n:
                    out[n, g, m, p] = acc[i, j]

    return kernel


_GEMMS = {}


def conv_scratch_shape(x_shape, w_shape, kernel, stride, dilation, out_size):
    """Shape of the scratch `conv` needs: the whole im2col, (N, C*KD*KH*KW, OD*OH*OW)."""
    per_group = x_shape[1] // w_shape[0]
    return x_shape[0], x_shape[1] * (w_shape[2] // per_group), out_size[0] * out_size[1] * out_size[2]


def conv(x, w, out, scratch, kernel, stride, dilation, pad, out_size):
    """out[n, g] = w[g] @ im2col(x)[n, g]: x (N, C, D, H, W), w (G, O/G, C/G*KD*KH*KW), out (N, G, O/G, P).

    im2col into the scratch (rows of one group are contiguous, so it reshapes to (N, G, K, P) without a copy),
    then the shared-memory tiled GEMM.
    """
    if not out.size:
        return
    blocks, threads = _grid(scratch.size)
    _im2col[blocks, threads](x, scratch, kernel, stride, dilation, pad, out_size)
    dtype = np.dtype(out.dtype)
    kernel_fn = _GEMMS.get(dtype)
    if kernel_fn is None:
        kernel_fn = _GEMMS[dtype] = _make_gemm(float64 if dtype == np.float64 else float32)
    cols = scratch.reshape(x.shape[0], w.shape[0], w.shape[2], scratch.shape[2])
    grid = (-(-cols.shape[3] // _TN), -(-w.shape[1] // _TM), cols.shape[0] * w.shape[0])
    kernel_fn[grid, (_TX, _TY)](w, cols, out)


# --- element-wise -------------------------------------------------------------------------------------------------
@cuda.jit(cache=not SIMULATED)
def _binary(op, out, a, b, shape, sa, sb):
    nd = len(shape)
    t = cuda.grid(1)
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
        t += cuda.gridsize(1)


def binary(op, out, a, b, shape, sa, sb):
    """out = a (op) b over `shape`, C order; a and b are flat with element strides sa, sb (0 = broadcast)."""
    if out.size:
        blocks, threads = _grid(out.size)
        _binary[blocks, threads](op, out, a, b, shape, sa, sb)
