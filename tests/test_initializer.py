"""Initializers: names and aliases, lazy tensors, statistics of every distribution, fans and gains, errors."""
import math

import numpy as np
import pytest

from minispore import Parameter, Tensor
from minispore import dtype as mstype
from minispore.common import set_seed
from minispore.common import initializer as init
from minispore.common.initializer import initializer

import oracle


@pytest.mark.parametrize("name,cls", [
    ("Normal", init.Normal), ("normal", init.Normal), ("NORMAL", init.Normal), ("zeros", init.Zero),
    ("Zero", init.Zero), ("ones", init.One), ("One", init.One), ("uniform", init.Uniform),
    ("TruncatedNormal", init.TruncatedNormal), ("truncatedNormal", init.TruncatedNormal),
    ("xavier_uniform", init.XavierUniform), ("XavierUniform", init.XavierUniform),
    ("he_uniform", init.HeUniform), ("HeUniform", init.HeUniform), ("he_normal", init.HeNormal),
    ("HeNormal", init.HeNormal),
])
def test_names_are_case_insensitive_aliases(name, cls):
    lazy = initializer(name, [4, 3], mstype.float32)
    assert isinstance(lazy.init, cls) and lazy.has_init


def test_lazy_until_used():
    set_seed(1)
    lazy = initializer("normal", (2, 3))
    assert lazy.has_init and lazy.shape == (2, 3) and lazy.dtype == mstype.float32
    assert lazy.init_data() is lazy and not lazy.has_init and lazy.init is None
    for use in (lambda t: t.asnumpy(), repr, str, lambda t: Parameter(t), lambda t: t + 1):
        fresh = initializer("normal", (2, 3))
        use(fresh)
        assert not fresh.has_init


def test_tensor_init_returned_as_is_and_numbers_are_constants():
    t = Tensor(np.ones([2, 2], np.float32))
    assert initializer(t, [2, 2]) is t and initializer(t) is t
    with pytest.raises(ValueError, match="shape"):
        initializer(t, [2, 3])
    np.testing.assert_array_equal(initializer(2.5, [3]).asnumpy(), [2.5, 2.5, 2.5])
    np.testing.assert_array_equal(initializer(7, 2, mstype.int32).asnumpy(), [7, 7])
    np.testing.assert_array_equal(initializer(init.Constant(-1), (1, 2)).asnumpy(), [[-1, -1]])
    np.testing.assert_array_equal(initializer("zeros", [2], mstype.int8).asnumpy(), [0, 0])
    np.testing.assert_array_equal(initializer("ones", [2], mstype.float16).asnumpy(), [1, 1])


def test_user_subclass_with_initialize():
    class Arange(init.Initializer):
        def _initialize(self, arr):
            arr[...] = np.arange(arr.size).reshape(arr.shape)

    out = initializer(Arange(), [2, 3], mstype.float32).asnumpy()
    np.testing.assert_array_equal(out, np.arange(6, dtype=np.float32).reshape(2, 3))
    arr = np.zeros(4, np.float32)
    Arange()(arr)
    np.testing.assert_array_equal(arr, np.arange(4))


def test_assignment_helper_for_user_subclasses_as_mindspore():
    class Two(init.Initializer):  # the subclass of MindSpore's tests/ut/python/utils/test_initializer.py
        def _initialize(self, arr):
            init._assignment(arr, 2)

    out = initializer(Two(), [2, 2], mstype.int32).init_data()
    assert out.dtype == mstype.int32 and out.asnumpy().tolist() == [[2, 2], [2, 2]]
    scalar = np.zeros((), np.float32)
    assert init._assignment(scalar, 3) is scalar and scalar == 3  # 0-d too
    rows = np.zeros((2, 3), np.float32)
    init._assignment(rows, np.arange(3))  # an array broadcasts
    np.testing.assert_array_equal(rows, [[0, 1, 2], [0, 1, 2]])


