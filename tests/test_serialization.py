"""Checkpoints: MindSpore's .ckpt and safetensors formats, files MindSpore 2.10 wrote, all-or-nothing loading."""
import ast
import importlib.util
import inspect
import io
import logging
import os
import pathlib
import stat

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minispore
from minispore import Parameter, Tensor, context, load_checkpoint, load_param_into_net, save_checkpoint
from minispore import dtype as mstype
from minispore import nn
from minispore.train import serialization
from minispore.train._checkpoint_proto import Checkpoint

DATA = pathlib.Path(__file__).parent / "data"
_spec = importlib.util.spec_from_file_location("record_checkpoints", DATA / "record_checkpoints.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)  # NumPy only: MindSpore is imported by its main() alone

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
          np.uint32, np.uint64, np.bool_]


class Holder(nn.Cell):
    """A Cell holding the given arrays as Parameters named exactly so ('body.conv.weight')."""

    def __init__(self, params):
        super().__init__()
        for name, array in params.items():
            self.insert_param_to_cell(name.replace(".", "_"), Parameter(Tensor(array), name=name))


class Inner(nn.Cell):
    def __init__(self, w, b):
        super().__init__()
        self.w = Parameter(Tensor(w))
        self.b = Parameter(Tensor(b))


class Outer(nn.Cell):
    """Parameters 'body.w' and 'body.b' through a sub-cell, as a real network names them."""

    def __init__(self, w, b):
        super().__init__()
        self.body = Inner(w, b)


def snapshot(net):
    return {name: (param.dtype, param.asnumpy().copy()) for name, param in net.parameters_and_names()}


def assert_same(net, before):
    after = snapshot(net)
    assert list(after) == list(before)
    for name, (dtype, array) in before.items():
        assert after[name][0] == dtype and after[name][1].tobytes() == array.tobytes(), name


def reference_entries():
    entries = dict(reference.reference_params(), **reference.REFERENCE_APPEND_ARRAYS)
    entries["note"] = reference.REFERENCE_APPEND["note"]
    return entries


def assert_entries(loaded, expected, ordered=True):
    assert (list(loaded) if ordered else sorted(loaded)) == (list(expected) if ordered else sorted(expected))
    for name, value in expected.items():
        if isinstance(value, str):
            assert loaded[name] == value
        else:
            assert isinstance(loaded[name], Parameter) and loaded[name].name == name
            got = loaded[name].asnumpy()
            assert got.dtype == value.dtype and got.shape == value.shape, name
            assert got.tobytes() == value.tobytes(), name


# --- files written by MindSpore 2.10 -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ms2_reference.ckpt", "ms2_reference_crc.ckpt"])
def test_loads_mindspore_reference_files(name, caplog):
    with caplog.at_level(logging.WARNING):
        loaded = load_checkpoint(str(DATA / name), crc_check=name.endswith("crc.ckpt"))
    assert_entries(loaded, reference_entries())
    assert not caplog.records  # the CRC was there and checked
    assert str(mstype.to_dtype(loaded["epoch"].asnumpy().dtype)) == "Int64"


@pytest.mark.parametrize("name", ["ms2_sliced.ckpt", "ms2_sliced_rows.ckpt"])
def test_loads_mindspore_sliced_files(name):
    records = Checkpoint.FromString((DATA / name).read_bytes()).value
    assert [r.tag for r in records] == ["big"] * 4 + ["after"]  # the same-tag slices are there
    assert_entries(load_checkpoint(str(DATA / name)), reference.sliced_params())


def test_loads_mindspore_safetensors():
    expected = dict(reference.reference_params(), **reference.REFERENCE_APPEND_ARRAYS)
    loaded = load_checkpoint(str(DATA / "ms2_reference.safetensors"), format="safetensors", crc_check=True)
    assert list(loaded) == sorted(expected)
    assert_entries(loaded, expected, ordered=False)
    with open(DATA / "ms2_reference.safetensors", "rb") as file:
        from_bytes = load_checkpoint(io.BytesIO(file.read()), format="safetensors", crc_check=True)
    assert_entries(from_bytes, expected, ordered=False)


def test_loads_mindspore_file_into_a_net():
    params = reference.reference_params()
    net = Holder({name: np.zeros_like(array) for name, array in params.items()})
    not_loaded, ckpt_not_loaded = load_param_into_net(net, load_checkpoint(str(DATA / "ms2_reference.ckpt")),
                                                      strict_load=True)
    assert not_loaded == [] and ckpt_not_loaded == ["epoch", "lr", "flag", "note"]
    assert_entries(net.parameters_dict(), params)


