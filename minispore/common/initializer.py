"""Weight initialisers (MindSpore's ``mindspore.common.initializer``) on the three generators of DESIGN section 6.

`context.set_context(initializer_rng=...)` picks how random initializers draw (read when a lazy tensor is
created):

- "mindspore-r1.3" (default): MindSpore r1.3's numbers, so the guide prints the guide's digits. `Normal` runs r1.3's
  16-chain `random_normal` kernel; Uniform, XavierUniform, HeUniform, HeNormal and TruncatedNormal draw from
  NumPy's global generator with r1.3's formulas; the initializers r1.3 did not have draw as MindSpore 2.10 does.
- "mindspore-2": MindSpore 2.10's numbers for every initializer it has.
- "portable": minispore's Philox contract: every value is a pure function of (seed, stream, index), and any
  slice can be generated alone. An initializer computes its parameters in plain Python and calls exactly one
  fill kernel (`random_fill`, a distribution code and its float32 parameters); He, Xavier and VarianceScaling
  are one variance-scaling path.

All three give the same bits on CPU and GPU and for any thread count; values NumPy draws on the host reach a GPU
by one host->device copy.
"""
import math
import numbers

import numpy as np

from minispore.kernels import bodies as _dists  # distribution codes only (no numba import)

from .. import _backend, _checks, context
from .. import dtype as mstype
from . import _mindspore2
from . import seed as _seed
from .tensor import Tensor, check_shape

_FLOAT32_MAX = float(np.finfo(np.float32).max)

__all__ = [
    "Initializer", "Zero", "One", "Constant", "Uniform", "Normal", "TruncatedNormal", "XavierUniform",
    "XavierNormal", "HeUniform", "HeNormal", "VarianceScaling", "Orthogonal", "Dirac", "Identity", "Sparse",
    "initializer", "calculate_gain",
]

_LO32 = 0xFFFFFFFF
MINDSPORE_R13, MINDSPORE_2, PORTABLE = context.INITIALIZER_RNGS  # each generator's name, spelt in one place


class Initializer:
    """Base class of initialisers.

    A user subclass overrides ``_initialize(self, arr)`` and fills the NumPy array `arr` in place (on the host;
    the result is copied to the tensor's device). Built-in subclasses generate on the device instead.
    """

    is_random = False

    def __init__(self, **kwargs):
        pass  # accepts MindSpore's keyword arguments; subclasses keep what they use as attributes

    def _initialize(self, arr):
        raise NotImplementedError(f"For '{type(self).__name__}', '_initialize(self, arr)' must be overridden.")

    def _claim(self):
        """What a lazy tensor remembers when it is created: (generator, seed, stream).

        The portable generator claims its stream now; MindSpore's generators draw their seeds when the tensor is
        materialised, as MindSpore does, so their seed and stream are None here.
        """
        rng = context.get_context("initializer_rng")
        if self.is_random and rng == PORTABLE:
            return (rng,) + _seed.next_stream()
        return rng, None, None

    def _check_dtype(self, np_dtype):
        """ValueError when this initializer cannot fill `np_dtype` (checked when its lazy Tensor is created)."""

    def __call__(self, arr):
        """Fill the numpy array `arr` in place (MindSpore's calling convention for initializers)."""
        _checks.check_type(type(self).__name__, "arr", arr, np.ndarray, "a numpy.ndarray")
        if not self.is_random:
            self._initialize(arr)
            return
        arr[...] = self.generate(_backend.get_backend("CPU"), arr.shape, arr.dtype, self._claim())

    def generate(self, backend, shape, dtype, draw, key=None):
        """The device array of `shape`[key] (the whole tensor when key is None) in NumPy dtype `dtype`.

        `draw` is what `_claim` returned when the tensor was created.
        """
        array = np.zeros(shape, dtype)
        self._initialize(array)
        return backend.from_host(array if key is None else array[key])  # the one host->device copy


def _assignment(arr, num):
    """Fill the numpy array `arr` in place with `num` (a number, or an array that broadcasts) and return it.

    MindSpore's helper for ``_initialize`` of user Initializer subclasses (``init._assignment(arr, 2)``).
    """
    arr[...] = num
    return arr


