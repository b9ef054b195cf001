"""Pooling layers: MaxPool2d, AvgPool2d, MaxPool3d, AvgPool3d and AdaptiveAvgPool2d (MindSpore 2.10's arguments).

'valid' and 'same' run MindSpore's MaxPool / AvgPool (2-d) and MaxPool3D / AvgPool3D primitives; 'pad' (and the
options only it allows: padding, dilation, return_indices, ceil_mode, ...) runs them on a depth-1 volume, as
MindSpore does. A 2-d layer takes (N, C, H, W) or (C, H, W), a 3-d one (N, C, D, H, W) or (C, D, H, W).
"""
from ... import _checks
from ...common.tensor import Tensor
from ...ops.operations import nn_ops
from ..cell import Cell

__all__ = ["MaxPool2d", "AvgPool2d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool2d"]


def _int_or_tuple(api, arg, value):
    """MindSpore's _PoolNd rule: a positive int or a tuple of positive ints; a 1-tuple is its element."""
    if not _checks.is_int(value) and not isinstance(value, tuple):
        _checks.fail(api, arg, "an int or a tuple of ints", value, TypeError)
    items = (value,) if _checks.is_int(value) else value
    if not items or not all(_checks.is_int(v) and v > 0 for v in items):
        _checks.fail(api, arg, "a positive int or a tuple of positive ints", value)
    return items[0] if len(items) == 1 else tuple(int(v) for v in items)


def _as_tuple(api, arg, value, nd):
    """An int or `nd`-tuple as an `nd`-tuple (ValueError for another length)."""
    if _checks.is_int(value):
        return (int(value),) * nd
    if len(value) != nd:
        _checks.fail(api, arg, f"an int or a tuple of {nd} ints", value)
    return value


def _padding(api, value, nd):
    """MindSpore's pooling padding: an int, or a tuple/list of 1 or `nd` non-negative ints; `nd` ints back."""
    if _checks.is_int(value):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(_checks.is_int(v) for v in value):
        _checks.fail(api, "padding", "an int or a tuple/list of ints", value, TypeError)
    if any(v < 0 for v in value):
        _checks.fail(api, "padding", "non-negative", value)
    if len(value) == 1:
        value = tuple(value) * nd
    if len(value) != nd:
        _checks.fail(api, "padding", f"an int or a tuple/list of 1 or {nd} ints", value)
    return tuple(int(v) for v in value)


def _batched(x, nd, api):
    """x as an (N, C, *spatial) Tensor and whether a batch axis was added ((C, *spatial) input)."""
    _checks.check_type(api, "x", x, Tensor, "a Tensor")
    if x.ndim not in (nd + 1, nd + 2):
        _checks.fail(api, "x", f"a {nd + 1}-d or {nd + 2}-d Tensor", f"shape {x.shape}")
    return (x.reshape((1,) + x.shape), True) if x.ndim == nd + 1 else (x, False)


class _PoolNd(Cell):
    """The arguments every pooling layer shares: kernel_size, stride, pad_mode, data_format."""

    def __init__(self, kernel_size, stride, pad_mode, data_format="NCHW"):
        super().__init__()
        api = type(self).__name__
        if not isinstance(pad_mode, str):
            _checks.fail(api, "pad_mode", "a str", pad_mode, TypeError)
        self.pad_mode = _checks.check_choice(api, "pad_mode", pad_mode.upper(), ("VALID", "SAME", "PAD"))
        self.format = _checks.check_choice(api, "data_format", data_format, ("NCHW", "NHWC"))
        self.kernel_size = _int_or_tuple(api, "kernel_size", kernel_size)
        self.stride = _int_or_tuple(api, "stride", stride)

    def extend_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode}"


