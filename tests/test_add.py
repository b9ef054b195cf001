"""Add (and Sub, Mul) against NumPy: broadcasting, Python scalars, MindSpore's type promotion, errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from minispore import Tensor
from minispore import dtype as mstype
from minispore.ops import operations as ops

_NP_OPS = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply}


@pytest.mark.parametrize("name", ["Add", "Sub", "Mul"])
def test_broadcasting_matches_numpy(device, small, name):
    @settings(max_examples=8 if small else 60, deadline=None)
    @given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3 if small else 6),
           st.integers(0, 2 ** 16))
    def run(shapes, seed):
        rng = np.random.default_rng(seed)
        a = rng.standard_normal(shapes.input_shapes[0]).astype(np.float32)
        b = rng.standard_normal(shapes.input_shapes[1]).astype(np.float32)
        got = getattr(ops, name)()(Tensor(a), Tensor(b))
        assert got.shape == shapes.result_shape
        np.testing.assert_array_equal(got.asnumpy(), _NP_OPS[name](a, b))
    run()


def test_large_contiguous_and_broadcast_cases(device, small):
    n = 12 if small else 1024
    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((n, n)).astype(np.float32)
    row = b[0]
    np.testing.assert_array_equal((Tensor(a) + Tensor(b)).asnumpy(), a + b)
    np.testing.assert_array_equal((Tensor(a) + Tensor(row)).asnumpy(), a + row)
    np.testing.assert_array_equal((Tensor(a[:, :1]) + Tensor(row)).asnumpy(), a[:, :1] + row)


@pytest.mark.parametrize("x,y,expected", [
    (np.float32, np.float32, mstype.float32), (np.float16, np.float32, mstype.float32),
    (np.int32, np.float16, mstype.float16), (np.int64, np.float32, mstype.float32),
    (np.int8, np.uint8, mstype.int16), (np.int32, np.int64, mstype.int64), (np.bool_, np.int8, mstype.int8),
    (np.bool_, np.bool_, mstype.bool_), (np.uint8, np.float64, mstype.float64),
])
def test_tensor_tensor_promotion(x, y, expected):
    a, b = np.array([1, 0, 1], x), np.array([1, 1, 0], y)
    out = ops.Add()(Tensor(a), Tensor(b))
    assert out.dtype == expected
    np.testing.assert_array_equal(out.asnumpy(), (a.astype(expected.np_type) + b.astype(expected.np_type)))


@pytest.mark.parametrize("dtype,scalar,expected", [
    (np.float32, 1, mstype.float32), (np.float32, 2.5, mstype.float32), (np.int32, 2, mstype.int32),
    (np.int32, 2.5, mstype.float32), (np.float16, 1.5, mstype.float16), (np.bool_, 1, mstype.int64),
    (np.bool_, True, mstype.bool_), (np.uint8, 3, mstype.uint8), (np.float64, 1, mstype.float64),
])
def test_python_scalars(device, dtype, scalar, expected):
    a = np.array([[1, 2], [3, 4]]).astype(dtype)
    for out in (ops.Add()(Tensor(a), scalar), ops.Add()(scalar, Tensor(a)), Tensor(a) + scalar, scalar + Tensor(a)):
        assert out.dtype == expected
        np.testing.assert_array_equal(out.asnumpy(), a.astype(expected.np_type) + np.array(scalar,
                                                                                            expected.np_type))


def test_sub_and_mul_dunders(device):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal((Tensor(a) - 1).asnumpy(), a - 1)
    np.testing.assert_array_equal((1 - Tensor(a)).asnumpy(), 1 - a)
    np.testing.assert_array_equal((Tensor(a) * Tensor(a)).asnumpy(), a * a)
    np.testing.assert_array_equal((2 * Tensor(a)).asnumpy(), 2 * a)


def test_add_of_lazy_parameter_uses_its_values(device):
    from minispore import Parameter
    from minispore.common.initializer import initializer
    w = Parameter(initializer("ones", [2, 3]), name="w")
    np.testing.assert_array_equal(ops.Add()(Tensor(np.zeros([2, 3], np.float32)), w).asnumpy(), np.ones([2, 3]))


def test_errors():
    add = ops.Add()
    with pytest.raises(ValueError, match=r"shapes of 'x' \(2, 3\) and 'y' \(4,\)"):
        add(Tensor(np.ones([2, 3])), Tensor(np.ones([4])))
    with pytest.raises(TypeError, match="'x' must be a Tensor"):
        add(1, 2)
    with pytest.raises(TypeError, match="'y' must be a Tensor or a number"):
        add(Tensor(np.ones(2)), np.ones(2))
    with pytest.raises(TypeError, match="'y' must be a Tensor or a number"):
        add(Tensor(np.ones(2)), "1")
    with pytest.raises(TypeError, match="bool"):
        ops.Sub()(Tensor(np.array([True])), Tensor(np.array([False])))


def test_empty_tensors(device):
    out = ops.Add()(Tensor(np.ones([0, 3], np.float32)), Tensor(np.ones([3], np.float32)))
    assert out.shape == (0, 3)
