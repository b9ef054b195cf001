"""``minispore.ops``: primitives (``ops.Add()``, ``ops.Conv2D(...)``) and ``ops.operations``."""
from . import operations
from .operations import Add, BiasAdd, Conv2D, Conv3D, Mul, Sub
from .operations import (AdaptiveAvgPool2D, AvgPool, AvgPool3D, BatchMatMul, BatchNorm, Conv2DBackpropInput,
                         Conv2DTranspose, Dropout, LayerNorm, MatMul, MaxPool, MaxPool3D, MaxPool3DWithArgmax)
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