class MaxPool2d(_PoolNd):
    r"""2-d max pooling (NaN wins; padding cells never do).

    Args:
        kernel_size (int | tuple[int]): (KH, KW). Default: 1.
        stride (int | tuple[int]): (SH, SW). Default: 1.
        pad_mode (str): 'valid', 'same' or 'pad' (case-insensitive). Default: 'valid'.
        padding (int | tuple[int]): with 'pad': an int or (pad_h, pad_w), on both sides. Default: 0.
        dilation (int | tuple[int]): with 'pad': the spacing of the kernel cells. Default: 1.
        return_indices (bool): with 'pad': also return the flat index h * W + w of each maximum. Default: False.
        ceil_mode (bool): with 'pad': ceil instead of floor for the output size. Default: False.
        data_format (str): 'NCHW' or 'NHWC' (not with 'pad'). Default: 'NCHW'.

    Inputs:
        - **x** (Tensor) - (N, C, H, W) or (C, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, H', W') (or (C, H', W')): 'same': ceil(H / SH); 'valid': floor((H - KH) / SH) + 1; 'pad':
        floor((H + 2 pad_h - dilation (KH - 1) - 1) / SH) + 1. With return_indices a tuple (output, int64 indices).

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: bad argument values, options other than 'pad' does not allow, or x not 3-d or 4-d.

    Examples:
        >>> pool = MaxPool2d(kernel_size=3, stride=1)
        >>> pool(Tensor(np.random.randint(0, 10, [1, 2, 4, 4]), mstype.float32)).shape
        (1, 2, 2, 2)
    """

    def __init__(self, kernel_size=1, stride=1, pad_mode="valid", padding=0, dilation=1, return_indices=False,
                 ceil_mode=False, data_format="NCHW"):
        super().__init__(kernel_size, stride, pad_mode, data_format)
        api = type(self).__name__
        self.return_indices = _checks.check_bool(api, "return_indices", return_indices)
        _checks.check_bool(api, "ceil_mode", ceil_mode)
        self.use_pad = self.pad_mode == "PAD"
        if self.use_pad:
            if self.format == "NHWC":
                _checks.fail(api, "data_format", "'NCHW' when 'pad_mode' is 'pad'", data_format)
            kernel = _as_tuple(api, "kernel_size", self.kernel_size, 2)
            stride = _as_tuple(api, "stride", self.stride, 2)
            self.padding = _padding(api, padding, 2)
            if isinstance(dilation, tuple) and len(dilation) == 1:
                dilation = dilation[0]
            dilation = _as_tuple(api, "dilation", _checks.check_type(api, "dilation", dilation, (int, tuple),
                                                                     "an int or a tuple of ints"), 2)
            # MindSpore's MaxPool3DWithArgmax on a depth-1 volume; the indices are computed only when returned
            self._args = nn_ops.max_pool_args(api, 2, kernel, stride, self.padding, dilation, return_indices,
                                              ceil_mode)
        else:
            if padding != 0 or dilation != 1 or return_indices or ceil_mode:
                _checks.fail(api, "pad_mode", "'pad' when 'padding', 'dilation', 'return_indices' or 'ceil_mode' "
                             "is not the default", pad_mode)
            self.max_pool = nn_ops.MaxPool(kernel_size=self.kernel_size, strides=self.stride,
                                           pad_mode=self.pad_mode, data_format=self.format)

    def construct(self, x):
        x, added = _batched(x, 2, type(self).__name__)
        if self.use_pad:
            out = nn_ops.max_pool_nd(type(self).__name__, x, self._args)
            out, index = out if self.return_indices else (out, None)
        else:
            out, index = self.max_pool(x), None
        if added:
            out = out.reshape(out.shape[1:])
            index = None if index is None else index.reshape(index.shape[1:])
        return (out, index) if self.return_indices else out