def _slice_shape_and_index(shape, key):
    """Shape of shape[key] and the flat C-order indices (in the whole tensor) of its elements."""
    key = key if isinstance(key, tuple) else (key,)
    if len(key) > len(shape) or not all(isinstance(k, slice) or _checks.is_int(k) for k in key):
        _checks.fail("Tensor._init_slice", "key", f"at most {len(shape)} ints and slices", key, TypeError)
    ranges, out_shape = [], []
    for dim, size in enumerate(shape):
        k = key[dim] if dim < len(key) else slice(None)
        if isinstance(k, slice):
            ranges.append(np.arange(*k.indices(size), dtype=np.int64))
            out_shape.append(len(ranges[-1]))
        else:
            if not -size <= k < size:
                _checks.fail("Tensor._init_slice", "key", f"within the shape {shape}", key)
            ranges.append(np.array([k % size], np.int64))
    index = np.ravel_multi_index(np.ix_(*ranges), shape) if shape else np.zeros((), np.int64)
    return tuple(out_shape), index.reshape(-1)


class _Filled(Initializer):
    """An initializer whose every element is one value."""

    def _value(self):
        raise NotImplementedError

    def _initialize(self, arr):
        self._check_dtype(arr.dtype)
        arr.fill(self._value())

    def _check_dtype(self, np_dtype):
        _checks.check_representable(type(self).__name__, "value", self._value(), np_dtype)

    def generate(self, backend, shape, dtype, draw, key=None):
        if key is not None:
            shape = _slice_shape_and_index(shape, key)[0]
        return backend.full(shape, self._value(), dtype)


class Zero(_Filled):
    """Fill with 0."""

    def _value(self):
        return 0


class One(_Filled):
    """Fill with 1."""

    def _value(self):
        return 1


class Constant(_Filled):
    """Fill with `value` (a number or bool)."""

    def __init__(self, value):
        if not isinstance(value, numbers.Number) or isinstance(value, complex):
            _checks.fail("Constant", "value", "a bool, int or float", value, TypeError)
        super().__init__()
        self.value = value

    def _value(self):
        return self.value


class _Random(Initializer):
    """An initializer that draws random numbers through the generator its tensor was created with.

    Subclasses define `_plan` (the portable generator's one `random_fill` call), `_mindspore_2` (MindSpore
    2.10's recipe) and, where r1.3 had the initializer, `_mindspore_r13`; the others draw as 2.10 does.
    """

    is_random = True

    def _plan(self, shape):
        """(distribution code, p0, p1, p2, p3, lo, hi) of `draw4`, computed in plain Python."""
        raise NotImplementedError

    def _mindspore_2(self, backend, shape):
        """MindSpore 2.10's values of the whole tensor: a device array, or a host one from NumPy's generator."""
        raise NotImplementedError

    def _mindspore_r13(self, backend, shape):
        """MindSpore r1.3's values of the whole tensor (r1.3 lacked this initializer: 2.10's)."""
        return self._mindspore_2(backend, shape)

    def _initialize(self, arr):
        self(arr)

    def generate(self, backend, shape, dtype, draw, key=None):
        rng, seed, stream = draw
        plan = self._plan(shape)  # every generator refuses what the portable one cannot represent
        if not all(abs(p) <= _FLOAT32_MAX for p in plan[1:]):  # refuses NaN too; plain floats: no NumPy cost
            _checks.fail(type(self).__name__, "parameters", "finite in float32 (|x| < 3.4e38)", plan[1:])
        if rng == PORTABLE:
            out = _draw(backend, shape, plan, seed, stream, key)
        else:  # MindSpore's values are serial streams: a slice is cut from the whole tensor
            out = (self._mindspore_r13 if rng == MINDSPORE_R13 else self._mindspore_2)(backend, shape)
            if key is not None:
                out = out[key]
        return _to_device(backend, out, dtype)


def _c_float(x):
    """A parameter as MindSpore's C++ receives it: rounded to a C float, then widened to double."""
    return float(np.float32(x))


