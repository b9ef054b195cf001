"""Parameter: a named Tensor that a Cell owns (MindSpore's ``Parameter``)."""
import numbers

import numpy as np

from .. import _checks
from .tensor import Tensor

__all__ = ["Parameter"]

PARAMETER_NAME_DEFAULT = "Parameter"


class Parameter(Tensor):
    """A Tensor with a name, owned by a Cell; a lazily initialised `default_input` is generated here.

    Args:
        default_input (Tensor | numpy.ndarray | int | float | bool): the initial value. Its data are shared,
            not copied.
        name (str): the name; a Cell renames a default-named parameter to its attribute path. Default: None.
        requires_grad (bool): whether it is trained. Default: True.
        layerwise_parallel (bool): accepted for MindSpore compatibility. Default: False.
        parallel_optimizer (bool): accepted for MindSpore compatibility. Default: True.

    Examples:
        >>> w = Parameter(Tensor(np.ones([2, 2]), mstype.float32), name="w")
        >>> w
        Parameter (name=w, shape=(2, 2), dtype=Float32, requires_grad=True)
    """

    def __init__(self, default_input, name=None, requires_grad=True, layerwise_parallel=False,
                 parallel_optimizer=True):
        if not isinstance(default_input, (Tensor, np.ndarray, numbers.Number)) or isinstance(default_input, complex):
            _checks.fail("Parameter", "default_input", "a Tensor, numpy.ndarray, int, float or bool", default_input,
                         TypeError)
        source = default_input if isinstance(default_input, Tensor) else Tensor(default_input)
        self._backend = source._backend
        self._lazy = source._lazy
        self._set_data(source._array())
        self.name = name
        self.requires_grad = requires_grad
        self.layerwise_parallel = _checks.check_bool("Parameter", "layerwise_parallel", layerwise_parallel)
        self.parallel_optimizer = _checks.check_bool("Parameter", "parallel_optimizer", parallel_optimizer)

    @property
    def name(self):
        """The parameter's name."""
        return self._name

    @name.setter
    def name(self, value):
        if value is None:
            value = PARAMETER_NAME_DEFAULT
        self._name = _checks.check_type("Parameter", "name", value, str, "a str")

    @property
    def requires_grad(self):
        """Whether the parameter is trained."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self._requires_grad = _checks.check_bool("Parameter", "requires_grad", value)

    @property
    def data(self):
        """The parameter itself (MindSpore's ``Parameter.data``)."""
        return self

    def set_data(self, data):
        """Replace the value with `data` (a Tensor or number) of the same shape; returns the parameter."""
        if not isinstance(data, (Tensor, numbers.Number)) or isinstance(data, complex):
            _checks.fail("Parameter.set_data", "data", "a Tensor or number", data, TypeError)
        if isinstance(data, Tensor):
            if data.shape != self.shape:
                _checks.fail("Parameter.set_data", "data", f"a Tensor of shape {self.shape}",
                             f"shape {data.shape}")
            array = data._array()
            if data._backend is not self._backend:
                array = self._backend.from_host(data.asnumpy())
        else:
            array = self._backend.full(self.shape, data, self.dtype.np_type)
        self._set_data(array.astype(self.dtype.np_type, copy=False))
        self._lazy = None
        return self

    def clone(self, init="same"):
        """A copy with the same name prefix and flags; `init` 'same' copies the data, else re-initialises."""
        from .initializer import initializer
        if isinstance(init, str) and init == "same":
            source = Tensor._wrap(self._array().copy(), self._backend)
        else:
            source = initializer(init, self.shape, self.dtype)
        return Parameter(source, self.name, self.requires_grad, self.layerwise_parallel, self.parallel_optimizer)

    def __repr__(self):
        return (f"Parameter (name={self.name}, shape={self.shape}, dtype={self.dtype}, "
                f"requires_grad={self.requires_grad})")

    __str__ = __repr__

