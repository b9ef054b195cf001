"""Device backends: where tensor data live and which kernel module computes on them.

A backend is a small object: an array module (`xp`), a kernel module (`kernels`, the launchers of
`minispore.kernels.cpu` or `.cuda`, which share names and signatures), allocation, and host<->device copies.
Backends are built lazily and cached; the GPU one imports numba.cuda and CuPy only when first asked for.
"""
import contextlib
import math
import os
import threading

import numpy as np

__all__ = ["Backend", "get_backend", "current_backend"]

_INSTALL_HINT = 'install the GPU extra: pip install "minispore[gpu]"'


class Backend:
    """One device: `name` ('CPU' or 'GPU'), `device_id`, `xp` (numpy or cupy) and `kernels`."""

    def __init__(self, name, device_id, xp, kernels, device=None):
        self.name = name
        self.device_id = device_id
        self.xp = xp
        self.kernels = kernels
        self._device = device  # a cupy.cuda.Device on a real GPU, else None
        self._local = threading.local()  # per-thread scratch buffer

    def __repr__(self):
        return f"{self.name}:{self.device_id}"

    def _on(self):
        """Context manager that makes this backend's device current (no-op on the CPU and the simulator)."""
        return self._device if self._device is not None else contextlib.nullcontext()

    def empty(self, shape, dtype):
        """An uninitialised array on this device."""
        if self._device is None:  # the CPU and the simulator: no device to make current (the small-op path)
            return self.xp.empty(shape, dtype)
        with self._on():
            return self.xp.empty(shape, dtype)

    def scratch(self, shape, dtype):
        """A work buffer of `shape` (contents undefined). On the CPU it is kept per Python thread and grown on
        demand, so kernels needing workspace neither allocate nor pay first-touch page faults on every call; on a
        GPU it comes from CuPy's memory pool and goes back there when the caller drops it, so the largest
        convolution run so far does not keep its workspace for ever."""
        if self.name != "CPU":
            return self.empty(shape, dtype)
        nbytes = math.prod(shape) * np.dtype(dtype).itemsize
        buffer = getattr(self._local, "scratch", None)
        if buffer is None or buffer.nbytes < nbytes:
            buffer = self._local.scratch = self.empty((max(nbytes, 1),), np.uint8)
        return buffer[:nbytes].view(dtype).reshape(shape)

    def full(self, shape, value, dtype):
        """An array of `value` on this device."""
        with self._on():
            return self.xp.full(shape, value, dtype)

    def from_host(self, array, copy=False):
        """A C-contiguous device array holding `array` (a host->device copy on a GPU; on the CPU a copy only when
        `copy` or when `array` is not C-contiguous)."""
        with self._on():
            if copy and self.xp is np:
                return np.array(array, order="C", copy=True)
            return self.xp.asarray(array, order="C")

    def to_host(self, array):
        """A NumPy array with the data of `array` (a device->host copy on a GPU)."""
        return array if self.xp is np else self.xp.asnumpy(array)  # synchronize!


_backends = {}
_backends_lock = threading.Lock()  # two threads' first tensors must not build two CPU backends


def _simulated():
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")


def _make_cpu(device_id):
    from minispore.kernels import cpu
    return Backend("CPU", device_id, np, cpu)


def _make_gpu(device_id):
    try:
        from numba import cuda
    except ImportError as exc:
        raise RuntimeError(f"device_target 'GPU' needs numba-cuda, which is not installed ({exc}); "
                           f"{_INSTALL_HINT}.") from None
    if _simulated():
        from minispore.kernels import cuda as kernels
        return Backend("GPU", device_id, np, kernels)
    try:
        import cupy
    except ImportError as exc:
        raise RuntimeError(f"device_target 'GPU' needs a CuPy wheel matching your CUDA driver (cupy-cuda12x or "
                           f"cupy-cuda13x), which is not importable ({exc}); {_INSTALL_HINT}.") from None
    try:
        available = cuda.is_available()
    except Exception:  # a broken driver or toolkit install can raise instead of answering False
        available = False
    if not available:
        raise RuntimeError("device_target 'GPU' needs an NVIDIA GPU with a working CUDA driver, and numba-cuda "
                           "found none (run `python -c 'from numba import cuda; cuda.detect()'` for details). "
                           "Use device_target='CPU', or NUMBA_ENABLE_CUDASIM=1 to run the GPU kernels in "
                           "Numba's CUDA simulator.")
    count = len(cuda.gpus)
    if device_id >= count:
        raise ValueError(f"For 'set_context', the 'device_id' must be less than the number of GPUs ({count}), "
                         f"but got {device_id}.")
    cuda.select_device(device_id)
    from minispore.kernels import cuda as kernels
    return Backend("GPU", device_id, cupy, kernels, cupy.cuda.Device(device_id))


def get_backend(name, device_id=0):
    """The cached backend of device `name` ('CPU' or 'GPU') number `device_id`, built on first use."""
    key = (name, device_id if name == "GPU" else 0)
    backend = _backends.get(key)
    if backend is None:
        with _backends_lock:  # ops compare backends by identity: there must be one per device
            backend = _backends.get(key)
            if backend is None:
                backend = _backends[key] = (_make_gpu if name == "GPU" else _make_cpu)(key[1])
    return backend


def current_backend():
    """The backend new tensors are created on, as chosen by ``context.set_context``."""
    from . import context
    return get_backend(context.get_context("device_target"), context.get_context("device_id"))
