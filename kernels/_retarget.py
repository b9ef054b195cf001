"""Compile the bodies of `bodies.py` for one target: the mechanism behind "one body, two wrappers"."""
import types

from . import bodies

__all__ = ["compile_bodies", "rebound"]


def compile_bodies(wrap, overrides=None, wide=False, bind=None):
    """Wrap every body with `wrap`, resolving the bodies' global names to the wrapped versions.

    Each body is copied with a private globals dict in which the names of the other bodies (and any
    `overrides`, such as a target's `mul`) are bound to their compiled forms, so a body calling `mul` or
    `philox4x32` calls that target's version. `wide`: the names of `bodies.WIDE` (float32 constants, `mul`, the
    float32 exp/log cores) are bound to their double twins instead, so the float bodies compute in float64.
    `bind` maps names of `bodies.BIND` to the bodies they stand for in this compile (else their defaults).
    Returns a dict name -> compiled body.
    """
    namespace = dict(vars(bodies))
    compiled = {}
    for name in bodies.__all__:
        fn = getattr(bodies, name)
        copy = types.FunctionType(fn.__code__, namespace, name, fn.__defaults__, fn.__closure__)
        copy.__qualname__ = fn.__qualname__
        compiled[name] = wrap(copy)
    compiled.update(overrides or {})
    namespace.update(compiled)
    if wide:
        namespace.update({name: namespace[twin] for name, twin in bodies.WIDE.items()})
    namespace.update({name: namespace[body] for name, body in dict(bodies.BIND, **(bind or {})).items()})
    return compiled


def rebound(fn, name, constants):
    """A copy of the function `fn` named `name` whose globals `constants` (a dict) replace its module's."""
    copy = types.FunctionType(fn.__code__, dict(fn.__globals__, **constants), name, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = name  # the cache file's name: each copy has its own entries
    return copy
