"""Slow, obviously correct NumPy references for every op, and MindSpore's shape rules written out by hand."""
import math

import numpy as np


def conv(x, w, stride, dilation, pad_before, pad_after, group):
    """N-d cross-correlation in float64: pad, then one einsum per kernel offset and group."""
    nd = x.ndim - 2
    xp = np.pad(x.astype(np.float64), [(0, 0), (0, 0)] + list(zip(pad_before, pad_after)))
    out_sp = [(xp.shape[2 + i] - dilation[i] * (w.shape[2 + i] - 1) - 1) // stride[i] + 1 for i in range(nd)]
    n, c, o = x.shape[0], x.shape[1], w.shape[0]
    cg, og = c // group, o // group
    out = np.zeros((n, o, *out_sp))
    for g in range(group):
        for kidx in np.ndindex(*w.shape[2:]):
            window = tuple(slice(k * d, k * d + (m - 1) * s + 1, s)
                           for k, d, s, m in zip(kidx, dilation, stride, out_sp))
            patch = xp[(slice(None), slice(g * cg, (g + 1) * cg)) + window]
            wk = w[(slice(g * og, (g + 1) * og), slice(None)) + kidx].astype(np.float64)
            out[:, g * og:(g + 1) * og] += np.einsum("nc...,oc->no...", patch, wk)
    return out


def same_pads(size, kernel, stride, dilation):
    """MindSpore's 'same': ceil(size / stride) outputs; the odd padding pixel goes to the end."""
    out = math.ceil(size / stride)
    total = max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - size)
    return total // 2, total - total // 2


def fans(shape):
    """(fan_in, fan_out) as MindSpore and PyTorch compute them."""
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive
