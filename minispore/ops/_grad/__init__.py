"""bprops (gradients) of the primitives, by primitive class, in modules that mirror ops/operations (MindSpore's
``ops/_grad_experimental``): importing this package registers them all."""
from . import grad_array_ops, grad_math_ops, grad_nn_ops
from .registry import backward, bprop_getters, register, register_function

__all__ = ["backward", "bprop_getters", "register", "register_function", "grad_array_ops", "grad_math_ops",
           "grad_nn_ops"]
