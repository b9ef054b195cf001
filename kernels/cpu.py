"""CPU launchers: the bodies wrapped with ``numba.njit`` and driven by ``prange`` loops (CPU only).

Every launcher has the same name and signature as its twin in `cuda.py`. Arrays arrive allocated and shapes
computed; parallel loops split work by output element, so results never depend on the thread count. The
GEMM-based convolution (Winograd, im2col) lives in `cpu_conv.py` and is re-exported here; the direct one, built
from a body shared with the GPU, is here.
"""
import threading

import numba
import numba.core.caching
import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.extending import intrinsic

from . import _cache, bodies
from ._parallel import Split, rebound
from ._retarget import compile_bodies
from .cpu_conv import conv, conv_scratch_shape

__all__ = ["random_fill", "random_fill_at", "r13_normal_fill", "ms2_fill", "ms2_unit_fill", "conv_scratch_shape",
           "conv", "conv_direct", "binary", "philox4x32", "unary", "reduce", "arg_reduce", "softmax"]

_cache.install(numba.core.caching)  # before the first cache=True kernel



def _bitcast(source, target):
    """An intrinsic reinterpreting the bits of a `source` scalar as a `target` one (free; LLVM vectorizes it)."""
    llvm_type = {types.float32: ir.FloatType(), types.float64: ir.DoubleType(), types.int32: ir.IntType(32),
                 types.int64: ir.IntType(64)}[target]

    @intrinsic
    def cast(typingctx, value):
        def codegen(context, builder, signature, args):
            return builder.bitcast(context.cast(builder, args[0], signature.args[0], source), llvm_type)
        return target(value), codegen
    return cast


# the bodies' bit reinterpretations (NumPy views, which Numba cannot compile for scalars) and fmod (math.fmod is
# not in Numba's CPU target)
_BITS = {"float_from_bits": _bitcast(types.int32, types.float32), "float_bits": _bitcast(types.float32, types.int32),
         "double_from_bits": _bitcast(types.int64, types.float64),
         "double_bits": _bitcast(types.float64, types.int64),
         "fmod": numba.njit(inline="always", error_model="numpy")(lambda a, b: np.fmod(a, b))}
# error_model="numpy": no ZeroDivisionError branches, so LLVM can vectorize the bodies' arithmetic
_body = compile_bodies(lambda fn: numba.njit(inline="always", error_model="numpy")(fn), _BITS)
# the float bodies compiled for float64 work (bodies.WIDE)
_wide = compile_bodies(lambda fn: numba.njit(inline="always", error_model="numpy")(fn), _BITS, wide=True)
# the same bodies with the long ones (bodies.CALLED) compiled as functions of their own: for item functions that
# serve small work, where compile time matters more than vectorization
_called = compile_bodies(lambda fn: numba.njit(inline="never" if fn.__name__ in bodies.CALLED else "always",
                                               error_model="numpy")(fn), _BITS)
philox4x32 = _body["philox4x32"]
contract_block = _body["contract_block"]
draw4 = _body["draw4"]
lane = _body["lane"]
r13_calls = _body["r13_calls"]
r13_fresh = _body["r13_fresh"]
r13_chain = _body["r13_chain"]
r13_box_muller = _body["r13_box_muller"]
ms2_block = _body["ms2_block"]
ms2_unit = _body["ms2_unit"]
ms2_draw4 = _body["ms2_draw4"]
mul = _body["mul"]
conv_row_taps = _body["conv_row_taps"]

_LO32 = 0xFFFFFFFF
_BLOCKS_PER_TASK = 4096  # Philox blocks per parallel task; the inner loop over them is what LLVM vectorizes
_DIST = -1  # bound per copy of _fill_blocks below, so each distribution compiles to its own branch-free loop


