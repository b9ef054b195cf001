"""CPU convolution (CPU only): Winograd F(2x2, 3x3) for 3x3 stride-1 kernels, im2col + GEMM for the rest.

Both paths run as one Numba parallel region whose work items pack a cache-sized block of the input into their
thread's scratch and multiply it with NumPy's own OpenBLAS, called single-threaded from inside the region (so
OpenBLAS never starts threads that fight ours). Work items split output elements, never reductions, so results do
not depend on the thread count. Without a reachable OpenBLAS, conv falls back to im2col + ``numpy.matmul``.
"""
import ctypes
import glob
import os

import numba
import numba.core.caching
import numpy as np
from llvmlite import ir
from numba import prange
from numba.core import types
from numba.extending import intrinsic

from . import _cache, bodies
from ._parallel import Split, serialised
from .conv_plan import STEPS, WINOGRAD

__all__ = ["HAS_BLAS", "conv_gemm"]

_cache.install(numba.core.caching)  # before the first cache=True kernel

valid_range = numba.njit(inline="always")(bodies.valid_range)  # bodies that call no other body
im2col_source = numba.njit(inline="always")(bodies.im2col_source)


def _c_caller(restype):
    """An intrinsic calling the C function at integer address `address` with the values of tuple `args`.

    The address is a run-time argument, so the kernels that use it stay cacheable; passing ctypes function
    objects instead costs ~90 us of Numba argument typing per call.
    """
    @intrinsic
    def call(typingctx, address, args):
        def codegen(context, builder, signature, llargs):
            arg_types = [context.get_value_type(t) for t in signature.args[1]]
            fn_type = ir.FunctionType(context.get_value_type(restype), arg_types)
            fn = builder.inttoptr(llargs[0], fn_type.as_pointer())
            result = builder.call(fn, [builder.extract_value(llargs[1], i) for i in range(len(arg_types))])
            return context.get_dummy_value() if restype == types.void else result
        return restype(address, args), codegen
    return call


_call_void = _c_caller(types.void)
_call_int32 = _c_caller(types.int32)
_ROW_MAJOR, _NO_TRANS = 101, 111


@numba.njit(inline="always")
def _gemm(gemm, m, n, k, one, a, lda, b, ldb, zero, c, ldc):
    """C = A @ B, row-major, by the addresses of A (m x k), B (k x n) and C (m x n) and their row strides."""
    _call_void(gemm, (np.int32(_ROW_MAJOR), np.int32(_NO_TRANS), np.int32(_NO_TRANS), np.int64(m), np.int64(n),
                      np.int64(k), one, a, np.int64(lda), b, np.int64(ldb), zero, c, np.int64(ldc)))


def _find_blas():
    """Addresses (sgemm, dgemm, set_local_threads) of cblas_sgemm, cblas_dgemm (64-bit integers) and
    openblas_set_num_threads_local in the OpenBLAS of NumPy's PyPI wheel; None when this NumPy links another
    BLAS (then conv falls back to im2col + NumPy's matmul)."""
    libdir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libdir, "libscipy_openblas64_*.so*"))):
        try:
            lib = ctypes.CDLL(path)
            functions = (lib.scipy_cblas_sgemm64_, lib.scipy_cblas_dgemm64_, lib.openblas_set_num_threads_local)
        except (OSError, AttributeError):
            continue
        return tuple(ctypes.cast(fn, ctypes.c_void_p).value for fn in functions)
    return None


_BLAS = None if os.environ.get("MINISPORE_NO_BLAS") else _find_blas()
HAS_BLAS = _BLAS is not None


@numba.njit(inline="always")
def _work_item(item, n_mid, n_inner, f_blocks, f_n):
    """(outer, mid, inner, f0, f1) of work `item` in the row-major grid (outer, mid, inner, filter block) whose
    f_blocks filter blocks split f_n filters; f0 >= f1 for a block left empty by the rounding."""
    f_step = (f_n + f_blocks - 1) // f_blocks
    f0 = (item % f_blocks) * f_step
    rest = item // f_blocks
    inner = rest % n_inner
    rest //= n_inner
    return rest // n_mid, rest % n_mid, inner, f0, min(f_n, f0 + f_step)


