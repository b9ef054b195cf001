"""CPU launchers: the bodies wrapped with ``numba.njit`` and driven by ``prange`` loops (CPU only).

Every launcher has the same name and signature as its twin in `cuda.py`. Arrays arrive allocated and shapes
computed; parallel loops split work by output element, so results never depend on the thread count.
"""
import ctypes
import glob
import os
import types as types_module

import numba
import numpy as np
from llvmlite import ir
from numba import prange
from numba.core import types
from numba.extending import intrinsic

from . import bodies
from ._retarget import compile_bodies

__all__ = ["random_fill", "random_fill_at", "conv_scratch_shape", "conv", "binary", "philox4x32"]

# error_model="numpy": no ZeroDivisionError branches, so LLVM can vectorize the bodies' arithmetic
_body = compile_bodies(lambda fn: numba.njit(inline="always", error_model="numpy")(fn))
philox4x32 = _body["philox4x32"]
draw4 = _body["draw4"]
lane = _body["lane"]
valid_range = _body["valid_range"]
binary_value = _body["binary_value"]

_LO32 = 0xFFFFFFFF
_BLOCKS_PER_TASK = 4096  # Philox blocks per parallel task; the inner loop over them is what LLVM vectorizes
_DIST = -1  # bound per copy of _fill_blocks below, so each distribution compiles to its own branch-free loop


