"""bprops of the neural-network primitives (ops/operations/nn_ops.py): activations, softmax, BiasAdd,
convolutions, pooling, BatchNorm, LayerNorm, Dropout.

Convolution gradients run the forward convolution kernels: the filter gradient is a convolution of the input
with the output gradient (stride and dilation exchanged: `conv_filter_grad`), the 3-d input gradient a
convolution of the stride-spread output gradient with the flipped, transposed filter (`conv_input_grad`); the 2-d
input gradient is ``Conv2DBackpropInput``. Max pooling sends each output gradient to where its maximum came from
(the pooling kernel's argmax); average pooling is the adjoint of its window sums.
"""
import math

import numpy as np

from ...common.tensor import Tensor
from ...kernels import bodies as _codes
from ..operations import _grad_ops, array_ops, math_ops
from ..operations._grad_ops import conv_filter_grad, conv_input_grad
from ..operations import math_ops as M
from ..operations import nn_ops as N
from .registry import const, float_mask, is_float, prim, register, register_function

__all__ = []


def _mul(a, b):
    return prim(M.Mul)(a, b)


def _add(a, b):
    return prim(M.Add)(a, b)


def _sub(a, b):
    return prim(M.Sub)(a, b)


def _div(a, b):
    return prim(M.Div)(a, b)


def _sum(x, axes, keep=True):
    return math_ops.reduce_op("grad", _codes.SUM, x, tuple(axes), keep)


# --- activations ------------------------------------------------------------------------------------------------
def _unary(fn):
    def getter(p):
        def bprop(x, out, dout):
            return (fn(p, x, out, dout) if is_float(x) else None,)
        return bprop
    return getter


def _greater(x, value):
    return float_mask(prim(M.Greater)(x, value), x)


register(N.ReLU)(_unary(lambda p, x, out, dout: _mul(dout, _greater(out, 0))))
register(N.ReLU6)(_unary(lambda p, x, out, dout: _mul(dout, _mul(_greater(x, 0),
                                                                float_mask(prim(M.Less)(x, 6), x)))))
register(N.Sigmoid)(_unary(lambda p, x, out, dout: _mul(dout, _mul(out, prim(M.Sub)(1.0, out)))))
register(N.Tanh)(_unary(lambda p, x, out, dout: _mul(dout, prim(M.Sub)(1.0, _mul(out, out)))))


def _silu(p, x, out, dout):
    s = prim(N.Sigmoid)(x)
    return _mul(dout, _mul(s, _add(1.0, _mul(x, prim(M.Sub)(1.0, s)))))


register(N.SiLU)(_unary(_silu))

_GELU_C = math.sqrt(2.0 / math.pi)


def _gelu_tanh(p, x, out, dout):
    # d/dx 0.5 x (1 + tanh u), u = c (x + 0.044715 x^3)
    x2 = _mul(x, x)
    t = prim(N.Tanh)(_mul(_mul(x, _add(1.0, _mul(x2, 0.044715))), _GELU_C))
    du = _mul(_add(1.0, _mul(x2, 3 * 0.044715)), _GELU_C)
    slope = _add(_mul(_add(1.0, t), 0.5), _mul(_mul(_mul(x, 0.5), prim(M.Sub)(1.0, _mul(t, t))), du))
    return _mul(dout, slope)


def _gelu_erf(p, x, out, dout):
    # d/dx x Phi(x) = Phi(x) + x phi(x); Phi(x) = out / x away from 0 (0.5 at 0)
    nonzero = float_mask(prim(M.NotEqual)(x, 0), x)
    safe = _add(x, prim(M.Sub)(1.0, nonzero))
    phi_cdf = _add(_mul(_div(out, safe), nonzero), _mul(prim(M.Sub)(1.0, nonzero), 0.5))
    density = _mul(prim(M.Exp)(_mul(_mul(x, x), -0.5)), 1.0 / math.sqrt(2.0 * math.pi))
    return _mul(dout, _add(phi_cdf, _mul(x, density)))


