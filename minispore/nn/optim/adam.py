"""Adam and AdamWeightDecay (MindSpore's ``nn.Adam``, ``nn.AdamWeightDecay``)."""
import numpy as np

from ... import _checks
from ...common.tensor import Tensor
from ...kernels import bodies as _steps  # the step tuples only (no numba import)
from .optimizer import Optimizer, _GroupKeyError, _host_parameter, work_scalars

__all__ = ["Adam", "AdamWeightDecay"]


def _check_betas(api, beta1, beta2, eps):
    """beta1, beta2 floats in (0, 1), eps a float > 0 (MindSpore's `_check_param_value`)."""
    for arg, value in (("beta1", beta1), ("beta2", beta2), ("eps", eps)):
        _checks.check_type(api, arg, value, float, "a float")
    for arg, value in (("beta1", beta1), ("beta2", beta2)):
        if not 0.0 < value < 1.0:
            _checks.fail(api, arg, "in (0.0, 1.0)", value)
    _checks.check_number(api, "eps", eps, minimum=0.0, strict=True)


class Adam(Optimizer):
    r"""Adam, as ``ops.Adam`` documents it: with g the gradient (weight decay added, loss scale divided) and t the
    step number (from 1),

    .. math::
        m = \beta_1 m + (1 - \beta_1) g, \quad v = \beta_2 v + (1 - \beta_2) g^2, \quad
        lr_t = lr \sqrt{1 - \beta_2^t} / (1 - \beta_1^t), \quad p = p - lr_t\, m / (\sqrt{v} + \epsilon).

    With `use_nesterov` the numerator is :math:`\beta_1 m + (1 - \beta_1) g`; with `use_amsgrad`,
    :math:`\hat v = \max(\hat v, v)` replaces v in the denominator (``ops.ApplyAdamWithAmsgradV2``). The beta powers
    are float32 Parameters `beta1_power`, `beta2_power`, multiplied by beta each step, as MindSpore.

    Args:
        params (list[Parameter] | list[dict]): the parameters or parameter groups (see `Optimizer`).
        learning_rate (float | int | Tensor | list[float]): see `Optimizer`. Default: 1e-3.
        beta1 (float): in (0, 1). Default: 0.9.
        beta2 (float): in (0, 1). Default: 0.999.
        eps (float): > 0. Default: 1e-8.
        use_locking (bool): accepted for MindSpore compatibility. Default: False.
        use_nesterov (bool): Nesterov's numerator. Default: False.
        weight_decay (float | int): >= 0, added to the gradient. Default: 0.0.
        loss_scale (float | int): > 0. Default: 1.0.
        use_amsgrad (bool): AMSGrad's maximum of the second moments (state `vhat`). Default: False.
        kwargs: `use_lazy`, `use_offload` (bools): accepted; with dense gradients they compute the same update.

    Inputs:
        - **gradients** (tuple[Tensor]) - one gradient per parameter, of its shape, dtype and device.

    Outputs:
        tuple[bool], True for every parameter (updated in place).

    Raises:
        TypeError: beta1, beta2 or eps not a float, a flag not a bool, bad gradients.
        ValueError: a beta outside (0, 1), eps <= 0, use_amsgrad with use_lazy or use_offload, both of those;
            see also `Optimizer`. An unknown keyword raises an error that is a KeyError (MindSpore's) and a
            ValueError.

    Examples:
        >>> net = nn.Dense(3, 2)
        >>> optim = nn.Adam(net.trainable_params(), learning_rate=1e-3)
    """

    def __init__(self, params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, use_locking=False,
                 use_nesterov=False, weight_decay=0.0, loss_scale=1.0, use_amsgrad=False, **kwargs):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        api = "Adam"
        unknown = sorted(set(kwargs) - {"use_lazy", "use_offload"})
        if unknown:
            raise _GroupKeyError(f"For '{api}', the keyword arguments must be in ['use_lazy', 'use_offload'], but "
                                 f"got {unknown}.")
        _check_betas(api, beta1, beta2, eps)
        flags = dict(use_locking=use_locking, use_nesterov=use_nesterov, use_amsgrad=use_amsgrad,
                     use_lazy=kwargs.get("use_lazy", False), use_offload=kwargs.get("use_offload", False))
        for arg, value in flags.items():
            _checks.check_bool(api, arg, value)
        if flags["use_lazy"] and flags["use_offload"]:
            _checks.fail(api, "use_lazy", "False when use_offload is True", True)
        if use_amsgrad and (flags["use_lazy"] or flags["use_offload"]):
            _checks.fail(api, "use_amsgrad", "False with use_lazy or use_offload", True)
        self.beta1, self.beta2, self.eps = np.float32(beta1), np.float32(beta2), np.float32(eps)
        self.beta1_power = _host_parameter(np.float32(1), "beta1_power")
        self.beta2_power = _host_parameter(np.float32(1), "beta2_power")
        self.use_nesterov = use_nesterov
        self.use_locking = use_locking
        self.use_amsgrad = use_amsgrad
        self.use_lazy = flags["use_lazy"]
        self.use_offload = flags["use_offload"]
        self.moment1 = self._state("moment1", 0)
        self.moment2 = self._state("moment2", 0)
        if use_amsgrad:
            self.vhat = self._state("vhat", 0)
        else:  # the kernel's vhat argument, never read: not an alias of a moment (the CUDA simulator copies back)
            self._no_vhat = tuple(Tensor._wrap(p._backend.full((1,), 0, p.dtype.np_type), p._backend)
                                  for p in self._parameters)

    def construct(self, gradients):
        pairs = self._arrays(gradients)
        lrs = self._step_lrs()
        self._advance()
        beta1_power = self.beta1_power._array()
        beta2_power = self.beta2_power._array()
        beta1_power[()] = np.float32(beta1_power) * self.beta1  # float32 products, as MindSpore's Parameters
        beta2_power[()] = np.float32(beta2_power) * self.beta2
        vhats = self.vhat if self.use_amsgrad else self._no_vhat
        for (w, g), m, v, vhat, lr, decay in zip(pairs, self.moment1, self.moment2, vhats, lrs, self._decays):
            cast = w.dtype.type
            b1p, b2p = cast(beta1_power), cast(beta2_power)
            lr_t = cast(lr) * np.sqrt(cast(1) - b2p) / (cast(1) - b1p)
            step = work_scalars(_steps.AdamStep, w.dtype, lr_t, self.beta1, cast(1) - cast(self.beta1), self.beta2,
                                cast(1) - cast(self.beta2), self.eps, decay, self._scale)
            m._backend.kernels.adam_update(w, g, m._array().reshape(-1), v._array().reshape(-1),
                                           vhat._array().reshape(-1), step, self.use_nesterov, self.use_amsgrad)
        return (True,) * len(pairs)


