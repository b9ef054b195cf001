"""Parameter: a named Tensor that a Cell owns, and ParameterTuple (MindSpore's ``Parameter``, ``ParameterTuple``)."""
import itertools
import re

import numpy as np

from .. import _checks
from .. import dtype as mstype
from .tensor import Tensor

__all__ = ["Parameter", "ParameterTuple"]

# An unnamed parameter is called 'Parameter#<n>' (MindSpore 2.x; r1.3 called them all 'Parameter'), so unnamed
# parameters never collide in a ParameterTuple; a Cell renames it to its attribute name when it is assigned.
PARAMETER_NAME_DEFAULT = "Parameter"
_GENERATED_PREFIX = PARAMETER_NAME_DEFAULT + "#"
_NAME_MAX_LEN = 1024  # MindSpore's PARAMETER_NAME_PREFIX_MAX_LEN
_generated_ids = itertools.count(1)
# MindSpore's two name checks: check_str_and_none_by_regular (a prefix, may be empty) and check_str_by_regular
_PREFIX_PATTERN = re.compile(r"^\w*[0-9a-zA-Z_.\-]*$", re.ASCII)
_NAME_PATTERN = re.compile(r"^\w+[0-9a-zA-Z_.]*$", re.ASCII)


def _generated_name():
    return _GENERATED_PREFIX + str(next(_generated_ids))


def is_generated_name(name):
    """True for the name an unnamed parameter gets ('Parameter#3'; r1.3's plain 'Parameter' too)."""
    return isinstance(name, str) and (name.startswith(_GENERATED_PREFIX) or name == PARAMETER_NAME_DEFAULT)


def check_name_prefix(api, prefix, arg="prefix", empty=True):
    """`prefix` as MindSpore accepts a name prefix: ASCII letters, digits, '_', '.' and (when it may be `empty`)
    '-'; when it may not be empty, it starts with a letter, digit or '_'."""
    _checks.check_type(api, arg, prefix, str, "a str")
    if empty and not _PREFIX_PATTERN.match(prefix):
        _checks.fail(api, arg, "made of ASCII letters, digits, '_', '.' and '-'", prefix)
    if not empty and not _NAME_PATTERN.match(prefix):
        _checks.fail(api, arg, "ASCII letters, digits, '_' and '.', starting with a letter, digit or '_'", prefix)
    return prefix


def _source_tensor(default_input):
    """The Tensor a Parameter copies its data from, with MindSpore 2.10's dtypes for Python numbers."""
    if isinstance(default_input, bool):
        _checks.fail("Parameter", "default_input", "a Tensor, int, float, numpy.ndarray or list (not a bool)",
                     default_input)
    if isinstance(default_input, Tensor):
        return default_input
    if isinstance(default_input, int):
        _checks.check_representable("Parameter", "default_input", default_input, np.int32)
        return Tensor(default_input, mstype.int32)
    if isinstance(default_input, float):
        return Tensor(default_input, mstype.float32)
    if isinstance(default_input, (np.ndarray, list)):
        return Tensor(default_input)
    return _checks.fail("Parameter", "default_input", "a Tensor, int, float, numpy.ndarray or list", default_input,
                        TypeError)


