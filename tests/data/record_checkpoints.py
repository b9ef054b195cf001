"""Record checkpoint files written by MindSpore 2.10.0: tests/data/ms2_*.ckpt and ms2_reference.safetensors.

How the files were made
    MindSpore 2.10.0, CPU wheel, in the throwaway venv of record_mindspore2.py (/tmp/ms2/venv; protobuf 7.36.2,
    safetensors 0.8.0, NumPy 2.4.6, Python 3.11.7, x86-64 Linux). Command, from the repository root:
        /tmp/ms2/venv/bin/python tests/data/record_checkpoints.py
    The script refuses any MindSpore other than 2.10.0, writes the files below, and prints each file's records
    (tag, dims, tensor_type, bytes) as MindSpore's own checkpoint_pb2 parses them.

What they hold (the values are `reference_params()` / `REFERENCE_APPEND` below, which tests/test_serialization.py
imports from this file: this module needs only NumPy until `main` runs)
    ms2_reference.ckpt         a Cell with float16/float32/float64/int8/int32/int64/uint8/bool parameters
                               (a scalar one too), nested names ('body.conv.weight'), and an append_dict with
                               an int, a float, a bool and a non-ASCII str.
    ms2_reference_crc.ckpt     the same, saved with crc_check=True (the b'crc_num' trailer).
    ms2_sliced.ckpt            a 3840-byte float32 tensor then an int8 one, saved from a Cell with MindSpore's
                               SLICE_SIZE set to 1 KB (its constant is 512 MB): the tensor's bytes are cut into
                               4 same-tag records of <= 1024 bytes.
    ms2_sliced_rows.ckpt       the same tensors with async_save="thread": MindSpore's other writer, which cuts the
                               array into 4 blocks of rows with numpy.array_split (960 bytes each).
    ms2_reference.safetensors  the parameters and the append_dict's numbers, format="safetensors",
                               crc_check=True.
"""
import os
import sys

import numpy as np

RECORDED = "2026-12-01"
HERE = os.path.dirname(os.path.abspath(__file__))

REFERENCE_APPEND = {"epoch": 3, "lr": 0.125, "flag": True, "note": "héllo wörld ✓ 日本"}
# MindSpore saves an int as an Int64 scalar, a float as a Float32 scalar and a bool as a Bool scalar
REFERENCE_APPEND_ARRAYS = {"epoch": np.array(3, np.int64), "lr": np.array(0.125, np.float32),
                           "flag": np.array(True)}
SLICED_SLICE_KB = 1  # the SLICE_SIZE (KB) the sliced files were written with


def reference_params():
    """name -> array of the reference net's parameters, in the net's order (a cell's own, then its children's)."""
    return {
        "step": np.array([-2**40, 2**62 + 3], np.int64),
        "mask": np.array([[True, False], [False, True]]),
        "pixels": np.array([0, 1, 127, 255], np.uint8),
        "small": np.array([-128, 5, 127], np.int8),
        "gamma": np.array([1 / 3, -2.5e-300], np.float64),
        "scale": np.array(2.5, np.float32),
        "body.count": np.array([[-2**31, -1, 0], [1, 7, 2**31 - 1]], np.int32),
        "body.conv.weight": ((np.arange(24) - 11.5) / 8).astype(np.float32).reshape(2, 3, 2, 2),
        "body.conv.bias": np.array([0.5, -1.25, 65504.0], np.float16),
    }


def sliced_params():
    """name -> array of the sliced files' parameters."""
    return {"big": (np.arange(960, dtype=np.float32) * 0.25 - 7).reshape(48, 20),
            "after": np.array([1, -2, 3], np.int8)}


def _net(ms, params):
    """A MindSpore Cell holding `params` under their dotted names (sub-cells for the prefixes)."""
    nn = ms.nn

    class Holder(nn.Cell):
        pass

    root = Holder()
    for name, array in params.items():
        *path, leaf = name.split(".")
        cell = root
        for part in path:
            if part not in cell._cells:
                setattr(cell, part, Holder())
            cell = getattr(cell, part)
        setattr(cell, leaf, ms.Parameter(ms.Tensor(array), name=name))
    names = [p.name for p in root.get_parameters()]
    assert names == list(params), names
    return root


def _show(path, checkpoint_class):
    content = open(path, "rb").read()
    if content[-17:-10] == b"crc_num":
        print(f"  crc trailer {content[-10:].hex()}")
        content = content[:-17]
    for value in checkpoint_class.FromString(content).value:
        tensor = value.tensor
        print(f"  {value.tag!r} dims={list(tensor.dims)} type={tensor.tensor_type} bytes={len(tensor.tensor_content)}")


def main():
    import google.protobuf
    import mindspore as ms
    import safetensors
    from mindspore.train import serialization
    from mindspore.train.checkpoint_pb2 import Checkpoint

    if ms.__version__ != "2.10.0":
        sys.exit(f"needs mindspore 2.10.0, found {ms.__version__}")
    print(f"mindspore {ms.__version__}, protobuf {google.protobuf.__version__}, safetensors {safetensors.__version__}, "
          f"numpy {np.__version__}, python {sys.version.split()[0]}")
    out = {name: os.path.join(HERE, name) for name in (
        "ms2_reference.ckpt", "ms2_reference_crc.ckpt", "ms2_sliced.ckpt", "ms2_sliced_rows.ckpt",
        "ms2_reference.safetensors")}
    net = _net(ms, reference_params())
    ms.save_checkpoint(net, out["ms2_reference.ckpt"], append_dict=dict(REFERENCE_APPEND))
    ms.save_checkpoint(net, out["ms2_reference_crc.ckpt"], append_dict=dict(REFERENCE_APPEND), crc_check=True)
    numbers = {k: v for k, v in REFERENCE_APPEND.items() if not isinstance(v, str)}
    ms.save_checkpoint(net, out["ms2_reference.safetensors"], append_dict=numbers, crc_check=True,
                       format="safetensors")
    default_slice = serialization.SLICE_SIZE
    serialization.SLICE_SIZE = SLICED_SLICE_KB  # read at call time by MindSpore's writers
    try:
        sliced = _net(ms, sliced_params())
        ms.save_checkpoint(sliced, out["ms2_sliced.ckpt"])
        ms.save_checkpoint(sliced, out["ms2_sliced_rows.ckpt"], async_save="thread")
        serialization._wait_async_thread_save_ckpt()
    finally:
        serialization.SLICE_SIZE = default_slice
    for name, path in out.items():
        print(f"{name}: {os.path.getsize(path)} bytes")
        if name.endswith(".ckpt"):
            _show(path, Checkpoint)
        os.chmod(path, 0o644)  # MindSpore leaves its files read-only (0o400)


if __name__ == "__main__":
    main()
