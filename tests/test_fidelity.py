"""MindSpore 2.10 fidelity of the API around the kernels: context keys, Parameter, ParameterTuple, Cell names and
errors, SequentialCell/CellList editing, and Cells that deepcopy and pickle. The expected values and error types
are those the MindSpore 2.10.0 wheel gives for the same calls (differences are marked)."""
import copy
import pickle
import subprocess
import sys
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import minispore
from minispore import Parameter, ParameterTuple, Tensor, context, nn
from minispore import dtype as mstype


def _conv(c_in, c_out):
    return nn.Conv2d(c_in, c_out, 1, has_bias=True)


def _names(cell):
    """(attribute path, parameter name) of every parameter: MindSpore keeps the two equal."""
    return [(path, param.name) for path, param in cell.parameters_and_names()]


def _paths(cell):
    names = _names(cell)
    assert all(path == name for path, name in names), names
    return [path for path, _ in names]


# --- context ----------------------------------------------------------------------------------------------------
def test_context_functions_at_the_top_level():
    assert minispore.set_context is context.set_context and minispore.get_context is context.get_context
    assert minispore.GRAPH_MODE == 0 and minispore.PYNATIVE_MODE == 1
    fresh = subprocess.run([sys.executable, "-c", "import minispore; print(minispore.get_context('mode'))"],
                           capture_output=True, text=True, check=True).stdout
    assert fresh.strip() == str(minispore.PYNATIVE_MODE)  # MindSpore 2.x's default: eager, as minispore runs
    minispore.set_context(mode=minispore.GRAPH_MODE)
    assert context.get_context("mode") == 0
    minispore.set_context(mode=minispore.PYNATIVE_MODE)
    minispore.set_device("CPU")
    minispore.set_device("CPU", 0)
    assert minispore.get_context("device_target") == "CPU" and minispore.get_context("device_id") == 0
    for call, error in [(lambda: minispore.set_device("cpu"), ValueError), (lambda: minispore.set_device(3), TypeError),
                        (lambda: minispore.set_device("Ascend"), ValueError),
                        (lambda: minispore.set_device("CPU", -1), ValueError)]:
        with pytest.raises(error):
            call()


def test_mindspore_context_keys_are_accepted_with_one_warning():
    assert context.get_context("max_call_depth") == 1000 and context.get_context("save_graphs") == 0
    with pytest.warns(UserWarning, match="max_call_depth") as record:
        context.set_context(save_graphs=False, max_call_depth=2000, jit_config={"jit_level": "O0"},
                            deterministic="ON", mode=context.PYNATIVE_MODE)
    assert len(record) == 1 and "save_graphs" in str(record[0].message) and "jit_config" in str(record[0].message)
    assert context.get_context("max_call_depth") == 2000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        context.set_context(device_target="CPU")  # only keys that matter: no warning
    with pytest.warns(UserWarning):
        context.set_context(max_call_depth=1000, save_graphs=0, jit_config={}, deterministic="OFF")


@pytest.mark.parametrize("kwargs,error", [
    ({"nope": 1}, ValueError), ({"enable_dumpp": True}, ValueError), ({"save_graphs": "x"}, TypeError),
    ({"max_call_depth": "x"}, TypeError), ({"check_bprop": 1}, TypeError), ({"max_call_depth": True}, TypeError),
    ({"device_target": "cpu"}, ValueError), ({"mode": 5}, ValueError), ({"mode": "x"}, TypeError),
])
def test_context_refusals(kwargs, error):
    with pytest.raises(error):
        context.set_context(**kwargs)
    with pytest.raises(ValueError):
        context.get_context("nope")


def test_a_refused_set_context_changes_nothing():
    with pytest.raises(TypeError):
        context.set_context(device_id=0, max_call_depth=5, mode="graph")
    assert context.get_context("max_call_depth") == 1000 and context.get_context("mode") == context.PYNATIVE_MODE