def test_builtin_initializers_fill_numpy_arrays_when_called():
    arr = np.zeros((100, 100), np.float32)
    init.Normal(1.0)(arr)
    assert 0.9 < arr.std() < 1.1
    arr64 = np.zeros(10)
    init.One()(arr64)
    np.testing.assert_array_equal(arr64, np.ones(10))


def _stats_sample(init_obj, shape=(1000, 300)):
    set_seed(123)
    return initializer(init_obj, shape).asnumpy().astype(np.float64)


def _check_moments(x, mean, std):
    n = x.size
    assert abs(x.mean() - mean) < 5 * std / math.sqrt(n) + 1e-7
    assert abs(x.std() - std) < 0.01 * std + 1e-7


def test_normal_statistics():
    _check_moments(_stats_sample(init.Normal()), 0.0, 0.01)
    _check_moments(_stats_sample(init.Normal(2.0, -3.0)), -3.0, 2.0)
    x = _stats_sample(init.Normal(1.0))
    for q, z in ((0.5, 0.0), (0.841344746, 1.0), (0.977249868, 2.0), (0.022750132, -2.0)):
        assert abs(np.mean(x < z) - q) < 0.003


def test_uniform_statistics_and_bounds():
    x = _stats_sample(init.Uniform(0.5))
    assert x.min() >= -0.5 and x.max() < 0.5
    _check_moments(x, 0.0, 0.5 / math.sqrt(3))
    assert abs(np.mean(x < 0.25) - 0.75) < 0.003
    x = _stats_sample(init.Uniform())
    assert x.min() >= -0.07 and x.max() < 0.07


def _truncated_moments(mean, sigma, a, b):
    alpha, beta = (a - mean) / sigma, (b - mean) / sigma
    phi = lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda t: 0.5 * (1 + math.erf(t / math.sqrt(2)))  # noqa: E731
    z = cdf(beta) - cdf(alpha)
    m = mean + sigma * (phi(alpha) - phi(beta)) / z
    var = sigma ** 2 * (1 + (alpha * phi(alpha) - beta * phi(beta)) / z - ((phi(alpha) - phi(beta)) / z) ** 2)
    return m, math.sqrt(var)


@pytest.mark.parametrize("sigma,mean,a,b", [(0.01, 0.0, None, None), (1.0, 0.0, None, None),
                                            (2.0, 1.0, -1.0, 6.0), (1.0, 0.0, 0.5, 3.0)])
def test_truncated_normal_statistics_and_bounds(sigma, mean, a, b):
    x = _stats_sample(init.TruncatedNormal(sigma, mean, a, b))
    lo = mean - 2 * sigma if a is None else a
    hi = mean + 2 * sigma if b is None else b
    assert x.min() >= np.float32(lo) and x.max() <= np.float32(hi)
    assert x.min() < lo + 0.01 * sigma and x.max() > hi - 0.05 * sigma
    _check_moments(x, *_truncated_moments(mean, sigma, lo, hi))


@pytest.mark.parametrize("shape", [(64, 3, 3, 3), (30, 20), (8, 4, 2, 3, 3)])
def test_variance_scaling_family_matches_hand_computed_bounds(shape):
    fan_in, fan_out = oracle.fans(shape)
    big = (shape[0] * 40,) + shape[1:]  # same fans per element row scaled up for statistics
    fan_in_b, fan_out_b = oracle.fans(big)
    bound = math.sqrt(6.0 / (fan_in_b + fan_out_b))
    x = _stats_sample(init.XavierUniform(), big)
    assert x.max() < bound and x.min() >= -bound and x.max() > 0.99 * bound
    x = _stats_sample(init.XavierUniform(gain=2.0), big)
    assert x.max() < 2 * bound and x.max() > 0.99 * 2 * bound
    he_bound = math.sqrt(6.0 / fan_in_b)  # gain sqrt(2) for leaky_relu with slope 0
    x = _stats_sample(init.HeUniform(), big)
    assert x.max() < he_bound and x.max() > 0.99 * he_bound
    x = _stats_sample(init.HeUniform(negative_slope=1.0, mode="fan_out"), big)
    assert x.max() < math.sqrt(3.0 / fan_out_b) and x.max() > 0.99 * math.sqrt(3.0 / fan_out_b)
    _check_moments(_stats_sample(init.HeNormal(), big), 0.0, math.sqrt(2.0 / fan_in_b))
    _check_moments(_stats_sample(init.HeNormal(nonlinearity="tanh", mode="fan_out"), big), 0.0,
                   5.0 / 3 / math.sqrt(fan_out_b))
    x = _stats_sample(init.VarianceScaling(2.0, "fan_avg", "truncated_normal"), big)
    _check_moments(x, 0.0, math.sqrt(2.0 / ((fan_in_b + fan_out_b) / 2)))
    assert (fan_in, fan_out) == oracle.fans(shape)