register(N.GeLU)(_unary(_gelu_tanh))
register(N._GeLUErf)(_unary(_gelu_erf))


def _elu(p, x, out, dout):
    positive = _greater(x, 0)
    negative_slope = _mul(prim(M.Sub)(1.0, positive), _add(out, float(p.alpha)))
    return _mul(dout, _add(positive, negative_slope))


def _leaky_relu(p, x, out, dout):
    positive = _greater(x, 0)
    return _mul(dout, _add(positive, _mul(prim(M.Sub)(1.0, positive), float(p.alpha))))


register(N.Elu)(_unary(_elu))
register(N.LeakyReLU)(_unary(_leaky_relu))


# --- softmax ----------------------------------------------------------------------------------------------------
def softmax_grad(code, axis, out, dout):
    axis = axis % max(out.ndim, 1)
    if code == _codes.SOFTMAX:
        return _mul(out, _sub(dout, _sum(_mul(dout, out), (axis,))))
    return _sub(dout, _mul(prim(M.Exp)(out), _sum(dout, (axis,))))


@register(N.Softmax, N.LogSoftmax)
def _softmax(p):
    return lambda x, out, dout: (softmax_grad(p._code, p.axis, out, dout),)


@register_function("softmax_op")
def _softmax_op(args, kwargs, out, dout):
    api, code, x, axis = (tuple(args) + tuple(kwargs.values()))[:4]
    return None, None, softmax_grad(code, axis, out, dout), None


# --- BiasAdd ----------------------------------------------------------------------------------------------------
@register(N.BiasAdd)
def _bias_add(p):
    def bprop(x, bias, out, dout):
        axis = x.ndim - 1 if p.format == "NHWC" else 1
        db = math_ops.reduce_op("grad", _codes.SUM, dout, tuple(i for i in range(x.ndim) if i != axis), False)
        return dout, db
    return bprop


# --- convolution ------------------------------------------------------------------------------------------------
def _nchw(p, array, backend, nd):
    if p.format == "NHWC":
        return backend.xp.ascontiguousarray(array.transpose(0, nd + 1, *range(1, nd + 1)))
    return array


def _nhwc(p, array, backend, nd):
    if p.format == "NHWC":
        return backend.xp.ascontiguousarray(array.transpose(0, *range(2, nd + 2), 1))
    return array


@register(N.Conv2D, N.Conv3D)
def _conv(p):
    nd = p._nd

    def bprop(x, weight, out, dout):
        backend = x._backend
        xa = _nchw(p, x._array(), backend, nd)
        wa = _nchw(p, weight._array(), backend, nd)
        da = backend.xp.ascontiguousarray(_nchw(p, dout._array(), backend, nd))
        _, before, _ = N.conv_output_shape(p.name, xa.shape[2:], p.kernel_size, p.stride, p.dilation, p.pad_mode,
                                           p.pad)
        if nd == 2:
            dx = N.conv2d_transpose_array(backend, da, wa, xa.shape[2:], p.kernel_size, p.stride, p.dilation,
                                          tuple(before), p.group)  # Conv2DBackpropInput's transposed convolution
        else:
            dx = conv_input_grad(backend, da, wa, xa.shape[2:], p.stride, p.dilation, before, p.group)
        dw = conv_filter_grad(backend, xa, da, p.kernel_size, p.stride, p.dilation, before, p.group)
        return (Tensor._make(_nhwc(p, dx, backend, nd), backend, x.dtype),
                Tensor._make(_nhwc(p, dw, backend, nd), backend, weight.dtype))
    return bprop


