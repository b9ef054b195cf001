"""The convolution plan: how one convolution runs, decided once from shapes, dtype and geometry, above both targets.

`plan_conv` picks the algorithm (direct, Winograd, im2col + GEMM in work items, or im2col in steps), its
blocking and the scratch it needs; the launchers `conv` of `cpu.py` and `cuda.py` receive the `ConvPlan` and
decide nothing. Every split depends on the shape only, never on the thread count: OpenBLAS rounds a GEMM's rows
differently for another row count, so a split that followed the threads would change the bits. This module
imports numpy only.
"""
from typing import NamedTuple

__all__ = ["ConvPlan", "WinogradBlocks", "Im2colBlocks", "plan_conv", "zero_pad", "DIRECT", "WINOGRAD", "IM2COL",
           "STEPS"]

DIRECT = "direct"  # taps summed in MindSpore's order, every product rounded, from a zero-padded input copy
WINOGRAD = "winograd"  # CPU with BLAS: F(2x2, 3x3) for 3x3 stride-1 kernels, im2col when a result is not finite
IM2COL = "im2col"  # CPU with BLAS: im2col blocks packed per work item, single-threaded BLAS in one parallel region
STEPS = "steps"  # a GPU, or a CPU without callable BLAS: im2col of a few images or positions at a time + matmul

# The direct body where it measured at least as fast as the GEMM paths on the 2-core CPU: products per output
# (C/group x taps) up to 36, e.g. 1x3x8x8 -> 4 3x3: 4.5 vs 15 us, depthwise 32x28x28 3x3: 33 vs 213 us,
# 1x1x32x32 -> 6 5x5: 20 vs 41 us; it also prints MindSpore's digits (the guide's Conv2d). float32 only: on a GPU,
# `mul` is the float32 __fmul_rn.
DIRECT_MAX_PRODUCTS = 36

COLUMNS_PER_ITEM = 512  # im2col: output positions packed per work item; K x 512 floats stay in L2
COLUMN_ELEMENTS = 1 << 20  # im2col: the most packed elements a work item holds (K is cut into chunks beyond)
MIN_ITEMS = 4  # im2col: filter blocks are added until a call has this many work items (a constant: see above)
TILES_PER_ITEM = 160  # Winograd: 2x2 output tiles per work item (128-196 measured best on 8x64x56x56, 3-d 32^3)
WINOGRAD_MIN_CHANNELS = 8  # C x KD; below, im2col measured faster (a 3-channel Conv2d: 23 vs 50 us)
PLANE_ELEMENTS = 2 << 20  # Winograd: about the most transformed inputs (or products) one work item holds
WINOGRAD_MAX_ELEMENTS = 5 << 20  # Winograd: the most scratch elements one work item may hold, else im2col
WINOGRAD_MIN_ITEMS = 2  # Winograd: filter blocks are added until a call has this many work items
STEP_ELEMENTS = {"CPU": 4 * COLUMN_ELEMENTS, "GPU": 1 << 25}  # steps: the most im2col elements one step holds


class WinogradBlocks(NamedTuple):
    """A Winograd work item: `band` tile rows, `d_chunk` output depths, 1/`f_blocks` of the filters."""
    band: int
    d_chunk: int
    f_blocks: int
    per_thread: int  # scratch elements of one work item


class Im2colBlocks(NamedTuple):
    """An im2col work item: `p_block` output positions, K in chunks of `k_chunk` rows, 1/`m_blocks` filters."""
    p_block: int
    k_chunk: int
    m_blocks: int
    per_thread: int


class ConvPlan(NamedTuple):
    """How one convolution of x (N, C, D, H, W) with w (O, C/G, KD, KH, KW) into (N, O, *out_size) runs."""
    algorithm: str  # DIRECT, WINOGRAD, IM2COL or STEPS
    kernel: tuple
    stride: tuple
    dilation: tuple
    pad: tuple  # before, per spatial axis
    out_size: tuple
    groups: int
    padded: tuple  # DIRECT: the shape of the zero-padded input copy at the start of the scratch; else ()
    winograd: WinogradBlocks  # WINOGRAD only, else None
    im2col: Im2colBlocks  # IM2COL, and WINOGRAD's fallback; else None
    step: tuple  # STEPS: (images, positions) per step; else ()
    scratch: int  # elements of scratch the launcher needs


