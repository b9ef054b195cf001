"""Tensor methods that move data without arithmetic kernels: transpose, view, squeeze, expand_dims, flatten,
__setitem__, the Python protocols, copies and pickles. Each against a slow index oracle or MindSpore 2.10's
observed behaviour (the literal cases were run on the 2.10.0 wheel)."""
import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from minispore import Parameter, Tensor
from minispore import dtype as mstype


def _arange(shape, dtype=np.float32):
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)


def _transpose_oracle(a, perm):
    """out[i_0, ..., i_k] = a[j] with j[perm[k]] = i_k, one element at a time."""
    out = np.empty(tuple(a.shape[p] for p in perm), a.dtype)
    for idx in np.ndindex(*out.shape):
        src = [0] * a.ndim
        for k, p in enumerate(perm):
            src[p] = idx[k]
        out[idx] = a[tuple(src)]
    return out


def _setitem_oracle(a, key, value):
    """Write `value` into a copy of `a` at the positions numpy's basic indexing selects, one element at a time."""
    out = a.copy().ravel()
    positions = np.arange(a.size).reshape(a.shape)[key]
    values = np.broadcast_to(np.asarray(value).astype(a.dtype), np.shape(positions))
    for pos, val in zip(np.ravel(positions), np.ravel(values)):
        out[pos] = val
    return out.reshape(a.shape)


def _contiguous(t):
    return t._array().flags.c_contiguous


# --- transpose --------------------------------------------------------------------------------------------------
def test_transpose_matches_an_element_oracle(device, small):
    @settings(max_examples=6 if small else 40, deadline=None)
    @given(hnp.array_shapes(min_dims=0, max_dims=4, max_side=3), st.data())
    def run(shape, data):
        a = _arange(shape)
        t = Tensor(a)
        perm = data.draw(st.permutations(range(len(shape))))
        for got in (t.transpose(tuple(perm)), t.transpose(list(perm))):
            np.testing.assert_array_equal(got.asnumpy(), _transpose_oracle(a, perm))
            assert _contiguous(got)
        # two ints are (dim0, dim1), swapped: on 2-d, t.transpose(0, 1) is a.T too (MindSpore 2.10)
        star = t.transpose(*perm)
        np.testing.assert_array_equal(star.asnumpy(), a.T if len(shape) == 2 else _transpose_oracle(a, perm))
        np.testing.assert_array_equal(t.transpose().asnumpy(), _transpose_oracle(a, list(range(len(shape)))[::-1]))
        np.testing.assert_array_equal(t.T.asnumpy(), a.T)
        if len(shape) >= 1:
            d0 = data.draw(st.integers(-len(shape), len(shape) - 1))
            d1 = data.draw(st.integers(-len(shape), len(shape) - 1))
            swap = list(range(len(shape)))
            swap[d0], swap[d1] = swap[d1], swap[d0]
            np.testing.assert_array_equal(t.transpose(d0, d1).asnumpy(), _transpose_oracle(a, swap))
            np.testing.assert_array_equal(t.transpose(dim0=d0, dim1=d1).asnumpy(), _transpose_oracle(a, swap))
    run()