@register(N.Conv2DBackpropInput, N.Conv2DTranspose)
def _conv_backprop_input(p):
    def bprop(dout_in, weight, input_size, out, dout):
        # out = conv^T(dout_in, weight): its gradient is the forward convolution of dout, and the filter
        # gradient that of a convolution of dout by dout_in
        backend = dout_in._backend
        size = tuple(input_size)
        da, wa, ga = dout_in._array(), weight._array(), dout._array()
        if p.format == "NHWC":
            da, wa, ga = (backend.xp.ascontiguousarray(a.transpose(0, 3, 1, 2)) for a in (da, wa, ga))
            size = (size[0], size[3], size[1], size[2])
        out_spatial, before, after = N.conv_output_shape(p.name, size[2:], p.kernel_size, p.stride, p.dilation,
                                                         p.pad_mode, p.pad)
        if p.pad_list is not None:
            computed = (before[0], after[0], before[1], after[1])
            pads = tuple(c if q == -1 else q for q, c in zip(p.pad_list, computed))
            out_spatial, before, _ = N.conv_output_shape(p.name, size[2:], p.kernel_size, p.stride, p.dilation,
                                                         "pad", pads)
        lift = (1,)
        ddin = N.conv3d(backend, ga.reshape(ga.shape[:2] + lift + ga.shape[2:]),
                        wa.reshape(wa.shape[:2] + lift + wa.shape[2:]), lift + p.stride, lift + p.dilation,
                        (0,) + tuple(before), lift + tuple(out_spatial), p.group)
        ddin = ddin.reshape(ddin.shape[:2] + tuple(out_spatial))
        dw = conv_filter_grad(backend, backend.xp.ascontiguousarray(ga), backend.xp.ascontiguousarray(da),
                              p.kernel_size, p.stride, p.dilation, before, p.group)
        if p.format == "NHWC":
            ddin = backend.xp.ascontiguousarray(ddin.transpose(0, 2, 3, 1))
            dw = backend.xp.ascontiguousarray(dw.transpose(0, 2, 3, 1))
        return (Tensor._make(ddin, backend, dout_in.dtype), Tensor._make(dw, backend, weight.dtype), None)
    return bprop


@register(_grad_ops.Conv2DBackpropFilter)
def _conv_backprop_filter(p):
    def bprop(dout_in, x, filter_size, out, dout):
        # out = dW(dout_in, x) is bilinear: its gradients are the input gradient and the forward convolution
        backend = x._backend
        xa, da, ga = x._array(), dout_in._array(), dout._array()
        _, before, _ = N.conv_output_shape(p.name, xa.shape[2:], p.kernel_size, p.stride, p.dilation, p.pad_mode,
                                           p.pad)
        dx = N.conv2d_transpose_array(backend, backend.xp.ascontiguousarray(da), ga, xa.shape[2:], p.kernel_size,
                                      p.stride, p.dilation, tuple(before), p.group)
        lift = (1,)
        ddin = N.conv3d(backend, xa.reshape(xa.shape[:2] + lift + xa.shape[2:]),
                        ga.reshape(ga.shape[:2] + lift + ga.shape[2:]), lift + p.stride, lift + p.dilation,
                        (0,) + tuple(before), lift + tuple(da.shape[2:]), p.group)
        return (Tensor._make(ddin.reshape(da.shape), backend, dout_in.dtype), Tensor._make(dx, backend, x.dtype),
                None)
    return bprop


# --- pooling ----------------------------------------------------------------------------------------------------
def _scatter_max(backend, index, dout, x_shape):
    """dx of a max pooling: each output gradient added at the input element its maximum came from (`index`, the
    flat position in its (n, c) volume). Windows that overlap may send several gradients to one element; they are
    added in output order (on the CPU)."""
    xp = backend.xp
    n, c = x_shape[:2]
    volume = int(np.prod(x_shape[2:], dtype=np.int64))
    with backend._on():
        offsets = (xp.arange(n * c, dtype=np.int64) * volume).reshape((n, c) + (1,) * (index.ndim - 2))
        flat = (index.astype(np.int64) + offsets).reshape(-1)
        dx = xp.bincount(flat, weights=dout.reshape(-1).astype(np.float64), minlength=n * c * volume)
        return dx.astype(dout.dtype).reshape(x_shape)


def _max_pool_index(backend, xa, kernel, stride, dilation, pad_mode, pads, ceil_mode):
    _, index = N.pool3d("grad", backend, xa, _codes.MAX_POOL_ARGMAX, kernel, stride, dilation, pad_mode, pads,
                        ceil_mode)
    return index


