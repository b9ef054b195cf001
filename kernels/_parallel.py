"""Parallel regions called from several Python threads (CPU only).

Numba's `workqueue` threading layer, what it falls back to without OpenMP or TBB, aborts the whole process when
two Python threads run parallel kernels at once. `serialised` makes a launcher hold one lock while it runs its
kernels whenever the layer might be workqueue: until the first parallel region has told which layer Numba
picked, and for good if it is workqueue. The `omp` and `tbb` layers run concurrent regions; there the lock is
skipped.
"""
import functools
import threading

import numba

__all__ = ["serialised"]

_lock = threading.RLock()  # re-entrant: a launcher may call another launcher
_concurrent = None  # None until known; then whether the threading layer runs concurrent regions


def serialised(launcher):
    """Decorator: run `launcher` under the lock unless Numba's threading layer is known to be thread-safe."""
    @functools.wraps(launcher)
    def run(*args):
        global _concurrent
        if _concurrent:
            return launcher(*args)
        with _lock:
            result = launcher(*args)
            if _concurrent is None:
                try:
                    _concurrent = numba.threading_layer() != "workqueue"
                except ValueError:  # no parallel region has run yet (e.g. an empty input)
                    pass
            return result
    return run
