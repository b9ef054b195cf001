"""The gradient transforms, MindSpore 2.10's PyNative semantics: ``grad``, ``value_and_grad`` and
``GradOperation`` run the function while a tape records each primitive call, then walk the tape backwards with
each primitive's bprop (``minispore.ops._grad``). No tape exists outside these calls.

Return structures are MindSpore's: one input position gives a Tensor, a tuple of positions a tuple; weights give a
tuple (a single Parameter: a Tensor); both give (inputs' gradients, weights' gradients). Several outputs are
differentiated as their sum; with ``has_aux`` only the first is and the others are returned as they are. An input
the result does not depend on gets a zero gradient.
"""
from ... import _checks
from ...common import _tape
from ...common.parameter import Parameter
from ...common.tensor import Tensor

__all__ = ["GradOperation", "grad", "value_and_grad"]


def _check_positions(api, grad_position):
    if grad_position is None or _checks.is_int(grad_position):
        return grad_position
    if isinstance(grad_position, tuple) and grad_position and all(_checks.is_int(p) for p in grad_position):
        return grad_position
    return _checks.fail(api, "grad_position", "None, an int or a non-empty tuple of ints", grad_position, TypeError)


def _check_weights(api, weights):
    """(the weights as a tuple, whether a single Parameter was given)."""
    if weights is None:
        return (), False
    if isinstance(weights, Parameter):
        return (weights,), True
    if isinstance(weights, (tuple, list)) and all(isinstance(w, Parameter) for w in weights):
        return tuple(weights), False
    return _checks.fail(api, "weights", "None, a Parameter, a ParameterTuple or a list of Parameters", weights,
                        TypeError)


def _leaves(value):
    """The Tensors of an output (a Tensor, or nested tuples and lists of them), in order."""
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _leaves(v)]
    return []


def _source(value):
    """A differentiated input as a Tensor object of its own (so two positions holding one tensor get their own
    gradients); Parameters keep their identity, so a weight given as an input is the same source."""
    if isinstance(value, Parameter) or not isinstance(value, Tensor):
        return value
    return Tensor._make(value._array(), value._backend, value.dtype)


def _differentiate(api, fn, args, kwargs, positions, weights, has_aux, sens=None):
    """Run fn(*args) on a tape; (its output, gradients of the positions `positions` (a list), of `weights`)."""
    from .. import _grad
    args = list(args)
    n = len(args)
    for p in positions:
        if not -n <= p < n:
            _checks.fail(api, "grad_position", f"in [{-n}, {n}) for {n} inputs", p)
    positions = [p % n for p in positions]
    for p in set(positions):
        if not isinstance(args[p], Tensor):
            _checks.fail(api, f"inputs[{p}]", "a Tensor (a grad_position must name a Tensor input)", args[p],
                         TypeError)
        args[p] = _source(args[p])
    if _tape.STATE.tape is not None:  # the outer tape would not see through the inner backward: refuse
        raise RuntimeError(f"For '{api}', gradient transforms must not be nested (higher-order gradients are not "
                           f"supported), but it was called inside another one.")
    sources = [args[p] for p in set(positions)] + list(weights)
    tape = _tape.Tape(sources)
    _tape.start(tape)
    try:
        out = fn(*args, **kwargs)
    finally:
        _tape.stop()
    if has_aux:
        if not isinstance(out, tuple) or len(out) < 2:
            _checks.fail(api, "fn", "a function returning a tuple of at least 2 outputs when has_aux is True",
                         type(out).__name__, ValueError)
        targets = _leaves(out[0])
    else:
        targets = _leaves(out)
    if sens is None:
        seeds = [(t, _grad.registry.ones_like(t)) for t in targets]
    else:
        if callable(sens):  # the sensitivity made from the output (TrainOneStepCell's fill of the loss's shape)
            sens = sens(out[0] if has_aux else out)
        sens_leaves = _leaves(sens)
        if len(sens_leaves) != len(targets):
            _checks.fail(api, "sens", f"{len(targets)} Tensors (one per output)", f"{len(sens_leaves)}")
        seeds = list(zip(targets, sens_leaves))
    grads = _grad.backward(tape, seeds)

    def gradient(t):
        g = grads.get(id(t))
        return g if g is not None else _grad.registry.zeros_like(t)
    return out, [gradient(args[p]) for p in positions], [gradient(w) for w in weights]


def _structure(position_grads, single_position, weight_grads, single_weight, with_positions, with_weights):
    inputs = position_grads[0] if single_position else tuple(position_grads)
    params = weight_grads[0] if single_weight else tuple(weight_grads)
    if with_positions and with_weights:
        return inputs, params
    return inputs if with_positions else params