@register(N.MaxPool)
def _max_pool(p):
    def bprop(x, out, dout):
        backend = x._backend
        xa, da = x._array(), dout._array()
        if p.format == "NHWC":
            xa, da = xa.transpose(0, 3, 1, 2), da.transpose(0, 3, 1, 2)
        xa = backend.xp.ascontiguousarray(xa)[:, :, None]
        index = _max_pool_index(backend, xa, (1,) + p._kernel, (1,) + p._strides, (1, 1, 1), p.pad_mode.lower(),
                                (0,) * 6, False)
        dx = _scatter_max(backend, index, backend.xp.ascontiguousarray(da)[:, :, None], xa.shape)[:, :, 0]
        if p.format == "NHWC":
            dx = backend.xp.ascontiguousarray(dx.transpose(0, 2, 3, 1))
        return (Tensor._make(dx, backend, x.dtype),)
    return bprop


@register(N.MaxPool3D)
def _max_pool3d(p):
    def bprop(x, out, dout):
        backend = x._backend
        mode = {"CALCULATED": "pad"}.get(p.pad_mode, p.pad_mode.lower())
        xa = backend.xp.ascontiguousarray(x._array())
        index = _max_pool_index(backend, xa, p._kernel, p._strides, (1, 1, 1), mode, p.pad_list, p.ceil_mode)
        return (Tensor._make(_scatter_max(backend, index, dout._array(), xa.shape), backend, x.dtype),)
    return bprop


@register(N.MaxPool3DWithArgmax)
def _max_pool3d_argmax(p):
    def bprop(x, out, dout):
        backend = x._backend
        dx = _scatter_max(backend, out[1]._array(), dout[0]._array(), x.shape)
        return (Tensor._make(dx, backend, x.dtype),)
    return bprop


@register_function("max_pool_nd")
def _max_pool_nd(args, kwargs, out, dout):
    api, x, pool_args = (tuple(args) + tuple(kwargs.values()))[:3]
    kernel, stride, pads, dilation, return_indices, ceil_mode = pool_args
    backend = x._backend
    nd = len(kernel)
    lift = (1,) * (3 - nd)
    xa = backend.xp.ascontiguousarray(x._array()).reshape(x.shape[:2] + lift + x.shape[2:])
    index = _max_pool_index(backend, xa, lift + tuple(kernel), lift + tuple(stride), lift + tuple(dilation), "pad",
                            (0, 0) * (3 - nd) + tuple(pads), ceil_mode)
    d = dout[0] if isinstance(dout, tuple) else dout
    da = d._array().reshape(index.shape)
    dx = _scatter_max(backend, index, da, xa.shape).reshape(x.shape)
    return None, Tensor._make(dx, backend, x.dtype), None


def _avg_pool_grad(backend, x_shape, dout, kernel, stride, pad_mode, pads, ceil_mode, count_include_pad, divisor):
    """dx (N, C, D, H, W) of an average pooling: each output gradient divided by its window's divisor and spread
    over the window's real cells (a transposed depthwise convolution with a ones filter)."""
    xp = backend.xp
    dtype = dout.dtype
    spatial = x_shape[2:]
    out_spatial, before, _ = N.conv_output_shape("grad", spatial, kernel, stride, (1, 1, 1), pad_mode, pads,
                                                 ceil_mode)
    with backend._on():
        ones_in = xp.ones((1, 1) + tuple(spatial), dtype)
        ones_w = xp.ones((1, 1) + tuple(kernel), dtype)
        real = N.conv3d(backend, ones_in, ones_w, tuple(stride), (1, 1, 1), tuple(before), out_spatial, 1)
        mean_of_ones, _ = N.pool3d("grad", backend, ones_in, _codes.AVG_POOL, kernel, stride, (1, 1, 1), pad_mode,
                                   pads, ceil_mode, count_include_pad, divisor)
        # the reciprocal of each window's divisor: mean(ones) = real cells / divisor
        scale = xp.where(real > 0, mean_of_ones / xp.where(real > 0, real, 1), 0).astype(dtype)
        scaled = xp.ascontiguousarray(dout * scale)
        c = x_shape[1]
        weight = xp.ones((c, 1) + tuple(kernel), dtype)
        return conv_input_grad(backend, scaled, weight, spatial, stride, (1, 1, 1), before, c)


