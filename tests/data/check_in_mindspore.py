"""Check that checkpoint files written by minispore load in MindSpore 2.10.0 (a scratch check, not run in CI).

Run from the repository root with MindSpore's venv (see record_checkpoints.py), naming a Python that imports
minispore:
    /tmp/ms2/venv/bin/python tests/data/check_in_mindspore.py --minispore-python /tmp/venv-ckpt/bin/python
It runs itself under that Python with ``--write DIR`` to write files with minispore, then, under MindSpore:
  * loads each with ``mindspore.load_checkpoint`` (crc_check=True where saved with a CRC) and compares every
    value, dtype and shape with what was saved;
  * loads them into a MindSpore Cell with ``load_param_into_net`` (strict_load=True) and compares again;
  * saves the same values with MindSpore and compares the .ckpt files byte for byte.
Prints one line per check and 'ALL PASSED' (exit 0) or the failures (exit 1).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import record_checkpoints as rc  # noqa: E402  (numpy only at import)

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
          "uint64", "bool"]
STRINGS = {"empty": "", "ascii": "lenet5 epoch 3", "bmp": "héllo ✓ 日本", "astral": "🤖 𝔸"}
APPEND_NUMBERS = {"epoch_num": 7, "lr": 0.5, "done": False}
SLICE_KB = 1  # minispore's SLICE_SIZE for the sliced file


def random_params(seed=0, count=36):
    """name -> array: every dtype, ranks 0 to 4, extreme values included."""
    rng = np.random.default_rng(seed)
    params = {}
    for i in range(count):
        dtype = np.dtype(DTYPES[i % len(DTYPES)])
        shape = tuple(int(d) for d in rng.integers(1, 5, size=int(rng.integers(0, 5))))
        if dtype.kind == "f":
            array = (rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4)).astype(dtype)
        elif dtype.kind == "b":
            array = rng.integers(0, 2, size=shape).astype(bool)
        else:
            info = np.iinfo(dtype)
            array = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
            array.reshape(-1)[:1] = info.max
        params[f"layer{i // 6}.p{i}_{dtype.name}"] = np.asarray(array, dtype)
    return params


def sliced_params():
    return {"big": np.arange(1000, dtype=np.float32).reshape(10, 100) / 3, "tail": np.array([5], np.int16),
            "big16": np.arange(700, dtype=np.float16)}


def files():
    """name -> (params, strings + numbers appended, save keyword arguments)."""
    return {
        "ref.ckpt": (rc.reference_params(), dict(rc.REFERENCE_APPEND), {}),
        "ref_crc.ckpt": (rc.reference_params(), dict(rc.REFERENCE_APPEND), {"crc_check": True}),
        "random.ckpt": (random_params(), dict(STRINGS, **APPEND_NUMBERS), {}),
        "random_crc.ckpt": (random_params(1), dict(STRINGS, **APPEND_NUMBERS), {"crc_check": True}),
        "sliced.ckpt": (sliced_params(), {}, {}),
        "ref.safetensors": (rc.reference_params(), dict(APPEND_NUMBERS), {"format": "safetensors",
                                                                          "crc_check": True}),
        "random.safetensors": (random_params(2), {}, {"format": "safetensors"}),
    }


def write(directory):
    """Write files() with minispore (run under a Python that imports minispore)."""
    import minispore as ms
    from minispore import nn
    from minispore.train import serialization

    class Holder(nn.Cell):
        pass

    for name, (params, append, kwargs) in files().items():
        net = Holder()
        for key, array in params.items():
            net.insert_param_to_cell(key.replace(".", "_"), ms.Parameter(ms.Tensor(array), name=key))
        serialization.SLICE_SIZE = SLICE_KB if name.startswith("sliced") else 512 * 1024
        ms.save_checkpoint(net, os.path.join(directory, name), append_dict=append or None, **kwargs)
    print(f"minispore {ms.__version__} wrote {len(files())} files")


def check(directory):
    """Load the files with MindSpore and compare; returns the failures."""
    import mindspore as ms
    from mindspore.train import serialization

    failures = []

    def expect(ok, what):
        print(("PASS " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    def same(loaded, array):
        got = loaded.asnumpy()
        return got.dtype == array.dtype and got.shape == array.shape and np.array_equal(got, array,
                                                                                        equal_nan=True)

    for name, (params, append, kwargs) in files().items():
        path = os.path.join(directory, name)
        fmt = kwargs.get("format", "ckpt")
        expected = dict(params)
        for key, value in append.items():
            expected[key] = value if isinstance(value, str) else np.array(
                value, np.float32 if isinstance(value, float) else None)
        loaded = ms.load_checkpoint(path, crc_check=kwargs.get("crc_check", False), format=fmt)
        keys = list(expected) if fmt == "ckpt" else sorted(expected)
        expect(list(loaded) == keys, f"{name}: names and order ({len(keys)} entries)")
        bad = [key for key, value in expected.items() if key not in loaded or (
            loaded[key] != value if isinstance(value, str) else not same(loaded[key], value))]
        expect(not bad, f"{name}: every value, dtype and shape equal" + (f" (not: {bad})" if bad else ""))

        net = ms.nn.Cell()
        for key, array in params.items():
            net.insert_param_to_cell(key.replace(".", "_"), ms.Parameter(ms.Tensor(np.zeros_like(array)), name=key))
        not_loaded, ckpt_not_loaded = ms.load_param_into_net(net, loaded, strict_load=True)
        bad = [p.name for p in net.get_parameters() if not same(p, params[p.name])]
        expect(not not_loaded and not bad and sorted(ckpt_not_loaded) == sorted(append),
               f"{name}: load_param_into_net(strict_load=True) loads every parameter exactly")

        if fmt == "ckpt":
            mine = os.path.join(directory, "mindspore_" + name)
            default_slice = serialization.SLICE_SIZE
            serialization.SLICE_SIZE = SLICE_KB if name.startswith("sliced") else default_slice
            try:
                ms.save_checkpoint(net, mine, append_dict=dict(append) or None,
                                   crc_check=kwargs.get("crc_check", False))
            finally:
                serialization.SLICE_SIZE = default_slice
            with open(mine, "rb") as theirs, open(path, "rb") as ours:
                expect(theirs.read() == ours.read(), f"{name}: byte-identical to MindSpore's own file")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", metavar="DIR", help="write the files with minispore into DIR")
    parser.add_argument("--minispore-python", help="a Python that imports minispore")
    args = parser.parse_args()
    if args.write:
        write(args.write)
        return
    import mindspore
    if mindspore.__version__ != "2.10.0":
        sys.exit(f"needs mindspore 2.10.0, found {mindspore.__version__}")
    if not args.minispore_python:
        sys.exit("needs --minispore-python")
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([args.minispore_python, os.path.abspath(__file__), "--write", directory], check=True)
        failures = check(directory)
    print("ALL PASSED" if not failures else f"{len(failures)} FAILED")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
