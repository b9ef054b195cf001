"""``minispore.ops``: primitives (``ops.Add()``, ``ops.Conv2D(...)``), their functional forms (``ops.relu``) and
``ops.operations``."""
from . import _grad  # noqa: F401 (registers the bprops)
from . import composite, functional, operations
from .composite import GradOperation, grad, value_and_grad
from .functional import *  # noqa: F401,F403 (the functional forms, listed in functional.__all__)
from .operations import Add, BiasAdd, Conv2D, Conv3D, Mul, Sub
from .operations._grad_ops import Conv2DBackpropFilter, Conv3DBackpropFilter, Conv3DBackpropInput
from .operations import (AdaptiveAvgPool2D, AvgPool, AvgPool3D, BatchMatMul, BatchNorm, Conv2DBackpropInput,
                         Conv2DTranspose, Dropout, LayerNorm, MatMul, MaxPool, MaxPool3D, MaxPool3DWithArgmax)
from .operations import (GELU, Abs, Argmax, Argmin, Cast, Concat, Div, Elu, Equal, Exp, ExpandDims, FloorDiv,
                         FloorMod, GeLU, Greater, GreaterEqual, LeakyReLU, Less, LessEqual, Log, LogSoftmax, Maximum,
                         Minimum, Mod, Neg, NotEqual, OnesLike, Pow, RealDiv, ReduceMax, ReduceMean, ReduceMin,
                         ReduceSum, ReLU, ReLU6, Reshape, Sigmoid, SiLU, Softmax, Sqrt, Squeeze, Stack, Tanh,
                         Transpose, ZerosLike)
from .operations.math_ops import bmm, matmul, mm
from .operations.nn_ops import (adaptive_avg_pool2d, avg_pool2d, avg_pool3d, batch_norm, conv_transpose2d, dropout,
                                layer_norm, max_pool2d, max_pool3d)
from .primitive import Primitive, PrimitiveWithInfer, prim_attr_register

__all__ = ["operations", "Primitive", "PrimitiveWithInfer", "prim_attr_register", "Add", "Sub", "Mul", "Conv2D",
           "Conv3D", "BiasAdd"]
__all__ += ["MatMul", "BatchMatMul", "MaxPool", "AvgPool", "MaxPool3D", "MaxPool3DWithArgmax", "AvgPool3D",
            "AdaptiveAvgPool2D", "BatchNorm", "LayerNorm", "Dropout", "Conv2DBackpropInput", "Conv2DTranspose",
            "matmul", "bmm", "mm", "max_pool2d", "max_pool3d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool2d",
            "dropout", "batch_norm", "layer_norm", "conv_transpose2d"]
__all__ += ["functional", "Div", "RealDiv", "FloorDiv", "Mod", "FloorMod", "Pow", "Neg", "Abs", "Exp", "Log", "Sqrt",
            "Maximum", "Minimum", "Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "ReduceSum",
            "ReduceMean", "ReduceMax", "ReduceMin", "Argmax", "Argmin", "Reshape", "Transpose", "Squeeze",
            "ExpandDims", "Concat", "Stack", "Cast", "OnesLike", "ZerosLike", "ReLU", "ReLU6", "Sigmoid", "Tanh",
            "GeLU", "GELU", "SiLU", "Elu", "LeakyReLU", "Softmax", "LogSoftmax"]
__all__ += functional.__all__
__all__ += ["composite", "GradOperation", "grad", "value_and_grad", "Conv2DBackpropFilter",
            "Conv3DBackpropInput", "Conv3DBackpropFilter"]
