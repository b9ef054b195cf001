"""Momentum (MindSpore's ``nn.Momentum``): gradient descent with (Nesterov) momentum, as ``ops.ApplyMomentum``."""
import numpy as np

from ... import _checks
from ...kernels import bodies as _steps  # the step tuples only (no numba import)
from .optimizer import Optimizer, _host_parameter, work_scalars

__all__ = ["Momentum"]


class Momentum(Optimizer):
    r"""Momentum, as ``ops.ApplyMomentum``: with g the gradient (weight decay added, loss scale divided),

    .. math::
        v = \mu v + g, \quad p = p - lr\, v, \quad \text{or with Nesterov} \quad p = p - (g\, lr + v \mu\, lr).

    (MindSpore's CPU kernel ignores `use_nesterov`; minispore applies it as documented, on every device.)

    Args:
        params (list[Parameter] | list[dict]): the parameters or parameter groups (see `Optimizer`).
        learning_rate (float | int | Tensor | list[float]): see `Optimizer`.
        momentum (float): >= 0 (a float: an int is refused, as in MindSpore).
        weight_decay (float | int): >= 0. Default: 0.0.
        loss_scale (float | int): > 0. Default: 1.0.
        use_nesterov (bool): Nesterov momentum. Default: False.

    Inputs:
        - **gradients** (tuple[Tensor]) - one gradient per parameter, of its shape, dtype and device.

    Outputs:
        tuple[bool], True for every parameter (updated in place).

    Raises:
        TypeError: `momentum` not a float, `use_nesterov` not a bool, bad gradients.
        ValueError: `momentum` < 0; see also `Optimizer`.

    Examples:
        >>> net = nn.Dense(3, 2)
        >>> optim = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    """

    def __init__(self, params, learning_rate, momentum, weight_decay=0.0, loss_scale=1.0, use_nesterov=False):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        api = "Momentum"
        _checks.check_type(api, "momentum", momentum, float, "a float")
        momentum = _checks.check_number(api, "momentum", momentum, minimum=0.0)
        self.momentum = _host_parameter(np.float32(momentum), "momentum")
        self.params = self._parameters
        self.use_nesterov = _checks.check_bool(api, "use_nesterov", use_nesterov)
        self.moments = self._state("moments", 0)

    def construct(self, gradients):
        pairs = self._arrays(gradients)
        lrs = self._step_lrs()
        self._advance()
        momentum = np.float32(self.momentum._array())
        for (w, g), moment, lr, decay in zip(pairs, self.moments, lrs, self._decays):
            step = work_scalars(_steps.MomentumStep, w.dtype, lr, momentum, decay, self._scale)
            moment._backend.kernels.momentum_update(w, g, moment._array().reshape(-1), step, self.use_nesterov)
        return (True,) * len(pairs)
