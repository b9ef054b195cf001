"""Execution context: where new tensors are created (``device_target``, ``device_id``), the mode, and which
generator random initializers draw from (``initializer_rng``)."""
from . import _backend, _checks

__all__ = ["set_context", "get_context", "GRAPH_MODE", "PYNATIVE_MODE"]

GRAPH_MODE = 0
PYNATIVE_MODE = 1

DEVICE_TARGETS = ("CPU", "GPU")
# "mindspore-r1.3": MindSpore r1.3's numbers (the guide's printouts); "mindspore-2": MindSpore 2.10's;
# "portable": minispore's own Philox contract (fast, and any slice can be generated alone). DESIGN section 6.
INITIALIZER_RNGS = ("mindspore-r1.3", "mindspore-2", "portable")

_context = {"device_target": "CPU", "device_id": 0, "mode": GRAPH_MODE, "initializer_rng": "mindspore-r1.3"}


def _check_target(value):
    target = _checks.check_choice("set_context", "device_target", value, DEVICE_TARGETS)
    _backend.get_backend(target, _context["device_id"])  # fails now, with a clear message, if unusable
    return target


def _check_mode(value):
    expected = "GRAPH_MODE (0) or PYNATIVE_MODE (1)"
    if not _checks.is_int(value):
        _checks.fail("set_context", "mode", expected, value, TypeError)
    if value not in (GRAPH_MODE, PYNATIVE_MODE):
        _checks.fail("set_context", "mode", expected, value)
    return int(value)


_CHECKS = {
    "device_target": _check_target,
    "device_id": lambda v: _checks.check_non_negative_int("set_context", "device_id", v),
    "mode": _check_mode,
    "initializer_rng": lambda v: _checks.check_choice("set_context", "initializer_rng", v, INITIALIZER_RNGS),
}


def set_context(**kwargs):
    """Set context attributes: ``device_target`` ('CPU' or 'GPU'), ``device_id`` (int >= 0), ``mode``,
    ``initializer_rng`` ('mindspore-r1.3', the default, 'mindspore-2' or 'portable').

    minispore always executes eagerly; ``mode`` is recorded and validated so MindSpore scripts run unchanged.
    ``initializer_rng`` applies to initializers whose tensors are created after the call.

    Raises:
        ValueError: an unknown attribute or a value outside its allowed set.
        TypeError: a value of the wrong type.
        RuntimeError: 'GPU' was selected and no usable GPU stack exists (see the message).
    """
    for key in kwargs:
        if key not in _CHECKS:
            _checks.fail("set_context", "key", f"one of {sorted(_CHECKS)}", key)
    # device_id first, so that selecting the GPU builds the backend for the requested device
    for key in sorted(kwargs, key=lambda k: k != "device_id"):
        _context[key] = _CHECKS[key](kwargs[key])


def get_context(attr_key):
    """The value of one context attribute."""
    if attr_key not in _context:
        _checks.fail("get_context", "attr_key", f"one of {sorted(_context)}", attr_key)
    return _context[attr_key]
