"""The gradient tape: which primitive calls a running gradient transform records (DESIGN 9).

Outside `minispore.grad` / `value_and_grad` / `GradOperation` no tape exists: a recorded call costs one read of a
thread-local attribute and one extra Python call. Inside one, the outermost recorded call of each operation is
kept with its inputs and outputs (a primitive's own inner calls, and the backward pass, are not recorded), and
only when one of its Tensor inputs depends on what is differentiated. The backward walk lives in
`minispore.ops._grad`; this module only records, so `common.tensor` can mark its own differentiable methods.
"""
import functools
import inspect
import threading

__all__ = ["STATE", "Tape", "Record", "recorded_call", "differentiable", "FUNCTION_BPROPS"]


class _State(threading.local):
    tape = None  # the Tape of the gradient transform running in this thread, or None


STATE = _State()

FUNCTION_BPROPS = {}  # name of a `differentiable` function -> its bprop(*inputs, out, dout), set by ops._grad


class Record:
    """One recorded call: `owner` (a Primitive, or the name of a differentiable function), its inputs (a
    primitive's bound positionally, the defaults filled in; a function's as given, with `kwargs`) and its output
    (a Tensor or a tuple of them)."""

    __slots__ = ("owner", "inputs", "kwargs", "out")

    def __init__(self, owner, inputs, kwargs, out):
        self.owner, self.inputs, self.kwargs, self.out = owner, inputs, kwargs, out


def _ids(value):
    """The ids of the Tensors in value (a Tensor, or a tuple or list of them)."""
    if isinstance(value, (tuple, list)):
        return [id(v) for v in value]
    return [id(value)]


class Tape:
    """The records of one gradient transform, in call order, and the ids of the Tensors they depend on."""

    def __init__(self, sources):
        self.records = []
        self.tracked = {id(t) for t in sources}
        self.keep = list(sources)  # the sources stay alive, so their ids stay theirs

    def run(self, owner, call, args, kwargs, bind):
        """Run call(*args, **kwargs) untracked, then record it if an input depends on the sources."""
        STATE.tape = None
        try:
            out = call(*args, **kwargs)
        finally:
            STATE.tape = self
        if bind is not None:
            inputs, kwargs = bind(args, kwargs), {}
        else:
            inputs = args + tuple(kwargs.values())
        tracked = self.tracked
        if not any(i in tracked for value in inputs for i in _ids(value)):
            return out
        out = _fresh(out, inputs)
        self.records.append(Record(owner, args if bind is None else inputs, kwargs, out))
        tracked.update(_ids(out))
        return out


def _fresh(out, inputs):
    """out, with any output that IS one of the inputs replaced by a new Tensor sharing its data (a tensor must be
    produced by one record only)."""
    from .tensor import Tensor
    seen = {i for value in inputs for i in _ids(value)}

    def fresh(t):
        if isinstance(t, Tensor) and id(t) in seen:
            return Tensor._make(t._array(), t._backend, t.dtype)
        return t
    return tuple(fresh(t) for t in out) if isinstance(out, tuple) else fresh(out)


def _binder(fn, skip_first):
    """A function (args, kwargs) -> tuple of fn's inputs by position, the defaults filled in (without the first
    parameter, `self`, when skip_first; a *args parameter flattened)."""
    signature = inspect.signature(fn)

    def bind(args, kwargs):
        if not kwargs and len(args) == len(signature.parameters):
            values = args
        else:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            flat = []
            for name, v in bound.arguments.items():
                kind = signature.parameters[name].kind
                if kind is inspect.Parameter.VAR_POSITIONAL:
                    flat.extend(v)
                elif kind is not inspect.Parameter.VAR_KEYWORD:
                    flat.append(v)
            values = tuple(flat)
        return values[1:] if skip_first else values
    return bind


def recorded_call(call):
    """A primitive's `__call__`, recorded while a gradient transform runs (Primitive's subclass hook)."""
    bind = _binder(call, skip_first=True)

    @functools.wraps(call)
    def __call__(self, *args, **kwargs):
        tape = STATE.tape
        if tape is None:
            return call(self, *args, **kwargs)
        return tape.run(self, call, (self,) + args, kwargs, bind)
    __call__._recorded = True
    return __call__


def differentiable(name):
    """Decorator: the function (or Tensor method) is recorded under `name` while a gradient transform runs; its
    bprop is FUNCTION_BPROPS[name](args, kwargs, out, dout): the call's arguments as given (self first)."""
    def wrap(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            tape = STATE.tape
            if tape is None:
                return fn(*args, **kwargs)
            return tape.run(name, fn, args, kwargs, None)
        return wrapper
    return wrap
