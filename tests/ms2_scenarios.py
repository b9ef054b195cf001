"""Initializer scenarios shared by MindSpore 2.10.0 and minispore (the "mindspore-2" generator).

Each ``scenario_NAME(ms)`` takes the imported top module (``mindspore`` or ``minispore``), runs a fixed sequence of
seeds, initializers and user ``np.random`` calls, and returns ``{name: numpy array}``.
``tests/data/record_mindspore2.py`` runs them on MindSpore 2.10.0 and stores ``tests/data/mindspore2_reference.npz``
with keys ``"<scenario>/<name>"``; minispore's test sets ``context.set_context(initializer_rng="mindspore-2")`` and
compares bit for bit.

Facts of 2.10 that these scenarios pin down (see tests/data/record_mindspore2.py for the full list):
- every random initializer takes its own seed ``np.random.randint(1, 2**63, dtype=np.int64)`` from NumPy's global
  generator when it is *materialised* (``init_data()``, first ``asnumpy()``, or at once by ``Parameter(...)``),
  never when ``initializer(...)`` creates the lazy tensor; so user ``np.random`` calls in between change later
  weights;
- ``nn.Conv2d`` materialises the weight (its Parameter is built first), then the bias;
- dtypes other than float32 are drawn in float32 and then cast by NumPy (float16: round to nearest even; float64:
  the float32 values widened; ints: truncated toward zero).

Only API that minispore also has is used; ``nn.Conv2d`` always gets explicit ``weight_init`` and ``bias_init``
(minispore's defaults are r1.3's). Arrays are small; ``scenario_big`` generates ~1.2M elements but returns
a 100003-element Normal in full and strided samples of the rest.
"""
import importlib
import math

import numpy as np

__all__ = ["SCENARIOS", "run_all"]


def _init(ms):
    return importlib.import_module(ms.__name__ + ".common.initializer")


def _nn(ms):
    return importlib.import_module(ms.__name__ + ".nn")


def _make(ms, init, shape, dtype=None):
    """initializer(init, shape, dtype), materialised explicitly, as a NumPy array."""
    dtype = ms.float32 if dtype is None else dtype
    return _init(ms).initializer(init, shape, dtype).init_data().asnumpy()


def _sample(x, step):
    """A strided sample of a large array plus its first and last 8 elements (keeps the reference small)."""
    flat = x.reshape(-1)
    return np.concatenate([flat[:8], flat[::step], flat[-8:]])


_SIZES = [(1,), (2,), (3,), (4,), (5,), (7,), (16,), (17,), (1000,), (1023,), (1024,), (1025,), (4097,),
          (3, 5), (64, 3, 3, 3)]


def _shape_name(shape):
    return "x".join(str(s) for s in shape)


# --- the three C++ distributions, many sizes (each materialisation draws a new seed) ----------------------------
def scenario_normal_sizes(ms):
    ini = _init(ms)
    ms.set_seed(1)
    return {_shape_name(s): _make(ms, ini.Normal(), s) for s in _SIZES}


def scenario_uniform_sizes(ms):
    ini = _init(ms)
    ms.set_seed(2)
    return {_shape_name(s): _make(ms, ini.Uniform(), s) for s in _SIZES}


def scenario_truncated_normal_sizes(ms):
    """TruncatedNormal(sigma=1.0): the default bounds a=-2, b=2 are absolute, so this one is really truncated."""
    ini = _init(ms)
    ms.set_seed(3)
    return {_shape_name(s): _make(ms, ini.TruncatedNormal(1.0), s) for s in _SIZES}


def scenario_seeds(ms):
    """Several global seeds; per seed a Normal, a Uniform and a TruncatedNormal in a row."""
    ini = _init(ms)
    out = {}
    for seed in (0, 1, 7, 42, 1234, 123456, 2 ** 31 - 1, 2 ** 32 - 1):
        ms.set_seed(seed)
        out[f"seed{seed}/normal"] = _make(ms, ini.Normal(sigma=1.0), (5, 3))
        out[f"seed{seed}/uniform"] = _make(ms, ini.Uniform(scale=1.0), (5, 3))
        out[f"seed{seed}/truncated_normal"] = _make(ms, ini.TruncatedNormal(sigma=0.5), (5, 3))
    return out


