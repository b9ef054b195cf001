"""Weight initialisers (MindSpore's ``mindspore.common.initializer``) on the RNG contract of DESIGN section 6.

An initializer computes its parameters in plain Python and calls exactly one fill kernel: `random_fill` with a
distribution code and four float32 parameters, or a constant fill. He, Xavier and VarianceScaling are one
variance-scaling path. Every value is a pure function of (seed, stream, index): the same on CPU and GPU, for
any thread count, and any slice can be generated alone.
"""
import math
import numbers

import numpy as np

from minispore.kernels import bodies as _dists  # distribution codes only (no numba import)

from .. import _checks
from .. import dtype as mstype
from . import seed as _seed
from .tensor import Tensor, check_shape

__all__ = [
    "Initializer", "Zero", "One", "Constant", "Uniform", "Normal", "TruncatedNormal", "XavierUniform",
    "HeUniform", "HeNormal", "VarianceScaling", "initializer", "calculate_gain",
]

_LO32 = 0xFFFFFFFF


class Initializer:
    """Base class of initialisers.

    A user subclass overrides ``_initialize(self, arr)`` and fills the NumPy array `arr` in place (on the host;
    the result is copied to the tensor's device). Built-in subclasses generate on the device instead.
    """

    is_random = False

    def __init__(self, **kwargs):
        self._kwargs = kwargs

    def _initialize(self, arr):
        raise NotImplementedError(f"For '{type(self).__name__}', '_initialize(self, arr)' must be overridden.")

    def __call__(self, arr):
        """Fill the numpy array `arr` in place (MindSpore's calling convention for initializers)."""
        _checks.check_type(type(self).__name__, "arr", arr, np.ndarray, "a numpy.ndarray")
        if not self.is_random:
            self._initialize(arr)
            return
        from .. import _backend
        seed, stream = _seed.next_stream()
        arr[...] = self.generate(_backend.get_backend("CPU"), arr.shape, arr.dtype, seed, stream)

    def generate(self, backend, shape, dtype, seed, stream, key=None):
        """The device array of `shape`[key] (the whole tensor when key is None) in NumPy dtype `dtype`."""
        array = np.zeros(shape, dtype)
        self._initialize(array)
        return backend.from_host(array if key is None else array[key])


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
        arr.fill(self._value())

    def generate(self, backend, shape, dtype, seed, stream, key=None):
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
        super().__init__(value=value)
        self.value = value

    def _value(self):
        return self.value


class _Random(Initializer):
    """An initializer that draws from the RNG contract through the one `random_fill` kernel."""

    is_random = True

    def _plan(self, shape):
        """(distribution code, p0, p1, p2, p3, lo, hi) of `draw4`, computed in plain Python."""
        raise NotImplementedError

    def _initialize(self, arr):
        self(arr)

    def generate(self, backend, shape, dtype, seed, stream, key=None):
        dist, *params = self._plan(shape)
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
        return out if out.dtype == dtype else out.astype(dtype)


class Uniform(_Random):
    """U(-scale, scale).

    Args:
        scale (float): the bound, >= 0. Default: 0.07.
    """

    def __init__(self, scale=0.07):
        self.scale = _checks.check_number("Uniform", "scale", scale, minimum=0)
        super().__init__(scale=scale)

    def _plan(self, shape):
        low, high = np.float32(-self.scale), np.float32(self.scale)
        return _dists.UNIFORM, low, high - low, 0, 0, 0, 0


class Normal(_Random):
    """N(mean, sigma**2), by Box-Muller on the RNG contract.

    Args:
        sigma (float): the standard deviation, >= 0. Default: 0.01.
        mean (float): the mean. Default: 0.0.
    """

    def __init__(self, sigma=0.01, mean=0.0):
        self.sigma = _checks.check_number("Normal", "sigma", sigma, minimum=0)
        self.mean = _checks.check_number("Normal", "mean", mean)
        super().__init__(sigma=sigma, mean=mean)

    def _plan(self, shape):
        return _dists.NORMAL, self.mean, self.sigma, 0, 0, 0, 0