def _fill_blocks(out, first_block, k0, k1, s0, s1, p0, p1, p2, p3, lo, hi):
    """out[4b + j] = sample j of Philox block first_block + b, for out.size // 4 whole blocks."""
    n_blocks = out.size // 4
    for task in prange((n_blocks + _BLOCKS_PER_TASK - 1) // _BLOCKS_PER_TASK):
        for b in range(task * _BLOCKS_PER_TASK, min((task + 1) * _BLOCKS_PER_TASK, n_blocks)):
            blk = first_block + b
            w0, w1, w2, w3 = philox4x32(np.uint32(blk & _LO32), np.uint32(blk >> 32), s0, s1, k0, k1)
            v0, v1, v2, v3 = draw4(_DIST, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi)
            i = np.uint64(4 * b)  # unsigned: no negative-index wrap-around to block vectorization
            out[i] = v0
            out[i + np.uint64(1)] = v1
            out[i + np.uint64(2)] = v2
            out[i + np.uint64(3)] = v3


def _specialise(fn, name, **constants):
    """A parallel kernel compiled from `fn` with some globals bound to constants (its own cache entry)."""
    copy = types_module.FunctionType(fn.__code__, dict(fn.__globals__, **constants), name, fn.__defaults__,
                                     fn.__closure__)
    copy.__qualname__ = name
    return numba.njit(parallel=True, cache=True, error_model="numpy")(copy)


_FILL_BLOCKS = {dist: _specialise(_fill_blocks, f"_fill_blocks_{name}", _DIST=dist) for dist, name in (
    (bodies.UNIFORM, "uniform"), (bodies.NORMAL, "normal"), (bodies.TRUNCATED_NORMAL, "truncated_normal"))}


def random_fill(out, start, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element start + t of the stream: Philox block (i >> 2, stream), word i & 3.

    Whole blocks go through the distribution's vectorized loop; the at most three elements at each end that
    share a block with elements outside `out` go through `random_fill_at`.
    """
    n = out.size
    head = min(n, -start % 4)
    body = (n - head) // 4 * 4
    s0, s1 = np.uint32(stream & _LO32), np.uint32(stream >> 32)
    if body:
        _FILL_BLOCKS[dist](out[head:head + body], (start + head) // 4, k0, k1, s0, s1, p0, p1, p2, p3, lo, hi)
    for lo_t, hi_t in ((0, head), (head + body, n)):
        if hi_t > lo_t:
            random_fill_at(out[lo_t:hi_t], np.arange(start + lo_t, start + hi_t, dtype=np.int64), k0, k1, stream,
                           dist, p0, p1, p2, p3, lo, hi)


@numba.njit(parallel=True, cache=True, error_model="numpy")
def random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element index[t] of the stream (any slice of a tensor, generated alone)."""
    s0 = np.uint32(stream & _LO32)
    s1 = np.uint32(stream >> 32)
    for t in prange(out.size):
        i = index[t]
        blk = i >> 2
        w0, w1, w2, w3 = philox4x32(np.uint32(blk & _LO32), np.uint32(blk >> 32), s0, s1, k0, k1)
        out[t] = lane(draw4(dist, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi), i & 3)


@numba.njit(cache=True, error_model="numpy")
def _fill_columns(x, cols, n, c0, channels, kernel, stride, dilation, pad, out_size, q0, q1):
    """cols[(c, kd, kh, kw), (q - q0) * OW + ow] for output rows q = od * OH + oh in [q0, q1) and channels
    [c0, c0 + channels) of image n: the im2col of one block of the output, zero outside x."""
    d_in, h_in, w_in = x.shape[2], x.shape[3], x.shape[4]
    kd_n, kh_n, kw_n = kernel
    sd, sh, sw = stride
    dd, dh, dw = dilation
    pd, ph, pw = pad
    oh_n, ow_n = out_size[1], out_size[2]
    k3 = kd_n * kh_n * kw_n
    for r in range(channels * k3):
        c = c0 + r // k3
        k = r % k3
        kd = k // (kh_n * kw_n)
        kh = (k // kw_n) % kh_n
        kw = k % kw_n
        x_off = kw * dw - pw
        lo, hi = valid_range(x_off, sw, w_in, ow_n)
        dst = cols[r]
        for q in range(q0, q1):
            z = (q // oh_n) * sd - pd + kd * dd
            y = (q % oh_n) * sh - ph + kh * dh
            row = dst[(q - q0) * ow_n:(q - q0 + 1) * ow_n]
            if 0 <= z < d_in and 0 <= y < h_in and lo < hi:
                src = x[n, c, z, y]
                row[:lo] = 0
                if sw == 1:  # the common case: a contiguous copy, which LLVM turns into vector moves
                    row[lo:hi] = src[x_off + lo:x_off + hi]
                else:
                    for ow in range(lo, hi):
                        row[ow] = src[x_off + ow * sw]
                row[hi:] = 0
            else:
                row[:] = 0


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


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _conv_blas(gemm, set_local_threads, one, zero, x, w, out, scratch, kernel, stride, dilation, pad, out_size,
               m_blocks):
    """One parallel region: each work item packs the im2col of one block of output rows into its thread's
    scratch (so it stays in cache) and multiplies it by a block of filters with single-threaded BLAS.

    Work items are (image, group, output-row block, filter block). `gemm` and `set_local_threads` are the
    addresses of cblas_?gemm and openblas_set_num_threads_local; BLAS is set to one thread in the calling
    thread only, so it never starts threads that compete with ours.
    """
    n_batch = x.shape[0]
    groups, og_n, k_n = w.shape
    per_group = x.shape[1] // groups
    rows = out_size[0] * out_size[1]
    ow_n = out_size[2]
    p_n = rows * ow_n
    chunk = scratch.shape[2] // ow_n
    n_chunks = (rows + chunk - 1) // chunk
    m_step = (og_n + m_blocks - 1) // m_blocks
    size = x.itemsize
    for item in prange(n_batch * groups * n_chunks * m_blocks):
        mb = item % m_blocks
        rest = item // m_blocks
        q_block = rest % n_chunks
        rest //= n_chunks
        g = rest % groups
        n = rest // groups
        m0 = mb * m_step
        m1 = min(m0 + m_step, og_n)
        if m0 >= m1:
            continue
        q0 = q_block * chunk
        q1 = min(q0 + chunk, rows)
        cols = scratch[numba.get_thread_id()]
        _fill_columns(x, cols, n, g * per_group, per_group, kernel, stride, dilation, pad, out_size, q0, q1)
        old = _call_int32(set_local_threads, (np.int32(1),))
        _call_void(gemm, (np.int32(_ROW_MAJOR), np.int32(_NO_TRANS), np.int32(_NO_TRANS), np.int64(m1 - m0),
                          np.int64((q1 - q0) * ow_n), np.int64(k_n), one,
                          w.ctypes.data + ((g * og_n + m0) * k_n) * size, np.int64(k_n),
                          cols.ctypes.data, np.int64(cols.shape[1]), zero,
                          out.ctypes.data + (((n * groups + g) * og_n + m0) * p_n + q0 * ow_n) * size,
                          np.int64(p_n)))
        _call_int32(set_local_threads, (old,))


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _im2col(x, cols, kernel, stride, dilation, pad, out_size):
    """Whole-tensor im2col, parallel over images and channels (the fallback path without callable BLAS)."""
    k3 = kernel[0] * kernel[1] * kernel[2]
    n_chan = x.shape[1]
    for t in prange(x.shape[0] * n_chan):
        n = t // n_chan
        c = t % n_chan
        _fill_columns(x, cols[n, c * k3:(c + 1) * k3], n, c, 1, kernel, stride, dilation, pad, out_size, 0,
                      out_size[0] * out_size[1])


_COLUMNS_PER_ITEM = 512  # output positions packed per work item: K x 512 floats stay in L2


def conv_scratch_shape(x_shape, w_shape, out_size):
    """Shape of the scratch `conv` needs: one column block per thread (or the whole im2col without BLAS)."""
    n_batch, n_chan = x_shape[0], x_shape[1]
    groups, _, k_n = w_shape
    p_n = out_size[0] * out_size[1] * out_size[2]
    if _BLAS is None:
        return n_batch, n_chan * (k_n // (n_chan // groups)), p_n
    rows = out_size[0] * out_size[1]
    # a block of output rows of about _COLUMNS_PER_ITEM columns, small enough that every thread gets work
    split = -(-numba.get_num_threads() // (n_batch * groups))
    block = max(1, min(-(-_COLUMNS_PER_ITEM // out_size[2]), -(-rows // split)))
    return numba.config.NUMBA_NUM_THREADS, k_n, block * out_size[2]


def conv(x, w, out, scratch, kernel, stride, dilation, pad, out_size):
    """out[n, g] = w[g] @ im2col(x)[n, g]: x (N, C, D, H, W), w (G, O/G, C/G*KD*KH*KW), out (N, G, O/G, P).

    With NumPy's OpenBLAS reachable, one fused parallel region (`_conv_blas`); otherwise im2col into the
    scratch, then NumPy's matmul.
    """
    if out.size == 0:
        return
    if _BLAS is None:
        _im2col(x, scratch, kernel, stride, dilation, pad, out_size)
        groups = w.shape[0]
        np.matmul(w, scratch.reshape(x.shape[0], groups, w.shape[2], -1), out=out)
        return
    sgemm, dgemm, set_local = _BLAS
    rows = out_size[0] * out_size[1]
    items = x.shape[0] * w.shape[0] * -(-rows // (scratch.shape[2] // out_size[2]))
    threads = numba.get_num_threads()
    m_blocks = max(1, min(-(-2 * threads // items), w.shape[1] // 16))  # enough items to keep threads busy
    one, zero = x.dtype.type(1), x.dtype.type(0)
    _conv_blas(sgemm if x.dtype == np.float32 else dgemm, set_local, one, zero, x, w, out, scratch, kernel, stride,
               dilation, pad, out_size, m_blocks)


_ROW_MAJOR, _NO_TRANS = 101, 111


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


_OP = -1  # bound per copy of _binary below, so each operation compiles to its own branch-free loop


def _binary(out, a, b, shape, sa, sb):
    """out = a (_OP) b over `shape`, C order; a and b are flat with element strides sa, sb (0 = broadcast).

    The last axis is the inner loop; it is cut into chunks so a single long axis still runs in parallel.
    """
    nd = len(shape)
    inner = shape[nd - 1]
    rows = out.size // inner
    chunk = 16384
    nchunk = (inner + chunk - 1) // chunk
    sal = sa[nd - 1]
    sbl = sb[nd - 1]
    for t in prange(rows * nchunk):
        r = t // nchunk
        j0 = (t % nchunk) * chunk
        j1 = min(j0 + chunk, inner)
        oa = 0
        ob = 0
        rem = r
        for d in range(nd - 2, -1, -1):
            idx = rem % shape[d]
            rem //= shape[d]
            oa += idx * sa[d]
            ob += idx * sb[d]
        o = r * inner
        # unsigned indices and one loop per stride pattern: the contiguous cases vectorize
        if sal == 1 and sbl == 1:
            for j in range(np.uint64(j0), np.uint64(j1)):
                out[np.uint64(o) + j] = binary_value(_OP, a[np.uint64(oa) + j], b[np.uint64(ob) + j])
        elif sal == 1 and sbl == 0:
            bv = b[ob]
            for j in range(np.uint64(j0), np.uint64(j1)):
                out[np.uint64(o) + j] = binary_value(_OP, a[np.uint64(oa) + j], bv)
        elif sal == 0 and sbl == 1:
            av = a[oa]
            for j in range(np.uint64(j0), np.uint64(j1)):
                out[np.uint64(o) + j] = binary_value(_OP, av, b[np.uint64(ob) + j])
        else:
            for j in range(j0, j1):
                out[o + j] = binary_value(_OP, a[oa + j * sal], b[ob + j * sbl])


_BINARY = {op: _specialise(_binary, f"_binary_{name}", _OP=op)
           for op, name in ((bodies.ADD, "add"), (bodies.SUB, "sub"), (bodies.MUL, "mul"))}


def binary(op, out, a, b, shape, sa, sb):
    """out = a (op) b over `shape`, C order; a and b are flat with element strides sa, sb (0 = broadcast)."""
    if out.size:
        _BINARY[op](out, a, b, shape, sa, sb)
