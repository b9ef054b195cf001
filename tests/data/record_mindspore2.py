"""Record MindSpore 2.10.0's initializer arrays for the "mindspore-2" generator: tests/data/mindspore2_reference.npz.

How the data were made
    MindSpore 2.10.0, CPU wheel (mindspore-2.10.0-cp311-cp311-manylinux1_x86_64.whl), in a throwaway venv:
        python -m venv /tmp/ms2/venv && /tmp/ms2/venv/bin/pip install mindspore==2.10.0
    which brought NumPy 2.4.6 and SciPy 1.17.1 (Python 3.11.7, x86-64 Linux, 2 cores, PyNative mode, the default).
    Command, from the repository root:
        /tmp/ms2/venv/bin/python tests/data/record_mindspore2.py
    Recorded 2026-12-01 (RECORDED below). The script prints the versions it ran with and refuses any MindSpore
    other than 2.10.0.

What it holds
    Every scenario of tests/ms2_scenarios.py (``scenario_NAME(ms)``, run with ``ms = mindspore``), each array
    under the key ``"<scenario>/<name>"`` (a name may itself contain '/'), exactly as MindSpore returned it
    (dtype included). np.savez_compressed, no pickles.

What 2.10.0 does (read from the wheel's mindspore/common/{initializer,seed,tensor,parameter}.py,
mindspore/nn/layer/conv.py, and the public mindspore/ccsrc/include/common/random.h and random_normal pybind):
  * ``set_seed(s)`` calls ``np.random.seed(s)``. Each random initializer, when materialised, takes its seed as
    ``np.random.randint(low=1, high=2**63, dtype=np.int64)`` (one per C++ call) from NumPy's global generator.
  * Materialisation: ``Tensor.init_data()`` (or the first ``asnumpy()``); ``Parameter(lazy)`` materialises at
    construction; ``nn.Conv2d`` builds (so materialises) the weight Parameter, then the bias Parameter.
  * Normal / Uniform / TruncatedNormal are C++ (Philox4x32-10, counter-based, values computed in double and
    rounded to float32; element i depends only on (seed, i), not on the thread count).
  * Other dtypes: drawn into a float32 array, then assigned by NumPy (float16 rounds, float64 widens, ints
    truncate toward zero).
  * Defaults that differ from r1.3: TruncatedNormal(sigma=0.01, mean=0.0, a=-2.0, b=2.0) with ABSOLUTE bounds;
    VarianceScaling's default distribution 'truncated_normal' is compared against 'truncated_norm' and so samples
    the uniform; nn.Conv2d defaults weight_init=HeUniform(math.sqrt(5)), bias_init=Uniform(1/sqrt(fan_in)).

A pure-NumPy specification that reproduces every array of this file bit for bit was written alongside (it lives
outside the repository); the record is MindSpore's own output, not that specification's.
"""
import os
import sys

import numpy as np

RECORDED = "2026-12-01"
HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
OUT = os.path.join(HERE, "mindspore2_reference.npz")


def main():
    import mindspore
    import scipy

    if mindspore.__version__ != "2.10.0":
        sys.exit(f"needs mindspore 2.10.0, found {mindspore.__version__}")
    sys.path.insert(0, TESTS)
    import ms2_scenarios

    arrays = ms2_scenarios.run_all(mindspore)
    for key, value in arrays.items():
        if value.dtype == object:
            sys.exit(f"{key}: object array")
    np.savez_compressed(OUT, **arrays)
    total = sum(v.nbytes for v in arrays.values())
    print(f"mindspore {mindspore.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"python {sys.version.split()[0]}")
    print(f"{len(arrays)} arrays in {len(ms2_scenarios.SCENARIOS)} scenarios, {total} bytes raw, "
          f"{os.path.getsize(OUT)} bytes on disk -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