class AdamWeightDecay(Optimizer):
    r"""Adam with decoupled weight decay, as ``ops.AdamWeightDecay``: no bias correction, the decay applied to the
    update (not added to the gradient), where it applies (see `Optimizer`):

    .. math::
        m = \beta_1 m + (1 - \beta_1) g, \quad v = \beta_2 v + (1 - \beta_2) g^2, \quad
        p = p - lr\, (m / (\sqrt{v} + \epsilon) + \text{weight\_decay}\; p).

    Args:
        params (list[Parameter] | list[dict]): the parameters or parameter groups (see `Optimizer`).
        learning_rate (float | int | Tensor | list[float]): see `Optimizer`. Default: 1e-3.
        beta1 (float): in (0, 1). Default: 0.9.
        beta2 (float): in (0, 1). Default: 0.999.
        eps (float): > 0. Default: 1e-6.
        weight_decay (float | int): >= 0. Default: 0.0.

    Inputs:
        - **gradients** (tuple[Tensor]) - one gradient per parameter, of its shape, dtype and device.

    Outputs:
        tuple[bool], True for every parameter (updated in place).

    Raises:
        TypeError: beta1, beta2 or eps not a float, bad gradients.
        ValueError: a beta outside (0, 1), eps <= 0; see also `Optimizer`.

    Examples:
        >>> net = nn.Dense(3, 2)
        >>> optim = nn.AdamWeightDecay(net.trainable_params(), learning_rate=1e-3, weight_decay=0.01)
    """

    def __init__(self, params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-6, weight_decay=0.0):
        super().__init__(learning_rate, params, weight_decay)
        _check_betas("AdamWeightDecay", beta1, beta2, eps)
        self.beta1, self.beta2, self.eps = np.float32(beta1), np.float32(beta2), np.float32(eps)
        self.moments1 = self._state("adam_m", 0)
        self.moments2 = self._state("adam_v", 0)

    def construct(self, gradients):
        pairs = self._arrays(gradients)
        lrs = self._step_lrs()
        self._advance()
        for (w, g), m, v, lr, decay in zip(pairs, self.moments1, self.moments2, lrs, self._decays):
            cast = w.dtype.type
            step = work_scalars(_steps.AdamWeightDecayStep, w.dtype, lr, self.beta1, cast(1) - cast(self.beta1),
                                self.beta2, cast(1) - cast(self.beta2), self.eps, decay)
            m._backend.kernels.adam_weight_decay_update(w, g, m._array().reshape(-1), v._array().reshape(-1), step)
        return (True,) * len(pairs)
