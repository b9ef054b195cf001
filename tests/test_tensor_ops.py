"""Tensor operators and reductions, activation layers and array primitives: NumPy oracles, MindSpore 2.10's
argument spellings and dtypes (values it printed are quoted), and its errors."""
import operator

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minispore.nn as nn
from minispore import Parameter, Tensor
from minispore import dtype as mstype
from minispore import ops
from minispore.ops import operations as P

import elementwise_oracle as oracle

_ARITHMETIC = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
               operator.pow]
_COMPARISONS = [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge]


def _ms_dtype_oracle(op, a, b):
    """NumPy's result for a (op) b computed as MindSpore: operands in the promoted dtype (int / int -> float32)."""
    with np.errstate(all="ignore"):
        if op is operator.truediv and a.dtype.kind != "f":
            return op(a.astype(np.float32), b.astype(np.float32))
        return op(a, b)


@pytest.mark.parametrize("op", _ARITHMETIC + _COMPARISONS, ids=lambda f: f.__name__)
def test_operators_with_tensors_arrays_and_numbers(device, small, op):
    @settings(max_examples=4 if small else 20, deadline=None)
    @given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3 if small else 4),
           st.sampled_from([np.float32, np.float64]), st.integers(0, 2 ** 16))
    def run(shapes, dtype, seed):
        rng = np.random.default_rng(seed)
        a = (rng.standard_normal(shapes.input_shapes[0]) * 3).astype(dtype)
        b = (rng.standard_normal(shapes.input_shapes[1]) * 3 + 0.5).astype(dtype)
        if op is operator.pow:
            a = np.abs(a) + dtype(0.5)
        want = _ms_dtype_oracle(op, a, b)
        for left, right in ((Tensor(a), Tensor(b)), (Tensor(a), b), (a, Tensor(b))):  # arrays both sides
            got = op(left, right)
            assert isinstance(got, Tensor) and got.dtype == mstype.to_dtype(want.dtype)
            if op is operator.pow:  # float64: exp(b log a) in double, about |b log a| ulps (documented)
                np.testing.assert_allclose(got.asnumpy(), want, rtol=4 * np.finfo(dtype).eps if dtype == np.float32
                                           else 1e-13)
            else:
                np.testing.assert_array_equal(got.asnumpy(), want)
        rtol = 4 * np.finfo(np.float32).eps if dtype == np.float32 else 1e-13
        got = op(Tensor(a), 2.5)
        np.testing.assert_allclose(got.asnumpy(), _ms_dtype_oracle(op, a, dtype(2.5)), rtol=rtol)
        got = op(2.5, Tensor(b))
        np.testing.assert_allclose(got.asnumpy(), _ms_dtype_oracle(op, dtype(2.5), b), rtol=rtol)
    run()


