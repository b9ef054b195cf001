"""CUDA launchers: the bodies wrapped with ``numba.cuda.jit(device=True)`` and grid-stride kernels (GPU only).

Every launcher has the same name and signature as its twin in `cpu.py`. The element kernels' launch geometry
is decided in `_grid` alone: a fixed block size and a capped grid on a real GPU, one tiny block under Numba's
CUDA simulator (NUMBA_ENABLE_CUDASIM=1), where every CUDA thread is a Python thread. They loop grid-stride, so
their results never depend on the geometry. The convolution's GEMM is cuBLAS's, through `cupy.matmul`.

Bit-identity with the CPU: the CUDA compiler contracts a*b+c into an FMA, which the CPU does not, so the bodies'
`mul` is ``__fmul_rn`` here (never fused). The simulator's libdevice functions are stubs, so it keeps plain `*`,
which rounds the same way there.
"""
import threading

import numpy as np
from numba import config, cuda

from . import _cache, bodies
from ._retarget import compile_bodies, rebound
from .conv_plan import DIRECT, plan_conv, zero_pad

from .bodies import AVG_POOL, MAX_POOL_ARGMAX

__all__ = ["random_fill", "random_fill_at", "r13_normal_fill", "ms2_fill", "ms2_unit_fill", "conv_plan", "conv",
           "binary", "philox4x32", "pool", "adaptive_avg_pool", "norm_partial_sums", "batch_norm_train_finish",
           "batch_norm_eval_finish", "batch_norm_apply", "layer_norm", "dropout", "matmul", "col2im"]
__all__ += ["unary", "reduce", "arg_reduce", "softmax"]

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
    _overrides = {"mul": libdevice.fmul_rn, "dmul": libdevice.dmul_rn, "float_from_bits": libdevice.int_as_float,
                  "float_bits": libdevice.float_as_int, "double_from_bits": libdevice.longlong_as_double,
                  "double_bits": libdevice.double_as_longlong}

_body = compile_bodies(lambda fn: cuda.jit(device=True)(fn), _overrides)
_wide = compile_bodies(lambda fn: cuda.jit(device=True)(fn), _overrides, wide=True)  # float bodies for float64
philox4x32 = _body["philox4x32"]
contract_block = _body["contract_block"]
draw4 = _body["draw4"]
lane = _body["lane"]
inside = _body["inside"]
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


# --- element-wise: map, zip (broadcast binary), reduce, arg-reduce, softmax --------------------------------------
# One kernel per launcher, compiled lazily per operation code (and float width) with the code's body bound in, as
# on the CPU (a body chosen at run time would make Numba type every op's branch: int64 sums through float64).
_OP = -1
# bodies each kernel binds (see `_element_kernel`); the kernels below never run unbound
value = reduce_chunk = out_base = fold = arg_lane = softmax_lane = None
_kernels = {}
_kernels_lock = threading.Lock()


def _element_kernel(key, fn, names, code, fold=None):
    """The kernel of `fn` for key = (kind, op, wide), made on first use; see `cpu._element_kernel`."""
    with _kernels_lock:
        kernel = _kernels.get(key)
        if kernel is None:
            kind, op, wide = key
            bound = {name: _compiled(wide, fold)[body] for name, body in names.items()}
            bound["_OP"] = code
            kernel = _kernels[key] = cuda.jit(cache=not SIMULATED)(
                rebound(fn, f"_{kind}_{op}{'_f64' if wide else ''}", bound))
    return kernel


_folds = {}


def _compiled(wide, fold):
    """The float32 or float64 compile of the bodies, for a reduction one whose `fold` is that body."""
    if fold is None:
        return _wide if wide else _body
    compiled = _folds.get((wide, fold))
    if compiled is None:
        compiled = _folds[(wide, fold)] = compile_bodies(lambda fn: cuda.jit(device=True)(fn), _overrides, wide=wide,
                                                         bind={"fold": fold})
    return compiled


def _kernel(kind, op, a, fn, names, code=None, fold=None):
    key = (kind, op, a.dtype.char == "d")
    return _kernels.get(key) or _element_kernel(key, fn, names, op if code is None else code, fold)


_REDUCE_NAMES = {"reduce_chunk": "reduce_chunk", "out_base": "out_base"}