# --- Parameter --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("default_input,dtype", [
    ([1, 2], mstype.int64), (np.ones(2), mstype.float64), (1, mstype.int32), (1.5, mstype.float32),
    (Tensor(np.ones(2, np.float16)), mstype.float16),
])
def test_parameter_inputs_and_dtypes(default_input, dtype):
    assert Parameter(default_input).dtype == dtype


@pytest.mark.parametrize("call,error", [
    (lambda: Parameter("x"), TypeError), (lambda: Parameter((1, 2)), TypeError),
    (lambda: Parameter(np.float32(1)), TypeError), (lambda: Parameter(1 + 2j), TypeError),
    (lambda: Parameter(None), TypeError), (lambda: Parameter(True), ValueError),
    (lambda: Parameter(Tensor(1.0), name=3), ValueError),
    (lambda: Parameter(Tensor(1.0), name=Tensor(1.0)), ValueError),
    (lambda: Parameter(Tensor(1.0), name="x" * 2000), ValueError),
    (lambda: Parameter(Tensor(1.0), requires_grad=1), TypeError),
    (lambda: Parameter(Tensor(1.0), layerwise_parallel=1), TypeError),
    (lambda: Parameter(Tensor(1.0), parallel_optimizer=None), TypeError),
    (lambda: Parameter(2 ** 40), ValueError),
])
def test_parameter_argument_errors(call, error):
    with pytest.raises(error):
        call()


def test_parameter_names_and_copies_of_its_input():
    first, second = Parameter(Tensor(1.0)), Parameter(Tensor(1.0), name="  ")
    assert first.name.startswith("Parameter#") and second.name.startswith("Parameter#") and first.name != second.name
    assert Parameter(Tensor(1.0), name=" w ").name == "w"
    source = Tensor(np.ones(2, np.float32))
    param = Parameter(source)
    source[0] = 5  # MindSpore copies the Tensor it is given
    assert param.asnumpy().tolist() == [1, 1]
    array = np.ones(2, np.float32)
    param = Parameter(array)
    array[0] = 5
    assert param.asnumpy().tolist() == [1, 1]


@pytest.mark.parametrize("param_dtype,data,expected_dtype", [
    (mstype.float32, Tensor(np.ones(2), mstype.float64), mstype.float32),
    (mstype.float32, Tensor(np.ones(2), mstype.int32), mstype.float32),
    (mstype.float32, Tensor(np.ones(2), mstype.bool_), mstype.float32),
    (mstype.int32, Tensor(np.ones(2), mstype.float32), mstype.int32),
    (mstype.int32, Tensor(np.ones(2), mstype.int64), mstype.int32),
    (mstype.bool_, Tensor(np.ones(2), mstype.int32), mstype.bool_),
    (mstype.float16, Tensor(np.ones(2), mstype.float32), mstype.float16),
    (mstype.float32, 3, mstype.float32), (mstype.float32, 3.5, mstype.float32), (mstype.int32, 3, mstype.int32),
])
def test_set_data_casts_to_the_parameter_dtype(param_dtype, data, expected_dtype):
    param = Parameter(Tensor(np.zeros(2), param_dtype), name="p")
    assert param.set_data(data) is param
    assert param.dtype == expected_dtype and param.shape == (2,)
    expected = data.asnumpy() if isinstance(data, Tensor) else np.full(2, data)
    np.testing.assert_array_equal(param.asnumpy(), expected.astype(expected_dtype.np_type))


@pytest.mark.parametrize("param_dtype,data,kwargs,error", [
    (mstype.int32, 2.5, {}, TypeError), (mstype.float32, np.ones(2), {}, TypeError),
    (mstype.float32, "x", {}, TypeError), (mstype.float32, [1, 2], {}, TypeError),
    (mstype.float32, Tensor(np.ones(3), mstype.float32), {}, ValueError),
    (mstype.float32, Tensor(np.ones((1, 2)), mstype.float32), {}, ValueError),
    (mstype.uint8, 300, {}, ValueError), (mstype.float32, 1.0, {"slice_shape": 1}, TypeError),
])
def test_set_data_refusals(param_dtype, data, kwargs, error):
    param = Parameter(Tensor(np.zeros(2), param_dtype), name="p")
    with pytest.raises(error):
        param.set_data(data, **kwargs)
    assert param.shape == (2,) and param.dtype == param_dtype and not param.asnumpy().any()


