"""``minispore.nn.wrap``: cells that wrap a network for training (MindSpore's ``nn.wrap``)."""
from .cell_wrapper import TrainOneStepCell, WithLossCell

__all__ = ["WithLossCell", "TrainOneStepCell"]