# --- what we write is what MindSpore writes ------------------------------------------------------------------
def test_writes_mindspore_bytes(tmp_path, monkeypatch):
    net = Holder(reference.reference_params())
    save_checkpoint(net, str(tmp_path / "a.ckpt"), append_dict=dict(reference.REFERENCE_APPEND))
    assert (tmp_path / "a.ckpt").read_bytes() == (DATA / "ms2_reference.ckpt").read_bytes()
    save_checkpoint(net, str(tmp_path / "b.ckpt"), append_dict=dict(reference.REFERENCE_APPEND), crc_check=True)
    assert (tmp_path / "b.ckpt").read_bytes() == (DATA / "ms2_reference_crc.ckpt").read_bytes()
    monkeypatch.setattr(serialization, "SLICE_SIZE", reference.SLICED_SLICE_KB)
    save_checkpoint(Holder(reference.sliced_params()), str(tmp_path / "c.ckpt"))
    assert (tmp_path / "c.ckpt").read_bytes() == (DATA / "ms2_sliced.ckpt").read_bytes()


def test_writes_mindspore_safetensors_crc(tmp_path):
    # MindSpore's CRC covers bytes(array), which for a 0-d integer array is that many zero bytes: copied
    numbers = {k: v for k, v in reference.REFERENCE_APPEND.items() if not isinstance(v, str)}
    path = str(tmp_path / "a.safetensors")
    save_checkpoint(Holder(reference.reference_params()), path, append_dict=numbers, crc_check=True,
                    format="safetensors")
    from safetensors import safe_open
    with safe_open(path, framework="numpy") as ours, safe_open(str(DATA / "ms2_reference.safetensors"),
                                                               framework="numpy") as theirs:
        assert ours.metadata() == theirs.metadata()  # {"format": "ms", "crc_num": ...}
        assert list(ours.keys()) == list(theirs.keys())


# --- round trips ---------------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_round_trip(tmp_path_factory, data):
    directory = tmp_path_factory.mktemp("round")
    count = data.draw(st.integers(1, 4))
    params = {}
    for i in range(count):
        dtype = data.draw(st.sampled_from(DTYPES))
        shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
        params[f"layer{i}.p"] = data.draw(hnp.arrays(dtype, shape))  # any bits: NaN payloads, inf, -0.0
    fmt = data.draw(st.sampled_from(["ckpt", "safetensors"]))
    crc = data.draw(st.booleans())
    if fmt == "safetensors" and crc:  # MindSpore's CRC of a 0-d int is over bytes(value): 0 <= value (see below)
        params = {name: array for name, array in params.items() if array.ndim or array.dtype.kind not in "iu"
                  or 0 <= int(array) <= 1000} or {"w": np.ones(1, np.float32)}
    slice_kb = data.draw(st.sampled_from([serialization.SLICE_SIZE, 0.004, 0.05]))  # 4 or 51 bytes a record
    old, serialization.SLICE_SIZE = serialization.SLICE_SIZE, slice_kb
    try:
        save_checkpoint(Holder(params), str(directory / "net"), crc_check=crc, format=fmt)
    finally:
        serialization.SLICE_SIZE = old
    loaded = load_checkpoint(str(directory / f"net.{fmt}"), crc_check=crc, format=fmt)
    assert_entries(loaded, params, ordered=fmt == "ckpt")
    net = Holder({name: np.zeros_like(array) for name, array in params.items()})
    assert load_param_into_net(net, loaded, strict_load=True) == ([], [])
    assert_entries(net.parameters_dict(), params, ordered=fmt == "ckpt")


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=20), min_size=1, max_size=4))
def test_strings_round_trip_as_utf32(tmp_path_factory, strings):
    path = str(tmp_path_factory.mktemp("strings") / "s.ckpt")
    save_checkpoint([], path, append_dict=strings)
    records = Checkpoint.FromString(pathlib.Path(path).read_bytes()).value
    for record in records:
        assert record.tensor.tensor_type == "str" and list(record.tensor.dims) == [0]
        assert record.tensor.tensor_content == (strings[record.tag].encode("utf-32-le") or bytes(4))
    # read as NumPy's 'U' strings are, as MindSpore reads them: without trailing NULs
    assert load_checkpoint(path) == {name: value.rstrip("\0") for name, value in strings.items()}


