"""The "mindspore-2" generator against arrays recorded from MindSpore 2.10.0 (tests/data/record_mindspore2.py).

Every scenario of `ms2_scenarios` runs here through minispore and must give MindSpore's arrays bit for bit, on the
CPU and on the GPU backend. Orthogonal's QR is NumPy's float32 LAPACK: bit-exact with the NumPy build that recorded
the data (2.4.6's OpenBLAS), else compared to 1e-6.
"""
import pathlib

import numpy as np
import pytest

import minispore
from minispore import context

import ms2_scenarios

DATA = np.load(pathlib.Path(__file__).parent / "data" / "mindspore2_reference.npz")
EXPECTED = {}
for _key in DATA.files:
    _scenario, _name = _key.split("/", 1)
    EXPECTED.setdefault(_scenario, {})[_name] = DATA[_key]
# under the simulator every CUDA thread is a Python thread: the GPU runs the scenarios without big arrays
SMALL_SCENARIOS = [s for s in ms2_scenarios.SCENARIOS if s != "big"]


@pytest.fixture
def mindspore_2():
    context.set_context(initializer_rng="mindspore-2")
    yield
    context.set_context(initializer_rng="mindspore-r1.3")


def _compare(scenario, got):
    expected = EXPECTED[scenario]
    assert sorted(got) == sorted(expected)
    for name, want in expected.items():
        have = np.asarray(got[name])
        assert have.dtype == want.dtype and have.shape == want.shape, name
        if "orthogonal" in name and np.__version__ != "2.4.6":
            np.testing.assert_allclose(have, want, rtol=1e-6, atol=1e-6, err_msg=name)
        else:
            assert have.tobytes() == want.tobytes(), f"{scenario}/{name}"


@pytest.mark.parametrize("scenario", list(ms2_scenarios.SCENARIOS))
def test_reproduces_mindspore_2_10_on_the_cpu(mindspore_2, scenario):
    _compare(scenario, ms2_scenarios.SCENARIOS[scenario](minispore))


@pytest.mark.parametrize("scenario", SMALL_SCENARIOS)
def test_reproduces_mindspore_2_10_on_the_gpu(device, small, mindspore_2, scenario):
    if device == "CPU":
        pytest.skip("the CPU runs every scenario above")
    _compare(scenario, ms2_scenarios.SCENARIOS[scenario](minispore))
