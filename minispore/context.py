"""Execution context: where new tensors are created (``device_target``, ``device_id``), the mode, and which
generator random initializers draw from (``initializer_rng``).

MindSpore's other context keys (``save_graphs``, ``max_call_depth``, ``jit_config``, ...) are accepted and
type-checked as MindSpore 2.10 does, recorded, and otherwise ignored: minispore runs eagerly on one device, so they
change nothing here. Each ``set_context`` call that sets any of them warns once, naming them.
"""
import warnings

from . import _backend, _checks

__all__ = ["set_context", "get_context", "set_device", "GRAPH_MODE", "PYNATIVE_MODE"]

GRAPH_MODE = 0
PYNATIVE_MODE = 1

DEVICE_TARGETS = ("CPU", "GPU")
# "mindspore-r1.3": MindSpore r1.3's numbers (the guide's printouts); "mindspore-2": MindSpore 2.10's;
# "portable": minispore's own Philox contract (fast, and any slice can be generated alone). DESIGN section 6.
INITIALIZER_RNGS = ("mindspore-r1.3", "mindspore-2", "portable")

# MindSpore's keys that change nothing here: key -> (accepted types, MindSpore 2.10's default). The types are
# MindSpore's own `args_type_check` table; keys of r1.3 that 2.10 dropped are accepted too, so r1.3 scripts run.
_IGNORED = {
    "save_graphs": ((bool, int), 0), "save_graphs_path": (str, "."), "max_call_depth": (int, 1000),
    "deterministic": (str, "OFF"), "variable_memory_max_size": (str, "0"), "mempool_block_size": (str, "1GB"),
    "memory_optimize_level": (str, "O0"), "max_device_memory": (str, "1024GB"), "pynative_synchronize": (bool, False),
    "compile_cache_path": (str, ""), "enable_compile_cache": (bool, None), "inter_op_parallel_num": (int, 0),
    "runtime_num_threads": (int, 2), "disable_format_transform": (bool, False), "jit_syntax_level": (int, 2),
    "jit_config": (dict, {}), "exec_order": (str, "bfs"), "op_timeout": (int, 900), "aoe_tune_mode": (str, ""),
    "aoe_config": (dict, {}), "ascend_config": (dict, {}), "gpu_config": (dict, {}), "print_file_path": (str, ""),
    "env_config_path": (str, ""), "reserve_class_name_in_scope": (bool, True), "check_bprop": (bool, False),
    "debug_level": (int, 0), "enable_reduce_precision": (bool, True), "enable_graph_kernel": (bool, False),
    "graph_kernel_flags": (str, ""), "enable_profiling": (bool, False), "profiling_options": (str, "training_trace"),
    "support_binary": (bool, False), "save_compile_cache": (bool, False), "load_compile_cache": (bool, False),
    "enable_auto_mixed_precision": (bool, False), "enable_sparse": (bool, False), "auto_tune_mode": (str, ""),
    # r1.3 only
    "grad_for_scalar": (bool, False), "enable_dump": (bool, False), "save_dump_path": (str, "."),
}

_context = {"device_target": "CPU", "device_id": 0, "mode": PYNATIVE_MODE, "initializer_rng": "mindspore-r1.3"}


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


def _check_ignored(key, value):
    types, _ = _IGNORED[key]
    if not isinstance(value, types) or (isinstance(value, bool) and types is int):
        names = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        _checks.fail("set_context", key, f"a {names}", value, TypeError)
    return value


_CHECKS = {
    "device_target": _check_target,
    "device_id": lambda v: _checks.check_non_negative_int("set_context", "device_id", v),
    "mode": _check_mode,
    "initializer_rng": lambda v: _checks.check_choice("set_context", "initializer_rng", v, INITIALIZER_RNGS),
}


def set_context(**kwargs):
    """Set context attributes: ``device_target`` ('CPU' or 'GPU'), ``device_id`` (int >= 0), ``mode``,
    ``initializer_rng`` ('mindspore-r1.3', the default, 'mindspore-2' or 'portable'), and any of MindSpore's other
    keys, which are recorded and ignored with one warning.

    minispore always executes eagerly; ``mode`` is recorded and validated so MindSpore scripts run unchanged.
    ``initializer_rng`` applies to initializers whose tensors are created after the call. Nothing is set when any
    argument is refused.

    Raises:
        ValueError: an unknown attribute or a value outside its allowed set.
        TypeError: a value of the wrong type.
        RuntimeError: 'GPU' was selected and no usable GPU stack exists (see the message).
    """
    for key in kwargs:
        if key not in _CHECKS and key not in _IGNORED:
            _checks.fail("set_context", "key", f"one of {sorted(_CHECKS) + sorted(_IGNORED)}", key)
    checked = {key: _check_ignored(key, value) for key, value in kwargs.items() if key in _IGNORED}
    # device_id first, so that selecting the GPU builds the backend for the requested device
    device_id = _context["device_id"]
    try:
        for key in sorted((k for k in kwargs if k in _CHECKS), key=lambda k: k != "device_id"):
            checked[key] = _CHECKS[key](kwargs[key])
            if key == "device_id":
                _context["device_id"] = checked[key]
    finally:
        _context["device_id"] = device_id
    _context.update(checked)
    ignored = [key for key in kwargs if key in _IGNORED]
    if ignored:
        warnings.warn(f"For 'set_context', {ignored} change nothing in minispore (it runs eagerly on one device) "
                      f"and are ignored.", UserWarning, stacklevel=2)


def get_context(attr_key):
    """The value of one context attribute (MindSpore 2.10's default for an ignored key never set).

    Raises:
        ValueError: an unknown attribute.
    """
    if attr_key in _context:
        return _context[attr_key]
    if isinstance(attr_key, str) and attr_key in _IGNORED:
        return _IGNORED[attr_key][1]
    return _checks.fail("get_context", "attr_key", f"one of {sorted(_context) + sorted(_IGNORED)}", attr_key)


def set_device(device_target, device_id=None):
    """Choose the device new tensors are created on (MindSpore 2.x's ``mindspore.set_device``).

    Args:
        device_target (str): 'CPU' or 'GPU' (case-sensitive).
        device_id (int): the device number, >= 0. Default: None (keep the current one).

    Raises:
        TypeError: `device_target` is not a str, or `device_id` is not an int.
        ValueError: an unknown target or a negative id.
        RuntimeError: 'GPU' was selected and no usable GPU stack exists.
    """
    _checks.check_type("set_device", "device_target", device_target, str, "a str")
    kwargs = {"device_target": _checks.check_choice("set_device", "device_target", device_target, DEVICE_TARGETS)}
    if device_id is not None:
        kwargs["device_id"] = _checks.check_non_negative_int("set_device", "device_id", device_id)
    set_context(**kwargs)