def _truncated_plan(mean, sigma, a, b):
    """The `draw4` parameters of N(mean, sigma**2) truncated to [a, b]: erf-space bounds, then a clamp."""
    if sigma == 0:
        return _dists.NORMAL, mean, 0, 0, 0, 0, 0
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
        super().__init__(sigma=sigma, mean=mean, a=a, b=b)

    def _plan(self, shape):
        return _truncated_plan(self.mean, self.sigma, self.a, self.b)


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
    "leaky_relu": lambda p: math.sqrt(2.0 / (1 + p ** 2)), "selu": lambda p: 3.0 / 4,
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
        super().__init__(scale=scale, mode=mode, distribution=distribution)

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


class XavierUniform(VarianceScaling):
    """U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010).

    Args:
        gain (float): > 0. Default: 1.
    """

    def __init__(self, gain=1):
        self.gain = _checks.check_number("XavierUniform", "gain", gain, minimum=0, strict=True)
        super().__init__(self.gain ** 2, "fan_avg", "uniform")
        self._kwargs = {"gain": gain}


def _he_scale(api, negative_slope, mode, nonlinearity):
    negative_slope = _checks.check_number(api, "negative_slope", negative_slope)
    _checks.check_choice(api, "mode", mode, ("fan_in", "fan_out"))
    return calculate_gain(nonlinearity, negative_slope) ** 2


class HeUniform(VarianceScaling):
    """U(-bound, bound), bound = gain * sqrt(3 / fan) (He et al. 2015).

    Args:
        negative_slope (float): the slope of 'leaky_relu'. Default: 0.
        mode (str): 'fan_in' or 'fan_out'. Default: 'fan_in'.
        nonlinearity (str): 'leaky_relu' or 'relu' (any name of `calculate_gain`). Default: 'leaky_relu'.
    """

    def __init__(self, negative_slope=0, mode="fan_in", nonlinearity="leaky_relu"):
        super().__init__(_he_scale("HeUniform", negative_slope, mode, nonlinearity), mode, "uniform")
        self._kwargs = {"negative_slope": negative_slope, "mode": mode, "nonlinearity": nonlinearity}


class HeNormal(VarianceScaling):
    """N(0, std**2), std = gain / sqrt(fan) (He et al. 2015).

    Args:
        negative_slope (float): the slope of 'leaky_relu'. Default: 0.
        mode (str): 'fan_in' or 'fan_out'. Default: 'fan_in'.
        nonlinearity (str): 'leaky_relu' or 'relu' (any name of `calculate_gain`). Default: 'leaky_relu'.
    """

    def __init__(self, negative_slope=0, mode="fan_in", nonlinearity="leaky_relu"):
        super().__init__(_he_scale("HeNormal", negative_slope, mode, nonlinearity), mode, "untruncated_normal")
        self._kwargs = {"negative_slope": negative_slope, "mode": mode, "nonlinearity": nonlinearity}


# MindSpore's registry: each class's lower-case name plus its aliases; looked up case-insensitively.
_ALIASES = {
    "zero": Zero, "zeros": Zero, "one": One, "ones": One, "constant": Constant, "uniform": Uniform,
    "normal": Normal, "truncatednormal": TruncatedNormal, "xavieruniform": XavierUniform,
    "xavier_uniform": XavierUniform, "heuniform": HeUniform, "he_uniform": HeUniform, "henormal": HeNormal,
    "he_normal": HeNormal, "variancescaling": VarianceScaling,
}


def _from_name(name):
    cls = _ALIASES.get(name.lower())
    if cls is None:
        _checks.fail("initializer", "init", f"a known initializer name such as {sorted(_ALIASES)}", name)
    if cls is Constant:
        raise TypeError("For 'initializer', the 'init' 'constant' needs a value: pass Constant(value) or the "
                        f"number itself, but got {name!r}.")
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