def test_mindspore_2_10_operator_dtypes():
    i = Tensor(np.array([3, 4], np.int32))
    # printed by MindSpore 2.10
    assert (i / 2).dtype == mstype.float32 and (i / 2).asnumpy().tolist() == [1.5, 2.0]
    assert (2 / i).asnumpy().tolist() == [np.float32(2 / 3), 0.5]
    assert (i ** 2).dtype == mstype.int32 and (2 ** i).asnumpy().tolist() == [8, 16]
    assert (i ** 0.5).dtype == mstype.float32
    assert (i // 2).asnumpy().tolist() == [1, 2] and (7 // i).asnumpy().tolist() == [2, 1]
    assert (i % 3).asnumpy().tolist() == [0, 1] and (-7 % i).asnumpy().tolist() == [2, 1]
    assert (i // 1.5).dtype == mstype.float32 and (i % 1.5).asnumpy().tolist() == [0.0, 1.0]
    assert (i > 3.5).asnumpy().tolist() == [False, True] and (3 < i).asnumpy().tolist() == [False, True]
    f = Tensor(np.array([1.0, 2.0], np.float32))
    assert (f % 0.3).asnumpy().tolist() == [np.float32(0.09999996423721313), np.float32(0.19999992847442627)]
    assert (Tensor(np.array([1.0, 2.0], np.float16)) + f).dtype == mstype.float32
    assert (-i).asnumpy().tolist() == [-3, -4] and abs(-i).asnumpy().tolist() == [3, 4] and (+i) is i


@pytest.mark.parametrize("op", _ARITHMETIC, ids=lambda f: f.__name__)
def test_list_and_tuple_operands_take_the_tensor_dtype(device, op):
    for dtype in (np.float32, np.int32):
        a = np.array([[4, 5, 6], [7, 8, 9]], dtype)
        for other in ([1, 2, 3], (3, 2, 1), [[1.5], [2.7]]):  # floats truncate for int32 (a cast)
            b = np.array(other).astype(dtype)
            for left, right, x, y in ((Tensor(a), other, a, b), (other, Tensor(a), b, a)):
                got, want = op(left, right), _ms_dtype_oracle(op, x, y)
                assert isinstance(got, Tensor) and got.dtype == mstype.to_dtype(want.dtype)
                np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-6)


def test_list_and_tuple_operands_as_mindspore_2_10():
    # printed by MindSpore 2.10: the sequence takes the tensor's dtype
    i = Tensor(np.ones(3, np.int32)) + [1.5, 2, 3]
    assert i.dtype == mstype.int32 and i.asnumpy().tolist() == [2, 3, 4]
    h = Tensor(np.ones(3, np.float16)) + [1.5, 2, 3]
    assert h.dtype == mstype.float16 and h.asnumpy().tolist() == [2.5, 3.0, 4.0]
    x = Tensor(np.ones((3, 3)) * 4)  # MindSpore's tests/ut/python/ir/test_tensor.py (r1.x; 2.10 refuses * only)
    assert (x * (2, 3, 4)).asnumpy().tolist() == [[8.0, 12.0, 16.0]] * 3
    assert (x == [1, 2, 3]) is False and (x != (1,)) is True  # comparisons keep Python's meaning, as 2.10
    for call, error in ((lambda: x < [1, 2, 3], TypeError), (lambda: x + ["a"], TypeError),
                        (lambda: x + [1, 2], ValueError), (lambda: x + [[1], [2, 3]], ValueError),
                        (lambda: Tensor(np.ones(2, np.int8)) - [1000], ValueError),
                        (lambda: Tensor(np.ones(2, np.int8)) * [float("nan")], ValueError)):
        with pytest.raises(error):
            call()


def test_comparisons_are_bool_tensors_and_hash_stays():
    eq = Tensor([1]) == Tensor([1])
    assert isinstance(eq, Tensor) and eq.dtype == mstype.bool_ and bool(eq)
    t = Tensor(np.array([3, 5], np.int32))
    assert (t == np.array([3, 4])).asnumpy().tolist() == [True, False]
    assert (np.array([3, 4]) == t).asnumpy().tolist() == [True, False]  # NumPy defers to the Tensor
    assert isinstance(np.array([3, 4]) + t, Tensor)
    assert (t == None) is False and (t != None) is True  # noqa: E711 (as MindSpore 2.10)
    assert (t == "a") is False
    with pytest.raises(TypeError):
        t < None  # noqa: B015
    with pytest.raises(TypeError):
        t + "a"
    assert len({t, t}) == 1 and {t: 1}[t] == 1 and t in [t]
    p = Parameter(Tensor(np.ones(2, np.float32)), name="p")
    assert (p + 1).asnumpy().tolist() == [2.0, 2.0] and isinstance(p * p, Tensor)


def test_in_place_operators_bind_a_new_tensor_as_mindspore():
    a = Tensor(np.array([1.0, 2.0], np.float32))
    before = a
    a += 1
    assert a.asnumpy().tolist() == [2.0, 3.0] and before.asnumpy().tolist() == [1.0, 2.0]
    b = Tensor(np.array([1, 2], np.int32))
    b /= 2
    assert b.dtype == mstype.float32 and b.asnumpy().tolist() == [0.5, 1.0]
    c = Tensor(np.array([2.0, 3.0], np.float32))
    for inplace, plain in ((operator.isub, operator.sub), (operator.imul, operator.mul),
                           (operator.ifloordiv, operator.floordiv), (operator.imod, operator.mod),
                           (operator.ipow, operator.pow), (operator.itruediv, operator.truediv)):
        got = inplace(c, 2)
        assert got is not c and got.asnumpy().tolist() == plain(c, 2).asnumpy().tolist()
    assert c.asnumpy().tolist() == [2.0, 3.0]


def test_matmul_operator(device):
    if not hasattr(ops, "matmul"):
        pytest.skip("ops.matmul is not built")
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose((Tensor(a) @ Tensor(b)).asnumpy(), a @ b)
    np.testing.assert_allclose((a @ Tensor(b)).asnumpy(), a @ b)
    batch = np.ones((2, 2, 3), np.float32)
    np.testing.assert_allclose((Tensor(batch) @ Tensor(b)).asnumpy(), batch @ b)


# --- reductions: MindSpore 2.10's spellings ---------------------------------------------------------------------
def test_reduction_methods_as_mindspore_2_10():
    x = Tensor(np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], np.float32))
    xi = Tensor(np.array([[1, 2], [2, 2]], np.int32))
    # values and dtypes MindSpore 2.10 printed
    assert xi.sum().dtype == mstype.int64 and xi.sum().asnumpy() == 7
    assert Tensor(np.array([True, True])).sum().dtype == mstype.int64
    assert Tensor(np.array([200, 100], np.uint8)).sum().asnumpy() == 300
    assert xi.sum(dtype=mstype.float32).dtype == mstype.float32
    assert x.sum(axis=1, keepdims=True).asnumpy().tolist() == [[9.0], [12.0]]
    assert x.sum(dim=1, keepdim=True).shape == (2, 1) and x.sum(1, True).shape == (2, 1)
    assert x.sum(0).asnumpy().tolist() == [5.0, 7.0, 9.0] and x.sum(axis=(0, 1)).asnumpy() == 21
    assert x.sum(axis=()).asnumpy() == 21 and x.sum(initial=1.0).asnumpy() == 22
    assert xi.mean().dtype == mstype.int32 and xi.mean().asnumpy() == 1
    assert x.mean(axis=1, keep_dims=True).asnumpy().tolist() == [[3.0], [4.0]]
    assert x.mean(dim=1, keepdim=True).shape == (2, 1) and x.mean(0).asnumpy().tolist() == [2.5, 3.5, 4.5]
    with pytest.raises(TypeError):
        x.mean(axis=1, keepdims=True)  # as MindSpore 2.10: mean spells it keep_dims
    assert x.max().asnumpy() == 6 and x.max(axis=1).asnumpy().tolist() == [5.0, 6.0]
    assert x.max(axis=1, keepdims=True).shape == (2, 1) and x.max((0, 1)).asnumpy() == 6
    values, index = x.max(1)
    assert values.asnumpy().tolist() == [5.0, 6.0] and index.dtype == mstype.int64
    assert index.asnumpy().tolist() == [1, 2]
    values, index = x.max(dim=1, keepdim=True)
    assert values.shape == (2, 1) and index.asnumpy().tolist() == [[1], [2]]
    values, index = x.min(dim=0)
    assert values.asnumpy().tolist() == [1.0, 2.0, 3.0] and index.asnumpy().tolist() == [0, 1, 0]
    assert x.min(axis=0).asnumpy().tolist() == [1.0, 2.0, 3.0]
    assert x.max(axis=1, initial=10.0).asnumpy().tolist() == [10.0, 10.0]
    assert x.argmax().asnumpy() == 5 and x.argmax().dtype == mstype.int64
    assert x.argmax(axis=1).asnumpy().tolist() == [1, 2] and x.argmax(dim=1, keepdim=True).shape == (2, 1)
    assert x.argmin().dtype == mstype.int32 and x.argmin().asnumpy() == 0
    with pytest.raises(ValueError, match=r"For 'Tensor.sum', the 'axis' must be in the range \[-2, 2\)"):
        x.sum(axis=2)
    with pytest.raises(TypeError, match=r"For 'Tensor.max', the 'keepdims' must be a bool"):
        x.max(axis=1, keepdims=1)


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min"])
def test_reduction_methods_match_numpy(device, small, method):
    @settings(max_examples=4 if small else 12, deadline=None)
    @given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3 if small else 5), st.booleans(), st.data())
    def run(shape, keep, data):
        x = np.random.default_rng(len(shape)).standard_normal(shape).astype(np.float32)
        axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1),
                                   st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True).map(tuple)))
        kwargs = {"keep_dims" if method == "mean" else "keepdims": keep}
        got = getattr(Tensor(x), method)(axis=axis, **kwargs)
        want = getattr(np, method)(x.astype(np.float64), axis=axis, keepdims=keep)
        assert got.shape == want.shape
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6)
    run()