def _ms2_normal(backend, shape, mean, sigma):
    """MindSpore 2.10's `_init_random_normal`: a seed from NumPy's global generator, then `_random_normal`."""
    out = backend.empty(shape, np.float32)
    backend.kernels.ms2_fill(out.reshape(-1), _seed.ms2_seed(), _dists.NORMAL, _c_float(mean), _c_float(sigma))
    return out


def _ms2_uniform(backend, shape, a, b):
    """MindSpore 2.10's `_init_random_uniform`: U(a, b) as (b - a) * s + a in double."""
    a, b = _c_float(a), _c_float(b)
    out = backend.empty(shape, np.float32)
    backend.kernels.ms2_fill(out.reshape(-1), _seed.ms2_seed(), _dists.UNIFORM, a, b - a)
    return out


def _ms2_truncated_normal(backend, shape, a, b, mean, sigma):
    """MindSpore 2.10's `_init_truncated_normal`: the uniforms drawn on the device, the inverse CDF on the host."""
    seed = _seed.ms2_seed()
    if not sigma > 0:  # MindSpore's C++ raises too, after drawing the seed
        _checks.fail("TruncatedNormal", "sigma", "> 0 with initializer_rng 'mindspore-2' (as MindSpore 2.10)",
                     sigma)
    unit = backend.empty(shape, np.float64)
    backend.kernels.ms2_unit_fill(unit.reshape(-1), seed)
    return _mindspore2.truncated_normal(backend.to_host(unit), a, b, mean, sigma)  # synchronize! device->host


def _to_device(backend, array, dtype):
    """A C-contiguous device array of `array` (device or host) in `dtype`; a host array is cast first, then
    copied once."""
    if isinstance(array, np.ndarray):
        return backend.from_host(np.ascontiguousarray(array, dtype))  # the one host->device copy
    return backend.xp.ascontiguousarray(array, dtype)


def _draw(backend, shape, plan, seed, stream, key=None):
    """float32 device array of `shape`[key] drawn by the one fill kernel with `plan` (see `_Random._plan`)."""
    dist, *params = plan
    p0, p1, p2, p3, lo, hi = (np.float32(p) for p in params)
    key64 = _seed.splitmix64(seed)
    k0, k1 = np.uint32(key64 & _LO32), np.uint32(key64 >> 32)
    if key is None:
        out = backend.empty(shape, np.float32)
        backend.kernels.random_fill(out.reshape(-1), 0, k0, k1, stream, dist, p0, p1, p2, p3, lo, hi)
    else:
        out_shape, index = _slice_shape_and_index(shape, key)
        out = backend.empty(out_shape, np.float32)
        backend.kernels.random_fill_at(out.reshape(-1), backend.from_host(index), k0, k1, stream, dist,
                                       p0, p1, p2, p3, lo, hi)
    return out


class Uniform(_Random):
    """U(-scale, scale).

    Args:
        scale (float): the bound, >= 0. Default: 0.07.
    """

    def __init__(self, scale=0.07):
        self.scale = _checks.check_number("Uniform", "scale", scale, minimum=0)
        super().__init__()

    def _plan(self, shape):
        low, high = np.float32(-self.scale), np.float32(self.scale)
        return _dists.UNIFORM, low, high - low, 0, 0, 0, 0

    def _mindspore_r13(self, backend, shape):
        return np.random.uniform(-self.scale, self.scale, shape)

    def _mindspore_2(self, backend, shape):
        return _ms2_uniform(backend, shape, -self.scale, self.scale)


class Normal(_Random):
    """N(mean, sigma**2), by Box-Muller on the RNG contract.

    Args:
        sigma (float): the standard deviation, >= 0. Default: 0.01.
        mean (float): the mean. Default: 0.0.
    """

    def __init__(self, sigma=0.01, mean=0.0):
        self.sigma = _checks.check_number("Normal", "sigma", sigma, minimum=0)
        self.mean = _checks.check_number("Normal", "mean", mean)
        super().__init__()

    def _plan(self, shape):
        return _dists.NORMAL, self.mean, self.sigma, 0, 0, 0, 0

    def _mindspore_r13(self, backend, shape):
        seed, seed2 = _seed.r13_seeds()
        out = backend.empty(shape, np.float32)
        backend.kernels.r13_normal_fill(out.reshape(-1), backend.empty((16, 4), np.float32), seed, seed2,
                                        np.float32(self.sigma), np.float32(self.mean))
        return out

    def _mindspore_2(self, backend, shape):
        return _ms2_normal(backend, shape, self.mean, self.sigma)