def plan_conv(target, x_shape, w_shape, dtype, kernel, stride, dilation, pad, out_size, groups, blas, threads):
    """The `ConvPlan` of a convolution on `target` ('CPU' or 'GPU'); `blas` is whether the CPU can call BLAS,
    `threads` the CPU's Numba thread count (scratch is per thread; no split depends on it)."""
    geometry = (tuple(kernel), tuple(stride), tuple(dilation), tuple(pad), tuple(out_size), groups)
    k_n = w_shape[1] * kernel[0] * kernel[1] * kernel[2]  # rows of a group's im2col
    if str(dtype) == "float32" and k_n <= DIRECT_MAX_PRODUCTS:
        padded = (x_shape[0], x_shape[1]) + tuple((o - 1) * s + (k - 1) * d + 1
                                                   for o, s, k, d in zip(out_size, stride, kernel, dilation))
        return ConvPlan(DIRECT, *geometry, padded, None, None, (), _size(padded))
    gemm_w = (groups, w_shape[0] // groups, k_n)
    if target != "CPU" or not blas:
        p_n = _size(out_size)
        per_image = max(1, groups * k_n * p_n)
        budget = STEP_ELEMENTS[target]
        if per_image <= budget:
            step = (max(1, min(x_shape[0], budget // per_image)), p_n)
        else:
            step = (1, max(1, budget // max(1, groups * k_n)))
        return ConvPlan(STEPS, *geometry, (), None, None, step, step[0] * groups * k_n * min(step[1], p_n))
    im2col = _im2col_blocks(x_shape, gemm_w, out_size)
    winograd = _winograd_blocks(x_shape, gemm_w, kernel, stride, dilation, out_size)
    scratch = threads * im2col.per_thread
    if winograd is None:
        return ConvPlan(IM2COL, *geometry, (), None, im2col, (), scratch)
    scratch = max(scratch, 16 * gemm_w[1] * k_n // 9 + threads * winograd.per_thread)
    return ConvPlan(WINOGRAD, *geometry, (), winograd, im2col, (), scratch)


def _size(shape):
    n = 1
    for v in shape:
        n *= v
    return n


def _winograd_blocks(x_shape, w_shape, kernel, stride, dilation, out_size):
    """The `WinogradBlocks` of the Winograd path, or None where it does not apply: channel groups, a kernel other
    than 3x3 in H and W, stride or dilation other than 1 there, a dilated depth, C x KD below
    WINOGRAD_MIN_CHANNELS, or a work item whose scratch would exceed WINOGRAD_MAX_ELEMENTS.

    A work item is (image, band of tile rows, chunk of output depths, block of filters); it transforms each
    input plane of its band once and reuses it for every output depth that reads it.
    """
    groups, f_n, k_n = w_shape
    if (groups != 1 or tuple(kernel[1:]) != (3, 3) or tuple(stride[1:]) != (1, 1) or tuple(dilation) != (1, 1, 1)
            or k_n < 9 * WINOGRAD_MIN_CHANNELS or 0 in out_size):
        return None
    n_batch, c_n = x_shape[0], x_shape[1]
    kd_n, sd = kernel[0], stride[0]
    od_n, oh_n, ow_n = out_size
    th_n, tw_n = -(-oh_n // 2), -(-ow_n // 2)
    tiles = min(TILES_PER_ITEM, PLANE_ELEMENTS // (16 * c_n * kd_n))  # fewer when KD planes would not fit
    n_bands = -(-th_n // max(1, tiles // tw_n))
    band = -(-th_n // n_bands)  # bands of equal height
    tb = band * tw_n
    max_planes = max(kd_n, PLANE_ELEMENTS // (16 * c_n * tb))
    d_chunk = max(1, min(od_n, (max_planes - kd_n) // sd + 1))
    items = n_batch * n_bands * -(-od_n // d_chunk)
    f_blocks = max(1, min(-(-WINOGRAD_MIN_ITEMS // items), f_n // 16),  # one image alone: split filters
                   -(-16 * f_n * tb // PLANE_ELEMENTS))  # and many filters: keep the products in budget
    planes = (d_chunk - 1) * sd + kd_n
    per_thread = 16 * planes * c_n * tb + 16 * -(-f_n // f_blocks) * tb + 4 * tw_n + 4 * (2 * band + 2) * tw_n
    if per_thread > WINOGRAD_MAX_ELEMENTS:  # one tile row of one depth is too wide or too deep: im2col bounds it
        return None
    return WinogradBlocks(band, d_chunk, f_blocks, per_thread)


def _im2col_blocks(x_shape, w_shape, out_size):
    """The `Im2colBlocks` of the im2col + GEMM path: position blocks of about COLUMNS_PER_ITEM, K cut into equal
    chunks so a block holds at most COLUMN_ELEMENTS, and filter blocks to reach MIN_ITEMS work items."""
    groups, og_n, k_n = w_shape
    p_n = _size(out_size)
    p_block = -(-p_n // -(-p_n // COLUMNS_PER_ITEM))  # blocks of equal size
    k_chunk = -(-k_n // -(-k_n // max(1, COLUMN_ELEMENTS // p_block)))
    items = x_shape[0] * groups * -(-p_n // p_block)
    m_blocks = max(1, min(-(-MIN_ITEMS // items), og_n // 16))
    return Im2colBlocks(p_block, k_chunk, m_blocks, k_chunk * p_block)


def zero_pad(x, padded, before):
    """`padded`, filled: padded[:, :, z, y, w] = x[:, :, z - before[0], y - before[1], w - before[2]], zero outside
    x (x may reach beyond `padded`: 'valid' and strides leave input rows unread)."""
    padded[...] = 0
    src, dst = [slice(None)] * 2, [slice(None)] * 2
    for axis, lo in enumerate(before):
        stop = max(0, min(x.shape[2 + axis], padded.shape[2 + axis] - lo))
        src.append(slice(0, stop))
        dst.append(slice(lo, lo + stop))
    padded[tuple(dst)] = x[tuple(src)]
    return padded