def test_elementwise_methods(device):
    x = np.array([0.5, 2.0, 4.0], np.float32)
    t = Tensor(x)
    np.testing.assert_array_equal(t.abs().asnumpy(), np.abs(x))
    assert oracle.ulps(t.exp().asnumpy(), np.exp(x.astype(np.longdouble))).max() <= 1
    assert oracle.ulps(t.log().asnumpy(), np.log(x.astype(np.longdouble))).max() <= 2
    np.testing.assert_array_equal(t.sqrt().asnumpy(), np.sqrt(x))
    np.testing.assert_array_equal(t.pow(2).asnumpy(), x * x)
    np.testing.assert_allclose(t.pow(t).asnumpy(), x ** x, rtol=1e-6)
    np.testing.assert_array_equal(t.neg().asnumpy(), -x)


# --- activation layers ------------------------------------------------------------------------------------------
_LAYERS = [(nn.ReLU, {}, "ReLU"), (nn.ReLU6, {}, "ReLU6"), (nn.Sigmoid, {}, "Sigmoid"), (nn.Tanh, {}, "Tanh"),
           (nn.SiLU, {}, "SiLU"), (nn.GELU, {}, "GeLU"), (nn.ELU, {}, "Elu"), (nn.LeakyReLU, {}, "LeakyReLU")]


