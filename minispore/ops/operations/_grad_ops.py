"""Gradient primitives (MindSpore's ``ops.operations._grad_ops``): Conv2DBackpropFilter, and the array-level
convolution gradients the bprops share.

Both gradients run the forward convolution kernels (`nn_ops.conv3d`: the direct body or the GEMM path, the same on
both targets): the filter gradient is a convolution of the input with the output gradient, stride and dilation
exchanged; the input gradient a stride-1 convolution of the stride-spread output gradient with the flipped filter.
"""


from ... import _checks
from ...common.tensor import Tensor
from ..primitive import Primitive
from . import nn_ops
from .nn_ops import PAD_MODES, _int_or_tuple, conv_output_shape

__all__ = ["Conv2DBackpropFilter", "Conv3DBackpropInput", "Conv3DBackpropFilter", "conv_filter_grad", "conv_input_grad"]


def _lift(shape_tail, nd):
    return (1,) * (3 - nd) + tuple(shape_tail)


def conv_filter_grad(backend, x, dout, kernel, stride, dilation, before, group):
    """dW (O, C/g, *kernel) of the NC(D)HW convolution of x with stride, dilation and leading pads `before`, from
    dout (N, O, *out): per group a convolution of x^T (C/g, N, ...) with dout^T (O/g, N, ...) whose stride is the
    forward dilation and whose dilation is the forward stride."""
    xp = backend.xp
    nd = x.ndim - 2
    n, c = x.shape[:2]
    o = dout.shape[1]
    cg, og = c // group, o // group
    lift = (1,) * (3 - nd)
    parts = []
    with backend._on():
        for g in range(group):
            xg = xp.ascontiguousarray(xp.swapaxes(x[:, g * cg:(g + 1) * cg], 0, 1))
            dg = xp.ascontiguousarray(xp.swapaxes(dout[:, g * og:(g + 1) * og], 0, 1))
            xg = xg.reshape(xg.shape[:2] + _lift(xg.shape[2:], nd))
            dg = dg.reshape(dg.shape[:2] + _lift(dg.shape[2:], nd))
            w = nn_ops.conv3d(backend, xg, dg, lift + tuple(dilation), lift + tuple(stride), (0,) * (3 - nd) +
                         tuple(before), lift + tuple(kernel), 1)  # (C/g, O/g, *kernel)
            parts.append(xp.swapaxes(w.reshape(w.shape[:2] + tuple(kernel)), 0, 1))
        out = parts[0] if group == 1 else xp.concatenate(parts, axis=0)
        return xp.ascontiguousarray(out)


def conv_input_grad(backend, dout, w, in_spatial, stride, dilation, before, group):
    """dx (N, C, *in_spatial) of the NC(D)HW convolution with weight w (O, C/g, *kernel), from dout (N, O, *out):
    a stride-1 convolution of dout spread by the stride (zeros between) with the flipped filter, its in and out
    channels exchanged per group, dilated as the forward."""
    xp = backend.xp
    nd = dout.ndim - 2
    kernel = w.shape[2:]
    o, cg = w.shape[:2]
    og = o // group
    with backend._on():
        out_spatial = dout.shape[2:]
        spread = tuple((p - 1) * s + 1 for p, s in zip(out_spatial, stride))
        up = dout
        if any(s != 1 for s in stride):
            up = xp.zeros(dout.shape[:2] + spread, dout.dtype)
            up[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)] = dout
        lead, crop = [], []
        for k, d, b in zip(kernel, dilation, before):
            lo = (k - 1) * d - b
            lead.append(max(lo, 0))
            crop.append(max(-lo, 0))
        if any(crop):
            up = up[(slice(None), slice(None)) + tuple(slice(c, None) for c in crop)]
        wt = w.reshape((group, og, cg) + kernel).swapaxes(1, 2).reshape((group * cg, og) + kernel)
        wt = xp.ascontiguousarray(wt[(slice(None), slice(None)) + (slice(None, None, -1),) * nd])
        up = xp.ascontiguousarray(up)
        lift = (1,) * (3 - nd)
        dx = nn_ops.conv3d(backend, up.reshape(up.shape[:2] + _lift(up.shape[2:], nd)),
                      wt.reshape(wt.shape[:2] + _lift(kernel, nd)), (1, 1, 1), lift + tuple(dilation),
                      (0,) * (3 - nd) + tuple(lead), lift + tuple(in_spatial), group)
        return dx.reshape(dx.shape[:2] + tuple(in_spatial))




