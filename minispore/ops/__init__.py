"""``minispore.ops``: primitives (``ops.Add()``, ``ops.Conv2D(...)``) and ``ops.operations``."""
from . import operations
from .operations import Add, BiasAdd, Conv2D, Conv3D, Mul, Sub
from .primitive import Primitive, PrimitiveWithInfer, prim_attr_register

__all__ = ["operations", "Primitive", "PrimitiveWithInfer", "prim_attr_register", "Add", "Sub", "Mul", "Conv2D",
           "Conv3D", "BiasAdd"]