def test_set_data_with_slice_shape_takes_another_shape():
    param = Parameter(Tensor(np.zeros(2), mstype.float32), name="p")
    param.set_data(Tensor(np.ones(3), mstype.float32), slice_shape=True)
    assert param.shape == (3,)


def test_parameter_copy_and_clone():
    param = Parameter(Tensor(np.ones(2), mstype.float32), name="p", requires_grad=False)
    for clone in (param.copy(), param.clone(), param.clone("same")):
        assert type(clone) is Parameter and clone is not param
        assert (clone.name, clone.requires_grad, clone.asnumpy().tolist()) == ("p", False, [1, 1])
        clone[0] = 7
        assert param.asnumpy().tolist() == [1, 1]
    assert param.clone("zeros").asnumpy().tolist() == [0, 0] and param.clone(3).asnumpy().tolist() == [3, 3]
    cast = param.clone(Tensor(np.array([4, 5], np.int32)))
    assert cast.dtype == mstype.float32 and cast.asnumpy().tolist() == [4, 5]


def test_parameter_tuple():
    assert minispore.common.ParameterTuple is ParameterTuple
    p, q = Parameter(Tensor(np.ones(2), mstype.float32), name="p"), Parameter(Tensor(1.0), name="q")
    pair = ParameterTuple([p, q])
    assert isinstance(pair, tuple) and list(pair) == [p, q]
    assert ParameterTuple((p,)) == (p,) and ParameterTuple(x for x in [p]) == (p,)
    assert len(ParameterTuple([p, p])) == 2  # the same parameter twice is fine
    assert len(ParameterTuple([Parameter(Tensor(1.0)), Parameter(Tensor(1.0))])) == 2  # unique generated names
    clones = pair.clone("new", "zeros")
    assert isinstance(clones, ParameterTuple) and [c.name for c in clones] == ["new.p", "new.q"]
    assert clones[0].asnumpy().tolist() == [0, 0] and pair.clone("new")[0].asnumpy().tolist() == [1, 1]
    for call, error in [(lambda: ParameterTuple([1, 2]), TypeError), (lambda: ParameterTuple(p), TypeError),
                        (lambda: ParameterTuple("[2,3]"), TypeError), (lambda: ParameterTuple(3), TypeError),
                        (lambda: ParameterTuple([p, Parameter(Tensor(1.0), name="p")]), ValueError),
                        (lambda: pair.clone("a b"), ValueError), (lambda: pair.clone(".x"), ValueError),
                        (lambda: pair.clone(""), ValueError), (lambda: pair.clone(3), TypeError)]:
        with pytest.raises(error):
            call()


# --- Cell -------------------------------------------------------------------------------------------------------
class Block(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.ones(2), mstype.float32), name="w1")
        self.conv = _conv(1, 1)

    def construct(self, x, y=1, *, z=2):
        return x, y, z


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.blk = Block()
        self.body = nn.SequentialCell([_conv(2, 2)])
        self.heads = nn.CellList()

    def construct(self, x):
        return self.body(x)


def test_parameter_names_are_attribute_paths_as_in_mindspore_2():
    net = Net()
    # MindSpore 2.x names a sub-cell's parameters by path: the user's name 'w1' becomes 'blk.w'
    assert _paths(net) == ["blk.w", "blk.conv.weight", "blk.conv.bias", "body.0.weight", "body.0.bias"]
    net.update_parameters_name("x.")
    assert [p.name for p in net.get_parameters()][:2] == ["x.blk.w", "x.blk.conv.weight"]
    with pytest.raises(TypeError):
        net.update_parameters_name(3)
    with pytest.raises(ValueError):
        net.update_parameters_name("a b")
    net.update_parameters_name("")  # MindSpore accepts an empty prefix (and '.x', '-x')
    assert _paths(net)[0] == "blk.w"

    class Unicode(nn.Cell):
        def __init__(self):
            super().__init__()
            self.卷积 = _conv(1, 1)  # any attribute name Python accepts

    assert _paths(Unicode()) == ["卷积.weight", "卷积.bias"]


