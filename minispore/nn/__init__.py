"""``minispore.nn``: Cell and layers."""
from .cell import Cell
from .layer import Conv2d, Conv3d

__all__ = ["Cell", "Conv2d", "Conv3d"]