def test_calculate_gain_table():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1 and init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("relu") == math.sqrt(2) and init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("gelu")


@pytest.mark.parametrize("call,error,match", [
    (lambda: initializer("nonexistent", [2]), ValueError, "init"),
    (lambda: initializer(object(), [2]), TypeError, "init"),
    (lambda: initializer("normal", [2, -1]), ValueError, "shape"),
    (lambda: initializer("normal", [2, 0]), ValueError, "shape"),
    (lambda: initializer("normal", [2.0]), TypeError, "shape"),
    (lambda: initializer("normal", "2"), TypeError, "shape"),
    (lambda: initializer("normal"), ValueError, "shape"),
    (lambda: initializer("normal", [2], np.float32), TypeError, "dtype"),
    (lambda: initializer("constant", [2]), TypeError, "Constant"),
    (lambda: initializer("xavier_uniform", [5]).asnumpy(), ValueError, "fan_in"),
    (lambda: init.Normal(-1), ValueError, "sigma"),
    (lambda: init.Normal("1"), TypeError, "sigma"),
    (lambda: init.Normal(float("nan")), ValueError, "sigma"),
    (lambda: init.Uniform(-0.1), ValueError, "scale"),
    (lambda: init.TruncatedNormal(1.0, 0.0, 2.0, 1.0), ValueError, "'a'"),
    (lambda: init.XavierUniform(0), ValueError, "gain"),
    (lambda: init.HeUniform(mode="fan_avg"), ValueError, "mode"),
    (lambda: init.HeNormal(nonlinearity="swish"), ValueError, "nonlinearity"),
    (lambda: init.VarianceScaling(distribution="truncated_norm"), ValueError, "distribution"),
    (lambda: init.Constant("1"), TypeError, "value"),
    (lambda: init.Normal()([1, 2]), TypeError, "arr"),
])
def test_bad_arguments_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_variance_scaling_default_is_really_truncated_normal():
    # under the portable generator; the MindSpore generators copy MindSpore's uniform (tests/test_mindspore2.py)
    from minispore import context
    context.set_context(initializer_rng="portable")
    try:
        _variance_scaling_default_is_really_truncated_normal()
    finally:
        context.set_context(initializer_rng="mindspore-r1.3")


def _variance_scaling_default_is_really_truncated_normal():
    # MindSpore's own default silently samples a uniform ('truncated_norm' vs 'truncated_normal')
    x = _stats_sample(init.VarianceScaling(), (1000, 400))
    std = math.sqrt(1.0 / 400)
    _check_moments(x, 0.0, std)
    assert abs(x).max() <= 2 * std / 0.87962566103423978 + 1e-6
    # P(|z| < 0.8796 | |z| < 2) = 0.6505 for the truncated normal; a uniform would give 0.577
    assert abs(np.mean(np.abs(x) < std) - 0.6505) < 0.005


