"""CPU launchers: the bodies wrapped with ``numba.njit`` and driven by ``prange`` loops (CPU only).

Every launcher has the same name and signature as its twin in `cuda.py`. Arrays arrive allocated and shapes
computed; parallel loops split work by output element, so results never depend on the thread count. The
GEMM-based convolution (Winograd, im2col) lives in `cpu_conv.py`; `conv` runs it or the direct one, built
from a body shared with the GPU, is here.
"""
import threading

import numba
import numba.core.caching
import numba.core.event
import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.extending import intrinsic

from . import _cache, bodies
from ._parallel import Split, rebound
from ._retarget import compile_bodies
from .conv_plan import DIRECT, plan_conv, zero_pad
from .cpu_conv import _BLAS, HAS_BLAS, _call_int32, _call_void, conv_gemm  # BLAS plumbing shared

__all__ = ["random_fill", "random_fill_at", "r13_normal_fill", "ms2_fill", "ms2_unit_fill", "conv_plan", "conv",
           "binary", "philox4x32", "pool", "adaptive_avg_pool", "norm_partial_sums", "batch_norm_train_finish",
           "batch_norm_eval_finish", "batch_norm_apply", "layer_norm", "dropout", "matmul", "col2im"]
__all__ += ["unary", "reduce", "arg_reduce", "softmax"]

_cache.install(numba.core.caching)  # before the first cache=True kernel
_cache.announce_compiles(numba.core.event)

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
_called_wide = compile_bodies(lambda fn: numba.njit(inline="never" if fn.__name__ in bodies.CALLED else "always",
                                                    error_model="numpy")(fn), _BITS, wide=True)
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
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112  # CBLAS enums
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


# small work calls the long bodies (compile time); large work inlines them, which lets the lockstep chains overlap
_r13_uniforms_task_small = numba.njit(cache=True, error_model="numpy")(
    rebound(_r13_uniforms_task, "_r13_uniforms_task_small", _called))
_r13_uniforms_task = numba.njit(cache=True, error_model="numpy")(_r13_uniforms_task)


