"""Layers of ``minispore.nn``."""
from .activation import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh,
                         get_activation)
from .container import CellList, SequentialCell
from .conv import Conv2d, Conv3d

__all__ = ["Conv2d", "Conv3d", "SequentialCell", "CellList"]
__all__ += ["ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "ELU", "Softmax", "LogSoftmax",
            "get_activation"]