def scenario_big(ms):
    """The parallel split: 100003 (odd, > 1024) and 1000 x 1001 elements."""
    ini = _init(ms)
    ms.set_seed(4)
    return {
        "normal_100003": _make(ms, ini.Normal(sigma=1.0), (100003,)),
        "uniform_1000x1001": _sample(_make(ms, ini.Uniform(scale=1.0), (1000, 1001)), 997),
        "truncated_normal_100003": _sample(_make(ms, ini.TruncatedNormal(sigma=1.0), (100003,)), 101),
        "normal_1000x1001": _sample(_make(ms, ini.Normal(sigma=0.02, mean=0.5), (1000, 1001)), 1009),
    }


# --- defaults: by name and by class ------------------------------------------------------------------------------
def scenario_names(ms):
    """initializer by (case-insensitive) name: the class with its 2.10 defaults."""
    ms.set_seed(5)
    out = {}
    for name, shape in (("normal", (4, 5)), ("Normal", (3,)), ("NORMAL", (2, 2)), ("uniform", (4, 5)),
                        ("truncatedNormal", (4, 5)), ("TruncatedNormal", (7,)), ("xavier_uniform", (4, 5)),
                        ("XavierUniform", (6, 2, 3)), ("xavier_normal", (4, 5)), ("XavierNormal", (3, 2, 2, 2)),
                        ("he_uniform", (4, 5)), ("HeUniform", (4, 3, 3, 3)), ("he_normal", (4, 5)),
                        ("HeNormal", (2, 3, 5)), ("varianceScaling", (4, 5)), ("VarianceScaling", (3, 2, 3)),
                        ("orthogonal", (4, 6)), ("Orthogonal", (6, 4)), ("dirac", (4, 4, 3)),
                        ("identity", (3, 4)), ("zeros", (2, 3)), ("zero", (2,)), ("ones", (2, 3)), ("one", (3,))):
        out[f"{name}_{_shape_name(shape)}"] = _make(ms, name, shape)
    return out


def scenario_class_defaults(ms):
    """Every class with no arguments (2.10 defaults), on a 4-d and a 2-d shape."""
    ini = _init(ms)
    ms.set_seed(6)
    out = {}
    for cls in ("Normal", "Uniform", "TruncatedNormal", "XavierUniform", "XavierNormal", "HeUniform", "HeNormal",
                "VarianceScaling", "Orthogonal"):
        for shape in ((4, 3, 3, 3), (5, 7)):
            out[f"{cls}_{_shape_name(shape)}"] = _make(ms, getattr(ini, cls)(), shape)
    out["Dirac_6x4x3x3"] = _make(ms, ini.Dirac(), (6, 4, 3, 3))
    out["Identity_4x4"] = _make(ms, ini.Identity(), (4, 4))
    out["One_3x2"] = _make(ms, ini.One(), (3, 2))
    out["Zero_3x2"] = _make(ms, ini.Zero(), (3, 2))
    return out


# --- non-default arguments ---------------------------------------------------------------------------------------
def scenario_normal_uniform_args(ms):
    ini = _init(ms)
    ms.set_seed(8)
    return {
        "normal_s0.5_m1.25": _make(ms, ini.Normal(sigma=0.5, mean=1.25), (5, 5)),
        "normal_s3_m-2": _make(ms, ini.Normal(3.0, -2.0), (11,)),
        "normal_s0": _make(ms, ini.Normal(sigma=0.0, mean=0.3), (3,)),
        "normal_s1e-6": _make(ms, ini.Normal(sigma=1e-6, mean=100.0), (5,)),
        "uniform_2.5": _make(ms, ini.Uniform(scale=2.5), (5, 5)),
        "uniform_0.001": _make(ms, ini.Uniform(0.001), (9,)),
        "uniform_1e3": _make(ms, ini.Uniform(1000.0), (9,)),
        "uniform_0": _make(ms, ini.Uniform(0.0), (3,)),
    }


