"""The device model: one kernel contract on both targets, compute follows data, mixed devices refused."""
import inspect

import numpy as np
import pytest

from minispore import Tensor, context
from minispore.ops import operations as ops


def _signature(fn):
    return inspect.signature(getattr(fn, "py_func", fn))


def test_kernel_modules_export_the_same_names_and_signatures():
    from minispore.kernels import cpu
    cuda = pytest.importorskip("minispore.kernels.cuda", reason="numba-cuda is not installed")
    assert cpu.__all__ == cuda.__all__
    for name in cpu.__all__:
        if name == "philox4x32":  # a body: same source on both targets by construction
            continue
        assert _signature(getattr(cpu, name)) == _signature(getattr(cuda, name)), name


def test_ops_follow_their_inputs_device(device):
    a = Tensor(np.ones([2, 2], np.float32))
    context.set_context(device_target="CPU")
    out = a + a  # created on `device`, computed there even though the context now says CPU
    assert out._backend is a._backend and repr(out._backend).startswith(device)


def test_mixed_devices_raise_type_error(device):
    if device == "CPU":
        pytest.skip("needs the GPU backend")
    on_gpu = Tensor(np.ones([2], np.float32))
    context.set_context(device_target="CPU")
    on_cpu = Tensor(np.ones([2], np.float32))
    with pytest.raises(TypeError, match="one device.*'x' on GPU:0 and 'y' on CPU:0"):
        ops.Add()(on_gpu, on_cpu)
    with pytest.raises(TypeError, match="one device"):
        weight_on_gpu = Tensor._wrap(on_gpu._array()[:1].reshape(1, 1, 1, 1), on_gpu._backend)
        ops.Conv2D(1, 1)(Tensor(np.ones([1, 1, 2, 2], np.float32)), weight_on_gpu)