def test_append_dict_types(tmp_path):
    path = str(tmp_path / "a.ckpt")
    append = {"i": 3, "f": 1.5, "t": True, "s": "x", "tensor": Tensor(np.arange(3, dtype=np.int16))}
    save_checkpoint(Holder({"w": np.ones(2, np.float32)}), path, append_dict=append)
    loaded = load_checkpoint(path)
    assert list(loaded) == ["w", "i", "f", "t", "s", "tensor"]
    assert (loaded["i"].dtype, loaded["i"].shape, loaded["i"].asnumpy().item()) == (mstype.int64, (), 3)
    assert (loaded["f"].dtype, loaded["f"].shape, loaded["f"].asnumpy().item()) == (mstype.float32, (), 1.5)
    assert (loaded["t"].dtype, loaded["t"].asnumpy().item()) == (mstype.bool_, True)
    assert loaded["s"] == "x" and loaded["tensor"].asnumpy().tolist() == [0, 1, 2]
    for bad in ({"k": None}, {"k": [1]}, {1: 2}, {"k": b"x"}):
        with pytest.raises(TypeError, match="append_dict"):
            save_checkpoint(Holder({"w": np.ones(2, np.float32)}), path, append_dict=bad)
    with pytest.raises(TypeError, match="append_dict"):
        save_checkpoint([], path, append_dict=[("a", 1)])


def test_safetensors_crc_of_integer_scalars(tmp_path):
    path = str(tmp_path / "s.safetensors")
    save_checkpoint([], path, append_dict={"epoch": 5, "zero": 0}, format="safetensors", crc_check=True)
    import binascii
    from safetensors import safe_open
    crc = binascii.crc32(bytes(5), binascii.crc32(b"epoch"))
    crc = binascii.crc32(b"zero", crc)  # bytes(0) adds nothing
    with safe_open(path, framework="numpy") as file:
        assert file.metadata()["crc_num"] == str(crc)
    assert load_checkpoint(path, format="safetensors", crc_check=True)["epoch"].asnumpy().item() == 5
    for value in (-1, 2 ** 40):  # MindSpore's own save fails on these (bytes(-1), a terabyte of zeros)
        with pytest.raises(ValueError, match="crc_check"):
            save_checkpoint([], path, append_dict={"epoch": value}, format="safetensors", crc_check=True)
    save_checkpoint([], path, append_dict={"epoch": -1}, format="safetensors")


def test_zero_size_tensors_are_not_written_as_in_mindspore(tmp_path):
    path = str(tmp_path / "z.ckpt")
    save_checkpoint(Holder({"empty": np.zeros((2, 0), np.float32), "w": np.ones(1, np.float32)}), path)
    assert list(load_checkpoint(path)) == ["w"]


def test_save_objects_and_choice_func(tmp_path):
    net = Outer(np.ones((2, 2), np.float32), np.zeros(2, np.float32))
    path = str(tmp_path / "n.ckpt")
    save_checkpoint(net, path, choice_func=lambda name: name.endswith(".w"))
    assert list(load_checkpoint(path)) == ["body.w"]
    save_checkpoint(net.trainable_params(), path)
    loaded = load_checkpoint(path)
    assert list(loaded) == ["body.w", "body.b"]
    save_checkpoint([{"name": "x", "data": Tensor(np.ones(3, np.int8))}], path)
    assert load_checkpoint(path)["x"].asnumpy().tolist() == [1, 1, 1]
    save_checkpoint(dict(loaded, note="hi", raw=np.arange(2)), path)  # a load_checkpoint result, extended
    assert list(load_checkpoint(path)) == ["body.w", "body.b", "note", "raw"]
    for bad in ("net", 3, [3], [{"name": 1, "data": Tensor(1)}], [{"name": "a", "data": 1}], {"a": 1}, {1: "a"}):
        with pytest.raises(TypeError, match="save_obj"):
            save_checkpoint(bad, path)