def _transform(api, fn, grad_position, weights, has_aux, with_value):
    grad_position = _check_positions(api, grad_position)
    weights, single_weight = _check_weights(api, weights)
    has_aux = _checks.check_bool(api, "has_aux", has_aux)
    if grad_position is None and not weights:
        raise ValueError(f"For '{api}', the 'grad_position' and 'weights' must not both be None, but got both "
                         f"None.")
    if not callable(fn):
        _checks.fail(api, "fn", "a function or a Cell", fn, TypeError)
    positions = () if grad_position is None else ((grad_position,) if _checks.is_int(grad_position) else
                                                  grad_position)

    def run(*args, **kwargs):
        out, position_grads, weight_grads = _differentiate(api, fn, args, kwargs, positions, weights, has_aux)
        grads = _structure(position_grads, _checks.is_int(grad_position), weight_grads, single_weight,
                           grad_position is not None, bool(weights))
        if with_value:
            return out, grads
        return (grads, out[1:]) if has_aux else grads
    return run


def grad(fn, grad_position=0, weights=None, has_aux=False):
    """A function computing the gradient of `fn` with respect to its inputs and/or `weights`.

    Args:
        fn (Cell | function): returns a Tensor or a tuple of Tensors (summed when differentiated).
        grad_position (int | tuple[int] | None): the input positions to differentiate. Default: 0.
        weights (Parameter | ParameterTuple | list[Parameter] | None): the weights to differentiate
            (e.g. ``net.trainable_params()``). Default: None.
        has_aux (bool): only the first output is differentiated; the others are returned too. Default: False.

    Returns:
        Function: gradients of the inputs (a Tensor for an int position, a tuple for a tuple), of the weights (a
        tuple), or (inputs' gradients, weights' gradients); with has_aux, (gradients, the other outputs).

    Raises:
        ValueError: grad_position and weights both None, or has_aux with a single output.
        TypeError: arguments of the wrong type, or a position that is not a Tensor input.

    Examples:
        >>> x = Tensor(np.array([1.0, 2.0]), mstype.float32)
        >>> grad(lambda a: a * a)(x)
        Tensor(shape=[2], dtype=Float32, value= [2. 4.])
    """
    return _transform("grad", fn, grad_position, weights, has_aux, with_value=False)


def value_and_grad(fn, grad_position=0, weights=None, has_aux=False):
    """A function computing fn's output and its gradient: ``(output, gradients)``; see `grad`.

    Args:
        fn (Cell | function): returns a Tensor or a tuple of Tensors.
        grad_position (int | tuple[int] | None): the input positions to differentiate. Default: 0.
        weights (Parameter | ParameterTuple | list[Parameter] | None): the weights to differentiate. Default: None.
        has_aux (bool): only the first output is differentiated. Default: False.

    Returns:
        Function returning (fn's whole output, gradients as `grad` structures them).

    Raises:
        ValueError: grad_position and weights both None.
        TypeError: arguments of the wrong type.
    """
    return _transform("value_and_grad", fn, grad_position, weights, has_aux, with_value=True)


class GradOperation:
    """A higher-order function that builds the gradient function of a function or Cell (MindSpore's
    ``ops.GradOperation``).

    Args:
        get_all (bool): the gradients of all inputs (a tuple); else of the first input only. Default: False.
        get_by_list (bool): the gradients of the weights given with the function (a tuple). Default: False.
        sens_param (bool): the gradient function takes the output's sensitivity (its gradient) as its last
            argument, a Tensor or a tuple per output; else ones. Default: False.

    Inputs:
        - **fn** (Cell | function) - the function.
        - **weights** (ParameterTuple | list[Parameter]) - with get_by_list. Default: None.

    Outputs:
        Function: called with fn's inputs (and the sensitivity), returns the first input's gradient, the tuple of
        the inputs' gradients (get_all), the weights' (get_by_list), or (inputs', weights') with both.

    Raises:
        TypeError: non-bool arguments, or weights that are not Parameters.

    Examples:
        >>> x = Tensor(np.array([1.0, 2.0]), mstype.float32)
        >>> GradOperation()(lambda a: a * a)(x)
        Tensor(shape=[2], dtype=Float32, value= [2. 4.])
    """

    def __init__(self, get_all=False, get_by_list=False, sens_param=False):
        api = "GradOperation"
        self.get_all = _checks.check_bool(api, "get_all", get_all)
        self.get_by_list = _checks.check_bool(api, "get_by_list", get_by_list)
        self.sens_param = _checks.check_bool(api, "sens_param", sens_param)

    def __call__(self, fn, weights=None):
        api = "GradOperation"
        if not callable(fn):
            _checks.fail(api, "fn", "a function or a Cell", fn, TypeError)
        weights, _ = _check_weights(api, weights if self.get_by_list else None)

        def run(*args, **kwargs):
            sens = None
            if self.sens_param:
                if not args:
                    _checks.fail(api, "inputs", "the sensitivity as the last input when sens_param is True", args)
                args, sens = args[:-1], args[-1]
            tensors = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
            positions = tensors if self.get_all else tensors[:1]
            _, position_grads, weight_grads = _differentiate(api, fn, args, kwargs, positions, weights, False, sens)
            inputs = tuple(position_grads) if self.get_all else (position_grads[0] if position_grads else ())
            if self.get_by_list:
                return (inputs, tuple(weight_grads)) if self.get_all else tuple(weight_grads)
            return inputs
        return run
