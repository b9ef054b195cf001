"""Reductions, arg-reductions and softmax against slow references: the summation order written out (the same
bits), NumPy's values for max/min/argmax, MindSpore 2.10's dtypes and axis rules, and its errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from minispore import Tensor
from minispore import dtype as mstype
from minispore import ops
from minispore.kernels import bodies
from minispore.ops import operations as P

import elementwise_oracle as oracle
from elementwise_oracle import same_bits


@st.composite
def _shape_and_axes(draw, max_dims=4, max_side=6):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side))
    ndim = len(shape)
    if ndim == 0:
        return shape, draw(st.sampled_from([(), 0, -1]))
    form = draw(st.sampled_from(["all", "int", "tuple", "list"]))
    if form == "all":
        return shape, ()
    axes = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                         unique_by=lambda a: a % ndim))
    return shape, axes[0] if form == "int" else (tuple(axes) if form == "tuple" else axes)


def _sorted_axes(axis, ndim):
    if ndim == 0:
        return ()
    items = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(a % ndim for a in items)) if items else tuple(range(ndim))


_FOLDS = {"ReduceSum": oracle.sum_op, "ReduceMax": oracle.max_op, "ReduceMin": oracle.min_op}


@pytest.mark.parametrize("name,dtypes", [("ReduceSum", (np.float32, np.float64, np.int32)),
                                         ("ReduceMean", (np.float32, np.int32)), ("ReduceMax", (np.float32,)),
                                         ("ReduceMin", (np.int32,))])
def test_reductions_fold_in_the_documented_order(device, small, name, dtypes):
    @settings(max_examples=6 if small else 25, deadline=None)
    @given(_shape_and_axes(max_dims=3 if small else 4, max_side=4 if small else 7), st.booleans(),
           st.sampled_from(dtypes), st.integers(0, 2 ** 16))
    def run(shape_axes, keep_dims, dtype, seed):
        shape, axis = shape_axes
        rng = np.random.default_rng(seed)
        x = (rng.standard_normal(shape) * 10).astype(dtype)
        got = getattr(P, name)(keep_dims)(Tensor(x), axis)
        axes = _sorted_axes(axis, x.ndim)
        want = oracle.reduce_in_order(x, axes, _FOLDS.get(name, oracle.sum_op), np.dtype(dtype))
        if name == "ReduceMean":
            count = int(np.prod([shape[a] for a in axes], dtype=np.int64)) if axes else 1
            want = (want / np.dtype(dtype).type(count)).astype(dtype) if dtype != np.int32 else \
                np.trunc(want.astype(np.float64) / count).astype(dtype)  # integers divide toward zero
        want = np.asarray(want).reshape(np.sum(x, axis=axes, keepdims=keep_dims).shape)
        assert got.dtype == mstype.to_dtype(dtype)
        assert same_bits(got.asnumpy(), want), (shape, axis, got.asnumpy(), want)
    run()


def test_long_sums_fold_in_chunks_in_order(device, small):
    n = 70 if small else 50000
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(n) * 3).astype(np.float32)
    rows = np.stack([x, x[::-1]])
    if small:  # a chunked fold of a tiny array: call the launcher with a small chunk
        from minispore._backend import current_backend
        backend = current_backend()
        out = backend.empty(2, np.float32)
        partial = backend.empty(2 * 5, np.float32)
        backend.kernels.reduce(bodies.SUM, out, backend.from_host(rows.reshape(-1)), partial, (2,), (n,), (n,), (1,),
                               16, True)
        got = backend.to_host(out)
        want = [oracle.fold(list(r), oracle.sum_op, True, 16) for r in rows]
    else:
        got = P.ReduceSum()(Tensor(rows), 1).asnumpy()
        want = [oracle.fold(list(r), oracle.sum_op, True, 8192) for r in rows]
    assert same_bits(got, np.array(want, np.float32))
    exact = rows.astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(got, exact, rtol=1e-5, atol=1e-3 * np.sqrt(n))


@pytest.mark.parametrize("shape,axes", [((5, 300), (0,)), ((3, 4, 40), (0, 1)), ((9000, 16), (0,)),
                                        ((2, 3, 9), (0, 2)), ((6, 1, 33), (0,))])
def test_reductions_over_leading_axes_keep_the_order(device, small, shape, axes):
    # on the CPU, outputs contiguous in the input fold side by side: each still element after element
    if small:
        shape = tuple(min(n, 10) for n in shape)
    x = (np.random.default_rng(3).standard_normal(shape) * 5).astype(np.float32)
    for name, op in (("ReduceSum", oracle.sum_op), ("ReduceMax", oracle.max_op)):
        got = getattr(P, name)()(Tensor(x), axes).asnumpy()
        want = oracle.reduce_in_order(x, list(axes), op, np.dtype(np.float32))
        assert same_bits(got, want.reshape(got.shape)), (name, shape, axes)


def test_float16_sums_in_float32():
    x = np.full(5000, 1.0, np.float16)  # a float16 running sum would stop at 2048
    got = P.ReduceSum()(Tensor(x))
    assert got.dtype == mstype.float16 and got.asnumpy() == 5000
    assert P.ReduceMean()(Tensor(np.array([1, 2, 4], np.float16))).asnumpy() == np.float16(7 / 3)


def test_mindspore_2_10_reduction_rules():
    xi = Tensor(np.array([[1, 2], [2, 2]], np.int32))
    assert P.ReduceSum()(xi).dtype == mstype.int32  # the primitive keeps the dtype
    assert P.ReduceMean()(xi).asnumpy() == 1 and P.ReduceMean()(xi, 1).asnumpy().tolist() == [1, 2]
    assert P.ReduceSum()(Tensor(np.array([200, 100], np.uint8))).asnumpy() == 44  # wraps, as MindSpore's
    b = Tensor(np.array([True, True]))
    assert P.ReduceSum()(b).dtype == mstype.bool_ and P.ReduceSum()(b).asnumpy()
    x = Tensor(np.ones((2, 3), np.float32))
    assert P.ReduceSum(keep_dims=True)(x, ()).shape == (1, 1) and P.ReduceSum()(x, []).shape == ()
    assert P.ReduceSum()(x, [0]).shape == (3,) and P.ReduceSum()(x, -1).asnumpy().tolist() == [3, 3]
    assert P.ReduceSum()(Tensor(np.float32(3.0)), 0).asnumpy() == 3  # a 0-d tensor takes axis 0
    assert P.ReduceSum(skip_mode=True)(x, ()).shape == (2, 3)
    assert P.ReduceSum()(Tensor(np.ones((0, 3), np.float32)), 0).asnumpy().tolist() == [0, 0, 0]
    assert np.isnan(P.ReduceMean()(Tensor(np.ones((0, 3), np.float32)), 0).asnumpy()).all()
    nan = Tensor(np.array([1.0, np.nan, 2.0], np.float32))
    assert np.isnan(P.ReduceMax()(nan).asnumpy()) and np.isnan(P.ReduceMin()(nan).asnumpy())  # as NumPy


@pytest.mark.parametrize("call,error,message", [
    (lambda: P.ReduceSum()(Tensor(np.ones((2, 3))), 2), ValueError, r"For 'ReduceSum', the 'axis' must be in the "
                                                                     r"range \[-2, 2\), but got 2"),
    (lambda: P.ReduceSum()(Tensor(np.ones((2, 3))), (1, 1)), ValueError, r"'axis' must be distinct axes"),
    (lambda: P.ReduceMax()(Tensor(np.ones((2, 3))), 0.5), TypeError, r"'axis' must be an int, or a tuple or list"),
    (lambda: P.ReduceSum(keep_dims=1), TypeError, r"For 'ReduceSum', the 'keep_dims' must be a bool"),
    (lambda: P.ReduceMean()([1, 2]), TypeError, r"For 'ReduceMean', the 'x' must be a Tensor"),
    (lambda: P.ReduceMax()(Tensor(np.ones((0, 3))), 0), ValueError, r"'x' must be non-empty along the reduced axes"),
    (lambda: P.ReduceMax()(Tensor(np.array([True]))), TypeError, r"'x' must be a Tensor of a number dtype"),
    (lambda: P.Argmax(axis=3)(Tensor(np.ones((2, 3)))), ValueError, r"For 'Argmax', the 'axis' must be in the range"),
    (lambda: P.Argmax(axis=(0,)), TypeError, r"For 'Argmax', the 'axis' must be an int"),
    (lambda: P.Argmax(output_type=mstype.float32), TypeError, r"'output_type' must be mstype.int32 or mstype.int64"),
    (lambda: P.Softmax(axis=2)(Tensor(np.ones((2, 3), np.float32))), ValueError,
     r"For 'Softmax', the 'axis' must be in the range \[-2, 2\), but got 2"),
    (lambda: P.Softmax(axis=1.5), TypeError, r"For 'Softmax', the 'axis' must be an int or a tuple of one int"),
    (lambda: P.LogSoftmax()(Tensor(np.ones(3, np.int32))), TypeError, r"'x' must be a Tensor of float16, float32"),
])
def test_errors_use_mindsporess_template(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- arg-reductions ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,np_fn", [("Argmax", np.argmax), ("Argmin", np.argmin)])
def test_argmax_and_argmin_match_numpy(device, small, name, np_fn):
    @settings(max_examples=5 if small else 20, deadline=None)
    @given(hnp.array_shapes(min_dims=1, max_dims=3 if small else 4, max_side=4 if small else 6),
           st.integers(-4, 3), st.sampled_from([np.float32, np.int32]), st.integers(0, 2 ** 16))
    def run(shape, axis, dtype, seed):
        axis = axis % len(shape)
        rng = np.random.default_rng(seed)
        x = rng.integers(-3, 3, shape).astype(dtype)  # ties: the first index wins
        if dtype != np.int32 and x.size > 2:
            x.reshape(-1)[rng.integers(0, x.size)] = np.nan
        for output_type in (mstype.int32, mstype.int64):
            got = getattr(P, name)(axis, output_type)(Tensor(x))
            assert got.dtype == output_type
            np.testing.assert_array_equal(got.asnumpy(), np_fn(x, axis=axis))
    run()


def test_max_with_indices_and_flattened_argmax(device):
    x = np.array([[1.0, 5.0, 5.0], [np.nan, 2.0, 6.0]], np.float32)
    values, index = Tensor(x).max(1)
    np.testing.assert_array_equal(values.asnumpy(), [5.0, np.nan])
    assert index.dtype == mstype.int64 and index.asnumpy().tolist() == [1, 0]
    assert Tensor(x).argmax().asnumpy() == 3 and Tensor(x).argmax().dtype == mstype.int64
    values, index = ops.max(Tensor(x))  # the whole tensor: the value and its flat index
    assert np.isnan(values.asnumpy()) and index.asnumpy() == 3
    assert P.Argmax()(Tensor(np.array([[1, 3, 3], [2, 0, 1]], np.float32))).asnumpy().tolist() == [1, 0]


# --- softmax ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("log", [False, True])
def test_softmax_matches_a_long_double_reference(device, small, log):
    @settings(max_examples=5 if small else 20, deadline=None)
    @given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4 if small else 7), st.integers(-3, 2),
           st.sampled_from([np.float32] if log else [np.float32, np.float64]), st.floats(0.1, 60),
           st.integers(0, 2 ** 16))
    def run(shape, axis, dtype, scale, seed):
        axis = axis % len(shape)
        x = (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)
        prim = (P.LogSoftmax if log else P.Softmax)(axis)
        got = prim(Tensor(x)).asnumpy()
        want = oracle.softmax(x, axis, log)
        tol = 8 * np.finfo(dtype).eps
        np.testing.assert_allclose(got, want.astype(np.float64), rtol=tol * 4, atol=tol * (1 + (scale if log else 0)))
    run()


def test_softmax_is_stable_and_sums_to_one(device):
    x = Tensor(np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0]], np.float32))
    out = P.Softmax()(x).asnumpy()
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(P.LogSoftmax()(x).asnumpy()[1], np.log(np.float32(1 / 3)), rtol=1e-6)
    # MindSpore 2.10 printed these digits; its float exp is 1e-6 off, ours within an ulp or two of the exact value
    y = Tensor(np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], np.float32))
    got = P.Softmax()(y).asnumpy()[0]
    np.testing.assert_allclose(got, [0.015876222401857376, 0.8668133616447449, 0.11731036752462387], rtol=2e-6)
    assert oracle.ulps(got, oracle.softmax(y.asnumpy()[0], 0)).max() <= 2
    got = P.LogSoftmax(0)(y).asnumpy()[:, 0]  # MindSpore's are 3.4e-6 off here (-3.0485907, -0.0485907)
    np.testing.assert_allclose(got, [-3.048590660095215, -0.04859074205160141], atol=4e-6)
    # log(sum) carries the sum's rounding: absolute, about an ulp of 1
    np.testing.assert_allclose(got, oracle.softmax(y.asnumpy()[:, 0], 0, log=True).astype(np.float64), rtol=0,
                               atol=2 * np.finfo(np.float32).eps)
    assert P.Softmax(axis=(0,))(y).shape == (2, 3)
    assert P.Softmax()(Tensor(np.array([1, 2], np.float16))).dtype == mstype.float16


# --- kernel copies -----------------------------------------------------------------------------------------------
@pytest.mark.cpu_only
def test_serial_and_parallel_copies_of_the_reduction_kernels_give_the_same_bits():
    from minispore.kernels import _parallel, cpu
    rng = np.random.default_rng(2)
    n = _parallel.SERIAL_BELOW + 4096
    x = (rng.standard_normal((2, n // 2)) * 3).astype(np.float32)
    flat = x.reshape(-1)
    t = Tensor(x)
    P.ReduceSum()(t, 1), t.argmax(axis=1), ops.softmax(t)  # make the kernels
    cases = [
        (("reduce", bodies.SUM, False), lambda o, p: (o, flat, p, (2,), (n // 2,), (n // 2,), (1,), 8192, True),
         2, 2 * 3),
        (("reduce", bodies.SUM, False), lambda o, p: (o, flat, p, (n // 2,), (1,), (2,), (n // 2,), 8192, False),
         n // 2, 1),  # outputs side by side, each in the sequential order
    ]
    for key, args, n_out, n_partial in cases:
        split = cpu._kernels[key]
        outs = []
        for copy in (split.serial, split.parallel):
            out, partial = np.empty(n_out, np.float32), np.empty(max(n_partial, 1), np.float32)
            copy(*args(out, partial))
            outs.append(out)
        assert same_bits(*outs), key
    split = cpu._kernels[("arg_reduce", bodies.ARGMAX, False)]
    found = [(np.empty(2, np.float32), np.empty(2, np.int64)) for _ in range(2)]
    split.serial(found[0][0], found[0][1], flat, n // 2, 1)
    split.parallel(found[1][0], found[1][1], flat, n // 2, 1)
    assert same_bits(found[0][0], found[1][0]) and same_bits(found[0][1], found[1][1])
    split = cpu._kernels[("softmax", bodies.SOFTMAX, False)]
    soft = [np.empty_like(flat) for _ in range(2)]
    split.serial(soft[0], flat, n // 2, 1)
    split.parallel(soft[1], flat, n // 2, 1)
    assert same_bits(*soft)