def _unary(out, a, p):
    i = cuda.grid(1)
    while i < out.size:
        out[i] = value(a[i], p)
        i += cuda.gridsize(1)


def unary(op, out, a, p):
    """out = body(a, p) element-wise for the UNARY code `op`; out and a flat, p a scalar of the work dtype."""
    if out.size:
        blocks, threads = _grid(out.size)
        _kernel("unary", op, a, _unary, {"value": bodies.UNARY[op]})[blocks, threads](
            out, a, p)


def _binary(out, a, b, shape, sa, sb):
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
        out[t] = value(a[oa], b[ob])
        t += step


def binary(op, out, a, b, shape, sa, sb):
    """out = a (op) b over `shape`, C order; a and b are flat with element strides sa, sb (0 = broadcast)."""
    if out.size:
        blocks, threads = _grid(out.size)
        _kernel("binary", op, a, _binary, {"value": bodies.BINARY[op]})[
            blocks, threads](out, a, b, shape, sa, sb)


def _reduce_items(out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes, total, nchunks):
    t = cuda.grid(1)
    while t < out.size * nchunks:  # item (o, c): chunk c of output o
        o = t // nchunks
        k0 = (t - o * nchunks) * chunk
        acc = reduce_chunk(a, out_base(o, oshape, ostr), k0, min(k0 + chunk, total), rshape, rstr, lanes)
        if nchunks == 1:
            out[o] = acc
        else:
            partial[t] = acc
        t += cuda.gridsize(1)


def _reduce_chunks(out, partial, nchunks):
    o = cuda.grid(1)
    while o < out.size:
        acc = partial[o * nchunks]
        for c in range(1, nchunks):
            acc = fold(acc, partial[o * nchunks + c])
        out[o] = acc
        o += cuda.gridsize(1)