def test_cells_added_to_nested_containers_are_named_by_full_path():
    net = Net()
    net.body.append(_conv(2, 3))
    net.heads.append(_conv(2, 1))
    net.heads.insert(0, _conv(2, 4))
    net.blk.extra = _conv(1, 1)  # a cell assigned to a sub-cell that is already in the network
    assert _paths(net)[-10:] == ["blk.extra.weight", "blk.extra.bias", "body.0.weight", "body.0.bias",
                                 "body.1.weight", "body.1.bias", "heads.0.weight", "heads.0.bias",
                                 "heads.1.weight", "heads.1.bias"]
    outer = nn.SequentialCell(OrderedDict([("net", net)]))
    outer.net.heads.append(_conv(2, 1))
    assert _paths(outer)[-2:] == ["net.heads.2.weight", "net.heads.2.bias"]
    del outer.net.heads[0]
    assert _paths(outer)[-4:] == ["net.heads.0.weight", "net.heads.0.bias", "net.heads.1.weight", "net.heads.1.bias"]


def test_cell_methods():
    net = Net()
    assert net.blk(1, y=3, z=4) == (1, 3, 4)
    assert net.set_train() is net and net.training and net.blk.conv.training
    assert net.set_train(False) is net and not net.body.training
    with pytest.raises(TypeError):
        net.set_train("yes")
    shared = _conv(1, 1)
    holder = nn.Cell()
    holder.a, holder.b = shared, shared
    assert list(holder.name_cells()) == ["a"] and list(holder.cells()) == [shared]
    assert list(net.name_cells()) == ["blk", "body", "heads"]
    net.blk.w = Tensor(np.zeros(2), mstype.float32)  # a Tensor assigned to a parameter sets its data
    assert isinstance(net.blk.w, Parameter) and net.blk.w.asnumpy().tolist() == [0, 0]
    net.blk.w = None
    assert net.blk.w is None and [path for path, _ in net.blk.parameters_and_names()][0] == "conv.weight"


@pytest.mark.parametrize("call,error", [
    (lambda c: c.insert_param_to_cell("", Parameter(Tensor(1.0))), KeyError),
    (lambda c: c.insert_param_to_cell(None, Parameter(Tensor(1.0))), TypeError),
    (lambda c: c.insert_param_to_cell("a.b", Parameter(Tensor(1.0))), KeyError),
    (lambda c: c.insert_param_to_cell("x", 3), TypeError),
    (lambda c: c.insert_param_to_cell("training", Parameter(Tensor(1.0))), KeyError),
    (lambda c: c.insert_param_to_cell("construct", Parameter(Tensor(1.0))), KeyError),
    (lambda c: c.insert_param_to_cell("foo", Parameter(Tensor(1.0))), KeyError),
    (lambda c: c.insert_child_to_cell("", nn.Cell()), KeyError),
    (lambda c: c.insert_child_to_cell(3, nn.Cell()), TypeError),
    (lambda c: c.insert_child_to_cell("a.b", nn.Cell()), KeyError),
    (lambda c: c.insert_child_to_cell("x", 3), TypeError),
    (lambda c: c.insert_child_to_cell("foo", nn.Cell()), KeyError),
    (lambda c: setattr(c, "construct", Parameter(Tensor(1.0))), KeyError),
    (lambda c: c.nope, AttributeError), (lambda c: c(1), AttributeError),
])
def test_cell_errors_as_mindspore(call, error):
    cell = nn.Cell()
    cell.foo = 3
    with pytest.raises(error):
        call(cell)


