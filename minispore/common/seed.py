"""The global seed, and how each of the three initializer generators (DESIGN section 6) turns it into seeds.

- "portable": element i of an initialised tensor is a pure function of (seed, stream, i); `stream` numbers the
  random initialiser calls since the last `set_seed` (claimed when the lazy tensor is created). Without
  `set_seed`, a seed is drawn from the OS once per process and `get_seed()` stays None.
- "mindspore-r1.3": MindSpore r1.3's `_get_graph_seed(get_seed(), "init")`, consumed when a tensor is
  materialised: (global seed, a per-op-seed table entry), the entry then advancing by 533697028.
- "mindspore-2": MindSpore 2.x's `np.random.randint(1, 2**63)` from NumPy's global generator, at materialisation.

Every claim takes one lock, so concurrent initialisation never hands out the same stream or seed twice.
"""
import os
import threading

import numpy as np

from .. import _checks

__all__ = ["set_seed", "get_seed"]

OP_STREAM_BASE = 1 << 62  # streams of random ops (Dropout) start here, far from the initialisers' streams

_MASK64 = (1 << 64) - 1
_MAXINT32 = 2 ** 31 - 1
_R13_DEFAULT_GRAPH_SEED = 87654321  # r1.3 replaces a global seed of 0 by this
_R13_SEED_STEP = 0xD2511F53 ^ 0xCD9E8D57  # r1.3's _update_seeds: keyConstant[0] ^ keyConstant[2]
_lock = threading.Lock()
_state = {"seed": None, "stream": 0, "op_stream": 0, "process_seed": None}
_r13_table = {}  # op seed -> the next seed2 of r1.3's ("init", op seed) entry


def set_seed(seed):
    """Set the global seed: initialisers after this call draw the same values on every run.

    Like MindSpore, it also seeds NumPy's global generator (which MindSpore's own initializers, user
    `Initializer` subclasses and the "mindspore-*" generators draw from) and resets r1.3's per-op seed table.

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
        _state["op_stream"] = 0
        for op_seed in _r13_table:  # r1.3's _reset_op_seed
            _r13_table[op_seed] = op_seed
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
    """Claim the next stream of the portable generator: returns (seed, stream) for one random initialiser call."""
    with _lock:
        return _claim("stream")


def _claim(counter):
    """(seed, n) with n the next value of `counter`; the seed drawn from the OS once per process without
    `set_seed`. Call under the lock."""
    seed = _state["seed"]
    if seed is None:
        if _state["process_seed"] is None:
            _state["process_seed"] = int.from_bytes(os.urandom(4), "little")
        seed = _state["process_seed"]
    n = _state[counter]
    _state[counter] = n + 1
    return seed, n


def next_op_stream():
    """Claim a stream for one call of a random op without op seeds (Dropout): (seed, OP_STREAM_BASE + n), n
    counting those calls since the last `set_seed`. Apart from the initialisers' streams, so a dropout never
    changes the weights initialised after it."""
    with _lock:
        seed, n = _claim("op_stream")
    return seed, OP_STREAM_BASE + n


def r13_seeds():
    """(seed, seed2) of MindSpore r1.3's `_get_graph_seed(get_seed(), "init")`, advancing its table entry.

    With no global seed r1.3 passes (0, 0) and its kernel seeds itself from the clock; here both come from the
    OS instead (equally unrepeatable).
    """
    with _lock:
        op_seed = _state["seed"]
        if op_seed is None:
            return (int.from_bytes(os.urandom(4), "little") % _MAXINT32,
                    int.from_bytes(os.urandom(4), "little") % _MAXINT32)
        global_seed = _R13_DEFAULT_GRAPH_SEED if op_seed == 0 else op_seed
        entry = _r13_table.setdefault(op_seed, op_seed)
        _r13_table[op_seed] = entry + _R13_SEED_STEP
    return global_seed % _MAXINT32, entry % _MAXINT32


def ms2_seed():
    """MindSpore 2.x's per-initializer seed: `np.random.randint(1, 2**63)` from NumPy's global generator."""
    with _lock:
        return int(np.random.randint(low=1, high=2 ** 63, dtype=np.int64))