def _truncated_plan(mean, sigma, a, b):
    """The `draw4` parameters of N(mean, sigma**2) truncated to [a, b]: erf-space bounds, then a clamp."""
    if sigma == 0:  # a point mass, kept inside [a, b]
        return _dists.UNIFORM, min(max(mean, a), b), 0, 0, 0, 0, 0
    ea = math.erf((a - mean) / (sigma * math.sqrt(2.0)))
    eb = math.erf((b - mean) / (sigma * math.sqrt(2.0)))
    return _dists.TRUNCATED_NORMAL, mean, sigma, ea, eb - ea, a, b


class TruncatedNormal(_Random):
    """N(mean, sigma**2) truncated to [a, b], sampled by inverse CDF (one random word per element).

    Args:
        sigma (float): the standard deviation of the untruncated normal, >= 0. Default: 0.01.
        mean (float): its mean. Default: 0.0.
        a (float): lower bound; None means mean - 2*sigma (MindSpore r1.3). Default: None.
        b (float): upper bound; None means mean + 2*sigma. Default: None.

    Raises:
        ValueError: sigma < 0, or a >= b.
    """

    def __init__(self, sigma=0.01, mean=0.0, a=None, b=None):
        self.sigma = _checks.check_number("TruncatedNormal", "sigma", sigma, minimum=0)
        self.mean = _checks.check_number("TruncatedNormal", "mean", mean)
        self.a = self.mean - 2 * self.sigma if a is None else _checks.check_number("TruncatedNormal", "a", a)
        self.b = self.mean + 2 * self.sigma if b is None else _checks.check_number("TruncatedNormal", "b", b)
        if self.a > self.b or (self.a == self.b and self.sigma > 0):
            _checks.fail("TruncatedNormal", "a", f"less than 'b' ({self.b})", self.a)
        self._bounds_given = (a is not None, b is not None)
        super().__init__()

    def _plan(self, shape):
        return _truncated_plan(self.mean, self.sigma, self.a, self.b)

    def _mindspore_r13(self, backend, shape):
        """r1.3: scipy's truncnorm.rvs(-2, 2, loc=0, scale=sigma) on NumPy's global generator; other means and
        bounds in the same call's terms."""
        if self.sigma == 0:
            return np.full(shape, min(max(self.mean, self.a), self.b))
        from scipy.stats import truncnorm  # imported on first use: `import minispore` stays light
        lo = (self.a - self.mean) / self.sigma if self._bounds_given[0] else -2
        hi = (self.b - self.mean) / self.sigma if self._bounds_given[1] else 2
        return truncnorm.rvs(lo, hi, loc=self.mean, scale=self.sigma, size=shape, random_state=None)

    def _mindspore_2(self, backend, shape):
        """2.10: absolute bounds, a = -2 and b = 2 unless given (so a small sigma is left untruncated)."""
        a = self.a if self._bounds_given[0] else -2.0
        b = self.b if self._bounds_given[1] else 2.0
        return _ms2_truncated_normal(backend, shape, a, b, self.mean, self.sigma)


def _calculate_fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError(f"For 'initializer', 'fan_in' and 'fan_out' can not be computed for a tensor of fewer "
                         f"than 2 dimensions, but got shape {tuple(shape)}.")
    receptive = int(np.prod(shape[2:], dtype=np.int64))
    return shape[1] * receptive, shape[0] * receptive


_GAINS = {
    "linear": lambda p: 1.0, "conv1d": lambda p: 1.0, "conv2d": lambda p: 1.0, "conv3d": lambda p: 1.0,
    "conv_transpose1d": lambda p: 1.0, "conv_transpose2d": lambda p: 1.0, "conv_transpose3d": lambda p: 1.0,
    "sigmoid": lambda p: 1.0, "tanh": lambda p: 5.0 / 3, "relu": lambda p: math.sqrt(2.0),
    "leaky_relu": lambda p: math.sqrt(2.0 / (1 + p * p)), "selu": lambda p: 3.0 / 4,
}