@register(N.AvgPool)
def _avg_pool(p):
    def bprop(x, out, dout):
        backend = x._backend
        da = dout._array()
        shape = x.shape
        if p.format == "NHWC":
            da = da.transpose(0, 3, 1, 2)
            shape = (shape[0], shape[3], shape[1], shape[2])
        da = backend.xp.ascontiguousarray(da)[:, :, None]
        dx = _avg_pool_grad(backend, shape[:2] + (1,) + shape[2:], da, (1,) + p._kernel, (1,) + p._strides,
                            p.pad_mode.lower(), (0,) * 6, False, False, 0)[:, :, 0]
        if p.format == "NHWC":
            dx = backend.xp.ascontiguousarray(dx.transpose(0, 2, 3, 1))
        return (Tensor._make(dx, backend, x.dtype),)
    return bprop


@register(N.AvgPool3D)
def _avg_pool3d(p):
    def bprop(x, out, dout):
        backend = x._backend
        dx = _avg_pool_grad(backend, x.shape, backend.xp.ascontiguousarray(dout._array()), p._kernel, p._strides,
                            p.pad_mode.lower(), p.pad_list, p.ceil_mode, p.count_include_pad, p.divisor_override)
        return (Tensor._make(dx, backend, x.dtype),)
    return bprop


# --- normalisation and dropout ----------------------------------------------------------------------------------
def _channel_view(v, ndim, axis):
    return prim(array_ops.Reshape)(v, (1,) * axis + (v.shape[0],) + (1,) * (ndim - axis - 1))


