"""The guide's examples, run as a user runs them: the runner prints every section and the exact outputs."""
import pathlib
import subprocess
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_runner_runs_all_seven_examples_in_order():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "run_all.py")], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    sections = [line for line in out.splitlines() if line.startswith("=== ")]
    assert [s.split(":")[0][4:] for s in sections] == [
        "01_character_string.py", "02_initializer_subclass.py", "03_custom_tensor.py", "04_init_is_tensor.py",
        "05_init_is_str.py", "06_init_is_initializer_subclass.py", "07_application_in_parameter.py"]
    blocks = dict(zip((s.split(":")[0][4:] for s in sections), out.split("=== ")[1:]))
    assert "[[[[12. 18. 18. ... 18. 18. 12.]\n   [18. 27. 27. ... 27. 27. 18.]" in blocks["03_custom_tensor.py"]
    assert "[[[[[108. 108. 108. ... 108. 108. 108.]" in blocks["04_init_is_tensor.py"]
    for name in ("05_init_is_str.py", "06_init_is_initializer_subclass.py"):
        assert "[[[[[" in blocks[name] and "nan" not in blocks[name]
    first = _first_value(blocks["01_character_string.py"])
    second = _first_value(blocks["02_initializer_subclass.py"])
    np.testing.assert_allclose(second, 20 * first, rtol=1e-5)


def _first_value(block):
    return float(block.splitlines()[1].strip("[ ").split()[0])