class Parameter(Tensor):
    """A Tensor with a name, owned by a Cell; a lazily initialised `default_input` is generated here.

    Args:
        default_input (Tensor | int | float | numpy.ndarray | list): the initial value, copied (as MindSpore does).
            A Python int gives an int32 scalar, a float a float32 one.
        name (str): the name; None or '' gives a unique 'Parameter#<n>', which a Cell replaces with the attribute
            name. A Cell prefixes names with the attribute path ('conv.weight'). Default: None.
        requires_grad (bool): whether it is trained. Default: True.
        layerwise_parallel (bool): accepted for MindSpore compatibility. Default: False.
        parallel_optimizer (bool): accepted for MindSpore compatibility. Default: True.

    Raises:
        TypeError: `default_input` of another type, or a flag that is not a bool.
        ValueError: `default_input` is a bool, or `name` is not a str or None (MindSpore raises ValueError), or
            longer than 1024 characters.

    Examples:
        >>> w = Parameter(Tensor(np.ones([2, 2]), mstype.float32), name="w")
        >>> w
        Parameter (name=w, shape=(2, 2), dtype=Float32, requires_grad=True)
    """

    def __init__(self, default_input, name=None, requires_grad=True, layerwise_parallel=False,
                 parallel_optimizer=True):
        source = _source_tensor(default_input)
        self.name = name
        self.requires_grad = requires_grad
        self.layerwise_parallel = layerwise_parallel
        self.parallel_optimizer = parallel_optimizer
        self._backend = source._backend
        self._lazy = None
        # a Tensor argument is copied, as in MindSpore, unless it was lazy: then the data generated now are ours
        # (MindSpore shares those too); data just converted from a number, list or array are ours anyway
        copy = source is default_input and not source.has_init
        array = source._array()
        self._set_data(array.copy() if copy else array)

    @property
    def name(self):
        """The parameter's name."""
        return self._name

    @name.setter
    def name(self, value):
        if value is None:
            value = _generated_name()
        elif isinstance(value, str):
            value = value.strip() or _generated_name()
            if len(value) > _NAME_MAX_LEN:
                _checks.fail("Parameter", "name", f"at most {_NAME_MAX_LEN} characters long",
                             f"{len(value)} characters")
        else:
            _checks.fail("Parameter", "name", "a str or None", value)  # a ValueError, as in MindSpore
        self._name = value

    @property
    def requires_grad(self):
        """Whether the parameter is trained."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self._requires_grad = _checks.check_bool("Parameter", "requires_grad", value)

    @property
    def layerwise_parallel(self):
        """Accepted for MindSpore compatibility (minispore runs on one device)."""
        return self._layerwise_parallel

    @layerwise_parallel.setter
    def layerwise_parallel(self, value):
        self._layerwise_parallel = _checks.check_bool("Parameter", "layerwise_parallel", value)

    @property
    def parallel_optimizer(self):
        """Accepted for MindSpore compatibility (minispore runs on one device)."""
        return self._parallel_optimizer

    @parallel_optimizer.setter
    def parallel_optimizer(self, value):
        self._parallel_optimizer = _checks.check_bool("Parameter", "parallel_optimizer", value)

    @property
    def data(self):
        """The parameter itself (MindSpore's ``Parameter.data``)."""
        return self

    def set_data(self, data, slice_shape=False):
        """Replace the value with `data`, converted to the parameter's dtype; returns the parameter.

        As MindSpore 2.10: a Tensor of any dtype is cast to the parameter's dtype, a Python number becomes a tensor
        of that dtype, and a float is refused for an integer parameter. As MindSpore documents (and r1.3 did), the
        shape must stay the same unless `slice_shape` is True.

        Args:
            data (Tensor | int | float): the new value.
            slice_shape (bool): allow a new shape. Default: False.

        Raises:
            TypeError: `data` of another type, or a float for an integer parameter.
            ValueError: a Tensor of another shape while `slice_shape` is False, or a number the dtype cannot hold.
        """
        _checks.check_bool("Parameter.set_data", "slice_shape", slice_shape)
        if not isinstance(data, (Tensor, int, float)):
            _checks.fail("Parameter.set_data", "data", "a Tensor, int or float", data, TypeError)
        if isinstance(data, Tensor):
            if data.shape != self.shape and not slice_shape:
                _checks.fail("Parameter.set_data", "data", f"a Tensor of shape {self.shape} (the parameter's; "
                             f"slice_shape=True allows another)", f"shape {data.shape}")
            array = data._array()
            if data._backend is not self._backend:
                array = self._backend.from_host(data.asnumpy())  # synchronize! a copy across devices
            array = array.astype(self.dtype.np_type, copy=False)  # shares data of the same dtype, as MindSpore
        else:
            if self.dtype.np_type.kind in "iu" and isinstance(data, float):
                _checks.fail("Parameter.set_data", "data", f"an int for a parameter of dtype {self.dtype}", data,
                             TypeError)
            _checks.check_representable("Parameter.set_data", "data", data, self.dtype.np_type)
            array = self._backend.full(self.shape, data, self.dtype.np_type)
        self._set_data(array)
        self._lazy = None
        return self

    def clone(self, init="same"):
        """A new parameter with the same name, shape, dtype and flags.

        Args:
            init (str | Initializer | Tensor | number): 'same' copies the data; anything else initialises the clone
                as ``initializer(init, shape, dtype)`` does. Default: 'same'.
        """
        from .initializer import initializer
        if isinstance(init, str) and init == "same":
            source = Tensor._wrap(self._array().copy(), self._backend)
        else:
            source = initializer(init, self.shape, self.dtype)
            if source.dtype != self.dtype:  # an init Tensor of another dtype: cast, as MindSpore's set_data does
                source = source.astype(self.dtype)
        return Parameter(source, self.name, self.requires_grad, self.layerwise_parallel, self.parallel_optimizer)

    def copy(self):
        """A new parameter with the same name, flags and a copy of the data (``clone(init='same')``)."""
        return self.clone(init="same")

    def __repr__(self):
        return (f"Parameter (name={self.name}, shape={self.shape}, dtype={self.dtype}, "
                f"requires_grad={self.requires_grad})")

    __str__ = __repr__


class ParameterTuple(tuple):
    """A tuple of Parameters whose names are unique (MindSpore's ``ParameterTuple``).

    Args:
        iterable (iterable[Parameter]): the parameters; the same parameter may appear more than once.

    Raises:
        TypeError: an element that is not a Parameter, or `iterable` not iterable.
        ValueError: two different parameters with the same name.
    """

    def __new__(cls, iterable):
        try:
            items = tuple(iterable)
        except TypeError:
            _checks.fail("ParameterTuple", "iterable", "an iterable of Parameters", iterable, TypeError)
        seen, names = set(), set()
        for item in items:
            if not isinstance(item, Parameter):
                _checks.fail("ParameterTuple", "iterable", "a collection of Parameters only", item, TypeError)
            if id(item) in seen:
                continue
            if item.name in names:
                _checks.fail("ParameterTuple", "iterable", "Parameters of unique names",
                             f"two named '{item.name}'")
            seen.add(id(item))
            names.add(item.name)
        return tuple.__new__(cls, items)

    def clone(self, prefix, init="same"):
        """A ParameterTuple of clones named '<prefix>.<name>'.

        Args:
            prefix (str): the name prefix (letters, digits, '_', '.' and '-').
            init (str | Initializer | Tensor | number): as for ``Parameter.clone``. Default: 'same'.
        """
        check_name_prefix("ParameterTuple.clone", prefix, empty=False)
        clones = []
        for param in self:
            clone = param.clone(init)
            clone.name = f"{prefix}.{clone.name}"
            clones.append(clone)
        return ParameterTuple(clones)