@pytest.mark.parametrize("shape,args,kwargs,expected", [
    # MindSpore 2.10: two ints swap two axes on any rank (on 2-d too); otherwise the ints are a permutation
    ((2, 3, 4), (), {}, (4, 3, 2)), ((2, 3, 4), (2, 0, 1), {}, (4, 2, 3)), ((2, 3, 4), ((2, 0, 1),), {}, (4, 2, 3)),
    ((2, 3, 4), (0, 2), {}, (4, 3, 2)), ((2, 3, 4), (-1, 0), {}, (4, 3, 2)), ((2, 3, 4), (0, 0), {}, (2, 3, 4)),
    ((2, 3, 4), (None,), {}, (4, 3, 2)), ((2, 3, 4), (), {"dim0": 0, "dim1": 2}, (4, 3, 2)),
    ((2, 3, 4), (0,), {"dim1": 2}, (4, 3, 2)), ((2, 3), (0, 1), {}, (3, 2)), ((2, 3), ((0, 1),), {}, (2, 3)),
    ((2, 3, 4, 5), (0, 2), {}, (4, 3, 2, 5)), ((3,), (0,), {}, (3,)), ((), (), {}, ()),
    ((2, 3, 4), (1,), {}, ValueError), ((2, 3, 4), (0, 1, 1), {}, ValueError), ((2, 3, 4), (0, 1, 3), {}, ValueError),
    ((2, 3, 4), (0, 5), {}, ValueError), ((2, 3, 4), ([0, 1],), {}, ValueError),
    ((2, 3, 4, 5), (0, 2, 1), {}, ValueError), ((2, 3, 4), (0.0, 1, 2), {}, TypeError),
])
def test_transpose_argument_forms_as_mindspore_2_10(shape, args, kwargs, expected):
    t = Tensor(_arange(shape))
    if isinstance(expected, type):
        with pytest.raises(expected):
            t.transpose(*args, **kwargs)
    else:
        assert t.transpose(*args, **kwargs).shape == expected


# --- view, squeeze, expand_dims, flatten ------------------------------------------------------------------------
@pytest.mark.parametrize("method,args,kwargs,expected", [
    ("view", (6, 4), {}, (6, 4)), ("view", ((6, 4),), {}, (6, 4)), ("view", ([4, 6],), {}, (4, 6)),
    ("view", (-1,), {}, (24,)), ("view", (5, 5), {}, ValueError), ("view", (), {}, TypeError),
    ("view", (2.0, 12), {}, TypeError),
    ("flatten", (), {}, (24,)), ("flatten", (), {"start_dim": 1}, (2, 12)), ("flatten", (1, 2), {}, (2, 12)),
    ("flatten", (0, 1), {}, (6, 4)), ("flatten", (-2, -1), {}, (2, 12)), ("flatten", (2, 1), {}, ValueError),
    ("flatten", ("F",), {"start_dim": 1}, (4, 6)), ("flatten", ("X",), {}, ValueError),
    ("flatten", (), {"start_dim": 3}, ValueError), ("expand_dims", (0,), {}, (1, 2, 3, 4)),
    ("expand_dims", (3,), {}, (2, 3, 4, 1)), ("expand_dims", (-1,), {}, (2, 3, 4, 1)),
    ("expand_dims", (-4,), {}, (1, 2, 3, 4)), ("expand_dims", (4,), {}, ValueError),
    ("expand_dims", (-5,), {}, ValueError), ("expand_dims", (1.0,), {}, TypeError),
])
def test_shape_views_as_mindspore_2_10(method, args, kwargs, expected):
    t = Tensor(_arange((2, 3, 4)))
    if isinstance(expected, type):
        with pytest.raises(expected):
            getattr(t, method)(*args, **kwargs)
        return
    got = getattr(t, method)(*args, **kwargs)
    assert got.shape == expected and _contiguous(got)
    order = "F" if args[:1] == ("F",) else "C"
    np.testing.assert_array_equal(got.asnumpy().ravel(), _arange((2, 3, 4)).ravel(order=order))


@pytest.mark.parametrize("axis,expected", [
    (None, (3, 2)), (0, (3, 1, 2)), (1, (1, 3, 1, 2)), ((0, 2), (3, 2)), ([0, 2], (3, 2)), (-2, (1, 3, 2)),
    (4, ValueError), (-5, ValueError), (0.5, TypeError), ((0, 1.0), TypeError),
])
def test_squeeze_as_mindspore_2_10(axis, expected):
    t = Tensor(np.zeros((1, 3, 1, 2), np.float32))
    if isinstance(expected, type):
        with pytest.raises(expected):
            t.squeeze(axis)
    else:
        assert t.squeeze(axis).shape == expected
        assert t.squeeze(axis=axis).shape == expected