def test_file_names_and_permissions(tmp_path):
    net = Holder({"w": np.ones(1, np.float32)})
    save_checkpoint(net, str(tmp_path / "model"))
    assert (tmp_path / "model.ckpt").exists()
    assert stat.S_IMODE(os.stat(tmp_path / "model.ckpt").st_mode) == stat.S_IRUSR  # read-only, as MindSpore
    save_checkpoint(Holder({"w": np.full(1, 5, np.float32)}), str(tmp_path / "model.ckpt"))  # replaces it
    assert load_checkpoint(str(tmp_path / "model.ckpt"))["w"].asnumpy().item() == 5
    save_checkpoint(net, tmp_path / "path.ckpt")  # os.PathLike too
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt", "path.ckpt"]  # no temporary file left
    with pytest.raises(IsADirectoryError):
        save_checkpoint(net, str(tmp_path))
    with pytest.raises(TypeError, match="ckpt_file_name"):
        save_checkpoint(net, 3)
    with pytest.raises(ValueError, match="ckpt_file_name"):
        load_checkpoint(str(tmp_path / "model.safetensors"))  # 'ckpt' format, other suffix
    with pytest.raises(TypeError, match="ckpt_file_name"):
        load_checkpoint(io.BytesIO(b""))  # BytesIO for safetensors only


def test_async_save_copies_the_data_first(tmp_path):
    net = Holder({"w": np.ones(1000, np.float32)})
    path = str(tmp_path / "a.ckpt")
    for mode in (True, "thread", "process"):
        save_checkpoint(net, path, async_save=mode)
        net.w.set_data(Tensor(np.zeros(1000, np.float32)))  # after the call: not in the file
        serialization._wait_async_saves()
        assert load_checkpoint(path)["w"].asnumpy().min() == 1
        net.w.set_data(Tensor(np.ones(1000, np.float32)))
    with pytest.raises(ValueError, match="async_save"):
        save_checkpoint(net, path, async_save="fork")
    with pytest.raises(TypeError, match="async_save"):
        save_checkpoint(net, path, async_save=1)


def test_lazy_parameters(tmp_path):
    from minispore.common.initializer import initializer
    net = Holder({})
    net.insert_param_to_cell("w", Parameter(initializer("ones", [2, 2], mstype.float32), name="w"))
    path = str(tmp_path / "lazy.ckpt")
    save_checkpoint(net, path)
    assert load_checkpoint(path)["w"].asnumpy().tolist() == [[1, 1], [1, 1]]
    target = Holder({})
    target.insert_param_to_cell("w", Parameter(Tensor(shape=[2, 2], dtype=mstype.float32, init=initializer(
        "zeros", [2, 2], mstype.float32).init), name="w"))
    load_checkpoint(path, net=target)
    assert target.w.asnumpy().tolist() == [[1, 1], [1, 1]]


# --- corrupt, truncated and mismatched files leave the net as it was ----------------------------------------
def _good(tmp_path, crc=False):
    params = {"a.w": np.arange(6, dtype=np.float32).reshape(2, 3), "a.b": np.array([1, 2], np.int32),
              "c": np.array([True, False])}
    path = tmp_path / "good.ckpt"
    save_checkpoint(Holder(params), str(path), crc_check=crc, append_dict={"note": "n"})
    return params, path


def _victim(params):
    return Holder({name: np.full_like(array, 7) for name, array in params.items()})


def _raw(records):
    """A .ckpt file of records (tag, dims, tensor_type, content), built with the protobuf classes."""
    out = b""
    for tag, dims, type_name, content in records:
        checkpoint = Checkpoint()
        value = checkpoint.value.add()
        value.tag = tag
        value.tensor.dims.extend(dims)
        if type_name is not None:
            value.tensor.tensor_type = type_name
        if content is not None:
            value.tensor.tensor_content = content
        out += checkpoint.SerializePartialToString()
    return out


