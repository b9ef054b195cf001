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

from ._retarget import compile_bodies

__all__ = ["random_fill", "random_fill_at", "r13_normal_fill", "ms2_fill", "ms2_unit_fill", "conv_scratch_shape", "conv",
           "conv_direct", "binary", "philox4x32"]

SIMULATED = bool(config.ENABLE_CUDASIM)
config.CUDA_LOW_OCCUPANCY_WARNINGS = False  # small tensors make small grids; that is expected, not a problem

if SIMULATED:
    _overrides = {}
else:
    from numba.cuda import libdevice
    _overrides = {"mul": libdevice.fmul_rn, "dmul": libdevice.dmul_rn}

_body = compile_bodies(lambda fn: cuda.jit(device=True)(fn), _overrides)
philox4x32 = _body["philox4x32"]
contract_block = _body["contract_block"]
draw4 = _body["draw4"]
lane = _body["lane"]
inside = _body["inside"]
binary_value = _body["binary_value"]
r13_uniform = _body["r13_uniform"]
r13_philox = _body["r13_philox"]
r13_skip = _body["r13_skip"]
r13_chain = _body["r13_chain"]
r13_box_muller = _body["r13_box_muller"]
ms2_block = _body["ms2_block"]
ms2_unit = _body["ms2_unit"]
ms2_draw4 = _body["ms2_draw4"]
mul = _body["mul"]
conv_row_taps = _body["conv_row_taps"]

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
        total = out.size
        start, length, skip = r13_chain(total, t)
        s0, s1, s2, s3 = r13_skip(np.uint32(0), np.uint32(0), np.uint32(seed2 & _LO32), np.uint32(seed2 >> 32),
                                  np.uint64(skip))
        k0 = np.uint32(seed & _LO32)
        for j in range((length + 3) // 4):
            s0, s1, s2, s3, k0 = r13_philox(s0, s1, s2, s3, k0)
            if 4 * j + 3 < length:
                e = start + 4 * j
                out[e] = r13_uniform(s0)
                out[e + 1] = r13_uniform(s1)
                out[e + 2] = r13_uniform(s2)
                out[e + 3] = r13_uniform(s3)
            else:
                tail[t, 0] = r13_uniform(s0)
                tail[t, 1] = r13_uniform(s1)
                tail[t, 2] = r13_uniform(s2)
                tail[t, 3] = r13_uniform(s3)


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


# --- convolution: direct, for small reductions --------------------------------------------------------------------
@cuda.jit(cache=not SIMULATED)
def _conv_direct(x, w, out, stride, dilation, pad):
    n_n, o_n, od_n, oh_n, ow_n = out.shape
    per_group_out = o_n // (x.shape[1] // w.shape[1])
    t = cuda.grid(1)
    while t < out.size:  # one output element per thread
        ow = t % ow_n
        r = t // ow_n
        oh = r % oh_n
        od = (r // oh_n) % od_n
        o = (r // (oh_n * od_n)) % o_n
        n = r // (oh_n * od_n * o_n)
        acc = out[n, o, od, oh:oh + 1]
        acc[0, ow] = 0
        conv_row_taps(acc, x, w, n, o, (o // per_group_out) * w.shape[1], od * stride[0] - pad[0],
                      oh * stride[1] - pad[1], dilation, stride, pad[2], ow, ow + 1)
        t += cuda.gridsize(1)


def conv_direct(x, w, out, stride, dilation, pad):
    """out = conv(x, w) summed tap by tap in (channel, depth, row, column) order, float32 only.

    x (N, C, D, H, W), w (O, C/group, KD, KH, KW), out (N, O, OD, OH, OW); the group count is C / w.shape[1].
    """
    if out.size:
        blocks, threads = _grid(out.size)
        _conv_direct[blocks, threads](x, w, out, stride, dilation, pad)


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
