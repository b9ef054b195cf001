"""Optimizer: the base of the optimizers (MindSpore's ``nn.Optimizer``): learning rates, parameter groups, weight
decay, loss scale and the step counter.

The step's scalars live on the host: `global_step`, the learning rates (and Adam's beta powers) are CPU Parameters,
read and advanced in Python, and handed to one fused kernel per parameter as arguments, so a step on a GPU never
waits for a device->host copy. The parameters, their gradients and the optimizer's state (moments) stay on the
parameters' device and are updated there in place.
"""
import numbers
from collections.abc import Iterable

import numpy as np

from ... import _backend, _checks
from ... import dtype as mstype
from ...common.parameter import Parameter, ParameterTuple
from ...common.tensor import Tensor
from ..cell import Cell

__all__ = ["Optimizer"]

_GROUP_KEYS = ("params", "lr", "weight_decay", "order_params", "grad_centralization")
_FLOAT_TYPES = (np.dtype(np.float32), np.dtype(np.float64))


class _GroupKeyError(KeyError, ValueError):
    """An unknown key (of a parameter group, or a keyword argument): MindSpore raises KeyError, this project's
    template ValueError."""

    def __str__(self):
        return str(self.args[0])


def _host():
    return _backend.get_backend("CPU")


def _host_parameter(array, name):
    """A Parameter holding the NumPy `array` on the CPU (the optimizer's scalar bookkeeping)."""
    return Parameter(Tensor._wrap(np.array(array), _host()), name=name)


def _check_parameter_list(api, parameters, arg):
    """`parameters` as a non-empty list (MindSpore's base check)."""
    if parameters is None:
        _checks.fail(api, arg, "a list of Parameters or of dicts (parameter groups)", None)
    if isinstance(parameters, (str, Tensor)) or not isinstance(parameters, Iterable):
        _checks.fail(api, arg, "a list of Parameters or of dicts (parameter groups)", parameters, TypeError)
    parameters = list(parameters)
    if not parameters:
        _checks.fail(api, arg, "a non-empty list", parameters)
    return parameters


