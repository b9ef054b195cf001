"""Layers of ``minispore.nn``."""
from .container import CellList, SequentialCell
from .conv import Conv2d, Conv3d

__all__ = ["Conv2d", "Conv3d", "SequentialCell", "CellList"]
