"""Convolution primitives: Conv2D and Conv3D (GEMM-based: Winograd or im2col on the CPU, im2col on a GPU), and BiasAdd.

Output sizes and the split of 'same' padding follow MindSpore: 'same' gives ceil(in / stride) outputs and puts
the odd padding pixel at the end; 'valid' gives floor((in - dilated_kernel) / stride) + 1; 'pad' uses the
given pads. A 2-d convolution runs as a 3-d one of depth 1, so both share one geometry function and one kernel.
"""
import functools

import numpy as np

from minispore.kernels import bodies as _codes  # operation codes only (no numba import)

from ... import _checks
from ... import dtype as mstype
from ...common._tape import differentiable
from ...common.tensor import Tensor
from ..primitive import Primitive
from .math_ops import elementwise

__all__ = ["Conv2D", "Conv3D", "BiasAdd", "conv_output_shape", "MaxPool", "AvgPool", "MaxPool3D", "MaxPool3DWithArgmax",
           "AvgPool3D", "AdaptiveAvgPool2D", "BatchNorm", "LayerNorm", "Dropout", "Conv2DBackpropInput",
           "Conv2DTranspose", "max_pool2d", "max_pool3d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool2d", "dropout", "batch_norm", "layer_norm", "conv_transpose2d"]
__all__ += ["ReLU", "ReLU6", "Sigmoid", "Tanh", "GeLU", "GELU", "SiLU", "Elu", "LeakyReLU", "Softmax", "LogSoftmax",
            "softmax_axis"]

PAD_MODES = ("valid", "same", "pad")


