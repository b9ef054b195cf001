"""Global seed and the stream counter of the RNG contract (DESIGN section 6).

The value of element i of an initialised tensor is a pure function of (seed, stream, i). `stream` numbers the
random initialiser calls since the last `set_seed`, so the same program after `set_seed(s)` gives the same
weights. Without `set_seed`, a seed is drawn from the OS once per process and `get_seed()` stays None.
"""
import os
import threading

import numpy as np

from .. import _checks

__all__ = ["set_seed", "get_seed"]

_MASK64 = (1 << 64) - 1
_state = {"seed": None, "stream": 0, "process_seed": None}
_lock = threading.Lock()  # streams are claimed by one thread at a time: two threads never share one


def set_seed(seed):
    """Set the global seed: initialisers after this call draw streams 0, 1, 2, ... of this seed.

    Like MindSpore, it also seeds NumPy's global generator (used by user `Initializer` subclasses).

    Args:
        seed (int): 0 <= seed < 2**32.

    Raises:
        TypeError: `seed` is not an int.
        ValueError: `seed` is negative or too large.
    """
    _checks.check_non_negative_int("set_seed", "seed", seed)
    if seed >= 2 ** 32:
        _checks.fail("set_seed", "seed", "less than 2**32", seed)
    with _lock:
        _state["seed"] = int(seed)
        _state["stream"] = 0
        np.random.seed(int(seed))


def get_seed():
    """The seed given to `set_seed`, or None when none was set."""
    return _state["seed"]


def splitmix64(x):
    """SplitMix64 (Steele et al. 2014) of a 64-bit integer: the Philox key of a seed."""
    z = (x + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def next_stream():
    """Claim the next stream: returns (seed, stream) for one random initialiser call."""
    with _lock:
        seed = _state["seed"]
        if seed is None:
            if _state["process_seed"] is None:
                _state["process_seed"] = int.from_bytes(os.urandom(4), "little")
            seed = _state["process_seed"]
        stream = _state["stream"]
        _state["stream"] = stream + 1
    return seed, stream