@numba.njit(cache=True, error_model="numpy")
def _fill_columns(x, cols, n, c0, r0, r1, kernel, stride, dilation, pad, out_size, p0, p1):
    """cols[r - r0, p - p0] = im2col row r = (c, kd, kh, kw) of channel c0 + c at output position p = (od, oh, ow)
    (flat, C order) of image n, for r in [r0, r1) and p in [p0, p1): one block of the im2col, zero outside x.

    A block is any range of positions, not whole output rows, so its size never depends on the output width."""
    d_in, h_in, w_in = x.shape[2], x.shape[3], x.shape[4]
    sw = stride[2]
    ow_n = out_size[2]
    for r in range(r0, r1):
        c, z, y, x_off = im2col_source(r, 0, kernel, stride, dilation, pad, out_size)  # at output position 0
        c += c0
        lo, hi = valid_range(x_off, sw, w_in, ow_n)
        dst = cols[r - r0]
        for q in range(p0 // ow_n, (p1 - 1) // ow_n + 1):  # output rows q = od * OH + oh the block touches
            a = max(p0 - q * ow_n, 0)  # the block holds ow in [a, b) of row q
            b = min(p1 - q * ow_n, ow_n)
            row = dst[q * ow_n + a - p0:q * ow_n + b - p0]
            _, z, y, _ = im2col_source(r, q * ow_n, kernel, stride, dilation, pad, out_size)
            left = min(max(lo, a), b)  # [left, right) of [a, b) reads x; the rest is padding
            right = max(min(hi, b), left)
            if 0 <= z < d_in and 0 <= y < h_in and left < right:
                src = x[n, c, z, y]
                row[:left - a] = 0
                if sw == 1:  # the common case: a contiguous copy, which LLVM turns into vector moves
                    row[left - a:right - a] = src[x_off + left:x_off + right]
                else:
                    for ow in range(left, right):
                        row[ow - a] = src[x_off + ow * sw]
                row[right - a:] = 0
            else:
                row[:] = 0


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _conv_blas(gemm, set_local_threads, one, zero, x, w, out, scratch, kernel, stride, dilation, pad, out_size,
               p_block, k_chunk, m_blocks):
    """One parallel region: each work item packs the im2col of `p_block` output positions, `k_chunk` rows at a
    time, into its thread's scratch (so it stays in cache) and multiplies it by a block of filters with
    single-threaded BLAS, accumulating over the row chunks (beta = 1 after the first).

    Work items are (image, group, position block, filter block); a reduction never spans two items, and the
    split depends on the shape only, so results do not depend on the thread count. `gemm` and
    `set_local_threads` are the addresses of cblas_?gemm and openblas_set_num_threads_local; BLAS is set to one
    thread in the calling thread only, so it never starts threads that compete with ours.
    """
    n_batch = x.shape[0]
    groups, og_n, k_n = w.shape
    per_group = x.shape[1] // groups
    p_n = out_size[0] * out_size[1] * out_size[2]
    n_blocks = (p_n + p_block - 1) // p_block
    size = x.itemsize
    for item in prange(n_batch * groups * n_blocks * m_blocks):
        n, g, p_index, m0, m1 = _work_item(item, groups, n_blocks, m_blocks, og_n)
        if m0 >= m1:
            continue
        p0 = p_index * p_block
        p1 = min(p0 + p_block, p_n)
        cols = scratch[numba.get_thread_id()][:k_chunk * p_block].reshape(k_chunk, p_block)
        old = _call_int32(set_local_threads, (np.int32(1),))
        for r0 in range(0, k_n, k_chunk):
            r1 = min(r0 + k_chunk, k_n)
            _fill_columns(x, cols, n, g * per_group, r0, r1, kernel, stride, dilation, pad, out_size, p0, p1)
            _gemm(gemm, m1 - m0, p1 - p0, r1 - r0, one, w.ctypes.data + ((g * og_n + m0) * k_n + r0) * size, k_n,
                  cols.ctypes.data, p_block, zero if r0 == 0 else one,
                  out.ctypes.data + (((n * groups + g) * og_n + m0) * p_n + p0) * size, p_n)
        _call_int32(set_local_threads, (old,))


def _im2col(x, cols, n0, p0, p1, kernel, stride, dilation, pad, out_size):
    """cols[i, r, p - p0] = im2col row r of image n0 + i at output position p, for p in [p0, p1), parallel over
    images and channels (the path without callable BLAS)."""
    k3 = kernel[0] * kernel[1] * kernel[2]
    n_chan = x.shape[1]
    for t in prange(cols.shape[0] * n_chan):
        i = t // n_chan
        c = t % n_chan
        _fill_columns(x, cols[i, c * k3:(c + 1) * k3], n0 + i, c, 0, k3, kernel, stride, dilation, pad, out_size,
                      p0, p1)


_IM2COL = Split(_im2col)


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _count_non_finite(a):
    """How many elements of the flat array `a` are NaN or infinite (v - v is 0 exactly for finite v)."""
    bad = 0
    for i in prange(a.size):
        v = a[i]
        bad += 0 if v - v == 0 else 1
    return bad


# Winograd F(2x2, 3x3) (Lavin & Gray, 2015): a 4x4 input patch d and a 3x3 filter g give the 2x2 outputs
# A^T [(G g G^T) * (B^T d B)] A with 16 multiplies instead of 36. Summed over channels, the 16 elementwise products
# become 16 GEMMs (filters x channels) @ (channels x tiles), which BLAS runs near the machine's peak; a leading
# depth kernel (Conv3D) adds its KD taps to the GEMMs' depth: (filters x KD*channels) @ (KD*channels x tiles).
# Every matrix entry is 0, +-1 or +-1/2, so the transforms are exact for small integers (the guide's outputs).
# Index 4i + j of the 16 is row i (height) and column j (width) of the 4x4 transformed patch.

@numba.njit(inline="always")
def _bt(d0, d1, d2, d3):
    """B^T d for a column of 4 inputs."""
    return d0 - d2, d1 + d2, d2 - d1, d1 - d3


@numba.njit(inline="always")
def _at(m0, m1, m2, m3):
    """A^T m for a column of 4 products: the 2 outputs."""
    return m0 + m1 + m2, m1 - m2 - m3


@numba.njit(inline="always")
def _g(g0, g1, g2, half):
    """G g for a column of 3 filter taps."""
    return g0, (g0 + g1 + g2) * half, (g0 - g1 + g2) * half, g2


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _weight_transform(w, u):
    """u[4i + j, f, kd * C + c] = (G g G^T)[i, j] for the 3x3 filter g = w[f, c, kd]."""
    n_f, n_c, n_kd = w.shape[0], w.shape[1], w.shape[2]
    half = w.dtype.type(0.5)
    for f in prange(n_f):
        for kd in range(n_kd):
            for c in range(n_c):
                k = kd * n_c + c
                g0 = _g(w[f, c, kd, 0, 0], w[f, c, kd, 1, 0], w[f, c, kd, 2, 0], half)  # down filter column 0
                g1 = _g(w[f, c, kd, 0, 1], w[f, c, kd, 1, 1], w[f, c, kd, 2, 1], half)
                g2 = _g(w[f, c, kd, 0, 2], w[f, c, kd, 1, 2], w[f, c, kd, 2, 2], half)
                for i in range(4):
                    u[4 * i, f, k], u[4 * i + 1, f, k], u[4 * i + 2, f, k], u[4 * i + 3, f, k] = _g(
                        g0[i], g1[i], g2[i], half)


@numba.njit(cache=True, error_model="numpy")
def _input_tiles(x, v, row, cw, n, c, zi, v_base, xi_stride, t0, t1, tw_n, ph, pw):
    """v[v_base + (4i + j) * xi_stride + tile] = (B^T d B)[i, j] for the 4x4 input patches d of the tile rows
    [t0, t1) of x[n, c, zi] (zero outside x).

    Each input row, zero-padded into `row`, gets its width transform once into cw[j, r, tw] (rows shared by two
    tile rows are not redone); then the height transform writes v. Flat buffers and unsigned offsets keep the
    loops over tiles free of wrap-around checks, so LLVM vectorizes them.
    """
    h_in, w_in = x.shape[3], x.shape[4]
    lo = min(pw, row.size)
    hi = max(lo, min(pw + w_in, row.size))
    rows = 2 * (t1 - t0) + 2
    tw_u = np.uint64(tw_n)
    plane = np.uint64(rows * tw_n)  # cw[j + 1] - cw[j]
    for r in range(rows):
        y = 2 * t0 - ph + r
        if 0 <= y < h_in:
            row[:lo] = 0
            row[lo:hi] = x[n, c, zi, y, lo - pw:hi - pw]
            row[hi:] = 0
        else:
            row[:] = 0
        o = np.uint64(r * tw_n)
        for tw in range(tw_u):
            k = tw + tw
            a0, a1, a2, a3 = _bt(row[k], row[k + np.uint64(1)], row[k + np.uint64(2)], row[k + np.uint64(3)])
            cw[o + tw] = a0
            cw[plane + o + tw] = a1
            cw[plane + plane + o + tw] = a2
            cw[plane + plane + plane + o + tw] = a3
    xs = np.uint64(xi_stride)
    for tr in range(t1 - t0):
        for j in range(4):
            src = np.uint64(j) * plane + np.uint64(2 * tr * tw_n)
            dst = np.uint64(v_base) + np.uint64(j) * xs + np.uint64(tr * tw_n)
            for tw in range(tw_u):
                k = src + tw
                b0, b1, b2, b3 = _bt(cw[k], cw[k + tw_u], cw[k + tw_u + tw_u], cw[k + tw_u + tw_u + tw_u])
                v[dst + tw] = b0
                v[dst + np.uint64(4) * xs + tw] = b1
                v[dst + np.uint64(8) * xs + tw] = b2
                v[dst + np.uint64(12) * xs + tw] = b3


@numba.njit(inline="always")
def _at_column(m, t, xs, j):
    """A^T applied down column j of tile t's 4x4 products m[t + (4i + j) * xs]."""
    return _at(m[t + j * xs], m[t + (np.uint64(4) + j) * xs], m[t + (np.uint64(8) + j) * xs],
               m[t + (np.uint64(12) + j) * xs])


@numba.njit(cache=True, error_model="numpy")
def _output_tiles(m, out, orow, n, f0, f1, od, t0, t1, tw_n):
    """out[n, f, od, 2 t0:2 t1] for f in [f0, f1): A^T M A of each tile, M[i, j] = m[(4i + j) * xs + tile]
    with the tiles of filter f at (f - f0) * tiles. A tile row's two output rows go through `orow`, so the
    loop over tiles stores unconditionally and the edges (odd output sizes) are cut by the row copies."""
    oh_n, ow_n = out.shape[3], out.shape[4]
    tb = (t1 - t0) * tw_n
    xs = np.uint64((f1 - f0) * tb)
    second = np.uint64(2 * tw_n)  # the second output row in orow
    for f in range(f0, f1):
        for tr in range(t1 - t0):
            base = np.uint64((f - f0) * tb + tr * tw_n)
            for tw in range(np.uint64(tw_n)):
                t = base + tw
                p00, p10 = _at_column(m, t, xs, np.uint64(0))
                p01, p11 = _at_column(m, t, xs, np.uint64(1))
                p02, p12 = _at_column(m, t, xs, np.uint64(2))
                p03, p13 = _at_column(m, t, xs, np.uint64(3))
                k = tw + tw
                orow[k], orow[k + np.uint64(1)] = _at(p00, p01, p02, p03)
                orow[second + k], orow[second + k + np.uint64(1)] = _at(p10, p11, p12, p13)
            oy = 2 * (t0 + tr)
            out[n, f, od, oy, :] = orow[:ow_n]
            if oy + 1 < oh_n:
                out[n, f, od, oy + 1, :] = orow[2 * tw_n:2 * tw_n + ow_n]


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _conv_winograd(gemm, set_local_threads, one, zero, x, u, out, scratch, stride_d, pad, band, d_chunk, f_blocks):
    """out (N, F, OD, OH, OW) = x (N, C, D, H, W) (*) the filters whose transforms `_weight_transform` put in u.

    Work items are (image, band of `band` tile rows, chunk of `d_chunk` output depths, filter block). An item
    transforms each input plane its depths read once, into v[xi, plane, c, tile] in its thread's scratch; for
    each output depth, 16 GEMMs over the KD consecutive planes it reads give m[xi, f, tile], and the output
    transform writes the 2x2 tiles. Other arguments as in `_conv_blas`.
    """
    n_batch, n_c, d_in = x.shape[0], x.shape[1], x.shape[2]
    n_f, od_n, oh_n, ow_n = out.shape[1], out.shape[2], out.shape[3], out.shape[4]
    k_n = u.shape[2]
    kd_n = k_n // n_c
    pd, ph, pw = pad
    th_n = (oh_n + 1) // 2
    tw_n = (ow_n + 1) // 2
    n_bands = (th_n + band - 1) // band
    n_chunks = (od_n + d_chunk - 1) // d_chunk
    size = x.itemsize
    for item in prange(n_batch * n_bands * n_chunks * f_blocks):
        n, b, chunk, f0, f1 = _work_item(item, n_bands, n_chunks, f_blocks, n_f)
        if f0 >= f1:
            continue
        t0 = b * band
        t1 = min(th_n, t0 + band)
        tb = (t1 - t0) * tw_n
        od0 = chunk * d_chunk
        od1 = min(od_n, od0 + d_chunk)
        z_first = od0 * stride_d  # plane 0 of v, in padded input depth
        planes = (od1 - 1 - od0) * stride_d + kd_n
        s = scratch[numba.get_thread_id()]
        v_len = 16 * planes * n_c * tb
        m_len = 16 * (f1 - f0) * tb
        v = s[:v_len]
        m = s[v_len:v_len + m_len]
        rows = s[v_len + m_len:v_len + m_len + 4 * tw_n]  # `row` of _input_tiles, then `orow` of _output_tiles
        cw = s[v_len + m_len + 4 * tw_n:v_len + m_len + 4 * tw_n + 4 * (2 * band + 2) * tw_n]
        ready = 0  # planes [0, ready) of v are transformed
        old = _call_int32(set_local_threads, (np.int32(1),))
        for od in range(od0, od1):
            z0 = od * stride_d - z_first
            for z in range(max(ready, z0), z0 + kd_n):
                zi = z_first + z - pd
                for c in range(n_c):
                    if 0 <= zi < d_in:
                        _input_tiles(x, v, rows[:2 * tw_n + 2], cw, n, c, zi, (z * n_c + c) * tb,
                                     planes * n_c * tb, t0, t1, tw_n, ph, pw)
                    else:  # depth padding
                        for xi in range(16):
                            v[((xi * planes + z) * n_c + c) * tb:((xi * planes + z) * n_c + c + 1) * tb] = 0
            ready = z0 + kd_n
            for xi in range(16):
                _gemm(gemm, f1 - f0, tb, k_n, one, u.ctypes.data + (xi * n_f + f0) * k_n * size, k_n,
                      v.ctypes.data + (xi * planes + z0) * n_c * tb * size, tb, zero,
                      m.ctypes.data + xi * (f1 - f0) * tb * size, tb)
            _output_tiles(m, out, rows, n, f0, f1, od, t0, t1, tw_n)
        _call_int32(set_local_threads, (old,))


def _check_contiguous(**arrays):
    """Raw pointers reach BLAS: every array must be C-contiguous (the callers guarantee it; this holds them)."""
    for name, array in arrays.items():
        if not array.flags.c_contiguous:
            raise ValueError(f"cpu_conv.conv_gemm needs C-contiguous arrays, but '{name}' is not.")


@serialised
def conv_gemm(x, w, out, scratch, plan):
    """out = conv(x, w) by the GEMM path of `plan` (WINOGRAD, IM2COL or STEPS): x (N, C, D, H, W),
    w (O, C/G, KD, KH, KW), out (N, O, *plan.out_size).

    Winograd's transforms mix neighbouring inputs, so an Inf or NaN (or an overflow of a huge but finite value)
    spreads to outputs a direct convolution keeps finite: a Winograd result with any non-finite element is
    recomputed by im2col, whose every output is a plain sum of products, as in a direct convolution. STEPS (no
    callable BLAS) runs im2col of a few images or positions at a time into the scratch, then NumPy's matmul.
    """
    if not (x.flags.c_contiguous and w.flags.c_contiguous and out.flags.c_contiguous and scratch.flags.c_contiguous):
        _check_contiguous(x=x, w=w, out=out, scratch=scratch)
    n_batch, groups = x.shape[0], plan.groups
    w = w.reshape(groups, w.shape[0] // groups, -1)
    og_n, k_n = w.shape[1], w.shape[2]
    out = out.reshape(n_batch, groups, og_n, -1)
    kernel, stride, dilation, pad, out_size = plan.kernel, plan.stride, plan.dilation, plan.pad, plan.out_size
    if plan.algorithm == STEPS:
        images, positions = plan.step
        p_n = out.shape[3]
        for n0 in range(0, n_batch, images):
            n1 = min(n0 + images, n_batch)
            for p0 in range(0, p_n, positions):
                p1 = min(p0 + positions, p_n)
                cols = scratch[:(n1 - n0) * groups * k_n * (p1 - p0)].reshape(n1 - n0, groups * k_n, p1 - p0)
                _IM2COL((n1 - n0) * cols[0].size, x, cols, n0, p0, p1, kernel, stride, dilation, pad, out_size)
                out[n0:n1, :, :, p0:p1] = np.matmul(w, cols.reshape(n1 - n0, groups, k_n, p1 - p0))
        return
    sgemm, dgemm, set_local = _BLAS
    gemm = sgemm if x.dtype == np.float32 else dgemm
    one, zero = x.dtype.type(1), x.dtype.type(0)
    threads = numba.config.NUMBA_NUM_THREADS
    if plan.algorithm == WINOGRAD:
        blocks = plan.winograd
        f_n, c_n, kd_n = og_n, x.shape[1], kernel[0]
        u = scratch[:16 * f_n * kd_n * c_n].reshape(16, f_n, kd_n * c_n)
        _weight_transform(w.reshape(f_n, c_n, kd_n, 3, 3), u)
        tiles = scratch[u.size:u.size + threads * blocks.per_thread].reshape(threads, blocks.per_thread)
        _conv_winograd(gemm, set_local, one, zero, x, u, out.reshape((n_batch, f_n) + tuple(out_size)), tiles,
                       stride[0], pad, blocks.band, blocks.d_chunk, blocks.f_blocks)
        if _count_non_finite(out.reshape(-1)) == 0:
            return
    blocks = plan.im2col
    cols = scratch[:threads * blocks.per_thread].reshape(threads, blocks.per_thread)
    _conv_blas(gemm, set_local, one, zero, x, w, out, cols, kernel, stride, dilation, pad, out_size, blocks.p_block,
               blocks.k_chunk, blocks.m_blocks)
