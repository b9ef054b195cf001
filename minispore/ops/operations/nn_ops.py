"""Convolution primitives: Conv2D and Conv3D (GEMM-based: Winograd or im2col on the CPU, im2col on a GPU), and BiasAdd.

Output sizes and the split of 'same' padding follow MindSpore: 'same' gives ceil(in / stride) outputs and puts
the odd padding pixel at the end; 'valid' gives floor((in - dilated_kernel) / stride) + 1; 'pad' uses the
given pads. A 2-d convolution runs as a 3-d one of depth 1, so both share one geometry function and one kernel.
"""
import numpy as np

from minispore.kernels import bodies as _codes  # operation codes only (no numba import)

from ... import _checks
from ...common.tensor import Tensor
from ..primitive import Primitive
from .math_ops import elementwise

__all__ = ["Conv2D", "Conv3D", "BiasAdd", "conv_output_shape"]
__all__ += ["ReLU", "ReLU6", "Sigmoid", "Tanh", "GeLU", "GELU", "SiLU", "Elu", "LeakyReLU", "Softmax", "LogSoftmax"]

PAD_MODES = ("valid", "same", "pad")


def conv_output_shape(api, in_spatial, kernel, stride, dilation, pad_mode, pads):
    """(output sizes, pads before, pads after) per spatial axis, MindSpore's rules.

    `pads` is (before, after) * ndim for 'pad' and ignored otherwise. ValueError when the dilated kernel does
    not fit the (padded) input.
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
            n = (size + lo + hi - span) // s + 1
        out.append(n)
        before.append(lo)
        after.append(hi)
    return tuple(out), tuple(before), tuple(after)


# The direct body (taps summed in MindSpore's order, every product rounded) where it measured at least as fast as
# the GEMM paths on the 2-core CPU: products per output (C/group x taps) up to 36, e.g. 1x3x8x8 -> 4 3x3: 4.5 vs
# 15 us, depthwise 32x28x28 3x3: 33 vs 213 us, 1x1x32x32 -> 6 5x5: 20 vs 41 us (the guide's 3-channel Conv2d, 27
# products, is the exception: 0.13 vs 0.05 ms; it runs direct so that it prints MindSpore's digits). float32
# only: on a GPU, `mul` is the float32 __fmul_rn.
_DIRECT_MAX_PRODUCTS = 36


def conv3d(backend, x, w, stride, dilation, pad_before, out_spatial, group):
    """out (N, O, *out_spatial) of NCDHW x and OIDHW w: the direct kernel for small reductions in float32,
    else the backend's GEMM-based `conv` kernel.

    float16 runs in float32. The GEMM kernel's scratch is the backend's reusable buffer.
    """
    dtype = x.dtype
    if dtype == np.float16:
        x, w = x.astype(np.float32), w.astype(np.float32)
    n, o, kernel = x.shape[0], w.shape[0], tuple(w.shape[2:])
    out = backend.empty((n, o) + tuple(out_spatial), x.dtype)
    if out.size == 0:  # an empty batch or spatial axis: nothing to compute
        return out.astype(dtype)
    if x.dtype == np.float32 and w.shape[1] * int(np.prod(kernel)) <= _DIRECT_MAX_PRODUCTS:
        backend.kernels.conv_direct(x, w, out, stride, dilation, pad_before)
        return out.astype(dtype) if dtype == np.float16 else out
    w_groups = w.reshape(group, o // group, -1)
    scratch = backend.scratch(backend.kernels.conv_scratch_shape(x.shape, w_groups.shape, kernel, stride, dilation,
                                                                  out_spatial), x.dtype)
    backend.kernels.conv(x, w_groups, out.reshape(n, group, o // group, -1), scratch, kernel, stride, dilation,
                         pad_before, out_spatial)
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
        out_spatial, before, _ = conv_output_shape(api, xa.shape[2:], self.kernel_size, self.stride, self.dilation,
                                                   self.pad_mode, self.pad)
        lift = (1,) * (3 - nd)  # a 2-d convolution is a 3-d one of depth 1
        out = conv3d(backend, xa.reshape(xa.shape[:2] + lift + xa.shape[2:]),
                     wa.reshape(wa.shape[:2] + lift + wa.shape[2:]), lift + self.stride, lift + self.dilation,
                     (0,) * (3 - nd) + before, lift + out_spatial, self.group)
        out = out.reshape(out.shape[:2] + out_spatial)
        if channels_last:
            out = backend.xp.ascontiguousarray(out.transpose(0, 2, 3, 1))
        return Tensor._wrap(out, backend)


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


# --- activations: element-wise maps (`math_ops.map_run`, one body each) and softmax along an axis ----------------
import functools  # noqa: E402  (this section's own imports: the convolution part above is edited separately)

from ... import dtype as mstype  # noqa: E402
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