def scenario_truncated_normal_args(ms):
    """Absolute bounds a, b; tails (the erf_inv branches for small q); default bounds with small sigma."""
    ini = _init(ms)
    ms.set_seed(9)
    return {
        "default_0.01": _make(ms, ini.TruncatedNormal(), (5, 5)),
        "s0.02": _make(ms, ini.TruncatedNormal(0.02), (5, 5)),
        "s2_a-1_b1": _make(ms, ini.TruncatedNormal(sigma=2.0, a=-1.0, b=1.0), (5, 5)),
        "s0.5_m0.2_a-0.3_b0.9": _make(ms, ini.TruncatedNormal(sigma=0.5, mean=0.2, a=-0.3, b=0.9), (5, 5)),
        "s1_a0_b3": _make(ms, ini.TruncatedNormal(sigma=1.0, a=0.0, b=3.0), (5, 5)),
        "tail_a5_b6": _make(ms, ini.TruncatedNormal(sigma=1.0, a=5.0, b=6.0), (5, 5)),
        "tail_a-9_b-8": _make(ms, ini.TruncatedNormal(sigma=1.0, a=-9.0, b=-8.0), (5, 5)),
        "tail_a20_b21": _make(ms, ini.TruncatedNormal(sigma=1.0, a=20.0, b=21.0), (5, 5)),
        "s10_a-1e-3_b1e-3": _make(ms, ini.TruncatedNormal(sigma=10.0, a=-1e-3, b=1e-3), (5, 5)),
        "s1.5_m3_default_bounds": _make(ms, ini.TruncatedNormal(sigma=1.5, mean=3.0), (5, 5)),
    }


def scenario_xavier_he_args(ms):
    ini = _init(ms)
    ms.set_seed(10)
    return {
        "xavier_uniform_gain2": _make(ms, ini.XavierUniform(gain=2.0), (4, 3, 3, 3)),
        "xavier_uniform_2d": _make(ms, ini.XavierUniform(), (7, 3)),
        "xavier_normal_gain0.5": _make(ms, ini.XavierNormal(gain=0.5), (4, 3, 3, 3)),
        "xavier_normal_5d": _make(ms, ini.XavierNormal(), (2, 3, 2, 2, 2)),
        "he_uniform_sqrt5": _make(ms, ini.HeUniform(negative_slope=math.sqrt(5)), (4, 3, 3, 3)),
        "he_uniform_fan_out_relu": _make(ms, ini.HeUniform(mode="fan_out", nonlinearity="relu"), (4, 3, 3, 3)),
        "he_uniform_tanh": _make(ms, ini.HeUniform(nonlinearity="tanh"), (6, 5)),
        "he_uniform_slope0.2": _make(ms, ini.HeUniform(0.2), (6, 5)),
        "he_normal_slope0.2_fan_out": _make(ms, ini.HeNormal(negative_slope=0.2, mode="fan_out"), (4, 3, 3, 3)),
        "he_normal_relu": _make(ms, ini.HeNormal(nonlinearity="relu"), (6, 5)),
        "he_normal_sigmoid": _make(ms, ini.HeNormal(nonlinearity="sigmoid"), (6, 5)),
        "he_normal_3d": _make(ms, ini.HeNormal(), (3, 4, 5)),
    }