def reduce(op, out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes):
    """out[o] = the fold of the reduced elements of output o (REDUCE code `op`), in an order fixed by the shape;
    see `cpu.reduce` (the same items, folds and order: the same bits)."""
    if out.size:
        total = int(np.prod(rshape, dtype=np.int64))
        nchunks = -(-total // chunk)
        names = dict(_REDUCE_NAMES, fold=bodies.FOLD[op])
        blocks, threads = _grid(out.size * nchunks)
        _kernel("reduce", op, a, _reduce_items, names, fold=bodies.FOLD[op])[blocks, threads](
            out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes, total, nchunks)
        if nchunks > 1:
            blocks, threads = _grid(out.size)
            _kernel("reduce_chunks", op, a, _reduce_chunks, names, fold=bodies.FOLD[op])[blocks, threads](
                out, partial, nchunks)


def _arg_reduce(values, indices, a, n, inner):
    lane = cuda.grid(1)
    while lane < values.size:
        arg_lane(_OP, values, indices, a, lane, n, inner)
        lane += cuda.gridsize(1)


def arg_reduce(op, values, indices, a, n, inner):
    """values, indices[lane] = the extreme (ARGMAX / ARGMIN) of the n elements a[base + k * inner] of each lane
    and its first k; lane = outer * inner + i (a viewed as (outer, n, inner))."""
    if values.size:
        blocks, threads = _grid(values.size)
        _kernel("arg_reduce", op, a, _arg_reduce, {"arg_lane": "arg_lane"})[
            blocks, threads](values, indices, a, n, inner)


def _softmax(out, a, n, inner):
    lane = cuda.grid(1)
    while lane < a.size // n:
        softmax_lane(_OP, out, a, lane, n, inner)
        lane += cuda.gridsize(1)


def softmax(op, out, a, n, inner):
    """SOFTMAX or LOG_SOFTMAX along the middle axis of a viewed as (outer, n, inner), stable (max subtracted)."""
    if out.size:
        blocks, threads = _grid(out.size // n)
        _kernel("softmax", op, a, _softmax, {"softmax_lane": "softmax_lane"})[
            blocks, threads](out, a, n, inner)


# --- pooling and normalisation ----------------------------------------------------------------------------------
pool_row_taps = _body["pool_row_taps"]
pool_average = _body["pool_average"]
# `mul` is the float32 __fmul_rn: kernels that multiply data of the input's type get a float64 twin whose `mul` is
# __dmul_rn (see `_twins`)
adaptive_average = _body["adaptive_average"]
norm_sums = _body["norm_sums"]
norm_moments = _body["norm_moments"]
norm_rstd = _body["norm_rstd"]
norm_affine = _body["norm_affine"]
layer_norm_value = _body["layer_norm_value"]
moving_average = _body["moving_average"]
batch_norm_channel = _body["batch_norm_channel"]
dropout_keep = _body["dropout_keep"]


@cuda.jit(cache=not SIMULATED)
def _pool(x, out, index, mode, kernel, stride, dilation, pad, count_lo, count_hi, divisor):
    n_n, c_n, od_n, oh_n, ow_n = out.shape
    t = cuda.grid(1)
    while t < out.size:  # one output element per thread
        ow = t % ow_n
        r = t // ow_n
        oh = r % oh_n
        od = (r // oh_n) % od_n
        c = (r // (oh_n * od_n)) % c_n
        n = r // (oh_n * od_n * c_n)
        acc = out[n, c, od, oh:oh + 1]
        acc[0, ow] = 0 if mode == AVG_POOL else -np.inf
        if mode == MAX_POOL_ARGMAX:
            arg = index[n, c, od, oh:oh + 1]
            arg[0, ow] = -1
        else:
            arg = index[0, 0, 0, 0:1]
        pool_row_taps(mode, acc, arg, x, n, c, od * stride[0] - pad[0], oh * stride[1] - pad[1], kernel, stride,
                      dilation, pad[2], ow, ow + 1)
        if mode == AVG_POOL:
            pool_average(acc, od, oh, kernel, stride, pad, count_lo, count_hi, divisor, x.shape, ow, ow + 1)
        t += cuda.gridsize(1)


def pool(x, out, index, plan):
    """Max or average pooling of x (N, C, D, H, W) into out (N, C, OD, OH, OW) as `plan` (a bodies.PoolPlan) says.

    With MAX_POOL_ARGMAX, index (int64, the shape of out) receives the flat index d * H * W + h * W + w of each
    maximum in its input plane (-1 for a window without input cells); otherwise index is any int64 array of shape
    (1, 1, 1, 1, 1) and is not touched.
    """
    if out.size:
        blocks, threads = _grid(out.size)
        _pool[blocks, threads](x, out, index, *plan)


@cuda.jit(cache=not SIMULATED)
def _adaptive_avg_pool(x, out):
    n_n, c_n, oh_n, ow_n = out.shape
    h_n, w_n = x.shape[2], x.shape[3]
    t = cuda.grid(1)
    while t < out.size:
        ow = t % ow_n
        oh = (t // ow_n) % oh_n
        c = (t // (ow_n * oh_n)) % c_n
        n = t // (ow_n * oh_n * c_n)
        out[n, c, oh, ow] = adaptive_average(x, n, c, oh * h_n // oh_n, -(-(oh + 1) * h_n // oh_n),
                                             ow * w_n // ow_n, -(-(ow + 1) * w_n // ow_n))
        t += cuda.gridsize(1)


def adaptive_avg_pool(x, out):
    """out[n, c, i, j] = mean of x[n, c, floor(i H / OH):ceil((i + 1) H / OH), floor(j W / OW):ceil((j + 1) W / OW)]
    for x (N, C, H, W) and out (N, C, OH, OW)."""
    if out.size:
        blocks, threads = _grid(out.size)
        _adaptive_avg_pool[blocks, threads](x, out)


@cuda.jit(cache=not SIMULATED)
def _norm_partial_sums(x, partial, chunk):
    p_n = partial.shape[1]
    total = x.shape[0] * x.shape[2]
    t = cuda.grid(1)
    while t < x.shape[1] * p_n:  # one (channel, chunk) per thread
        c = t // p_n
        t0 = (t % p_n) * chunk
        s1, s2 = norm_sums(x, c, t0, min(t0 + chunk, total), np.float64(x[0, c, 0]))
        partial[c, t % p_n, 0] = s1
        partial[c, t % p_n, 1] = s2
        t += cuda.gridsize(1)


def norm_partial_sums(x, partial, chunk):
    """partial[c, p] = the sums (`bodies.norm_sums`, shifted by x[0, c, 0]) over the flat positions
    [p * chunk, (p + 1) * chunk) of channel c of x (N, C, S); partial is float64 (C, P, 2)."""
    if partial.size:
        blocks, threads = _grid(partial.shape[0] * partial.shape[1])
        _norm_partial_sums[blocks, threads](x, partial, chunk)


@cuda.jit(cache=not SIMULATED)
def _batch_norm_train_finish(partial, x, gamma, beta, moving_mean, moving_var, eps, momentum, stats, affine):
    c = cuda.grid(1)
    while c < x.shape[1]:  # one channel per thread
        batch_norm_channel(partial, x, gamma, beta, moving_mean, moving_var, eps, momentum, stats, affine, c)
        c += cuda.gridsize(1)


def batch_norm_train_finish(partial, x, gamma, beta, moving_mean, moving_var, eps, momentum, stats, affine):
    """Per channel of x (N, C, S): the batch mean, biased and unbiased variance from `partial` (see
    `norm_partial_sums`) into the float64 (3, C) `stats`; moving_mean and moving_var updated in place with
    (1 - momentum) * moving + momentum * batch (the unbiased variance); (scale, offset) into affine (2, C)."""
    if x.shape[1]:
        blocks, threads = _grid(x.shape[1])
        _batch_norm_train_finish[blocks, threads](partial, x, gamma, beta, moving_mean, moving_var, eps, momentum,
                                                  stats, affine)


@cuda.jit(cache=not SIMULATED)
def _batch_norm_eval_finish(gamma, beta, mean, var, eps, affine):
    c = cuda.grid(1)
    while c < mean.size:
        scale, offset = norm_affine(mean[c], var[c], gamma[c], beta[c], eps)
        affine[0, c] = scale
        affine[1, c] = offset
        c += cuda.gridsize(1)


def batch_norm_eval_finish(gamma, beta, mean, var, eps, affine):
    """(scale, offset) of every channel into affine (2, C) from the given mean and variance."""
    if mean.size:
        blocks, threads = _grid(mean.size)
        _batch_norm_eval_finish[blocks, threads](gamma, beta, mean, var, eps, affine)


def _batch_norm_apply(x, affine, out):
    n_n, c_n, s_n = x.shape
    t = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while t < out.size:
        c = (t // s_n) % c_n
        n = t // (s_n * c_n)
        s = t % s_n
        out[n, c, s] = mul(x[n, c, s], affine[0, c]) + affine[1, c]
        t += step


def _twins(fn):
    """{float32 kernel, float64 kernel} of the plain kernel function fn: the float64 one's `mul` and
    `layer_norm_value` are the wide (float64) compile's."""
    double = rebound(fn, fn.__name__ + "_double", {"mul": _wide["dmul"], "layer_norm_value": _wide["layer_norm_value"]})
    return {np.dtype(np.float32): cuda.jit(cache=not SIMULATED)(fn),
            np.dtype(np.float64): cuda.jit(cache=not SIMULATED)(double)}


_BATCH_NORM_APPLY = _twins(_batch_norm_apply)


def batch_norm_apply(x, affine, out):
    """out[n, c, s] = x[n, c, s] * affine[0, c] + affine[1, c] for x and out (N, C, S)."""
    if out.size:
        blocks, threads = _grid(out.size)
        _BATCH_NORM_APPLY[out.dtype][blocks, threads](x, affine, out)


@cuda.jit(cache=not SIMULATED)
def _layer_norm_stats(x, eps, stats):
    l_n = x.shape[2]
    r = cuda.grid(1)
    while r < x.shape[0]:  # one row per thread
        s1, s2 = norm_sums(x, 0, r * l_n, (r + 1) * l_n, np.float64(x[r, 0, 0]))
        mean, var, unbiased = norm_moments(s1, s2, l_n, np.float64(x[r, 0, 0]))
        stats[0, r] = mean
        stats[1, r] = var
        stats[2, r] = norm_rstd(var, eps)
        r += cuda.gridsize(1)


def _layer_norm_apply(x, gamma, beta, out, stats):
    l_n, g_n = x.shape[2], gamma.size
    t = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while t < out.size:
        r = t // l_n
        k = t % l_n
        out[r, 0, k] = layer_norm_value(x[r, 0, k], stats[0, r], stats[2, r], gamma[t % g_n], beta[t % g_n])
        t += step


_LAYER_NORM_APPLY = _twins(_layer_norm_apply)


def layer_norm(x, gamma, beta, eps, out, stats):
    """Each row r of x (R, 1, L) normalised: out = (x - mean) * rstd * gamma + beta, the flat gamma and beta (G,)
    covering x's trailing axes (element (r, k) reads gamma[(r * L + k) % G]); stats (3, R) in x's type receives
    the row's mean, biased variance and rstd = 1 / sqrt(variance + eps)."""
    if out.size:
        blocks, threads = _grid(x.shape[0])
        _layer_norm_stats[blocks, threads](x, eps, stats)
        blocks, threads = _grid(out.size)
        _LAYER_NORM_APPLY[out.dtype][blocks, threads](x, gamma, beta, out, stats)


def _dropout(x, out, mask, k0, k1, stream, keep_prob, scale):
    b = cuda.grid(1)
    while b < (x.size + 3) // 4:  # one Philox block (four elements) per thread
        v = contract_block(b, stream, k0, k1)
        for j in range(4):
            i = 4 * b + j
            if i < x.size:
                keep = dropout_keep(lane(v, j), keep_prob)
                out[i] = mul(x[i], scale) if keep else 0
                mask[i] = 1 if keep else 0
        b += cuda.gridsize(1)


_DROPOUT = _twins(_dropout)


def dropout(x, out, mask, k0, k1, stream, keep_prob, scale):
    """out = x * scale where element i survives, else 0; mask = 1 or 0 (flat arrays of one float type).

    Element i survives when the portable uniform of Philox block (i >> 2, stream), word i & 3, under the key
    (k0, k1) is below keep_prob (float32): the same bits as `random_fill` of U[0, 1), on every device.
    """
    if x.size:
        blocks, threads = _grid((x.size + 3) // 4)
        _DROPOUT[x.dtype][blocks, threads](x, out, mask, k0, k1, stream, keep_prob, scale)


def matmul(a, b, out, a_batch, b_batch, trans_a, trans_b):
    """out[p] = op(a[a_batch[p]]) @ op(b[b_batch[p]]), op transposing when trans_a / trans_b: cuBLAS through
    cupy.matmul (NumPy's matmul under the simulator). a_batch and b_batch are host int64 arrays."""
    if not out.size:
        return
    opa, opb = (x if np.array_equal(index, np.arange(x.shape[0])) or x.shape[0] == 1 else x[_xp.asarray(index)]
                for x, index in ((a, a_batch), (b, b_batch)))  # one matrix broadcasts; a batch map gathers
    _xp.matmul(opa.swapaxes(1, 2) if trans_a else opa, opb.swapaxes(1, 2) if trans_b else opb, out=out)


col2im_row_taps = _body["col2im_row_taps"]


@cuda.jit(cache=not SIMULATED)
def _col2im(cols, out, stride, dilation, pad):
    n_n, c_n, h_n, w_n = out.shape
    groups = cols.shape[0] // n_n
    per_group = c_n // groups
    t = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while t < out.size:  # one output element per thread
        j = t % w_n
        i = (t // w_n) % h_n
        c = (t // (w_n * h_n)) % c_n
        n = t // (w_n * h_n * c_n)
        acc = out[n, c, i:i + 1]
        acc[0, j] = 0
        col2im_row_taps(acc, cols, n * groups + c // per_group, c % per_group, i, stride, dilation, pad, j, j + 1)
        t += step


def col2im(cols, out, stride, dilation, pad):
    """out (N, C, H, W) = the transposed convolution's taps summed: out[n, g * C/G + c, i, j] is the sum over
    (kh, kw), in that order, of cols[n * G + g, c, kh, kw, p, q] with i = p * stride[0] + kh * dilation[0] - pad[0]
    and j = q * stride[1] + kw * dilation[1] - pad[1]; cols is (N * G, C / G, KH, KW, P, Q)."""
    if out.size:
        blocks, threads = _grid(out.size)
        _col2im[blocks, threads](cols, out, stride, dilation, pad)


# --- optimizers: one fused update per parameter ------------------------------------------------------------------
# The CPU's loops, grid-stride: one element per thread, float32 and float64 kernels (the wide compile's bodies).
__all__ += ["sgd_update", "momentum_update", "adam_update", "adam_weight_decay_update"]
sgd_value = momentum_value = adam_value = adam_weight_decay_value = None  # bound per copy (see `_twin_kernels`)


def _twin_kernels(fn, body):
    """{float32: the kernel of fn with the name `body` bound to that body, float64: with the wide body}."""
    name = fn.__name__
    return {np.dtype(np.float32): cuda.jit(cache=not SIMULATED)(rebound(fn, name, {body: _body[body]})),
            np.dtype(np.float64): cuda.jit(cache=not SIMULATED)(rebound(fn, name + "_f64", {body: _wide[body]}))}


def _sgd_update(w, g, accum, stat, lr, momentum, one_minus_dampening, weight_decay, scale, nesterov):
    i = cuda.grid(1)
    while i < w.size:
        nw, na, ns = sgd_value(w[i], g[i], accum[i], stat[i], lr, momentum, one_minus_dampening, weight_decay, scale,
                               nesterov)
        w[i] = nw
        accum[i] = na
        stat[i] = ns
        i += cuda.gridsize(1)


def _momentum_update(w, g, accum, lr, momentum, weight_decay, scale, nesterov):
    i = cuda.grid(1)
    while i < w.size:
        nw, na = momentum_value(w[i], g[i], accum[i], lr, momentum, weight_decay, scale, nesterov)
        w[i] = nw
        accum[i] = na
        i += cuda.gridsize(1)


def _adam_update(w, g, m, v, vhat, lr_t, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, scale,
                 nesterov, amsgrad):
    i = cuda.grid(1)
    while i < w.size:
        nw, nm, nv, nh = adam_value(w[i], g[i], m[i], v[i], vhat[i] if amsgrad else v[i], lr_t, beta1,
                                    one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, scale, nesterov,
                                    amsgrad)
        w[i] = nw
        m[i] = nm
        v[i] = nv
        if amsgrad:  # without it vhat is never read nor written (a placeholder of any size)
            vhat[i] = nh
        i += cuda.gridsize(1)


def _adam_weight_decay_update(w, g, m, v, lr, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay):
    i = cuda.grid(1)
    while i < w.size:
        nw, nm, nv = adam_weight_decay_value(w[i], g[i], m[i], v[i], lr, beta1, one_minus_beta1, beta2,
                                             one_minus_beta2, eps, weight_decay)
        w[i] = nw
        m[i] = nm
        v[i] = nv
        i += cuda.gridsize(1)


_SGD_UPDATE = _twin_kernels(_sgd_update, "sgd_value")
_MOMENTUM_UPDATE = _twin_kernels(_momentum_update, "momentum_value")
_ADAM_UPDATE = _twin_kernels(_adam_update, "adam_value")
_ADAM_WEIGHT_DECAY_UPDATE = _twin_kernels(_adam_weight_decay_update, "adam_weight_decay_value")


def sgd_update(w, g, accum, stat, step, nesterov):
    """One ops.SGD step in place over the flat float32 or float64 arrays w, accum, stat (the gradient g read);
    `step` is a `bodies.SGDStep` of scalars in w's dtype."""
    if w.size:
        blocks, threads = _grid(w.size)
        _SGD_UPDATE[w.dtype][blocks, threads](w, g, accum, stat, *step, nesterov)


def momentum_update(w, g, accum, step, nesterov):
    """One ops.ApplyMomentum step in place over the flat arrays w and accum; `step` is a `bodies.MomentumStep`."""
    if w.size:
        blocks, threads = _grid(w.size)
        _MOMENTUM_UPDATE[w.dtype][blocks, threads](w, g, accum, *step, nesterov)


def adam_update(w, g, m, v, vhat, step, nesterov, amsgrad):
    """One ops.Adam step (AMSGrad's with `amsgrad`) in place over the flat arrays w, m, v and (with `amsgrad`) vhat,
    else a placeholder array that must not be one of the others (the CUDA simulator copies each argument back);
    `step` is a `bodies.AdamStep`."""
    if w.size:
        blocks, threads = _grid(w.size)
        _ADAM_UPDATE[w.dtype][blocks, threads](w, g, m, v, vhat, *step, nesterov, amsgrad)


def adam_weight_decay_update(w, g, m, v, step):
    """One ops.AdamWeightDecay step in place over the flat arrays w, m, v; `step` is a `bodies.AdamWeightDecayStep`."""
    if w.size:
        blocks, threads = _grid(w.size)
        _ADAM_WEIGHT_DECAY_UPDATE[w.dtype][blocks, threads](w, g, m, v, *step)
