"""``minispore.ops.operations``: the primitive classes (MindSpore's ``mindspore.ops.operations``)."""
from . import math_ops, nn_ops
from .math_ops import Add, Mul, Sub
from .nn_ops import BiasAdd, Conv2D, Conv3D

__all__ = ["Add", "Sub", "Mul", "Conv2D", "Conv3D", "BiasAdd", "math_ops", "nn_ops"]
