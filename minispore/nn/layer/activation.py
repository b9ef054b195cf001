"""Activation layers (MindSpore 2.10's ``nn.ReLU``, ...): each wraps one primitive of ``ops``, and
`get_activation` builds one from MindSpore's string names ('relu', 'gelu', ...). Every Cell starts in eval mode;
these have no parameters and behave the same in training."""
from ... import _checks
from ...ops.operations import nn_ops
from ..cell import Cell

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "ELU", "Softmax", "LogSoftmax",
           "get_activation"]


class _Activation(Cell):
    """A Cell that applies the primitive `self.op` to its input.

    Inputs:
        - **x** (Tensor) - any shape (a float dtype, except for ReLU which also takes integers).

    Outputs:
        Tensor of the shape and dtype of x.

    Raises:
        TypeError: x is not a Tensor, or of a dtype the activation does not take.
    """

    _primitive = None

    def __init__(self):
        super().__init__()
        self.op = self._primitive()

    def construct(self, x):
        return self.op(x)


class ReLU(_Activation):
    """max(x, 0) element-wise.

    Examples:
        >>> ReLU()(Tensor(np.array([-1.0, 2.0]), mstype.float32))
        Tensor(shape=[2], dtype=Float32, value= [0. 2.])
    """

    _primitive = nn_ops.ReLU


class ReLU6(_Activation):
    """min(max(x, 0), 6) element-wise."""

    _primitive = nn_ops.ReLU6


class Sigmoid(_Activation):
    """1 / (1 + e ** -x) element-wise."""

    _primitive = nn_ops.Sigmoid


class Tanh(_Activation):
    """tanh(x) element-wise."""

    _primitive = nn_ops.Tanh


class SiLU(_Activation):
    """x * sigmoid(x) element-wise."""

    _primitive = nn_ops.SiLU


class GELU(Cell):
    """GELU element-wise: with `approximate` (the default, as MindSpore) 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715
    x^3))), else x Phi(x) with the normal CDF Phi.

    Args:
        approximate (bool): use the tanh approximation. Default: True.

    Inputs:
        - **x** (Tensor) - float16, float32 or float64.

    Raises:
        TypeError: approximate not a bool, or x not a float Tensor.
    """

    def __init__(self, approximate=True):
        super().__init__()
        self.approximate = _checks.check_bool(type(self).__name__, "approximate", approximate)
        self.op = nn_ops.GeLU() if self.approximate else nn_ops._GeLUErf()

    def construct(self, x):
        return self.op(x)

    def extend_repr(self):
        return f"approximate={self.approximate}"


class LeakyReLU(Cell):
    """x for x >= 0, alpha * x otherwise.

    Args:
        alpha (float): the slope for x < 0. Default: 0.2.

    Inputs:
        - **x** (Tensor) - float16, float32 or float64.

    Raises:
        TypeError: alpha not a number, or x not a float Tensor.
        ValueError: alpha not finite.
    """

    def __init__(self, alpha=0.2):
        super().__init__()
        self.alpha = _checks.check_number(type(self).__name__, "alpha", alpha)
        self.op = nn_ops.LeakyReLU(self.alpha)

    def construct(self, x):
        return self.op(x)

    def extend_repr(self):
        return f"alpha={self.alpha}"


class ELU(Cell):
    """x for x > 0, alpha * (e ** x - 1) otherwise.

    Args:
        alpha (float): the scale of the negative part. Default: 1.0 (MindSpore 2.10's CPU takes only 1.0; any
            finite alpha works here).

    Inputs:
        - **x** (Tensor) - float16, float32 or float64.

    Raises:
        TypeError: alpha not a number, or x not a float Tensor.
        ValueError: alpha not finite.
    """

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = _checks.check_number(type(self).__name__, "alpha", alpha)
        self.op = nn_ops.Elu(self.alpha)

    def construct(self, x):
        return self.op(x)

    def extend_repr(self):
        return f"alpha={self.alpha}"


class Softmax(Cell):
    """exp(x) / sum(exp(x)) along `axis`, numerically stable.

    Args:
        axis (int | tuple[int]): the axis (a tuple of one int, as MindSpore accepts). Default: -1.

    Inputs:
        - **x** (Tensor) - float16, float32 or float64.

    Raises:
        TypeError: axis not an int or a tuple of one int, or x not a float Tensor.
        ValueError: axis out of range for x.
    """

    _primitive = nn_ops.Softmax

    def __init__(self, axis=-1):
        super().__init__()
        self.axis = nn_ops.softmax_axis(type(self).__name__, axis)
        self.op = self._primitive(self.axis)

    def construct(self, x):
        return self.op(x)

    def extend_repr(self):
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along `axis`, numerically stable ((x - max) - log(sum(exp(x - max)))); see `Softmax`."""

    _primitive = nn_ops.LogSoftmax


# MindSpore's names for `get_activation`; the ones it knows that are not built here raise KeyError saying so
_ACTIVATIONS = {"softmax": Softmax, "logsoftmax": LogSoftmax, "relu": ReLU, "relu6": ReLU6, "silu": SiLU,
                "tanh": Tanh, "gelu": GELU, "elu": ELU, "sigmoid": Sigmoid, "leakyrelu": LeakyReLU}
_NOT_BUILT = ("softmin", "softmax2d", "logsoftmaxExt", "rrelu", "tanhshrink", "hardtanh", "fast_gelu", "softsign",
              "prelu", "preluExt", "hswish", "hsigmoid", "logsigmoid", "softshrink", "hshrink", "threshold", "mish")


class _UnknownActivation(KeyError, ValueError):
    """An unknown activation name: MindSpore raises KeyError; the project's template says ValueError."""

    def __str__(self):
        return self.args[0]


def get_activation(name, prim_name=None):
    """A new activation Cell from its MindSpore name ('relu', 'relu6', 'leakyrelu', 'sigmoid', 'tanh', 'gelu',
    'silu', 'elu', 'softmax', 'logsoftmax'), with default arguments; None gives None.

    Args:
        name (str | None): the activation's name.
        prim_name (str): accepted for MindSpore compatibility (unused).

    Raises:
        TypeError: name not a str or None.
        KeyError: an unknown name (also a ValueError).
    """
    if name is None:
        return None
    if not isinstance(name, str):
        _checks.fail("get_activation", "name", "a str or None", name, TypeError)
    cls = _ACTIVATIONS.get(name)
    if cls is None:
        built = ", ".join(repr(n) for n in _ACTIVATIONS)
        why = " (MindSpore has it; minispore does not build it yet)" if name in _NOT_BUILT else ""
        raise _UnknownActivation(f"For 'get_activation', the 'name' must be one of [{built}], but got "
                                 f"{name!r}{why}.")
    return cls()
