"""Pooling primitives and layers against the NumPy oracle, MindSpore 2.10's printed values, shapes and errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minispore.nn as nn
from minispore import Tensor, ops
from minispore import dtype as mstype

import layer_oracle as oracle


def _arange(shape, dtype=np.float32):
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)


@st.composite
def pool_cases(draw, nd, small, pad_modes):
    kernel = tuple(draw(st.integers(1, 3 if small else 4)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    pad_mode = draw(st.sampled_from(pad_modes))
    pads = tuple(v for k in kernel for v in draw(st.sampled_from(
        [(a, b) for a in range(k + 1) for b in range(k + 1 - a)])))  # MindSpore: both sides <= kernel
    if pad_mode != "pad":
        pads = (0,) * (2 * nd)
    spatial = tuple(draw(st.integers(max(1, k - a - b), max(1, k - a - b) + (3 if small else 6)))
                    for k, a, b in zip(kernel, pads[0::2], pads[1::2]))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2 if small else 3))) + spatial
    x = np.random.default_rng(draw(st.integers(0, 2 ** 16))).standard_normal(shape).astype(np.float32)
    return x, kernel, stride, pad_mode, pads, draw(st.booleans()), draw(st.booleans()), draw(st.sampled_from([0, 0, 3]))


def _geometry(x, kernel, stride, pad_mode, pads, ceil_mode=False, dilation=None):
    dilation = dilation or (1,) * len(kernel)
    sizes = [oracle.pool_size(n, k, s, d, pad_mode, lo, hi, ceil_mode) for n, k, s, d, lo, hi in
             zip(x.shape[2:], kernel, stride, dilation, pads[0::2], pads[1::2])]
    return tuple(s[0] for s in sizes), tuple(s[1] for s in sizes), tuple(s[2] for s in sizes)


@pytest.mark.parametrize("prim", [ops.MaxPool, ops.AvgPool])
def test_2d_pools_match_the_oracle(device, small, prim):
    @settings(max_examples=4 if small else 40, deadline=None)
    @given(pool_cases(2, small, ["valid", "same"]))
    def run(case):
        x, kernel, stride, pad_mode, pads, _, _, _ = case
        out_size, before, _ = _geometry(x, kernel, stride, pad_mode, pads)
        got = prim(kernel, stride, pad_mode)(Tensor(x)).asnumpy()
        want, _ = oracle.pool(x, "max" if prim is ops.MaxPool else "avg", kernel, stride, (1, 1), before, out_size)
        assert got.shape == want.shape and got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    run()


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_3d_pools_match_the_oracle(device, small, kind):
    @settings(max_examples=4 if small else 40, deadline=None)
    @given(pool_cases(3, small, ["valid", "same", "pad"]))
    def run(case):
        x, kernel, stride, pad_mode, pads, ceil_mode, count_pad, divisor = case
        ceil_mode = ceil_mode and pad_mode == "pad"  # MindSpore: ceil_mode only with 'pad'
        out_size, before, after = _geometry(x, kernel, stride, pad_mode, pads, ceil_mode)
        if kind == "max":
            prim = ops.MaxPool3D(kernel, stride, pad_mode, pads, ceil_mode if pad_mode == "pad" else None)
            want, _ = oracle.pool(x, "max", kernel, stride, (1, 1, 1), before, out_size)
        else:
            prim = ops.AvgPool3D(kernel, stride, pad_mode, pads, ceil_mode, count_pad, divisor)
            counted = (before, after) if count_pad else (None, None)
            want, _ = oracle.pool(x, "avg", kernel, stride, (1, 1, 1), before, out_size, *counted, divisor)
        got = prim(Tensor(x)).asnumpy()
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    run()


def test_max_pool_indices_match_the_oracle(device, small):
    @settings(max_examples=4 if small else 40, deadline=None)
    @given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.booleans(),
           st.integers(0, 2 ** 16))
    def run(k, s, d, p, ceil_mode, seed):
        p = min(p, (d * (k - 1) + 1) // 2)
        rng = np.random.default_rng(seed)
        x = rng.integers(0, 4, (2, 2, 5, 6)).astype(np.float32)  # ties: the first maximum wins
        x[0, 0, 1, 2] = np.nan
        out, index = ops.max_pool2d(Tensor(x), k, s, p, d, return_indices=True, ceil_mode=ceil_mode)
        out_size, before, _ = _geometry(x, (k, k), (s, s), "pad", (p,) * 4, ceil_mode, (d, d))
        want, want_index = oracle.pool(x, "max", (k, k), (s, s), (d, d), before, out_size)
        np.testing.assert_array_equal(out.asnumpy(), want.astype(np.float32))
        np.testing.assert_array_equal(index.asnumpy(), want_index)
        assert index.dtype == mstype.int64
        np.testing.assert_array_equal(ops.max_pool2d(Tensor(x), k, s, p, d, ceil_mode=ceil_mode).asnumpy(),
                                      out.asnumpy())
    run()


def test_max_pool_3d_with_argmax(device):
    x = np.random.default_rng(1).standard_normal((1, 2, 4, 5, 5)).astype(np.float32)
    out, index = ops.MaxPool3DWithArgmax(ksize=2, strides=(1, 2, 2), pads=(1, 0, 1), dilation=(2, 1, 1),
                                         argmax_type=mstype.int32)(Tensor(x))
    out_size, before, _ = _geometry(x, (2, 2, 2), (1, 2, 2), "pad", (1, 1, 0, 0, 1, 1), dilation=(2, 1, 1))
    want, want_index = oracle.pool(x, "max", (2, 2, 2), (1, 2, 2), (2, 1, 1), before, out_size)
    np.testing.assert_array_equal(out.asnumpy(), want.astype(np.float32))
    np.testing.assert_array_equal(index.asnumpy(), want_index)
    assert index.dtype == mstype.int32


def test_functional_avg_pools_match_the_oracle(device):
    x = np.random.default_rng(2).standard_normal((2, 3, 6, 7)).astype(np.float32)
    got = ops.avg_pool2d(Tensor(x), 3, 2, (1, 0, 2, 1), ceil_mode=True, count_include_pad=False).asnumpy()
    out_size, before, _ = _geometry(x, (3, 3), (2, 2), "pad", (1, 0, 2, 1), True)
    want, _ = oracle.pool(x, "avg", (3, 3), (2, 2), (1, 1), before, out_size)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    x3 = x.reshape(2, 3, 2, 3, 7)
    got = ops.avg_pool3d(Tensor(x3), 2, 1, 1, divisor_override=5).asnumpy()
    want, _ = oracle.pool(x3, "avg", (2, 2, 2), (1, 1, 1), (1, 1, 1), (1, 1, 1), (3, 4, 8), divisor=5)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    got = ops.max_pool3d(Tensor(x3), 2, padding=1).asnumpy()
    want, _ = oracle.pool(x3, "max", (2, 2, 2), (2, 2, 2), (1, 1, 1), (1, 1, 1), (2, 2, 4))
    np.testing.assert_array_equal(got, want.astype(np.float32))


# MindSpore 2.10's outputs, printed by it for these inputs
def test_mindspore_values_2d():
    x = Tensor(_arange((1, 1, 5, 5)))
    np.testing.assert_allclose(ops.AvgPool(3, 2, "same")(x).asnumpy()[0, 0],
                               [[3, 4.5, 6], [10.5, 12, 13.5], [18, 19.5, 21]])  # real cells only
    np.testing.assert_allclose(ops.AvgPool(2, 2, "same")(x).asnumpy()[0, 0],
                               [[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]])
    np.testing.assert_array_equal(ops.MaxPool(2, 2, "same")(Tensor(-_arange((1, 1, 5, 5)))).asnumpy()[0, 0],
                                  [[0, -2, -4], [-10, -12, -14], [-20, -22, -24]])
    np.testing.assert_array_equal(ops.MaxPool(2, 2)(x).asnumpy()[0, 0], [[6, 8], [16, 18]])
    doc = Tensor(_arange((1, 3, 3, 4)))  # the docstring examples of MaxPool and AvgPool
    np.testing.assert_array_equal(ops.MaxPool(2, 1)(doc).asnumpy()[0, :, :, 0], [[5, 9], [17, 21], [29, 33]])
    np.testing.assert_array_equal(ops.AvgPool(2, 1)(doc).asnumpy()[0, 0], [[2.5, 3.5, 4.5], [6.5, 7.5, 8.5]])


def test_mindspore_values_3d():
    x = Tensor(_arange((1, 1, 1, 5, 5)) + 1)
    k, s = (1, 3, 3), (1, 2, 2)
    np.testing.assert_allclose(ops.AvgPool3D(k, s, "same")(x).asnumpy()[0, 0, 0], [
        [1.7777778, 3.6666667, 3.1111112], [7.6666665, 13, 9.666667], [8.444445, 13.666667, 9.777778]], rtol=1e-6)
    np.testing.assert_allclose(ops.AvgPool3D(k, s, "same", count_include_pad=False)(x).asnumpy()[0, 0, 0],
                               [[4, 5.5, 7], [11.5, 13, 14.5], [19, 20.5, 22]])
    np.testing.assert_allclose(ops.AvgPool3D((1, 2, 2), s, "pad", (0, 0, 1, 1, 1, 1))(x).asnumpy()[0, 0, 0],
                               [[0.25, 1.25, 2.25], [4.25, 10, 12], [9.25, 20, 22]])
    np.testing.assert_allclose(ops.AvgPool3D(k, s, "pad", (0, 0, 1, 1, 1, 1), divisor_override=2)(x).asnumpy()[
        0, 0, 0], [[8, 16.5, 14], [34.5, 58.5, 43.5], [38, 61.5, 44]])
    np.testing.assert_array_equal(ops.MaxPool3D((1, 2, 2), s, "pad", 0, True)(Tensor(-x.asnumpy())).asnumpy()[
        0, 0, 0], [[-1, -3, -5], [-11, -13, -15], [-21, -23, -25]])
    x6 = Tensor(_arange((1, 1, 1, 6, 6)) + 1)
    np.testing.assert_allclose(ops.AvgPool3D(k, s, "pad", (0, 0, 1, 1, 1, 1), True)(x6).asnumpy()[0, 0, 0], [
        [2, 4, 5.3333335, 3], [9, 15, 17, 9], [17, 27, 29, 15], [10.5, 16.5, 17.5, 9]], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ops.MaxPool3D(k, s, "pad", 0, True)(x6).asnumpy()[0, 0, 0],
                                  [[15, 17, 18], [27, 29, 30], [33, 35, 36]])


def test_mindspore_values_adaptive_and_indices():
    x = Tensor(np.tile(_arange((1, 3, 3)) + 1, (3, 1, 1)))
    np.testing.assert_allclose(ops.AdaptiveAvgPool2D((None, 2))(x).asnumpy()[0], [[1.5, 2.5], [4.5, 5.5],
                                                                                  [7.5, 8.5]])
    np.testing.assert_allclose(ops.AdaptiveAvgPool2D(2)(x).asnumpy()[1], [[3, 4], [6, 7]])
    np.testing.assert_allclose(ops.AdaptiveAvgPool2D((1, 2))(x).asnumpy()[2], [[4.5, 5.5]])
    y = Tensor(np.array([[[[1., 2., 3.], [4., 9., 6.], [9., 8., 9.]]]], np.float32))
    out, index = nn.MaxPool2d(2, 1, pad_mode="pad", padding=1, return_indices=True)(y)
    np.testing.assert_array_equal(out.asnumpy()[0, 0], [[1, 2, 3, 3], [4, 9, 9, 6], [9, 9, 9, 9], [9, 9, 9, 9]])
    np.testing.assert_array_equal(index.asnumpy()[0, 0], [[0, 1, 2, 2], [3, 4, 4, 5], [6, 4, 4, 8], [6, 6, 8, 8]])
    out, index = nn.MaxPool2d(2, 2, pad_mode="pad", dilation=2, return_indices=True)(Tensor(_arange((1, 1, 4, 4))))
    assert out.asnumpy().ravel().tolist() == [10] and index.asnumpy().ravel().tolist() == [10]


def test_max_pooling_propagates_nan(device):
    # MindSpore 2.10's CPU kernel skips NaN (a silent wrong maximum); here NaN wins, as in NumPy and PyTorch
    x = Tensor(np.array([[[[1., np.nan, 3.], [4., 5., 6.], [7., 8., 9.]]]], np.float32))
    np.testing.assert_array_equal(ops.MaxPool(2, 1)(x).asnumpy()[0, 0], [[np.nan, np.nan], [8, 9]])
    np.testing.assert_array_equal(ops.AvgPool(2, 1)(x).asnumpy()[0, 0], [[np.nan, np.nan], [6, 7]])


def test_adaptive_pool_matches_the_oracle(device, small):
    @settings(max_examples=4 if small else 30, deadline=None)
    @given(st.integers(1, 7), st.integers(1, 7), st.one_of(st.none(), st.integers(1, 5)), st.integers(1, 5),
           st.booleans(), st.integers(0, 2 ** 16))
    def run(h, w, oh, ow, batched, seed):
        x = np.random.default_rng(seed).standard_normal(((2,) if batched else ()) + (2, h, w)).astype(np.float32)
        got = nn.AdaptiveAvgPool2d((oh, ow))(Tensor(x)).asnumpy()
        want = oracle.adaptive_avg_pool2d(x, (h if oh is None else oh, ow))
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    run()


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_other_float_dtypes(dtype):
    x = np.random.default_rng(3).standard_normal((2, 2, 5, 6)).astype(dtype)
    out_size, before, _ = _geometry(x, (3, 3), (2, 2), "same", (0,) * 4)
    for prim, kind in ((ops.MaxPool(3, 2, "same"), "max"), (ops.AvgPool(3, 2, "same"), "avg")):
        got = prim(Tensor(x))
        assert got.dtype == mstype.to_dtype(dtype)
        want, _ = oracle.pool(x, kind, (3, 3), (2, 2), (1, 1), before, out_size)
        tol = 2e-3 if dtype == np.float16 else 1e-12
        np.testing.assert_allclose(got.asnumpy().astype(np.float64), want, rtol=tol, atol=tol)
    got = ops.AdaptiveAvgPool2D(2)(Tensor(x))
    assert got.dtype == mstype.to_dtype(dtype)


def test_nhwc_is_the_nchw_result_transposed():
    x = np.random.default_rng(4).standard_normal((2, 3, 7, 6)).astype(np.float32)
    for prim in (ops.MaxPool, ops.AvgPool):
        nchw = prim(3, 2, "same")(Tensor(x)).asnumpy()
        nhwc = prim(3, 2, "same", data_format="NHWC")(Tensor(x.transpose(0, 2, 3, 1))).asnumpy()
        np.testing.assert_array_equal(nhwc, nchw.transpose(0, 2, 3, 1))


def test_layers(device):
    x = np.random.default_rng(5).standard_normal((2, 3, 6, 6)).astype(np.float32)
    assert nn.MaxPool2d()(Tensor(x)).asnumpy().tolist() == x.tolist()  # 2.10: kernel 1, stride 1
    assert nn.AvgPool2d()(Tensor(x)).asnumpy().tolist() == x.tolist()
    np.testing.assert_array_equal(nn.MaxPool2d(3, 2, "same")(Tensor(x[0])).asnumpy(),
                                  ops.MaxPool(3, 2, "same")(Tensor(x)).asnumpy()[0])  # (C, H, W) input
    np.testing.assert_allclose(nn.AvgPool2d(3, 2, "pad", padding=1, count_include_pad=False)(Tensor(x)).asnumpy(),
                               oracle.pool(x, "avg", (3, 3), (2, 2), (1, 1), (1, 1), (3, 3))[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(nn.AvgPool2d(3, 2, "pad", padding=(1, 0))(Tensor(x)).asnumpy(),
                               oracle.pool(x, "avg", (3, 3), (2, 2), (1, 1), (1, 0), (3, 2), (1, 0), (1, 0))[0],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(nn.MaxPool2d(2, 2, "pad", padding=1, ceil_mode=True)(Tensor(x)).asnumpy(),
                                  oracle.pool(x, "max", (2, 2), (2, 2), (1, 1), (1, 1), (4, 4))[0])
    x3 = x.reshape(2, 3, 3, 2, 6)
    np.testing.assert_array_equal(nn.MaxPool3d(2, 1, "same")(Tensor(x3[1])).asnumpy(),
                                  ops.MaxPool3D(2, 1, "same")(Tensor(x3)).asnumpy()[1])
    out, index = nn.MaxPool3d(2, 1, "pad", padding=1, dilation=2, return_indices=True)(Tensor(x3))
    want, want_index = oracle.pool(x3, "max", (2, 2, 2), (1, 1, 1), (2, 2, 2), (1, 1, 1), (3, 2, 6))
    np.testing.assert_array_equal(out.asnumpy(), want.astype(np.float32))
    np.testing.assert_array_equal(index.asnumpy(), want_index)
    np.testing.assert_allclose(nn.AvgPool3d(2, 1, "same")(Tensor(x3)).asnumpy(),
                               ops.AvgPool3D(2, 1, "same")(Tensor(x3)).asnumpy())
    assert nn.AdaptiveAvgPool2d(1)(Tensor(x)).shape == (2, 3, 1, 1)


def test_layer_repr_and_mode():
    pool = nn.MaxPool2d(3, 2)
    assert "kernel_size=3, stride=2, pad_mode=VALID" in repr(pool)
    assert not pool.training and not nn.AdaptiveAvgPool2d(1).training


@pytest.mark.parametrize("make,error", [
    (lambda: ops.MaxPool(kernel_size=0), ValueError),
    (lambda: ops.MaxPool(kernel_size=(2, 2, 2)), ValueError),
    (lambda: ops.MaxPool(kernel_size=2.0), TypeError),
    (lambda: ops.AvgPool(strides="2"), TypeError),
    (lambda: ops.MaxPool(pad_mode="pad"), ValueError),
    (lambda: ops.AvgPool(pad_mode=1), TypeError),
    (lambda: ops.MaxPool(data_format="NCDHW"), ValueError),
    (lambda: ops.MaxPool3D(pad_mode="valid", pad_list=1), ValueError),
    (lambda: ops.MaxPool3D(pad_mode="same", ceil_mode=True), ValueError),
    (lambda: ops.MaxPool3D(kernel_size=1, pad_mode="pad", pad_list=1), ValueError),  # pads wider than the kernel
    (lambda: ops.AvgPool3D(pad_mode="pad", pad=(1, 2)), ValueError),
    (lambda: ops.AvgPool3D(count_include_pad=1), TypeError),
    (lambda: ops.AvgPool3D(divisor_override=-1), ValueError),
    (lambda: ops.AdaptiveAvgPool2D(2.0), TypeError),
    (lambda: ops.AdaptiveAvgPool2D((2,)), ValueError),
    (lambda: ops.AdaptiveAvgPool2D(-1), ValueError),
    (lambda: ops.MaxPool3DWithArgmax(2, 1, 2), ValueError),
    (lambda: ops.MaxPool3DWithArgmax(2, 1, 0, argmax_type=mstype.float32), TypeError),
    (lambda: nn.MaxPool2d(2, pad_mode="valid", padding=1), ValueError),
    (lambda: nn.MaxPool2d(2, pad_mode="same", return_indices=True), ValueError),
    (lambda: nn.MaxPool2d(2, pad_mode="pad", data_format="NHWC"), ValueError),
    (lambda: nn.MaxPool2d(2.5), TypeError),
    (lambda: nn.MaxPool2d(2, pad_mode=3), TypeError),
    (lambda: nn.AvgPool2d(2, divisor_override=0), ValueError),
    (lambda: nn.MaxPool3d(2, dilation=2), ValueError),
    (lambda: nn.AvgPool3d(2, pad_mode="valid", padding=1), ValueError),
])
def test_bad_arguments_raise(make, error):
    with pytest.raises(error, match="For '"):
        make()


@pytest.mark.parametrize("call,error", [
    (lambda: ops.MaxPool(2)(Tensor(np.ones((2, 3, 4), np.float32))), ValueError),
    (lambda: ops.MaxPool(2)(Tensor(np.ones((1, 1, 4, 4), np.int32))), TypeError),
    (lambda: ops.AvgPool(2)(np.ones((1, 1, 4, 4), np.float32)), TypeError),
    (lambda: ops.MaxPool(7)(Tensor(np.ones((1, 1, 5, 5), np.float32))), ValueError),
    (lambda: ops.MaxPool3D(2)(Tensor(np.ones((1, 1, 4, 4), np.float32))), ValueError),
    (lambda: ops.AdaptiveAvgPool2D(2)(Tensor(np.ones(3, np.float32))), ValueError),
    (lambda: nn.MaxPool2d(2)(Tensor(np.ones((1, 1, 1, 4, 4), np.float32))), ValueError),
    (lambda: ops.max_pool2d(Tensor(np.ones((1, 1, 4, 4), np.float32)), 2, padding=2), ValueError),
])
def test_bad_inputs_raise(call, error):
    with pytest.raises(error, match="For '"):
        call()
