"""The portable generator's contract (DESIGN section 6): Philox known answers, value = f(seed, stream, index),
exact scaling, device independence, slices generated alone, and the accuracy of our own log/erfinv/sincos (its
thread-count independence is tested with the other generators', in test_generators.py)."""
import math

import numpy as np
import pytest

from minispore import context
from minispore import dtype as mstype
from minispore.common import get_seed, set_seed
from minispore.common import initializer as init
from minispore.common.initializer import initializer
from minispore.kernels import bodies, cpu



@pytest.fixture(autouse=True)
def portable():
    """These tests hold the portable generator to its contract."""
    context.set_context(initializer_rng="portable")
    yield
    context.set_context(initializer_rng="mindspore-r1.3")


# Random123 tests/kat_vectors, "philox4x32 10": counter (4 words), key (2 words) -> output (4 words)
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]

ALL_RANDOM = [init.Normal(), init.Normal(0.2, 1.5), init.Uniform(), init.TruncatedNormal(),
              init.TruncatedNormal(1.0, 0.5, -0.5, 3.0), init.XavierUniform(), init.HeUniform(), init.HeNormal(),
              init.VarianceScaling(), init.VarianceScaling(2.0, "fan_avg", "uniform")]


@pytest.mark.parametrize("counter,key,expected", KAT)
@pytest.mark.parametrize("impl", ["python", "numba"])
def test_philox_known_answers(impl, counter, key, expected):
    fn = bodies.philox4x32 if impl == "python" else cpu.philox4x32
    words = fn(*(np.uint32(v) for v in counter + key))
    assert tuple(int(w) for w in words) == expected


def _draw(init_obj, shape, seed=1, dtype=mstype.float32):
    set_seed(seed)
    return initializer(init_obj, shape, dtype).asnumpy()


def test_same_program_same_bits_and_streams_differ():
    set_seed(7)
    a1, b1 = initializer("normal", [64, 33]).asnumpy(), initializer("normal", [64, 33]).asnumpy()
    set_seed(7)
    a2, b2 = initializer("normal", [64, 33]).asnumpy(), initializer("normal", [64, 33]).asnumpy()
    assert a1.tobytes() == a2.tobytes() and b1.tobytes() == b2.tobytes()
    assert not np.array_equal(a1, b1)
    assert not np.array_equal(_draw("normal", [100], seed=1), _draw("normal", [100], seed=2))
    assert get_seed() == 2


def test_stream_is_claimed_at_creation_not_at_first_use():
    set_seed(3)
    first = initializer("uniform", [50])
    second = initializer("uniform", [50])
    b = second.asnumpy()
    a = first.asnumpy()  # materialised second, still stream 0
    set_seed(3)
    np.testing.assert_array_equal(initializer("uniform", [50]).asnumpy(), a)
    np.testing.assert_array_equal(initializer("uniform", [50]).asnumpy(), b)


def test_constant_initializers_do_not_consume_streams():
    set_seed(5)
    initializer("zeros", [3])
    after_zeros = initializer("normal", [10]).asnumpy()
    np.testing.assert_array_equal(after_zeros, _draw("normal", [10], seed=5))


def test_normal_sigma_is_an_exact_scaling_of_one_draw():
    z = _draw(init.Normal(1.0), [64, 3, 3, 3])
    for sigma in (0.01, 0.2, 3.0):
        got = _draw(init.Normal(sigma), [64, 3, 3, 3])
        assert got.tobytes() == (np.float32(sigma) * z).tobytes()
    shifted = _draw(init.Normal(0.2, 1.5), [64, 3, 3, 3])
    assert shifted.tobytes() == (np.float32(1.5) + np.float32(0.2) * z).tobytes()


def test_guide_example_two_is_twenty_times_example_one():
    import minispore.nn as nn
    set_seed(1)
    w1 = nn.Conv2d(3, 64, 3, weight_init="Normal").weight.asnumpy()
    set_seed(1)
    w2 = nn.Conv2d(3, 64, 3, weight_init=init.Normal(0.2)).weight.asnumpy()
    np.testing.assert_allclose(w2, 20 * w1, rtol=1e-6)


@pytest.mark.parametrize("init_obj", ALL_RANDOM + [init.One(), init.Constant(2.5)], ids=lambda i: type(i).__name__)
def test_any_slice_equals_the_same_slice_of_the_whole(device, small, init_obj):
    shape = (5, 7, 3) if small else (17, 31, 9)
    set_seed(11)
    lazy = initializer(init_obj, shape)
    keys = [(slice(None),), (2,), (slice(1, 4), slice(None), 1), (slice(None, None, 3), slice(5, 1, -2)),
            (-1, -1, -1), (slice(3, 4), 6)]
    parts = [lazy._backend.to_host(lazy._init_slice(k)) for k in keys]
    whole = lazy.asnumpy()
    for key, part in zip(keys, parts):
        np.testing.assert_array_equal(part, whole[key])


def test_bit_identical_on_every_device(device, small):
    sizes = [1, 3, 1023] if small else [1, 3, 1023, 4099]
    for init_obj in ALL_RANDOM:
        for n in sizes:
            shape = (n, 1) if isinstance(init_obj, init.VarianceScaling) else (n,)
            got = _draw(init_obj, shape, seed=n)
            from minispore import context
            context.set_context(device_target="CPU")
            want = _draw(init_obj, shape, seed=n)
            context.set_context(device_target=device)
            assert got.tobytes() == want.tobytes(), (type(init_obj).__name__, n)


@pytest.mark.parametrize("dtype", [mstype.float16, mstype.float64, mstype.int32])
def test_other_dtypes_are_the_float32_draw_converted(dtype):
    base = _draw(init.Normal(3.0), [100])
    got = _draw(init.Normal(3.0), [100], dtype=dtype)
    assert got.dtype == dtype.np_type
    np.testing.assert_array_equal(got, base.astype(dtype.np_type))


# --- the no-libm math of the bodies -----------------------------------------------------------------------------
def test_log_unit_accuracy():
    y = np.concatenate([np.float32(2.0) ** -np.arange(0, 31, dtype=np.float32),
                        np.random.default_rng(0).uniform(2 ** -30, 1, 2000).astype(np.float32)])
    got = np.array([cpu_body("log_unit")(v) for v in y])
    want = np.log(y.astype(np.float64))
    assert np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-30)) < 3e-7 or np.max(np.abs(got - want)) < 1e-7


def test_sincos_turn_accuracy():
    ks = np.concatenate([np.arange(0, 1 << 24, 9973), [0, 1 << 22, 1 << 23, 3 << 22, (1 << 24) - 1]])
    fn = cpu_body("sincos_turn")
    for k in ks:
        c, s = fn(np.uint32(k))
        angle = 2 * math.pi * int(k) / 2 ** 24
        assert abs(c - math.cos(angle)) < 2e-7 and abs(s - math.sin(angle)) < 2e-7, k


def _erfinv_reference(x):
    """erfinv in float64 by Newton's method on math.erf."""
    y = 0.0
    for _ in range(100):
        step = (math.erf(y) - x) / (2 / math.sqrt(math.pi) * math.exp(-y * y))
        y -= step
        if abs(step) < 1e-15:
            break
    return y


def test_erfinv_accuracy():
    x = np.random.default_rng(1).uniform(-0.999999, 0.999999, 3000).astype(np.float32)
    got = np.array([cpu_body("erfinv")(v) for v in x], np.float64)
    want = np.array([_erfinv_reference(float(v)) for v in x])
    assert np.max(np.abs(got - want) / np.abs(want)) < 2e-5


def cpu_body(name):
    return cpu._body[name]
