"""Compile the bodies of `bodies.py` for one target: the mechanism behind "one body, two wrappers"."""
import types

from . import bodies

__all__ = ["compile_bodies"]


def compile_bodies(wrap, overrides=None):
    """Wrap every body with `wrap`, resolving the bodies' global names to the wrapped versions.

    Each body is copied with a private globals dict in which the names of the other bodies (and any
    `overrides`, such as a target's `mul`) are bound to their compiled forms, so a body calling `mul` or
    `philox4x32` calls that target's version. Returns a dict name -> compiled body.
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
    return compiled