class AvgPool2d(_PoolNd):
    r"""2-d average pooling; 'same' (with the other options at their defaults) averages real cells only.

    Args:
        kernel_size (int | tuple[int]): (KH, KW). Default: 1.
        stride (int | tuple[int]): (SH, SW). Default: 1.
        pad_mode (str): 'valid', 'same' or 'pad' (case-insensitive). Default: 'valid'.
        padding (int | tuple[int]): with 'pad': an int or (pad_h, pad_w), on both sides. Default: 0.
        ceil_mode (bool): ceil instead of floor for the output size. Default: False.
        count_include_pad (bool): padding cells count in the divisor. Default: True.
        divisor_override (int | None): when set (> 0), the divisor of every window. Default: None.
        data_format (str): 'NCHW' or 'NHWC' (only with the options above at their defaults). Default: 'NCHW'.

    Inputs:
        - **x** (Tensor) - (N, C, H, W) or (C, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, H', W') (or (C, H', W')), sizes as MaxPool2d's.

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: bad argument values, or x not 3-d or 4-d.

    Examples:
        >>> pool = AvgPool2d(kernel_size=3, stride=1)
        >>> pool(Tensor(np.random.randint(0, 10, [1, 2, 4, 4]), mstype.float32)).shape
        (1, 2, 2, 2)
    """

    def __init__(self, kernel_size=1, stride=1, pad_mode="valid", padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None, data_format="NCHW"):
        super().__init__(kernel_size, stride, pad_mode, data_format)
        api = type(self).__name__
        _checks.check_bool(api, "ceil_mode", ceil_mode)
        _checks.check_bool(api, "count_include_pad", count_include_pad)
        self.is_expand = (self.pad_mode == "PAD" or padding != 0 or ceil_mode or not count_include_pad
                          or divisor_override is not None)
        if self.is_expand:
            if self.format == "NHWC":
                _checks.fail(api, "data_format", "'NCHW' with 'pad_mode' 'pad', a padding, ceil_mode, "
                             "count_include_pad=False or a divisor_override", data_format)
            if divisor_override is not None and _checks.check_int(api, "divisor_override", divisor_override) <= 0:
                _checks.fail(api, "divisor_override", "> 0", divisor_override)
            pad_h, pad_w = _padding(api, padding, 2)
            self.avg_pool = nn_ops.AvgPool3D(kernel_size=(1,) + _as_tuple(api, "kernel_size", self.kernel_size, 2),
                                             strides=(1,) + _as_tuple(api, "stride", self.stride, 2),
                                             pad_mode=pad_mode, pad=(0, 0, pad_h, pad_h, pad_w, pad_w),
                                             ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                                             divisor_override=divisor_override or 0)
        else:
            self.avg_pool = nn_ops.AvgPool(kernel_size=self.kernel_size, strides=self.stride,
                                           pad_mode=self.pad_mode, data_format=self.format)

    def construct(self, x):
        x, added = _batched(x, 2, type(self).__name__)
        if self.is_expand:
            out = self.avg_pool(x.reshape(x.shape[:2] + (1,) + x.shape[2:]))
            out = out.reshape(out.shape[:2] + out.shape[3:])
        else:
            out = self.avg_pool(x)
        return out.reshape(out.shape[1:]) if added else out


