"""Dense, Flatten, Dropout, Identity, Conv2dTranspose and the matrix products against NumPy oracles; every new
layer starts in evaluation mode; every new kernel gives the same bits at 1 and 2 threads and on every device."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minispore.nn as nn
from minispore import Tensor, context, ops, set_seed
from minispore import dtype as mstype
from minispore.common.seed import OP_STREAM_BASE
from minispore.ops.operations import nn_ops

import layer_oracle as oracle
import oracle as conv_oracle
from conftest import SIMULATED, _GPU_SKIP


# --- matrix products ----------------------------------------------------------------------------------------------
def test_matmul_matches_numpy(device, small):
    @settings(max_examples=5 if small else 40, deadline=None)
    @given(st.integers(0, 5 if small else 40), st.integers(0, 5 if small else 40), st.integers(1, 5 if small else 40),
           st.booleans(), st.booleans(), st.sampled_from([np.float32, np.float64, np.int32]), st.integers(0, 99))
    def run(m, k, n, ta, tb, dtype, seed):
        rng = np.random.default_rng(seed)
        a = rng.integers(-3, 4, (k, m) if ta else (m, k)).astype(dtype)
        b = rng.integers(-3, 4, (n, k) if tb else (k, n)).astype(dtype)
        got = ops.MatMul(ta, tb)(Tensor(a), Tensor(b))
        assert got.dtype == mstype.to_dtype(dtype)
        np.testing.assert_array_equal(got.asnumpy(), (a.T if ta else a) @ (b.T if tb else b))  # small ints: exact
    run()


def test_batch_matmul_broadcasts_and_transposes(device, small):
    rng = np.random.default_rng(0)
    for xs, ys, ta, tb in [((2, 3, 4), (2, 4, 5), False, False), ((2, 4, 3), (2, 5, 4), True, True),
                           ((3, 2, 3, 4), (2, 4, 5), False, False), ((1, 3, 4), (3, 4, 2), False, False),
                           ((3, 4), (4, 5), False, False), ((2, 1, 3, 4), (5, 2, 4), False, True)]:
        x, y = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ys).astype(np.float32)
        got = ops.BatchMatMul(ta, tb)(Tensor(x), Tensor(y)).asnumpy()
        want = np.matmul(x.swapaxes(-1, -2) if ta else x, y.swapaxes(-1, -2) if tb else y)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    a, b = rng.standard_normal((2, 1, 2, 3)).astype(np.float32), rng.standard_normal((5, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(ops.matmul(Tensor(a), Tensor(b)).asnumpy(), a @ b, rtol=1e-5, atol=1e-5)
    v = rng.standard_normal(3).astype(np.float32)
    assert ops.matmul(Tensor(v), Tensor(v)).shape == ()
    np.testing.assert_allclose(ops.matmul(Tensor(v), Tensor(b)).asnumpy(), v @ b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ops.matmul(Tensor(b), Tensor(b[0, 0])).asnumpy(), b @ b[0, 0], rtol=1e-5,
                               atol=1e-5)
    half = ops.bmm(Tensor(a[0].astype(np.float16)), Tensor(b[:2].astype(np.float16)))
    assert half.dtype == mstype.float16
    np.testing.assert_allclose(half.asnumpy(), a[0].astype(np.float16).astype(np.float32) @
                               b[:2].astype(np.float16).astype(np.float32), rtol=2e-3, atol=2e-3)
    np.testing.assert_allclose(ops.mm(Tensor(a[0, 0]), Tensor(b[0])).asnumpy(), a[0, 0] @ b[0], rtol=1e-5)


def test_big_matmul_runs_blocks_of_rows():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((600, 70)).astype(np.float32), rng.standard_normal((90, 70)).astype(np.float32)
    np.testing.assert_allclose(ops.MatMul(transpose_b=True)(Tensor(a), Tensor(b)).asnumpy(), a @ b.T, rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(ops.MatMul(True)(Tensor(a.T.copy()), Tensor(b.T.copy())).asnumpy(), a @ b.T,
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("call,error", [
    (lambda: ops.MatMul(transpose_a=1), TypeError),
    (lambda: ops.MatMul()(Tensor(np.ones((2, 3), np.float32)), Tensor(np.ones((2, 4), np.float32))), ValueError),
    (lambda: ops.MatMul()(Tensor(np.ones((2, 3, 4), np.float32)), Tensor(np.ones((4, 5), np.float32))), ValueError),
    (lambda: ops.MatMul()(Tensor(np.ones((2, 3), np.float32)), Tensor(np.ones((3, 4), np.float16))), TypeError),
    (lambda: ops.MatMul()(Tensor(np.ones((2, 3), np.bool_)), Tensor(np.ones((3, 4), np.bool_))), TypeError),
    (lambda: ops.MatMul()(Tensor(np.ones((2, 3), np.float32)), 2.0), TypeError),
    (lambda: ops.BatchMatMul()(Tensor(np.ones((2, 3, 4), np.float32)), Tensor(np.ones((3, 4, 5), np.float32))),
     ValueError),
    (lambda: ops.matmul(Tensor(np.float32(1)), Tensor(np.ones(3, np.float32))), ValueError),
])
def test_bad_matmuls_raise(call, error):
    with pytest.raises(error, match="For '"):
        call()


# --- Dense, Flatten, Identity -------------------------------------------------------------------------------------
def test_dense(device):
    rng = np.random.default_rng(2)
    w, b = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    net = nn.Dense(3, 4, Tensor(w), Tensor(b))
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(net(Tensor(x)).asnumpy(), x @ w.T + b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(net(Tensor(x[0, 0])).asnumpy(), x[0, 0] @ w.T + b, rtol=1e-5, atol=1e-5)
    relu = ops.MaxPool(1)  # any Primitive is accepted as the activation
    assert nn.Dense(3, 4, Tensor(w), has_bias=False, activation=nn.Identity())(Tensor(x)).shape == (2, 5, 4)
    assert nn.Dense(3, 4, activation=relu).activation is relu
    assert [p.name for p in net.get_parameters()] == ["weight", "bias"]
    assert net.weight.shape == (4, 3)
    assert repr(nn.Dense(3, 4)).startswith("Dense<input_channels=3, output_channels=4, has_bias=True")


def test_dense_initializers():
    set_seed(1)
    net = nn.Dense(20, 30)  # r1.3's defaults: 'normal' weights (sigma 0.01), zero bias
    assert np.abs(net.weight.asnumpy()).max() < 0.1 and not net.bias.asnumpy().any()
    net = nn.Dense(20, 30, weight_init=None, bias_init=None)  # MindSpore 2.10's: HeUniform(sqrt 5), U(1/sqrt in)
    bound = 1 / np.sqrt(20)
    assert np.abs(net.weight.asnumpy()).max() <= bound and np.abs(net.weight.asnumpy()).max() > 0.8 * bound
    assert np.abs(net.bias.asnumpy()).max() <= bound and net.bias.asnumpy().std() > 0.2 * bound


def test_flatten_and_identity(device):
    x = Tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Flatten(-2)(x).shape == (2, 12)
    assert nn.Flatten(1, 1)(x).shape == (2, 3, 4)
    assert nn.Flatten(0)(Tensor(np.float32(2))).shape == (1,)
    np.testing.assert_array_equal(nn.Flatten()(x).asnumpy(), np.arange(24).reshape(2, 12))
    assert nn.Identity(1, key=2)(x) is x


@pytest.mark.parametrize("call,error", [
    (lambda: nn.Dense(3.0, 4), TypeError),
    (lambda: nn.Dense(0, 4), ValueError),
    (lambda: nn.Dense(3, 4, has_bias=1), TypeError),
    (lambda: nn.Dense(3, 4, activation=3), TypeError),
    (lambda: nn.Dense(3, 4, weight_init=Tensor(np.ones((3, 4), np.float32))), ValueError),
    (lambda: nn.Dense(3, 4, bias_init=Tensor(np.ones(3, np.float32))), ValueError),
    (lambda: nn.Dense(3, 4)(Tensor(np.ones((2, 5), np.float32))), ValueError),
    (lambda: nn.Flatten(1.5), TypeError),
    (lambda: nn.Flatten()(Tensor(np.ones(3, np.float32))), ValueError),
    (lambda: nn.Flatten(2, 1)(Tensor(np.ones((2, 3, 4), np.float32))), ValueError),
    (lambda: nn.Dropout(keep_prob=1), TypeError),
    (lambda: nn.Dropout(keep_prob=0.0), ValueError),
    (lambda: nn.Dropout(p=1.0), ValueError),
    (lambda: nn.Dropout(p=True), TypeError),
    (lambda: ops.Dropout(keep_prob=0), ValueError),
    (lambda: ops.Dropout(Seed0=-1), ValueError),
    (lambda: ops.Dropout(0.5)(Tensor(np.ones(3, np.int32))), TypeError),
    (lambda: ops.dropout(Tensor(np.ones(3, np.float32)), p=1), ValueError),
])
def test_bad_layer_arguments_raise(call, error):
    with pytest.raises(error, match="For '"):
        call()


# --- Dropout ------------------------------------------------------------------------------------------------------
def test_dropout_is_the_portable_generator(device, small):
    n = 37 if small else 1001
    x = np.random.default_rng(3).standard_normal(n).astype(np.float32)
    set_seed(7)
    out, mask = ops.Dropout(keep_prob=0.7)(Tensor(x))
    out2, _ = ops.Dropout(keep_prob=0.7)(Tensor(x))  # the next call: the next stream
    keep = oracle.portable_uniforms(n, 7, OP_STREAM_BASE) < np.float32(0.7)
    np.testing.assert_array_equal(mask.asnumpy(), keep.astype(np.float32))
    np.testing.assert_array_equal(out.asnumpy(), np.where(keep, x * np.float32(1 / 0.7), 0))
    assert not np.array_equal(out.asnumpy(), out2.asnumpy())
    set_seed(7)
    np.testing.assert_array_equal(ops.Dropout(keep_prob=0.7)(Tensor(x))[0].asnumpy(), out.asnumpy())


def test_dropout_op_seeds_and_streams():
    x = Tensor(np.ones(64, np.float32))
    a, b = ops.Dropout(0.5, 3, 4), ops.Dropout(0.5, 3, 4)
    first = a(x)[1].asnumpy()
    np.testing.assert_array_equal(b(x)[1].asnumpy(), first)  # op seeds: per instance, call by call
    assert not np.array_equal(a(x)[1].asnumpy(), first)
    keep = oracle.portable_uniforms(64, 3 + (4 << 32), OP_STREAM_BASE) < np.float32(0.5)
    np.testing.assert_array_equal(first, keep)
    set_seed(5)
    from minispore.common import initializer as init
    w1 = init.initializer(init.Normal(), (8,)).asnumpy()
    set_seed(5)
    ops.Dropout(0.5)(x)  # dropout streams are apart from the initialisers'
    np.testing.assert_array_equal(init.initializer(init.Normal(), (8,)).asnumpy(), w1)


def test_dropout_layer(device):
    x = Tensor(np.ones((4, 50), np.float32))
    net = nn.Dropout(p=0.2)
    assert not net.training and net(x) is x  # evaluation: the identity
    net.set_train()
    y = net(x).asnumpy()
    assert set(np.unique(y)) <= {0, np.float32(1.25)} and 0.6 < (y > 0).mean() < 0.95
    old = nn.Dropout(keep_prob=0.8)
    old.set_train()
    assert set(np.unique(old(x).asnumpy())) <= {0, np.float32(1.25)}
    assert repr(net) == "Dropout<p=0.2>" and repr(old) == "Dropout<keep_prob=0.8>"
    zero = nn.Dropout(p=0)
    zero.set_train()
    assert zero(x) is x
    half = ops.Dropout(0.5)(Tensor(np.ones(8, np.float16)))
    assert half[0].dtype == mstype.float16 and half[1].dtype == mstype.float16
    assert ops.dropout(x, p=0.5, training=False) is x
    assert set(np.unique(ops.dropout(x, p=0.5, seed=3).asnumpy())) <= {0, 2}


# --- transposed convolution ---------------------------------------------------------------------------------------
@st.composite
def transpose_cases(draw, small):
    group = draw(st.sampled_from([1, 1, 2]))
    cin, cout = group * draw(st.integers(1, 2)), group * draw(st.integers(1, 2 if small else 3))
    kernel = tuple(draw(st.integers(1, 3 if small else 4)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2))
    pad_mode = draw(st.sampled_from(["same", "valid", "pad"]))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(4)) if pad_mode == "pad" else 0
    hw = tuple(draw(st.integers(1, 3 if small else 5)) for _ in range(2))
    seed = draw(st.integers(0, 2 ** 16))
    return cin, cout, kernel, stride, dilation, pad_mode, padding, group, hw, seed


def test_conv2d_transpose_matches_the_adjoint_oracle(device, small):
    @settings(max_examples=5 if small else 40, deadline=None)
    @given(transpose_cases(small))
    def run(case):
        cin, cout, kernel, stride, dilation, pad_mode, padding, group, hw, seed = case
        rng = np.random.default_rng(seed)
        w = rng.standard_normal((cin, cout // group) + kernel).astype(np.float32)
        net = nn.Conv2dTranspose(cin, cout, kernel, stride, pad_mode, padding, 0, dilation, group,
                                 weight_init=Tensor(w))
        x = rng.standard_normal((2, cin) + hw).astype(np.float32)
        pads = (padding,) * 4 if isinstance(padding, int) else padding
        out_hw = []
        for n, k, s, d, p0, p1 in zip(hw, kernel, stride, dilation, pads[0::2], pads[1::2]):
            span = d * (k - 1) + 1
            out_hw.append({"same": n * s, "valid": n * s + max(span - s, 0), "pad": n * s - p0 - p1 + span - s}[
                pad_mode])
        if min(out_hw) < 1:
            return
        if pad_mode == "same":
            before = [conv_oracle.same_pads(n, k, s, d)[0] for n, k, s, d in zip(out_hw, kernel, stride, dilation)]
        else:
            before = pads[0::2] if pad_mode == "pad" else (0, 0)
        got = net(Tensor(x)).asnumpy()
        want = oracle.conv2d_transpose(x, w, out_hw, stride, dilation, before, group)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    run()


def test_conv2d_transpose_mindspore_shapes_output_padding_and_bias(device):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 3, 4, 5)).astype(np.float32)
    assert nn.Conv2dTranspose(3, 4, 4, pad_mode="pad")(Tensor(x)).shape == (1, 4, 7, 8)
    net = nn.Conv2dTranspose(3, 2, 3, stride=2, pad_mode="pad", padding=1, output_padding=1, has_bias=True,
                             bias_init="ones")
    out = net(Tensor(x)).asnumpy()
    assert out.shape == (1, 2, 8, 10)
    plain = nn.Conv2dTranspose(3, 2, 3, stride=2, pad_mode="pad", padding=1, weight_init=net.weight)(Tensor(x))
    np.testing.assert_allclose(out[:, :, :7, :9], plain.asnumpy() + 1, rtol=1e-6)
    assert not out[:, :, 7].any() and not out[:, :, :, 9].any()  # MindSpore pads the output with zeros
    assert net.weight.shape == (3, 2, 3, 3) and not net.training


def test_conv2d_backprop_input_and_functional_form(device):
    rng = np.random.default_rng(5)
    dout = rng.standard_normal((2, 4, 3, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    got = ops.Conv2DBackpropInput(4, 3, stride=2)(Tensor(dout), Tensor(w), (2, 3, 7, 8)).asnumpy()
    np.testing.assert_allclose(got, oracle.conv2d_transpose(dout, w, (7, 8), (2, 2), (1, 1), (0, 0), 1),
                               rtol=1e-4, atol=1e-4)
    got = ops.Conv2DTranspose(4, 3, pad_mode="pad", pad=(1, 0, 0, 1), pad_list=(0, 0, -1, -1))(
        Tensor(dout), Tensor(w), (2, 3, 5, 4)).asnumpy()  # explicit top/bottom pads, left/right from `pad`
    np.testing.assert_allclose(got, oracle.conv2d_transpose(dout, w, (5, 4), (1, 1), (1, 1), (0, 0), 1),
                               rtol=1e-4, atol=1e-4)
    got = ops.conv_transpose2d(Tensor(dout), Tensor(w), Tensor(np.ones(3, np.float32)), stride=2, padding=1,
                               output_padding=1).asnumpy()  # PyTorch's meaning: the padded row is computed
    np.testing.assert_allclose(got, oracle.conv2d_transpose(dout, w, (6, 6), (2, 2), (1, 1), (1, 1), 1) + 1,
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("call,error", [
    (lambda: nn.Conv2dTranspose(3, 4, 3, output_padding=1), ValueError),  # only with 'pad'
    (lambda: nn.Conv2dTranspose(3, 4, 3, stride=2, pad_mode="pad", output_padding=2), ValueError),
    (lambda: nn.Conv2dTranspose(3, 4, 3, group=2), ValueError),
    (lambda: nn.Conv2dTranspose(3, 4, 3, pad_mode="valid", padding=1), ValueError),
    (lambda: ops.Conv2DBackpropInput(4, 3, mode=2), ValueError),
    (lambda: ops.Conv2DBackpropInput(4, 3)(Tensor(np.ones((1, 4, 3, 3), np.float32)),
                                           Tensor(np.ones((4, 1, 3, 3), np.float32)), (1, 1, 6, 6)), ValueError),
    (lambda: ops.Conv2DBackpropInput(4, 3)(Tensor(np.ones((1, 4, 3, 3), np.float32)),
                                           Tensor(np.ones((4, 1, 3, 3), np.float32)), [1, 1, 5]), ValueError),
    (lambda: ops.Conv2DBackpropInput(4, 3)(Tensor(np.ones((1, 4, 3, 3), np.float32)),
                                           Tensor(np.ones((4, 2, 3, 3), np.float32)), (1, 1, 5, 5)), ValueError),
    (lambda: ops.Conv2DBackpropInput(4, 3)(Tensor(np.ones((1, 4, 3, 3), np.float32)),
                                           Tensor(np.ones((4, 1, 3, 3), np.float16)), (1, 1, 5, 5)), TypeError),
])
def test_bad_transposed_convolutions_raise(call, error):
    with pytest.raises(error, match="For '"):
        call()


def test_every_new_cell_starts_in_evaluation_mode():
    cells = [nn.Dense(2, 2), nn.Flatten(), nn.Dropout(), nn.Identity(), nn.MaxPool2d(), nn.AvgPool2d(),
             nn.MaxPool3d(), nn.AvgPool3d(), nn.AdaptiveAvgPool2d(1), nn.BatchNorm1d(2), nn.BatchNorm2d(2),
             nn.LayerNorm((2,)), nn.Conv2dTranspose(2, 2, 2)]
    assert not any(cell.training for cell in cells)


# --- every kernel path: the same bits at 1 and 2 threads, and on every device --------------------------------------
def _every_kernel_path():
    """Outputs of every new kernel path, on the current device (sizes that split into several work items)."""
    rng = np.random.default_rng(6)
    x = Tensor(rng.standard_normal((2, 3, 1, 19, 9) if SIMULATED else (2, 3, 2, 40, 33)).astype(np.float32))
    x4 = Tensor(x.asnumpy()[:, :, 0])
    outs = [ops.MaxPool3D((1, 3, 3), (1, 2, 2), "same")(x),
            ops.AvgPool3D((1, 3, 2), 1, "pad", (0, 0, 1, 1, 1, 1), True)(x),
            *ops.MaxPool3DWithArgmax((1, 3, 3), (1, 2, 1), (0, 1, 1))(x), ops.AdaptiveAvgPool2D((5, 3))(x4)]
    big = Tensor((rng.standard_normal((3, 2, 1500) if not SIMULATED else (2, 2, 9)) + 4).astype(np.float32))
    vec = [Tensor(rng.uniform(0.5, 2, 2).astype(np.float32)) for _ in range(4)]
    outs += ops.BatchNorm(True)(big, *vec) + ops.BatchNorm()(big, *vec)  # several chunks per channel
    outs += ops.LayerNorm(1, 2)(big, Tensor(rng.standard_normal(big.shape[2:]).astype(np.float32)),
                                Tensor(np.zeros(big.shape[2:], np.float32)))
    set_seed(3)
    outs += ops.Dropout(0.6)(x)
    a = Tensor(rng.standard_normal((300, 40) if not SIMULATED else (3, 4)).astype(np.float32))
    outs += [nn.Conv2dTranspose(3, 2, 3, 2, weight_init=Tensor(np.ones((3, 2, 3, 3), np.float32)))(x4)]
    outs += [ops.MatMul(transpose_b=True)(a, a), ops.BatchMatMul(transpose_b=True)(x4, x4)]  # BLAS last
    return [o.asnumpy() for o in outs]


@pytest.mark.cpu_only
def test_every_kernel_path_gives_the_same_bits_at_one_and_two_threads():
    import numba
    saved = numba.get_num_threads()
    try:
        results = []
        for threads in (1, numba.config.NUMBA_NUM_THREADS):
            numba.set_num_threads(threads)
            results.append(_every_kernel_path())
    finally:
        numba.set_num_threads(saved)
    for one, many in zip(*results):
        np.testing.assert_array_equal(one, many)


@pytest.mark.skipif(bool(_GPU_SKIP), reason=f"no GPU backend: {_GPU_SKIP}")
def test_every_kernel_path_gives_the_same_bits_on_cpu_and_gpu():
    cpu = _every_kernel_path()
    context.set_context(device_target="GPU")
    try:
        gpu = _every_kernel_path()
    finally:
        context.set_context(device_target="CPU")
    for i, (c, g) in enumerate(zip(cpu, gpu)):
        if i >= len(cpu) - 2:  # the BLAS products: cuBLAS sums in its own order, not OpenBLAS's
            np.testing.assert_allclose(c, g, rtol=1e-5, atol=1e-5)
        else:
            np.testing.assert_array_equal(c, g, err_msg=f"output {i}")


def test_pool_output_shape_refuses_a_window_wider_than_the_input():
    with pytest.raises(ValueError, match="kernel size"):
        nn_ops.conv_output_shape("MaxPool", (3, 3), (4, 1), (1, 1), (1, 1), "valid", (0,) * 4)
