"""``minispore.nn``: Cell and layers."""
from .cell import Cell
from .layer import CellList, Conv2d, Conv3d, SequentialCell

__all__ = ["Cell", "Conv2d", "Conv3d", "SequentialCell", "CellList"]
