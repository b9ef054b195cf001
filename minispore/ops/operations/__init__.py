"""``minispore.ops.operations``: the primitive classes (MindSpore's ``mindspore.ops.operations``)."""
from . import array_ops, math_ops, nn_ops
from .array_ops import Cast, Concat, ExpandDims, OnesLike, Reshape, Squeeze, Stack, Transpose, ZerosLike
from .math_ops import Add, BatchMatMul, MatMul, Mul, Sub
from .math_ops import (Abs, Argmax, Argmin, Div, Equal, Exp, FloorDiv, FloorMod, Greater, GreaterEqual, Less, LessEqual,
                       Log, Maximum, Minimum, Mod, Neg, NotEqual, Pow, RealDiv, ReduceMax, ReduceMean, ReduceMin,
                       ReduceSum, Sqrt)
from .nn_ops import (AdaptiveAvgPool2D, AvgPool, AvgPool3D, BatchNorm, BiasAdd, Conv2D, Conv2DBackpropInput,
                     Conv2DTranspose, Conv3D, Dropout, LayerNorm, MaxPool, MaxPool3D, MaxPool3DWithArgmax)
from .nn_ops import GELU, Elu, GeLU, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh

__all__ = ["Add", "Sub", "Mul", "Conv2D", "Conv3D", "BiasAdd", "math_ops", "nn_ops", "MatMul", "BatchMatMul",
           "MaxPool", "AvgPool", "MaxPool3D", "MaxPool3DWithArgmax", "AvgPool3D", "AdaptiveAvgPool2D", "BatchNorm",
           "LayerNorm", "Dropout", "Conv2DBackpropInput", "Conv2DTranspose"]
__all__ += ["array_ops", "Div", "RealDiv", "FloorDiv", "Mod", "FloorMod", "Pow", "Neg", "Abs", "Exp", "Log", "Sqrt",
            "Maximum", "Minimum", "Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "ReduceSum",
            "ReduceMean", "ReduceMax", "ReduceMin", "Argmax", "Argmin", "Reshape", "Transpose", "Squeeze",
            "ExpandDims", "Concat", "Stack", "Cast", "OnesLike", "ZerosLike", "ReLU", "ReLU6", "Sigmoid", "Tanh",
            "GeLU", "GELU", "SiLU", "Elu", "LeakyReLU", "Softmax", "LogSoftmax"]
