"""``minispore.nn.wrap``: cells that wrap a network for training."""
from .cell_wrapper import WithLossCell

__all__ = ["WithLossCell"]
