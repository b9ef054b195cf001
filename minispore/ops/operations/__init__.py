"""``minispore.ops.operations``: the primitive classes (MindSpore's ``mindspore.ops.operations``)."""
from . import math_ops, nn_ops
from .math_ops import Add, BatchMatMul, MatMul, Mul, Sub
from .nn_ops import (AdaptiveAvgPool2D, AvgPool, AvgPool3D, BatchNorm, BiasAdd, Conv2D, Conv2DBackpropInput,
                     Conv2DTranspose, Conv3D, Dropout, LayerNorm, MaxPool, MaxPool3D, MaxPool3DWithArgmax)

__all__ = ["Add", "Sub", "Mul", "Conv2D", "Conv3D", "BiasAdd", "math_ops", "nn_ops", "MatMul", "BatchMatMul",
           "MaxPool", "AvgPool", "MaxPool3D", "MaxPool3DWithArgmax", "AvgPool3D", "AdaptiveAvgPool2D", "BatchNorm",
           "LayerNorm", "Dropout", "Conv2DBackpropInput", "Conv2DTranspose"]
