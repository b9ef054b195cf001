"""``minispore.nn.optim``: the optimizers, each one fused kernel per parameter and step, in place on its device."""
from .adam import Adam, AdamWeightDecay
from .momentum import Momentum
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "AdamWeightDecay"]