@register(N.BatchNorm)
def _batch_norm(p):
    def bprop(x, scale, bias, mean, variance, out, dout):
        dy = dout[0]
        ndim = x.ndim
        axis = ndim - 1 if p.format == "NHWC" else 1
        axes = tuple(i for i in range(ndim) if i != axis)
        if p.is_training:
            mu, var = out[3], out[4]
        else:
            mu, var = mean, variance
        cast = prim(array_ops.Cast)
        mu, var, gamma = (cast(v, x.dtype) for v in (mu, var, scale))
        rstd = _channel_view(prim(M.Div)(1.0, prim(M.Sqrt)(_add(var, float(p.epsilon)))), ndim, axis)
        xhat = _mul(_sub(x, _channel_view(mu, ndim, axis)), rstd)
        dbeta = math_ops.reduce_op("grad", _codes.SUM, dy, axes, False)
        dgamma = math_ops.reduce_op("grad", _codes.SUM, _mul(dy, xhat), axes, False)
        g = _mul(_channel_view(gamma, ndim, axis), rstd)
        if p.is_training:
            count = float(x.size // x.shape[axis])
            centred = _sub(_mul(dy, count), _add(_channel_view(dbeta, ndim, axis),
                                                  _mul(xhat, _channel_view(dgamma, ndim, axis))))
            dx = _mul(_div(g, count), centred)
        else:
            dx = _mul(dy, g)
        return (dx, cast(dgamma, scale.dtype), cast(dbeta, bias.dtype), None, None)
    return bprop


@register(N.LayerNorm)
def _layer_norm(p):
    def bprop(x, gamma, beta, out, dout):
        dy = dout[0]
        ndim = x.ndim
        norm = p.begin_norm_axis % ndim
        params = p.begin_params_axis % ndim
        cast = prim(array_ops.Cast)
        mu, var = cast(out[1], x.dtype), cast(out[2], x.dtype)
        rstd = prim(M.Div)(1.0, prim(M.Sqrt)(_add(var, float(p.epsilon))))
        xhat = _mul(_sub(x, mu), rstd)
        outer = tuple(range(params))
        dgamma = math_ops.reduce_op("grad", _codes.SUM, _mul(dy, xhat), outer, False)
        dbeta = math_ops.reduce_op("grad", _codes.SUM, dy, outer, False)
        dxhat = _mul(dy, cast(gamma, x.dtype))
        inner = tuple(range(norm, ndim))
        mean_d = math_ops.reduce_op("grad", M.MEAN, dxhat, inner, True)
        mean_dx = math_ops.reduce_op("grad", M.MEAN, _mul(dxhat, xhat), inner, True)
        dx = _mul(rstd, _sub(_sub(dxhat, mean_d), _mul(xhat, mean_dx)))
        return dx, cast(dgamma, gamma.dtype), cast(dbeta, beta.dtype)
    return bprop


@register(N.Dropout)
def _dropout(p):
    def bprop(x, out, dout):
        return (_mul(_mul(dout[0], out[1]), 1.0 / p.keep_prob),)
    return bprop



def _adaptive_matrix(n_in, n_out):
    """(n_out, n_in): row i averages the cells floor(i n_in / n_out) .. ceil((i + 1) n_in / n_out) - 1."""
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        lo, hi = (i * n_in) // n_out, -(-((i + 1) * n_in) // n_out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


@register(N.AdaptiveAvgPool2D)
def _adaptive_avg_pool2d(p):
    def bprop(x, out, dout):
        # out = A_h x A_w^T per (n, c) plane (the window mean is separable), so dx = A_h^T dout A_w
        h, w = x.shape[-2:]
        oh, ow = dout.shape[-2:]
        a_h = const(_adaptive_matrix(h, oh), dout)
        a_w = const(_adaptive_matrix(w, ow), dout)
        rows = math_ops.matmul(prim(array_ops.Transpose)(a_h, (1, 0)), dout)
        return (math_ops.matmul(rows, a_w),)
    return bprop


def _conv3d_forward(p, backend, x, w, out_spatial, before):
    return N.conv3d(backend, backend.xp.ascontiguousarray(x), backend.xp.ascontiguousarray(w), tuple(p.stride),
                    tuple(p.dilation), tuple(before), tuple(out_spatial), p.group)


@register(_grad_ops.Conv3DBackpropInput)
def _conv3d_backprop_input(p):
    def bprop(weight, dout_in, input_size, out, dout):
        # out = conv^T(dout_in, weight): the gradient of dout_in is the forward convolution of dout, that of the
        # filter the filter gradient of the convolution of dout that gave dout_in
        backend = weight._backend
        _, before, _ = N.conv_output_shape(p.name, tuple(input_size[2:]), p.kernel_size, p.stride, p.dilation,
                                           p.pad_mode, p.pad)
        ga = backend.xp.ascontiguousarray(dout._array())
        ddin = _conv3d_forward(p, backend, ga, weight._array(), dout_in.shape[2:], before)
        dw = conv_filter_grad(backend, ga, backend.xp.ascontiguousarray(dout_in._array()), p.kernel_size, p.stride,
                              p.dilation, before, p.group)
        return Tensor._make(dw, backend, weight.dtype), Tensor._make(ddin, backend, dout_in.dtype), None
    return bprop


@register(_grad_ops.Conv3DBackpropFilter)
def _conv3d_backprop_filter(p):
    def bprop(x, dout_in, w_size, out, dout):
        backend = x._backend
        _, before, _ = N.conv_output_shape(p.name, x.shape[2:], p.kernel_size, p.stride, p.dilation, p.pad_mode,
                                           p.pad)
        ga = backend.xp.ascontiguousarray(dout._array())
        dx = conv_input_grad(backend, backend.xp.ascontiguousarray(dout_in._array()), ga, x.shape[2:], p.stride,
                             p.dilation, before, p.group)
        ddin = _conv3d_forward(p, backend, x._array(), ga, dout_in.shape[2:], before)
        return Tensor._make(dx, backend, x.dtype), Tensor._make(ddin, backend, dout_in.dtype), None
    return bprop