CORRUPT = {
    "garbage": b"\xff\xfe garbage \x00\x01" * 3,
    "text": b"hello world, not a checkpoint",
    "size": _raw([("a.w", [2, 3], "Float32", bytes(20))]),
    "type": _raw([("a.w", [2, 3], "Complex64", bytes(48))]),
    "bfloat16": _raw([("a.w", [2, 3], "BFloat16", bytes(12))]),
    "negative dims": _raw([("a.w", [-2, -3], "Float32", bytes(24))]),
    "no tensor_type": _raw([("a.w", [2, 3], None, bytes(24))]),
    "no content": _raw([("a.w", [2, 3], "Float32", None)]),
    "slices disagree": _raw([("a.w", [2, 3], "Float32", bytes(12)), ("a.w", [3, 2], "Float32", bytes(12))]),
    "utf32": _raw([("s", [0], "str", b"\x00\x00\x11\x00")]),
    "utf32 length": _raw([("s", [0], "str", b"abcde")]),
    "bad record after good ones": _raw([("a.b", [2], "Int32", bytes(8)), ("a.w", [2, 3], "Float32", bytes(3))]),
    "map tensor": b"\n\x08\n\x03a.w\x1a\x01x",  # Value{tag, maptensor{...}}
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_file_raises_and_leaves_net(tmp_path, case):
    params, _ = _good(tmp_path)
    net = _victim(params)
    before = snapshot(net)
    path = tmp_path / "bad.ckpt"
    path.write_bytes(CORRUPT[case])
    with pytest.raises(ValueError, match="load_checkpoint"):
        load_checkpoint(str(path), net=net)
    assert_same(net, before)


def test_every_truncation_raises_or_loads_whole_records(tmp_path):
    params, path = _good(tmp_path)
    content = path.read_bytes()
    boundaries, offset = {0}, 0
    for record in Checkpoint.FromString(content).value:
        one = Checkpoint()
        one.value.append(record)
        offset += len(one.SerializeToString())
        boundaries.add(offset)
    for cut in range(len(content)):
        net = _victim(params)
        before = snapshot(net)
        (tmp_path / "cut.ckpt").write_bytes(content[:cut])
        if cut in boundaries:  # a shorter, valid file: as in MindSpore, what it holds loads
            if cut:
                loaded = load_checkpoint(str(tmp_path / "cut.ckpt"), net=net)
                assert all(name in params or name == "note" for name in loaded)
            continue
        with pytest.raises(ValueError):
            load_checkpoint(str(tmp_path / "cut.ckpt"), net=net)
        assert_same(net, before)


def test_every_flipped_byte_fails_the_crc(tmp_path):
    params, path = _good(tmp_path, crc=True)
    content = path.read_bytes()
    assert content[-17:-10] == b"crc_num"
    net = _victim(params)
    before = snapshot(net)
    for i in range(len(content) - 17):  # every byte of the records
        damaged = bytearray(content)
        damaged[i] ^= 0x20
        (tmp_path / "flip.ckpt").write_bytes(bytes(damaged))
        with pytest.raises(ValueError, match="crc|valid checkpoint"):
            load_checkpoint(str(tmp_path / "flip.ckpt"), net=net, crc_check=True)
    assert_same(net, before)
    damaged = bytearray(content)
    damaged[-1] ^= 1  # the CRC itself
    (tmp_path / "flip.ckpt").write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="crc check"):
        load_checkpoint(str(tmp_path / "flip.ckpt"), net=net, crc_check=True)
    assert load_checkpoint(str(tmp_path / "flip.ckpt"))["a.b"].asnumpy().tolist() == [1, 2]  # not checked


def test_crc_missing_warns(tmp_path, caplog):
    _, path = _good(tmp_path)
    with caplog.at_level(logging.WARNING, logger="minispore.train.serialization"):
        load_checkpoint(str(path), crc_check=True)
    assert "no crc" in caplog.text


def test_empty_and_missing_files(tmp_path):
    params, _ = _good(tmp_path)
    net = _victim(params)
    before = snapshot(net)
    (tmp_path / "empty.ckpt").write_bytes(b"")
    with pytest.raises(ValueError, match="must not be empty"):
        load_checkpoint(str(tmp_path / "empty.ckpt"), net=net)
    with pytest.raises(ValueError, match="existing checkpoint file"):
        load_checkpoint(str(tmp_path / "missing.ckpt"), net=net)
    (tmp_path / "dir.ckpt").mkdir()
    with pytest.raises(ValueError, match="existing checkpoint file"):
        load_checkpoint(str(tmp_path / "dir.ckpt"), net=net)
    assert_same(net, before)


@pytest.mark.parametrize("strict", [False, True])
def test_shape_mismatch_loads_nothing(tmp_path, strict):
    params, path = _good(tmp_path)
    net = _victim(dict(params, c=np.array([True, False, True])))  # the last parameter mismatches
    before = snapshot(net)
    with pytest.raises(RuntimeError, match=r"parameter_dict\['c'\].*same shape.*\(3,\).*shape \(2,\)"):
        load_checkpoint(str(path), net=net, strict_load=strict)
    assert_same(net, before)


