"""Numba kernels of minispore, installed as ``minispore.kernels``.

- ``bodies``: the scalar bodies, plain Python, shared by both targets.
- ``cpu``: ``numba.njit`` wrappers and ``prange`` launchers (CPU only); the convolution is in ``cpu_conv``.
- ``cuda``: ``numba.cuda.jit`` wrappers and grid-stride launchers (GPU only; imported on first GPU use).

This package imports numba, numpy and math only, never minispore. Both launcher modules export the same names
with the same signatures; every array argument is already allocated and every shape already computed by the
caller, so a launcher neither allocates (beyond scratch the caller sized) nor raises.
"""
