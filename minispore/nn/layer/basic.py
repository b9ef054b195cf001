"""Basic layers: Dense, Flatten, Dropout and Identity (MindSpore's ``nn.layer.basic``).

Dense takes MindSpore r1.3's initializer defaults (weight 'normal', bias 'zeros'), as Conv2d does here; passing
None for either gives MindSpore 2.10's (HeUniform(sqrt(5)) weights, Uniform(1 / sqrt(in_channels)) bias).
"""
import math
import numbers

from ... import _checks
from ... import dtype as mstype
from ...common.initializer import HeUniform, Uniform, initializer
from ...common.parameter import Parameter
from ...common.tensor import Tensor
from ...ops.operations.math_ops import MatMul
from ...ops.operations.nn_ops import BiasAdd
from ...ops.operations.nn_ops import Dropout as _DropoutOp
from ...ops.primitive import Primitive
from ..cell import Cell

__all__ = ["Dense", "Flatten", "Dropout", "Identity"]


def _check_input(api, x):
    return _checks.check_type(api, "x", x, Tensor, "a Tensor")


class Dense(Cell):
    r"""Fully connected layer: outputs = activation(x @ weight^T + bias), weight (out_channels, in_channels).

    Args:
        in_channels (int): the size of the last input axis.
        out_channels (int): the size of the last output axis.
        weight_init (Tensor | str | Initializer | numbers.Number | None): a Tensor must be (out_channels,
            in_channels). None means MindSpore 2.10's HeUniform(sqrt(5)). Default: 'normal' (MindSpore r1.3).
        bias_init (Tensor | str | Initializer | numbers.Number | None): a Tensor must be (out_channels,). None
            means MindSpore 2.10's Uniform(1 / sqrt(in_channels)). Default: 'zeros' (MindSpore r1.3).
        has_bias (bool): add a bias. Default: True.
        activation (str | Cell | Primitive | None): applied to the output; a str is looked up by
            ``nn.layer.activation.get_activation`` ('relu', ...), which this version lacks: pass a Cell.
            Default: None.
        dtype (minispore.dtype): of the parameters, unless given as Tensors. Default: mstype.float32.

    Inputs:
        - **x** (Tensor) - (*, in_channels).

    Outputs:
        Tensor (*, out_channels).

    Raises:
        TypeError: in_channels or out_channels not an int, has_bias not a bool, or a bad activation.
        ValueError: non-positive channels, or an initial Tensor of the wrong shape.

    Examples:
        >>> net = Dense(3, 4)
        >>> net(Tensor(np.array([[180, 234, 154], [244, 48, 247]]), mstype.float32)).shape
        (2, 4)
    """

    def __init__(self, in_channels, out_channels, weight_init="normal", bias_init="zeros", has_bias=True,
                 activation=None, dtype=mstype.float32):
        super().__init__()
        api = type(self).__name__
        self.in_channels = _checks.check_positive_int(api, "in_channels", in_channels)
        self.out_channels = _checks.check_positive_int(api, "out_channels", out_channels)
        self.has_bias = _checks.check_bool(api, "has_bias", has_bias)
        if isinstance(weight_init, Tensor) and weight_init.shape != (self.out_channels, self.in_channels):
            _checks.fail(api, "weight_init", f"of shape (out_channels, in_channels) = "
                         f"{(self.out_channels, self.in_channels)}", f"shape {weight_init.shape}")
        if weight_init is None:
            weight_init = HeUniform(math.sqrt(5))
        self.weight_init = weight_init
        self.weight = Parameter(initializer(weight_init, [self.out_channels, self.in_channels], dtype), name="weight")
        self.bias = None
        if self.has_bias:
            if isinstance(bias_init, Tensor) and bias_init.shape != (self.out_channels,):
                _checks.fail(api, "bias_init", f"of shape (out_channels,) = ({self.out_channels},)",
                             f"shape {bias_init.shape}")
            if bias_init is None:
                bias_init = Uniform(1 / math.sqrt(self.in_channels))
            self.bias = Parameter(initializer(bias_init, [self.out_channels], dtype), name="bias")
            self.bias_add = BiasAdd()
        self.bias_init = bias_init
        self.matmul = MatMul(transpose_b=True)
        if isinstance(activation, str):
            try:
                from . import activation as _activation  # the activation layers' module, imported on first use
            except ImportError:  # not in this version: say so rather than fail inside the import machinery
                _checks.fail(api, "activation", "a Cell, Primitive or None (activation names such as 'relu' need "
                             "the activation layers, not in this version)", activation)
            activation = _activation.get_activation(activation)
        if activation is not None and not isinstance(activation, (Cell, Primitive)):
            _checks.fail(api, "activation", "a str, Cell, Primitive or None", activation, TypeError)
        self.activation = activation
        self.activation_flag = activation is not None

    def construct(self, x):
        api = type(self).__name__
        _check_input(api, x)
        if x.ndim == 0 or x.shape[-1] != self.in_channels:
            _checks.fail(api, "x", f"a Tensor whose last axis is in_channels ({self.in_channels})",
                         f"shape {x.shape}")
        shape = x.shape
        if len(shape) != 2:
            x = x.reshape(-1, shape[-1])
        x = self.matmul(x, self.weight)
        if self.has_bias:
            x = self.bias_add(x, self.bias)
        if self.activation_flag:
            x = self.activation(x)
        if len(shape) != 2:
            x = x.reshape(shape[:-1] + (self.out_channels,))
        return x

    def extend_repr(self):
        text = f"input_channels={self.in_channels}, output_channels={self.out_channels}"
        if self.has_bias:
            text += f", has_bias={self.has_bias}"
        if self.activation_flag:
            text += f", activation={self.activation}"
        return text