def test_views_share_data_and_transpose_copies(device):
    a = _arange((2, 3, 4))
    for make in (lambda t: t.view(-1), lambda t: t.squeeze(), lambda t: t.expand_dims(0), lambda t: t.flatten(),
                 lambda t: t.view(4, 6)):
        t = Tensor(a)
        view = make(t)
        view[(0,) * view.ndim] = -1.0
        assert t.asnumpy()[0, 0, 0] == -1.0  # as MindSpore 2.10: these are views
    t = Tensor(a)
    moved = t.transpose()
    moved[0, 0, 0] = -1.0
    assert t.asnumpy()[0, 0, 0] == 0.0
    bits = Tensor(np.ones(4, np.float32)).view(mstype.int32)
    assert bits.dtype == mstype.int32 and bits.asnumpy().tolist() == [1065353216] * 4
    assert Tensor(np.zeros(4, np.float32)).view(mstype.int16).shape == (8,)
    assert Tensor(3.0).flatten().shape == (1,)


def test_flatten_matches_numpy(device, small):
    @settings(max_examples=6 if small else 40, deadline=None)
    @given(hnp.array_shapes(min_dims=1, max_dims=4, max_side=3), st.data())
    def run(shape, data):
        a = _arange(shape)
        start = data.draw(st.integers(0, len(shape) - 1))
        end = data.draw(st.integers(start, len(shape) - 1))
        merged = shape[:start] + (int(np.prod(shape[start:end + 1])),) + shape[end + 1:]
        np.testing.assert_array_equal(Tensor(a).flatten(start_dim=start, end_dim=end).asnumpy(), a.reshape(merged))
        np.testing.assert_array_equal(Tensor(a).flatten(order="F").asnumpy(), a.ravel(order="F"))
    run()


# --- __setitem__ ------------------------------------------------------------------------------------------------
_KEY_PART = st.one_of(st.integers(-2, 1), st.slices(3), st.none(), st.just(Ellipsis))


def test_setitem_matches_an_element_oracle(device, small):
    @settings(max_examples=8 if small else 60, deadline=None)
    @given(st.lists(_KEY_PART, min_size=1, max_size=3), st.booleans(), st.integers(0, 2 ** 16))
    def run(parts, scalar, seed):
        if sum(p is Ellipsis for p in parts) > 1:
            parts = [p for p in parts if p is not Ellipsis]
        key = tuple(parts)
        a = np.random.default_rng(seed).standard_normal((2, 3, 2)).astype(np.float32)
        target = np.shape(a[key])
        value = 7.5 if scalar else np.random.default_rng(seed + 1).standard_normal(target[1:]).astype(np.float32)
        t = Tensor(a)
        t[key] = value if scalar else Tensor(value)
        np.testing.assert_array_equal(t.asnumpy(), _setitem_oracle(a, key, value))
    run()


def test_setitem_masks_int_tensors_and_value_kinds(device):
    a = _arange((2, 3))
    cases = [  # (key, value, expected), each as MindSpore 2.10 computes it
        (Tensor(a > 2), 0, [[0, 1, 2], [0, 0, 0]]),
        (Tensor(np.array([True, False])), 0, [[0, 0, 0], [3, 4, 5]]),
        (Tensor(np.array([1, 0])), Tensor(np.array([[1, 2, 3], [4, 5, 6]], np.float32)), [[4, 5, 6], [1, 2, 3]]),
        (Tensor(np.array([-1])), 5, [[0, 1, 2], [5, 5, 5]]),
        ([0, 1], 5, [[5, 5, 5], [5, 5, 5]]), ((0, [0, 2]), 5, [[5, 1, 5], [3, 4, 5]]),
        ((slice(None), Tensor(np.array([0, 2]))), 5, [[5, 1, 5], [5, 4, 5]]),
        (slice(0, 1), Tensor(np.array([7, 8, 9], np.int32)), [[7, 8, 9], [3, 4, 5]]),
        (slice(None), [7, 8, 9], [[7, 8, 9], [7, 8, 9]]), (slice(None), (7, 8, 9), [[7, 8, 9], [7, 8, 9]]),
        (slice(None), np.array([7, 8, 9]), [[7, 8, 9], [7, 8, 9]]),
        (0, Tensor(np.array(3.0)), [[3, 3, 3], [3, 4, 5]]), (0, True, [[1, 1, 1], [3, 4, 5]]),
        ((None, 0), 1, [[1, 1, 1], [3, 4, 5]]), ((Ellipsis, 1), 5, [[0, 5, 2], [3, 5, 5]]),
    ]
    for key, value, expected in cases:
        t = Tensor(a)
        t[key] = value
        assert t.asnumpy().tolist() == expected, key
        assert t.dtype == mstype.float32


