"""``minispore.nn.loss``: loss Cells."""
from .loss import (BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, LossBase, MSELoss, NLLLoss, SmoothL1Loss,
                   SoftmaxCrossEntropyWithLogits)

__all__ = ["LossBase", "L1Loss", "MSELoss", "SmoothL1Loss", "SoftmaxCrossEntropyWithLogits", "NLLLoss",
           "CrossEntropyLoss", "BCEWithLogitsLoss"]