def _fill_blocks(out, first_block, k0, k1, stream, p0, p1, p2, p3, lo, hi):
    """out[4b + j] = sample j of Philox block first_block + b, for out.size // 4 whole blocks."""
    n_blocks = out.size // 4
    for task in prange((n_blocks + _BLOCKS_PER_TASK - 1) // _BLOCKS_PER_TASK):
        for b in range(task * _BLOCKS_PER_TASK, min((task + 1) * _BLOCKS_PER_TASK, n_blocks)):
            w0, w1, w2, w3 = contract_block(first_block + b, stream, k0, k1)
            v0, v1, v2, v3 = draw4(_DIST, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi)
            i = np.uint64(4 * b)  # unsigned: no negative-index wrap-around to block vectorization
            out[i] = v0
            out[i + np.uint64(1)] = v1
            out[i + np.uint64(2)] = v2
            out[i + np.uint64(3)] = v3


_FILL_BLOCKS = {dist: Split(_fill_blocks, f"_fill_blocks_{name}", _DIST=dist) for dist, name in (
    (bodies.UNIFORM, "uniform"), (bodies.NORMAL, "normal"), (bodies.TRUNCATED_NORMAL, "truncated_normal"))}


def random_fill(out, start, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element start + t of the stream: Philox block (i >> 2, stream), word i & 3.

    Whole blocks go through the distribution's vectorized loop; the at most three elements at each end that
    share a block with elements outside `out` go through `random_fill_at`.
    """
    n = out.size
    head = min(n, -start % 4)
    body = (n - head) // 4 * 4
    if body:
        _FILL_BLOCKS[dist](body, out[head:head + body], (start + head) // 4, k0, k1, stream, p0, p1, p2, p3, lo, hi)
    for lo_t, hi_t in ((0, head), (head + body, n)):
        if hi_t > lo_t:
            random_fill_at(out[lo_t:hi_t], np.arange(start + lo_t, start + hi_t, dtype=np.int64), k0, k1, stream,
                           dist, p0, p1, p2, p3, lo, hi)


def random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    """out[t] = sample of element index[t] of the stream (any slice of a tensor, generated alone)."""
    _RANDOM_FILL_AT(out.size, out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi)


def _random_fill_at(out, index, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi):
    for t in prange(out.size):
        i = index[t]
        w0, w1, w2, w3 = contract_block(i >> 2, stream, k0, k1)
        out[t] = lane(draw4(dist, w0, w1, w2, w3, p0, p1, p2, p3, lo, hi), i & 3)


_RANDOM_FILL_AT = Split(_random_fill_at)


_R13_LOCKSTEP = 8  # chains one task advances together: their independent serial chains overlap in the core


def _r13_uniforms_task(out, tail, seed, seed2, g):
    """Phase 1 of r1.3's random_normal for chains g * _R13_LOCKSTEP ...: each chain's generator, serially,
    writes its uniforms in place.

    The task advances _R13_LOCKSTEP chains call by call (a chain alone is one long dependency chain): first the
    calls every chain of the task makes, then each chain's remaining ones.
    """
    total = out.size
    st = np.empty((5, _R13_LOCKSTEP), np.uint32)
    common = total  # calls every chain of the task makes
    for i in range(_R13_LOCKSTEP):
        start, length, skip = r13_chain(total, g * _R13_LOCKSTEP + i)
        st[0, i], st[1, i], st[2, i], st[3, i], st[4, i] = r13_fresh(seed, seed2, skip)
        common = min(common, -(-length // 4))
    for j in range(common):
        for i in range(_R13_LOCKSTEP):
            t = g * _R13_LOCKSTEP + i
            start, length, skip = r13_chain(total, t)
            st[0, i], st[1, i], st[2, i], st[3, i], st[4, i] = r13_calls(
                out, tail, t, start, length, j, j + 1, (st[0, i], st[1, i], st[2, i], st[3, i], st[4, i]))
    for i in range(_R13_LOCKSTEP):
        t = g * _R13_LOCKSTEP + i
        start, length, skip = r13_chain(total, t)
        r13_calls(out, tail, t, start, length, common, -(-length // 4),
                  (st[0, i], st[1, i], st[2, i], st[3, i], st[4, i]))


# serial chains: nothing to vectorize, so the long bodies stay calls (compile time)
_r13_uniforms_task = numba.njit(cache=True, error_model="numpy")(rebound(_r13_uniforms_task, "_r13_uniforms_task", _called))


def _r13_uniforms(out, tail, seed, seed2):
    for g in prange(16 // _R13_LOCKSTEP):
        _r13_uniforms_task(out, tail, seed, seed2, np.int64(g))  # prange's index is unsigned


_R13_UNIFORMS = Split(_r13_uniforms)
_R13_PAIRS_PER_TASK = 8192


@numba.njit(cache=True, error_model="numpy")
def _r13_normals_task(out, tail, sigma, mean, task):
    """Phase 2, one task: its uniform pairs become two normals each, out = normal * sigma + mean (two float32
    roundings)."""
    total = out.size
    tasks_per_chain = _r13_tasks_per_chain(total)
    t = task // tasks_per_chain
    start, length, skip = r13_chain(total, t)
    pairs = (length + 1) // 2
    full = 2 * (length // 4)  # pairs whose uniforms are in `out`
    p0 = (task % tasks_per_chain) * _R13_PAIRS_PER_TASK
    p1 = min(pairs, p0 + _R13_PAIRS_PER_TASK)
    for p in range(np.uint64(p0), np.uint64(min(p1, full))):  # the branch-free loop LLVM vectorizes
        e = np.uint64(start) + np.uint64(2) * p
        z0, z1 = r13_box_muller(out[e], out[e + np.uint64(1)])
        out[e] = mul(z0, sigma) + mean
        out[e + np.uint64(1)] = mul(z1, sigma) + mean
    for p in range(max(p0, full), p1):  # at most two pairs, fed from the tail
        h = 2 * (p - full)
        z0, z1 = r13_box_muller(tail[t, h], tail[t, h + 1])
        out[start + 2 * p] = mul(z0, sigma) + mean
        if 2 * p + 1 < length:
            out[start + 2 * p + 1] = mul(z1, sigma) + mean


@numba.njit(inline="always")
def _r13_tasks_per_chain(total):
    most_pairs = (total // 16 + 17) // 2  # of any chain (the last one is up to 15 elements longer)
    return (most_pairs + _R13_PAIRS_PER_TASK - 1) // _R13_PAIRS_PER_TASK


def _r13_normals(out, tail, sigma, mean):
    for task in prange(16 * _r13_tasks_per_chain(out.size)):
        _r13_normals_task(out, tail, sigma, mean, np.int64(task))  # prange's index is unsigned


_r13_normals_task_small = numba.njit(cache=True, error_model="numpy")(
    rebound(_r13_normals_task.py_func, "_r13_normals_task_small", _called))
_R13_NORMALS = Split(_r13_normals, serial={"_r13_normals_task": _r13_normals_task_small})


def r13_normal_fill(out, tail, seed, seed2, sigma, mean):
    """MindSpore r1.3's random_normal(shape, seed, seed2) * sigma + mean into the flat float32 `out`.

    `tail` is (16, 4) float32 scratch. The values depend on r1.3's fixed 16-chain split only, never on the
    thread count.
    """
    if out.size:
        _R13_UNIFORMS(out.size, out, tail, seed, seed2)
        _R13_NORMALS(out.size, out, tail, sigma, mean)


_DIRECT_ROWS = 16  # output rows one work item sums together, sharing each tap's weight and bounds


def _ms2_blocks(out, seed, p0, p1):
    """out[4b + j] = sample j of 2.10's Philox block b, for out.size // 4 whole blocks (vectorized per _DIST)."""
    n_blocks = out.size // 4
    for task in prange((n_blocks + _BLOCKS_PER_TASK - 1) // _BLOCKS_PER_TASK):
        for b in range(task * _BLOCKS_PER_TASK, min((task + 1) * _BLOCKS_PER_TASK, n_blocks)):
            w0, w1, w2, w3 = ms2_block(b, seed)
            v0, v1, v2, v3 = ms2_draw4(_DIST, w0, w1, w2, w3, p0, p1)
            i = np.uint64(4 * b)
            out[i] = v0
            out[i + np.uint64(1)] = v1
            out[i + np.uint64(2)] = v2
            out[i + np.uint64(3)] = v3


_MS2_BLOCKS = {dist: Split(_ms2_blocks, f"_ms2_blocks_{name}", _DIST=dist)
               for dist, name in ((bodies.UNIFORM, "uniform"), (bodies.NORMAL, "normal"))}


@numba.njit(cache=True, error_model="numpy")
def _ms2_last_block(out, seed, dist, p0, p1):
    """The elements of the last, partial block (an odd last Normal element is the cosine of its pair)."""
    b = out.size // 4
    w0, w1, w2, w3 = ms2_block(b, seed)
    v = ms2_draw4(dist, w0, w1, w2, w3, p0, p1)
    for j in range(out.size - 4 * b):
        out[4 * b + j] = lane(v, j)


def ms2_fill(out, seed, dist, p0, p1):
    """MindSpore 2.10's _random_uniform (p0 = a, p1 = b - a) or _random_normal (p0 = mean, p1 = sigma), all as
    doubles, into the flat float32 `out`."""
    if out.size >= 4:
        _MS2_BLOCKS[dist](out.size, out, seed, p0, p1)
    if out.size % 4:
        _ms2_last_block(out, seed, dist, p0, p1)


def ms2_unit_fill(out, seed):
    """out[i] = word i of 2.10's generator / 2**32, in the flat float64 `out` (TruncatedNormal's uniforms)."""
    if out.size:
        _MS2_UNIT_FILL(out.size, out, seed)


def _ms2_unit_fill(out, seed):
    for i in prange(out.size):
        out[i] = ms2_unit(lane(ms2_block(i >> 2, seed), i & 3))


_MS2_UNIT_FILL = Split(_ms2_unit_fill)


@numba.njit(cache=True, error_model="numpy")
def _conv_direct_item(x, w, out, stride, dilation, pad, item):
    """One work item of the direct convolution: (image, channel, depth, block of rows), a shape-only split."""
    n_n, o_n, od_n, oh_n, ow_n = out.shape
    per_group = o_n // (x.shape[1] // w.shape[1])
    blocks = (oh_n + _DIRECT_ROWS - 1) // _DIRECT_ROWS
    b = item % blocks
    od = (item // blocks) % od_n
    o = (item // (blocks * od_n)) % o_n
    n = item // (blocks * od_n * o_n)
    oh0 = b * _DIRECT_ROWS
    acc = out[n, o, od, oh0:min(oh0 + _DIRECT_ROWS, oh_n)]
    acc[:] = 0
    conv_row_taps(acc, x, w, n, o, (o // per_group) * w.shape[1], od * stride[0] - pad[0],
                  oh0 * stride[1] - pad[1], dilation, stride, pad[2], 0, ow_n)


def _conv_direct(x, w, out, stride, dilation, pad):
    n_n, o_n, od_n, oh_n = out.shape[:4]
    for item in prange(n_n * o_n * od_n * ((oh_n + _DIRECT_ROWS - 1) // _DIRECT_ROWS)):
        _conv_direct_item(x, w, out, stride, dilation, pad, np.int64(item))  # prange's index is unsigned


_CONV_DIRECT = Split(_conv_direct)


def conv_direct(x, w, out, stride, dilation, pad):
    """out = conv(x, w) summed tap by tap in (channel, depth, row, column) order, float32 only.

    x (N, C, D, H, W), w (O, C/group, KD, KH, KW), out (N, O, OD, OH, OW); the group count is C / w.shape[1].
    """
    if out.size:
        _CONV_DIRECT(out.size * w[0].size, x, w, out, stride, dilation, pad)


# --- element-wise: map, zip (broadcast binary), reduce, arg-reduce, softmax --------------------------------------
# One loop per launcher, compiled lazily per operation code (and per float width) with the code's body bound in:
# `bodies.UNARY`, `bodies.BINARY`, `bodies.REDUCE_FINISH` name them. Float64 work binds the double compile.
_OP = -1  # the code a copy is compiled for (reductions, softmax)
# bodies each copy binds (see `_element_kernel`); the loops below never run unbound
value = finish = reduce_chunk = out_base = fold_value = arg_lane = softmax_lane = None
_CHUNK = 16384  # elements per parallel task of the map and zip loops (a long single axis still splits)
_kernels = {}
_kernels_lock = threading.Lock()


def _element_kernel(key, fn, names, code):
    """The Split of loop `fn` for key = (kind, op, wide), made on first use, with `_OP` = `code` and each global
    of `names` (loop name -> body name) bound to that body of the float32 or float64 (`wide`) compile."""
    with _kernels_lock:
        kernel = _kernels.get(key)
        if kernel is None:
            kind, op, wide = key
            compiled = _wide if wide else _body
            bound = {name: compiled[body] for name, body in names.items()}
            kernel = _kernels[key] = Split(fn, f"_{kind}_{op}{'_f64' if wide else ''}", _OP=code, **bound)
    return kernel


_REDUCE_NAMES = {"reduce_chunk": "reduce_chunk", "out_base": "out_base", "fold_value": "fold_value"}


def _unary(out, a, p):
    n = out.size
    for t in prange((n + _CHUNK - 1) // _CHUNK):
        for i in range(np.uint64(t * _CHUNK), np.uint64(min(n, (t + 1) * _CHUNK))):
            out[i] = value(a[i], p)


def unary(op, out, a, p):
    """out = body(a, p) element-wise for the UNARY code `op`; out and a flat, p a scalar of the work dtype."""
    n = out.size
    if n:
        key = ("unary", op, a.dtype.char == "d")
        kernel = _kernels.get(key) or _element_kernel(key, _unary, {"value": bodies.UNARY[op]}, op)
        kernel(n, out, a, p)


def _binary(out, a, b, shape, sa, sb):
    """out = value(a, b) over `shape`, C order; a and b are flat with element strides sa, sb (0 = broadcast).

    The last axis is the inner loop; it is cut into chunks so a single long axis still runs in parallel.
    """
    nd = len(shape)
    inner = shape[nd - 1]
    rows = out.size // inner
    nchunk = (inner + _CHUNK - 1) // _CHUNK
    sal = sa[nd - 1]
    sbl = sb[nd - 1]
    for t in prange(rows * nchunk):
        r = t // nchunk
        j0 = (t % nchunk) * _CHUNK
        j1 = min(j0 + _CHUNK, inner)
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
                out[np.uint64(o) + j] = value(a[np.uint64(oa) + j], b[np.uint64(ob) + j])
        elif sal == 1 and sbl == 0:
            bv = b[ob]
            for j in range(np.uint64(j0), np.uint64(j1)):
                out[np.uint64(o) + j] = value(a[np.uint64(oa) + j], bv)
        elif sal == 0 and sbl == 1:
            av = a[oa]
            for j in range(np.uint64(j0), np.uint64(j1)):
                out[np.uint64(o) + j] = value(av, b[np.uint64(ob) + j])
        else:
            for j in range(j0, j1):
                out[o + j] = value(a[oa + j * sal], b[ob + j * sbl])


def binary(op, out, a, b, shape, sa, sb):
    """out = a (op) b over `shape`, C order; a and b are flat with element strides sa, sb (0 = broadcast)."""
    n = out.size
    if n:
        key = ("binary", op, a.dtype.char == "d")
        kernel = _kernels.get(key) or _element_kernel(key, _binary, {"value": bodies.BINARY[op]}, op)
        kernel(n, out, a, b, shape, sa, sb)


def _reduce(out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes, count):
    n_out = out.size
    total = 1
    for size in rshape:
        total *= size
    nchunks = (total + chunk - 1) // chunk
    if nchunks == 1:
        for o in prange(n_out):
            out[o] = finish(reduce_chunk(_OP, a, out_base(o, oshape, ostr), 0, total, rshape, rstr, lanes), count)
        return
    for t in prange(n_out * nchunks):  # partial[o, c]: chunk c of output o
        o = t // nchunks
        k0 = (t - o * nchunks) * chunk
        partial[t] = reduce_chunk(_OP, a, out_base(o, oshape, ostr), k0, min(k0 + chunk, total), rshape, rstr, lanes)
    for o in prange(n_out):
        acc = partial[o * nchunks]
        for c in range(1, nchunks):
            acc = fold_value(_OP, acc, partial[o * nchunks + c])
        out[o] = finish(acc, count)


def reduce(op, out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes, count):
    """out[o] = the fold of the reduced elements of output o (REDUCE code `op`), in an order fixed by the shape.

    Output o (C order over `oshape`) starts at input offset sum(index * ostr); its reduced elements are the C
    order over `rshape` with steps `rstr`, folded in chunks of `chunk` (`bodies.reduce_chunk`; `lanes`: they are
    contiguous), the chunks' folds (in `partial`, n_out * chunks elements) then folded in order, and the result
    finished with `count` (MEAN divides by it).
    """
    if out.size:
        key = ("reduce", op, a.dtype.char == "d")
        kernel = _kernels.get(key) or _element_kernel(
            key, _reduce, dict(_REDUCE_NAMES, finish=bodies.REDUCE_FINISH[op]), bodies.FOLD[op])
        kernel(a.size, out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes, count)


def _arg_reduce(values, indices, a, n, inner):
    for lane in prange(values.size):
        arg_lane(_OP, values, indices, a, lane, n, inner)


def arg_reduce(op, values, indices, a, n, inner):
    """values, indices[lane] = the extreme (ARGMAX / ARGMIN) of the n elements a[base + k * inner] of each lane
    and its first k; lane = outer * inner + i (a viewed as (outer, n, inner))."""
    if values.size:
        key = ("arg_reduce", op, a.dtype.char == "d")
        kernel = _kernels.get(key) or _element_kernel(key, _arg_reduce, {"arg_lane": "arg_lane"}, op)
        kernel(a.size, values, indices, a, n, inner)


def _softmax(out, a, n, inner):
    for lane in prange(a.size // n):
        softmax_lane(_OP, out, a, lane, n, inner)


def softmax(op, out, a, n, inner):
    """SOFTMAX or LOG_SOFTMAX along the middle axis of a viewed as (outer, n, inner), stable (max subtracted)."""
    if out.size:
        key = ("softmax", op, a.dtype.char == "d")
        kernel = _kernels.get(key) or _element_kernel(key, _softmax, {"softmax_lane": "softmax_lane"}, op)
        kernel(a.size, out, a, n, inner)