def conv_output_shape(api, in_spatial, kernel, stride, dilation, pad_mode, pads, ceil_mode=False):
    """(output sizes, pads before, pads after) per spatial axis of a convolution or pooling, MindSpore's rules.

    'same': ceil(in / stride) outputs, the odd padding cell at the end; 'valid': floor((in - span) / stride) + 1
    with span = dilation * (kernel - 1) + 1; 'pad': the given pads, `pads` being (before, after) * ndim (ignored
    otherwise). With `ceil_mode` (pooling), ceil instead of floor, less one output when the last window would
    start past the input and its leading pad. ValueError when the dilated kernel does not fit the (padded) input.
    """
    out, before, after = [], [], []
    for axis, (size, k, s, d) in enumerate(zip(in_spatial, kernel, stride, dilation)):
        span = d * (k - 1) + 1
        if pad_mode == "same":
            n = -(-size // s)
            need = max(0, (n - 1) * s + span - size)
            lo, hi = need // 2, need - need // 2
        else:
            lo, hi = (pads[2 * axis], pads[2 * axis + 1]) if pad_mode == "pad" else (0, 0)
            if size + lo + hi < span:
                raise ValueError(f"For '{api}', the dilated kernel size ({span}) must not exceed the padded input "
                                 f"size ({size + lo + hi}) in spatial axis {axis}, but got input spatial shape "
                                 f"{tuple(in_spatial)}, kernel {tuple(kernel)}, dilation {tuple(dilation)}.")
            n = (size + lo + hi - span + (s - 1 if ceil_mode else 0)) // s + 1
            if ceil_mode and (n - 1) * s >= size + lo:
                n -= 1
        out.append(n)
        before.append(lo)
        after.append(hi)
    return tuple(out), tuple(before), tuple(after)


_output_shape = functools.lru_cache(maxsize=1024)(conv_output_shape)  # per call: the same shapes again and again


@functools.lru_cache(maxsize=1024)
def _plan(kernels, x_shape, w_shape, dtype, stride, dilation, pad_before, out_spatial, group):
    """The target's conv plan, once per shapes and geometry (a network calls the same convolutions again)."""
    return kernels.conv_plan(x_shape, w_shape, dtype, w_shape[2:], stride, dilation, pad_before, out_spatial, group)


def conv3d(backend, x, w, stride, dilation, pad_before, out_spatial, group):
    """out (N, O, *out_spatial) of NCDHW x and OIDHW w, run as the backend's conv plan says (kernels/conv_plan.py:
    the direct body for small float32 reductions, else a GEMM path).

    float16 runs in float32. The scratch is the backend's reusable buffer.
    """
    dtype = x.dtype
    if dtype == np.float16:
        x, w = x.astype(np.float32), w.astype(np.float32)
    out = backend.empty((x.shape[0], w.shape[0]) + tuple(out_spatial), x.dtype)
    if out.size == 0:  # an empty batch or spatial axis: nothing to compute
        return out.astype(dtype)
    plan = _plan(backend.kernels, x.shape, w.shape, x.dtype, stride, dilation, pad_before, tuple(out_spatial), group)
    backend.kernels.conv(x, w, out, backend.scratch((plan.scratch,), x.dtype), plan)
    return out.astype(dtype) if dtype == np.float16 else out


class _Conv(Primitive):
    """Shared argument checks and execution of Conv2D and Conv3D (`_nd` spatial axes)."""

    _nd = None
    _formats = None

    def __init__(self, out_channel, kernel_size, mode, pad_mode, pad, stride, dilation, group, data_format):
        super().__init__()
        nd, api = self._nd, self.name
        self.out_channel = _checks.check_positive_int(api, "out_channel", out_channel)
        self.kernel_size = _checks.check_int_tuple(api, "kernel_size", kernel_size, nd)
        if _checks.check_int(api, "mode", mode) != 1:
            _checks.fail(api, "mode", "1", mode)
        self.pad_mode = _checks.check_choice(api, "pad_mode", pad_mode, PAD_MODES, case_sensitive=False)
        self.pad = _checks.check_int_tuple(api, "pad", pad, 2 * nd, minimum=0)
        if self.pad_mode != "pad" and any(self.pad):
            _checks.fail(api, "pad", f"0 when 'pad_mode' is '{self.pad_mode}'", pad)
        leading_ones = (nd + 2, lambda t: t[2:] if t[:2] == (1, 1) else None)
        self.stride = _checks.check_int_tuple(api, "stride", stride, nd, extra=leading_ones)
        self.dilation = _checks.check_int_tuple(api, "dilation", dilation, nd, extra=leading_ones)
        self.group = _checks.check_positive_int(api, "group", group)
        if self.out_channel % self.group:
            _checks.fail(api, "out_channel", f"divisible by 'group' ({self.group})", out_channel)
        self.format = _checks.check_choice(api, "data_format", data_format, self._formats)
        for name in ("kernel_size", "mode", "pad_mode", "pad", "stride", "dilation", "group"):
            self.add_prim_attr(name, getattr(self, name) if name != "mode" else 1)
        self.add_prim_attr("data_format", self.format)

    def __call__(self, x, weight):
        api, nd = self.name, self._nd
        self.check_tensor("x", x)
        self.check_tensor("weight", weight)
        backend = self.common_backend(x=x, weight=weight)
        for arg, value in (("x", x), ("weight", weight)):
            if value.ndim != nd + 2:
                _checks.fail(api, arg, f"a {nd + 2}-d Tensor", f"shape {value.shape}")
            if value.dtype.np_type.kind != "f":
                _checks.fail(api, arg, "a Tensor of float16, float32 or float64", value.dtype, TypeError)
        if x.dtype is not weight.dtype:
            raise TypeError(f"For '{api}', the 'x' and 'weight' must have the same dtype, but got {x.dtype} and "
                            f"{weight.dtype}.")
        channels_last = self.format == "NHWC"
        xa, wa = x._array(), weight._array()
        if channels_last:  # computed as NCHW; the transposes are copies
            xa = backend.xp.ascontiguousarray(xa.transpose(0, 3, 1, 2))
            wa = backend.xp.ascontiguousarray(wa.transpose(0, 3, 1, 2))
        expected_w = (self.out_channel, xa.shape[1] // self.group) + self.kernel_size
        if xa.shape[1] % self.group or tuple(wa.shape) != expected_w:
            raise ValueError(f"For '{api}', the 'weight' shape must be (out_channel, in_channels / group, *kernel_size)"
                             f" = {expected_w} in {'NCHW' if channels_last else self.format} order for 'x' of "
                             f"shape {x.shape} and group {self.group}, but got {weight.shape}.")
        out_spatial, before, _ = _output_shape(api, xa.shape[2:], self.kernel_size, self.stride, self.dilation,
                                               self.pad_mode, self.pad)
        lift = (1,) * (3 - nd)  # a 2-d convolution is a 3-d one of depth 1
        out = conv3d(backend, xa.reshape(xa.shape[:2] + lift + xa.shape[2:]),
                     wa.reshape(wa.shape[:2] + lift + wa.shape[2:]), lift + self.stride, lift + self.dilation,
                     (0,) * (3 - nd) + before, lift + out_spatial, self.group)
        out = out.reshape(out.shape[:2] + out_spatial)
        if channels_last:
            out = backend.xp.ascontiguousarray(out.transpose(0, 2, 3, 1))
        return Tensor._make(out, backend, x.dtype)


class Conv2D(_Conv):
    r"""2-d convolution (cross-correlation) of x (N, C, H, W) with weight (O, C/group, KH, KW).

    Args:
        out_channel (int): O.
        kernel_size (int | tuple[int]): (KH, KW).
        mode (int): must be 1. Default: 1.
        pad_mode (str): 'valid', 'same' or 'pad'. Default: 'valid'.
        pad (int | tuple[int]): (top, bottom, left, right) with 'pad'. Default: 0.
        stride (int | tuple[int]): 2 ints, or 4 with the first two 1. Default: 1.
        dilation (int | tuple[int]): 2 ints, or 4 with the first two 1. Default: 1.
        group (int): channel groups. Default: 1.
        data_format (str): 'NCHW' or 'NHWC' (then weight is (O, KH, KW, C/group)). Default: 'NCHW'.

    Inputs:
        - **x** (Tensor) - (N, C, H, W), float16/32/64.
        - **weight** (Tensor) - (O, C/group, KH, KW), the dtype of x.

    Outputs:
        Tensor (N, O, H', W'): 'same': H' = ceil(H / s); 'valid': H' = floor((H - d(KH-1) - 1) / s) + 1;
        'pad': H' = floor((H + top + bottom - d(KH-1) - 1) / s) + 1.

    Examples:
        >>> conv = Conv2D(out_channel=2, kernel_size=3)
        >>> conv(Tensor(np.ones([1, 1, 4, 4]), mstype.float32), Tensor(np.ones([2, 1, 3, 3]), mstype.float32)).shape
        (1, 2, 2, 2)
    """

    _nd = 2
    _formats = ("NCHW", "NHWC")

    def __init__(self, out_channel, kernel_size, mode=1, pad_mode="valid", pad=0, stride=1, dilation=1, group=1,
                 data_format="NCHW"):
        super().__init__(out_channel, kernel_size, mode, pad_mode, pad, stride, dilation, group, data_format)


class Conv3D(_Conv):
    r"""3-d convolution (cross-correlation) of x (N, C, D, H, W) with weight (O, C/group, KD, KH, KW).

    Args:
        out_channel (int): O.
        kernel_size (int | tuple[int]): (KD, KH, KW).
        mode (int): must be 1. Default: 1.
        pad_mode (str): 'valid', 'same' or 'pad'. Default: 'valid'.
        pad (int | tuple[int]): (front, back, top, bottom, left, right) with 'pad'. Default: 0.
        stride (int | tuple[int]): 3 ints, or 5 with the first two 1. Default: 1.
        dilation (int | tuple[int]): 3 ints, or 5 with the first two 1. Default: 1.
        group (int): channel groups. Default: 1.
        data_format (str): 'NCDHW'. Default: 'NCDHW'.

    Inputs:
        - **x** (Tensor) - (N, C, D, H, W), float16/32/64.
        - **weight** (Tensor) - (O, C/group, KD, KH, KW), the dtype of x.

    Outputs:
        Tensor (N, O, D', H', W'), each axis as in Conv2D.

    Examples:
        >>> conv3d = Conv3D(out_channel=32, kernel_size=(4, 3, 3))
        >>> x = Tensor(np.ones([16, 3, 10, 32, 32]), mstype.float32)
        >>> conv3d(x, Tensor(np.ones([32, 3, 4, 3, 3]), mstype.float32)).shape
        (16, 32, 7, 30, 30)
    """

    _nd = 3
    _formats = ("NCDHW",)

    def __init__(self, out_channel, kernel_size, mode=1, pad_mode="valid", pad=0, stride=1, dilation=1, group=1,
                 data_format="NCDHW"):
        super().__init__(out_channel, kernel_size, mode, pad_mode, pad, stride, dilation, group, data_format)


class BiasAdd(Primitive):
    """x + bias along the channel axis (axis 1 for 'NCHW'/'NCDHW', the last for 'NHWC').

    Inputs:
        - **input_x** (Tensor) - at least 2-d.
        - **bias** (Tensor) - 1-d, of length C and the dtype of input_x.

    Outputs:
        Tensor of the shape and dtype of input_x.
    """

    def __init__(self, data_format="NCHW"):
        super().__init__()
        self.format = _checks.check_choice(self.name, "data_format", data_format, ("NCHW", "NHWC", "NCDHW"))
        self.add_prim_attr("data_format", self.format)

    def __call__(self, input_x, bias):
        self.check_tensor("input_x", input_x)
        self.check_tensor("bias", bias)
        backend = self.common_backend(input_x=input_x, bias=bias)
        if input_x.ndim < 2:
            _checks.fail(self.name, "input_x", "at least 2-d", f"shape {input_x.shape}")
        axis = input_x.ndim - 1 if self.format == "NHWC" else 1
        if bias.ndim != 1 or bias.shape[0] != input_x.shape[axis]:
            _checks.fail(self.name, "bias", f"1-d of length {input_x.shape[axis]}", f"shape {bias.shape}")
        if bias.dtype is not input_x.dtype:
            raise TypeError(f"For '{self.name}', the 'input_x' and 'bias' must have the same dtype, but got "
                            f"{input_x.dtype} and {bias.dtype}.")
        view = (1,) * axis + (bias.shape[0],) + (1,) * (input_x.ndim - axis - 1)
        bias_view = Tensor._wrap(bias._array().reshape(view), backend)
        return elementwise(self.name, _codes.ADD, input_x, bias_view, backend, input_x.dtype.np_type)


# --- pooling and normalisation ----------------------------------------------------------------------------------
# Pooling runs one kernel on NCDHW arrays (a 2-d pooling is a 3-d one of depth 1), told what to do by a
# `kernels.bodies.PoolPlan`; BatchNorm and LayerNorm run shape-only splits of their sums. float16 computes in
# float32. Every forward keeps what a backward needs: max pooling can return where its maxima came from, BatchNorm
# returns the batch mean and variance, LayerNorm the row mean and variance.

_FLOATS = (np.float16, np.float32, np.float64)


def _check_float_tensor(prim, arg, value, ndims):
    """A Tensor of float16/32/64 whose rank is in `ndims`; TypeError or ValueError otherwise."""
    prim.check_tensor(arg, value)
    if value.dtype.np_type not in _FLOATS:
        _checks.fail(prim.name, arg, "a Tensor of float16, float32 or float64", value.dtype, TypeError)
    if value.ndim not in ndims:
        expected = " or ".join(f"{n}-d" for n in ndims)
        _checks.fail(prim.name, arg, f"a {expected} Tensor", f"shape {value.shape}")
    return value


def float_pair(prim, ndim, **tensors):
    """The common backend of two float Tensors of rank `ndim` and one dtype, given by their argument names (a
    convolution gradient's inputs); TypeError or ValueError naming the argument otherwise."""
    (name_a, a), (name_b, b) = tensors.items()
    _check_float_tensor(prim, name_a, a, (ndim,))
    _check_float_tensor(prim, name_b, b, (ndim,))
    backend = prim.common_backend(**tensors)
    if a.dtype is not b.dtype:
        raise TypeError(f"For '{prim.name}', the '{name_a}' and '{name_b}' must have the same dtype, but got "
                        f"{a.dtype} and {b.dtype}.")
    return backend


def positive_ints(api, arg, value, n):
    """`value` as a tuple of `n` positive ints (a gradient's input or filter size); TypeError for a non-sequence,
    ValueError otherwise."""
    if not isinstance(value, (tuple, list)) or len(value) != n or not all(_checks.is_int(v) and v > 0 for v in value):
        _checks.fail(api, arg, f"a tuple of {n} positive ints", value,
                     TypeError if not isinstance(value, (tuple, list)) else ValueError)
    return tuple(int(v) for v in value)


def _compute_array(tensor, backend):
    """The C-contiguous device array of `tensor`, float16 widened to float32 (a copy only when needed)."""
    array = backend.xp.ascontiguousarray(tensor._array())
    return array.astype(np.float32) if array.dtype == np.float16 else array


def _int_or_tuple(api, arg, value, nd, minimum=1):
    """MindSpore's int-or-tuple argument: an int, or a tuple/list of 1 or `nd` ints (>= minimum), or of nd + 2
    with the first two 1 (the NC axes); returned as `nd` ints."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    return _checks.check_int_tuple(api, arg, value, nd, minimum=minimum,
                                   extra=(nd + 2, lambda t: t[2:] if t[:2] == (1, 1) else None))


def pool3d(api, backend, x, mode, kernel, stride, dilation=(1, 1, 1), pad_mode="valid", pads=(0,) * 6,
           ceil_mode=False, count_include_pad=False, divisor=0):
    """Pool the NCDHW device array x: (output array, index array or None). Averages count padding cells when
    `count_include_pad`, else real cells only; `divisor` > 0 overrides the count. float16 runs in float32."""
    dtype = x.dtype
    if dtype == np.float16:
        x = x.astype(np.float32)
    x = backend.xp.ascontiguousarray(x)
    out_spatial, before, after = conv_output_shape(api, x.shape[2:], kernel, stride, dilation, pad_mode, pads,
                                                   ceil_mode)
    out = backend.empty(x.shape[:2] + out_spatial, x.dtype)
    with_index = mode == _codes.MAX_POOL_ARGMAX
    index = backend.empty(out.shape if with_index else (1,) * 5, np.int64)
    counted = (before, after) if count_include_pad else ((0, 0, 0), (0, 0, 0))
    plan = _codes.PoolPlan(mode, tuple(kernel), tuple(stride), tuple(dilation), before, counted[0], counted[1],
                           int(divisor))
    backend.kernels.pool(x, out, index, plan)
    return out.astype(dtype, copy=False), (index if with_index else None)


class _Pool2D(Primitive):
    """MaxPool and AvgPool: 2-d pooling of NCHW (or NHWC) input, 'valid' or 'same'."""

    _mode = None

    def __init__(self, kernel_size=1, strides=1, pad_mode="valid", data_format="NCHW"):
        super().__init__()
        api = self.name
        for arg, value in (("kernel_size", kernel_size), ("strides", strides)):
            if not _checks.is_int(value) and not isinstance(value, (tuple, list)):
                _checks.fail(api, arg, "an int or a tuple of 2 ints", value, TypeError)
        self._kernel = _int_or_tuple(api, "kernel_size", kernel_size, 2)
        self._strides = _int_or_tuple(api, "strides", strides, 2)
        self.pad_mode = _checks.check_choice(api, "pad_mode", pad_mode, ("VALID", "SAME"), case_sensitive=False)
        self.format = _checks.check_choice(api, "data_format", data_format, ("NCHW", "NHWC"))
        self.kernel_size = (1, 1) + self._kernel
        self.strides = (1, 1) + self._strides
        for name in ("kernel_size", "strides", "pad_mode"):
            self.add_prim_attr(name, getattr(self, name))
        self.add_prim_attr("data_format", self.format)

    def __call__(self, x):
        _check_float_tensor(self, "x", x, (4,))
        backend = x._backend
        xa = x._array()
        if self.format == "NHWC":  # computed as NCHW; the transposes are copies
            xa = xa.transpose(0, 3, 1, 2)
        xa = xa[:, :, None]
        out, _ = pool3d(self.name, backend, xa, self._mode, (1,) + self._kernel, (1,) + self._strides,
                        pad_mode=self.pad_mode.lower())
        out = out[:, :, 0]
        if self.format == "NHWC":
            out = out.transpose(0, 2, 3, 1)
        return Tensor._wrap(backend.xp.ascontiguousarray(out), backend)


class MaxPool(_Pool2D):
    r"""2-d max pooling of x (N, C, H, W): the maximum of each kernel window (NaN wins).

    Args:
        kernel_size (int | tuple[int]): (KH, KW). Default: 1.
        strides (int | tuple[int]): (SH, SW). Default: 1.
        pad_mode (str): 'valid' or 'same' (case-insensitive); 'same' pads with cells that never win. Default:
            'valid'.
        data_format (str): 'NCHW' or 'NHWC'. Default: 'NCHW'.

    Inputs:
        - **x** (Tensor) - (N, C, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, H', W'): 'same': H' = ceil(H / SH); 'valid': H' = floor((H - KH) / SH) + 1.

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: bad argument values, x not 4-d, or a kernel larger than the input with 'valid'.

    Examples:
        >>> x = Tensor(np.arange(1 * 3 * 3 * 4).reshape((1, 3, 3, 4)), mstype.float32)
        >>> MaxPool(kernel_size=2, strides=1)(x).shape
        (1, 3, 2, 3)
    """

    _mode = _codes.MAX_POOL


class AvgPool(_Pool2D):
    r"""2-d average pooling of x (N, C, H, W); with 'same' the border windows average their real cells only.

    Args:
        kernel_size (int | tuple[int]): (KH, KW). Default: 1.
        strides (int | tuple[int]): (SH, SW). Default: 1.
        pad_mode (str): 'valid' or 'same' (case-insensitive). Default: 'valid'.
        data_format (str): 'NCHW' or 'NHWC'. Default: 'NCHW'.

    Inputs:
        - **x** (Tensor) - (N, C, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, H', W'), sizes as MaxPool's.

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: bad argument values, x not 4-d, or a kernel larger than the input with 'valid'.

    Examples:
        >>> x = Tensor(np.arange(1 * 3 * 3 * 4).reshape((1, 3, 3, 4)), mstype.float32)
        >>> AvgPool(kernel_size=2, strides=1)(x)[0, 0, 0, 0].item()
        2.5
    """

    _mode = _codes.AVG_POOL


def _pads_3d(api, arg, pad):
    """MindSpore's 3-d pad: an int, 3 ints (each axis both sides) or 6 (front, back, top, bottom, left, right)."""
    if _checks.is_int(pad):
        pad = (int(pad),) * 6
    elif isinstance(pad, (tuple, list)) and len(pad) == 3 and all(_checks.is_int(v) for v in pad):
        pad = tuple(int(v) for v in pad for _ in range(2))
    return _checks.check_int_tuple(api, arg, pad, 6, minimum=0)


def _check_pads_fit(api, arg, pads, kernel):
    """MindSpore's rule: on every axis the two pads together are at most the kernel size."""
    for axis, k in enumerate(kernel):
        if pads[2 * axis] + pads[2 * axis + 1] > k:
            _checks.fail(api, arg, f"at most the kernel size {tuple(kernel)} on each axis (both sides together)",
                         pads)


class MaxPool3D(Primitive):
    r"""3-d max pooling of x (N, C, D, H, W).

    Args:
        kernel_size (int | tuple[int]): (KD, KH, KW). Default: 1.
        strides (int | tuple[int]): (SD, SH, SW). Default: 1.
        pad_mode (str): 'VALID', 'SAME' or 'PAD' (case-insensitive). Default: 'VALID'.
        pad_list (int | tuple[int]): with 'PAD': one int, 3 or 6 ints (front, back, top, bottom, left, right).
            Default: 0.
        ceil_mode (bool | None): with 'PAD', ceil instead of floor for the output size; None means False.
            Default: None.
        data_format (str): 'NCDHW'. Default: 'NCDHW'.

    Inputs:
        - **x** (Tensor) - (N, C, D, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, D', H', W'), each axis as in MaxPool, or with 'PAD':
        floor((D + front + back - KD) / SD) + 1 (ceil with ceil_mode).

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: bad argument values, a ceil_mode without 'PAD', pads wider than the kernel, or x not 5-d.

    Examples:
        >>> x = Tensor(np.arange(1 * 2 * 2 * 2 * 3).reshape((1, 2, 2, 2, 3)), mstype.float32)
        >>> MaxPool3D(kernel_size=2, strides=1, pad_mode="valid")(x).shape
        (1, 2, 1, 1, 2)
    """

    def __init__(self, kernel_size=1, strides=1, pad_mode="VALID", pad_list=0, ceil_mode=None, data_format="NCDHW"):
        super().__init__()
        api = self.name
        self._kernel = _int_or_tuple(api, "kernel_size", kernel_size, 3)
        self._strides = _int_or_tuple(api, "strides", strides, 3)
        mode = _checks.check_choice(api, "pad_mode", pad_mode, ("VALID", "SAME", "PAD"), case_sensitive=False)
        self.pad_mode = "CALCULATED" if mode == "PAD" else mode
        self.pad_list = _pads_3d(api, "pad_list", pad_list)
        if mode != "PAD" and any(self.pad_list):
            _checks.fail(api, "pad_list", f"0 when 'pad_mode' is '{pad_mode}'", pad_list)
        _check_pads_fit(api, "pad_list", self.pad_list, self._kernel)
        if ceil_mode is not None:
            _checks.check_bool(api, "ceil_mode", ceil_mode)
            if mode != "PAD":
                _checks.fail(api, "ceil_mode", "None when 'pad_mode' is 'same' or 'valid'", ceil_mode)
        self.ceil_mode = bool(ceil_mode)
        self.data_format = _checks.check_choice(api, "data_format", data_format, ("NCDHW",))
        self.kernel_size = (1, 1) + self._kernel
        self.strides = (1, 1) + self._strides
        for name in ("kernel_size", "strides", "pad_mode", "pad_list"):
            self.add_prim_attr(name, getattr(self, name))
        self.add_prim_attr("ceil_mode", int(self.ceil_mode))
        self.add_prim_attr("data_format", self.data_format)

    def __call__(self, x):
        _check_float_tensor(self, "x", x, (5,))
        mode = {"CALCULATED": "pad"}.get(self.pad_mode, self.pad_mode.lower())
        out, _ = pool3d(self.name, x._backend, x._array(), _codes.MAX_POOL, self._kernel, self._strides,
                        pad_mode=mode, pads=self.pad_list, ceil_mode=self.ceil_mode)
        return Tensor._wrap(out, x._backend)


class MaxPool3DWithArgmax(Primitive):
    r"""3-d max pooling of x (N, C, D, H, W) that also returns where each maximum came from.

    Args:
        ksize (int | tuple[int]): (KD, KH, KW).
        strides (int | tuple[int]): (SD, SH, SW).
        pads (int | tuple[int]): padding on both sides of each axis: an int or 3 ints (>= 0).
        dilation (int | tuple[int]): spacing of the kernel cells. Default: (1, 1, 1).
        ceil_mode (bool): ceil instead of floor for the output size. Default: False.
        data_format (str): 'NCDHW'. Default: 'NCDHW'.
        argmax_type (minispore.dtype): int64 or int32. Default: int64.

    Inputs:
        - **x** (Tensor) - (N, C, D, H, W), float16/32/64.

    Outputs:
        Tuple of 2 Tensors (N, C, D', H', W'), D' = floor((D + 2 pad - dilation (KD - 1) - 1) / SD) + 1:

        - **output** (Tensor) - the maxima (NaN wins), the dtype of x.
        - **argmax** (Tensor) - the flat index d * H * W + h * W + w of each maximum in its (n, c) input volume
          (the first one on ties).

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: bad argument values, pads wider than the kernel, or x not 5-d.
    """

    def __init__(self, ksize, strides, pads, dilation=(1, 1, 1), ceil_mode=False, data_format="NCDHW",
                 argmax_type=mstype.int64):
        super().__init__()
        api = self.name
        self.ksize = _int_or_tuple(api, "ksize", ksize, 3)
        self.strides = _int_or_tuple(api, "strides", strides, 3)
        self.pads = _int_or_tuple(api, "pads", pads, 3, minimum=0)
        self.dilation = _int_or_tuple(api, "dilation", dilation, 3)
        self.ceil_mode = _checks.check_bool(api, "ceil_mode", ceil_mode)
        self.data_format = _checks.check_choice(api, "data_format", data_format, ("NCDHW",))
        if argmax_type not in (mstype.int32, mstype.int64):
            _checks.fail(api, "argmax_type", "mstype.int32 or mstype.int64", argmax_type, TypeError)
        self.argmax_type = argmax_type
        self._pad_list = tuple(p for p in self.pads for _ in range(2))
        _check_pads_fit(api, "pads", self._pad_list, [d * (k - 1) + 1 for k, d in zip(self.ksize, self.dilation)])
        for name in ("ksize", "strides", "pads", "dilation", "ceil_mode"):
            self.add_prim_attr(name, getattr(self, name))
        self.add_prim_attr("data_format", self.data_format)
        self.add_prim_attr("argmax_type", str(argmax_type))

    def __call__(self, x):
        _check_float_tensor(self, "x", x, (5,))
        backend = x._backend
        out, index = pool3d(self.name, backend, x._array(), _codes.MAX_POOL_ARGMAX, self.ksize, self.strides,
                            self.dilation, "pad", self._pad_list, self.ceil_mode)
        index = index.astype(self.argmax_type.np_type, copy=False)
        return Tensor._wrap(out, backend), Tensor._wrap(index, backend)


class AvgPool3D(Primitive):
    r"""3-d average pooling of x (N, C, D, H, W).

    Args:
        kernel_size (int | tuple[int]): (KD, KH, KW). Default: 1.
        strides (int | tuple[int]): (SD, SH, SW). Default: 1.
        pad_mode (str): 'valid', 'same' or 'pad' (case-insensitive). Default: 'valid'.
        pad (int | tuple[int]): with 'pad': an int, or 6 ints (front, back, top, bottom, left, right). Default: 0.
        ceil_mode (bool): ceil instead of floor for the output size. Default: False.
        count_include_pad (bool): the padding cells ('same' or 'pad') count in the divisor. Default: True.
        divisor_override (int): when > 0, the divisor of every window. Default: 0.
        data_format (str): 'NCDHW'. Default: 'NCDHW'.

    Inputs:
        - **x** (Tensor) - (N, C, D, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, D', H', W'), sizes as MaxPool3D's. A window past the padded input (ceil_mode) counts only
        its cells inside it.

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: bad argument values, pads wider than the kernel, or x not 5-d.

    Examples:
        >>> x = Tensor(np.arange(1 * 2 * 2 * 2 * 3).reshape((1, 2, 2, 2, 3)), mstype.float16)
        >>> AvgPool3D(kernel_size=1, strides=1)(x).shape
        (1, 2, 2, 2, 3)
    """

    def __init__(self, kernel_size=1, strides=1, pad_mode="valid", pad=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=0, data_format="NCDHW"):
        super().__init__()
        api = self.name
        self._kernel = _int_or_tuple(api, "kernel_size", kernel_size, 3)
        self._strides = _int_or_tuple(api, "strides", strides, 3)
        self.pad_mode = _checks.check_choice(api, "pad_mode", pad_mode, ("VALID", "SAME", "PAD"),
                                             case_sensitive=False)
        self.pad_list = _pads_3d(api, "pad", pad)
        if self.pad_mode != "PAD" and any(self.pad_list):
            _checks.fail(api, "pad", f"0 when 'pad_mode' is '{pad_mode}'", pad)
        _check_pads_fit(api, "pad", self.pad_list, self._kernel)
        self.ceil_mode = _checks.check_bool(api, "ceil_mode", ceil_mode)
        self.count_include_pad = _checks.check_bool(api, "count_include_pad", count_include_pad)
        self.divisor_override = _checks.check_non_negative_int(api, "divisor_override", divisor_override)
        self.data_format = _checks.check_choice(api, "data_format", data_format, ("NCDHW",))
        self.kernel_size = (1, 1) + self._kernel
        self.strides = (1, 1) + self._strides
        for name in ("kernel_size", "strides", "pad_mode", "pad_list", "ceil_mode", "count_include_pad",
                     "divisor_override"):
            self.add_prim_attr(name, getattr(self, name))
        self.add_prim_attr("data_format", self.data_format)

    def __call__(self, x):
        _check_float_tensor(self, "x", x, (5,))
        out, _ = pool3d(self.name, x._backend, x._array(), _codes.AVG_POOL, self._kernel, self._strides,
                        pad_mode=self.pad_mode.lower(), pads=self.pad_list, ceil_mode=self.ceil_mode,
                        count_include_pad=self.count_include_pad, divisor=self.divisor_override)
        return Tensor._wrap(out, x._backend)


class AdaptiveAvgPool2D(Primitive):
    r"""2-d adaptive average pooling: output cell (i, j) averages x[..., floor(i H / OH):ceil((i + 1) H / OH),
    floor(j W / OW):ceil((j + 1) W / OW)].

    Args:
        output_size (int | tuple): (OH, OW), an int for (OH, OH); None in the tuple keeps that input size.

    Inputs:
        - **input_x** (Tensor) - (N, C, H, W) or (C, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, OH, OW) or (C, OH, OW), the dtype of input_x.

    Raises:
        TypeError: output_size not an int or tuple, or input_x not a float Tensor.
        ValueError: a tuple not of length 2, a negative size, or input_x not 3-d or 4-d.

    Examples:
        >>> x = Tensor(np.arange(9.0).reshape((1, 3, 3)), mstype.float32)
        >>> AdaptiveAvgPool2D((None, 2))(x).shape
        (1, 3, 2)
    """

    def __init__(self, output_size):
        super().__init__()
        api = self.name
        if _checks.is_int(output_size):
            output_size = (output_size, output_size)
        if not isinstance(output_size, tuple):
            _checks.fail(api, "output_size", "an int or a tuple of 2 ints or None", output_size, TypeError)
        if len(output_size) != 2:
            _checks.fail(api, "output_size", "a tuple of length 2", output_size)
        for size in output_size:
            if size is not None:
                _checks.check_non_negative_int(api, "output_size", size)
        self.output_size = tuple(None if v is None else int(v) for v in output_size)
        self.add_prim_attr("output_size", self.output_size)

    def __call__(self, input_x):
        _check_float_tensor(self, "input_x", input_x, (3, 4))
        backend = input_x._backend
        x = _compute_array(input_x, backend)
        lead = x.shape[:-2]
        x = x.reshape((-1, 1) + x.shape[-2:]) if x.ndim == 3 else x
        size = tuple(x.shape[2 + i] if v is None else v for i, v in enumerate(self.output_size))
        if 0 in x.shape[2:] and 0 not in size:
            _checks.fail(self.name, "input_x", "non-empty in its spatial axes", f"shape {input_x.shape}")
        out = backend.empty(x.shape[:2] + size, x.dtype)
        backend.kernels.adaptive_avg_pool(x, out)
        out = out.reshape(lead + size).astype(input_x.dtype.np_type, copy=False)
        return Tensor._wrap(out, backend)


def _channel_vectors(prim, channels, backend, **vectors):
    """Check that each named Tensor is a float vector of length `channels` on `backend`; their compute arrays."""
    arrays = []
    for arg, value in vectors.items():
        _check_float_tensor(prim, arg, value, (1,))
        if value.shape[0] != channels:
            _checks.fail(prim.name, arg, f"of shape ({channels},) (the channels of 'input_x')", f"shape {value.shape}")
        arrays.append(_compute_array(value, backend))
    return arrays


class BatchNorm(Primitive):
    r"""Batch normalisation: y = (x - mean) / sqrt(variance + epsilon) * scale + bias per channel (axis 1).

    Training uses the batch mean and biased variance and updates `mean` and `variance` in place to
    (1 - momentum) * old + momentum * batch, with the unbiased batch variance; inference uses `mean` and
    `variance` as given.

    Args:
        is_training (bool): batch statistics (True) or the given ones. Default: False.
        epsilon (float): added to the variance, in (0, 1]. Default: 1e-5.
        momentum (float): weight of the batch statistics in the update, in [0, 1]. Default: 0.1.
        data_format (str): 'NCHW' (channels on axis 1) or 'NHWC' (channels last). Default: 'NCHW'.

    Inputs:
        - **input_x** (Tensor) - (N, C, ...) at least 2-d, float16/32/64.
        - **scale** (Tensor) - (C,). **bias** (Tensor) - (C,).
        - **mean** (Tensor) - (C,), updated in place in training. **variance** (Tensor) - (C,), likewise.

    Outputs:
        Tuple of 5 Tensors: the normalised input (the shape and dtype of input_x), then, in training, the batch
        mean, the unbiased batch variance, and (for a backward pass) the batch mean and biased batch variance;
        in inference `mean`, `variance`, `mean`, `variance`. Statistics have the dtype of `scale`.

    Raises:
        TypeError: bad argument types, or inputs that are not float Tensors.
        ValueError: bad argument values, vectors not of length C, or a single value per channel in training.

    Examples:
        >>> x = Tensor(np.ones([2, 2]), mstype.float32)
        >>> ones = Tensor(np.ones([2]), mstype.float32)
        >>> BatchNorm()(x, ones, ones, ones, ones)[0].shape
        (2, 2)
    """

    def __init__(self, is_training=False, epsilon=1e-5, momentum=0.1, data_format="NCHW"):
        super().__init__()
        api = self.name
        self.is_training = _checks.check_bool(api, "is_training", is_training)
        self.epsilon = _checks.check_number(api, "epsilon", epsilon, minimum=0, strict=True)
        if self.epsilon > 1:
            _checks.fail(api, "epsilon", "in (0, 1]", epsilon)
        self.momentum = _checks.check_number(api, "momentum", momentum, minimum=0)
        if self.momentum > 1:
            _checks.fail(api, "momentum", "in [0, 1]", momentum)
        self.format = _checks.check_choice(api, "data_format", data_format, ("NCHW", "NHWC"))
        for name in ("is_training", "epsilon", "momentum"):
            self.add_prim_attr(name, getattr(self, name))
        self.add_prim_attr("data_format", self.format)

    def __call__(self, input_x, scale, bias, mean, variance):
        api = self.name
        _check_float_tensor(self, "input_x", input_x, (2, 3, 4, 5))
        for arg, value in (("scale", scale), ("bias", bias), ("mean", mean), ("variance", variance)):
            self.check_tensor(arg, value)
        backend = self.common_backend(input_x=input_x, scale=scale, bias=bias, mean=mean, variance=variance)
        xa = input_x._array()
        if self.format == "NHWC":
            xa = backend.xp.moveaxis(xa, -1, 1)
        shape = xa.shape
        channels = shape[1]
        gamma, beta, mean_a, var_a = _channel_vectors(self, channels, backend, scale=scale, bias=bias, mean=mean,
                                                      variance=variance)
        x3 = backend.xp.ascontiguousarray(xa).reshape(shape[0], channels, -1)
        if x3.dtype == np.float16:
            x3 = x3.astype(np.float32)
        stat_dtype = scale.dtype.np_type
        affine = backend.empty((2, channels), x3.dtype)
        if self.is_training:
            count = x3.shape[0] * x3.shape[2]
            if count < 2:
                _checks.fail(api, "input_x", "more than 1 value per channel in training", f"shape {input_x.shape}")
            partial = backend.empty((channels, -(-count // _codes.NORM_CHUNK), 2), np.float64)
            backend.kernels.norm_partial_sums(x3, partial, _codes.NORM_CHUNK)
            stats = backend.empty((3, channels), np.float64)
            backend.kernels.batch_norm_train_finish(partial, x3, gamma, beta, mean_a, var_a, self.epsilon,
                                                    self.momentum, stats, affine)
            for target, updated in ((mean, mean_a), (variance, var_a)):
                if updated is not target._array():  # a float16 statistic was updated in a float32 copy
                    target._array()[...] = updated.astype(target.dtype.np_type)
            outs = [stats[0], stats[2], stats[0], stats[1]]
        else:
            backend.kernels.batch_norm_eval_finish(gamma, beta, mean_a, var_a, self.epsilon, affine)
            outs = [mean_a, var_a, mean_a, var_a]
        y = backend.empty(x3.shape, x3.dtype)
        backend.kernels.batch_norm_apply(x3, affine, y)
        y = y.reshape(shape).astype(input_x.dtype.np_type, copy=False)
        if self.format == "NHWC":
            y = backend.xp.ascontiguousarray(backend.xp.moveaxis(y, 1, -1))
        return (Tensor._wrap(y, backend),) + tuple(Tensor._wrap(o.astype(stat_dtype), backend) for o in outs)


class LayerNorm(Primitive):
    r"""Layer normalisation: each slice x[i_0, ..., i_{b-1}, ...] (b = begin_norm_axis) normalised by its own
    mean and biased variance, then y = (x - mean) / sqrt(variance + epsilon) * gamma + beta.

    Args:
        begin_norm_axis (int): the first normalised axis, in [-rank, rank). Default: 1.
        begin_params_axis (int): the first axis gamma and beta cover, in [-rank, rank). Default: 1.
        epsilon (float): added to the variance, >= 0. Default: 1e-7.

    Inputs:
        - **input_x** (Tensor) - float16/32/64, at least 1-d.
        - **gamma** (Tensor) - of shape input_x.shape[begin_params_axis:]. **beta** (Tensor) - likewise.

    Outputs:
        Tuple of 3 Tensors: y (the shape and dtype of input_x), then the mean and the variance, of shape
        input_x.shape[:begin_norm_axis] + (1,) * (rank - begin_norm_axis), float32 (float64 for float64 input).

    Raises:
        TypeError: bad argument types, or inputs that are not float Tensors.
        ValueError: an axis out of range, or gamma/beta of the wrong shape.

    Examples:
        >>> x = Tensor(np.array([[1, 2, 3], [1, 2, 3]]), mstype.float32)
        >>> ones = Tensor(np.ones([3]), mstype.float32)
        >>> LayerNorm()(x, ones, ones)[1].shape
        (2, 1)
    """

    def __init__(self, begin_norm_axis=1, begin_params_axis=1, epsilon=1e-7):
        super().__init__()
        api = self.name
        self.begin_norm_axis = _checks.check_int(api, "begin_norm_axis", begin_norm_axis)
        self.begin_params_axis = _checks.check_int(api, "begin_params_axis", begin_params_axis)
        self.epsilon = _checks.check_number(api, "epsilon", epsilon, minimum=0)
        for name in ("begin_norm_axis", "begin_params_axis", "epsilon"):
            self.add_prim_attr(name, getattr(self, name))

    def _axis(self, arg, value, rank):
        if not -rank <= value < rank:
            _checks.fail(self.name, arg, f"in [{-rank}, {rank}) for 'input_x' of rank {rank}", value)
        return value % rank

    def __call__(self, input_x, gamma, beta):
        _check_float_tensor(self, "input_x", input_x, range(1, 33))
        backend = self.common_backend(input_x=input_x, gamma=gamma, beta=beta)
        shape, rank = input_x.shape, input_x.ndim
        norm = self._axis("begin_norm_axis", self.begin_norm_axis, rank)
        params = self._axis("begin_params_axis", self.begin_params_axis, rank)
        for arg, value in (("gamma", gamma), ("beta", beta)):
            _check_float_tensor(self, arg, value, range(0, 33))
            if value.shape != shape[params:]:
                _checks.fail(self.name, arg, f"of shape {shape[params:]} (input_x.shape[begin_params_axis:])",
                             f"shape {value.shape}")
        x = _compute_array(input_x, backend)
        rows, length = int(np.prod(shape[:norm], dtype=np.int64)), int(np.prod(shape[norm:], dtype=np.int64))
        x3 = x.reshape(rows, 1, length)
        g = gamma._array().astype(x.dtype, copy=False).reshape(-1)
        b = beta._array().astype(x.dtype, copy=False).reshape(-1)
        out = backend.empty(x3.shape, x.dtype)
        stats = backend.full((3, rows), np.nan, x.dtype)
        if length:
            backend.kernels.layer_norm(x3, g, b, self.epsilon, out, stats)
        stat_shape = shape[:norm] + (1,) * (rank - norm)
        stat_dtype = np.float64 if x.dtype == np.float64 else np.float32
        return (Tensor._wrap(out.reshape(shape).astype(input_x.dtype.np_type, copy=False), backend),
                Tensor._wrap(stats[0].reshape(stat_shape).astype(stat_dtype), backend),
                Tensor._wrap(stats[1].reshape(stat_shape).astype(stat_dtype), backend))


def _philox_key(seed):
    from ...common import seed as _seed
    key = _seed.splitmix64(seed)
    return np.uint32(key & 0xFFFFFFFF), np.uint32(key >> 32)


class Dropout(Primitive):
    r"""Randomly zeroes elements: each survives with probability keep_prob and is then scaled by 1 / keep_prob.

    The draws are the portable generator's (Philox4x32-10; the same bits on every device and thread count):
    element i survives when its uniform in [0, 1) is below keep_prob. With Seed0 = Seed1 = 0 each call claims a
    stream of the global seed (`set_seed` makes a program repeat; dropout streams never shift the initialisers');
    otherwise the key comes from (Seed0, Seed1) and the stream is the number of this primitive's earlier calls.

    Args:
        keep_prob (float): in (0, 1]. Default: 0.5.
        Seed0 (int): op seed, >= 0. Default: 0.
        Seed1 (int): op seed, >= 0. Default: 0.

    Inputs:
        - **x** (Tensor) - float16/32/64.

    Outputs:
        Tuple of 2 Tensors of the shape and dtype of x: the output, and the mask (1 kept, 0 dropped).

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: keep_prob outside (0, 1], or a negative seed.

    Examples:
        >>> output, mask = Dropout(keep_prob=0.5)(Tensor(np.ones([1, 2, 3, 4, 5]), mstype.float32))
        >>> output.shape, mask.shape
        ((1, 2, 3, 4, 5), (1, 2, 3, 4, 5))
    """

    def __init__(self, keep_prob=0.5, Seed0=0, Seed1=0):  # MindSpore's argument names
        import itertools
        super().__init__()
        api = self.name
        self.keep_prob = _checks.check_number(api, "keep_prob", keep_prob, minimum=0, strict=True)
        if self.keep_prob > 1:
            _checks.fail(api, "keep_prob", "in (0, 1]", keep_prob)
        self.Seed0 = _checks.check_non_negative_int(api, "Seed0", Seed0)
        self.Seed1 = _checks.check_non_negative_int(api, "Seed1", Seed1)
        self._calls = itertools.count()  # next() on it is atomic: concurrent calls get distinct streams
        for name in ("keep_prob", "Seed0", "Seed1"):
            self.add_prim_attr(name, getattr(self, name))

    def _stream(self):
        """(k0, k1, stream) of the next call."""
        from ...common import seed as _seed
        if self.Seed0 == 0 and self.Seed1 == 0:
            seed, stream = _seed.next_op_stream()
        else:
            seed, stream = self.Seed0 + (self.Seed1 << 32), _seed.OP_STREAM_BASE + next(self._calls)
        return _philox_key(seed) + (stream,)

    def __call__(self, x):
        _check_float_tensor(self, "x", x, range(0, 33))
        backend = x._backend
        xa = _compute_array(x, backend).reshape(-1)
        out, mask = backend.empty(xa.shape, xa.dtype), backend.empty(xa.shape, xa.dtype)
        k0, k1, stream = self._stream()
        backend.kernels.dropout(xa, out, mask, k0, k1, stream, np.float32(self.keep_prob),
                                xa.dtype.type(1.0 / self.keep_prob))
        dtype = x.dtype.np_type
        return (Tensor._wrap(out.reshape(x.shape).astype(dtype, copy=False), backend),
                Tensor._wrap(mask.reshape(x.shape).astype(dtype, copy=False), backend))


_COL2IM_ELEMENTS = 1 << 24  # the most column elements (64 MiB of float32) one step of a transposed conv holds


def conv2d_transpose_array(backend, dout, weight, in_hw, kernel, stride, dilation, before, group):
    """The input gradient of a 2-d convolution: dx (N, C, H, W) = conv2d^T(dout (N, O, P, Q), weight (O, C/g, KH,
    KW)) for an input of spatial size in_hw whose forward pads before were `before`.

    A few images at a time: the columns cols[n, g] = weight[g]^T @ dout[n, g] ((C/g * KH * KW) x (P * Q), one
    batched GEMM: OpenBLAS or cuBLAS), then `col2im` sums each output element's taps in (kernel row, column)
    order. float16 runs in float32.
    """
    from .math_ops import matmul_arrays
    dtype = dout.dtype
    work = np.float32 if dtype == np.float16 else dtype
    n, o, p_n, q_n = dout.shape
    c_g, kh, kw = weight.shape[1:]
    w4 = backend.xp.ascontiguousarray(weight, dtype=work).reshape(1, group, o // group, c_g * kh * kw)
    dx = backend.empty((n, group * c_g) + tuple(in_hw), work)
    per_image = group * c_g * kh * kw * p_n * q_n
    images = max(1, _COL2IM_ELEMENTS // max(1, per_image))
    for n0 in range(0, n, images):
        n1 = min(n, n0 + images)
        dy4 = backend.xp.ascontiguousarray(dout[n0:n1], dtype=work).reshape(n1 - n0, group, o // group, -1)
        cols = matmul_arrays("Conv2DBackpropInput", backend, w4, dy4, transpose_a=True)
        backend.kernels.col2im(cols.reshape((n1 - n0) * group, c_g, kh, kw, p_n, q_n), dx[n0:n1], tuple(stride),
                               tuple(dilation), tuple(before))
    return dx.astype(dtype, copy=False)


def conv2d_grad_attributes(prim, out_channel, kernel_size, pad_mode, pad, pad_list, mode, stride, dilation, group,
                           data_format):
    """Check and record the forward Conv2D's arguments on a 2-d convolution gradient primitive (`prim`:
    Conv2DBackpropInput, Conv2DBackpropFilter)."""
    api = prim.name
    prim.out_channel = _checks.check_positive_int(api, "out_channel", out_channel)
    prim.kernel_size = _int_or_tuple(api, "kernel_size", kernel_size, 2)
    prim.pad_mode = _checks.check_choice(api, "pad_mode", pad_mode, PAD_MODES, case_sensitive=False)
    prim.pad = _checks.check_int_tuple(api, "pad", pad, 4, minimum=0)
    if prim.pad_mode != "pad" and any(prim.pad):
        _checks.fail(api, "pad", f"0 when 'pad_mode' is '{prim.pad_mode}'", pad)
    if pad_list is not None:
        pad_list = _checks.check_int_tuple(api, "pad_list", pad_list, 4, minimum=-1)
    prim.pad_list = pad_list
    if _checks.check_int(api, "mode", mode) != 1:
        _checks.fail(api, "mode", "1", mode)
    prim.stride = _int_or_tuple(api, "stride", stride, 2)
    prim.dilation = _int_or_tuple(api, "dilation", dilation, 2)
    prim.group = _checks.check_positive_int(api, "group", group)
    if prim.out_channel % prim.group:
        _checks.fail(api, "out_channel", f"divisible by 'group' ({prim.group})", out_channel)
    prim.format = _checks.check_choice(api, "data_format", data_format, ("NCHW", "NHWC"))
    for name in ("out_channel", "kernel_size", "pad_mode", "pad", "stride", "dilation", "group"):
        prim.add_prim_attr(name, getattr(prim, name))
    prim.add_prim_attr("mode", 1)
    prim.add_prim_attr("data_format", prim.format)


class Conv2DBackpropInput(Primitive):
    r"""The gradient of Conv2D with respect to its input (a transposed convolution), for an input of `input_size`.

    The arguments are those of the forward Conv2D whose input gradient is computed: out_channel is its O, and
    its pads ('same' splits them as Conv2D does for an input of input_size).

    Args:
        out_channel (int): O, the channels of out_backprop.
        kernel_size (int | tuple[int]): (KH, KW).
        pad_mode (str): 'valid', 'same' or 'pad'. Default: 'valid'.
        pad (int | tuple[int]): with 'pad': (top, bottom, left, right). Default: 0.
        pad_list (tuple[int]): explicit (top, bottom, left, right) pads, overriding pad_mode where not -1.
            Default: None.
        mode (int): must be 1. Default: 1.
        stride (int | tuple[int]): 2 ints, or 4 with the first two 1. Default: 1.
        dilation (int | tuple[int]): 2 ints, or 4 with the first two 1. Default: 1.
        group (int): channel groups. Default: 1.
        data_format (str): 'NCHW' or 'NHWC'. Default: 'NCHW'.

    Inputs:
        - **out_backprop** (Tensor) - (N, O, H', W'), the forward output's shape for input_size.
        - **filter** (Tensor) - (O, C/group, KH, KW), the dtype of out_backprop.
        - **input_size** (tuple[int]) - (N, C, H, W).

    Outputs:
        Tensor of shape input_size and the dtype of out_backprop.

    Raises:
        TypeError: bad argument types, or inputs that are not float Tensors of one dtype.
        ValueError: bad argument values, or shapes that do not belong to one forward convolution.

    Examples:
        >>> dout = Tensor(np.ones([10, 32, 30, 30]), mstype.float32)
        >>> weight = Tensor(np.ones([32, 32, 3, 3]), mstype.float32)
        >>> Conv2DBackpropInput(32, 3)(dout, weight, (10, 32, 32, 32)).shape
        (10, 32, 32, 32)
    """

    def __init__(self, out_channel, kernel_size, pad_mode="valid", pad=0, pad_list=None, mode=1, stride=1,
                 dilation=1, group=1, data_format="NCHW"):
        super().__init__()
        conv2d_grad_attributes(self, out_channel, kernel_size, pad_mode, pad, pad_list, mode, stride, dilation, group,
                               data_format)

    def __call__(self, out_backprop, filter, input_size):  # noqa: A002 (MindSpore's input name)
        api = self.name
        backend = float_pair(self, 4, out_backprop=out_backprop, filter=filter)
        size = positive_ints(api, "input_size", input_size, 4)
        dout, weight = out_backprop._array(), filter._array()
        if self.format == "NHWC":  # computed as NCHW; the transposes are copies
            dout, weight = dout.transpose(0, 3, 1, 2), weight.transpose(0, 3, 1, 2)
            size = (size[0], size[3], size[1], size[2])
        n, c, h, w = size
        expected_w = (self.out_channel, c // self.group) + self.kernel_size
        if c % self.group or tuple(weight.shape) != expected_w:
            raise ValueError(f"For '{api}', the 'filter' shape must be (out_channel, C / group, *kernel_size) = "
                             f"{expected_w} for 'input_size' {tuple(input_size)} and group {self.group}, but got "
                             f"{filter.shape}.")
        pads = self.pad
        mode = self.pad_mode
        out_spatial, before, after = conv_output_shape(api, (h, w), self.kernel_size, self.stride, self.dilation,
                                                       mode, pads)
        if self.pad_list is not None:
            computed = (before[0], after[0], before[1], after[1])
            pads = tuple(c if p == -1 else p for p, c in zip(self.pad_list, computed))
            out_spatial, before, _ = conv_output_shape(api, (h, w), self.kernel_size, self.stride, self.dilation,
                                                       "pad", pads)
        if tuple(dout.shape) != (n, self.out_channel) + out_spatial:
            _checks.fail(api, "out_backprop", f"of shape {(n, self.out_channel) + out_spatial} (the forward "
                         f"output for 'input_size' {tuple(input_size)})", f"shape {out_backprop.shape}")
        dx = conv2d_transpose_array(backend, backend.xp.ascontiguousarray(dout), weight, (h, w), self.kernel_size,
                                    self.stride, self.dilation, before, self.group)
        if self.format == "NHWC":
            dx = backend.xp.ascontiguousarray(dx.transpose(0, 2, 3, 1))
        return Tensor._wrap(dx, backend)


class Conv2DTranspose(Conv2DBackpropInput):
    r"""2-d transposed convolution: Conv2DBackpropInput under the name MindSpore also gives it (same arguments)."""


# --- functional forms (MindSpore's mindspore.ops.<name>) ---------------------------------------------------------
def _pool_fn_args(api, kernel_size, stride, padding, dilation, nd):
    """kernel, stride (None: the kernel), symmetric padding as (before, after) * nd, dilation: PyTorch-style."""
    kernel = _int_or_tuple(api, "kernel_size", kernel_size, nd)
    stride = kernel if stride is None else _int_or_tuple(api, "stride", stride, nd)
    pad = _int_or_tuple(api, "padding", padding, nd, minimum=0)
    dilation = _int_or_tuple(api, "dilation", dilation, nd)
    return kernel, stride, tuple(p for p in pad for _ in range(2)), dilation


def max_pool_args(api, nd, kernel_size, stride, padding, dilation, return_indices, ceil_mode):
    """Checked arguments of a PyTorch-style max pooling (see `max_pool2d`): (kernel, stride, pads, dilation,
    return_indices, ceil_mode), pads as (before, after) * nd."""
    _checks.check_bool(api, "return_indices", return_indices)
    _checks.check_bool(api, "ceil_mode", ceil_mode)
    kernel, stride, pads, dilation = _pool_fn_args(api, kernel_size, stride, padding, dilation, nd)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    for axis, span in enumerate(spans):
        if 2 * pads[2 * axis] > span:
            _checks.fail(api, "padding", f"at most half the (dilated) kernel size {tuple(spans)}", padding)
    return kernel, stride, pads, dilation, return_indices, ceil_mode


@differentiable("max_pool_nd")
def max_pool_nd(api, x, args):
    """Max pooling of the (N, C, *spatial) Tensor x with `max_pool_args` `args`: the output, or (output, int64
    indices) when they ask for indices (only then are indices computed)."""
    kernel, stride, pads, dilation, return_indices, ceil_mode = args
    nd = len(kernel)
    _check_float_tensor(Primitive(api), "x", x, (nd + 2,))
    lift = (1,) * (3 - nd)
    xa = x._array().reshape(x.shape[:2] + lift + x.shape[2:])
    out, index = pool3d(api, x._backend, xa, _codes.MAX_POOL_ARGMAX if return_indices else _codes.MAX_POOL,
                        lift + kernel, lift + stride, lift + dilation, "pad", (0, 0) * (3 - nd) + pads, ceil_mode)
    out = Tensor._wrap(out.reshape(out.shape[:2] + out.shape[5 - nd:]), x._backend)
    if return_indices:
        return out, Tensor._wrap(index.reshape(out.shape), x._backend)
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
    r"""2-d max pooling of x (N, C, H, W) with symmetric zero-free padding (padding cells never win).

    Args:
        x (Tensor): (N, C, H, W), float16/32/64.
        kernel_size (int | tuple[int]): (KH, KW).
        stride (int | tuple[int] | None): Default: None (the kernel size).
        padding (int | tuple[int]): on both sides of each axis, at most half the dilated kernel. Default: 0.
        dilation (int | tuple[int]): Default: 1.
        return_indices (bool): also return the flat index h * W + w of each maximum. Default: False.
        ceil_mode (bool): ceil instead of floor for the output size. Default: False.

    Returns:
        Tensor (N, C, H', W'), H' = floor((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1; with
        return_indices a tuple (output, int64 indices).
    """
    args = max_pool_args("max_pool2d", 2, kernel_size, stride, padding, dilation, return_indices, ceil_mode)
    return max_pool_nd("max_pool2d", x, args)


def max_pool3d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r"""3-d max pooling of x (N, C, D, H, W); arguments as `max_pool2d`'s with three sizes (indices are
    d * H * W + h * W + w).

    Returns:
        Tensor (N, C, D', H', W'), or a tuple (output, int64 indices) with return_indices.
    """
    args = max_pool_args("max_pool3d", 3, kernel_size, stride, padding, dilation, return_indices, ceil_mode)
    return max_pool_nd("max_pool3d", x, args)


def _avg_pool_fn(api, input_x, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    prim = Primitive(api)
    _check_float_tensor(prim, "input_x", input_x, (nd + 2,))
    kernel = _int_or_tuple(api, "kernel_size", kernel_size, nd)
    stride = _int_or_tuple(api, "stride", stride, nd)
    if _checks.is_int(padding):
        padding = (padding,) * (2 * nd)
    pads = _checks.check_int_tuple(api, "padding", padding, 2 * nd, minimum=0)
    _check_pads_fit(api, "padding", pads, kernel)
    _checks.check_bool(api, "ceil_mode", ceil_mode)
    _checks.check_bool(api, "count_include_pad", count_include_pad)
    divisor = _checks.check_non_negative_int(api, "divisor_override", divisor_override)
    lift = (1,) * (3 - nd)
    xa = input_x._array().reshape(input_x.shape[:2] + lift + input_x.shape[2:])
    out, _ = pool3d(api, input_x._backend, xa, _codes.AVG_POOL, lift + kernel, lift + stride, pad_mode="pad",
                    pads=(0, 0) * (3 - nd) + pads, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                    divisor=divisor)
    return Tensor._wrap(out.reshape(out.shape[:2] + out.shape[5 - nd:]), input_x._backend)


def avg_pool2d(input_x, kernel_size=1, stride=1, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=0):
    r"""2-d average pooling of input_x (N, C, H, W).

    Args:
        input_x (Tensor): (N, C, H, W), float16/32/64.
        kernel_size (int | tuple[int]): (KH, KW). Default: 1.
        stride (int | tuple[int]): (SH, SW). Default: 1.
        padding (int | tuple[int]): an int, or (top, bottom, left, right). Default: 0.
        ceil_mode (bool): ceil instead of floor for the output size. Default: False.
        count_include_pad (bool): padding cells count in the divisor. Default: True.
        divisor_override (int): when > 0, the divisor of every window. Default: 0.

    Returns:
        Tensor (N, C, H', W'), H' = floor((H + top + bottom - KH) / SH) + 1.
    """
    return _avg_pool_fn("avg_pool2d", input_x, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def avg_pool3d(input_x, kernel_size=1, stride=1, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=0):
    r"""3-d average pooling of input_x (N, C, D, H, W); arguments as `avg_pool2d`'s with three sizes (padding:
    an int or 6 ints).

    Returns:
        Tensor (N, C, D', H', W').
    """
    return _avg_pool_fn("avg_pool3d", input_x, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def adaptive_avg_pool2d(input, output_size):  # noqa: A002 (MindSpore's argument name)
    r"""2-d adaptive average pooling; see `AdaptiveAvgPool2D`.

    Args:
        input (Tensor): (N, C, H, W) or (C, H, W), float16/32/64.
        output_size (int | tuple): (OH, OW); None keeps that input size.

    Returns:
        Tensor (N, C, OH, OW) or (C, OH, OW).
    """
    return AdaptiveAvgPool2D(output_size)(input)


def dropout(input, p=0.5, training=True, seed=None):  # noqa: A002 (MindSpore's argument name)
    r"""Zero each element with probability p and scale the others by 1 / (1 - p) (when training).

    Args:
        input (Tensor): float16/32/64.
        p (float): the drop probability, in [0, 1). Default: 0.5.
        training (bool): apply dropout (else return input). Default: True.
        seed (int): an op seed (>= 0) for repeatable draws; None draws from the global seed. Default: None.

    Returns:
        Tensor of the shape and dtype of input.
    """
    api = "dropout"
    p = _checks.check_number(api, "p", p, minimum=0)
    if p >= 1:
        _checks.fail(api, "p", "in [0, 1)", p)
    _checks.check_bool(api, "training", training)
    prim = Dropout(1.0 - p, 0 if seed is None else seed, 0)
    _check_float_tensor(prim, "input", input, range(0, 33))
    if not training or p == 0:
        return input
    return prim(input)[0]


def batch_norm(input_x, running_mean, running_var, weight, bias, training=False, momentum=0.1, eps=1e-5):
    r"""Batch normalisation over axis 1; see `BatchNorm` (running_mean and running_var update in training).

    Args:
        input_x (Tensor): (N, C, ...), float16/32/64.
        running_mean (Tensor): (C,). running_var (Tensor): (C,).
        weight (Tensor): (C,), gamma. bias (Tensor): (C,), beta.
        training (bool): use and fold in the batch statistics. Default: False.
        momentum (float): weight of the batch statistics in the update. Default: 0.1.
        eps (float): added to the variance. Default: 1e-5.

    Returns:
        Tensor of the shape and dtype of input_x.
    """
    return BatchNorm(training, eps, momentum)(input_x, weight, bias, running_mean, running_var)[0]


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):  # noqa: A002 (MindSpore's name)
    r"""Layer normalisation over the trailing axes `normalized_shape`; see `LayerNorm`.

    Args:
        input (Tensor): float16/32/64.
        normalized_shape (int | tuple[int]): the trailing axes' shape.
        weight (Tensor): gamma of that shape; None means ones. Default: None.
        bias (Tensor): beta of that shape; None means zeros. Default: None.
        eps (float): added to the variance. Default: 1e-5.

    Returns:
        Tensor of the shape and dtype of input.
    """
    api = "layer_norm"
    prim = Primitive(api)
    _check_float_tensor(prim, "input", input, range(1, 33))
    shape = (normalized_shape,) if _checks.is_int(normalized_shape) else normalized_shape
    if not isinstance(shape, (tuple, list)) or not all(_checks.is_int(v) for v in shape):
        _checks.fail(api, "normalized_shape", "an int or a tuple of ints", normalized_shape, TypeError)
    shape = tuple(int(v) for v in shape)
    if not shape or input.shape[input.ndim - len(shape):] != shape or len(shape) > input.ndim:
        _checks.fail(api, "normalized_shape", f"the trailing axes of 'input' {input.shape}", normalized_shape)
    backend = input._backend
    ones = Tensor._wrap(backend.full(shape, 1, input.dtype.np_type), backend)
    zeros = Tensor._wrap(backend.full(shape, 0, input.dtype.np_type), backend)
    axis = input.ndim - len(shape)
    return LayerNorm(axis, axis, eps)(input, ones if weight is None else weight, zeros if bias is None else bias)[0]


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    r"""2-d transposed convolution (PyTorch's meaning): input (N, C_in, H, W), weight (C_in, C_out / groups, KH,
    KW), output (N, C_out, H', W'), H' = (H - 1) stride - 2 padding + dilation (KH - 1) + output_padding + 1.

    Args:
        input (Tensor): float16/32/64.
        weight (Tensor): the dtype of input.
        bias (Tensor): (C_out,) or None. Default: None.
        stride, padding, output_padding, dilation (int | tuple[int]): Default: 1, 0, 0, 1.
        groups (int): Default: 1.

    Returns:
        Tensor (N, C_out, H', W').
    """
    api = "conv_transpose2d"
    prim = Primitive(api)
    _check_float_tensor(prim, "input", input, (4,))
    _check_float_tensor(prim, "weight", weight, (4,))
    stride = _int_or_tuple(api, "stride", stride, 2)
    padding = _int_or_tuple(api, "padding", padding, 2, minimum=0)
    output_padding = _int_or_tuple(api, "output_padding", output_padding, 2, minimum=0)
    dilation = _int_or_tuple(api, "dilation", dilation, 2)
    groups = _checks.check_positive_int(api, "groups", groups)
    for o, s, d in zip(output_padding, stride, dilation):
        if o >= max(s, d):
            _checks.fail(api, "output_padding", "smaller than max(stride, dilation) on each axis", output_padding)
    n, _, h, w = input.shape
    c_out = weight.shape[1] * groups
    size = tuple((i - 1) * s - 2 * p + d * (k - 1) + o + 1
                 for i, s, p, d, k, o in zip((h, w), stride, padding, dilation, weight.shape[2:], output_padding))
    prim = Conv2DBackpropInput(weight.shape[0], weight.shape[2:], "pad", tuple(p for p in padding for _ in range(2)),
                               stride=stride, dilation=dilation, group=groups)
    out = prim(input, weight, (n, c_out) + size)
    return out if bias is None else BiasAdd()(out, bias)


# --- activations: element-wise maps (`math_ops.map_run`, one body each) and softmax along an axis ----------------
from .math_ops import _Unary, unary_op  # noqa: E402


def softmax_axis(api, axis):
    """Softmax's `axis`: an int, or a tuple or list of one int (as MindSpore 2.10 accepts); returned as an int."""
    if isinstance(axis, (tuple, list)) and len(axis) == 1:
        axis = axis[0]
    if not _checks.is_int(axis):
        _checks.fail(api, "axis", "an int or a tuple of one int", axis, TypeError)
    return int(axis)


class ReLU(_Unary):
    """max(x, 0) element-wise; integers stay integers (NaN gives 0, as MindSpore's CPU kernel).

    Examples:
        >>> ReLU()(Tensor(np.array([-1.0, 2.0]), mstype.float32))
        Tensor(shape=[2], dtype=Float32, value= [0. 2.])
    """

    _rule = (_codes.RELU, _codes.IRELU, False)


class ReLU6(_Unary):
    """min(max(x, 0), 6) element-wise (floats)."""

    _rule = (_codes.RELU6, None, False)


class Sigmoid(_Unary):
    """1 / (1 + e**-x) element-wise (floats), from + - * / only: the same bits on every device, <= 3 ulp."""

    _rule = (_codes.SIGMOID, None, False)


class Tanh(_Unary):
    """tanh(x) element-wise (floats), from + - * / only: the same bits on every device, <= 3 ulp."""

    _rule = (_codes.TANH, None, False)


class GeLU(_Unary):
    """GELU with MindSpore's tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (floats).

    Computed as x sigmoid(2u) with u in double: <= 5 ulp from the exact formula.
    """

    _rule = (_codes.GELU, None, False)


GELU = GeLU


class SiLU(_Unary):
    """x sigmoid(x) element-wise (floats)."""

    _rule = (_codes.SILU, None, False)


class _Parametric(_Unary):
    """A map with one float attribute (`_param`) passed to its body as a scalar of the work dtype."""

    _param = None

    def __call__(self, x):
        return unary_op(self, x, getattr(self, self._param))


class Elu(_Parametric):
    """x for x > 0, alpha (e**x - 1) otherwise (floats; expm1 accurate near 0).

    Args:
        alpha (float): the scale of the negative part. Default: 1.0 (MindSpore 2.10's CPU takes only 1.0; any
            finite alpha works here).
    """

    _rule = (_codes.ELU, None, False)
    _param = "alpha"

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = _checks.check_number(self.name, "alpha", alpha)
        self.add_prim_attr("alpha", self.alpha)


class LeakyReLU(_Parametric):
    """x for x >= 0, alpha x otherwise (floats).

    Args:
        alpha (float): the slope of the negative part. Default: 0.2.
    """

    _rule = (_codes.LEAKY_RELU, None, False)
    _param = "alpha"

    def __init__(self, alpha=0.2):
        super().__init__()
        self.alpha = _checks.check_number(self.name, "alpha", alpha)
        self.add_prim_attr("alpha", self.alpha)


class _GeLUErf(_Unary):
    """GELU without approximation, x Phi(x) (floats; computed in double)."""

    _rule = (_codes.GELU_ERF, None, False)


@functools.lru_cache(maxsize=1024)
def softmax_plan(api, shape, np_dtype, axis):
    """(work dtype, length n of the axis, elements after it) of a softmax along the int `axis`."""
    if np_dtype.kind != "f":
        _checks.fail(api, "x", "a Tensor of float16, float32 or float64", mstype.to_dtype(np_dtype), TypeError)
    ndim = max(len(shape), 1)
    if not -ndim <= axis < ndim:
        _checks.fail(api, "axis", f"in the range [{-ndim}, {ndim})", axis)
    axis = axis % ndim
    n = shape[axis] if shape else 1
    return (np.dtype(np.float32) if np_dtype == np.float16 else np_dtype, n,
            int(np.prod(shape[axis + 1:], dtype=np.int64)))


@differentiable("softmax_op")
def softmax_op(api, code, x, axis):
    """SOFTMAX or LOG_SOFTMAX of the Tensor x along the int `axis`: max subtracted, the exp and log ours."""
    if not isinstance(x, Tensor):
        _checks.fail(api, "x", "a Tensor", x, TypeError)
    work, n, inner = softmax_plan(api, x._shape, x._dtype.np_type, axis)
    backend = x._backend
    array = x._array()
    if array.dtype != work:
        array = array.astype(work)
    out = backend.empty(array.size, work)
    if n:
        backend.kernels.softmax(code, out, array.reshape(-1), n, inner)
    return Tensor._make(out.astype(x._dtype.np_type, copy=False).reshape(x._shape), backend, x._dtype)


class Softmax(Primitive):
    """exp(x - max) / sum(exp(x - max)) along `axis`, numerically stable (floats).

    Args:
        axis (int | tuple[int]): the axis (a tuple of one int is accepted, as MindSpore). Default: -1.

    Inputs:
        - **x** (Tensor) - float16, float32 or float64.

    Outputs:
        Tensor of the shape and dtype of x.

    Raises:
        TypeError: axis not an int (or a tuple of one), or x not a float Tensor.
        ValueError: axis out of range.
    """

    _code = _codes.SOFTMAX

    def __init__(self, axis=-1):
        super().__init__()
        self.axis = softmax_axis(self.name, axis)
        self.add_prim_attr("axis", axis)

    def __call__(self, x):
        return softmax_op(self.name, self._code, x, self.axis)


class LogSoftmax(Softmax):
    """(x - max) - log(sum(exp(x - max))) along `axis`, numerically stable (floats); see `Softmax`."""

    _code = _codes.LOG_SOFTMAX
