"""Layers of ``minispore.nn``."""
from .conv import Conv2d, Conv3d

__all__ = ["Conv2d", "Conv3d"]
