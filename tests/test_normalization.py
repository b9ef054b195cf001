"""BatchNorm and LayerNorm (primitives, functional forms, layers) against the NumPy oracle, MindSpore 2.10's
values and parameter names, and errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minispore.nn as nn
from minispore import Parameter, Tensor, ops
from minispore import dtype as mstype

import layer_oracle as oracle


def _vectors(rng, c):
    return (rng.uniform(0.5, 2, c).astype(np.float32), rng.standard_normal(c).astype(np.float32),
            rng.standard_normal(c).astype(np.float32), rng.uniform(0.5, 2, c).astype(np.float32))


def test_batch_norm_training_matches_the_oracle(device, small):
    @settings(max_examples=4 if small else 30, deadline=None)
    @given(st.integers(1, 3), st.integers(1, 4), st.lists(st.integers(1, 3 if small else 9), max_size=2),
           st.floats(0, 1), st.sampled_from([1e-5, 0.1]), st.integers(0, 2 ** 16))
    def run(n, c, spatial, momentum, eps, seed):
        rng = np.random.default_rng(seed)
        shape = (n, c) + tuple(spatial)
        if int(np.prod(shape)) // c < 2:
            return
        x = (rng.standard_normal(shape) * 3 + 5).astype(np.float32)  # a mean far from 0: the shifted sums
        gamma, beta, mean, var = _vectors(rng, c)
        moving_mean, moving_var = Parameter(Tensor(mean), name="m"), Parameter(Tensor(var), name="v")
        out = ops.BatchNorm(True, eps, momentum)(Tensor(x), Tensor(gamma), Tensor(beta), moving_mean, moving_var)
        y, bmean, bvar, unbiased = oracle.batch_norm_train(x, gamma, beta, eps)
        # y = x * scale + offset in float32: the rounding error grows with |x * scale| (a near-constant channel)
        scale = (gamma / np.sqrt(bvar + eps)).reshape((1, c) + (1,) * len(spatial))
        np.testing.assert_allclose(out[0].asnumpy(), y, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(x * scale).max()))
        for got, want in zip(out[1:], (bmean, unbiased, bmean, bvar)):
            np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(moving_mean.asnumpy(), (1 - momentum) * mean + momentum * bmean, rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(moving_var.asnumpy(), (1 - momentum) * var + momentum * unbiased, rtol=1e-5,
                                   atol=1e-6)
    run()


def test_batch_norm_inference_matches_the_oracle(device, small):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4, 5) if small else (4, 8, 9, 11)).astype(np.float32)
    gamma, beta, mean, var = _vectors(rng, x.shape[1])
    out = ops.BatchNorm(epsilon=1e-3)(Tensor(x), Tensor(gamma), Tensor(beta), Tensor(mean), Tensor(var))
    np.testing.assert_allclose(out[0].asnumpy(), oracle.batch_norm_eval(x, gamma, beta, mean, var, 1e-3),
                               rtol=1e-5, atol=1e-5)
    for got, want in zip(out[1:], (mean, var, mean, var)):  # inference: the given statistics
        np.testing.assert_array_equal(got.asnumpy(), want)
    y = ops.batch_norm(Tensor(x), Tensor(mean), Tensor(var), Tensor(gamma), Tensor(beta), eps=1e-3)
    np.testing.assert_array_equal(y.asnumpy(), out[0].asnumpy())


def test_batch_norm_mindspore_values():
    # MindSpore 2.10, ops.BatchNorm(is_training=True) on this input: y and the moving statistics after one step
    x = np.random.default_rng(0).standard_normal((2, 3, 2, 2)).astype(np.float32)
    mm, mv = Parameter(Tensor(np.zeros(3, np.float32)), name="mm"), Parameter(Tensor(np.ones(3, np.float32)),
                                                                              name="mv")
    out = ops.BatchNorm(is_training=True)(Tensor(x), Tensor(np.ones(3, np.float32)),
                                          Tensor(np.zeros(3, np.float32)), mm, mv)
    np.testing.assert_allclose(out[0].asnumpy().ravel()[:6], [0.67955565, 0.38685632, 1.2638444, 0.65590894,
                                                             -1.265566, 0.04042149], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[3].asnumpy(), [-0.47288162, 0.33382392, -0.2033576], rtol=1e-6)
    np.testing.assert_allclose(out[4].asnumpy(), [0.7759521, 0.47201267, 0.5757082], rtol=1e-6)
    np.testing.assert_allclose(mm.asnumpy(), [-0.04728816, 0.03338239, -0.02033576], rtol=1e-6)
    np.testing.assert_allclose(mv.asnumpy(), [0.98868024, 0.95394427, 0.9657952], rtol=1e-6)


def test_batch_norm_layers(device):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((4, 3, 5, 6)) + 2).astype(np.float32)
    bn = nn.BatchNorm2d(3)
    assert not bn.training
    np.testing.assert_allclose(bn(Tensor(x)).asnumpy(), x / np.sqrt(1 + 1e-5), rtol=1e-6)  # eval: moving stats
    bn.set_train()
    y = bn(Tensor(x)).asnumpy()
    want, mean, _, unbiased = oracle.batch_norm_train(x, np.ones(3), np.zeros(3), 1e-5)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)
    # momentum 0.9 weights the old statistic; the variance folded in is the unbiased one
    np.testing.assert_allclose(bn.moving_mean.asnumpy(), 0.1 * mean, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(bn.moving_variance.asnumpy(), 0.9 + 0.1 * unbiased, rtol=1e-6)
    frozen = nn.BatchNorm2d(3, use_batch_statistics=False)
    frozen.set_train()
    np.testing.assert_allclose(frozen(Tensor(x)).asnumpy(), x / np.sqrt(1 + 1e-5), rtol=1e-6)
    np.testing.assert_array_equal(frozen.moving_mean.asnumpy(), np.zeros(3))
    bn1 = nn.BatchNorm1d(3, use_batch_statistics=True)  # batch statistics even in evaluation
    x2 = x[:, :, 0, 0]
    np.testing.assert_allclose(bn1(Tensor(x2)).asnumpy(), oracle.batch_norm_train(x2, np.ones(3), np.zeros(3),
                                                                                    1e-5)[0], rtol=1e-5, atol=1e-5)
    assert bn1(Tensor(x[:, :, :, 0])).shape == (4, 3, 5)


def test_batch_norm_parameters_are_named_as_mindspore_names_them():
    bn = nn.BatchNorm2d(3)
    assert [(path, p.name, p.requires_grad) for path, p in bn.parameters_and_names()] == [
        ("moving_mean", "mean", False), ("moving_variance", "variance", False), ("gamma", "gamma", True),
        ("beta", "beta", True)]
    assert [p.requires_grad for p in nn.BatchNorm1d(2, affine=False).get_parameters()] == [False] * 4
    text = repr(bn)
    assert "num_features=3, eps=1e-05, momentum=0.9, gamma=Parameter (name=gamma" in text


def test_batch_norm_nhwc_and_other_dtypes():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    gamma, beta, mean, var = _vectors(rng, 3)
    vectors = [Tensor(v) for v in (gamma, beta, mean, var)]
    nchw = ops.BatchNorm()(Tensor(x), *vectors)[0].asnumpy()
    nhwc = ops.BatchNorm(data_format="NHWC")(Tensor(x.transpose(0, 2, 3, 1)), *vectors)[0].asnumpy()
    np.testing.assert_array_equal(nhwc, nchw.transpose(0, 2, 3, 1))
    for dtype, tol in ((np.float16, 3e-3), (np.float64, 1e-12)):
        vec = [Tensor(v.astype(dtype)) for v in (gamma, beta, mean, var)]
        out = ops.BatchNorm()(Tensor(x.astype(dtype)), *vec)
        assert out[0].dtype == mstype.to_dtype(dtype) and out[1].dtype == mstype.to_dtype(dtype)
        want = oracle.batch_norm_eval(x.astype(dtype), *(v.astype(dtype) for v in (gamma, beta, mean, var)), 1e-5)
        np.testing.assert_allclose(out[0].asnumpy().astype(np.float64), want, rtol=tol, atol=tol)
    half_mean = Parameter(Tensor(mean.astype(np.float16)), name="hm")
    ops.BatchNorm(True)(Tensor(x.astype(np.float16)), Tensor(gamma.astype(np.float16)),
                        Tensor(beta.astype(np.float16)), half_mean, Tensor(var.astype(np.float16)))
    assert half_mean.dtype == mstype.float16
    np.testing.assert_allclose(half_mean.asnumpy(), 0.9 * mean + 0.1 * x.mean((0, 2, 3)), rtol=3e-3, atol=3e-3)


def test_layer_norm_matches_the_oracle(device, small):
    @settings(max_examples=4 if small else 30, deadline=None)
    @given(st.lists(st.integers(1, 3 if small else 6), min_size=1, max_size=4), st.data(), st.integers(0, 2 ** 16))
    def run(shape, data, seed):
        rank = len(shape)
        norm = data.draw(st.integers(-rank, rank - 1))
        params = data.draw(st.integers(-rank, rank - 1))
        rng = np.random.default_rng(seed)
        x = (rng.standard_normal(shape) * 2 + 3).astype(np.float32)
        gamma = rng.standard_normal(shape[params % rank:]).astype(np.float32)
        beta = rng.standard_normal(shape[params % rank:]).astype(np.float32)
        y, mean, var = ops.LayerNorm(norm, params, 1e-5)(Tensor(x), Tensor(gamma), Tensor(beta))
        want, want_mean, want_var = oracle.layer_norm(x, gamma, beta, norm % rank, 1e-5)
        np.testing.assert_allclose(y.asnumpy(), want, rtol=1e-5, atol=1e-5)
        assert mean.shape == want_mean.shape and var.dtype == mstype.float32
        np.testing.assert_allclose(mean.asnumpy(), want_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(var.asnumpy(), want_var, rtol=1e-5, atol=1e-6)
    run()


def test_layer_norm_layer_and_functional(device):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    net = nn.LayerNorm((4,))
    assert [p.name for p in net.get_parameters()] == ["gamma", "beta"]
    np.testing.assert_allclose(net(Tensor(x)).asnumpy(), oracle.layer_norm(x, 1, 0, 2, 1e-7)[0], rtol=1e-5,
                               atol=1e-5)
    net = nn.LayerNorm((3, 4), begin_norm_axis=1, begin_params_axis=1)
    assert net.gamma.shape == (3, 4) and net(Tensor(x)).shape == (2, 3, 4)
    w, b = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(ops.layer_norm(Tensor(x), (3, 4), Tensor(w), Tensor(b)).asnumpy(),
                               oracle.layer_norm(x, w, b, 1, 1e-5)[0], rtol=1e-5, atol=1e-5)
    half = ops.LayerNorm()(Tensor(x.astype(np.float16)), Tensor(w.astype(np.float16)), Tensor(b.astype(np.float16)))
    assert [t.dtype for t in half] == [mstype.float16, mstype.float32, mstype.float32]


@pytest.mark.parametrize("make,error", [
    (lambda: ops.BatchNorm(is_training=1), TypeError),
    (lambda: ops.BatchNorm(epsilon=0), ValueError),
    (lambda: ops.BatchNorm(epsilon=1.5), ValueError),
    (lambda: ops.BatchNorm(momentum=-0.1), ValueError),
    (lambda: ops.BatchNorm(momentum="0.1"), TypeError),
    (lambda: ops.BatchNorm(data_format="NCDHW"), ValueError),
    (lambda: ops.LayerNorm(begin_norm_axis=1.0), TypeError),
    (lambda: ops.LayerNorm(epsilon=-1.0), ValueError),
    (lambda: nn.BatchNorm2d(0), ValueError),
    (lambda: nn.BatchNorm2d(3.0), TypeError),
    (lambda: nn.BatchNorm2d(3, momentum=1.5), ValueError),
    (lambda: nn.BatchNorm2d(3, use_batch_statistics=1), TypeError),
    (lambda: nn.LayerNorm(4), TypeError),
    (lambda: nn.LayerNorm((4,), begin_norm_axis="1"), TypeError),
])
def test_bad_arguments_raise(make, error):
    with pytest.raises(error, match="For '"):
        make()


def _bn(x, c=3, training=False):
    v = Tensor(np.ones(c, np.float32))
    return ops.BatchNorm(training)(Tensor(x), v, v, Tensor(np.zeros(c, np.float32)), Tensor(np.ones(c, np.float32)))


@pytest.mark.parametrize("call,error", [
    (lambda: _bn(np.ones((2, 2, 2), np.float32)), ValueError),  # 2 channels, vectors of 3
    (lambda: _bn(np.ones(3, np.float32)), ValueError),
    (lambda: _bn(np.ones((2, 3), np.int32)), TypeError),
    (lambda: _bn(np.ones((1, 3), np.float32), training=True), ValueError),  # one value per channel
    (lambda: ops.BatchNorm()(Tensor(np.ones((2, 3), np.float32)), 1.0, 1.0, 1.0, 1.0), TypeError),
    (lambda: nn.BatchNorm2d(3)(Tensor(np.ones((2, 3, 4), np.float32))), ValueError),
    (lambda: nn.BatchNorm2d(3)(Tensor(np.ones((2, 2, 4, 4), np.float32))), ValueError),
    (lambda: nn.BatchNorm1d(3)(Tensor(np.ones((2, 3, 4, 4), np.float32))), ValueError),
    (lambda: ops.LayerNorm(3)(Tensor(np.ones((2, 3, 4), np.float32)), Tensor(np.ones(4, np.float32)),
                              Tensor(np.ones(4, np.float32))), ValueError),
    (lambda: nn.LayerNorm((5,))(Tensor(np.ones((2, 4), np.float32))), ValueError),
    (lambda: ops.layer_norm(Tensor(np.ones((2, 4), np.float32)), (3,)), ValueError),
])
def test_bad_inputs_raise(call, error):
    with pytest.raises(error, match="For '"):
        call()


def test_float64_on_every_device(device):
    # a GPU's `mul` is float32's __fmul_rn: the float64 kernels must multiply in double
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 5)) * 1e-3 + 1
    gamma, beta, mean, var = (v.astype(np.float64) for v in _vectors(rng, 3))
    y = ops.BatchNorm()(Tensor(x), Tensor(gamma), Tensor(beta), Tensor(mean), Tensor(var))[0].asnumpy()
    np.testing.assert_allclose(y, oracle.batch_norm_eval(x, gamma, beta, mean, var, 1e-5), rtol=1e-13)
    y = ops.LayerNorm(1, 1, 1e-5)(Tensor(x), Tensor(np.ones((3, 5))), Tensor(np.zeros((3, 5))))[0].asnumpy()
    np.testing.assert_allclose(y, oracle.layer_norm(x, 1, 0, 1, 1e-5)[0], rtol=1e-9, atol=1e-9)
    out, mask = ops.Dropout(0.5)(Tensor(x))
    np.testing.assert_array_equal(out.asnumpy(), np.where(mask.asnumpy() > 0, x * 2, 0))
