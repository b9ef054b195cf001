"""When CPU kernels run in parallel, and how parallel regions are kept safe (CPU only).

Small work runs on the calling thread: opening a parallel region costs more than a few thousand elements take,
and a region waits for every thread, so tiny ops crawl (milliseconds each) when another process holds a core.
`Split` compiles one prange kernel twice, lazily, each on first use: in parallel, and serially for work below
`SERIAL_BELOW`. Both run the same code per element, so they give the same bits.

Numba's `workqueue` threading layer, what it falls back to without OpenMP or TBB, aborts the whole process when
two Python threads run parallel kernels at once. Parallel regions therefore hold one lock whenever the layer might
be workqueue: until the first parallel region has told which layer Numba picked, and for good if it is
workqueue. The `omp` and `tbb` layers run concurrent regions; there the lock is skipped.
"""
import functools
import threading

import numba

from ._retarget import rebound

__all__ = ["SERIAL_BELOW", "Split", "serialised", "rebound"]

SERIAL_BELOW = 1 << 15  # units of work (elements, or products for a convolution) below which a kernel runs serially

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


class Split:
    """A prange kernel `fn`, with some of its globals bound to `constants`, run in parallel or serially by size.

    `split(work, *args)` runs the serial copy when `work` < SERIAL_BELOW, else the parallel one under the lock.
    Numba compiles each copy on its first call only, so a program of small tensors never builds a parallel one.
    `serial` rebinds more globals in the serial copy only (a cheaper-to-compile item function: same bits).
    """

    def __init__(self, fn, name=None, serial=None, **constants):
        name = name or fn.__name__
        options = dict(cache=True, error_model="numpy")
        serial_globals = dict(constants, **serial or {})
        self.serial = numba.njit(parallel=False, **options)(rebound(fn, name + "_serial", serial_globals))
        self.parallel = numba.njit(parallel=True, **options)(rebound(fn, name, constants))
        self._parallel = serialised(self.parallel)

    def __call__(self, work, *args):
        if work < SERIAL_BELOW:
            return self.serial(*args)
        return self._parallel(*args)