def test_dtype_mismatch(tmp_path):
    params, path = _good(tmp_path)
    net = _victim(dict(params, **{"a.w": np.zeros((2, 3), np.float16)}))
    before = snapshot(net)
    with pytest.raises(RuntimeError, match="same type.*Float16.*Float32"):
        load_checkpoint(str(path), net=net, strict_load=True)
    assert_same(net, before)
    assert load_checkpoint(str(path), net=net) is not None  # not strict: float32 -> float16
    assert net.parameters_dict()["a.w"].dtype == mstype.float16
    assert net.parameters_dict()["a.w"].asnumpy().tolist() == [[0, 1, 2], [3, 4, 5]]
    for net_dtype in (np.uint8, np.float32, np.bool_):  # int32 in the file: no conversion to these
        net = _victim(dict(params, **{"a.b": np.zeros(2, net_dtype)}))
        before = snapshot(net)
        with pytest.raises(RuntimeError, match="same type"):
            load_checkpoint(str(path), net=net)
        assert_same(net, before)
    net = _victim(dict(params, **{"a.b": np.zeros(2, np.int8)}))
    load_checkpoint(str(path), net=net)
    assert net.parameters_dict()["a.b"].dtype == mstype.int8


def test_safetensors_corrupt(tmp_path):
    params = {"w": np.arange(6, dtype=np.float32)}
    path = tmp_path / "s.safetensors"
    save_checkpoint(Holder(params), str(path), format="safetensors", crc_check=True)
    content = path.read_bytes()
    net = _victim(params)
    before = snapshot(net)
    damaged = bytearray(content)
    damaged[-1] ^= 0x40
    cases = {"crc": bytes(damaged), "truncated": content[:-3], "garbage": b"12345678 not safetensors",
             "empty": b"", "header": content[:8] + b"[" + content[9:]}
    for case, data in cases.items():
        (tmp_path / "bad.safetensors").write_bytes(data)
        with pytest.raises(ValueError, match="load_checkpoint"):
            load_checkpoint(str(tmp_path / "bad.safetensors"), net=net, crc_check=True, format="safetensors")
        assert_same(net, before)
    (tmp_path / "bad.safetensors").write_bytes(bytes(damaged))
    load_checkpoint(str(tmp_path / "bad.safetensors"), format="safetensors")  # a CRC is checked only if asked


def test_loading_runs_nothing_from_the_file():
    # a checkpoint is data: no pickle (nor numpy.load, which can unpickle), no eval/exec of anything read
    tree = ast.parse(inspect.getsource(serialization))
    dotted = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            dotted.add(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.Name):
            dotted.add(node.id)
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module}
    assert not dotted & {"eval", "exec", "compile", "__import__", "np.load", "numpy.load", "allow_pickle"}
    assert not modules & {"pickle", "marshal", "dill", "cloudpickle", "shelve", "importlib"}
    assert "safetensors" in modules and "json" in modules  # what it does use: data parsers


# --- filters -------------------------------------------------------------------------------------------------
def test_prefix_filters_and_choice_func(tmp_path):
    _, path = _good(tmp_path)
    path = str(path)
    assert list(load_checkpoint(path)) == ["a.w", "a.b", "c", "note"]
    assert list(load_checkpoint(path, filter_prefix="a.")) == ["c", "note"]
    assert list(load_checkpoint(path, filter_prefix=["a.w", "no"])) == ["a.b", "c"]
    assert list(load_checkpoint(path, specify_prefix=("a.", "c"))) == ["a.w", "a.b", "c"]
    assert list(load_checkpoint(path, specify_prefix="a.", filter_prefix="a.b")) == ["a.w"]
    assert list(load_checkpoint(path, choice_func=lambda name: name.startswith("c"))) == ["c"]
    # a prefix argument overrides choice_func, as in MindSpore
    assert list(load_checkpoint(path, specify_prefix="c", choice_func=lambda name: False)) == ["c"]
    with pytest.raises(ValueError, match="must not be empty"):
        load_checkpoint(path, filter_prefix=["a", "c", "n"])
    for bad, error in (("", ValueError), ([], ValueError), (["a", ""], ValueError), (1, TypeError),
                       ([1], TypeError)):
        with pytest.raises(error, match="filter_prefix"):
            load_checkpoint(path, filter_prefix=bad)
        with pytest.raises(error, match="specify_prefix"):
            load_checkpoint(path, specify_prefix=bad)
    with pytest.raises(TypeError, match="choice_func"):
        load_checkpoint(path, choice_func="a")


