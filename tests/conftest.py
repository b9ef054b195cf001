"""The `device` fixture: every test that takes it runs on the CPU and on the GPU backend.

GPU means a real NVIDIA GPU or Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1); without either, the GPU case is
reported as skipped (the reason is printed once, in pytest's header). Under the simulator each CUDA thread is a
Python thread, so tests size their cases with `small` (True there).
"""
import os

import pytest
from hypothesis import settings

from minispore import context

# The same examples on every run: a CI run that passed once passes again (explore with --hypothesis-seed=random)
settings.register_profile("minispore", derandomize=True)
settings.load_profile("minispore")

SIMULATED = os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")


def _gpu_unavailable_reason():
    try:
        context.set_context(device_target="GPU")
    except RuntimeError as exc:
        return str(exc)
    finally:
        context.set_context(device_target="CPU")
    return None


_GPU_SKIP = _gpu_unavailable_reason()


def pytest_report_header(config):
    """Why GPU cases are skipped, said once rather than in every SKIPPED line."""
    if _GPU_SKIP:
        return f"GPU cases skipped: {_GPU_SKIP}"
    return f"GPU cases run on {'the CUDA simulator' if SIMULATED else 'the GPU'}"


def pytest_addoption(parser):
    parser.addoption("--gpu-part", action="store_true",
                     help="leave out the device fixture's CPU cases and the tests marked cpu_only (the simulator "
                          "pass of .ci/run: the first pass ran them)")


def _cpu_case(item):
    """Whether `item` runs on the CPU only: a `device` fixture case on the CPU, or a test marked `cpu_only`."""
    if item.get_closest_marker("cpu_only"):
        return True
    return bool(getattr(item, "callspec", None)) and item.callspec.params.get("device") == "CPU"


def pytest_collection_modifyitems(config, items):
    """With --gpu-part, deselect every test that runs on the CPU only (the first pass of .ci/run ran them)."""
    if not config.getoption("--gpu-part"):
        return
    cpu = [item for item in items if _cpu_case(item)]
    if cpu:
        config.hook.pytest_deselected(items=cpu)
        chosen = set(map(id, cpu))
        items[:] = [item for item in items if id(item) not in chosen]


@pytest.fixture(params=["CPU", "GPU"])
def device(request):
    """The device_target under test; the context is reset to the CPU afterwards."""
    if request.param == "GPU" and _GPU_SKIP:
        pytest.skip("no GPU backend (why: see the header)")
    context.set_context(device_target=request.param)
    yield request.param
    context.set_context(device_target="CPU")


@pytest.fixture
def small(device):
    """True when the device is the (slow) CUDA simulator: use tiny shapes."""
    return device == "GPU" and SIMULATED