def calculate_gain(nonlinearity, param=None):
    """The recommended gain of a nonlinearity (PyTorch's table).

    Args:
        nonlinearity (str): 'linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d/2d/3d', 'sigmoid', 'tanh',
            'relu', 'leaky_relu' or 'selu'.
        param (float): the negative slope of 'leaky_relu'. Default: None (0.01).
    """
    nonlinearity = _checks.check_choice("calculate_gain", "nonlinearity", nonlinearity, tuple(_GAINS))
    if nonlinearity == "leaky_relu":
        param = 0.01 if param is None else _checks.check_number("calculate_gain", "param", param)
    return _GAINS[nonlinearity](param)


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")
# std of N(0, 1) truncated to [-2, 2]: VarianceScaling divides by it so the truncated draw has the asked variance
_TRUNCATED_STD = 0.87962566103423978


class VarianceScaling(_Random):
    """Samples with variance scale / fan (fan_in, fan_out or their mean); He and Xavier are special cases.

    Args:
        scale (float): > 0. Default: 1.0.
        mode (str): 'fan_in', 'fan_out' or 'fan_avg'. Default: 'fan_in'.
        distribution (str): 'truncated_normal' (to +-2 std), 'untruncated_normal' or 'uniform'.
            Default: 'truncated_normal'.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal"):
        self.scale = _checks.check_number(type(self).__name__, "scale", scale, minimum=0, strict=True)
        self.mode = _checks.check_choice(type(self).__name__, "mode", mode, _MODES)
        self.distribution = _checks.check_choice(type(self).__name__, "distribution", distribution,
                                                 _DISTRIBUTIONS)
        super().__init__()

    def _plan(self, shape):
        fan_in, fan_out = _calculate_fan_in_and_fan_out(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        std = math.sqrt(self.scale / max(1.0, fan))
        if self.distribution == "uniform":
            bound = math.sqrt(3.0) * std
            low, high = np.float32(-bound), np.float32(bound)
            return _dists.UNIFORM, low, high - low, 0, 0, 0, 0
        if self.distribution == "untruncated_normal":
            return _dists.NORMAL, 0.0, std, 0, 0, 0, 0
        std /= _TRUNCATED_STD
        return _truncated_plan(0.0, std, -2 * std, 2 * std)

    def _mindspore_2(self, backend, shape):
        """2.10's arithmetic, including its quirk: it compares the distribution with 'truncated_norm', so the
        default 'truncated_normal' samples the uniform."""
        fan_in, fan_out = _calculate_fan_in_and_fan_out(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        if self.distribution == "untruncated_normal":
            return _ms2_normal(backend, shape, 0, np.sqrt(scale))
        limit = np.sqrt(3.0 * scale)
        return _ms2_uniform(backend, shape, -limit, limit)


class _Xavier(VarianceScaling):
    """Glorot & Bengio (2010): variance gain**2 / ((fan_in + fan_out) / 2)."""

    _distribution = None

    def __init__(self, gain=1):
        self.gain = _checks.check_number(type(self).__name__, "gain", gain, minimum=0, strict=True)
        super().__init__(self.gain * self.gain, "fan_avg", self._distribution)  # inf, not OverflowError


class XavierUniform(_Xavier):
    """U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010).

    Args:
        gain (float): > 0. Default: 1.
    """

    _distribution = "uniform"

    def _mindspore_bound(self, shape):
        """MindSpore's own arithmetic for the bound (r1.3 and 2.10 alike), bit for bit."""
        fan_in, fan_out = _calculate_fan_in_and_fan_out(shape)
        return self.gain * math.sqrt(6.0 / (fan_in + fan_out))

    def _mindspore_r13(self, backend, shape):
        bound = self._mindspore_bound(shape)
        return np.random.uniform(-bound, bound, shape)

    def _mindspore_2(self, backend, shape):
        bound = self._mindspore_bound(shape)
        return _ms2_uniform(backend, shape, -bound, bound)


