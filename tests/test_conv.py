"""Conv2d / Conv2D / Conv3D against the NumPy oracle, the guide's exact outputs, shapes and errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minispore.nn as nn
from minispore import Tensor
from minispore import dtype as mstype
from minispore.common.initializer import initializer
from minispore.kernels import conv_plan
from minispore.ops import operations as ops
from minispore.ops.operations import nn_ops as nps

import oracle


def _guide_2d_expected(channels, h, w):
    """Conv2d(3, C, 3, 'same') of ones with a ones weight: 12 at corners, 18 on edges, 27 inside."""
    rows = np.full(h, 3.0)
    rows[[0, -1]] = 2.0
    cols = np.full(w, 3.0)
    cols[[0, -1]] = 2.0
    plane = 3.0 * np.outer(rows, cols)
    return np.broadcast_to(plane, (1, channels, h, w)).astype(np.float32)


def test_guide_conv2d_custom_tensor_exact(device, small):
    channels, h, w = (4, 4, 5) if small else (64, 16, 50)  # the guide's size is too slow for the simulator
    weight = Tensor(np.ones([channels, 3, 3, 3]), dtype=mstype.float32)
    net = nn.Conv2d(3, channels, 3, weight_init=weight)
    out = net(Tensor(np.ones([1, 3, h, w], dtype=np.float32)))
    assert out.shape == (1, channels, h, w) and out.dtype == mstype.float32
    np.testing.assert_array_equal(out.asnumpy(), _guide_2d_expected(channels, h, w))
    if not small:
        assert str(out).startswith("[[[[12. 18. 18. ... 18. 18. 12.]\n   [18. 27. 27. ... 27. 27. 18.]")


def test_guide_conv3d_init_tensor_exact(device, small):
    n, d = (1, 4) if small else (16, 10)
    hw = 4 if small else 32
    weight = initializer(Tensor(np.ones([32, 3, 4, 3, 3]), dtype=mstype.float32), shape=[32, 3, 4, 3, 3])
    out = nps.Conv3D(out_channel=32, kernel_size=(4, 3, 3))(
        Tensor(np.ones([n, 3, d, hw, hw]), dtype=mstype.float32), weight)
    assert out.shape == (n, 32, d - 3, hw - 2, hw - 2)
    np.testing.assert_array_equal(out.asnumpy(), np.full(out.shape, 108, np.float32))


def _run_conv(nd, x, w, pad_mode, pad, stride, dilation, group):
    prim = (ops.Conv2D if nd == 2 else ops.Conv3D)(out_channel=w.shape[0], kernel_size=w.shape[2:],
                                                  pad_mode=pad_mode, pad=pad, stride=stride, dilation=dilation,
                                                  group=group)
    return prim(Tensor(x), Tensor(w)).asnumpy()


@st.composite
def conv_cases(draw, nd, small):
    group = draw(st.sampled_from([1, 1, 2, 3]))
    cg = draw(st.integers(1, 2 if small else 3))
    og = draw(st.integers(1, 2 if small else 4))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    pads = tuple(draw(st.integers(0, 2)) for _ in range(2 * nd))
    spatial = []
    for i in range(nd):
        span = dilation[i] * (kernel[i] - 1) + 1
        lo = max(1, span - pads[2 * i] - pads[2 * i + 1])
        spatial.append(draw(st.integers(lo, lo + (3 if small else 6))))
    batch = draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2 ** 16))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, cg * group, *spatial)).astype(np.float32)
    w = rng.standard_normal((og * group, cg, *kernel)).astype(np.float32)
    return x, w, pads, stride, dilation, group


def _check_against_oracle(nd, case, pad_mode):
    x, w, pads, stride, dilation, group = case
    nd_sp = x.shape[2:]
    if pad_mode == "pad":
        before, after = pads[0::2], pads[1::2]
        got = _run_conv(nd, x, w, "pad", pads, stride, dilation, group)
    else:
        if pad_mode == "same":
            split = [oracle.same_pads(n, k, s, d) for n, k, s, d in zip(nd_sp, w.shape[2:], stride, dilation)]
            before, after = [p[0] for p in split], [p[1] for p in split]
        else:
            before = after = (0,) * nd
            if any(n < d * (k - 1) + 1 for n, k, d in zip(nd_sp, w.shape[2:], dilation)):
                return
        got = _run_conv(nd, x, w, pad_mode, 0, stride, dilation, group)
    want = oracle.conv(x, w, stride, dilation, before, after, group)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("pad_mode", ["pad", "same", "valid"])
@pytest.mark.parametrize("nd", [2, 3])
def test_conv_matches_oracle(device, small, nd, pad_mode):
    @settings(max_examples=6 if small else 30, deadline=None)
    @given(conv_cases(nd, small))
    def run(case):
        _check_against_oracle(nd, case, pad_mode)
    run()


@pytest.mark.parametrize("size,kernel,stride,dilation", [
    (16, 3, 1, 1), (16, 3, 2, 1), (15, 4, 2, 1), (7, 3, 3, 2), (5, 5, 1, 1), (1, 3, 1, 1), (9, 2, 4, 3)])
def test_output_shape_every_pad_mode(size, kernel, stride, dilation):
    x = Tensor(np.ones([1, 1, size, size], np.float32))
    w = Tensor(np.ones([1, 1, kernel, kernel], np.float32))
    span = dilation * (kernel - 1) + 1
    same = ops.Conv2D(1, kernel, pad_mode="same", stride=stride, dilation=dilation)(x, w)
    assert same.shape[2:] == (-(-size // stride),) * 2
    padded = ops.Conv2D(1, kernel, pad_mode="pad", pad=(1, 2, 0, 1), stride=stride, dilation=dilation)
    if size + 1 >= span:
        assert padded(x, w).shape[2:] == ((size + 3 - span) // stride + 1, (size + 1 - span) // stride + 1)
    else:
        with pytest.raises(ValueError, match="kernel"):
            padded(x, w)
    if size >= span:
        valid = ops.Conv2D(1, kernel, pad_mode="valid", stride=stride, dilation=dilation)(x, w)
        assert valid.shape[2:] == ((size - span) // stride + 1,) * 2
    else:
        with pytest.raises(ValueError, match="kernel"):
            ops.Conv2D(1, kernel, pad_mode="valid", stride=stride, dilation=dilation)(x, w)


def test_same_padding_puts_the_extra_pixel_at_the_end():
    # 4 inputs, kernel 2, stride 1: one pad pixel in total, after the input (MindSpore, TensorFlow)
    x = Tensor(np.arange(4, dtype=np.float32).reshape(1, 1, 1, 4))
    w = Tensor(np.array([[[[1.0, 10.0]]]], np.float32))
    out = ops.Conv2D(1, (1, 2), pad_mode="same")(x, w).asnumpy().ravel()
    np.testing.assert_array_equal(out, [10.0, 21.0, 32.0, 3.0])


def test_conv2d_layer_with_bias_groups_and_dilation(device):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 9, 8)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 2)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    net = nn.Conv2d(4, 6, (3, 2), stride=(2, 1), pad_mode="pad", padding=(1, 0, 2, 1), dilation=(1, 2), group=2,
                    has_bias=True, weight_init=Tensor(w), bias_init=Tensor(b))
    got = net(Tensor(x)).asnumpy()
    want = oracle.conv(x, w, (2, 1), (1, 2), (1, 2), (0, 1), 2) + b[None, :, None, None]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_conv2d_nhwc_matches_nchw(device):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 5, 6, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)  # (O, KH, KW, C)
    got = ops.Conv2D(4, 3, pad_mode="same", data_format="NHWC")(Tensor(x), Tensor(w)).asnumpy()
    want = oracle.conv(x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2), (1, 1), (1, 1), (1, 1), (1, 1), 1)
    np.testing.assert_allclose(got, want.transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [mstype.float16, mstype.float64])
def test_conv_other_float_dtypes(device, dtype):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    out = ops.Conv2D(3, 3)(Tensor(x, dtype), Tensor(w, dtype))
    assert out.dtype == dtype
    np_type = dtype.np_type
    want = oracle.conv(x.astype(np_type), w.astype(np_type), (1, 1), (1, 1), (0, 0), (0, 0), 1)
    tol = 1e-2 if dtype == mstype.float16 else 1e-12
    np.testing.assert_allclose(out.asnumpy(), want, rtol=tol, atol=tol)


def test_conv2d_layer_parameters_and_repr():
    net = nn.Conv2d(3, 64, 3, has_bias=True)
    assert net.weight.shape == (64, 3, 3, 3) and net.bias.shape == (64,)
    assert [n for n, _ in net.parameters_and_names()] == ["weight", "bias"]
    np.testing.assert_array_equal(net.bias.asnumpy(), np.zeros(64, np.float32))
    assert repr(net).startswith("Conv2d<input_channels=3, output_channels=64, kernel_size=(3, 3)")


@pytest.mark.parametrize("kwargs,error", [
    ({"in_channels": 0}, ValueError), ({"in_channels": 3.0}, TypeError), ({"out_channels": -1}, ValueError),
    ({"kernel_size": 0}, ValueError), ({"kernel_size": (3,)}, ValueError), ({"kernel_size": "3"}, TypeError),
    ({"kernel_size": (3, 3.5)}, TypeError), ({"stride": 0}, ValueError), ({"pad_mode": "full"}, ValueError),
    ({"pad_mode": 1}, TypeError), ({"padding": -1}, ValueError), ({"padding": 1}, ValueError),
    ({"pad_mode": "pad", "padding": (1, 1, 1)}, ValueError), ({"dilation": 0}, ValueError),
    ({"group": 2}, ValueError), ({"group": 0}, ValueError), ({"has_bias": 1}, TypeError),
    ({"data_format": "NCDHW"}, ValueError), ({"weight_init": "nonsense"}, ValueError),
    ({"weight_init": [1, 2]}, TypeError), ({"weight_init": Tensor(np.ones([64, 3, 3, 2], np.float32))}, ValueError),
])
def test_conv2d_layer_rejects_bad_arguments(kwargs, error):
    args = {"in_channels": 3, "out_channels": 64, "kernel_size": 3}
    args.update(kwargs)
    with pytest.raises(error, match="Conv2d|initializer"):
        nn.Conv2d(**args)


def test_conv_primitive_rejects_bad_inputs():
    conv = ops.Conv2D(out_channel=4, kernel_size=3)
    x = Tensor(np.ones([1, 2, 5, 5], np.float32))
    w = Tensor(np.ones([4, 2, 3, 3], np.float32))
    with pytest.raises(TypeError, match="'x' must be a Tensor"):
        conv(np.ones([1, 2, 5, 5], np.float32), w)
    with pytest.raises(ValueError, match="4-d"):
        conv(Tensor(np.ones([2, 5, 5], np.float32)), w)
    with pytest.raises(TypeError, match="same dtype"):
        conv(x, Tensor(np.ones([4, 2, 3, 3], np.float64)))
    with pytest.raises(TypeError, match="float"):
        conv(Tensor(np.ones([1, 2, 5, 5], np.int32)), Tensor(np.ones([4, 2, 3, 3], np.int32)))
    with pytest.raises(ValueError, match="weight"):
        conv(x, Tensor(np.ones([4, 3, 3, 3], np.float32)))
    with pytest.raises(ValueError, match="weight"):
        ops.Conv2D(out_channel=5, kernel_size=3)(x, w)
    with pytest.raises(ValueError, match="kernel"):
        conv(Tensor(np.ones([1, 2, 2, 5], np.float32)), w)
    with pytest.raises(ValueError, match="mode"):
        ops.Conv2D(4, 3, mode=0)
    with pytest.raises(ValueError, match="stride"):
        ops.Conv2D(4, 3, stride=(2, 1, 1, 1))
    with pytest.raises(ValueError, match="out_channel"):
        ops.Conv2D(5, 3, group=2)
    with pytest.raises(ValueError, match="pad"):
        ops.Conv3D(4, 3, pad=(1, 1, 1, 1))
    with pytest.raises(ValueError, match="data_format"):
        ops.Conv3D(4, 3, data_format="NCHW")


@pytest.mark.parametrize("shape", [(0, 8, 5, 5), (1, 8, 0, 5), (1, 8, 5, 0)])
@pytest.mark.parametrize("stride", [1, 2])
def test_conv_of_an_empty_batch_or_axis_is_empty(device, shape, stride):
    # as in PyTorch: an empty batch gives an empty result; an empty axis with 'same' gives an empty output axis
    out = ops.Conv2D(4, 3, pad_mode="same", stride=stride)(Tensor(np.ones(shape, np.float32)),
                                                          Tensor(np.ones((4, 8, 3, 3), np.float32)))
    assert out.shape == (shape[0], 4) + tuple(-(-n // stride) for n in shape[2:])
    assert out.asnumpy().size == 0


def test_conv_accepts_mindspore_4_and_5_tuple_strides():
    x = Tensor(np.ones([1, 1, 6, 6], np.float32))
    w = Tensor(np.ones([1, 1, 3, 3], np.float32))
    assert ops.Conv2D(1, 3, stride=(1, 1, 2, 2))(x, w).shape == (1, 1, 2, 2)
    x3 = Tensor(np.ones([1, 1, 6, 6, 6], np.float32))
    w3 = Tensor(np.ones([1, 1, 3, 3, 3], np.float32))
    assert ops.Conv3D(1, 3, stride=(1, 1, 2, 2, 2), dilation=(1, 1, 1, 1, 1))(x3, w3).shape == (1, 1, 2, 2, 2)


@pytest.mark.cpu_only
def test_fallback_without_numpys_openblas_matches_the_oracle():
    # a NumPy linked to another BLAS takes the parallel-im2col + numpy.matmul path: force it in a subprocess
    import ast
    import os
    import subprocess
    import sys
    code = ("import numpy as np\n"
            "from minispore import Tensor\n"
            "from minispore.kernels import cpu_conv\n"
            "from minispore.ops import operations as ops\n"
            "assert cpu_conv._BLAS is None\n"
            "x = np.random.default_rng(0).standard_normal((2, 4, 7, 6)).astype(np.float32)\n"
            "w = np.random.default_rng(1).standard_normal((6, 2, 3, 2)).astype(np.float32)\n"
            "conv = ops.Conv2D(6, (3, 2), pad_mode='pad', pad=(1, 0, 2, 1), stride=(2, 1), group=2)\n"
            "print(conv(Tensor(x), Tensor(w)).asnumpy().tolist())\n"
            "x8 = np.random.default_rng(3).standard_normal((1, 8, 7, 6)).astype(np.float32)\n"  # Winograd with BLAS
            "w8 = np.random.default_rng(2).standard_normal((5, 8, 3, 3)).astype(np.float32)\n"
            "print(ops.Conv2D(5, 3, pad_mode='same')(Tensor(x8), Tensor(w8)).asnumpy().tolist())\n")
    env = dict(os.environ, MINISPORE_NO_BLAS="1")
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    grouped, same = (np.array(ast.literal_eval(line), np.float32) for line in printed.stdout.splitlines())
    x = np.random.default_rng(0).standard_normal((2, 4, 7, 6)).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((6, 2, 3, 2)).astype(np.float32)
    x8 = np.random.default_rng(3).standard_normal((1, 8, 7, 6)).astype(np.float32)
    w8 = np.random.default_rng(2).standard_normal((5, 8, 3, 3)).astype(np.float32)
    assert conv_plan._winograd_blocks(x8.shape, (1, 5, 72), (1, 3, 3), (1, 1, 1), (1, 1, 1), (1, 7, 6)) is not None
    np.testing.assert_allclose(grouped, oracle.conv(x, w, (2, 1), (1, 1), (1, 2), (0, 1), 2), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(same, oracle.conv(x8, w8, (1, 1), (1, 1), (1, 1), (1, 1), 1), rtol=1e-5, atol=1e-5)


@st.composite
def winograd_cases(draw):
    """3x3 in H and W, stride and dilation 1 there, one group: the shapes the CPU runs with Winograd F(2x2, 3x3).
    Depth (a 3-d case) may have any kernel, stride and padding; odd sizes leave half-empty edge tiles."""
    nd = draw(st.sampled_from([2, 3]))
    kd, sd, pd = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(0, 2))) if nd == 3 else (1, 1, 0)
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h, w = draw(st.integers(max(1, 3 - 2 * ph), 13)), draw(st.integers(max(1, 3 - 2 * pw), 13))
    d = draw(st.integers(max(1, kd - 2 * pd), 5))
    spatial = (d, h, w) if nd == 3 else (h, w)
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    channels = draw(st.integers(-(-conv_plan.WINOGRAD_MIN_CHANNELS // kd), 12))  # fewer go through im2col
    x = rng.standard_normal((draw(st.integers(1, 3)), channels, *spatial))
    w_shape = (draw(st.integers(1, 40)), x.shape[1]) + ((kd, 3, 3) if nd == 3 else (3, 3))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    pads = (((pd, pd),) if nd == 3 else ()) + ((ph, ph), (pw, pw))
    strides = ((sd,) if nd == 3 else ()) + (1, 1)
    return x.astype(dtype), rng.standard_normal(w_shape).astype(dtype), pads, strides


def _winograd_check(case):
    x, w, pads, strides = case
    nd = x.ndim - 2
    flat_pads = tuple(p for pair in pads for p in pair)
    prim = (ops.Conv2D if nd == 2 else ops.Conv3D)(out_channel=w.shape[0], kernel_size=w.shape[2:], pad_mode="pad",
                                                  pad=flat_pads, stride=strides)
    got = prim(Tensor(x), Tensor(w)).asnumpy()
    want = oracle.conv(x, w, strides, (1,) * nd, [p[0] for p in pads], [p[1] for p in pads], 1)
    lift = (1,) * (3 - nd)
    assert conv_plan._winograd_blocks(x.shape[:2], (1, w.shape[0], w[0].size), lift + w.shape[2:], lift + strides,
                                   (1, 1, 1),
                                   (1,) * (3 - nd) + want.shape[2:]) is not None  # the path under test
    tol = 1e-4 if x.dtype == np.float32 else 1e-12
    assert got.dtype == x.dtype
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.cpu_only
@settings(max_examples=60, deadline=None)
@given(winograd_cases())
def test_winograd_path_matches_the_oracle(case):
    _winograd_check(case)


@settings(max_examples=20, deadline=None)
@given(winograd_cases())
def test_winograd_work_split_into_many_items_matches_the_oracle(case):
    # tiny work items: several bands of tile rows, several depth chunks (their halo planes transformed twice)
    saved = conv_plan.TILES_PER_ITEM, conv_plan.PLANE_ELEMENTS
    conv_plan.TILES_PER_ITEM, conv_plan.PLANE_ELEMENTS = 3, 1
    try:
        _winograd_check(case)
    finally:
        conv_plan.TILES_PER_ITEM, conv_plan.PLANE_ELEMENTS = saved


def test_conv_is_independent_of_the_thread_count():
    # one image: the Winograd path splits the filters across threads, im2col the output rows
    import numba
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((1, 16, 9, 11)).astype(np.float32))
    convs = [(ops.Conv2D(48, 3, pad_mode="same"), Tensor(rng.standard_normal((48, 16, 3, 3)).astype(np.float32))),
             (ops.Conv2D(48, 3, stride=2), Tensor(rng.standard_normal((48, 16, 3, 3)).astype(np.float32)))]
    saved = numba.get_num_threads()
    try:
        results = []
        for threads in (1, numba.config.NUMBA_NUM_THREADS):
            numba.set_num_threads(threads)
            results.append([conv(x, w).asnumpy() for conv, w in convs])
    finally:
        numba.set_num_threads(saved)
    for one, many in zip(*results):
        np.testing.assert_array_equal(one, many)


def _result_classes(a):
    return np.where(np.isnan(a), 2, np.where(np.isinf(a), np.sign(a) * 3, 0))


def _check_classes_and_values(x, w, pad):
    got = ops.Conv2D(w.shape[0], 3, pad_mode="pad", pad=pad)(Tensor(x), Tensor(w)).asnumpy()
    with np.errstate(invalid="ignore", over="ignore"):
        want = oracle.conv(x, w, (1, 1), (1, 1), (pad, pad), (pad, pad), 1).astype(np.float32)
    np.testing.assert_array_equal(_result_classes(got), _result_classes(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-4, atol=1e-4 * np.abs(want[finite]).max())


@pytest.mark.parametrize("case", ["inf input", "-inf input", "nan input", "inf weight", "huge inputs"])
def test_winograd_gives_the_direct_convolutions_result_class(case):
    # Winograd's transforms mix a tile's inputs: one Inf became NaN in its neighbours, huge values overflowed
    rng = np.random.default_rng(0)
    x = rng.uniform(.5, 1.5, (1, 8, 9, 10)).astype(np.float32)
    w = rng.uniform(.5, 1.5, (4, 8, 3, 3)).astype(np.float32)
    if case == "inf weight":
        w[1, 3, 0, 0] = np.inf  # padding zeros times Inf give NaN on the border, as in any zero-padded conv
    elif case == "huge inputs":
        x = (rng.uniform(-1, 1, x.shape) * 2e38).astype(np.float32)
        w /= 1000
    else:
        x[0, 4, 4, 5] = {"inf input": np.inf, "-inf input": -np.inf, "nan input": np.nan}[case]
    assert conv_plan._winograd_blocks(x.shape, (1, 4, 72), (1, 3, 3), (1, 1, 1), (1, 1, 1), (1, 9, 10)) is not None
    _check_classes_and_values(x, w, 1)


@pytest.mark.cpu_only
def test_conv_is_bit_identical_at_1_2_and_4_threads():
    # every algorithm path, each in fresh processes with 1, 2 and 4 Numba threads and at each thread count below
    import os
    import subprocess
    import sys
    code = ("import hashlib, numba, numpy as np\n"
            "from minispore import Tensor\n"
            "from minispore.ops import operations as ops\n"
            "rng = np.random.default_rng(5)\n"
            "cases = [((1, 64, 14, 14), ops.Conv2D(256, 1), (256, 64, 1, 1)),\n"  # im2col, 1x1
            "         ((1, 16, 15, 15), ops.Conv2D(96, 3, stride=2), (96, 16, 3, 3)),\n"  # im2col, strided
            "         ((1, 32, 14, 14), ops.Conv2D(256, 3, pad_mode='pad', pad=1), (256, 32, 3, 3)),\n"  # Winograd
            "         ((2, 4, 3, 9, 9), ops.Conv3D(40, 3, pad_mode='same'), (40, 4, 3, 3, 3))]\n"  # Winograd 3-d
            "data = [(Tensor(rng.standard_normal(xs).astype(np.float32)), conv,\n"
            "         Tensor(rng.standard_normal(ws).astype(np.float32))) for xs, conv, ws in cases]\n"
            "for threads in range(1, numba.config.NUMBA_NUM_THREADS + 1):\n"
            "    numba.set_num_threads(threads)\n"
            "    print(' '.join(hashlib.sha256(c(x, w).asnumpy().tobytes()).hexdigest()[:16] for x, c, w in data))\n")
    lines = set()
    for threads in (1, 2, 4):
        env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        lines.update(out.stdout.split("\n")[:-1])
    assert len(lines) == 1, lines


@pytest.mark.parametrize("x_shape,w_shape", [
    ((1, 64, 1, 300000), (64, 64, 1, 9)),  # the case: whole output rows were 1.39 GB of columns
    ((1, 64, 3, 300000), (8, 64, 3, 3)),  # a Winograd shape whose one tile row is too wide: im2col, bounded
    ((1, 4096, 8, 8), (4, 4096, 7, 7)),  # K = 200,704 rows: cut into chunks
    ((2, 3, 16, 50), (64, 3, 3, 3)), ((8, 64, 56, 56), (64, 64, 3, 3))])
def test_conv_scratch_per_thread_is_bounded_whatever_the_shape(x_shape, w_shape):
    import numba
    from minispore.kernels import cpu
    kernel, out_size = (1,) + w_shape[2:], (1,) + tuple(n - k + 1 for n, k in zip(x_shape[2:], w_shape[2:]))
    plan = cpu.conv_plan(x_shape[:2] + (1,) + x_shape[2:], w_shape[:2] + kernel, np.float32, kernel, (1, 1, 1),
                         (1, 1, 1), (0, 0, 0), out_size, 1)
    elements = plan.scratch
    transformed_filters = 16 * w_shape[0] * w_shape[1]  # Winograd's, proportional to the weight
    per_thread = max(conv_plan.COLUMN_ELEMENTS, conv_plan.WINOGRAD_MAX_ELEMENTS, int(np.prod(x_shape)) * 2)
    assert elements <= transformed_filters + numba.config.NUMBA_NUM_THREADS * per_thread


def test_wide_conv_keeps_its_scratch_small():
    import threading
    import numba
    from minispore import _backend
    x = np.random.default_rng(0).standard_normal((1, 8, 1, 20000)).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((4, 8, 1, 9)).astype(np.float32)
    seen = {}

    def run():  # in a new thread: its scratch buffer (kept per Python thread) starts empty
        seen["out"] = ops.Conv2D(4, (1, 9))(Tensor(x), Tensor(w)).asnumpy()
        seen["scratch"] = _backend.get_backend("CPU")._local.scratch.nbytes
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    np.testing.assert_allclose(seen["out"], oracle.conv(x, w, (1, 1), (1, 1), (0, 0), (0, 0), 1), rtol=1e-4, atol=1e-4)
    assert seen["scratch"] <= numba.config.NUMBA_NUM_THREADS * 72 * conv_plan.COLUMNS_PER_ITEM * 4  # was 72 x 19992


@settings(max_examples=25, deadline=None)
@given(conv_cases(2, False), st.integers(1, 9), st.integers(1, 7))
def test_im2col_blocks_that_cut_rows_and_k_match_the_oracle(case, columns, rows):
    # position blocks that start and end inside output rows, and K cut into chunks accumulated by BLAS
    saved = conv_plan.COLUMNS_PER_ITEM, conv_plan.COLUMN_ELEMENTS
    conv_plan.COLUMNS_PER_ITEM, conv_plan.COLUMN_ELEMENTS = columns, columns * rows
    try:
        _check_against_oracle(2, case, "pad")
    finally:
        conv_plan.COLUMNS_PER_ITEM, conv_plan.COLUMN_ELEMENTS = saved


@pytest.mark.parametrize("budget", [40, 320])
def test_gpu_conv_in_steps_of_images_or_positions_matches_the_oracle(device, budget):
    # the GPU conv bounds its im2col: steps of a few images (320) or of a block of one image's positions (40)
    if device != "GPU":
        pytest.skip("the GPU backend's stepping")
    from minispore.kernels import cuda as gpu_kernels
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 2, 4, 5))  # float64: float32 this small runs the direct body
    w = rng.standard_normal((4, 1, 2, 2))
    saved = conv_plan.STEP_ELEMENTS["GPU"]
    conv_plan.STEP_ELEMENTS["GPU"] = budget
    try:
        plan = gpu_kernels.conv_plan((3, 2, 1, 4, 5), (4, 1, 1, 2, 2), np.float64, (1, 2, 2), (1, 1, 1), (1, 1, 1),
                                     (0, 1, 0), (1, 4, 5), 2)
        assert (plan.algorithm, plan.step) == ("steps", (1, 5) if budget == 40 else (2, 20))
        got = _run_conv(2, x, w, "pad", (1, 0, 0, 1), 1, 1, 2)
    finally:
        conv_plan.STEP_ELEMENTS["GPU"] = saved
    np.testing.assert_allclose(got, oracle.conv(x, w, (1, 1), (1, 1), (1, 0), (0, 1), 2), rtol=1e-5, atol=1e-5)


def test_gpu_scratch_goes_back_to_the_pool(device):
    # the GPU held the workspace of its largest convolution for ever; it now comes from CuPy's pool per call
    from minispore import _backend
    backend = _backend.current_backend()
    first = backend.scratch((1000,), np.float32)
    if device == "CPU":
        assert np.shares_memory(first, backend.scratch((10,), np.float32))  # reused: no page faults per call
    else:
        assert getattr(backend._local, "scratch", None) is None
        assert not np.shares_memory(first, backend.scratch((10,), np.float32))
