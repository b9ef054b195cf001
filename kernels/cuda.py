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

__all__ = ["random_fill", "random_fill_at", "r13_normal_fill", "ms2_fill", "ms2_unit_fill", "conv_scratch_shape",
           "conv", "conv_direct", "binary", "philox4x32", "unary", "reduce", "arg_reduce", "softmax"]

SIMULATED = bool(config.ENABLE_CUDASIM)
if not SIMULATED:  # the simulator caches nothing
    from numba.cuda.core import caching as _caching
    _cache.install(_caching)  # before the first cache=True kernel
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


# --- convolution: direct, for small reductions --------------------------------------------------------------------
@cuda.jit(cache=not SIMULATED)
def _conv_direct(x, w, out, stride, dilation, pad):
    n_n, o_n, od_n, oh_n, ow_n = out.shape
    per_group = o_n // (x.shape[1] // w.shape[1])
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
        conv_row_taps(acc, x, w, n, o, (o // per_group) * w.shape[1], od * stride[0] - pad[0],
                      oh * stride[1] - pad[1], dilation, stride, pad[2], ow, ow + 1)
        t += cuda.gridsize(1)


def conv_direct(x, w, out, stride, dilation, pad):
    """out = conv(x, w) summed tap by tap in (channel, depth, row, column) order, float32 only.

    x (N, C, D, H, W), w (O, C/group, KD, KH, KW), out (N, O, OD, OH, OW); the group count is C / w.shape[1].
    """
    if out.size:
        blocks, threads = _grid(out.size)
        _conv_direct[blocks, threads](x, w, out, stride, dilation, pad)


# --- convolution: im2col + cuBLAS -------------------------------------------------------------------------------
@cuda.jit(cache=not SIMULATED)
def _im2col(x, cols, n0, p0, kernel, stride, dilation, pad, out_size):
    """cols[i, r, j] = im2col row r = (c, kd, kh, kw) of image n0 + i at output position p0 + j, zero outside x."""
    kd_n, kh_n, kw_n = kernel
    od_n, oh_n, ow_n = out_size
    k3 = kd_n * kh_n * kw_n
    rows = cols.shape[1]
    p_n = cols.shape[2]
    total = np.int64(cols.shape[0]) * rows * p_n
    t = np.int64(cuda.grid(1))  # 64-bit: a chunk may hold more than 2**31 elements
    step = np.int64(cuda.gridsize(1))
    while t < total:
        p = p0 + t % p_n
        r = (t // p_n) % rows
        n = n0 + t // (p_n * rows)
        c = r // k3
        k = r % k3
        z = (p // (oh_n * ow_n)) * stride[0] - pad[0] + (k // (kh_n * kw_n)) * dilation[0]
        y = ((p // ow_n) % oh_n) * stride[1] - pad[1] + ((k // kw_n) % kh_n) * dilation[1]
        w = (p % ow_n) * stride[2] - pad[2] + (k % kw_n) * dilation[2]
        if inside(x, z, y, w):
            cols[t // (p_n * rows), r, t % p_n] = x[n, c, z, y, w]
        else:
            cols[t // (p_n * rows), r, t % p_n] = 0
        t += step


_COLUMN_ELEMENTS = 1 << 25  # the most im2col elements one step holds (128 MiB of float32): cuBLAS-sized GEMMs


def _chunks(x_shape, w_shape, out_size):
    """(images, positions) of one step of `conv`: whole images while their im2col fits _COLUMN_ELEMENTS, else one
    image and a block of positions (at least one)."""
    rows = x_shape[1] * (w_shape[2] // (x_shape[1] // w_shape[0]))
    p_n = out_size[0] * out_size[1] * out_size[2]
    per_image = max(1, rows * p_n)
    if per_image <= _COLUMN_ELEMENTS:
        return max(1, min(x_shape[0], _COLUMN_ELEMENTS // per_image)), p_n
    return 1, max(1, _COLUMN_ELEMENTS // max(1, rows))


def conv_scratch_shape(x_shape, w_shape, kernel, stride, dilation, out_size):
    """Shape (elements,) of the scratch `conv` needs: the im2col of one step (see `_chunks`)."""
    images, positions = _chunks(x_shape, w_shape, out_size)
    return (images * x_shape[1] * (w_shape[2] // (x_shape[1] // w_shape[0])) * positions,)


def conv(x, w, out, scratch, kernel, stride, dilation, pad, out_size):
    """out[n, g] = w[g] @ im2col(x)[n, g]: x (N, C, D, H, W), w (G, O/G, C/G*KD*KH*KW), out (N, G, O/G, P).

    Step by step (a few images, or a block of one image's positions): im2col into the scratch (rows of one group
    are contiguous, so it reshapes to (images, G, K, positions) without a copy), then one matmul batched over
    images and groups: cuBLAS through CuPy on a GPU, NumPy's under the simulator. Only 1-d grid-stride launches
    with a capped grid: no grid dimension depends on the shape.
    """
    if not out.size:
        return
    n_batch, groups, k_n = x.shape[0], w.shape[0], w.shape[2]
    p_n = out.shape[3]
    images, positions = _chunks(x.shape, w.shape, out_size)
    rows = groups * k_n
    for n0 in range(0, n_batch, images):
        n1 = min(n0 + images, n_batch)
        for p0 in range(0, p_n, positions):
            p1 = min(p0 + positions, p_n)
            cols = scratch[:(n1 - n0) * rows * (p1 - p0)].reshape(n1 - n0, rows, p1 - p0)
            blocks, threads = _grid(cols.size)
            _im2col[blocks, threads](x, cols, n0, p0, kernel, stride, dilation, pad, out_size)
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
value = finish = reduce_chunk = out_base = fold_value = arg_lane = softmax_lane = None
_kernels = {}
_kernels_lock = threading.Lock()


def _element_kernel(key, fn, names, code):
    """The kernel of `fn` for key = (kind, op, wide), made on first use; see `cpu._element_kernel`."""
    with _kernels_lock:
        kernel = _kernels.get(key)
        if kernel is None:
            kind, op, wide = key
            compiled = _wide if wide else _body
            bound = {name: compiled[body] for name, body in names.items()}
            bound["_OP"] = code
            kernel = _kernels[key] = cuda.jit(cache=not SIMULATED)(
                rebound(fn, f"_{kind}_{op}{'_f64' if wide else ''}", bound))
    return kernel


def _kernel(kind, op, a, fn, names, code=None):
    key = (kind, op, a.dtype.char == "d")
    return _kernels.get(key) or _element_kernel(key, fn, names, op if code is None else code)


_REDUCE_NAMES = {"reduce_chunk": "reduce_chunk", "out_base": "out_base", "fold_value": "fold_value"}


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


def _reduce_items(out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes, count, total, nchunks):
    t = cuda.grid(1)
    while t < out.size * nchunks:  # item (o, c): chunk c of output o
        o = t // nchunks
        k0 = (t - o * nchunks) * chunk
        acc = reduce_chunk(_OP, a, out_base(o, oshape, ostr), k0, min(k0 + chunk, total), rshape, rstr, lanes)
        if nchunks == 1:
            out[o] = finish(acc, count)
        else:
            partial[t] = acc
        t += cuda.gridsize(1)


def _reduce_chunks(out, partial, count, nchunks):
    o = cuda.grid(1)
    while o < out.size:
        acc = partial[o * nchunks]
        for c in range(1, nchunks):
            acc = fold_value(_OP, acc, partial[o * nchunks + c])
        out[o] = finish(acc, count)
        o += cuda.gridsize(1)


def reduce(op, out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes, count):
    """out[o] = the fold of the reduced elements of output o (REDUCE code `op`), in an order fixed by the shape;
    see `cpu.reduce` (the same items, folds and order: the same bits)."""
    if out.size:
        total = int(np.prod(rshape, dtype=np.int64))
        nchunks = -(-total // chunk)
        names = dict(_REDUCE_NAMES, finish=bodies.REDUCE_FINISH[op])
        blocks, threads = _grid(out.size * nchunks)
        _kernel("reduce", op, a, _reduce_items, names, bodies.FOLD[op])[blocks, threads](
            out, a, partial, oshape, ostr, rshape, rstr, chunk, lanes, count, total, nchunks)
        if nchunks > 1:
            blocks, threads = _grid(out.size)
            _kernel("reduce_chunks", op, a, _reduce_chunks, names, bodies.FOLD[op])[blocks, threads](
                out, partial, count, nchunks)


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
