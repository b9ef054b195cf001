"""The guide's examples, run as a user runs them: the runner prints every section and the exact outputs."""
import os
import pathlib
import subprocess
import sys

import re

import numpy as np
import pytest

import guide_outputs
from conftest import SIMULATED

ROOT = pathlib.Path(__file__).resolve().parents[1]
ALL = ["01_character_string.py", "02_initializer_subclass.py", "03_custom_tensor.py", "04_init_is_tensor.py",
       "05_init_is_str.py", "06_init_is_initializer_subclass.py", "07_application_in_parameter.py",
       "lenet5.py", "resnet_block.py"]


def _run(device, numbers=()):
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "run_all.py"), "--device", device, *numbers],
                         capture_output=True, text=True, check=True, cwd=ROOT, env=dict(os.environ)).stdout
    sections = [line.split(":")[0][4:] for line in out.splitlines() if line.startswith("=== ")]
    return dict(zip(sections, out.split("=== ")[1:]))


def _first_value(block):
    return float(block.splitlines()[1].strip("[ ").split()[0])


def _squeeze(text):
    return re.sub(r"\s+", "", text)


def _blocks_at(text, depth):
    """The bracketed parts of `text` at bracket depth `depth` (1 = the outermost)."""
    out, level, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            level += 1
            start = i if level == depth else start
        elif ch == "]":
            if level == depth:
                out.append(text[start:i + 1])
            level -= 1
    return out


def _as_the_guide_shows(printed):
    """Our printout of a (1, C, H, W) tensor with its channel axis abridged as the guide's page does: first and
    last channel only (NumPy and MindSpore show three at each end). Whitespace is dropped."""
    channels = _blocks_at(_squeeze(printed), 3)
    return "[[" + channels[0] + "..." + channels[-1] + "]]"


def test_the_guide_examples_print_the_guide_digits(device):
    if device == "GPU" and SIMULATED:  # each simulated CUDA thread is a Python thread: minutes per example
        pytest.skip("the guide's 1x3x16x50 -> 64 convolutions take minutes in the CUDA simulator; test_conv checks "
                    "the GPU convolution's bits against the CPU's, and scripts/gpu_check.sh runs this on a GPU")
    blocks = _run(device, ("01", "02", "07"))
    for name, expected in (("01_character_string.py", guide_outputs.EXAMPLE_1),
                           ("02_initializer_subclass.py", guide_outputs.EXAMPLE_2)):
        printed = blocks[name].split("\n", 1)[1]
        assert _as_the_guide_shows(printed) == _squeeze(expected), name
    printed = blocks["07_application_in_parameter.py"].split("\n", 1)[1]
    assert _squeeze(printed) == _squeeze(guide_outputs.EXAMPLE_7)


def test_runner_runs_the_guide_examples_in_order(device):
    # In the CUDA simulator the guide's convolutions take minutes (01-03) to hours (the Conv3D examples 04-06), and
    # LeNet5's two dense initialisations ~40 s and the ResNet block ~75 s (tests/test_models.py runs both there with
    # host-made weights and small inputs): it runs example 07.
    # The training example (minutes) runs in tests/test_train.py, briefly.
    numbers = ("07",) if device == "GPU" and SIMULATED else (
        "01", "02", "03", "04", "05", "06", "07", "lenet5", "resnet_block")
    blocks = _run(device, numbers)
    assert list(blocks) == [name for name in ALL if not numbers or {name[:2], name[:-3]} & set(numbers)]
    if "03_custom_tensor.py" in blocks:
        assert "[[[[12. 18. 18. ... 18. 18. 12.]\n   [18. 27. 27. ... 27. 27. 18.]" in blocks["03_custom_tensor.py"]
        np.testing.assert_allclose(_first_value(blocks["02_initializer_subclass.py"]),
                                   20 * _first_value(blocks["01_character_string.py"]), rtol=1e-5)
    assert "[[" in blocks["07_application_in_parameter.py"] and "nan" not in blocks["07_application_in_parameter.py"]
    if "lenet5.py" in blocks:
        assert "LeNet5 output (32, 10)" in blocks["lenet5.py"] and "nan" not in blocks["lenet5.py"]
        assert "a fresh net differs: True; not loaded: [] []" in blocks["lenet5.py"]
        assert "loaded net gives the same output: True" in blocks["lenet5.py"]
    if "resnet_block.py" in blocks:
        assert "identity shortcut: (2, 8, 8, 8) -> (2, 8, 8, 8)" in blocks["resnet_block.py"]
        assert "downsample shortcut: (2, 8, 8, 8) -> (2, 16, 4, 4)" in blocks["resnet_block.py"]
        assert "nan" not in blocks["resnet_block.py"]
    if "04_init_is_tensor.py" in blocks:
        assert "[[[[[108. 108. 108. ... 108. 108. 108.]" in blocks["04_init_is_tensor.py"]
        for name in ("05_init_is_str.py", "06_init_is_initializer_subclass.py"):
            assert "[[[[[" in blocks[name] and "nan" not in blocks[name]
        np.testing.assert_allclose(_first_value(blocks["06_init_is_initializer_subclass.py"]),
                                   20 * _first_value(blocks["05_init_is_str.py"]), rtol=2e-3)  # printed digits


def test_same_seed_same_printout_on_cpu_and_gpu(device):
    if device == "CPU":
        pytest.skip("compares the CPU with the GPU backend")
    cpu, gpu = _run("CPU", ("07",)), _run("GPU", ("07",))
    assert cpu["07_application_in_parameter.py"].replace("(CPU)", "") == \
        gpu["07_application_in_parameter.py"].replace("(GPU)", "")
