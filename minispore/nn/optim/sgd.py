"""SGD (MindSpore's ``nn.SGD``): stochastic gradient descent with momentum, dampening and Nesterov momentum."""
import numpy as np

from ... import _checks
from ...kernels import bodies as _steps  # the step tuples only (no numba import)
from .optimizer import Optimizer, _float_arg, _host_parameter, work_scalars

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, as ``ops.SGD``: with g the gradient (weight decay added, loss scale divided),

    .. math::
        v = g \text{ (first step)}, \quad v = \mu v + (1 - \text{dampening}) g \text{ (later steps)}, \quad
        p = p - lr (g + \mu v) \text{ (nesterov) or } p - lr\, v.

    Without momentum (0), p = p - lr g.

    Args:
        params (list[Parameter] | list[dict]): the parameters or parameter groups (see `Optimizer`).
        learning_rate (float | int | Tensor | list[float]): see `Optimizer`. Default: 0.1.
        momentum (float | int): >= 0. Default: 0.0.
        dampening (float | int): >= 0. Default: 0.0.
        weight_decay (float | int): >= 0. Default: 0.0.
        nesterov (bool): Nesterov momentum (needs momentum > 0 and dampening 0). Default: False.
        loss_scale (float | int): > 0. Default: 1.0.

    Inputs:
        - **gradients** (tuple[Tensor]) - one gradient per parameter, of its shape, dtype and device.

    Outputs:
        tuple[bool], True for every parameter (updated in place).

    Raises:
        TypeError: `momentum` or `dampening` not a number, `nesterov` not a bool, bad gradients.
        ValueError: `momentum` or `dampening` < 0, `nesterov` without momentum or with dampening, a gradient of
            another shape, or another number of gradients than parameters; see also `Optimizer`.

    Examples:
        >>> net = nn.Dense(3, 2)
        >>> optim = nn.SGD(net.trainable_params(), learning_rate=0.1, momentum=0.9)
        >>> optim(tuple(Tensor(np.ones(p.shape, np.float32)) for p in net.trainable_params()))
    """

    def __init__(self, params, learning_rate=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                 loss_scale=1.0):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        api = "SGD"
        momentum = _float_arg(api, "momentum", momentum)
        self.dampening = _float_arg(api, "dampening", dampening)
        self.nesterov = _checks.check_bool(api, "nesterov", nesterov)
        if nesterov and (momentum <= 0.0 or self.dampening != 0.0):
            _checks.fail(api, "nesterov", "used with momentum > 0 and dampening 0",
                         f"momentum {momentum} and dampening {self.dampening}")
        self.momentum = _host_parameter(np.float32(momentum), "momentum")
        self.accum = self._state("accum", 0)
        self.stat = self._state("stat", 1)

    def construct(self, gradients):
        pairs = self._arrays(gradients)
        lrs = self._step_lrs()
        self._advance()
        momentum = np.float32(self.momentum._array())
        for (w, g), accum, stat, lr, decay in zip(pairs, self.accum, self.stat, lrs, self._decays):
            cast = w.dtype.type
            step = work_scalars(_steps.SGDStep, w.dtype, lr, momentum, cast(1) - cast(np.float32(self.dampening)),
                                decay, self._scale)
            accum._backend.kernels.sgd_update(w, g, accum._array().reshape(-1), stat._array().reshape(-1), step,
                                              self.nesterov)
        return (True,) * len(pairs)

