"""Numba's on-disk cache, keyed on the shared bodies as well as on each kernel's own file.

Numba stamps a cached kernel with the source of its own file only, but our kernels inline the bodies of
`bodies.py` (rebound per target by `_retarget.py`): after an edit there, a stale kernel kept running. `install`
puts ahead of Numba's cache locators subclasses that serve only this package's files and add a digest of those
shared files to the stamp, so an edit invalidates every kernel built from them. Other code's caching is untouched.
"""
import hashlib
import os
import sys
import threading

__all__ = ["install", "announce_compiles"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_SHARED = ("bodies.py", "_retarget.py")  # files whose code is compiled into kernels defined in other files


def _digest():
    sha = hashlib.sha256()
    for name in _SHARED:
        with open(os.path.join(_HERE, name), "rb") as file:
            sha.update(file.read())
    return sha.hexdigest()


def _stamped(base, digest):
    """A subclass of the locator class `base` for this package's files, whose stamp also covers `digest`."""
    class Stamped(base):
        _minispore_digest = digest

        @classmethod
        def from_function(cls, py_func, py_file):
            if os.path.dirname(os.path.abspath(py_file)) != _HERE:
                return None
            return super().from_function(py_func, py_file)

        def get_source_stamp(self):
            return super().get_source_stamp(), digest

    Stamped.__name__ = Stamped.__qualname__ = f"Minispore{base.__name__}"
    return Stamped


def install(caching):
    """Stamp this package's kernels with the shared files' digest in `caching` (numba.core.caching or
    numba.cuda.core.caching); call before the module's first ``cache=True`` decorator. Idempotent."""
    locators = caching.CacheImpl._locator_classes
    if any(hasattr(cls, "_minispore_digest") for cls in locators):
        return
    digest = _digest()
    locators[:0] = [_stamped(cls, digest) for cls in locators]


_announced = threading.Event()


def announce_compiles(event_module):
    """Say once on stderr, when Numba first compiles one of this package's kernels (a cache miss: the first run
    on a machine, or after an upgrade), that the pause is compiling, not a hang. `event_module` is
    numba.core.event. Idempotent."""
    class Announce(event_module.Listener):
        def on_start(self, event):
            dispatcher = (event.data or {}).get("dispatcher")
            py_func = getattr(dispatcher, "py_func", None)
            if _announced.is_set() or py_func is None or not _ours(py_func):
                return
            _announced.set()
            sys.stderr.write("minispore: compiling kernels for this machine (first run only; later runs load them "
                             "from Numba's cache) ...\n")
            sys.stderr.flush()

        def on_end(self, event):
            pass

    if not getattr(event_module, "_minispore_announce", False):
        event_module._minispore_announce = True
        event_module.register("numba:compile", Announce())


def _ours(py_func):
    code = getattr(py_func, "__code__", None)
    return code is not None and os.path.dirname(os.path.abspath(code.co_filename)) == _HERE