def test_errors_that_changed_type_between_r1_and_2_are_both():
    with pytest.raises(AttributeError):  # MindSpore 2.x
        nn.Cell().construct()
    with pytest.raises(NotImplementedError):  # r1.x
        nn.Cell().construct()
    cell = nn.Cell()
    cell.w = Parameter(Tensor(1.0))
    cell.w = None
    for error in (KeyError, TypeError):  # 2.x: the name is taken; r1.x: the wrong kind for the attribute
        with pytest.raises(error):
            cell.w = _conv(1, 1)
    cell.c = _conv(1, 1)
    with pytest.raises(TypeError):
        cell.c = Parameter(Tensor(1.0))


def test_assigning_the_wrong_kind_to_a_registered_attribute():
    block = Block()
    with pytest.raises(TypeError, match="'w'"):
        block.w = 3
    with pytest.raises(TypeError, match="'conv'"):
        block.conv = 3
    with pytest.raises(ValueError):
        block.w = Tensor(np.ones(3), mstype.float32)  # set_data keeps the shape


class _NoSuperParam(nn.Cell):
    def __init__(self):  # super().__init__() left out on purpose
        self.w = Parameter(Tensor(1.0))


class _NoSuperCell(nn.Cell):
    def __init__(self):
        self.conv = _conv(1, 1)


class _NoSuperPlain(nn.Cell):
    def __init__(self):
        self.x = 1

    def construct(self, x):
        return x


@pytest.mark.parametrize("call", [
    _NoSuperParam, _NoSuperCell, lambda: _NoSuperPlain()(1), lambda: list(_NoSuperPlain().parameters_and_names()),
    lambda: _NoSuperPlain().trainable_params(), lambda: _NoSuperPlain().missing,
])
def test_a_cell_without_super_init_says_so(call):
    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        call()


# --- containers -------------------------------------------------------------------------------------------------
def test_sequential_cell_editing_renumbers_like_mindspore():
    seq = nn.SequentialCell(_conv(1, 2), _conv(2, 3), _conv(3, 4))
    del seq[1]
    assert list(seq._cells) == ["0", "1"] and _paths(seq) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert seq[1].in_channels == 3
    replacement = _conv(1, 5)
    seq[0] = replacement
    assert seq[0] is replacement and _paths(seq)[:2] == ["0.weight", "0.bias"]
    part = seq[0:1]
    assert type(part) is nn.SequentialCell and len(part) == 1 and part[0] is replacement
    assert _paths(seq) == ["0.weight", "0.bias", "1.weight", "1.bias"]  # slicing renames nothing
    seq.append(_conv(4, 4))
    assert len(seq) == 3 and _paths(seq)[-1] == "2.bias" and bool(seq) and not bool(nn.SequentialCell())
    del seq[0:2]
    assert len(seq) == 1 and _paths(seq) == ["0.weight", "0.bias"]
    out = nn.SequentialCell([_conv(3, 4), _conv(4, 2)])(Tensor(np.ones([1, 3, 2, 2], np.float32)))
    assert out.shape == (1, 2, 2, 2)
    assert len(nn.SequentialCell(_conv(1, 1))) == 1 and len(nn.SequentialCell([])) == 0


def test_sequential_cell_keeps_ordered_dict_names_on_deletion():
    seq = nn.SequentialCell(OrderedDict([("a", _conv(1, 1)), ("b", _conv(1, 1)), ("c", _conv(1, 1))]))
    del seq[0]
    assert list(seq._cells) == ["b", "c"] and _paths(seq)[0] == "b.weight"


