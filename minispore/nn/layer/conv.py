"""Convolution layers: Conv2d and Conv3d (MindSpore r1.3 arguments and defaults)."""
from ... import _checks
from ...common.initializer import initializer
from ...common.parameter import Parameter
from ...common.tensor import Tensor
from ...ops.operations.array_ops import Concat
from ...ops.operations.nn_ops import PAD_MODES, BiasAdd, Conv2D, Conv3D
from ..cell import Cell

__all__ = ["Conv2d", "Conv3d", "Conv2dTranspose"]


class _Conv(Cell):
    """Arguments, parameters and forward pass shared by Conv2d and Conv3d (`_nd` spatial axes)."""

    _nd = None
    _primitive = None
    _formats = None

    def __init__(self, in_channels, out_channels, kernel_size, stride, pad_mode, padding, dilation, group, has_bias,
                 weight_init, bias_init, data_format):
        super().__init__()
        api, nd = type(self).__name__, self._nd
        self.in_channels = _checks.check_positive_int(api, "in_channels", in_channels)
        self.out_channels = _checks.check_positive_int(api, "out_channels", out_channels)
        self.kernel_size = _checks.check_int_tuple(api, "kernel_size", kernel_size, nd)
        self.stride = _checks.check_int_tuple(api, "stride", stride, nd)
        self.pad_mode = _checks.check_choice(api, "pad_mode", pad_mode, PAD_MODES, case_sensitive=False)
        if _checks.is_int(padding):
            self.padding = _checks.check_non_negative_int(api, "padding", padding)
        else:
            self.padding = _checks.check_int_tuple(api, "padding", padding, 2 * nd, minimum=0)
        if self.pad_mode != "pad" and self.padding not in (0, (0,) * 2 * nd):
            _checks.fail(api, "padding", f"0 when 'pad_mode' is '{self.pad_mode}'", padding)
        self.dilation = _checks.check_int_tuple(api, "dilation", dilation, nd)
        self.group = _checks.check_positive_int(api, "group", group)
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if value % self.group:
                _checks.fail(api, arg, f"divisible by 'group' ({self.group})", value)
        self.has_bias = _checks.check_bool(api, "has_bias", has_bias)
        self.format = _checks.check_choice(api, "data_format", data_format, self._formats)
        self.weight_init = weight_init
        self.bias_init = bias_init
        per_group = self.in_channels // self.group
        shape = ((self.out_channels,) + self.kernel_size + (per_group,) if self.format == "NHWC"
                 else (self.out_channels, per_group) + self.kernel_size)
        self.weight = Parameter(initializer(weight_init, shape), name="weight")
        self.bias = Parameter(initializer(bias_init, [self.out_channels]), name="bias") if self.has_bias else None
        self.conv = self._primitive(out_channel=self.out_channels, kernel_size=self.kernel_size, mode=1,
                                    pad_mode=self.pad_mode, pad=self.padding, stride=self.stride,
                                    dilation=self.dilation, group=self.group, data_format=self.format)
        self.bias_add = BiasAdd(data_format="NHWC" if self.format == "NHWC" else "NCHW")

    def construct(self, x):
        output = self.conv(x, self.weight)
        return self.bias_add(output, self.bias) if self.has_bias else output

    def extend_repr(self):
        def _init_name(init):
            return init.lower() if isinstance(init, str) else type(init).__name__
        return (f"input_channels={self.in_channels}, output_channels={self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode}, "
                f"padding={self.padding}, dilation={self.dilation}, group={self.group}, has_bias={self.has_bias}, "
                f"weight_init={_init_name(self.weight_init)}, bias_init={_init_name(self.bias_init)}, "
                f"format={self.format}")


class Conv2d(_Conv):
    r"""2-d convolution layer: weight (out_channels, in_channels/group, KH, KW) and an optional bias.

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out.
        kernel_size (int | tuple[int]): (KH, KW).
        stride (int | tuple[int]): Default: 1.
        pad_mode (str): 'same', 'valid' or 'pad'. Default: 'same'.
        padding (int | tuple[int]): with 'pad' only: one int, or (top, bottom, left, right). Default: 0.
        dilation (int | tuple[int]): Default: 1.
        group (int): channel groups; divides in_channels and out_channels. Default: 1.
        has_bias (bool): Default: False.
        weight_init (Tensor | str | Initializer | numbers.Number): Default: 'normal'.
        bias_init (Tensor | str | Initializer | numbers.Number): Default: 'zeros'.
        data_format (str): 'NCHW' or 'NHWC'. Default: 'NCHW'.

    Inputs:
        - **x** (Tensor) - (N, C_in, H_in, W_in).

    Outputs:
        Tensor (N, C_out, H_out, W_out): 'same': H_out = ceil(H_in / stride);
        'valid': floor((H_in - dilation*(KH-1) - 1) / stride) + 1; 'pad': the same with H_in + top + bottom.

    Examples:
        >>> net = Conv2d(120, 240, 4, has_bias=False, weight_init='normal')
        >>> net(Tensor(np.ones([1, 120, 1024, 640]), mstype.float32)).shape
        (1, 240, 1024, 640)
    """

    _nd = 2
    _primitive = Conv2D
    _formats = ("NCHW", "NHWC")

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, pad_mode="same", padding=0, dilation=1,
                 group=1, has_bias=False, weight_init="normal", bias_init="zeros", data_format="NCHW"):
        super().__init__(in_channels, out_channels, kernel_size, stride, pad_mode, padding, dilation, group,
                         has_bias, weight_init, bias_init, data_format)


