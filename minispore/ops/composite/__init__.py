"""``minispore.ops.composite``: the gradient transforms (``GradOperation``, ``grad``, ``value_and_grad``)."""
from .base import GradOperation, grad, value_and_grad

__all__ = ["GradOperation", "grad", "value_and_grad"]