@pytest.mark.parametrize("np_dtype,value,expected", [
    (np.int32, 9.7, [9, 0, 0]), (np.int32, -9.7, [-9, 0, 0]), (np.bool_, 2, [True, False, False]),
    (np.float16, 1e6, [np.inf, 0, 0]), (np.uint8, 255, [255, 0, 0]),
])
def test_setitem_casts_values_to_the_tensor_dtype(np_dtype, value, expected):
    t = Tensor(np.zeros(3, np_dtype))
    with np.errstate(over="ignore"):
        t[0] = value
    assert t.dtype == mstype.to_dtype(np.dtype(np_dtype)) and t.asnumpy().tolist() == expected
    ints = Tensor(np.zeros((2, 3), np.int32))
    ints[0] = Tensor(np.array([1.5, 2.5, 3.5], np.float32))
    assert ints.asnumpy().tolist() == [[1, 2, 3], [0, 0, 0]] and ints.dtype == mstype.int32


@pytest.mark.parametrize("key,value,error", [
    (5, 1, IndexError), (-3, 1, IndexError), (Tensor(np.array([5])), 1, IndexError), ("a", 1, TypeError),
    (1.5, 1, TypeError), (Tensor(np.array([1.0])), 1, TypeError), (slice(0.5, 1), 1, TypeError),
    (0, "x", TypeError), (slice(None), [7, 8], ValueError), (0, Tensor(np.ones((1, 3), np.float32)), ValueError),
    (Tensor(np.array([True, False, True])), 0, IndexError),
])
def test_setitem_errors(key, value, error):
    t = Tensor(_arange((2, 3)))
    with pytest.raises(error):
        t[key] = value
    assert t.asnumpy().tolist() == _arange((2, 3)).tolist()  # nothing written


def test_setitem_refuses_values_a_dtype_cannot_hold_and_other_devices():
    with pytest.raises(ValueError, match="uint8"):
        Tensor(np.zeros(3, np.uint8))[0] = 300  # MindSpore wraps to 44: a silent wrong value
    with pytest.raises(ValueError):
        Tensor(np.zeros(3, np.int32))[0] = float("nan")
    assert issubclass(IndexError, LookupError)
    with pytest.raises(ValueError):  # an out-of-range index is also this project's ValueError
        Tensor(np.zeros(3))[3] = 1


def test_setitem_writes_through_from_numpy():
    a = np.zeros(3, np.float32)
    t = Tensor.from_numpy(a)
    t[1] = 4
    assert a.tolist() == [0, 4, 0]


# --- Python protocols -------------------------------------------------------------------------------------------
def test_iter_contains_len_bool_int_float_index(device):
    t = Tensor(_arange((2, 3)))
    rows = list(t)
    assert len(rows) == 2 and all(isinstance(r, Tensor) and r.shape == (3,) for r in rows)
    assert rows[1].asnumpy().tolist() == [3, 4, 5]
    assert 3 in t and 3.0 in t and 10 not in t
    assert Tensor(np.array([3.0, 4.0, 5.0], np.float32)) in t and Tensor(np.array(4.0)) in t
    assert len(t) == 2 and len(Tensor(np.zeros((0, 3)))) == 0
    assert bool(Tensor(np.array([1.0]))) and not bool(Tensor(0.0))
    assert int(Tensor(3.7)) == 3 and int(Tensor(-3.7)) == -3 and int(Tensor(np.array([[5]]))) == 5
    assert float(Tensor(3)) == 3.0 and int(Tensor(True)) == 1
    assert [10, 11, 12][Tensor(1)] == 11 and list(range(Tensor(np.array([2], np.int32)))) == [0, 1]


