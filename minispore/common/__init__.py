"""minispore.common: Tensor, Parameter, initializers and the global seed."""
from . import dtype, initializer
from .parameter import Parameter, ParameterTuple
from .seed import get_seed, set_seed
from .tensor import Tensor

__all__ = ["Tensor", "Parameter", "ParameterTuple", "set_seed", "get_seed", "dtype", "initializer"]
