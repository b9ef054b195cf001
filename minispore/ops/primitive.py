"""Primitive: the base of operators (MindSpore's ``Primitive``), and the input checks they share."""
import numbers

from .. import _checks
from ..common import _tape
from ..common.tensor import Tensor

__all__ = ["Primitive", "PrimitiveWithInfer", "prim_attr_register"]


def prim_attr_register(fn):
    """Accepted for MindSpore compatibility: primitives here record their attributes themselves."""
    return fn


class Primitive:
    """An operator: validated attributes at construction, validated inputs at each call."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        call = cls.__dict__.get("__call__")
        if call is not None and not getattr(call, "_recorded", False):  # recorded while a grad transform runs
            cls.__call__ = _tape.recorded_call(call)

    def __init__(self, name=None):
        self.name = name or type(self).__name__
        self.attrs = {}

    def add_prim_attr(self, name, value):
        """Record an attribute (shown in the repr); returns self."""
        self.attrs[name] = value
        return self

    def __repr__(self):
        attrs = ", ".join(f"{k}={v}" for k, v in self.attrs.items())
        return f"Prim[{self.name}]" + (f"<{attrs}>" if attrs else "")

    def check_tensor(self, arg, value, allow_number=False):
        """TypeError unless value is a Tensor (or, when allowed, a Python/NumPy number or bool)."""
        if isinstance(value, Tensor) or (allow_number and isinstance(value, numbers.Real)):
            return value
        expected = "a Tensor or a number" if allow_number else "a Tensor"
        return _checks.fail(self.name, arg, expected, value, TypeError)

    def common_backend(self, **tensors):
        """The device all Tensor inputs live on ("compute follows data"); TypeError naming both if mixed."""
        found = None
        for arg, value in tensors.items():
            if not isinstance(value, Tensor):
                continue
            if found is None:
                found = (arg, value._backend)
            elif value._backend is not found[1]:
                raise TypeError(f"For '{self.name}', the inputs must be on one device, but got '{found[0]}' on "
                                f"{found[1]} and '{arg}' on {value._backend}.")
        return found[1]


PrimitiveWithInfer = Primitive
