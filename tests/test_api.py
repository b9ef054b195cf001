"""Tensor, Parameter, Cell, context and dtype: MindSpore's documented behaviour and errors."""
import subprocess
import sys

import numpy as np
import pytest

import minispore
import minispore.nn as nn
from minispore import Parameter, Tensor, context
from minispore import dtype as mstype
from minispore.common.initializer import Normal, initializer


# --- dtype ------------------------------------------------------------------------------------------------------
def test_dtypes_print_like_mindspore_and_are_reexported():
    assert str(mstype.float32) == "Float32" and repr(mstype.int64) == "Int64" and str(mstype.bool_) == "Bool"
    assert minispore.float32 is mstype.float32 and minispore.uint8 is mstype.uint8
    from minispore.common import dtype as common_dtype
    assert common_dtype.float16 is mstype.float16
    assert mstype.dtype_to_nptype(mstype.float64) is np.float64
    assert mstype.pytype_to_dtype(float) is mstype.float32


# --- Tensor -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data,dtype", [
    (np.ones([2, 3], np.float64), mstype.float64), (np.ones([2], np.int32), mstype.int32),
    ([1.0, 2.0], mstype.float32), ([1, 2], mstype.int64), (1.5, mstype.float32), (3, mstype.int64),
    (True, mstype.bool_), ([[True, False]], mstype.bool_), (np.float16(1), mstype.float16),
])
def test_tensor_dtype_inference(data, dtype):
    t = Tensor(data)
    assert t.dtype == dtype and t.shape == np.shape(data)