def _r13_uniforms(out, tail, seed, seed2):
    for g in prange(16 // _R13_LOCKSTEP):
        _r13_uniforms_task(out, tail, seed, seed2, np.int64(g))  # prange's index is unsigned


_R13_UNIFORMS = Split(_r13_uniforms, serial={"_r13_uniforms_task": _r13_uniforms_task_small})
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
def _conv_direct_item(x, w, out, stride, dilation, item):
    """One work item of the direct convolution: (image, channel, depth, block of rows), a shape-only split;
    x is zero-padded."""
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
    conv_row_taps(acc, x, w, n, o, (o // per_group) * w.shape[1], od * stride[0], oh0 * stride[1], dilation, stride,
                  0, ow_n)


def _conv_direct(x, w, out, stride, dilation):
    n_n, o_n, od_n, oh_n = out.shape[:4]
    for item in prange(n_n * o_n * od_n * ((oh_n + _DIRECT_ROWS - 1) // _DIRECT_ROWS)):
        _conv_direct_item(x, w, out, stride, dilation, np.int64(item))  # prange's index is unsigned


_CONV_DIRECT = Split(_conv_direct)


def conv_plan(x_shape, w_shape, dtype, kernel, stride, dilation, pad, out_size, groups):
    """The `ConvPlan` of a convolution on this CPU (see `conv_plan.plan_conv`)."""
    return plan_conv("CPU", x_shape, w_shape, dtype, kernel, stride, dilation, pad, out_size, groups, HAS_BLAS,
                     numba.config.NUMBA_NUM_THREADS)


def conv(x, w, out, scratch, plan):
    """out = conv(x, w) as `plan` says: x (N, C, D, H, W), w (O, C/G, KD, KH, KW), out (N, O, *plan.out_size),
    scratch of plan.scratch elements.

    DIRECT sums tap by tap in (channel, depth, row, column) order (float32) from a zero-padded copy of x in the
    scratch; the other algorithms are the GEMM paths of `cpu_conv`.
    """
    if out.size == 0:
        return
    if plan.algorithm != DIRECT:
        conv_gemm(x, w, out, scratch, plan)
        return
    if plan.padded != x.shape or any(plan.pad):  # else every tap is inside x already ('valid', no leftover)
        x = zero_pad(x, scratch[:plan.scratch].reshape(plan.padded), plan.pad)
    _CONV_DIRECT(out.size * w[0].size, x, w, out, plan.stride, plan.dilation)


# --- element-wise: map, zip (broadcast binary), reduce, arg-reduce, softmax --------------------------------------
# One loop per launcher, compiled lazily per operation code (and per float width) with the code's body bound in:
# `bodies.UNARY`, `bodies.BINARY`, `bodies.FOLD` name them. Float64 work binds the double compile.
_OP = -1  # the code a copy is compiled for (reductions, softmax)
# bodies each copy binds (see `_element_kernel`); the loops below never run unbound
value = reduce_chunk = out_base = reduced_offset = fold = arg_lane = softmax_lane = None
_CHUNK = 16384  # elements per parallel task of the map and zip loops (a long single axis still splits)
_kernels = {}
_kernels_lock = threading.Lock()


def _element_kernel(key, fn, names, code, fold=None):
    """The Split of loop `fn` for key = (kind, op, wide), made on first use, with `_OP` = `code` and each global
    of `names` (loop name -> body name) bound to that body of the float32 or float64 (`wide`) compile (one whose
    `fold` is the body named `fold`, for reductions)."""
    with _kernels_lock:
        kernel = _kernels.get(key)
        if kernel is None:
            kind, op, wide = key
            bound = {name: _compiled(wide, body in bodies.CALLED, fold)[body] for name, body in names.items()}
            kernel = _kernels[key] = Split(fn, f"_{kind}_{op}{'_f64' if wide else ''}", _OP=code, **bound)
    return kernel


_folds = {}


def _compiled(wide, called, fold):
    """The compile of the bodies a kernel binds from: float32 or float64, long bodies called or inlined, and for a
    reduction its own `fold` (compiled on first use)."""
    if fold is None:
        return (_called_wide if wide else _called) if called else (_wide if wide else _body)
    compiled = _folds.get((wide, fold))
    if compiled is None:
        compiled = _folds[(wide, fold)] = compile_bodies(
            lambda fn: numba.njit(inline="always", error_model="numpy")(fn), _BITS, wide=wide, bind={"fold": fold})
    return compiled


_REDUCE_NAMES = {"reduce_chunk": "reduce_chunk", "out_base": "out_base", "reduced_offset": "reduced_offset"}


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


_ACROSS = 256  # outputs one work item folds side by side when they are contiguous in the input


def _reduce(out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes):
    n_out = out.size
    total = 1
    for size in rshape:
        total *= size
    nchunks = (total + chunk - 1) // chunk
    row = oshape[len(oshape) - 1]
    if not lanes and ostr[len(ostr) - 1] == 1 and row >= 8:
        # outputs contiguous in the input (a reduction over leading axes): fold a block of them side by side, each
        # still element after element in `reduce_chunk`'s order (the same bits), the inner loop over the block
        # unit-stride and vectorizable
        blocks = (row + _ACROSS - 1) // _ACROSS
        for t in prange((n_out // row) * blocks * nchunks):
            c = t % nchunks
            o0 = (t // (nchunks * blocks)) * row + ((t // nchunks) % blocks) * _ACROSS
            width = min(_ACROSS, row - o0 % row)
            k0 = c * chunk
            base = out_base(o0, oshape, ostr)
            first = base + reduced_offset(k0, rshape, rstr)
            if nchunks == 1:  # fold straight into the outputs (unsigned indices: what LLVM vectorizes)
                for j in range(np.uint64(width)):
                    out[np.uint64(o0) + j] = a[np.uint64(first) + j]
                for k in range(k0 + 1, min(k0 + chunk, total)):
                    at = np.uint64(base + reduced_offset(k, rshape, rstr))
                    for j in range(np.uint64(width)):
                        out[np.uint64(o0) + j] = fold(out[np.uint64(o0) + j], a[at + j])
            else:
                acc = partial[o0 * nchunks + c:(o0 + width) * nchunks:nchunks]
                for j in range(width):
                    acc[j] = a[first + j]
                for k in range(k0 + 1, min(k0 + chunk, total)):
                    at = base + reduced_offset(k, rshape, rstr)
                    for j in range(width):
                        acc[j] = fold(acc[j], a[at + j])
    else:
        for t in prange(n_out * nchunks):  # item (o, c): chunk c of output o
            o = t // nchunks
            k0 = (t - o * nchunks) * chunk
            acc = reduce_chunk(a, out_base(o, oshape, ostr), k0, min(k0 + chunk, total), rshape, rstr, lanes)
            if nchunks == 1:
                out[o] = acc
            else:
                partial[t] = acc
    if nchunks > 1:
        for o in prange(n_out):
            acc = partial[o * nchunks]
            for c in range(1, nchunks):
                acc = fold(acc, partial[o * nchunks + c])
            out[o] = acc


def reduce(op, out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes):
    """out[o] = the fold of the reduced elements of output o (REDUCE code `op`), in an order fixed by the shape.

    Output o (C order over `oshape`) starts at input offset sum(index * ostr); its reduced elements are the C
    order over `rshape` with steps `rstr`, folded in chunks of `chunk` (`bodies.reduce_chunk`; `lanes`: they are
    contiguous), the chunks' folds (in `partial`, n_out * chunks elements) then folded in order.
    """
    if out.size:
        key = ("reduce", op, a.dtype.char == "d")
        kernel = _kernels.get(key) or _element_kernel(
            key, _reduce, dict(_REDUCE_NAMES, fold=bodies.FOLD[op]), op,
            bodies.FOLD[op])
        kernel(a.size, out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes)


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


# --- pooling and normalisation ----------------------------------------------------------------------------------
pool_row_taps = _body["pool_row_taps"]
pool_average = _body["pool_average"]
adaptive_average = _body["adaptive_average"]
norm_sums = _body["norm_sums"]
norm_moments = _body["norm_moments"]
norm_rstd = _body["norm_rstd"]
norm_affine = _body["norm_affine"]
layer_norm_value = _body["layer_norm_value"]
moving_average = _body["moving_average"]
batch_norm_channel = _body["batch_norm_channel"]
dropout_keep = _body["dropout_keep"]
unit_float = _body["unit_float"]

_POOL_ROWS = 8  # output rows one work item folds together, sharing each tap's bounds
# The layer kernels below are `Split`s (kernels/_parallel.py): work under SERIAL_BELOW units (elements, or taps
# and products) runs the serial copy on the calling thread, with the same bits, and opens no parallel region.


def _pool(x, out, index, mode, kernel, stride, dilation, pad, count_lo, count_hi, divisor):
    """Work items are (image, channel, output depth, block of output rows): a shape-only split. The mode is
    tested once per row and tap, outside the loops over a row (one kernel serves all modes)."""
    n_n, c_n, od_n, oh_n, ow_n = out.shape
    blocks = (oh_n + _POOL_ROWS - 1) // _POOL_ROWS
    for item in prange(n_n * c_n * od_n * blocks):
        b = item % blocks
        od = (item // blocks) % od_n
        c = (item // (blocks * od_n)) % c_n
        n = item // (blocks * od_n * c_n)
        oh0 = b * _POOL_ROWS
        oh1 = min(oh0 + _POOL_ROWS, oh_n)
        acc = out[n, c, od, oh0:oh1]
        acc[:] = 0 if mode == bodies.AVG_POOL else -np.inf
        arg = index[n, c, od, oh0:oh1] if mode == bodies.MAX_POOL_ARGMAX else index[0, 0, 0, 0:0]
        arg[:] = -1
        pool_row_taps(mode, acc, arg, x, n, c, od * stride[0] - pad[0], oh0 * stride[1] - pad[1], kernel, stride,
                      dilation, pad[2], 0, ow_n)
        if mode == bodies.AVG_POOL:
            pool_average(acc, od, oh0, kernel, stride, pad, count_lo, count_hi, divisor, x.shape, 0, ow_n)


_POOL = Split(_pool)


def pool(x, out, index, plan):
    """Max or average pooling of x (N, C, D, H, W) into out (N, C, OD, OH, OW) as `plan` (a bodies.PoolPlan) says.

    With MAX_POOL_ARGMAX, index (int64, the shape of out) receives the flat index d * H * W + h * W + w of each
    maximum in its input plane (-1 for a window without input cells); otherwise index is any int64 array of shape
    (1, 1, 1, 1, 1) and is not touched.
    """
    if out.size:
        _POOL(out.size * plan.kernel[0] * plan.kernel[1] * plan.kernel[2], x, out, index, *plan)


def _adaptive_avg_pool(x, out):
    n_n, c_n, oh_n, ow_n = out.shape
    h_n, w_n = x.shape[2], x.shape[3]
    for plane in prange(n_n * c_n):
        n = plane // c_n
        c = plane % c_n
        for oh in range(oh_n):
            h0 = oh * h_n // oh_n
            h1 = -(-(oh + 1) * h_n // oh_n)
            for ow in range(ow_n):
                out[n, c, oh, ow] = adaptive_average(x, n, c, h0, h1, ow * w_n // ow_n, -(-(ow + 1) * w_n // ow_n))


_ADAPTIVE_AVG_POOL = Split(_adaptive_avg_pool)


def adaptive_avg_pool(x, out):
    """out[n, c, i, j] = mean of x[n, c, floor(i H / OH):ceil((i + 1) H / OH), floor(j W / OW):ceil((j + 1) W / OW)]
    for x (N, C, H, W) and out (N, C, OH, OW)."""
    if out.size:
        _ADAPTIVE_AVG_POOL(x.size + out.size, x, out)


def _norm_partial_sums(x, partial, chunk):
    p_n = partial.shape[1]
    total = x.shape[0] * x.shape[2]
    for item in prange(x.shape[1] * p_n):
        c = item // p_n
        t0 = (item % p_n) * chunk
        s1, s2 = norm_sums(x, c, t0, min(t0 + chunk, total), np.float64(x[0, c, 0]))
        partial[c, item % p_n, 0] = s1
        partial[c, item % p_n, 1] = s2


_NORM_PARTIAL_SUMS = Split(_norm_partial_sums)


def norm_partial_sums(x, partial, chunk):
    """partial[c, p] = the sums (`bodies.norm_sums`, shifted by x[0, c, 0]) over the flat positions
    [p * chunk, (p + 1) * chunk) of channel c of x (N, C, S); partial is float64 (C, P, 2)."""
    if partial.size:
        _NORM_PARTIAL_SUMS(x.size, x, partial, chunk)


@numba.njit(cache=True, error_model="numpy")
def _batch_norm_train_finish(partial, x, gamma, beta, moving_mean, moving_var, eps, momentum, stats, affine):
    for c in range(x.shape[1]):
        batch_norm_channel(partial, x, gamma, beta, moving_mean, moving_var, eps, momentum, stats, affine, c)


def batch_norm_train_finish(partial, x, gamma, beta, moving_mean, moving_var, eps, momentum, stats, affine):
    """Per channel of x (N, C, S): the batch mean, biased and unbiased variance from `partial` (see
    `norm_partial_sums`) into the float64 (3, C) `stats`; moving_mean and moving_var updated in place with
    (1 - momentum) * moving + momentum * batch (the unbiased variance); (scale, offset) into affine (2, C)."""
    if x.shape[1]:
        _batch_norm_train_finish(partial, x, gamma, beta, moving_mean, moving_var, eps, momentum, stats, affine)


@numba.njit(cache=True, error_model="numpy")
def _batch_norm_eval_finish(gamma, beta, mean, var, eps, affine):
    for c in range(mean.size):
        affine[0, c], affine[1, c] = norm_affine(mean[c], var[c], gamma[c], beta[c], eps)


def batch_norm_eval_finish(gamma, beta, mean, var, eps, affine):
    """(scale, offset) of every channel into affine (2, C) from the given mean and variance."""
    if mean.size:
        _batch_norm_eval_finish(gamma, beta, mean, var, eps, affine)


def _batch_norm_apply(x, affine, out):
    n_n, c_n, s_n = x.shape
    chunks = (s_n + _APPLY_CHUNK - 1) // _APPLY_CHUNK
    for item in prange(n_n * c_n * chunks):
        plane = item // chunks
        n = plane // c_n
        c = plane % c_n
        s0 = (item % chunks) * _APPLY_CHUNK
        scale = affine[0, c]
        offset = affine[1, c]
        src = x[n, c]
        dst = out[n, c]
        for s in range(np.uint64(s0), np.uint64(min(s0 + _APPLY_CHUNK, s_n))):
            dst[s] = mul(src[s], scale) + offset


_APPLY_CHUNK = 16384  # elements of one plane a work item of the element-wise passes covers
_BATCH_NORM_APPLY = Split(_batch_norm_apply)


def batch_norm_apply(x, affine, out):
    """out[n, c, s] = x[n, c, s] * affine[0, c] + affine[1, c] for x and out (N, C, S)."""
    if out.size:
        _BATCH_NORM_APPLY(out.size, x, affine, out)


def _layer_norm(x, gamma, beta, eps, out, stats):
    r_n, l_n, g_n = x.shape[0], x.shape[2], gamma.size
    for r in prange(r_n):
        s1, s2 = norm_sums(x, 0, r * l_n, (r + 1) * l_n, np.float64(x[r, 0, 0]))
        mean, var, unbiased = norm_moments(s1, s2, l_n, np.float64(x[r, 0, 0]))
        stats[0, r] = mean  # stored in x's type, read back as such
        stats[1, r] = var
        stats[2, r] = norm_rstd(var, eps)
        m = stats[0, r]
        rstd = stats[2, r]
        src = x[r, 0]
        dst = out[r, 0]
        g0 = (r * l_n) % g_n  # gamma covers trailing axes: a row reads it from g0 on, wrapping at its end
        k = 0
        while k < l_n:
            span = min(l_n - k, g_n - g0)
            s, d, g, b = src[k:k + span], dst[k:k + span], gamma[g0:g0 + span], beta[g0:g0 + span]
            for j in range(span):  # views indexed from 0: the loop LLVM vectorizes
                d[j] = layer_norm_value(s[j], m, rstd, g[j], b[j])
            k += span
            g0 = 0


_LAYER_NORM = Split(_layer_norm)


def layer_norm(x, gamma, beta, eps, out, stats):
    """Each row r of x (R, 1, L) normalised: out = (x - mean) * rstd * gamma + beta, the flat gamma and beta (G,)
    covering x's trailing axes (element (r, k) reads gamma[(r * L + k) % G]); stats (3, R) in x's type receives
    the row's mean, biased variance and rstd = 1 / sqrt(variance + eps)."""
    if out.size:
        _LAYER_NORM(x.size, x, gamma, beta, eps, out, stats)


_DROPOUT_BLOCKS = 4096  # Philox blocks per parallel task of the dropout


def _dropout(x, out, mask, k0, k1, stream, keep_prob, scale):
    n = x.size
    n_blocks = (n + 3) // 4
    for task in prange((n_blocks + _DROPOUT_BLOCKS - 1) // _DROPOUT_BLOCKS):
        for b in range(task * _DROPOUT_BLOCKS, min((task + 1) * _DROPOUT_BLOCKS, n_blocks)):
            v = contract_block(b, stream, k0, k1)
            for j in range(min(4, n - 4 * b)):
                i = 4 * b + j
                keep = dropout_keep(lane(v, j), keep_prob)
                out[i] = mul(x[i], scale) if keep else 0
                mask[i] = 1 if keep else 0


_DROPOUT = Split(_dropout)


def dropout(x, out, mask, k0, k1, stream, keep_prob, scale):
    """out = x * scale where element i survives, else 0; mask = 1 or 0 (flat arrays of one float type).

    Element i survives when the portable uniform of Philox block (i >> 2, stream), word i & 3, under the key
    (k0, k1) is below keep_prob (float32): the same bits as `random_fill` of U[0, 1), on every device.
    """
    if x.size:
        _DROPOUT(x.size, x, out, mask, k0, k1, stream, keep_prob, scale)


_MATMUL_ROWS = 256  # output rows of one BLAS call: cache-sized blocks, several per thread on big products


def _matmul_blas(gemm, set_local_threads, one, zero, a, b, out, a_batch, b_batch, trans_a, trans_b):
    """One parallel region of single-threaded BLAS calls, one per (product, block of output rows): a split by
    output rows that depends on the shape only, so results do not depend on the thread count."""
    p_n, m_n, n_n = out.shape
    k_n = a.shape[1] if trans_a else a.shape[2]
    blocks = (m_n + _MATMUL_ROWS - 1) // _MATMUL_ROWS
    size = a.itemsize
    for item in prange(p_n * blocks):
        p = item // blocks
        m0 = (item % blocks) * _MATMUL_ROWS
        m1 = min(m0 + _MATMUL_ROWS, m_n)
        # rows m0.. of op(a): rows of a, or (transposed) columns of a, whose rows are then M long
        a_at = a_batch[p] * a.shape[1] * a.shape[2] + (m0 if trans_a else m0 * a.shape[2])
        old = _call_int32(set_local_threads, (np.int32(1),))
        _call_void(gemm, (np.int32(_ROW_MAJOR), np.int32(_TRANS if trans_a else _NO_TRANS),
                          np.int32(_TRANS if trans_b else _NO_TRANS), np.int64(m1 - m0), np.int64(n_n),
                          np.int64(k_n), one, a.ctypes.data + a_at * size, np.int64(a.shape[2]),
                          b.ctypes.data + b_batch[p] * b.shape[1] * b.shape[2] * size, np.int64(b.shape[2]), zero,
                          out.ctypes.data + (p * m_n + m0) * n_n * size, np.int64(n_n)))
        _call_int32(set_local_threads, (old,))


_MATMUL_BLAS = Split(_matmul_blas)


def matmul(a, b, out, a_batch, b_batch, trans_a, trans_b):
    """out[p] = op(a[a_batch[p]]) @ op(b[b_batch[p]]), op transposing when trans_a / trans_b.

    a (A, ra, ca), b (B, rb, cb) and out (P, M, N) are C-contiguous; a_batch and b_batch are host int64 arrays
    of length P. float32 and float64 run OpenBLAS's gemm single-threaded per block of output rows inside one
    parallel region (NumPy's own threaded matmul would leave OpenBLAS threads spinning against ours); other
    dtypes, or a NumPy without OpenBLAS, use numpy.matmul.
    """
    if not out.size:
        return
    k_n = a.shape[1] if trans_a else a.shape[2]
    if _BLAS is None or out.dtype not in (np.float32, np.float64) or k_n == 0:
        opa = a[a_batch].swapaxes(1, 2) if trans_a else a[a_batch]
        opb = b[b_batch].swapaxes(1, 2) if trans_b else b[b_batch]
        np.matmul(opa, opb, out=out)
        return
    for name, array in (("a", a), ("b", b), ("out", out)):
        if not array.flags.c_contiguous:
            raise ValueError(f"matmul hands raw pointers to BLAS: '{name}' must be C-contiguous.")
    sgemm, dgemm, set_local = _BLAS
    one = out.dtype.type(1)
    p_n, m_n, n_n = out.shape
    items = p_n * -(-m_n // _MATMUL_ROWS)
    work = p_n * m_n * n_n * k_n if items > 1 else 0  # products; one BLAS call needs no parallel region
    _MATMUL_BLAS(work, sgemm if out.dtype == np.float32 else dgemm, set_local, one, out.dtype.type(0), a, b, out,
                 a_batch, b_batch, trans_a, trans_b)


col2im_row_taps = _body["col2im_row_taps"]
_COL2IM_ROWS = 8  # output rows one work item sums together


def _col2im(cols, out, stride, dilation, pad):
    n_n, c_n, h_n, w_n = out.shape
    groups = cols.shape[0] // n_n
    per_group = c_n // groups
    blocks = (h_n + _COL2IM_ROWS - 1) // _COL2IM_ROWS
    for item in prange(n_n * c_n * blocks):  # (image, channel, block of rows): a shape-only split
        i0 = (item % blocks) * _COL2IM_ROWS
        c = (item // blocks) % c_n
        n = item // (blocks * c_n)
        acc = out[n, c, i0:min(i0 + _COL2IM_ROWS, h_n)]
        acc[:] = 0
        col2im_row_taps(acc, cols, n * groups + c // per_group, c % per_group, i0, stride, dilation, pad, 0, w_n)


_COL2IM = Split(_col2im)


def col2im(cols, out, stride, dilation, pad):
    """out (N, C, H, W) = the transposed convolution's taps summed: out[n, g * C/G + c, i, j] is the sum over
    (kh, kw), in that order, of cols[n * G + g, c, kh, kw, p, q] with i = p * stride[0] + kh * dilation[0] - pad[0]
    and j = q * stride[1] + kw * dilation[1] - pad[1]; cols is (N * G, C / G, KH, KW, P, Q)."""
    if out.size:
        _COL2IM(cols.size, cols, out, stride, dilation, pad)


# --- optimizers: one fused update per parameter ------------------------------------------------------------------
# One loop per optimizer, compiled for float32 (the bodies as written) and float64 (the wide compile): each a Split,
# so a small parameter updates serially, with the same bits. Arrays are flat and C-contiguous, updated in place.
# An update is a few flops per element, bound by memory: a parallel region pays only from _UPDATE_WORK times more
# elements than an element-wise op needs (on a busy 2-core machine one region cost 2.6 ms, a serial 48k-element
# Momentum step 0.03 ms).
__all__ += ["sgd_update", "momentum_update", "adam_update", "adam_weight_decay_update"]
sgd_value = momentum_value = adam_value = adam_weight_decay_value = None  # bound per copy (see `_twin_splits`)
_UPDATE_WORK = 16  # elements of an update per unit of `Split` work


def _twin_splits(fn, body):
    """{float32: Split of fn with the name `body` bound to that body, float64: the same with the wide body}."""
    name = fn.__name__
    return {np.dtype(np.float32): Split(fn, name, **{body: _body[body]}),
            np.dtype(np.float64): Split(fn, name + "_f64", **{body: _wide[body]})}


def _sgd_update(w, g, accum, stat, lr, momentum, one_minus_dampening, weight_decay, scale, nesterov):
    n = w.size
    for t in prange((n + _CHUNK - 1) // _CHUNK):
        for i in range(np.uint64(t * _CHUNK), np.uint64(min(n, (t + 1) * _CHUNK))):
            nw, na, ns = sgd_value(w[i], g[i], accum[i], stat[i], lr, momentum, one_minus_dampening, weight_decay,
                                   scale, nesterov)
            w[i] = nw
            accum[i] = na
            stat[i] = ns


def _momentum_update(w, g, accum, lr, momentum, weight_decay, scale, nesterov):
    n = w.size
    for t in prange((n + _CHUNK - 1) // _CHUNK):
        for i in range(np.uint64(t * _CHUNK), np.uint64(min(n, (t + 1) * _CHUNK))):
            nw, na = momentum_value(w[i], g[i], accum[i], lr, momentum, weight_decay, scale, nesterov)
            w[i] = nw
            accum[i] = na


def _adam_update(w, g, m, v, vhat, lr_t, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, scale,
                 nesterov, amsgrad):
    n = w.size
    for t in prange((n + _CHUNK - 1) // _CHUNK):
        for i in range(np.uint64(t * _CHUNK), np.uint64(min(n, (t + 1) * _CHUNK))):
            nw, nm, nv, nh = adam_value(w[i], g[i], m[i], v[i], vhat[i] if amsgrad else v[i], lr_t, beta1,
                                        one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, scale,
                                        nesterov, amsgrad)
            w[i] = nw
            m[i] = nm
            v[i] = nv
            if amsgrad:  # without it vhat is never read nor written (a placeholder of any size)
                vhat[i] = nh


def _adam_weight_decay_update(w, g, m, v, lr, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay):
    n = w.size
    for t in prange((n + _CHUNK - 1) // _CHUNK):
        for i in range(np.uint64(t * _CHUNK), np.uint64(min(n, (t + 1) * _CHUNK))):
            nw, nm, nv = adam_weight_decay_value(w[i], g[i], m[i], v[i], lr, beta1, one_minus_beta1, beta2,
                                                 one_minus_beta2, eps, weight_decay)
            w[i] = nw
            m[i] = nm
            v[i] = nv


_SGD_UPDATE = _twin_splits(_sgd_update, "sgd_value")
_MOMENTUM_UPDATE = _twin_splits(_momentum_update, "momentum_value")
_ADAM_UPDATE = _twin_splits(_adam_update, "adam_value")
_ADAM_WEIGHT_DECAY_UPDATE = _twin_splits(_adam_weight_decay_update, "adam_weight_decay_value")


def sgd_update(w, g, accum, stat, step, nesterov):
    """One ops.SGD step in place over the flat float32 or float64 arrays w, accum, stat (the gradient g read);
    `step` is a `bodies.SGDStep` of scalars in w's dtype."""
    if w.size:
        _SGD_UPDATE[w.dtype](w.size // _UPDATE_WORK, w, g, accum, stat, *step, nesterov)


def momentum_update(w, g, accum, step, nesterov):
    """One ops.ApplyMomentum step in place over the flat arrays w and accum; `step` is a `bodies.MomentumStep`."""
    if w.size:
        _MOMENTUM_UPDATE[w.dtype](w.size // _UPDATE_WORK, w, g, accum, *step, nesterov)


def adam_update(w, g, m, v, vhat, step, nesterov, amsgrad):
    """One ops.Adam step (AMSGrad's with `amsgrad`) in place over the flat arrays w, m, v and (with `amsgrad`) vhat,
    else a placeholder array that must not be one of the others (the CUDA simulator copies each argument back);
    `step` is a `bodies.AdamStep`."""
    if w.size:
        _ADAM_UPDATE[w.dtype](w.size // _UPDATE_WORK, w, g, m, v, vhat, *step, nesterov, amsgrad)


def adam_weight_decay_update(w, g, m, v, step):
    """One ops.AdamWeightDecay step in place over the flat arrays w, m, v; `step` is a `bodies.AdamWeightDecayStep`."""
    if w.size:
        _ADAM_WEIGHT_DECAY_UPDATE[w.dtype](w.size // _UPDATE_WORK, w, g, m, v, *step)