def test_safetensors_filters_and_bytesio(tmp_path):
    path = tmp_path / "s.safetensors"
    save_checkpoint(Holder({"b.x": np.ones(2, np.int64), "a.y": np.zeros(1, np.float16)}), str(path),
                    format="safetensors")
    assert list(load_checkpoint(str(path), format="safetensors")) == ["a.y", "b.x"]
    assert list(load_checkpoint(str(path), format="safetensors", filter_prefix="a")) == ["b.x"]
    assert list(load_checkpoint(str(path), format="safetensors", choice_func=lambda n: n == "a.y")) == ["a.y"]
    loaded = load_checkpoint(io.BytesIO(path.read_bytes()), format="safetensors")
    assert loaded["b.x"].asnumpy().tolist() == [1, 1]
    with pytest.raises(ValueError, match="safetensors"):
        save_checkpoint(Holder({"w": np.ones(1, np.float32)}), str(path), format="safetensors",
                        append_dict={"s": "str"})
    with pytest.raises(ValueError, match="format"):
        save_checkpoint(Holder({}), str(path), format="npz")
    with pytest.raises(ValueError, match="format"):
        load_checkpoint(str(path), format="npz")


# --- load_param_into_net -------------------------------------------------------------------------------------
def P(array, name=None):
    return Parameter(Tensor(np.asarray(array)), name=name)


def test_suffix_matching_as_mindspore():
    # MindSpore 2.10, checked with its wheel: a prefix is found for the first unloaded parameter, every unloaded
    # one loads under it, then again; names loaded so stay in ckpt_not_load
    net = Holder({"a": np.zeros(1, np.float32), "c": np.zeros(1, np.float32), "e": np.zeros(1, np.float32)})
    params = {"p.a": P([1.0]), "q.c": P([2.0]), "p.e": P([3.0]), "q.a": P([9.0])}
    assert load_param_into_net(net, params) == ([], ["p.a", "q.c", "p.e", "q.a"])
    assert [p.asnumpy().item() for p in net.get_parameters()] == [1.0, 2.0, 3.0]
    net = Holder({"a": np.zeros(1, np.float32), "c": np.zeros(1, np.float32)})
    assert load_param_into_net(net, {"xa": P([1.0])}) == (["c"], ["xa"])  # a suffix, not a dotted name
    net = Holder({"a": np.zeros(1, np.float32)})
    assert load_param_into_net(net, {"p.a": P([1.0])}, strict_load=True) == (["a"], ["p.a"])
    assert net.a.asnumpy().item() == 0


def test_suffix_matching_of_a_network():
    net = Outer(np.zeros((2, 2), np.float32), np.zeros(2, np.float16))
    saved = {"backbone.body.w": P(np.ones((2, 2), np.float32)), "backbone.body.b": P(np.ones(2, np.float32))}
    assert load_param_into_net(net, saved) == ([], list(saved))
    assert net.body.w.asnumpy().sum() == 4 and net.body.b.dtype == mstype.float16


def test_entries_that_are_not_loaded():
    net = Holder({"w": np.zeros(2, np.float32), "b": np.zeros(2, np.float32), "accu_grads.w": np.zeros(1)})
    assert load_param_into_net(net, {"w": "a string", "b": P([1.0, 2.0])}) == ([], ["w"])
    assert net.w.asnumpy().tolist() == [0, 0]  # a str entry is skipped, and not reported as missing


def test_trailing_unit_dims_load_as_mindspore():
    net = Holder({"w": np.zeros((2, 3), np.float32)})
    load_param_into_net(net, {"w": P(np.ones((2, 3, 1, 1), np.float32))})
    assert net.w.shape == (2, 3) and net.w.asnumpy().sum() == 6
    with pytest.raises(RuntimeError, match="same shape"):
        load_param_into_net(net, {"w": P(np.ones((3, 2, 1, 1), np.float32))})  # same size, other shape


def test_loaded_data_are_a_copy():
    net = Holder({"w": np.zeros(2, np.float32)})
    source = P(np.ones(2, np.float32), "w")
    load_param_into_net(net, {"w": source})
    source.set_data(Tensor(np.full(2, 5, np.float32)))
    source.asnumpy()[0] = 9  # shares memory with source on the CPU
    assert net.w.asnumpy().tolist() == [1, 1]


def test_load_param_into_net_errors():
    net = Holder({"w": np.zeros(2, np.float32)})
    with pytest.raises(TypeError, match="'net'"):
        load_param_into_net({"w": P([1.0])}, {})
    with pytest.raises(TypeError, match="parameter_dict"):
        load_param_into_net(net, [("w", P([1.0]))])
    with pytest.raises(TypeError, match="parameter_dict"):
        load_param_into_net(net, {"w": np.ones(2)})
    with pytest.raises(TypeError, match="strict_load"):
        load_param_into_net(net, {}, strict_load=1)
    with pytest.raises(TypeError, match="remove_redundancy"):
        load_param_into_net(net, {}, remove_redundancy=True)


