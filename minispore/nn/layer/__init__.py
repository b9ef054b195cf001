"""Layers of ``minispore.nn``."""
from .activation import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh,
                         get_activation)
from .basic import Dense, Dropout, Flatten, Identity
from .container import CellList, SequentialCell
from .conv import Conv2d, Conv2dTranspose, Conv3d
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .pooling import AdaptiveAvgPool2d, AvgPool2d, AvgPool3d, MaxPool2d, MaxPool3d

__all__ = ["Conv2d", "Conv3d", "SequentialCell", "CellList"]
__all__ += ["Dense", "Flatten", "Dropout", "Identity", "Conv2dTranspose", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
            "MaxPool2d", "AvgPool2d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool2d"]
__all__ += ["ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "ELU", "Softmax", "LogSoftmax",
            "get_activation"]