class Conv3d(_Conv):
    r"""3-d convolution layer: weight (out_channels, in_channels/group, KD, KH, KW) and an optional bias.

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out.
        kernel_size (int | tuple[int]): (KD, KH, KW).
        stride (int | tuple[int]): Default: 1.
        pad_mode (str): 'same', 'valid' or 'pad'. Default: 'same'.
        padding (int | tuple[int]): with 'pad' only: one int, or (front, back, top, bottom, left, right).
            Default: 0.
        dilation (int | tuple[int]): Default: 1.
        group (int): channel groups; divides in_channels and out_channels. Default: 1.
        has_bias (bool): Default: False.
        weight_init (Tensor | str | Initializer | numbers.Number): Default: 'normal'.
        bias_init (Tensor | str | Initializer | numbers.Number): Default: 'zeros'.
        data_format (str): 'NCDHW'. Default: 'NCDHW'.

    Inputs:
        - **x** (Tensor) - (N, C_in, D_in, H_in, W_in).

    Outputs:
        Tensor (N, C_out, D_out, H_out, W_out), each axis as in Conv2d.

    Examples:
        >>> net = Conv3d(3, 8, 3)
        >>> net(Tensor(np.ones([1, 3, 4, 8, 8]), mstype.float32)).shape
        (1, 8, 4, 8, 8)
    """

    _nd = 3
    _primitive = Conv3D
    _formats = ("NCDHW",)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, pad_mode="same", padding=0, dilation=1,
                 group=1, has_bias=False, weight_init="normal", bias_init="zeros", data_format="NCDHW"):
        super().__init__(in_channels, out_channels, kernel_size, stride, pad_mode, padding, dilation, group,
                         has_bias, weight_init, bias_init, data_format)


def _deconv_length(pad_mode, size, kernel, stride, dilation, padding):
    """The output length of a transposed convolution, as MindSpore's Conv2dTranspose computes it."""
    span = kernel + (kernel - 1) * (dilation - 1)
    if pad_mode == "valid":
        return size * stride + max(span - stride, 0)
    if pad_mode == "same":
        return size * stride
    return size * stride - padding + span - stride


