"""Slow, obviously correct NumPy references for the pooling, normalisation, dropout and transposed-convolution
ops, and MindSpore's pooling shape rules written out by hand (the style of oracle.py)."""
import itertools
import math

import numpy as np

from minispore.kernels import bodies


def pool_size(size, kernel, stride, dilation, pad_mode, lo=0, hi=0, ceil_mode=False):
    """(outputs, pad before, pad after) of one axis: 'same' ceil(size / stride) with the odd pad cell last;
    'valid' and 'pad' floor (or ceil) of (size + pads - span) / stride + 1, less one when a ceil window would
    start past the input and its leading pad."""
    span = dilation * (kernel - 1) + 1
    if pad_mode == "same":
        out = math.ceil(size / stride)
        total = max(0, (out - 1) * stride + span - size)
        return out, total // 2, total - total // 2
    if pad_mode == "valid":
        lo = hi = 0
    room = size + lo + hi - span
    out = (math.ceil(room / stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + lo:
        out -= 1
    return out, lo, hi


def pool(x, mode, kernel, stride, dilation, before, out_size, count_lo=None, count_hi=None, divisor=0):
    """Max ('max') or average ('avg') pooling of the N-d array x (N, C, *spatial), output cell by output cell.

    The window of output o on an axis is o * stride - before + dilation * t, t < kernel; cells outside x are
    skipped. The maximum propagates NaN (and returns, with its flat index, the last NaN); the average divides by
    `divisor` if > 0, else by the window cells inside [-count_lo, size + count_hi) on every axis.
    Returns (values in float64, flat input indices of the maxima).
    """
    nd = x.ndim - 2
    count_lo = count_lo or (0,) * nd
    count_hi = count_hi or (0,) * nd
    spatial = x.shape[2:]
    values = np.zeros(x.shape[:2] + tuple(out_size))
    index = np.full(values.shape, -1, np.int64)
    for o in np.ndindex(*out_size):
        cells = []
        for taps in itertools.product(*(range(k) for k in kernel)):
            pos = tuple(oi * s - b + t * d for oi, s, b, t, d in zip(o, stride, before, taps, dilation))
            if all(0 <= p < n for p, n in zip(pos, spatial)):
                cells.append(pos)
        flat = [int(np.ravel_multi_index(p, spatial)) for p in cells]
        window = np.stack([x[(slice(None), slice(None)) + p] for p in cells], -1).astype(np.float64) if cells \
            else np.zeros(x.shape[:2] + (0,))
        at = (slice(None), slice(None)) + o
        if mode == "max":
            if not cells:
                values[at] = -np.inf
                continue
            nan = np.isnan(window)
            last_nan = window.shape[-1] - 1 - np.argmax(nan[..., ::-1], -1)
            first_max = np.argmax(np.where(nan, -np.inf, window), -1)
            pick = np.where(nan.any(-1), last_nan, first_max)
            values[at] = np.where(nan.any(-1), np.nan, np.take_along_axis(window, first_max[..., None], -1)[..., 0])
            index[at] = np.asarray(flat)[pick]
        else:
            if divisor:
                div = divisor
            else:
                div = 1
                for oi, s, b, k, n, lo, hi in zip(o, stride, before, kernel, spatial, count_lo, count_hi):
                    start = oi * s - b
                    div *= max(0, min(start + k, n + hi) - max(start, -lo))
                div = max(div, 1)
            values[at] = window.sum(-1) / div
    return values, index


def adaptive_avg_pool2d(x, out_size):
    """Adaptive average pooling of x (N, C, H, W): cell (i, j) averages rows floor(i H / OH) .. ceil((i + 1) H /
    OH) and the same for columns."""
    h, w = x.shape[-2:]
    oh, ow = out_size
    out = np.zeros(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * h // oh, -(-(i + 1) * h // oh))
            cols = slice(j * w // ow, -(-(j + 1) * w // ow))
            out[..., i, j] = x[..., rows, cols].astype(np.float64).mean((-1, -2))
    return out


def batch_norm_train(x, gamma, beta, eps):
    """(y, batch mean, biased variance, unbiased variance) over every axis but 1, in float64."""
    axes = (0,) + tuple(range(2, x.ndim))
    x64 = x.astype(np.float64)
    mean = x64.mean(axes)
    var = x64.var(axes)
    count = x.size // x.shape[1]
    view = (1, -1) + (1,) * (x.ndim - 2)
    y = (x64 - mean.reshape(view)) / np.sqrt(var.reshape(view) + eps) * gamma.reshape(view) + beta.reshape(view)
    return y, mean, var, var * count / (count - 1)


def batch_norm_eval(x, gamma, beta, mean, var, eps):
    view = (1, -1) + (1,) * (x.ndim - 2)
    return ((x.astype(np.float64) - mean.reshape(view)) / np.sqrt(var.reshape(view).astype(np.float64) + eps)
            * gamma.reshape(view) + beta.reshape(view))


def layer_norm(x, gamma, beta, begin_norm_axis, eps):
    """(y, mean, variance) normalising over the axes from begin_norm_axis; gamma/beta broadcast from the right."""
    axes = tuple(range(begin_norm_axis, x.ndim))
    x64 = x.astype(np.float64)
    mean = x64.mean(axes, keepdims=True)
    var = x64.var(axes, keepdims=True)
    return (x64 - mean) / np.sqrt(var + eps) * gamma + beta, mean, var


def conv2d_transpose(dy, w, in_hw, stride, dilation, before, group):
    """The input gradient of a 2-d convolution, by scattering every dy element through every kernel tap:
    dx[c, p * stride + k * dilation - before] += dy[o, p] * w[o, c, k] (per axis), in float64."""
    n, o, oh, ow = dy.shape
    _, cg, kh, kw = w.shape
    og = o // group
    dx = np.zeros((n, cg * group) + tuple(in_hw))
    for g in range(group):
        for i, j, a, b in itertools.product(range(oh), range(ow), range(kh), range(kw)):
            y = i * stride[0] + a * dilation[0] - before[0]
            x = j * stride[1] + b * dilation[1] - before[1]
            if 0 <= y < in_hw[0] and 0 <= x < in_hw[1]:
                dx[:, g * cg:(g + 1) * cg, y, x] += dy[:, g * og:(g + 1) * og, i, j].astype(np.float64) @ \
                    w[g * og:(g + 1) * og, :, a, b].astype(np.float64)
    return dx


def portable_uniforms(count, seed, stream):
    """The portable generator's U[0, 1) numbers 0 .. count - 1 of (seed, stream), by the pure-Python bodies:
    word i & 3 of Philox block (i >> 2, stream) under the key splitmix64(seed), top 24 bits times 2**-24."""
    from minispore.common.seed import splitmix64
    key = splitmix64(seed)
    k0, k1 = np.uint32(key & 0xFFFFFFFF), np.uint32(key >> 32)
    out = []
    for block in range((count + 3) // 4):
        words = bodies.contract_block(block, stream, k0, k1)
        out.extend(float(np.uint32(w) >> np.uint32(8)) * 2.0 ** -24 for w in words)
    return np.array(out[:count], np.float32)