# --- arguments we cannot honour ------------------------------------------------------------------------------
def test_unsupported_arguments_refused(tmp_path):
    net = Holder({"w": np.zeros(2, np.float32)})
    path = str(tmp_path / "a.ckpt")
    with pytest.raises(ValueError, match="enc_key.*encryption"):
        save_checkpoint(net, path, enc_key=b"0123456789abcdef")
    with pytest.raises(TypeError, match="enc_key"):
        save_checkpoint(net, path, enc_key="key")
    with pytest.raises(ValueError, match="incremental"):
        save_checkpoint(net, path, incremental=True)
    with pytest.raises(ValueError, match="global_step_num"):
        save_checkpoint(net, path, global_step_num=3)
    with pytest.raises(TypeError, match="keyword"):
        save_checkpoint(net, path, compress=True)
    with pytest.raises(TypeError, match="integrated_save"):
        save_checkpoint(net, path, integrated_save=None)
    with pytest.raises(TypeError, match="crc_check"):
        save_checkpoint(net, path, crc_check=1)
    with pytest.raises(ValueError, match="enc_mode"):
        save_checkpoint(net, str(tmp_path / "a.safetensors"), format="safetensors", enc_mode="SM4-CBC")
    assert not os.listdir(tmp_path)  # nothing was written
    save_checkpoint(net, path)
    with pytest.raises(ValueError, match="dec_key.*decryption"):
        load_checkpoint(path, dec_key=b"0123456789abcdef")
    with pytest.raises(TypeError, match="remove_redundancy"):
        load_checkpoint(path, net=net, remove_redundancy=True)
    assert list(load_checkpoint(path, remove_redundancy=True)) == ["w"]  # no net: nothing to deduplicate
    with pytest.raises(TypeError, match="'net'"):
        load_checkpoint(path, net="net")


def test_public_names_and_signatures():
    assert minispore.save_checkpoint is save_checkpoint is serialization.save_checkpoint
    assert {"save_checkpoint", "load_checkpoint", "load_param_into_net"} <= set(minispore.__all__)
    # MindSpore 2.10's signatures, from its wheel
    assert list(inspect.signature(save_checkpoint).parameters) == [
        "save_obj", "ckpt_file_name", "integrated_save", "async_save", "append_dict", "enc_key", "enc_mode",
        "choice_func", "crc_check", "format", "kwargs"]
    assert list(inspect.signature(load_checkpoint).parameters) == [
        "ckpt_file_name", "net", "strict_load", "filter_prefix", "dec_key", "dec_mode", "specify_prefix",
        "choice_func", "crc_check", "remove_redundancy", "format"]
    assert list(inspect.signature(load_param_into_net).parameters) == [
        "net", "parameter_dict", "strict_load", "remove_redundancy"]
    assert serialization.SLICE_SIZE == 512 * 1024


# --- devices -------------------------------------------------------------------------------------------------
def test_device_round_trip(device, tmp_path):
    params = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1, 0], np.int64)}
    net = Holder(params)
    assert net.w._backend.name == device
    path = str(tmp_path / "d.ckpt")
    save_checkpoint(net, path, append_dict={"epoch": 2}, crc_check=True)
    loaded = load_checkpoint(path, crc_check=True)
    assert loaded["w"]._backend.name == device  # created where the context says
    target = Holder({"w": np.zeros((2, 3), np.float16), "b": np.zeros(2, np.int64)})
    before = snapshot(target)
    with pytest.raises(RuntimeError):
        load_param_into_net(target, loaded, strict_load=True)
    assert_same(target, before)
    context.set_context(device_target="CPU")  # the dict on the CPU, the net on `device`
    loaded = load_checkpoint(path)
    assert load_param_into_net(target, loaded) == ([], ["epoch"])
    assert target.w._backend.name == device and target.w.dtype == mstype.float16
    assert target.w.asnumpy().tolist() == params["w"].tolist() and target.b.asnumpy().tolist() == [1, 0]
    save_checkpoint(target, str(tmp_path / "e"), format="safetensors")
    assert load_checkpoint(str(tmp_path / "e.safetensors"), format="safetensors")["w"].dtype == mstype.float16