class XavierNormal(_Xavier):
    """N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out)) (Glorot & Bengio 2010).

    Args:
        gain (float): > 0. Default: 1.
    """

    _distribution = "untruncated_normal"

    def _mindspore_2(self, backend, shape):
        fan_in, fan_out = _calculate_fan_in_and_fan_out(shape)
        return _ms2_normal(backend, shape, 0, self.gain * math.sqrt(2.0 / float(fan_in + fan_out)))


class _He(VarianceScaling):
    """He et al. (2015): variance gain**2 / fan, gain from `calculate_gain(nonlinearity, negative_slope)`."""

    _distribution = None

    def _r13_std(self, shape):
        """r1.3's std = gain / sqrt(fan), in its own arithmetic."""
        fan_in, fan_out = _calculate_fan_in_and_fan_out(shape)
        return (calculate_gain(self.nonlinearity, self.negative_slope) /
                math.sqrt(fan_in if self.mode == "fan_in" else fan_out))

    def _mindspore_r13(self, backend, shape):
        std = self._r13_std(shape)
        if self.distribution == "uniform":
            return np.random.uniform(-math.sqrt(3.0) * std, math.sqrt(3.0) * std, shape)
        return np.random.normal(0, std, shape)

    def _mindspore_2(self, backend, shape):
        std = self._r13_std(shape)  # 2.10 kept r1.3's arithmetic
        if self.distribution == "uniform":
            return _ms2_uniform(backend, shape, -math.sqrt(3.0) * std, math.sqrt(3.0) * std)
        return _ms2_normal(backend, shape, 0, std)

    def __init__(self, negative_slope=0, mode="fan_in", nonlinearity="leaky_relu"):
        api = type(self).__name__
        negative_slope = _checks.check_number(api, "negative_slope", negative_slope)
        _checks.check_choice(api, "mode", mode, ("fan_in", "fan_out"))
        gain = calculate_gain(nonlinearity, negative_slope)
        super().__init__(gain * gain, mode, self._distribution)
        self.negative_slope, self.nonlinearity = negative_slope, nonlinearity


class HeUniform(_He):
    """U(-bound, bound), bound = gain * sqrt(3 / fan) (He et al. 2015).

    Args:
        negative_slope (float): the slope of 'leaky_relu'. Default: 0.
        mode (str): 'fan_in' or 'fan_out'. Default: 'fan_in'.
        nonlinearity (str): 'leaky_relu' or 'relu' (any name of `calculate_gain`). Default: 'leaky_relu'.
    """

    _distribution = "uniform"


class HeNormal(_He):
    """N(0, std**2), std = gain / sqrt(fan) (He et al. 2015).

    Args:
        negative_slope (float): the slope of 'leaky_relu'. Default: 0.
        mode (str): 'fan_in' or 'fan_out'. Default: 'fan_in'.
        nonlinearity (str): 'leaky_relu' or 'relu' (any name of `calculate_gain`). Default: 'leaky_relu'.
    """

    _distribution = "untruncated_normal"


class _Structured(Initializer):
    """An initializer computed from a whole tensor on the host (QR, per-column choices, fixed patterns).

    Random ones draw their numbers through their tensor's generator (so CPU and GPU agree bit for bit), then
    finish in NumPy; a slice is cut from the whole tensor. Subclasses define `_host(shape, backend, draw)`, with
    `draw` as `Initializer._claim` returns it.
    """

    def _host(self, shape, backend, draw):
        raise NotImplementedError

    def _initialize(self, arr):
        if self.is_random:
            self(arr)  # __call__ claims the draw and calls generate
        else:
            arr[...] = self._host(arr.shape, _backend.get_backend("CPU"), None)

    def generate(self, backend, shape, dtype, draw, key=None):
        array = self._host(shape, backend, draw)
        return _to_device(backend, array if key is None else array[key], dtype)