@pytest.mark.parametrize("call,error", [
    (lambda: list(Tensor(3.0)), TypeError), (lambda: len(Tensor(3.0)), TypeError),
    (lambda: bool(Tensor(np.ones(6))), ValueError), (lambda: bool(Tensor(np.zeros(0))), ValueError),
    (lambda: int(Tensor(np.ones(2))), ValueError), (lambda: float(Tensor(np.ones(2))), ValueError),
    (lambda: int(Tensor(np.zeros(0))), ValueError), (lambda: [1][Tensor(0.0)], ValueError),
    (lambda: "x" in Tensor(np.ones(2)), TypeError), (lambda: Tensor(np.ones(2)) in Tensor(np.ones(3)), ValueError),
])
def test_protocol_errors_as_mindspore(call, error):
    with pytest.raises(error):
        call()


# --- copies, pickles, strides, assign_value ---------------------------------------------------------------------
def test_copies_and_pickles_keep_data_dtype_and_device(device):
    for dtype in (np.float32, np.int64, np.bool_, np.float16):
        a = _arange((2, 3)).astype(dtype)
        t = Tensor(a)
        for clone in (copy.deepcopy(t), copy.copy(t), t.copy(), pickle.loads(pickle.dumps(t))):
            assert type(clone) is Tensor and clone is not t
            assert clone.dtype == t.dtype and clone._backend is t._backend and _contiguous(clone)
            np.testing.assert_array_equal(clone.asnumpy(), a)
            clone[0] = 0  # independent data
            np.testing.assert_array_equal(t.asnumpy(), a)
    p = Parameter(Tensor(np.ones(2, np.float32)), name="p", requires_grad=False)
    for clone in (copy.deepcopy(p), copy.copy(p), pickle.loads(pickle.dumps(p)), p.copy()):
        assert type(clone) is Parameter and clone.name == "p" and clone.requires_grad is False
        assert clone._backend is p._backend
        clone[0] = 5
        assert p.asnumpy().tolist() == [1, 1]


def test_deepcopy_keeps_shared_tensors_shared():
    t = Tensor(np.ones(2, np.float32))
    pair = copy.deepcopy([t, t])
    assert pair[0] is pair[1] and pair[0] is not t


def test_a_lazy_tensor_is_generated_before_it_is_copied():
    from minispore.common.initializer import Normal
    lazy = Tensor(shape=(2, 2), dtype=mstype.float32, init=Normal())
    clone = copy.deepcopy(lazy)
    assert not clone.has_init and not lazy.has_init
    np.testing.assert_array_equal(clone.asnumpy(), lazy.asnumpy())


def test_strides_and_assign_value(device):
    assert Tensor(np.zeros((2, 3, 4), np.float32)).strides == (48, 16, 4)
    assert Tensor(np.zeros((2, 3), np.int16)).strides == (6, 2) and Tensor(3.0).strides == ()
    u, v = Tensor(np.zeros(3, np.float32)), Tensor(np.arange(4, dtype=np.int32))
    assert u.assign_value(v) is u and u.shape == (4,) and u.dtype == mstype.int32
    v[0] = 9
    assert u.asnumpy()[0] == 9  # as MindSpore 2.10: the data are shared
    with pytest.raises(TypeError):
        u.assign_value(np.ones(3))
    with pytest.raises(TypeError):
        u.assign_value(2.0)


def test_from_numpy_keeps_a_0d_array_0d():
    assert Tensor.from_numpy(np.array(3.0)).shape == ()


def test_set_dtype_converts_in_place(device):
    t = Tensor(np.array([1.7, -2.2]))
    assert t.set_dtype(mstype.int32) is mstype.int32
    assert t.dtype == mstype.int32 and t.asnumpy().tolist() == [1, -2]
    with pytest.raises(TypeError):
        t.set_dtype(np.float32)
