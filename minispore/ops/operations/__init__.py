"""``minispore.ops.operations``: the primitive classes (MindSpore's ``mindspore.ops.operations``)."""
from . import array_ops, math_ops, nn_ops
from .array_ops import Cast, Concat, ExpandDims, OnesLike, Reshape, Squeeze, Stack, Transpose, ZerosLike
from .math_ops import (Abs, Add, Argmax, Argmin, Div, Equal, Exp, FloorDiv, FloorMod, Greater, GreaterEqual, Less,
                       LessEqual, Log, Maximum, Minimum, Mod, Mul, Neg, NotEqual, Pow, RealDiv, ReduceMax, ReduceMean,
                       ReduceMin, ReduceSum, Sqrt, Sub)
from .nn_ops import (GELU, BiasAdd, Conv2D, Conv3D, Elu, GeLU, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid, SiLU,
                     Softmax, Tanh)

__all__ = ["Add", "Sub", "Mul", "Conv2D", "Conv3D", "BiasAdd", "math_ops", "nn_ops"]
__all__ += ["array_ops", "Div", "RealDiv", "FloorDiv", "Mod", "FloorMod", "Pow", "Neg", "Abs", "Exp", "Log", "Sqrt",
            "Maximum", "Minimum", "Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "ReduceSum",
            "ReduceMean", "ReduceMax", "ReduceMin", "Argmax", "Argmin", "Reshape", "Transpose", "Squeeze",
            "ExpandDims", "Concat", "Stack", "Cast", "OnesLike", "ZerosLike", "ReLU", "ReLU6", "Sigmoid", "Tanh",
            "GeLU", "GELU", "SiLU", "Elu", "LeakyReLU", "Softmax", "LogSoftmax"]