class Orthogonal(_Structured):
    """A (semi-)orthogonal matrix, reshaped: QR of a standard normal (rows, cols) draw, signs fixed so the
    result is uniform over orthogonal matrices (Saxe et al. 2013), times `gain`.

    Args:
        gain (float): Default: 1.0.

    Raises:
        ValueError: for fewer than 2 dimensions.
    """

    is_random = True

    def __init__(self, gain=1.0):
        self.gain = _checks.check_number("Orthogonal", "gain", gain)
        super().__init__()

    def _host(self, shape, backend, draw):
        if len(shape) < 2:
            _checks.fail("Orthogonal", "shape", "at least 2-d", shape)
        rng, seed, stream = draw
        if rng != PORTABLE:
            return self._mindspore_2(backend, shape)
        rows, cols = shape[0], int(np.prod(shape[1:], dtype=np.int64))
        flat = (max(rows, cols), min(rows, cols))
        normal = backend.to_host(_draw(backend, flat, (_dists.NORMAL, 0, 1, 0, 0, 0, 0), seed, stream))
        q, r = np.linalg.qr(normal.astype(np.float64))
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape)

    def _mindspore_2(self, backend, shape):
        """2.10: one float32 N(0, 1) draw, QR in float32 (NumPy's LAPACK), signs fixed, times gain in float32."""
        rows = shape[0]
        cols = int(np.prod(shape, dtype=np.int64)) // rows
        data = backend.to_host(_ms2_normal(backend, (rows, cols), 0, 1))
        if rows < cols:
            data = data.T
        q, r = np.linalg.qr(data)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (q * self.gain).reshape(shape)