class MaxPool3d(_PoolNd):
    r"""3-d max pooling (NaN wins; padding cells never do).

    Args:
        kernel_size (int | tuple[int]): (KD, KH, KW). Default: 1.
        stride (int | tuple[int]): (SD, SH, SW). Default: 1.
        pad_mode (str): 'valid', 'same' or 'pad' (case-insensitive). Default: 'valid'.
        padding (int | tuple[int]): with 'pad': an int or 3 ints, on both sides. Default: 0.
        dilation (int | tuple[int]): the spacing of the kernel cells ('pad' only). Default: 1.
        return_indices (bool): also return the flat index d * H * W + h * W + w of each maximum ('pad' only).
            Default: False.
        ceil_mode (bool): with 'pad': ceil instead of floor for the output size. Default: False.

    Inputs:
        - **x** (Tensor) - (N, C, D, H, W) or (C, D, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, D', H', W') (or (C, D', H', W')), each axis as in MaxPool2d; with return_indices a tuple
        (output, int64 indices).

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: bad argument values, dilation or return_indices without 'pad', or x not 4-d or 5-d.

    Examples:
        >>> pool = MaxPool3d(kernel_size=2, stride=1, pad_mode="pad", padding=1, dilation=3)
        >>> pool(Tensor(np.random.randint(0, 10, [5, 3, 4, 6, 7]), mstype.float32)).shape
        (5, 3, 3, 5, 6)
    """

    def __init__(self, kernel_size=1, stride=1, pad_mode="valid", padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__(kernel_size, stride, pad_mode)
        api = type(self).__name__
        self.return_indices = _checks.check_bool(api, "return_indices", return_indices)
        _checks.check_bool(api, "ceil_mode", ceil_mode)
        padding = _padding(api, padding, 3)
        self.only_pad = dilation != 1 or return_indices
        if self.only_pad:
            if self.pad_mode != "PAD":
                _checks.fail(api, "pad_mode", "'pad' when 'dilation' is not 1 or 'return_indices' is True", pad_mode)
            # MindSpore's MaxPool3DWithArgmax; the indices are computed only when returned
            self._args = nn_ops.max_pool_args(api, 3, self.kernel_size, self.stride, padding, dilation,
                                              return_indices, ceil_mode)
        else:
            self.max_pool = nn_ops.MaxPool3D(kernel_size=self.kernel_size, strides=self.stride, pad_mode=pad_mode,
                                             pad_list=padding, ceil_mode=True if ceil_mode else None)

    def construct(self, x):
        x, added = _batched(x, 3, type(self).__name__)
        if self.only_pad:
            out = nn_ops.max_pool_nd(type(self).__name__, x, self._args)
            out, index = out if self.return_indices else (out, None)
        else:
            out, index = self.max_pool(x), None
        if added:
            out = out.reshape(out.shape[1:])
            index = None if index is None else index.reshape(index.shape[1:])
        return (out, index) if self.return_indices else out


class AvgPool3d(_PoolNd):
    r"""3-d average pooling.

    Args:
        kernel_size (int | tuple[int]): (KD, KH, KW). Default: 1.
        stride (int | tuple[int]): (SD, SH, SW). Default: 1.
        pad_mode (str): 'valid', 'same' or 'pad' (case-insensitive). Default: 'valid'.
        padding (int | tuple[int]): with 'pad': an int, 3 ints (both sides of each axis) or 6 ints (front, back,
            top, bottom, left, right). Default: 0.
        ceil_mode (bool): ceil instead of floor for the output size. Default: False.
        count_include_pad (bool): padding cells ('same' or 'pad') count in the divisor. Default: True.
        divisor_override (int | None): when set (> 0), the divisor of every window. Default: None.

    Inputs:
        - **x** (Tensor) - (N, C, D, H, W) or (C, D, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, D', H', W') (or (C, D', H', W')).

    Raises:
        TypeError: bad argument types, or x not a float Tensor.
        ValueError: bad argument values, or x not 4-d or 5-d.

    Examples:
        >>> pool = AvgPool3d(kernel_size=3, stride=1)
        >>> pool(Tensor(np.random.randint(0, 10, [1, 2, 4, 4, 5]), mstype.float32)).shape
        (1, 2, 2, 2, 3)
    """

    def __init__(self, kernel_size=1, stride=1, pad_mode="valid", padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__(kernel_size, stride, pad_mode)
        api = type(self).__name__
        if isinstance(padding, (tuple, list)) and len(padding) == 3:
            padding = tuple(p for p in padding for _ in range(2))
        elif isinstance(padding, (tuple, list)) and len(padding) == 1:
            padding = padding[0]
        if divisor_override is not None and _checks.check_int(api, "divisor_override", divisor_override) <= 0:
            _checks.fail(api, "divisor_override", "> 0", divisor_override)
        self.avg_pool = nn_ops.AvgPool3D(self.kernel_size, self.stride, pad_mode, padding, ceil_mode,
                                         count_include_pad, divisor_override or 0)

    def construct(self, x):
        x, added = _batched(x, 3, type(self).__name__)
        out = self.avg_pool(x)
        return out.reshape(out.shape[1:]) if added else out


class AdaptiveAvgPool2d(Cell):
    r"""2-d adaptive average pooling to a fixed output size: output cell (i, j) averages the input window
    [floor(i H / OH), ceil((i + 1) H / OH)) x [floor(j W / OW), ceil((j + 1) W / OW)).

    Args:
        output_size (int | tuple): (OH, OW), an int for (OH, OH); None in the tuple keeps that input size.

    Inputs:
        - **input** (Tensor) - (N, C, H, W) or (C, H, W), float16/32/64.

    Outputs:
        Tensor (N, C, OH, OW) or (C, OH, OW).

    Raises:
        TypeError: output_size not an int or tuple, or input not a float Tensor.
        ValueError: a bad output_size, or input not 3-d or 4-d.

    Examples:
        >>> pool = AdaptiveAvgPool2d(2)
        >>> pool(Tensor(np.ones([3, 3, 3]), mstype.float32)).shape
        (3, 2, 2)
    """

    def __init__(self, output_size):
        super().__init__()
        self.adaptive_avgpool2d = nn_ops.AdaptiveAvgPool2D(output_size)

    def construct(self, input):  # noqa: A002 (MindSpore's input name)
        return self.adaptive_avgpool2d(input)