def test_tensor_properties_and_conversion(device):
    t = Tensor(np.arange(6).reshape(2, 3), dtype=mstype.float32)
    assert (t.shape, t.ndim, t.size, t.itemsize, t.nbytes, len(t)) == ((2, 3), 2, 6, 4, 24, 2)
    np.testing.assert_array_equal(np.asarray(t), np.arange(6).reshape(2, 3))
    assert t.astype(mstype.int32).dtype == mstype.int32
    assert repr(Tensor(np.array([1.0, 2.0], np.float32))) == "Tensor(shape=[2], dtype=Float32, value=\n[1. 2.])"
    assert repr(Tensor(2.0)) == "Tensor(shape=[], dtype=Float32, value= 2.0)"
    assert str(t) == str(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert float(Tensor(2.5)) == 2.5 and int(Tensor(3)) == 3 and Tensor(np.array([7])).item() == 7
    copy = Tensor(t, dtype=mstype.float64)
    assert copy.dtype == mstype.float64 and copy.asnumpy().tolist() == t.asnumpy().tolist()


@pytest.mark.parametrize("call,error", [
    (lambda: Tensor("abc"), TypeError), (lambda: Tensor({1: 2}), TypeError),
    (lambda: Tensor(np.array(["a"])), TypeError), (lambda: Tensor(np.ones(2), dtype=np.float32), TypeError),
    (lambda: Tensor(np.ones(2), dtype="float32"), TypeError), (lambda: Tensor(), TypeError),
    (lambda: Tensor(shape=(2,)), TypeError), (lambda: Tensor(dtype=mstype.float32), ValueError),
    (lambda: Tensor(dtype=mstype.float32, shape=(-1, 2)), ValueError),
    (lambda: Tensor([[1, 2], [3]]), ValueError), (lambda: Tensor(np.ones(2), shape=(3,)), ValueError),
    (lambda: Tensor(shape=(2,), dtype=mstype.float32, init="normal"), TypeError),
    (lambda: Tensor(shape=(2,), init=Normal()), ValueError),
    (lambda: Tensor(np.ones(2), shape=(2,), dtype=mstype.float32, init=Normal()), ValueError),
    (lambda: Tensor(np.ones(3)).astype(np.int32), TypeError), (lambda: len(Tensor(1.0)), TypeError),
])
def test_tensor_errors(call, error):
    with pytest.raises(error):
        call()


def test_tensor_of_a_dtype_and_shape_alone_is_zeros(device):
    t = Tensor(dtype=mstype.int32, shape=[2, 3])  # MindSpore 2.10 printed zeros for this
    assert (t.shape, t.dtype, t.has_init) == ((2, 3), mstype.int32, False)
    assert t.asnumpy().tolist() == [[0, 0, 0], [0, 0, 0]]
    assert Tensor(dtype=mstype.float16, shape=()).asnumpy().dtype == np.float16


def test_tensor_with_init_is_lazy():
    t = Tensor(shape=(2, 2), dtype=mstype.float32, init=Normal())
    assert t.has_init
    assert t.asnumpy().shape == (2, 2) and not t.has_init


# --- Parameter --------------------------------------------------------------------------------------------------
def test_parameter_basics():
    w = Parameter(initializer("ones", [2, 3], mstype.float32), name="w1")
    assert repr(w) == "Parameter (name=w1, shape=(2, 3), dtype=Float32, requires_grad=True)"
    assert isinstance(w, Tensor) and not w.has_init
    np.testing.assert_array_equal(w.asnumpy(), np.ones([2, 3]))
    w.set_data(Tensor(np.zeros([2, 3], np.float32)))
    np.testing.assert_array_equal(w.asnumpy(), np.zeros([2, 3]))
    clone = w.clone()
    assert clone.name == "w1" and clone is not w
    assert Parameter(Tensor(1.0), requires_grad=False).requires_grad is False
    assert Parameter(np.ones(3)).name.startswith("Parameter#")  # MindSpore 2.x: unique generated names


@pytest.mark.parametrize("call,error", [
    (lambda: Parameter("x"), TypeError), (lambda: Parameter(Tensor(1.0), name=3), ValueError),
    (lambda: Parameter(Tensor(1.0), requires_grad="yes"), TypeError),
    (lambda: Parameter(Tensor(np.ones(2))).set_data(Tensor(np.ones(3))), ValueError),
    (lambda: Parameter(Tensor(np.ones(2))).set_data("x"), TypeError),
])
def test_parameter_errors(call, error):
    with pytest.raises(error):
        call()


# --- Cell -------------------------------------------------------------------------------------------------------
class Block(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, has_bias=True)
        self.scale = Parameter(Tensor(np.ones(1, np.float32)))

    def construct(self, x):
        return self.conv(x) * self.scale


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.backbone = Block()
        self.head = nn.Conv2d(4, 2, 1)

    def construct(self, x):
        return self.head(self.backbone(x))


def test_cell_parameter_names_follow_attribute_paths():
    net = Net()
    names = [name for name, _ in net.parameters_and_names()]
    assert names == ["backbone.scale", "backbone.conv.weight", "backbone.conv.bias", "head.weight"]
    assert [p.name for p in net.get_parameters()] == names
    assert list(net.parameters_dict()) == names
    assert [name for name, _ in net.cells_and_names()] == ["", "backbone", "backbone.conv", "head"]
    assert len(net.trainable_params()) == 4
    net.backbone.scale.requires_grad = False
    assert len(net.trainable_params()) == 3 and len(net.untrainable_params()) == 1
    out = net(Tensor(np.ones([1, 3, 5, 5], np.float32)))
    assert out.shape == (1, 2, 5, 5)
    assert net.set_train() is net and net.backbone.conv.training
    assert repr(net).startswith("Net<\n  (backbone): Block<\n    (conv): Conv2d<input_channels=3")


def test_cell_errors():
    class Forgot(nn.Cell):
        def __init__(self):
            self.w = Parameter(Tensor(1.0))

    with pytest.raises(AttributeError, match="super"):
        Forgot()
    with pytest.raises(NotImplementedError):
        nn.Cell()(1)
    cell = nn.Cell()
    with pytest.raises(KeyError, match="param_name"):  # MindSpore's error
        cell.insert_param_to_cell("a.b", Parameter(Tensor(1.0)))
    with pytest.raises(AttributeError):
        cell.missing  # noqa: B018


# --- context ----------------------------------------------------------------------------------------------------
def test_context_validation():
    assert context.get_context("device_target") == "CPU"
    context.set_context(mode=context.PYNATIVE_MODE)
    assert context.get_context("mode") == context.PYNATIVE_MODE
    context.set_context(mode=context.GRAPH_MODE)
    for kwargs, error in [({"device_target": "cpu"}, ValueError), ({"device_target": "TPU"}, ValueError),
                          ({"device_target": 1}, TypeError), ({"device_id": -1}, ValueError),
                          ({"device_id": "0"}, TypeError), ({"mode": 2}, ValueError), ({"mode": "graph"}, TypeError),
                          ({"unknown_key": 1}, ValueError)]:
        with pytest.raises(error):
            context.set_context(**kwargs)
    with pytest.raises(ValueError):
        context.get_context("nope")
    assert context.get_context("device_target") == "CPU"


def test_gpu_without_a_gpu_stack_fails_clearly():
    code = ("from minispore import context\n"
            "try:\n    context.set_context(device_target='GPU')\n"
            "except RuntimeError as e:\n    print('RuntimeError:', e)\nelse:\n    print('OK')\n")
    env = {k: v for k, v in __import__("os").environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    if out.startswith("OK"):
        pytest.skip("a usable GPU stack is present here")
    assert out.startswith("RuntimeError:"), out
    assert "minispore[gpu]" in out or "device_target='CPU'" in out, out


def test_import_minispore_loads_no_cuda_module():
    code = ("import sys, minispore, minispore.nn, minispore.ops, minispore.common.initializer\n"
            "bad = [m for m in sys.modules if m.startswith('cupy') or m.startswith('numba.cuda')]\n"
            "print(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- DLPack -----------------------------------------------------------------------------------------------------
def test_dlpack_round_trips_without_copies():
    t = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    view = np.from_dlpack(t)
    view[0, 0] = 42
    assert t.asnumpy()[0, 0] == 42 and t.__dlpack_device__() == (1, 0)
    source = np.ones((2, 2), np.int32)
    back = minispore.from_dlpack(source)
    source[1, 1] = 7
    assert back.dtype == mstype.int32 and back.asnumpy()[1, 1] == 7
    assert Tensor.from_dlpack(source).shape == (2, 2)
    with pytest.raises(TypeError, match="__dlpack__"):
        minispore.from_dlpack([1, 2])


def test_dlpack_to_torch_when_installed():
    torch = pytest.importorskip("torch")
    t = Tensor(np.arange(4, dtype=np.float32))
    shared = torch.from_dlpack(t)
    shared[0] = 9
    assert t.asnumpy()[0] == 9


def test_indexing_and_reshape(device):
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = Tensor(a)
    for key in (0, -1, (1, 2), (slice(None), 1), (Ellipsis, 3), (None, 0), (slice(0, 2), slice(None, None, 2), -1)):
        np.testing.assert_array_equal(t[key].asnumpy(), a[key])
    np.testing.assert_array_equal(t.reshape(4, 6).asnumpy(), a.reshape(4, 6))
    np.testing.assert_array_equal(t.reshape((-1,)).asnumpy(), a.ravel())
    with pytest.raises(ValueError, match="index"):
        t[5]
    with pytest.raises(TypeError, match="index"):
        t["a"]
    with pytest.raises(ValueError, match="shape"):
        t.reshape(5, 5)
    with pytest.raises(TypeError, match="shape"):
        t.reshape(2.0, 12)


def test_sequential_cell_and_cell_list_names_and_calls():
    from collections import OrderedDict
    seq = nn.SequentialCell(nn.Conv2d(3, 4, 3), nn.Conv2d(4, 2, 1, has_bias=True))
    assert [n for n, _ in seq.parameters_and_names()] == ["0.weight", "1.weight", "1.bias"]
    assert seq(Tensor(np.ones([1, 3, 5, 5], np.float32))).shape == (1, 2, 5, 5)
    named = nn.SequentialCell(OrderedDict([("conv", nn.Conv2d(3, 4, 3)), ("head", nn.Conv2d(4, 2, 1))]))
    assert [n for n, _ in named.parameters_and_names()] == ["conv.weight", "head.weight"]

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.backbone = nn.SequentialCell([nn.Conv2d(3, 4, 3)])
            self.heads = nn.CellList([nn.Conv2d(4, 1, 1), nn.Conv2d(4, 1, 1)])

    net = Net()
    assert [p.name for p in net.get_parameters()] == ["backbone.0.weight", "heads.0.weight", "heads.1.weight"]
    assert len(net.heads) == 2 and net.heads[-1] is list(net.heads)[1]
    with pytest.raises(TypeError, match="Cell"):
        nn.SequentialCell(nn.Conv2d(3, 4, 3), "relu")
    with pytest.raises(ValueError, match="index"):
        net.heads[2]


def test_tensor_of_an_ndarray_copies_and_from_numpy_shares(device):
    src = np.zeros(4, np.float32)
    t = Tensor(src)
    src[0] = 42  # MindSpore copies: the tensor keeps what it was given
    assert t.asnumpy().tolist() == [0, 0, 0, 0]
    strided = np.arange(8, dtype=np.float32)[::2]
    t2 = Tensor(strided)
    strided[1] = -1
    assert t2.asnumpy().tolist() == [0, 2, 4, 6]
    shared = Tensor.from_numpy(src)
    src[1] = 7
    assert shared.asnumpy().tolist() == [42, 7, 0, 0] and shared._backend.name == "CPU"


def test_from_numpy_of_big_endian_or_strided_data_copies_into_native_order():
    big = np.arange(6, dtype=">f4").reshape(2, 3)
    assert Tensor.from_numpy(big).asnumpy().tolist() == big.tolist()
    assert Tensor.from_numpy(big[:, ::2]).asnumpy().tolist() == big[:, ::2].tolist()
    with pytest.raises(TypeError, match="'array' must be a numpy.ndarray"):
        Tensor.from_numpy([1, 2])


@pytest.mark.parametrize("dtype", [">f4", ">f8", ">i8", ">u2", ">f2", "<i4"])
def test_tensor_accepts_big_endian_data(device, dtype):
    data = np.arange(5).astype(dtype)
    t = Tensor(data)
    assert t.dtype == mstype.to_dtype(data.dtype.newbyteorder("="))
    np.testing.assert_array_equal(t.asnumpy(), data)
    np.testing.assert_array_equal((t + t).asnumpy(), data + data)


@pytest.mark.parametrize("call", [
    lambda: Tensor(np.zeros(2, np.uint8)) + -1,
    lambda: Tensor(np.zeros(2, np.int8)) + 1000,
    lambda: Tensor(np.zeros(2, np.int64)) + 2 ** 63,
    lambda: 2 ** 64 - Tensor(np.zeros(2, np.uint64)),
    lambda: Tensor(np.zeros(2, np.bool_)) * 2 ** 70,
    lambda: initializer(minispore.common.initializer.Constant(300), [2], mstype.uint8),
    lambda: initializer(float("nan"), [2], mstype.int32),
    lambda: initializer(float("inf"), [2], mstype.int64),
    lambda: Tensor(dtype=mstype.int16, shape=[2], init=minispore.common.initializer.Constant(-2 ** 15 - 1)),
    lambda: minispore.common.initializer.Constant(256)(np.zeros(2, np.uint8)),
])
def test_values_a_dtype_cannot_hold_raise_value_error(call):
    # NumPy raises OverflowError for these, or silently gives -2**31 for NaN
    with pytest.raises(ValueError, match=r"For '\w+', the '\w+' must be a number representable in"):
        call()


def test_representable_scalars_still_compute():
    assert (Tensor(np.zeros(2, np.uint8)) + 255).asnumpy().tolist() == [255, 255]
    assert (Tensor(np.zeros(2, np.int64)) + (2 ** 63 - 1)).asnumpy().tolist() == [2 ** 63 - 1] * 2
    assert initializer(-3.9, [2], mstype.int8).asnumpy().tolist() == [-3, -3]  # truncates, as NumPy's cast


def test_error_messages_quote_at_most_about_200_characters_of_a_value():
    huge = list(range(10 ** 6))
    for call in (lambda: Tensor(huge, dtype="float32"), lambda: Tensor([huge, [1]]),
                 lambda: minispore.ops.Conv2D(2, huge), lambda: initializer("normal", huge + [-1])):
        with pytest.raises((TypeError, ValueError)) as info:
            call()
        assert len(str(info.value)) < 600, str(info.value)[:1000]
    assert len(minispore._checks.shown("x" * 10 ** 6)) <= 210


def test_from_dlpack_answers_exporter_errors_with_type_or_value_error():
    class Refusing:
        def __init__(self, error):
            self.error = error

        def __dlpack__(self, **kwargs):
            raise self.error

        def __dlpack_device__(self):
            return 1, 0

    with pytest.raises(TypeError, match="'external' must be of a dtype and layout DLPack can export"):
        minispore.from_dlpack(Refusing(BufferError("unsupported dtype")))
    with pytest.raises(ValueError, match="'external' must be exportable through DLPack.*requires grad"):
        minispore.from_dlpack(Refusing(RuntimeError("Can't export tensors that requires grad")))


def test_from_dlpack_of_torch_tensors_that_cannot_export():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    with pytest.raises((TypeError, ValueError), match="DLPack"):  # torch 2.13 refuses with a BufferError
        minispore.from_dlpack(torch.ones(2, requires_grad=True))
    with pytest.raises((TypeError, ValueError), match="DLPack"):  # torch 2.13: a RuntimeError
        minispore.from_dlpack(torch.ones(2, dtype=torch.bfloat16))