@pytest.mark.parametrize("layer,kwargs,name", _LAYERS, ids=[c[2] for c in _LAYERS])
def test_activation_layers_match_their_oracle(device, small, layer, kwargs, name):
    x = np.random.default_rng(10).uniform(-8, 8, (2, 3) if small else (4, 50)).astype(np.float32)
    cell = layer(**kwargs)
    assert cell.training is False and not list(cell.get_parameters())
    got = cell(Tensor(x)).asnumpy()
    want = oracle.UNARY[name](x.astype(np.longdouble))
    if name == "LeakyReLU":
        want = np.where(x >= 0, x, np.float32(0.2) * x)
    assert oracle.ulps(got, want).max() <= 5


def test_activation_layer_arguments_and_softmax_layers(device):
    x = np.array([[-1.0, 5.0, 3.0], [4.0, -2.0, 6.0]], np.float32)
    np.testing.assert_allclose(nn.Softmax()(Tensor(x)).asnumpy(), oracle.softmax(x, 1).astype(np.float64),
                               rtol=1e-6)
    np.testing.assert_allclose(nn.LogSoftmax(0)(Tensor(x)).asnumpy(), oracle.softmax(x, 0, True).astype(np.float64),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(nn.GELU(approximate=False)(Tensor(x)).asnumpy(), oracle.gelu_erf(x), rtol=1e-6)
    # printed by MindSpore 2.10: nn.LeakyReLU(alpha=2.0) and nn.ELU()
    assert nn.LeakyReLU(alpha=2.0)(Tensor(np.array([-1.0, 2.0], np.float32))).asnumpy().tolist() == [-2.0, 2.0]
    np.testing.assert_allclose(nn.ELU()(Tensor(np.array([-1.0, 2.0], np.float32))).asnumpy(),
                               [-0.6321205496788025, 2.0], rtol=1e-7)
    np.testing.assert_allclose(nn.GELU()(Tensor(np.array([1.0, 2.0], np.float32))).asnumpy(),
                               [0.8411920070648193, 1.9545977115631104], rtol=2e-7)
    assert repr(nn.LeakyReLU(0.3)) == "LeakyReLU<alpha=0.3>" and repr(nn.ReLU()) == "ReLU<>"
    with pytest.raises(TypeError, match=r"For 'Softmax', the 'axis' must be an int or a tuple of one int"):
        nn.Softmax(axis=1.5)
    with pytest.raises(TypeError, match=r"For 'GELU', the 'approximate' must be a bool"):
        nn.GELU(approximate="tanh")
    with pytest.raises(TypeError, match=r"For 'LeakyReLU', the 'alpha' must be a real number"):
        nn.LeakyReLU(alpha="a")


def test_get_activation_names():
    for name, cls in (("relu", nn.ReLU), ("relu6", nn.ReLU6), ("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh),
                      ("gelu", nn.GELU), ("silu", nn.SiLU), ("elu", nn.ELU), ("leakyrelu", nn.LeakyReLU),
                      ("softmax", nn.Softmax), ("logsoftmax", nn.LogSoftmax)):
        cell = nn.get_activation(name)
        assert type(cell) is cls and cell is not nn.get_activation(name)
    assert nn.get_activation(None) is None
    with pytest.raises(KeyError, match="'name' must be one of"):
        nn.get_activation("foo")
    with pytest.raises(KeyError, match="minispore does not build it yet"):
        nn.get_activation("mish")
    with pytest.raises(TypeError, match="'name' must be a str or None"):
        nn.get_activation(3)
    assert isinstance(nn.Dense(3, 2, activation="relu").activation, nn.ReLU)  # Dense builds it by name


# --- array primitives -------------------------------------------------------------------------------------------
def test_array_primitives_match_numpy(device):
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = Tensor(x)
    np.testing.assert_array_equal(P.Reshape()(t, (4, -1)).asnumpy(), x.reshape(4, -1))
    np.testing.assert_array_equal(P.Reshape()(t, [24]).asnumpy(), x.reshape(24))
    np.testing.assert_array_equal(P.Transpose()(t, (2, 0, 1)).asnumpy(), x.transpose(2, 0, 1))
    np.testing.assert_array_equal(P.Transpose()(t, [-1, 0, 1]).asnumpy(), x.transpose(2, 0, 1))
    y = Tensor(np.ones((1, 2, 1, 3), np.float32))
    assert P.Squeeze()(y).shape == (2, 3) and P.Squeeze(0)(y).shape == (2, 1, 3)
    assert P.Squeeze((0, 2))(y).shape == (2, 3) and P.Squeeze(1)(y).shape == (1, 2, 1, 3)  # as MindSpore 2.10
    assert P.ExpandDims()(t, 0).shape == (1, 2, 3, 4) and P.ExpandDims()(t, -1).shape == (2, 3, 4, 1)
    np.testing.assert_array_equal(P.Concat(1)((t, t)).asnumpy(), np.concatenate([x, x], 1))
    np.testing.assert_array_equal(P.Concat(-1)([t, t]).asnumpy(), np.concatenate([x, x], -1))
    np.testing.assert_array_equal(P.Stack(-1)((t, t)).asnumpy(), np.stack([x, x], -1))
    assert P.Stack(3)((t, t)).shape == (2, 3, 4, 2)
    cast = P.Cast()(Tensor(np.array([0.5, 0.0, -1.7], np.float32)), mstype.int32)
    assert cast.dtype == mstype.int32 and cast.asnumpy().tolist() == [0, 0, -1]
    assert P.Cast()(Tensor(np.array([0.5, 0.0], np.float32)), mstype.bool_).asnumpy().tolist() == [True, False]
    assert P.Cast()(1.5, mstype.int32).asnumpy() == 1
    ones = P.OnesLike()(Tensor(np.zeros(2, np.int32)))
    assert ones.dtype == mstype.int32 and ones.asnumpy().tolist() == [1, 1]
    assert P.ZerosLike()(t).asnumpy().sum() == 0 and P.ZerosLike()(t).shape == t.shape
    assert ops.ones_like(t, dtype=mstype.int8).dtype == mstype.int8
    for out in (P.Transpose()(t, (1, 0, 2)), P.Concat()((t, t)), P.Stack()((t, t))):
        assert out._array().flags.c_contiguous


@pytest.mark.parametrize("call,error,message", [
    (lambda t: P.Reshape()(t, (5, 5)), ValueError,
     r"For 'Reshape', the 'input_shape' must be a shape of 24 elements"),
    (lambda t: P.Reshape()(t, (-1, -1)), ValueError, r"'input_shape' must be non-negative ints with at most one -1"),
    (lambda t: P.Reshape()(t, (2.0, 12)), TypeError, r"'input_shape' must be a tuple or list of ints"),
    (lambda t: P.Transpose()(t, (0, 0, 1)), ValueError, r"For 'Transpose', the 'input_perm' must be a permutation"),
    (lambda t: P.Transpose()(t, (0,)), ValueError, r"'input_perm' must be of length 3"),
    (lambda t: P.Squeeze(5)(t), ValueError, r"For 'Squeeze', the 'axis' must be in the range \[-3, 3\)"),
    (lambda t: P.ExpandDims()(t, 4), ValueError, r"For 'ExpandDims', the 'axis' must be in the range \[-4, 4\)"),
    (lambda t: P.ExpandDims()(t, 1.0), TypeError, r"'axis' must be an int"),
    (lambda t: P.Concat()((t, Tensor(np.ones((1, 2, 4), np.float32)))), ValueError,
     r"For 'Concat', the 'input_x' must be Tensors whose sizes agree except along axis 0"),
    (lambda t: P.Concat()(()), ValueError, r"'input_x' must be a non-empty tuple or list of Tensors"),
    (lambda t: P.Concat()((t, Tensor(np.ones((2, 3, 4), np.int32)))), TypeError, r"'input_x' must be Tensors of one "
                                                                                  r"dtype"),
    (lambda t: P.Stack()((t, Tensor(np.ones((3, 2, 4), np.float32)))), ValueError,
     r"For 'Stack', the 'input_x' must be Tensors of one shape"),
    (lambda t: P.Stack(5)((t, t)), ValueError, r"For 'Stack', the 'axis' must be in the range \[-4, 4\)"),
    (lambda t: P.Cast()(t, np.float16), TypeError, r"For 'Cast', the 'type_' must be a minispore dtype"),
    (lambda t: P.OnesLike()(1), TypeError, r"For 'OnesLike', the 'x' must be a Tensor"),
])
def test_array_primitive_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(Tensor(np.ones((2, 3, 4), np.float32)))


def test_functional_forms():
    x = Tensor(np.array([[-1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], np.float32))
    assert ops.relu(x).asnumpy().min() == 0 and ops.exp(x).shape == (2, 3)
    np.testing.assert_array_equal(ops.div(x, 4, rounding_mode="trunc").asnumpy(), np.trunc(x.asnumpy() / 4))
    np.testing.assert_array_equal(ops.div(x, 4, rounding_mode="floor").asnumpy(), np.floor(x.asnumpy() / 4))
    assert ops.div(Tensor(np.array([7, -7], np.int32)), 2, rounding_mode="trunc").asnumpy().tolist() == [3, -3]
    assert ops.concat((x, x), 1).shape == (2, 6) and ops.cat((x, x)).shape == (4, 3)
    assert ops.stack([x, x], -1).shape == (2, 3, 2) and ops.unsqueeze(x, 0).shape == (1, 2, 3)
    assert ops.squeeze(ops.expand_dims(x, 1)).shape == (2, 3) and ops.permute(x, (1, 0)).shape == (3, 2)
    # MindSpore 2.10: ops.max returns (values, indices); ops.argmax gives int64; ops.sum/mean/amax
    values, index = ops.max(x, 1)
    assert values.asnumpy().tolist() == [5.0, 6.0] and index.asnumpy().tolist() == [1, 2]
    assert ops.argmax(x, dim=1).dtype == mstype.int64 and ops.argmax(x).asnumpy() == 5
    assert ops.sum(x, 1).asnumpy().tolist() == [7.0, 12.0]
    assert ops.mean(x, 1).asnumpy().tolist() == [np.float32(7 / 3), 4.0]
    assert ops.amax(x, 1).asnumpy().tolist() == [5.0, 6.0] and ops.amin(x).asnumpy() == -1
    assert ops.equal(x, 5.0).dtype == mstype.bool_ and ops.ge(x, 4).asnumpy().sum() == 3
    assert ops.cast(x, mstype.int32).dtype == mstype.int32 and ops.floor_div(x, 2).asnumpy()[0, 0] == -1
    assert ops.fmod(Tensor(np.array([-7.0], np.float32)), 2).asnumpy() == -1
    assert ops.remainder(Tensor(np.array([-7.0], np.float32)), 2).asnumpy() == 1
    with pytest.raises(ValueError, match=r"For 'div', the 'rounding_mode' must be one of"):
        ops.div(x, 2, rounding_mode="round")
    with pytest.raises(ValueError, match=r"For 'gelu', the 'approximate' must be one of"):
        ops.gelu(x, approximate="erf")
