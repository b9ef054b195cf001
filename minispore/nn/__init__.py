"""``minispore.nn``: Cell and layers."""
from . import loss
from .loss import (BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, LossBase, MSELoss, NLLLoss, SmoothL1Loss,
                   SoftmaxCrossEntropyWithLogits)
from .cell import Cell
from .layer import CellList, Conv2d, Conv3d, SequentialCell
from .layer import (AdaptiveAvgPool2d, AvgPool2d, AvgPool3d, BatchNorm1d, BatchNorm2d, Conv2dTranspose, Dense, Dropout,
                    Flatten, Identity, LayerNorm, MaxPool2d, MaxPool3d)
from .layer import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh, get_activation)
from .optim import SGD, Adam, AdamWeightDecay, Momentum, Optimizer
from .wrap import TrainOneStepCell, WithLossCell

__all__ = ["Cell", "Conv2d", "Conv3d", "SequentialCell", "CellList"]
__all__ += ["loss", "LossBase", "L1Loss", "MSELoss", "SmoothL1Loss", "SoftmaxCrossEntropyWithLogits", "NLLLoss",
            "CrossEntropyLoss", "BCEWithLogitsLoss"]
__all__ += ["Dense", "Flatten", "Dropout", "Identity", "Conv2dTranspose", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
            "MaxPool2d", "AvgPool2d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool2d"]
__all__ += ["ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "ELU", "Softmax", "LogSoftmax",
            "get_activation"]
__all__ += ["Optimizer", "SGD", "Momentum", "Adam", "AdamWeightDecay"]
__all__ += ["WithLossCell", "TrainOneStepCell"]
