"""The gradient tape: which primitive calls a running gradient transform records (DESIGN 9).

Outside `minispore.grad` / `value_and_grad` / `GradOperation` no tape exists: a recorded call costs one extra
Python call and the test of one module global (the count of running transforms; only when it is not 0 is this
thread's tape read). Inside one, the outermost recorded call of each operation is
kept with its inputs and outputs (a primitive's own inner calls, and the backward pass, are not recorded), and
only when one of its Tensor inputs depends on what is differentiated. The backward walk lives in
`minispore.ops._grad`; this module only records, so `common.tensor` can mark its own differentiable methods.
"""
import functools
import inspect
import threading

__all__ = ["STATE", "Tape", "Record", "recorded_call", "differentiable", "FUNCTION_BPROPS", "start", "stop"]


class _State(threading.local):
    tape = None  # the Tape of the gradient transform running in this thread, or None


STATE = _State()
_ACTIVE = 0  # gradient transforms running in any thread: while 0, a recorded call reads no thread-local
_LOCK = threading.Lock()


def start(tape):
    """Make `tape` this thread's tape (a gradient transform begins)."""
    global _ACTIVE
    with _LOCK:
        _ACTIVE += 1
    STATE.tape = tape


def stop():
    """This thread's gradient transform ends: no tape."""
    global _ACTIVE
    STATE.tape = None
    with _LOCK:
        _ACTIVE -= 1

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


def _passthrough(fn, slow):
    """A function with fn's own parameters (so a call forwards them without packing) that calls fn while no
    transform runs and slow(*the same arguments) otherwise; None when fn's parameters are not all plain
    positional-or-keyword ones (then a generic *args wrapper is used)."""
    params = list(inspect.signature(fn).parameters.values())
    if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD or p.name in ("fn", "slow") or
           p.name.startswith("_d") for p in params):
        return None
    header = ", ".join(p.name if p.default is p.empty else f"{p.name}=_d{i}" for i, p in enumerate(params))
    names = ", ".join(p.name for p in params)
    defaults = [f"_d{i}" for i, p in enumerate(params) if p.default is not p.empty]
    source = (f"def make(fn, slow{''.join(', ' + d for d in defaults)}):\n"
              f"    def passthrough({header}):\n"
              f"        if not _ACTIVE:\n"
              f"            return fn({names})\n"
              f"        return slow({names})\n"
              f"    return passthrough\n")
    scope = {}
    exec(source, globals(), scope)  # noqa: S102 (a generated signature; globals: the live _ACTIVE)
    wrapper = scope["make"](fn, slow, *(p.default for p in params if p.default is not p.empty))
    return functools.update_wrapper(wrapper, fn)


def recorded_call(call):
    """A primitive's `__call__`, recorded while a gradient transform runs (Primitive's subclass hook)."""
    bind = _binder(call, skip_first=True)

    @functools.wraps(call)
    def __call__(self, *args, **kwargs):
        tape = STATE.tape
        if tape is None:
            return call(self, *args, **kwargs)
        return tape.run(self, call, (self,) + args, kwargs, bind)
    fast = _passthrough(call, __call__)
    wrapper = fast if fast is not None else __call__
    wrapper._recorded = True
    return wrapper


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
        fast = _passthrough(fn, wrapper)
        return fast if fast is not None else wrapper
    return wrap
