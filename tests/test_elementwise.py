"""Element-wise maps and broadcast binary ops against slow references: values, MindSpore 2.10's dtype rules,
accuracy in ulps, the same bits on every device, thread count and kernel copy, and MindSpore's errors."""
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from minispore import Tensor, context
from minispore import dtype as mstype
from minispore import ops
from minispore.kernels import bodies
from minispore.ops import operations as P

from elementwise_oracle import UNARY, integer_op, same_bits, ulps
import elementwise_oracle as oracle

_FLOAT_BINARY = {  # name -> NumPy in the work dtype: bit-identical (one IEEE operation, or NumPy's own algorithm)
    "Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.true_divide, "RealDiv": np.true_divide,
    "FloorDiv": np.floor_divide, "FloorMod": np.remainder, "Mod": np.fmod, "Maximum": np.maximum,
    "Minimum": np.minimum, "Equal": np.equal, "NotEqual": np.not_equal, "Greater": np.greater,
    "GreaterEqual": np.greater_equal, "Less": np.less, "LessEqual": np.less_equal,
}


def _values(rng, shape, dtype, zeros=True):
    if np.dtype(dtype).kind == "f":
        x = (rng.standard_normal(shape) * 4).astype(dtype)
        if zeros and x.size:
            x.reshape(-1)[::5] = 0  # ties and division by zero
    elif dtype == np.bool_:
        x = rng.integers(0, 2, shape).astype(bool)
    else:
        x = rng.integers(-20, 20, shape).astype(dtype)
    return x


@pytest.mark.parametrize("name", sorted(_FLOAT_BINARY))
def test_float_binary_ops_are_numpys_bits_with_broadcasting(device, small, name):
    prim = getattr(P, name)()

    @settings(max_examples=4 if small else 25, deadline=None)
    @given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3 if small else 4, max_side=3 if small else 5),
           st.sampled_from([np.float32, np.float16]), st.integers(0, 2 ** 16))
    def run(shapes, dtype, seed):
        rng = np.random.default_rng(seed)
        a = _values(rng, shapes.input_shapes[0], dtype)
        b = _values(rng, shapes.input_shapes[1], dtype)
        got = prim(Tensor(a), Tensor(b))
        work = np.float32 if dtype == np.float16 else dtype
        with np.errstate(all="ignore"):
            want = _FLOAT_BINARY[name](a.astype(work), b.astype(work))
        want = want if want.dtype == np.bool_ else want.astype(dtype)
        assert got.shape == shapes.result_shape and got.dtype == mstype.to_dtype(want.dtype)
        assert same_bits(got.asnumpy(), want), (a, b, got.asnumpy(), want)
    run()


@pytest.mark.parametrize("name", ["Add", "Div", "FloorDiv", "FloorMod", "Mod", "Pow", "Maximum", "Less"])
def test_float64_binary_ops_are_numpys_bits(device, small, name):
    rng = np.random.default_rng(11)
    shape = (3, 4) if small else (40, 50)
    a, b = _values(rng, shape, np.float64), _values(rng, shape[1:], np.float64)
    got = getattr(P, name)()(Tensor(a), Tensor(b)).asnumpy()
    with np.errstate(all="ignore"):
        want = np.power(a, b) if name == "Pow" else _FLOAT_BINARY[name](a, b)
    if name == "Pow":  # exp(b log a) in double: about |b log a| ulps (documented)
        finite = np.isfinite(want) & (want != 0)
        with np.errstate(all="ignore"):
            bound = 4 + 2 * np.nan_to_num(np.abs(b * np.log(np.abs(a))))  # 0 * log 0: exact
        assert (ulps(got[finite], want[finite]) <= bound[finite]).all()
        assert same_bits(got[~finite], want[~finite])
    else:
        assert same_bits(got, want)


# the integer forms in the dtypes their guards matter for (INT_MIN // -1, unsigned, narrow wrap-around)
_INTEGER_CASES = [(name, np.int32) for name in ("FloorDiv", "RealDiv", "Mod", "FloorMod", "Pow")] + [
    ("FloorDiv", np.int64), ("RealDiv", np.int64), ("Pow", np.int64), ("Mod", np.uint8), ("Pow", np.int8)]


