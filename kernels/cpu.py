"""CPU launchers: the bodies wrapped with ``numba.njit`` and driven by ``prange`` loops (CPU only).

Every launcher has the same name and signature as its twin in `cuda.py`. Arrays arrive allocated and shapes
computed; parallel loops split work by output element, so results never depend on the thread count. The
convolution launchers live in `cpu_conv.py` and are re-exported here.
"""
import types as types_module

import numba
import numba.core.caching
import numpy as np
from numba import prange

from . import _cache, bodies
from ._parallel import serialised
from ._retarget import compile_bodies
from .cpu_conv import conv, conv_scratch_shape

__all__ = ["random_fill", "random_fill_at", "conv_scratch_shape", "conv", "binary", "philox4x32"]

_cache.install(numba.core.caching)  # before the first cache=True kernel

# error_model="numpy": no ZeroDivisionError branches, so LLVM can vectorize the bodies' arithmetic
_body = compile_bodies(lambda fn: numba.njit(inline="always", error_model="numpy")(fn))
philox4x32 = _body["philox4x32"]
draw4 = _body["draw4"]
lane = _body["lane"]
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


@serialised
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


@serialised
def random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element index[t] of the stream (any slice of a tensor, generated alone)."""
    _random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi)


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    s0 = np.uint32(stream & _LO32)
    s1 = np.uint32(stream >> 32)
    for t in prange(out.size):
        i = index[t]
        blk = i >> 2
        w0, w1, w2, w3 = philox4x32(np.uint32(blk & _LO32), np.uint32(blk >> 32), s0, s1, k0, k1)
        out[t] = lane(draw4(dist, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi), i & 3)


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


@serialised
def binary(op, out, a, b, shape, sa, sb):
    """out = a (op) b over `shape`, C order; a and b are flat with element strides sa, sb (0 = broadcast)."""
    if out.size:
        _BINARY[op](out, a, b, shape, sa, sb)