def _float_arg(api, arg, value, minimum=0.0, strict=False):
    """An int or float (not a bool) >= minimum (> when strict), as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _checks.fail(api, arg, "an int or a float", value, TypeError)
    return _checks.check_number(api, arg, value, minimum=minimum, strict=strict)


def _learning_rate(api, value):
    """A float32 NumPy array: 0-d for a fixed learning rate, 1-d (one value per step) for a dynamic one."""
    if isinstance(value, Tensor):
        if value.ndim > 1:
            _checks.fail(api, "learning_rate", "a float, a Tensor of 0 or 1 dimensions, or a list of floats",
                         f"a Tensor of shape {value.shape}")
        if value.dtype.np_type.kind not in "iuf":
            _checks.fail(api, "learning_rate", "a Tensor of numbers", f"a Tensor of dtype {value.dtype}", TypeError)
        array = np.asarray(value.asnumpy(), np.float32)  # synchronize! once, when the optimizer is built
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        return np.array(_float_arg(api, "learning_rate", value), np.float32)
    elif isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)):
        items = list(value)
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in items):
            _checks.fail(api, "learning_rate", "a list of floats", items, TypeError)
        array = np.array(items, np.float32)
    else:
        return _checks.fail(api, "learning_rate", "an int, a float, a Tensor or a list of floats", value, TypeError)
    if array.ndim == 1 and array.size == 0:
        _checks.fail(api, "learning_rate", "a non-empty list (one learning rate per step)", value)
    if not np.isfinite(array).all():
        _checks.fail(api, "learning_rate", "finite", value)
    return array


class Optimizer(Cell):
    """Base class of the optimizers: never used alone; `SGD`, `Momentum`, `Adam`, `AdamWeightDecay` derive from it.

    Without groups, `weight_decay` applies to the parameters whose names contain neither 'beta' nor 'gamma'; with
    groups, each group's 'weight_decay' (else the optimizer's) applies to all the group's parameters.

    Args:
        learning_rate (float | int | Tensor | list[float]): a fixed rate (>= 0; a 0-d Tensor too), or a dynamic one
            (a 1-d Tensor or a list): step i (`global_step` before the step) takes value i.
        parameters (list[Parameter] | list[dict]): the parameters, or groups: dicts with 'params' (a list of
            Parameters, required), 'lr', 'weight_decay', 'grad_centralization' (accepted, no effect), or a dict
            holding only 'order_params' (the order in which the optimizer keeps the groups' parameters).
        weight_decay (float | int): >= 0. Default: 0.0.
        loss_scale (float | int): > 0; gradients are multiplied by 1 / loss_scale (and the weight decay by
            loss_scale, as MindSpore). Default: 1.0.

    Raises:
        TypeError: `learning_rate`, `parameters`, `weight_decay` or `loss_scale` of the wrong type, or a
            parameter that is not float32 or float64.
        ValueError: a negative learning rate or weight decay, a loss_scale <= 0, an empty or None `parameters`, a
            Tensor learning rate of more than one dimension, a parameter in two groups, 'order_params' not
            naming the groups' parameters. An unknown group key raises an error that is a KeyError (MindSpore's)
            and a ValueError.
    """

    def __init__(self, learning_rate, parameters, weight_decay=0.0, loss_scale=1.0):
        super().__init__(auto_prefix=False)
        api = type(self).__name__
        parameters = _check_parameter_list(api, parameters, "parameters")
        is_group = isinstance(parameters[0], dict)
        if not all(isinstance(p, dict if is_group else Parameter) for p in parameters):
            _checks.fail(api, "parameters", "a list of Parameters only or of dicts (parameter groups) only",
                         parameters, TypeError)
        self.loss_scale = _float_arg(api, "loss_scale", loss_scale, 0.0, strict=True)
        self.is_group = is_group
        self.global_step = _host_parameter(np.zeros([1], np.int32), "global_step")
        default_lr = _learning_rate(api, learning_rate)
        default_decay = _float_arg(api, "weight_decay", weight_decay) * self.loss_scale
        if is_group:
            params, lrs, decays = self._groups(api, parameters, default_lr, default_decay)
            self.is_group_lr = any(lr is not None for lr in lrs)
        else:
            params, lrs, decays = parameters, [None] * len(parameters), None
            self.is_group_lr = False
        for param in params:
            if param.dtype.np_type not in _FLOAT_TYPES:
                _checks.fail(api, "parameters", "float32 or float64 Parameters",
                             f"'{param.name}' of dtype {param.dtype}", TypeError)
        default = _host_parameter(default_lr, "learning_rate")
        lr_params = [default if lr is None else lr for lr in lrs]
        self.dynamic_lr = any(p.ndim == 1 for p in lr_params)
        if self.is_group_lr:
            lengths = {p.shape[0] for p in lr_params if p.ndim == 1}
            if len(lengths) > 1:
                _checks.fail(api, "parameters", "groups whose dynamic learning rates all have the same length",
                             sorted(lengths))
            self.learning_rate = ParameterTuple(lr_params)
        else:
            self.learning_rate = default
        self._lr_params = tuple(lr_params)
        self.parameters = ParameterTuple(params)
        self._parameters = self.parameters
        if is_group:
            self.decay_flags = tuple(d > 0 for d in decays)
            self._decays = tuple(np.float32(d) for d in decays)
            self.weight_decay = tuple(Tensor(d, mstype.float32) for d in self._decays)
        else:
            self.decay_flags = tuple("beta" not in p.name and "gamma" not in p.name for p in params)
            self.weight_decay = Tensor(np.float32(default_decay), mstype.float32)
            self._decays = tuple(np.float32(default_decay if flag else 0.0) for flag in self.decay_flags)
        self.exec_weight_decay = any(d > 0 for d in self._decays)
        self.reciprocal_scale = Tensor(np.float32(1.0 / self.loss_scale), mstype.float32)
        self.need_scale = self.loss_scale != 1.0
        self._scale = np.float32(1.0 / self.loss_scale)

    def _groups(self, api, groups, default_lr, default_decay):
        """(parameters, per-parameter lr Parameter or None for the default, per-parameter decay) of the groups."""
        params, lrs, decays, order = [], [], [], None
        seen = set()
        for number, group in enumerate(groups):
            unknown = [key for key in group if key not in _GROUP_KEYS]
            if unknown:
                raise _GroupKeyError(f"For '{api}', the keys of a parameter group must be in {list(_GROUP_KEYS)}, "
                                     f"but got {unknown}.")
            if "order_params" in group:
                if len(group) > 1:
                    _checks.fail(api, "parameters", "an 'order_params' group with no other key", list(group))
                order = _check_parameter_list(api, group["order_params"], "order_params")
                continue
            if "params" not in group:
                _checks.fail(api, "parameters", "groups with a 'params' key", list(group))
            members = _check_parameter_list(api, group["params"], "params")
            for param in members:
                _checks.check_type(api, "params", param, Parameter, "a list of Parameters")
                if id(param) in seen:
                    _checks.fail(api, "parameters", "groups in which each parameter appears once",
                                 f"'{param.name}' twice")
                seen.add(id(param))
            lr = None
            if "lr" in group:
                lr = _host_parameter(_learning_rate(api, group["lr"]), f"learning_rate_group_{number}")
            decay = default_decay
            if "weight_decay" in group:
                decay = _float_arg(api, "weight_decay", group["weight_decay"]) * self.loss_scale
            if "grad_centralization" in group:
                _checks.check_bool(api, "grad_centralization", group["grad_centralization"])
            params += members
            lrs += [lr] * len(members)
            decays += [decay] * len(members)
        if order is not None:
            where = {id(p): i for i, p in enumerate(params)}
            if len(order) != len(params) or {id(p) for p in order} != set(where):
                _checks.fail(api, "order_params", f"the {len(params)} parameters of the groups, each once",
                             [getattr(p, "name", p) for p in order])
            index = [where[id(p)] for p in order]
            params, lrs, decays = ([items[i] for i in index] for items in (params, lrs, decays))
        return params, lrs, decays

    # --- the step's scalars ------------------------------------------------------------------------------------
    def _step_lrs(self):
        """The learning rate of every parameter for this step (np.float32), read before `global_step` advances."""
        step = int(self.global_step._array()[0])
        values = {}
        for param in self._lr_params:
            if id(param) not in values:
                array = param._array()
                if array.ndim == 1:
                    if not 0 <= step < array.shape[0]:
                        _checks.fail(type(self).__name__, "global_step",
                                     f"less than the length of the dynamic learning rate ({array.shape[0]})", step,
                                     RuntimeError)
                    array = array[step]
                values[id(param)] = np.float32(array)
        return [values[id(p)] for p in self._lr_params]

    def _advance(self):
        self.global_step._array()[0] += 1

    def get_lr(self):
        """The learning rate of the current step: a float32 Tensor, or with per-group rates a tuple of them (one
        per parameter)."""
        lrs = [Tensor(v, mstype.float32) for v in self._step_lrs()]
        return tuple(lrs) if self.is_group_lr else lrs[0]

    def get_lr_parameter(self, param):
        """The learning-rate Parameter of `param` (a Parameter), or a list of them for a list of Parameters."""
        api = "get_lr_parameter"
        items = [param] if isinstance(param, Parameter) else param
        if not isinstance(items, list):
            _checks.fail(api, "param", "a Parameter or a list of Parameters", param, TypeError)
        where = {id(p): i for i, p in enumerate(self._parameters)}
        found = []
        for p in items:
            _checks.check_type(api, "param", p, Parameter, "a Parameter")
            if id(p) not in where:
                _checks.fail(api, "param", "a parameter of the optimizer", p.name)
            found.append(self._lr_params[where[id(p)]])
        return found if isinstance(param, list) else found[0]

    def get_weight_decay(self):
        """The weight decay (times loss_scale): a float32 Tensor, or with groups a tuple of them."""
        return self.weight_decay

    # --- gradients ---------------------------------------------------------------------------------------------
    def decay_weight(self, gradients):
        """The gradients with the weight decay added (w * decay + g where it applies), as Tensors."""
        out = []
        for param, grad, decay in zip(self._parameters, gradients, self._decays):
            out.append(param * Tensor(decay, param.dtype) + grad if decay > 0 else grad)
        return tuple(out)

    def scale_grad(self, gradients):
        """The gradients times 1 / loss_scale (unchanged when loss_scale is 1)."""
        if not self.need_scale:
            return gradients
        return tuple(g * Tensor(self._scale, g.dtype) for g in gradients)

    def gradients_centralization(self, gradients):
        """The gradients unchanged (grad_centralization is accepted and not applied)."""
        return gradients

    def flatten_gradients(self, gradients):
        """The gradients unchanged (parameters are never flattened)."""
        return gradients

    def _arrays(self, gradients):
        """(flat parameter array, flat gradient array) pairs, checked: one C-contiguous gradient per parameter of
        its shape, dtype and device."""
        api = type(self).__name__
        if not isinstance(gradients, (tuple, list)):
            _checks.fail(api, "gradients", "a tuple of Tensors", gradients, TypeError)
        if len(gradients) != len(self._parameters):
            _checks.fail(api, "gradients", f"a tuple of {len(self._parameters)} Tensors (one per parameter)",
                         len(gradients))
        pairs = []
        for param, grad in zip(self._parameters, gradients):
            if not isinstance(grad, Tensor):
                _checks.fail(api, "gradients", "a tuple of Tensors", grad, TypeError)
            if grad.shape != param.shape:
                _checks.fail(api, "gradients", f"of the shape of their parameters ('{param.name}': {param.shape})",
                             f"shape {grad.shape}")
            if grad.dtype != param.dtype:
                _checks.fail(api, "gradients", f"of the dtype of their parameters ('{param.name}': {param.dtype})",
                             f"dtype {grad.dtype}", TypeError)
            if grad._backend is not param._backend:
                _checks.fail(api, "gradients", f"on the device of their parameters ('{param.name}': "
                             f"{param._backend})", f"a Tensor on {grad._backend}", TypeError)
            pairs.append((_flat_in_place(param), param._backend.xp.ascontiguousarray(grad._array()).reshape(-1)))
        return pairs

    def _state(self, prefix, fill=0):
        """A ParameterTuple of `fill`s named '<prefix>.<parameter name>', each on its parameter's device."""
        state = []
        for param in self._parameters:
            array = param._backend.full(param.shape, fill, param.dtype.np_type)
            state.append(Parameter(Tensor._wrap(array, param._backend), name=f"{prefix}.{param.name}"))
        return ParameterTuple(state)

    def construct(self, gradients):
        """Update the parameters with `gradients` (a tuple of Tensors in `parameters` order); subclasses do."""
        raise NotImplementedError(f"For '{type(self).__name__}', 'construct' must be defined by the optimizer.")


def _flat_in_place(param):
    """The flat view of `param`'s data that a kernel updates in place (made C-contiguous first if it is not)."""
    array = param._array()
    if not array.flags.c_contiguous:
        param._set_data(param._backend.xp.ascontiguousarray(array))
        array = param._array()
    return array.reshape(-1)


def work_scalars(step_type, dtype, *values):
    """A `kernels.bodies` step tuple of `values` in the parameter dtype `dtype` (values already float32-rounded
    where MindSpore stores them as float32)."""
    cast = dtype.type
    return step_type(*(cast(v) for v in values))