class Dirac(_Structured):
    """Dirac delta kernels: a convolution with this weight copies its input channels (per group).

    Args:
        groups (int): channel groups; divides shape[0]. Default: 1.

    Raises:
        ValueError: a shape that is not 3-, 4- or 5-d, or shape[0] not divisible by groups.
    """

    def __init__(self, groups=1):
        self.groups = _checks.check_positive_int("Dirac", "groups", groups)
        super().__init__()

    def _host(self, shape, backend, draw):
        if len(shape) not in (3, 4, 5):
            _checks.fail("Dirac", "shape", "3-, 4- or 5-d", shape)
        if shape[0] % self.groups:
            _checks.fail("Dirac", "groups", f"a divisor of shape[0] ({shape[0]})", self.groups)
        out = np.zeros(shape, np.float64)
        per_group = shape[0] // self.groups
        centre = tuple(s // 2 for s in shape[2:])
        for g in range(self.groups):
            for d in range(min(per_group, shape[1])):
                out[(g * per_group + d, d) + centre] = 1
        return out


class Identity(_Structured):
    """The identity matrix (ones on the main diagonal of a 2-d tensor, zeros elsewhere).

    Raises:
        ValueError: a shape that is not 2-d.
    """

    def _host(self, shape, backend, draw):
        if len(shape) != 2:
            _checks.fail("Identity", "shape", "2-d", shape)
        return np.eye(*shape)


class Sparse(_Structured):
    """A 2-d N(0, sigma**2) matrix with ceil(sparsity * rows) zeros in every column (Martens 2010).

    The zeroed rows of each column are those with the smallest of a second set of contract draws (the
    stream's upper counter half), so they, too, are the same on every device.

    Args:
        sparsity (float): the fraction of zeros per column, in [0, 1].
        sigma (float): the standard deviation of the non-zeros, >= 0. Default: 0.01.

    Raises:
        ValueError: a shape that is not 2-d, or values out of range.
    """

    is_random = True

    def __init__(self, sparsity, sigma=0.01):
        self.sparsity = _checks.check_number("Sparse", "sparsity", sparsity, minimum=0)
        if self.sparsity > 1:
            _checks.fail("Sparse", "sparsity", "in [0, 1]", sparsity)
        self.sigma = _checks.check_number("Sparse", "sigma", sigma, minimum=0)
        super().__init__()

    def _host(self, shape, backend, draw):
        if len(shape) != 2:
            _checks.fail("Sparse", "shape", "2-d", shape)
        rng, seed, stream = draw
        if rng != PORTABLE:
            return self._mindspore_2(backend, shape)
        values = backend.to_host(_draw(backend, shape, (_dists.NORMAL, 0, self.sigma, 0, 0, 0, 0), seed, stream))
        keys = backend.to_host(_draw(backend, shape, (_dists.UNIFORM, 0, 1, 0, 0, 0, 0), seed, stream | 1 << 32))
        zeros = int(math.ceil(self.sparsity * shape[0]))
        rows = np.argsort(keys, axis=0, kind="stable")[:zeros]
        values[rows, np.arange(shape[1])] = 0
        return values

    def _mindspore_2(self, backend, shape):
        """2.10: an N(0, sigma) draw, then per column in order the first rows of NumPy's permutation zeroed."""
        values = backend.to_host(_ms2_normal(backend, shape, 0, self.sigma))
        zeros = int(np.ceil(self.sparsity * shape[0]))
        for col in range(shape[1]):
            values[np.random.permutation(list(range(shape[0])))[:zeros], col] = 0.0
        return values


# MindSpore's registry: each class's lower-case name plus its aliases; looked up case-insensitively.
_ALIASES = {
    "zero": Zero, "zeros": Zero, "one": One, "ones": One, "constant": Constant, "uniform": Uniform,
    "normal": Normal, "truncatednormal": TruncatedNormal, "xavieruniform": XavierUniform,
    "xavier_uniform": XavierUniform, "heuniform": HeUniform, "he_uniform": HeUniform, "henormal": HeNormal,
    "he_normal": HeNormal, "variancescaling": VarianceScaling, "xaviernormal": XavierNormal,
    "xavier_normal": XavierNormal, "orthogonal": Orthogonal, "dirac": Dirac, "identity": Identity,
    "eye": Identity, "sparse": Sparse,
}


def _from_name(name):
    cls = _ALIASES.get(name.lower())
    if cls is None:
        _checks.fail("initializer", "init", f"a known initializer name such as {sorted(_ALIASES)}", name)
    if cls in (Constant, Sparse):
        raise TypeError(f"For 'initializer', the 'init' {name!r} needs an argument: pass {cls.__name__}(...)"
                        f"{' or the number itself' if cls is Constant else ''}, but got only its name.")
    return cls()


def initializer(init, shape=None, dtype=mstype.float32):
    """A lazily initialised Tensor: its data are generated on first use (or by ``init_data()``).

    Args:
        init (Tensor | str | Initializer | numbers.Number): a Tensor (returned as it is), the case-insensitive
            name of an initializer (its defaults), an Initializer, or a number (Constant).
        shape (tuple | list | int): the shape. Required unless `init` is a Tensor.
        dtype (minispore.dtype): the data type. Default: mstype.float32.

    Returns:
        Tensor.

    Raises:
        TypeError: `init`, `shape` or `dtype` of the wrong type.
        ValueError: an unknown name, a bad shape, or a Tensor whose shape differs from `shape`.

    Examples:
        >>> w = initializer('Normal', [5, 4], mstype.float32)
        >>> w.shape
        (5, 4)
    """
    if not isinstance(init, (Tensor, str, Initializer, numbers.Number)) or isinstance(init, complex):
        _checks.fail("initializer", "init", "a Tensor, str, Initializer or number", init, TypeError)
    if shape is not None:
        shape = check_shape("initializer", shape)
        if any(v == 0 for v in shape):
            _checks.fail("initializer", "shape", "a tuple of positive ints", shape)
    if isinstance(init, Tensor):
        if shape is not None and init.shape != shape:
            raise ValueError(f"For 'initializer', the shape of the 'init' Tensor must equal 'shape' {shape}, "
                             f"but got {init.shape}.")
        return init
    if shape is None:
        _checks.fail("initializer", "shape", "set (a tuple, list or int) when 'init' is not a Tensor", shape)
    if not isinstance(dtype, mstype.Type):
        _checks.fail("initializer", "dtype", "a minispore dtype such as mstype.float32", dtype, TypeError)
    if isinstance(init, str):
        init = _from_name(init)
    elif isinstance(init, numbers.Number):
        init = Constant(init)
    return Tensor(dtype=dtype, shape=shape, init=init)
