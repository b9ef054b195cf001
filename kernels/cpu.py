"""CPU launchers: the bodies wrapped with ``numba.njit`` and driven by ``prange`` loops (CPU only).

Every launcher has the same name and signature as its twin in `cuda.py`. Arrays arrive allocated and shapes
computed; parallel loops split work by output element, so results never depend on the thread count.
"""
import numba
import numpy as np
from numba import prange

from ._retarget import compile_bodies

__all__ = ["random_fill", "random_fill_at", "im2col", "gemm", "binary", "philox4x32"]

_body = compile_bodies(numba.njit)
philox4x32 = _body["philox4x32"]
draw4 = _body["draw4"]
lane = _body["lane"]
valid_range = _body["valid_range"]
binary_value = _body["binary_value"]

_LO32 = 0xFFFFFFFF


@numba.njit(parallel=True, cache=True)
def random_fill(out, start, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element start + t of the stream: Philox block (i >> 2, stream), word i & 3."""
    n = out.size
    if n == 0:
        return
    first = start >> 2
    nblocks = ((start + n - 1) >> 2) - first + 1
    s0 = np.uint32(stream & _LO32)
    s1 = np.uint32(stream >> 32)
    for b in prange(nblocks):
        blk = first + b
        w0, w1, w2, w3 = philox4x32(np.uint32(blk & _LO32), np.uint32(blk >> 32), s0, s1, k0, k1)
        v = draw4(dist, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi)
        base = blk * 4 - start
        for j in range(4):
            i = base + j
            if 0 <= i < n:
                out[i] = lane(v, j)


@numba.njit(parallel=True, cache=True)
def random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element index[t] of the stream (any slice of a tensor, generated alone)."""
    s0 = np.uint32(stream & _LO32)
    s1 = np.uint32(stream >> 32)
    for t in prange(out.size):
        i = index[t]
        blk = i >> 2
        w0, w1, w2, w3 = philox4x32(np.uint32(blk & _LO32), np.uint32(blk >> 32), s0, s1, k0, k1)
        out[t] = lane(draw4(dist, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi), i & 3)


@numba.njit(parallel=True, cache=True)
def im2col(x, cols, kernel, stride, dilation, pad, out_size):
    """cols[n, (c, kd, kh, kw), (od, oh, ow)] = x[n, c, od*sd - pd + kd*dd, ...], zero outside x.

    x is (N, C, D, H, W); cols is (N, C*KD*KH*KW, OD*OH*OW). Rows of one group are contiguous, so
    cols.reshape(N, G, -1, P) is the grouped GEMM operand without a copy.
    """
    n_batch, n_chan, d_in, h_in, w_in = x.shape
    kd_n, kh_n, kw_n = kernel
    sd, sh, sw = stride
    dd, dh, dw = dilation
    pd, ph, pw = pad
    od_n, oh_n, ow_n = out_size
    k3 = kd_n * kh_n * kw_n
    rows = n_chan * k3
    for t in prange(n_batch * rows):
        n = t // rows
        r = t % rows
        c = r // k3
        k = r % k3
        kd = k // (kh_n * kw_n)
        kh = (k // kw_n) % kh_n
        kw = k % kw_n
        x_off = kw * dw - pw
        lo, hi = valid_range(x_off, sw, w_in, ow_n)
        dst = cols[n, r]
        for od in range(od_n):
            z = od * sd - pd + kd * dd
            for oh in range(oh_n):
                y = oh * sh - ph + kh * dh
                base = (od * oh_n + oh) * ow_n
                if 0 <= z < d_in and 0 <= y < h_in:
                    src = x[n, c, z, y]
                    for ow in range(lo):
                        dst[base + ow] = 0
                    for ow in range(lo, hi):
                        dst[base + ow] = src[x_off + ow * sw]
                    for ow in range(hi, ow_n):
                        dst[base + ow] = 0
                else:
                    for ow in range(ow_n):
                        dst[base + ow] = 0


def gemm(w, cols, out):
    """out[n, g] = w[g] @ cols[n, g] for every batch n and group g: BLAS sgemm/dgemm through NumPy."""
    np.matmul(w, cols, out=out)


@numba.njit(parallel=True, cache=True)
def binary(op, out, a, b, shape, sa, sb):
    """out = a (op) b over `shape`, C order; a and b are flat with element strides sa, sb (0 = broadcast).

    The last axis is the inner loop; it is cut into chunks so a single long axis still runs in parallel.
    """
    nd = len(shape)
    inner = shape[nd - 1]
    if out.size == 0:
        return
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
        if sal == 1 and sbl == 1:
            for j in range(j0, j1):
                out[o + j] = binary_value(op, a[oa + j], b[ob + j])
        elif sbl == 0:
            bv = b[ob]
            for j in range(j0, j1):
                out[o + j] = binary_value(op, a[oa + j * sal], bv)
        elif sal == 0:
            av = a[oa]
            for j in range(j0, j1):
                out[o + j] = binary_value(op, av, b[ob + j * sbl])
        else:
            for j in range(j0, j1):
                out[o + j] = binary_value(op, a[oa + j * sal], b[ob + j * sbl])