class Conv2dTranspose(Cell):
    r"""2-d transposed convolution layer (the input gradient of a Conv2d): weight (in_channels,
    out_channels/group, KH, KW) and an optional bias.

    MindSpore 2.10's arguments, with r1.3's initializer defaults as for Conv2d ('normal' weight, 'zeros' bias).
    As in MindSpore, output_padding appends that many zero rows and columns (bottom and right) to the output.

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out.
        kernel_size (int | tuple[int]): (KH, KW).
        stride (int | tuple[int]): Default: 1.
        pad_mode (str): 'same', 'valid' or 'pad'. Default: 'same'.
        padding (int | tuple[int]): with 'pad': one int, or (top, bottom, left, right). Default: 0.
        output_padding (int | tuple[int]): with 'pad': zeros appended, less than max(stride, dilation) on each
            axis. Default: 0.
        dilation (int | tuple[int]): Default: 1.
        group (int): channel groups; divides in_channels and out_channels. Default: 1.
        has_bias (bool): Default: False.
        weight_init (Tensor | str | Initializer | numbers.Number): Default: 'normal'.
        bias_init (Tensor | str | Initializer | numbers.Number): Default: 'zeros'.
        dtype (minispore.dtype): of the parameters. Default: mstype.float32.

    Inputs:
        - **x** (Tensor) - (N, C_in, H_in, W_in).

    Outputs:
        Tensor (N, C_out, H_out, W_out): 'same': H_in * stride; 'valid': H_in * stride + max(dilation (KH - 1) + 1
        - stride, 0); 'pad': H_in * stride - top - bottom + dilation (KH - 1) + 1 - stride (+ output_padding).

    Examples:
        >>> net = Conv2dTranspose(3, 64, 4, has_bias=False, weight_init='normal', pad_mode='pad')
        >>> net(Tensor(np.ones([1, 3, 16, 50]), mstype.float32)).shape
        (1, 64, 19, 53)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, pad_mode="same", padding=0, output_padding=0,
                 dilation=1, group=1, has_bias=False, weight_init="normal", bias_init="zeros", dtype=None):
        super().__init__()
        from ... import dtype as mstype
        from ...ops.operations.nn_ops import Conv2DTranspose
        api = type(self).__name__
        self.in_channels = _checks.check_positive_int(api, "in_channels", in_channels)
        self.out_channels = _checks.check_positive_int(api, "out_channels", out_channels)
        self.kernel_size = _checks.check_int_tuple(api, "kernel_size", kernel_size, 2)
        self.stride = _checks.check_int_tuple(api, "stride", stride, 2)
        self.pad_mode = _checks.check_choice(api, "pad_mode", pad_mode, PAD_MODES, case_sensitive=False)
        if _checks.is_int(padding):
            self.padding = _checks.check_non_negative_int(api, "padding", padding)
        else:
            self.padding = _checks.check_int_tuple(api, "padding", padding, 4, minimum=0)
        if self.pad_mode != "pad" and self.padding not in (0, (0,) * 4):
            _checks.fail(api, "padding", f"0 when 'pad_mode' is '{self.pad_mode}'", padding)
        self.dilation = _checks.check_int_tuple(api, "dilation", dilation, 2)
        self.output_padding = _checks.check_int_tuple(api, "output_padding", output_padding, 2, minimum=0)
        for o, s, d in zip(self.output_padding, self.stride, self.dilation):
            if o >= max(s, d):
                _checks.fail(api, "output_padding", "in [0, max(stride, dilation)) on each axis", output_padding)
        if self.pad_mode != "pad" and any(self.output_padding):
            _checks.fail(api, "output_padding", "0 when 'pad_mode' is not 'pad'", output_padding)
        self.group = _checks.check_positive_int(api, "group", group)
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if value % self.group:
                _checks.fail(api, arg, f"divisible by 'group' ({self.group})", value)
        self.has_bias = _checks.check_bool(api, "has_bias", has_bias)
        dtype = mstype.float32 if dtype is None else dtype
        self.weight_init, self.bias_init = weight_init, bias_init
        shape = (self.in_channels, self.out_channels // self.group) + self.kernel_size
        self.weight = Parameter(initializer(weight_init, shape, dtype), name="weight")
        self.bias = None
        if self.has_bias:
            self.bias = Parameter(initializer(bias_init, [self.out_channels], dtype), name="bias")
        pads = (self.padding,) * 4 if _checks.is_int(self.padding) else self.padding
        self._pads = pads
        # Conv2DTranspose's out_channel is the forward convolution's: this layer's in_channels
        self.conv2d_transpose = Conv2DTranspose(out_channel=self.in_channels, kernel_size=self.kernel_size, mode=1,
                                                pad_mode=self.pad_mode, pad=pads, stride=self.stride,
                                                dilation=self.dilation, group=self.group)
        self.bias_add = BiasAdd()

    def construct(self, x):
        api = type(self).__name__
        _checks.check_type(api, "x", x, Tensor, "a Tensor")
        if x.ndim != 4:
            _checks.fail(api, "x", "a 4-d Tensor", f"shape {x.shape}")
        n, _, h, w = x.shape
        size = tuple(_deconv_length(self.pad_mode, length, k, s, d, p0 + p1) for length, k, s, d, p0, p1 in zip(
            (h, w), self.kernel_size, self.stride, self.dilation, self._pads[0::2], self._pads[1::2]))
        out = self.conv2d_transpose(x, self.weight, (n, self.out_channels) + size)
        if self.has_bias:
            out = self.bias_add(out, self.bias)
        if any(self.output_padding):  # zeros after the end, joined by Concat so that gradients flow through
            backend = out._backend
            for axis, extra in ((2, self.output_padding[0]), (3, self.output_padding[1])):
                if extra:
                    shape = out.shape[:axis] + (extra,) + out.shape[axis + 1:]
                    zeros = Tensor._make(backend.full(shape, 0, out.dtype.np_type), backend, out.dtype)
                    out = Concat(axis)((out, zeros))
        return out

    def extend_repr(self):
        def _init_name(init):
            return init.lower() if isinstance(init, str) else type(init).__name__
        return (f"input_channels={self.in_channels}, output_channels={self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode}, "
                f"padding={self.padding}, dilation={self.dilation}, group={self.group}, has_bias={self.has_bias}, "
                f"weight_init={_init_name(self.weight_init)}, bias_init={_init_name(self.bias_init)}")