def scenario_variance_scaling(ms):
    """All modes and distributions. 2.10 tests distribution == 'truncated_norm', so 'truncated_normal' (the
    default) samples the same uniform as 'uniform'."""
    ini = _init(ms)
    ms.set_seed(11)
    out = {}
    for mode in ("fan_in", "fan_out", "fan_avg"):
        for dist in ("truncated_normal", "untruncated_normal", "uniform"):
            scaling = ini.VarianceScaling(scale=2.0, mode=mode, distribution=dist)
            out[f"{mode}_{dist}"] = _make(ms, scaling, (4, 3, 2, 2))
    out["default_5x3"] = _make(ms, ini.VarianceScaling(), (5, 3))
    out["scale0.5_fan_avg_2d"] = _make(ms, ini.VarianceScaling(0.5, "fan_avg", "untruncated_normal"), (6, 2))
    out["fan_below_1"] = _make(ms, ini.VarianceScaling(3.0, "fan_out", "uniform"), (1, 1))
    return out


def scenario_structured(ms):
    """Orthogonal (float32 QR of a float32 normal draw), Sparse (a normal draw then np.random.permutation per
    column), Dirac, Identity, constants."""
    ini = _init(ms)
    ms.set_seed(12)
    return {
        "orthogonal_5x3": _make(ms, ini.Orthogonal(), (5, 3)),
        "orthogonal_3x5": _make(ms, ini.Orthogonal(), (3, 5)),
        "orthogonal_gain2_4x3x2": _make(ms, ini.Orthogonal(gain=2.0), (4, 3, 2)),
        "orthogonal_6x6": _make(ms, ini.Orthogonal(0.5), (6, 6)),
        "sparse_0.3_6x4": _make(ms, ini.Sparse(sparsity=0.3, sigma=0.5), (6, 4)),
        "sparse_0.5_default_sigma_5x7": _make(ms, ini.Sparse(0.5), (5, 7)),
        "sparse_0_3x3": _make(ms, ini.Sparse(0.0, 1.0), (3, 3)),
        "sparse_1_3x2": _make(ms, ini.Sparse(1.0, 1.0), (3, 2)),
        "after_sparse_normal": _make(ms, ini.Normal(), (3,)),
        "dirac_groups2_6x4x3x3": _make(ms, ini.Dirac(groups=2), (6, 4, 3, 3)),
        "dirac_3d": _make(ms, ini.Dirac(), (4, 3, 5)),
        "dirac_5d": _make(ms, ini.Dirac(), (2, 3, 3, 2, 3)),
        "identity_3x5": _make(ms, ini.Identity(), (3, 5)),
        "identity_5x2": _make(ms, ini.Identity(), (5, 2)),
        "constant_0.3": _make(ms, ini.Constant(0.3), (2, 3)),
        "constant_-2": _make(ms, ini.Constant(-2), (4,)),
        "number_2.5": _make(ms, 2.5, (3,)),
        "one": _make(ms, ini.One(), (2, 2)),
        "zero": _make(ms, ini.Zero(), (2, 2)),
        "after_all_uniform": _make(ms, ini.Uniform(), (3,)),
    }


# --- the order of seed draws -------------------------------------------------------------------------------------
def scenario_user_numpy_calls(ms):
    """User np.random calls between initializers take numbers from the same global generator; a user
    np.random.seed resets it."""
    ini = _init(ms)
    ms.set_seed(13)
    out = {"w1": _make(ms, ini.Normal(), (3, 4))}
    out["user_rand"] = np.random.rand(3)
    out["w2"] = _make(ms, ini.Normal(), (3, 4))
    out["user_randint"] = np.random.randint(0, 100, size=5)
    out["user_normal"] = np.random.normal(size=2)
    out["w3"] = _make(ms, ini.Uniform(), (3, 4))
    np.random.seed(99)
    out["w4_after_np_seed"] = _make(ms, ini.TruncatedNormal(), (3, 4))
    out["w5_xavier"] = _make(ms, ini.XavierUniform(), (3, 4))
    out["user_permutation"] = np.random.permutation(6)
    out["w6"] = _make(ms, ini.HeNormal(), (3, 4))
    return out