class Flatten(Cell):
    r"""Flatten the axes start_dim .. end_dim of the input into one.

    Args:
        start_dim (int): the first axis to flatten. Default: 1.
        end_dim (int): the last axis to flatten. Default: -1.

    Inputs:
        - **x** (Tensor) - any shape; a 0-d Tensor is taken as 1-d.

    Outputs:
        Tensor with the axes start_dim .. end_dim merged (for (N, ...) with the defaults: (N, prod(...))).

    Raises:
        TypeError: start_dim or end_dim not an int, or x not a Tensor.
        ValueError: an axis outside [-ndim, ndim), or start_dim after end_dim.

    Examples:
        >>> Flatten()(Tensor(np.ones([2, 2, 2]), mstype.float32)).shape
        (2, 4)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        api = type(self).__name__
        self.start_dim = _checks.check_int(api, "start_dim", start_dim)
        self.end_dim = _checks.check_int(api, "end_dim", end_dim)

    def construct(self, x):
        api = type(self).__name__
        _check_input(api, x)
        ndim = max(x.ndim, 1)
        axes = []
        for arg, axis in (("start_dim", self.start_dim), ("end_dim", self.end_dim)):
            if not -ndim <= axis < ndim:
                _checks.fail(api, arg, f"in [{-ndim}, {ndim}) for an input of shape {x.shape}", axis)
            axes.append(axis % ndim)
        start, end = axes
        if start > end:
            _checks.fail(api, "start_dim", f"at most 'end_dim' ({self.end_dim}, axis {end})", self.start_dim)
        shape = x.shape or (1,)
        merged = 1
        for size in shape[start:end + 1]:
            merged *= size
        return x.reshape(shape[:start] + (merged,) + shape[end + 1:])


class Dropout(Cell):
    r"""Dropout in training: each element is zeroed with probability p and the others scaled by 1 / (1 - p);
    the identity in evaluation (every Cell starts in evaluation mode; ``set_train()`` enables it).

    The draws come from the portable generator (see ``ops.Dropout``): the same masks on every device and thread
    count, repeatable after ``set_seed``.

    Args:
        keep_prob (float): MindSpore r1.3's argument, the keep probability in (0, 1]; used when p is None.
            Default: 0.5.
        p (float | int | None): the drop probability in [0, 1). Default: None.
        dtype (minispore.dtype): accepted for MindSpore compatibility. Default: mstype.float32.

    Inputs:
        - **x** (Tensor) - float16/32/64.

    Outputs:
        Tensor of the shape and dtype of x.

    Raises:
        TypeError: keep_prob not a float, or p not a float or int.
        ValueError: keep_prob outside (0, 1], or p outside [0, 1).

    Examples:
        >>> net = Dropout(p=0.2)
        >>> net.set_train()
        >>> net(Tensor(np.ones([2, 2, 3]), mstype.float32)).shape
        (2, 2, 3)
    """

    def __init__(self, keep_prob=0.5, p=None, dtype=mstype.float32):
        super().__init__()
        api = type(self).__name__
        if p is None:
            if not isinstance(keep_prob, float):
                _checks.fail(api, "keep_prob", "a float", keep_prob, TypeError)
            if not 0 < keep_prob <= 1:
                _checks.fail(api, "keep_prob", "a number in range (0, 1]", keep_prob)
            self.keep_prob = keep_prob
        else:
            if isinstance(p, bool) or not isinstance(p, numbers.Real):
                _checks.fail(api, "p", "a float or an int", p, TypeError)
            if not 0 <= p < 1:
                _checks.fail(api, "p", "a number in range [0, 1)", p)
            self.keep_prob = 1.0 - p
        self.p = p
        self.dropout = _DropoutOp(self.keep_prob)

    def construct(self, x):
        if not self.training or self.keep_prob == 1:
            return x
        return self.dropout(x)[0]

    def extend_repr(self):
        return f"keep_prob={self.keep_prob}" if self.p is None else f"p={self.p}"


class Identity(Cell):
    r"""Returns its input unchanged (a placeholder).

    Args:
        args, kwargs: accepted and ignored.

    Inputs:
        - **input** (Any) - anything.

    Outputs:
        The input itself.
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def construct(self, input):  # noqa: A002 (MindSpore's input name)
        return input