class Conv2DBackpropFilter(Primitive):
    r"""The gradient of Conv2D with respect to its filter, for a filter of `filter_size`.

    The arguments are those of the forward Conv2D ('same' pads split as Conv2D splits them).

    Args:
        out_channel (int): O, the channels of out_backprop.
        kernel_size (int | tuple[int]): (KH, KW).
        pad_mode (str): 'valid', 'same' or 'pad'. Default: 'valid'.
        pad (int | tuple[int]): with 'pad': an int or (top, bottom, left, right). Default: 0.
        pad_list (tuple[int]): accepted for MindSpore compatibility (the pads come from pad_mode and pad).
            Default: (0, 0, 0, 0).
        mode (int): must be 1. Default: 1.
        stride (int | tuple[int]): 2 ints, or 4 with the first two 1. Default: (1, 1).
        dilation (int | tuple[int]): 2 ints, or 4 with the first two 1. Default: (1, 1, 1, 1).
        group (int): channel groups. Default: 1.
        data_format (str): 'NCHW' or 'NHWC'. Default: 'NCHW'.

    Inputs:
        - **dout** (Tensor) - (N, O, H', W'), the gradient of the forward output.
        - **input_x** (Tensor) - (N, C, H, W), the forward input, the dtype of dout.
        - **filter_size** (tuple[int]) - (O, C/group, KH, KW).

    Outputs:
        Tensor of shape filter_size and the dtype of dout.

    Raises:
        TypeError: bad argument types, or inputs that are not float Tensors of one dtype.
        ValueError: bad argument values, or shapes that do not belong to one forward convolution.

    Examples:
        >>> dout = Tensor(np.ones([1, 2, 3, 3]), mstype.float32)
        >>> x = Tensor(np.ones([1, 1, 5, 5]), mstype.float32)
        >>> Conv2DBackpropFilter(2, 3)(dout, x, (2, 1, 3, 3)).shape
        (2, 1, 3, 3)
    """

    def __init__(self, out_channel, kernel_size, pad_mode="valid", pad=0, pad_list=(0, 0, 0, 0), mode=1,
                 stride=(1, 1), dilation=(1, 1, 1, 1), group=1, data_format="NCHW"):
        super().__init__()
        nn_ops.conv2d_grad_attributes(self, out_channel, kernel_size, pad_mode, pad, pad_list, mode, stride, dilation,
                                      group, data_format)

    def __call__(self, dout, input_x, filter_size):
        api = self.name
        backend = nn_ops.float_pair(self, 4, dout=dout, input_x=input_x)
        size = nn_ops.positive_ints(api, "filter_size", filter_size, 4)
        da, xa = dout._array(), input_x._array()
        xp = backend.xp
        if self.format == "NHWC":  # computed as NCHW; the transposes are copies
            da, xa = da.transpose(0, 3, 1, 2), xa.transpose(0, 3, 1, 2)
            size = (size[0], size[3], size[1], size[2])
        expected = (self.out_channel, xa.shape[1] // self.group) + self.kernel_size
        if xa.shape[1] % self.group or size != expected:
            _checks.fail(api, "filter_size", f"(out_channel, C / group, *kernel_size) = {expected} for 'input_x' "
                         f"of shape {input_x.shape} and group {self.group}", tuple(filter_size))
        out_spatial, before, _ = conv_output_shape(api, xa.shape[2:], self.kernel_size, self.stride, self.dilation,
                                                   self.pad_mode, self.pad)
        if tuple(da.shape) != (xa.shape[0], self.out_channel) + out_spatial:
            _checks.fail(api, "dout", f"of shape {(xa.shape[0], self.out_channel) + out_spatial} (the forward "
                         f"output for 'input_x' of shape {input_x.shape})", f"shape {dout.shape}")
        dw = conv_filter_grad(backend, xp.ascontiguousarray(xa), xp.ascontiguousarray(da), self.kernel_size,
                              self.stride, self.dilation, before, self.group)
        if self.format == "NHWC":
            dw = xp.ascontiguousarray(dw.transpose(0, 2, 3, 1))
        return Tensor._make(dw, backend, dout.dtype)





class _Conv3DGrad(Primitive):
    """The arguments of the forward Conv3D whose gradient Conv3DBackpropInput / Conv3DBackpropFilter compute."""

    def __init__(self, out_channel, kernel_size, mode=1, pad_mode="valid", pad=0, stride=1, dilation=1, group=1,
                 data_format="NCDHW"):
        super().__init__()
        api = self.name
        self.out_channel = _checks.check_positive_int(api, "out_channel", out_channel)
        self.kernel_size = _int_or_tuple(api, "kernel_size", kernel_size, 3)
        if _checks.check_int(api, "mode", mode) != 1:
            _checks.fail(api, "mode", "1", mode)
        self.pad_mode = _checks.check_choice(api, "pad_mode", pad_mode, PAD_MODES, case_sensitive=False)
        self.pad = _checks.check_int_tuple(api, "pad", pad, 6, minimum=0)
        if self.pad_mode != "pad" and any(self.pad):
            _checks.fail(api, "pad", f"0 when 'pad_mode' is '{self.pad_mode}'", pad)
        self.stride = _int_or_tuple(api, "stride", stride, 3)
        self.dilation = _int_or_tuple(api, "dilation", dilation, 3)
        self.group = _checks.check_positive_int(api, "group", group)
        if self.out_channel % self.group:
            _checks.fail(api, "out_channel", f"divisible by 'group' ({self.group})", out_channel)
        self.format = _checks.check_choice(api, "data_format", data_format, ("NCDHW",))
        for name in ("out_channel", "kernel_size", "pad_mode", "pad", "stride", "dilation", "group"):
            self.add_prim_attr(name, getattr(self, name))
        self.add_prim_attr("mode", 1)
        self.add_prim_attr("data_format", self.format)

    def _geometry(self, arg, size, dout, channels):
        """(pads before) of the forward convolution of an input of `size` (N, C, D, H, W); ValueError unless dout
        is that convolution's output."""
        api = self.name
        if not isinstance(size, (tuple, list)) or len(size) != 5 or not all(_checks.is_int(v) and v > 0
                                                                            for v in size):
            _checks.fail(api, arg, "a tuple of 5 positive ints", size,
                         TypeError if not isinstance(size, (tuple, list)) else ValueError)
        if channels % self.group:
            _checks.fail(api, arg, f"of channels divisible by 'group' ({self.group})", tuple(size))
        out_spatial, before, _ = conv_output_shape(api, tuple(size[2:]), self.kernel_size, self.stride,
                                                   self.dilation, self.pad_mode, self.pad)
        if tuple(dout.shape) != (size[0], self.out_channel) + out_spatial:
            _checks.fail(api, "dout", f"of shape {(size[0], self.out_channel) + out_spatial} (the forward output "
                         f"for an input of shape {tuple(size)})", f"shape {dout.shape}")
        return before


class Conv3DBackpropInput(_Conv3DGrad):
    r"""The gradient of Conv3D with respect to its input, for an input of `input_size`.

    Args:
        out_channel (int): O, the channels of dout.
        kernel_size (int | tuple[int]): (KD, KH, KW).
        mode (int): must be 1. Default: 1.
        pad_mode (str): 'valid', 'same' or 'pad'. Default: 'valid'.
        pad (int | tuple[int]): with 'pad': (front, back, top, bottom, left, right). Default: 0.
        stride (int | tuple[int]): 3 ints, or 5 with the first two 1. Default: 1.
        dilation (int | tuple[int]): 3 ints, or 5 with the first two 1. Default: 1.
        group (int): channel groups. Default: 1.
        data_format (str): 'NCDHW'. Default: 'NCDHW'.

    Inputs:
        - **weight** (Tensor) - (O, C/group, KD, KH, KW), float.
        - **dout** (Tensor) - (N, O, D', H', W'), the dtype of weight.
        - **input_size** (tuple[int]) - (N, C, D, H, W).

    Outputs:
        Tensor of shape input_size.

    Raises:
        TypeError: bad argument types, or inputs that are not float Tensors of one dtype.
        ValueError: shapes that do not belong to one forward convolution.

    Examples:
        >>> w = Tensor(np.ones([2, 1, 2, 2, 2]), mstype.float32)
        >>> dout = Tensor(np.ones([1, 2, 2, 2, 2]), mstype.float32)
        >>> Conv3DBackpropInput(2, 2)(w, dout, (1, 1, 3, 3, 3)).shape
        (1, 1, 3, 3, 3)
    """

    def __call__(self, weight, dout, input_size):
        backend = nn_ops.float_pair(self, 5, weight=weight, dout=dout)
        before = self._geometry("input_size", input_size, dout, input_size[1] if isinstance(input_size, (tuple, list))
                                and len(input_size) == 5 else 1)
        expected = (self.out_channel, input_size[1] // self.group) + self.kernel_size
        if tuple(weight.shape) != expected:
            _checks.fail(self.name, "weight", f"of shape {expected}", f"shape {weight.shape}")
        xp = backend.xp
        dx = conv_input_grad(backend, xp.ascontiguousarray(dout._array()), xp.ascontiguousarray(weight._array()),
                             tuple(input_size[2:]), self.stride, self.dilation, before, self.group)
        return Tensor._make(dx, backend, dout.dtype)


class Conv3DBackpropFilter(_Conv3DGrad):
    r"""The gradient of Conv3D with respect to its filter, for a filter of `w_size`; arguments as
    `Conv3DBackpropInput`.

    Inputs:
        - **x** (Tensor) - (N, C, D, H, W), the forward input, float.
        - **dout** (Tensor) - (N, O, D', H', W'), the dtype of x.
        - **w_size** (tuple[int]) - (O, C/group, KD, KH, KW).

    Outputs:
        Tensor of shape w_size.

    Raises:
        TypeError: bad argument types, or inputs that are not float Tensors of one dtype.
        ValueError: shapes that do not belong to one forward convolution.

    Examples:
        >>> x = Tensor(np.ones([1, 1, 3, 3, 3]), mstype.float32)
        >>> dout = Tensor(np.ones([1, 2, 2, 2, 2]), mstype.float32)
        >>> Conv3DBackpropFilter(2, 2)(x, dout, (2, 1, 2, 2, 2)).shape
        (2, 1, 2, 2, 2)
    """

    def __call__(self, x, dout, w_size):
        backend = nn_ops.float_pair(self, 5, x=x, dout=dout)
        before = self._geometry("x", x.shape, dout, x.shape[1])
        expected = (self.out_channel, x.shape[1] // self.group) + self.kernel_size
        if not isinstance(w_size, (tuple, list)) or tuple(w_size) != expected:
            _checks.fail(self.name, "w_size", f"{expected} (out_channel, C / group, *kernel_size)", w_size)
        xp = backend.xp
        dw = conv_filter_grad(backend, xp.ascontiguousarray(x._array()), xp.ascontiguousarray(dout._array()),
                              self.kernel_size, self.stride, self.dilation, before, self.group)
        return Tensor._make(dw, backend, dout.dtype)