def scenario_materialisation_order(ms):
    """Seeds are drawn when a tensor is materialised, not when it is created; Zero, One, Constant, Dirac and
    Identity draw none."""
    ini = _init(ms)
    ms.set_seed(14)
    a = ini.initializer("normal", (2, 3), ms.float32)
    b = ini.initializer("uniform", (2, 3), ms.float32)
    c = ini.initializer(ini.TruncatedNormal(1.0), (2, 3), ms.float32)
    z = ini.initializer("zeros", (2, 3), ms.float32)
    o = ini.initializer(ini.Constant(4.0), (2, 3), ms.float32)
    d = ini.initializer("dirac", (2, 2, 3), ms.float32)
    out = {"c_first": c.init_data().asnumpy(), "z": z.init_data().asnumpy(), "o": o.init_data().asnumpy()}
    out["user_rand"] = np.random.rand(2)
    out["d"] = d.init_data().asnumpy()
    out["a_second"] = a.init_data().asnumpy()
    out["b_third"] = b.init_data().asnumpy()
    out["fresh_after"] = _make(ms, "normal", (2, 3))
    return out


def scenario_parameter(ms):
    """Parameter(lazy tensor) materialises at construction in 2.10 (PyNative, no auto-parallel)."""
    ini = _init(ms)
    ms.set_seed(15)
    p1 = ms.Parameter(ini.initializer("normal", (2, 3), ms.float32), name="p1")
    user = np.random.rand(2)
    p2 = ms.Parameter(ini.initializer(ini.Uniform(0.5), (4,), ms.float32), name="p2")
    p3 = ms.Parameter(ini.initializer(ini.XavierNormal(), (3, 2), ms.float32), name="p3")
    lazy = ini.initializer("he_uniform", (3, 2), ms.float32)
    p4 = ms.Parameter(lazy, name="p4")
    # read back in the reverse order: the values were fixed at construction
    return {"p4": p4.asnumpy(), "p3": p3.asnumpy(), "p2": p2.asnumpy(), "p1": p1.asnumpy(), "user_rand": user,
            "after": _make(ms, "normal", (2,))}


def scenario_conv2d(ms):
    """nn.Conv2d(3, 4, 3, has_bias=True): the weight (4, 3, 3, 3) is materialised before the bias (4,)."""
    ini = _init(ms)
    nn = _nn(ms)
    out = {}
    ms.set_seed(16)
    c1 = nn.Conv2d(3, 4, 3, has_bias=True, weight_init="normal", bias_init="uniform")
    out["c1_weight"], out["c1_bias"] = c1.weight.asnumpy(), c1.bias.asnumpy()
    # 2.10's own defaults, written out: HeUniform(math.sqrt(5)) and Uniform(1 / sqrt(fan_in))
    c2 = nn.Conv2d(3, 4, 3, has_bias=True, weight_init=ini.HeUniform(negative_slope=math.sqrt(5)),
                   bias_init=ini.Uniform(1 / math.sqrt(27)))
    out["c2_weight"], out["c2_bias"] = c2.weight.asnumpy(), c2.bias.asnumpy()
    out["user_rand"] = np.random.rand(1)
    c3 = nn.Conv2d(3, 4, 3, has_bias=True, weight_init=ini.TruncatedNormal(0.02), bias_init="zeros")
    out["c3_weight"], out["c3_bias"] = c3.weight.asnumpy(), c3.bias.asnumpy()
    c4 = nn.Conv2d(3, 4, 3, has_bias=True, weight_init="xavier_uniform", bias_init=ini.Normal(0.1, 0.5))
    out["c4_weight"], out["c4_bias"] = c4.weight.asnumpy(), c4.bias.asnumpy()
    c5 = nn.Conv2d(3, 4, (2, 3), has_bias=False, weight_init="he_normal", bias_init="zeros")
    out["c5_weight"] = c5.weight.asnumpy()
    ms.set_seed(17)
    c6 = nn.Conv2d(3, 4, 3, has_bias=True, weight_init=ini.Constant(0.5), bias_init=ini.TruncatedNormal(1.0))
    out["c6_weight"], out["c6_bias"] = c6.weight.asnumpy(), c6.bias.asnumpy()
    out["after"] = _make(ms, "normal", (3,))
    return out


