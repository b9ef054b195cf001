"""``minispore.nn``: Cell and layers."""
from .cell import Cell
from .layer import CellList, Conv2d, Conv3d, SequentialCell
from .layer import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh, get_activation)

__all__ = ["Cell", "Conv2d", "Conv3d", "SequentialCell", "CellList"]
__all__ += ["ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "ELU", "Softmax", "LogSoftmax",
            "get_activation"]
