"""Layers of ``minispore.nn``."""
from .basic import Dense, Dropout, Flatten, Identity
from .container import CellList, SequentialCell
from .conv import Conv2d, Conv2dTranspose, Conv3d
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .pooling import AdaptiveAvgPool2d, AvgPool2d, AvgPool3d, MaxPool2d, MaxPool3d

__all__ = ["Conv2d", "Conv3d", "SequentialCell", "CellList"]
__all__ += ["Dense", "Flatten", "Dropout", "Identity", "Conv2dTranspose", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
            "MaxPool2d", "AvgPool2d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool2d"]