def scenario_call_on_numpy(ms):
    """An initializer called on a NumPy array fills it (float32 in place; float64 via a float32 draw)."""
    ini = _init(ms)
    ms.set_seed(18)
    a = np.zeros((3, 4), np.float32)
    ini.Normal(0.5)(a)
    b = np.zeros(5, np.float64)
    ini.Uniform(1.0)(b)
    c = np.zeros((2, 3), np.float32)
    ini.HeUniform()(c)
    return {"normal_f32": a, "uniform_f64": b, "he_uniform_f32": c}


def scenario_shape_forms(ms):
    """An int shape and a list shape."""
    ms.set_seed(19)
    return {"int_shape": _make(ms, "normal", 5), "list_shape": _make(ms, "uniform", [2, 3])}


# --- dtypes ------------------------------------------------------------------------------------------------------
def scenario_float16_float64(ms):
    """Drawn in float32, then cast by NumPy: float16 rounds to nearest even, float64 widens exactly."""
    ini = _init(ms)
    out = {}
    for dt_name in ("float16", "float64"):
        dt = getattr(ms, dt_name)
        ms.set_seed(20)
        for name, init, shape in (("normal", ini.Normal(1.0), (17,)), ("uniform", ini.Uniform(3.0), (17,)),
                                  ("truncated_normal", ini.TruncatedNormal(2.0), (17,)),
                                  ("xavier_uniform", ini.XavierUniform(), (4, 3, 3, 3)),
                                  ("xavier_normal", ini.XavierNormal(), (5, 3)),
                                  ("he_uniform", ini.HeUniform(), (5, 3)), ("he_normal", ini.HeNormal(), (5, 3)),
                                  ("variance_scaling", ini.VarianceScaling(), (5, 3)),
                                  ("variance_scaling_normal", ini.VarianceScaling(distribution="untruncated_normal"),
                                   (5, 3)),
                                  ("orthogonal", ini.Orthogonal(), (4, 3)), ("sparse", ini.Sparse(0.4, 1.0), (5, 3)),
                                  ("dirac", ini.Dirac(), (3, 3, 3)), ("identity", ini.Identity(), (3, 3)),
                                  ("constant", ini.Constant(2.7), (3,)), ("one", ini.One(), (3,)),
                                  ("zero", ini.Zero(), (3,))):
            out[f"{dt_name}/{name}"] = _make(ms, init, shape, dt)
    return out


def scenario_int_dtypes(ms):
    """int32: drawn in float32, then truncated toward zero (Constant(2.7) fills 2). Separate so that an
    implementation without integer initializers can skip it."""
    ini = _init(ms)
    ms.set_seed(21)
    return {"uniform_5": _make(ms, ini.Uniform(5.0), (4, 3), ms.int32),
            "normal_3": _make(ms, ini.Normal(3.0), (4, 3), ms.int32),
            "truncated_normal_3": _make(ms, ini.TruncatedNormal(3.0), (4, 3), ms.int32),
            "constant_2.7": _make(ms, ini.Constant(2.7), (3,), ms.int32),
            "constant_-2": _make(ms, ini.Constant(-2), (3,), ms.int32),
            "one": _make(ms, "ones", (3,), ms.int32),
            "zero": _make(ms, "zeros", (3,), ms.int32),
            "after": _make(ms, "normal", (3,))}


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in sorted(globals().items())
             if name.startswith("scenario_") and callable(fn)}


def run_all(ms, only=None):
    """{"<scenario>/<name>": array} for every scenario (or those named in `only`)."""
    out = {}
    for sname, fn in SCENARIOS.items():
        if only is not None and sname not in only:
            continue
        for key, value in fn(ms).items():
            out[f"{sname}/{key}"] = np.asarray(value)
    return out