def test_cell_list_editing_renumbers_like_mindspore():
    cells = nn.CellList([_conv(1, 2), _conv(2, 3)])
    first = _conv(4, 4)
    cells.insert(0, first)
    cells.insert(-1, _conv(5, 5))
    assert [c.in_channels for c in cells] == [4, 1, 5, 2] and cells[0] is first
    assert _paths(cells) == [f"{i}.{k}" for i in range(4) for k in ("weight", "bias")]
    cells.insert(4, _conv(6, 6))
    cells += [_conv(7, 7)]
    assert isinstance(cells, nn.CellList) and cells.extend([_conv(8, 8)]) is cells
    assert cells.append(_conv(9, 9)) is None and len(cells) == 8
    del cells[1:3]
    assert [c.in_channels for c in cells] == [4, 2, 6, 7, 8, 9]
    assert _paths(cells) == [f"{i}.{k}" for i in range(6) for k in ("weight", "bias")]
    cells[-1] = _conv(3, 3)
    assert cells[5].in_channels == 3 and _paths(cells)[-1] == "5.bias"
    tail = cells[4:]
    assert type(tail) is nn.CellList and [c.in_channels for c in tail] == [8, 3] and tail[0] is cells[4]
    assert _paths(cells)[-1] == "5.bias"  # slicing renames nothing
    assert not bool(nn.CellList()) and bool(cells)
    plain = nn.CellList([_conv(1, 1)], auto_prefix=False)
    assert [p.name for p in plain.get_parameters()] == ["weight", "bias"]
    with pytest.raises(NotImplementedError):
        cells(1)


@pytest.mark.parametrize("call,error", [
    (lambda s, c: s[5], IndexError), (lambda s, c: s["a"], TypeError), (lambda s, c: s.__setitem__(0, 3), TypeError),
    (lambda s, c: s.__setitem__(5, _conv(1, 1)), IndexError), (lambda s, c: s.__delitem__("a"), TypeError),
    (lambda s, c: s.__delitem__(9), IndexError), (lambda s, c: s.append(3), TypeError),
    (lambda s, c: c[2], IndexError), (lambda s, c: c[1.0], TypeError),
    (lambda s, c: c.insert(100, _conv(1, 1)), IndexError),
    (lambda s, c: c.insert(0.0, _conv(1, 1)), TypeError), (lambda s, c: c.insert(0, 3), TypeError),
    (lambda s, c: c.extend(_conv(1, 1)), TypeError), (lambda s, c: c.extend([_conv(1, 1), 3]), TypeError),
    (lambda s, c: c.__setitem__(0, "x"), TypeError), (lambda s, c: nn.SequentialCell((_conv(1, 1),)), TypeError),
    (lambda s, c: nn.SequentialCell(_conv(1, 1), "relu"), TypeError), (lambda s, c: nn.CellList(3), TypeError),
])
def test_container_errors(call, error):
    seq, cells = nn.SequentialCell(_conv(1, 1), _conv(1, 1)), nn.CellList([_conv(1, 1), _conv(1, 1)])
    with pytest.raises(error):
        call(seq, cells)
    assert len(seq) == 2 and len(cells) == 2  # nothing added or removed


def test_index_errors_are_also_value_errors():
    with pytest.raises(ValueError, match="index"):
        nn.CellList([_conv(1, 1)])[3]


# --- deepcopy and pickle of networks ----------------------------------------------------------------------------
class Shared(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a = _conv(3, 3)
        self.b = self.a  # the same layer twice: its parameters stay shared in a copy
        self.seq = nn.SequentialCell([_conv(3, 2)])

    def construct(self, x):
        return self.seq(self.b(self.a(x)))


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda net: pickle.loads(pickle.dumps(net))])
def test_networks_deepcopy_and_pickle(device, clone):
    net = Shared()
    x = Tensor(np.random.default_rng(0).standard_normal((1, 3, 2, 2)).astype(np.float32))
    twin = clone(net)
    assert type(twin) is Shared and twin.a is twin.b and twin.a is not net.a
    # as MindSpore: the shared layer's parameters are named by its last attribute, 'b'
    assert _names(twin) == _names(net) == [("a.weight", "b.weight"), ("a.bias", "b.bias"),
                                           ("seq.0.weight", "seq.0.weight"), ("seq.0.bias", "seq.0.bias")]
    assert twin.a.weight._backend is net.a.weight._backend
    np.testing.assert_array_equal(twin(x).asnumpy(), net(x).asnumpy())
    twin.a.weight.set_data(Tensor(np.zeros((3, 3, 1, 1), np.float32)))
    assert net.a.weight.asnumpy().any()  # independent parameters
    twin.seq.append(_conv(2, 2))
    assert _names(twin)[-1] == ("seq.1.bias", "seq.1.bias") and len(net.seq) == 1