# --- the structured initializers ----------------------------------------------------------------------------------
def test_xavier_normal_statistics():
    shape = (400, 300)
    _check_moments(_stats_sample(init.XavierNormal(), shape), 0.0, math.sqrt(2.0 / 700))
    _check_moments(_stats_sample(init.XavierNormal(gain=3.0), shape), 0.0, 3.0 * math.sqrt(2.0 / 700))


@pytest.mark.parametrize("shape", [(6, 6), (8, 3), (3, 8), (4, 2, 3, 3)])
def test_orthogonal_is_orthogonal(device, shape):
    q = _stats_sample(init.Orthogonal(gain=2.0), shape).reshape(shape[0], -1) / 2.0
    rows, cols = q.shape
    gram = q @ q.T if rows <= cols else q.T @ q
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-5)


def test_dirac_structure_and_convolution_identity(device):
    w = initializer(init.Dirac(), [4, 4, 3, 3]).asnumpy()
    want = np.zeros((4, 4, 3, 3), np.float32)
    for d in range(4):
        want[d, d, 1, 1] = 1
    np.testing.assert_array_equal(w, want)
    grouped = initializer(init.Dirac(groups=2), [6, 2, 3]).asnumpy()
    assert grouped.sum() == 4 and grouped[0, 0, 1] == grouped[1, 1, 1] == grouped[3, 0, 1] == grouped[4, 1, 1] == 1
    import minispore.nn as nn
    x = np.random.default_rng(0).standard_normal((1, 4, 5, 5)).astype(np.float32)
    out = nn.Conv2d(4, 4, 3, weight_init=init.Dirac())(Tensor(x)).asnumpy()
    np.testing.assert_array_equal(out, x)


def test_identity_and_sparse_structure(device):
    np.testing.assert_array_equal(initializer(init.Identity(), [3, 5]).asnumpy(), np.eye(3, 5))
    np.testing.assert_array_equal(initializer("eye", [2, 2], mstype.int32).asnumpy(), np.eye(2))
    x = _stats_sample(init.Sparse(0.3, sigma=1.0), (50, 40))
    assert ((x == 0).sum(axis=0) == 15).all()  # ceil(0.3 * 50) zeros per column
    assert 0.9 < x[x != 0].std() < 1.1


@pytest.mark.parametrize("init_obj", [init.Orthogonal(), init.Sparse(0.5, 1.0)], ids=lambda i: type(i).__name__)
def test_structured_random_initializers_are_bit_identical_across_devices(device, init_obj):
    got = _stats_sample(init_obj, (12, 9))
    from minispore import context
    context.set_context(device_target="CPU")
    want = _stats_sample(init_obj, (12, 9))
    context.set_context(device_target=device)
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("call,error,match", [
    (lambda: initializer(init.Orthogonal(), [5]).asnumpy(), ValueError, "2-d"),
    (lambda: initializer(init.Dirac(), [4, 4]).asnumpy(), ValueError, "3-, 4- or 5-d"),
    (lambda: initializer(init.Dirac(groups=3), [4, 4, 3]).asnumpy(), ValueError, "groups"),
    (lambda: init.Dirac(groups=0), ValueError, "groups"),
    (lambda: initializer(init.Identity(), [2, 2, 2]).asnumpy(), ValueError, "2-d"),
    (lambda: init.Sparse(1.5), ValueError, "sparsity"),
    (lambda: init.Sparse("0.5"), TypeError, "sparsity"),
    (lambda: initializer("sparse", [2, 2]), TypeError, "Sparse"),
    (lambda: init.XavierNormal(-1), ValueError, "gain"),
])
def test_structured_initializer_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("init_obj", [init.Normal(1e39), init.Uniform(1e300), init.XavierUniform(1e154),
                                      init.TruncatedNormal(1e38, 0.0, -1e39, 1e39)],
                         ids=lambda i: type(i).__name__)
def test_parameters_beyond_float32_are_refused(init_obj):
    with pytest.raises(ValueError):
        initializer(init_obj, [3, 3]).asnumpy()
    with pytest.raises(ValueError):
        init.HeUniform(negative_slope=1e200)
