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


# --- MindSpore r1.3's random_normal, written out from shared/MINDSPORE_RNG.md, one Python int at a time ----------
_M32 = 0xFFFFFFFF


def _r13_call(state, k0):
    """One call of r1.3's generator: ten rounds xoring key word 0 into both halves, then the state + 1."""
    s = list(state)
    for _ in range(10):
        p0, p2 = 0xD2511F53 * s[0], 0xCD9E8D57 * s[2]
        s = [((p2 >> 32) ^ s[1] ^ k0) & _M32, p2 & _M32, ((p0 >> 32) ^ s[3] ^ k0) & _M32, p0 & _M32]
        k0 = (k0 + 0x9E3779B9) & _M32
    return _r13_add(s, 1), k0


def _r13_add(s, n):
    v = (s[0] | s[1] << 32 | s[2] << 64 | s[3] << 96) + n
    return [(v >> (32 * i)) & _M32 for i in range(4)]


def _r13_uniform(g):
    u = np.float32((g & 0x7FFFFF) * 2.0 ** -23)
    return max(u, np.float32(1e-7))


def _r13_chain(seed, seed2, skip, length):
    state, k0, out = _r13_add([0, 0, seed2 & _M32, seed2 >> 32], skip), seed & _M32, []
    while len(out) < length:
        state, k0 = _r13_call(state, k0)
        for a, b in ((state[0], state[1]), (state[2], state[3])):
            u0, u1 = _r13_uniform(a), _r13_uniform(b)
            r = math.sqrt(-2.0 * float(np.float32(math.log(u0))))
            angle = float(np.float32(np.float32(2) * np.float32(3.14)) * u1)
            out += [np.float32(r * float(np.float32(math.sin(angle)))),
                    np.float32(r * float(np.float32(math.cos(angle))))]
    return out[:length]


def r13_random_normal(total, seed, seed2):
    """float32 values of r1.3's random_normal: 16 chains (1 for <= 16 elements), chain t skipping
    (its length * t + 3) // 4 calls; float Box-Muller with correctly rounded logf/sinf/cosf."""
    if total <= 16:
        return np.array(_r13_chain(seed, seed2, 0, total), np.float32)
    batch, out = total // 16, []
    for t in range(16):
        length = batch if t < 15 else total - 15 * batch
        out += _r13_chain(seed, seed2, (length * t + 3) // 4, length)
    return np.array(out, np.float32)


def conv_in_mindspore_order(x, w, stride, dilation, pad_before, out_spatial, group):
    """float32 N-d convolution summing each output's taps in (channel, kernel axes) order, products rounded."""
    nd = x.ndim - 2
    n_n, o_n = x.shape[0], w.shape[0]
    cg, og = w.shape[1], o_n // group
    out = np.zeros((n_n, o_n) + tuple(out_spatial), np.float32)
    for n, o in np.ndindex(n_n, o_n):
        c0 = (o // og) * cg
        for pos in np.ndindex(*out_spatial):
            acc = np.float32(0)
            for c in range(cg):
                for k in np.ndindex(*w.shape[2:]):
                    idx = [pos[i] * stride[i] - pad_before[i] + k[i] * dilation[i] for i in range(nd)]
                    if all(0 <= idx[i] < x.shape[2 + i] for i in range(nd)):
                        acc = np.float32(acc + np.float32(x[(n, c0 + c) + tuple(idx)] * w[(o, c) + k]))
            out[(n, o) + pos] = acc
    return out