@pytest.mark.parametrize("name,dtype", _INTEGER_CASES)
def test_integer_forms_against_python_ints(device, small, name, dtype):
    rng = np.random.default_rng(1)
    n = 12 if small else 400
    a = rng.integers(-40 if dtype != np.uint8 else 0, 40, n).astype(dtype)
    b = rng.integers(-6 if dtype != np.uint8 else 0, 6, n).astype(dtype)
    if name == "Pow":
        b = np.abs(b) if dtype == np.uint8 else b
    a[:4] = [np.iinfo(dtype).min, np.iinfo(dtype).max, 7, -7 if dtype != np.uint8 else 3][:4]
    b[:4] = [-1 if dtype != np.uint8 else 1, 2, 0, -2 if dtype != np.uint8 else 0]
    got = getattr(P, name)()(Tensor(a), Tensor(b))
    assert got.dtype == mstype.to_dtype(dtype)
    np.testing.assert_array_equal(got.asnumpy(), integer_op(name, a, b, dtype))


def test_mindspore_2_10_integer_and_bool_rules():
    i = Tensor(np.array([7, -7, 7, -7, 0], np.int32))
    j = Tensor(np.array([2, 2, -2, -2, 3], np.int32))
    # printed by MindSpore 2.10 for these operands
    assert P.Div()(i, j).dtype == mstype.float32 and P.Div()(i, j).asnumpy().tolist() == [3.5, -3.5, -3.5, 3.5, 0]
    assert P.RealDiv()(i, j).asnumpy().tolist() == [3, -3, -3, 3, 0]
    assert P.FloorDiv()(i, j).asnumpy().tolist() == [3, -4, -4, 3, 0]
    assert P.Mod()(i, j).asnumpy().tolist() == [1, -1, 1, -1, 0]
    assert P.FloorMod()(i, j).asnumpy().tolist() == [1, 1, -1, -1, 0]
    assert P.Pow()(i, 2).dtype == mstype.int32 and P.Pow()(i, 2.0).dtype == mstype.float32
    f = Tensor(np.array([7.0, -7.0, 7.0, -7.0, 1.0], np.float32))
    g = Tensor(np.array([2.0, 2.0, -2.0, -2.0, 0.1], np.float32))
    assert P.FloorDiv()(f, g).asnumpy().tolist() == [3, -4, -4, 3, 9]  # 1 // 0.1 is 9, as Python's
    assert P.Mod()(f, g).asnumpy()[-1] == np.float32(0.09999998658895493)
    assert P.Greater()(i, 2.5).dtype == mstype.bool_
    assert P.Greater()(i, 2.5).asnumpy().tolist() == [True, False, True, False, False]
    b = Tensor(np.array([True, False]))
    assert (b + b).dtype == mstype.bool_ and (b * b).asnumpy().tolist() == [True, False]
    assert (b / b).dtype == mstype.float32 and (b // b).dtype == mstype.bool_
    assert P.Abs()(b).dtype == mstype.bool_
    with pytest.raises(TypeError, match="bool"):
        P.Neg()(b)


def test_float_division_and_pow_special_values():
    x = Tensor(np.array([1.0, -1.0, 0.0, 7.0], np.float32))
    zero = Tensor(np.zeros(4, np.float32))
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(P.Div()(x, zero).asnumpy(), np.array([1, -1, 0, 7], np.float32) / 0)
        np.testing.assert_array_equal(P.FloorDiv()(x, zero).asnumpy(), np.array([1, -1, 0, 7], np.float32) / 0)
    assert np.isnan(P.Mod()(x, zero).asnumpy()).all() and np.isnan(P.FloorMod()(x, zero).asnumpy()).all()
    base = Tensor(np.array([-2.0, -2.0, 0.0, 0.0, np.nan, 1.0, -1.0, np.inf, -np.inf, -8.0], np.float32))
    expo = Tensor(np.array([3.0, 0.5, -1.0, 0.0, 0.0, np.nan, np.inf, -1.0, 3.0, 1 / 3], np.float32))
    with np.errstate(all="ignore"):
        want = np.power(base.asnumpy().astype(np.float64), expo.asnumpy().astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(P.Pow()(base, expo).asnumpy(), want)


def test_float_pow_is_correctly_rounded_in_float32_and_close_in_float64():
    rng = np.random.default_rng(2)
    a = rng.uniform(0, 20, 20000).astype(np.float32)
    b = rng.uniform(-6, 6, a.size).astype(np.float32)
    got = P.Pow()(Tensor(a), Tensor(b)).asnumpy()
    exact = np.power(a.astype(np.longdouble), b.astype(np.longdouble))
    assert ulps(got, exact).max() <= 0.5 + 1e-3  # double precision inside: rounded once
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    got64 = P.Pow()(Tensor(a64), Tensor(b64)).asnumpy()
    # exp(b log a) in double: the rounding of b log a costs about |b log a| ulps (documented)
    bound = 4 + 2 * np.abs(b64 * np.log(a64))
    assert (ulps(got64, np.power(a64.astype(np.longdouble), b64.astype(np.longdouble))) <= bound).all()
    np.testing.assert_array_equal(P.Pow()(Tensor(a), 2.0).asnumpy(), a * a)  # exact squares, as NumPy's


# --- maps -------------------------------------------------------------------------------------------------------
# ulp bounds of the float32 bodies (from + - * / only) and of their float64 twins, over the ranges tested below
# (float64 only where the body has a core of its own: the others are the float32 code at another width)
_ULP_BOUNDS = {"Exp": (1, 1), "Log": (2, 1), "Sqrt": (0.5,), "Tanh": (2.5, 2.5), "Sigmoid": (2.5, 2.5),
               "SiLU": (3.5,), "GeLU": (4.5, None), "Elu": (1.5, 1.5), "ReLU": (0,), "ReLU6": (0,),
               "LeakyReLU": (0.5,)}
_RANGES = {"Exp": [(-87, 88), (-1, 1), (-1e-4, 1e-4)], "Log": [(1e-37, 1e37), (0.5, 2), (0.999, 1.001)],
           "Sqrt": [(0, 1e30)], "Tanh": [(-12, 12), (-0.5, 0.5), (-1e-4, 1e-4)], "Sigmoid": [(-80, 80)],
           "SiLU": [(-80, 80)], "GeLU": [(-9, 9)], "Elu": [(-30, 5), (-0.1, 0.1)], "ReLU": [(-5, 5)],
           "ReLU6": [(-3, 9)], "LeakyReLU": [(-5, 5)]}
_PRIMS = {"Exp": P.Exp, "Log": P.Log, "Sqrt": P.Sqrt, "Tanh": P.Tanh, "Sigmoid": P.Sigmoid, "SiLU": P.SiLU,
          "GeLU": P.GeLU, "Elu": P.Elu, "ReLU": P.ReLU, "ReLU6": P.ReLU6, "LeakyReLU": P.LeakyReLU}


def _sample(rng, lo, hi, n, dtype):
    if lo > 0 and hi / lo > 1e3:  # log-uniform over many binades
        return np.exp(rng.uniform(np.log(lo), np.log(hi), n)).astype(dtype)
    return rng.uniform(lo, hi, n).astype(dtype)


@pytest.mark.parametrize("name", sorted(_ULP_BOUNDS))
def test_map_accuracy_in_ulps(name):
    rng = np.random.default_rng(3)
    prim = _PRIMS[name]()
    for dtype, bound in zip((np.float32, np.float64), _ULP_BOUNDS[name]):
        for lo, hi in _RANGES[name]:
            x = _sample(rng, lo, hi, 20000, dtype)
            got = prim(Tensor(x)).asnumpy()
            assert got.dtype == dtype
            ref = UNARY[name](x.astype(np.longdouble))
            if name == "LeakyReLU":  # the body multiplies by alpha rounded to the dtype
                ref = np.where(x >= 0, x.astype(np.longdouble), np.longdouble(dtype(0.2)) * x.astype(np.longdouble))
            err = ulps(got, ref)
            if bound is None:  # float64 GELU: u rounds in double, and e**-2u turns that into |2u| ulps (documented)
                bound = 4 + 2 * np.abs(2 * np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))
            assert (err <= bound).all(), (name, dtype, lo, hi, err.max(), x[np.argmax(err - bound)])


def test_float32_exp_and_log_beat_numpys_own_ulps():
    # NumPy's SIMD float32 exp/log are documented at < 2.5 / 3.8 ulp; ours stay within 1 and 2 on every device
    rng = np.random.default_rng(4)
    x = rng.uniform(-80, 80, 50000).astype(np.float32)
    assert ulps(P.Exp()(Tensor(x)).asnumpy(), np.exp(x.astype(np.longdouble))).max() <= 1
    y = np.abs(x) + np.float32(1e-3)
    assert ulps(P.Log()(Tensor(y)).asnumpy(), np.log(y.astype(np.longdouble))).max() <= 2


def test_gelu_erf_form_and_functional_defaults():
    rng = np.random.default_rng(5)
    x = rng.uniform(-8, 8, 5000).astype(np.float32)
    got = ops.gelu(Tensor(x)).asnumpy()  # MindSpore 2.10's ops.gelu defaults to approximate='none'
    assert ulps(got, oracle.gelu_erf(x)).max() <= 1
    np.testing.assert_array_equal(ops.gelu(Tensor(x), approximate="tanh").asnumpy(), P.GeLU()(Tensor(x)).asnumpy())
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(ops.gelu(Tensor(x64)).asnumpy(), oracle.gelu_erf(x64), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("name,values", [
    ("Exp", [0.0, -0.0, np.inf, -np.inf, np.nan, 88.8, -104.0, -103.5]),
    ("Log", [0.0, -0.0, -1.0, np.inf, np.nan, 1e-45, 1.0, 3.4e38]),
    ("Sqrt", [0.0, -0.0, -1.0, np.inf, np.nan, 1e-45]),
    ("Tanh", [0.0, np.inf, -np.inf, np.nan, 1e-30, 50.0, -50.0]),
    ("Sigmoid", [0.0, np.inf, -np.inf, np.nan, 200.0, -200.0]),
    ("ReLU", [np.nan, -0.0, np.inf, -np.inf]),
    ("Elu", [np.inf, -np.inf, np.nan, -0.0]),
])
def test_map_special_values(name, values):
    x = np.array(values, np.float32)
    with np.errstate(all="ignore"):
        want = UNARY[name](x.astype(np.float64)).astype(np.float32)
    if name == "ReLU":
        want[0] = 0.0  # NaN gives 0, as MindSpore 2.10's CPU kernel
    got = _PRIMS[name]()(Tensor(x)).asnumpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(got[~np.isnan(got)], want[~np.isnan(want)])


def test_maps_on_integers_and_float16():
    i = Tensor(np.array([-3, 0, 4], np.int32))
    assert P.ReLU()(i).dtype == mstype.int32 and P.ReLU()(i).asnumpy().tolist() == [0, 0, 4]
    assert P.Neg()(i).asnumpy().tolist() == [3, 0, -4] and P.Abs()(i).asnumpy().tolist() == [3, 0, 4]
    assert P.Sqrt()(Tensor(np.array([1, 4], np.int32))).dtype == mstype.float32  # as MindSpore 2.10
    assert P.Exp()(i).dtype == mstype.float32
    h = np.array([0.5, -2.0, 3.0], np.float16)
    got = P.Tanh()(Tensor(h))
    assert got.dtype == mstype.float16
    np.testing.assert_array_equal(got.asnumpy(), np.tanh(h.astype(np.float64)).astype(np.float16))
    for prim in (P.Sigmoid(), P.Tanh(), P.ReLU6(), P.GeLU(), P.SiLU(), P.Elu(), P.Softmax()):
        with pytest.raises(TypeError, match=r"For '\w+', the 'x' must be a Tensor of float16, float32 or float64"):
            prim(i)


def test_parametric_activations_take_their_parameter():
    x = Tensor(np.array([-2.0, -0.5, 0.0, 3.0], np.float32))
    np.testing.assert_array_equal(P.LeakyReLU(0.3)(x).asnumpy(), np.where(x.asnumpy() >= 0, x.asnumpy(),
                                                                            np.float32(0.3) * x.asnumpy()))
    np.testing.assert_allclose(P.Elu(0.5)(x).asnumpy(), np.where(x.asnumpy() > 0, x.asnumpy(),
                                                                 0.5 * np.expm1(x.asnumpy())), rtol=1e-6)
    # MindSpore 2.10 printed these for nn.LeakyReLU(alpha=2.0) and ops.leaky_relu(x, 0.3)
    assert ops.leaky_relu(Tensor(np.array([-1.0, 2.0], np.float32)), 0.3).asnumpy().tolist() == \
        [np.float32(-0.30000001192092896), 2.0]
    with pytest.raises(TypeError, match="'alpha' must be a real number"):
        P.Elu("1")


# --- the same bits everywhere ----------------------------------------------------------------------------------
_SPECIALS = np.array([0.0, -0.0, 1.5, -2.5, 1e-40, -1e-30, 40.0, -90.0, np.inf, -np.inf, np.nan, 3.0], np.float32)
_BIT_UNARY = ["Neg", "Abs", "Exp", "Log", "Sqrt", "ReLU", "ReLU6", "Sigmoid", "Tanh", "GeLU", "SiLU", "Elu",
              "LeakyReLU"]
_BIT_BINARY = ["Add", "Sub", "Mul", "Div", "FloorDiv", "Mod", "FloorMod", "Pow", "Maximum", "Minimum", "Equal",
               "Less"]


def _run_everything(dtype):
    """Each map and binary op on a few special and random values: the results as arrays."""
    rng = np.random.default_rng(6)
    x = np.concatenate([_SPECIALS, (rng.standard_normal(4) * 3).astype(np.float32)]).astype(dtype)
    y = np.concatenate([_SPECIALS[::-1], (rng.standard_normal(4) * 3).astype(np.float32)]).astype(dtype)
    out = [getattr(P, name)()(Tensor(x)).asnumpy() for name in _BIT_UNARY]
    out.append(ops.gelu(Tensor(x)).asnumpy())
    with np.errstate(all="ignore"):
        out += [getattr(P, name)()(Tensor(x), Tensor(y)).asnumpy() for name in _BIT_BINARY]
    i = np.array([7, -7, 0, 5, -2 ** 31, 2 ** 31 - 1], np.int32)
    j = np.array([2, -2, 3, 0, -1, 2], np.int32)
    out += [getattr(P, name)()(Tensor(i), Tensor(j)).asnumpy() for name in ("FloorDiv", "RealDiv", "Mod", "Pow")]
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gpu_gives_the_cpus_bits(device, dtype):
    if device == "CPU":
        pytest.skip("compares the GPU backend with the CPU")
    on_gpu = _run_everything(dtype)
    context.set_context(device_target="CPU")
    on_cpu = _run_everything(dtype)
    for name, a, b in zip(_BIT_UNARY + ["gelu"] + _BIT_BINARY + ["ints"] * 4, on_gpu, on_cpu):
        assert same_bits(a, b), (name, a, b)


def _split(kind, op, wide=False):
    from minispore.kernels import cpu
    return cpu._kernels[(kind, op, wide)]


@pytest.mark.cpu_only
def test_serial_and_parallel_copies_of_the_element_kernels_give_the_same_bits():
    from minispore.kernels import _parallel, cpu
    n = _parallel.SERIAL_BELOW + 1000
    rng = np.random.default_rng(7)
    a = (rng.standard_normal(n) * 5).astype(np.float32)
    b = (rng.standard_normal(n) * 5).astype(np.float32)
    for op in (bodies.EXP,):
        out = np.empty_like(a)
        cpu.unary(op, out, a, np.float32(0))
        split = _split("unary", op)
        serial, parallel = np.empty_like(a), np.empty_like(a)
        split.serial(serial, a, np.float32(0))
        split.parallel(parallel, a, np.float32(0))
        assert same_bits(serial, parallel) and same_bits(serial, out)
    rows = a[:n // 40 * 40].reshape(-1, 40)
    row = b[:40]
    for op in (bodies.ADD,):
        out = np.empty(rows.size, np.float32)
        cpu.binary(op, out, rows.reshape(-1), row, rows.shape, (40, 1), (0, 1))
        split = _split("binary", op)
        serial, parallel = np.empty_like(out), np.empty_like(out)
        split.serial(serial, rows.reshape(-1), row, rows.shape, (40, 1), (0, 1))
        split.parallel(parallel, rows.reshape(-1), row, rows.shape, (40, 1), (0, 1))
        assert same_bits(serial, parallel) and same_bits(serial, out)


_THREADS_SCRIPT = r"""
import hashlib, sys
import numpy as np
from minispore import Tensor, ops
from minispore.ops import operations as P
rng = np.random.default_rng(8)
x = Tensor((rng.standard_normal((300, 257)) * 4).astype(np.float32))
y = Tensor((rng.standard_normal(257) * 4).astype(np.float32))
outs = [P.Exp()(x), x + y, x.sum(), x.sum(axis=0), P.ReduceSum()(x, 1), x.argmax(axis=0), ops.softmax(x)]
print(hashlib.sha256(b"".join(o.asnumpy().tobytes() for o in outs)).hexdigest())
"""


@pytest.mark.cpu_only
def test_results_do_not_depend_on_the_thread_count():
    tests = os.path.dirname(os.path.abspath(__file__))
    digests = []
    for threads in ("1", "2"):
        run = subprocess.run([sys.executable, "-c", _THREADS_SCRIPT], capture_output=True, text=True, timeout=900,
                             env=dict(os.environ, NUMBA_NUM_THREADS=threads), cwd=tests)
        assert run.returncode == 0, run.stderr[-3000:]
        digests.append(run.stdout.strip())
    assert digests[0] == digests[1]


# --- errors -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,error,message", [
    (lambda: P.Div()(Tensor(np.ones([2, 3], np.float32)), Tensor(np.ones([4], np.float32))), ValueError,
     r"For 'Div', the shapes of 'x' \(2, 3\) and 'y' \(4,\) must broadcast"),
    (lambda: P.Pow()(1, 2), TypeError, r"For 'Pow', the 'x' must be a Tensor when 'y' is a number"),
    (lambda: P.Maximum()(Tensor(np.ones(2)), "a"), TypeError, r"For 'Maximum', the 'y' must be a Tensor or a number"),
    (lambda: P.Equal()(Tensor(np.ones(2)), [1, 2]), TypeError, r"For 'Equal', the 'y' must be a Tensor or a number"),
    (lambda: P.Exp()(1.0), TypeError, r"For 'Exp', the 'x' must be a Tensor, but got 1.0 of type float"),
    (lambda: P.FloorDiv()(Tensor(np.ones(2, np.uint64)), Tensor(np.ones(2, np.uint64))), TypeError,
     r"For 'FloorDiv', the 'x' must be a Tensor of a dtype other than uint64"),
    (lambda: P.Add()(Tensor(np.ones(2, np.uint8)), 300), ValueError,
     r"For 'Add', the 'y' must be a number representable in uint8"),
    (lambda: P.LeakyReLU(float("nan")), ValueError, r"For 'LeakyReLU', the 'alpha' must be a finite number"),
])
def test_errors_use_mindsporess_template(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_empty_tensors_pass_through(device):
    e = Tensor(np.ones((0, 3), np.float32))
    assert P.Exp()(e).shape == (0, 3) and P.Pow()(e, Tensor(np.ones(3, np.float32))).shape == (0, 3)
    assert P.Equal()(e, 1.0).dtype == mstype.bool_


def test_small_and_large_calls_agree(device, small):
    # the CPU's NumPy path for small arrays and the kernel for large ones give the same bits
    n = 20 if small else 5000
    rng = np.random.default_rng(9)
    a = (rng.standard_normal(n) * 3).astype(np.float32)
    b = (rng.standard_normal(n) * 3).astype(np.float32)
    for name in ("Add", "Div", "Maximum", "Less"):
        whole = getattr(P, name)()(Tensor(a), Tensor(b)).asnumpy()
        parts = np.concatenate([getattr(P, name)()(Tensor(a[k:k + 7]), Tensor(b[k:k + 7])).asnumpy()
                                for k in range(0, n, 7)])
        assert same_bits(whole, parts), name
