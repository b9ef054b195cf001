"""Random invalid arguments and inputs: every one is answered with TypeError or ValueError, never with another
exception or a crash inside a kernel. (A draw that happens to be valid must simply run.)"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import minispore.nn as nn
from minispore import Tensor
from minispore.common import initializer as init
from minispore.ops import operations as ops

JUNK = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-4, 0),
                 st.text(max_size=4), st.tuples(st.integers(-2, 4)), st.lists(st.integers(-2, 4), max_size=7),
                 st.just(object()), st.just(np.ones(2)), st.just(1.5))

CONV2D_LAYER = dict(in_channels=4, out_channels=6, kernel_size=3, stride=1, pad_mode="same", padding=0,
                    dilation=1, group=1, has_bias=False, weight_init="normal", bias_init="zeros",
                    data_format="NCHW")
CONV3D_PRIM = dict(out_channel=6, kernel_size=(2, 3, 3), mode=1, pad_mode="valid", pad=0, stride=1, dilation=1,
                   group=1, data_format="NCDHW")


def _answers_cleanly(build, run):
    try:
        layer = build()
    except (TypeError, ValueError):
        return
    try:
        out = run(layer)
    except (TypeError, ValueError):
        return
    assert isinstance(out, Tensor) and out.asnumpy().shape == out.shape  # a valid draw really ran


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(CONV2D_LAYER)), JUNK)
def test_conv2d_layer_bad_argument(arg, value):
    kwargs = dict(CONV2D_LAYER, **{arg: value})
    x = Tensor(np.ones([1, 4, 6, 6], np.float32))
    _answers_cleanly(lambda: nn.Conv2d(**kwargs), lambda net: net(x))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(CONV3D_PRIM)), JUNK)
def test_conv3d_primitive_bad_argument(arg, value):
    kwargs = dict(CONV3D_PRIM, **{arg: value})
    x = Tensor(np.ones([1, 4, 4, 5, 5], np.float32))
    w = Tensor(np.ones([6, 4, 2, 3, 3], np.float32))
    _answers_cleanly(lambda: ops.Conv3D(**kwargs), lambda conv: conv(x, w))


SHAPES = st.lists(st.integers(0, 4), min_size=0, max_size=6).map(tuple)
DTYPES = st.sampled_from([np.float32, np.float64, np.float16, np.int32, np.int8, np.bool_, np.uint8])


@settings(max_examples=150, deadline=None)
@given(SHAPES, SHAPES, DTYPES, DTYPES)
def test_conv_inputs_of_any_shape_and_dtype(xshape, wshape, xdtype, wdtype):
    x = Tensor(np.ones(xshape, xdtype))
    w = Tensor(np.ones(wshape, wdtype))
    for conv in (ops.Conv2D(out_channel=2, kernel_size=2, pad_mode="pad", pad=1),
                 ops.Conv3D(out_channel=2, kernel_size=1)):
        _answers_cleanly(lambda: conv, lambda c: c(x, w))


@settings(max_examples=150, deadline=None)
@given(SHAPES, SHAPES, DTYPES, DTYPES)
def test_add_of_any_shapes_and_dtypes(xshape, yshape, xdtype, ydtype):
    x, y = np.ones(xshape, xdtype), np.ones(yshape, ydtype)
    try:
        out = ops.Add()(Tensor(x), Tensor(y))
    except (TypeError, ValueError):
        with pytest.raises(ValueError):
            np.broadcast_shapes(xshape, yshape)
        return
    assert out.shape == np.broadcast_shapes(xshape, yshape)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["Normal", "Uniform", "TruncatedNormal", "XavierUniform", "HeUniform", "HeNormal",
                        "Constant", "Orthogonal", "Dirac", "Sparse", "VarianceScaling"]), JUNK)
@pytest.mark.cpu_only
def test_initializer_constructors_with_junk(name, value):
    try:
        obj = getattr(init, name)(value)
    except (TypeError, ValueError):
        return
    try:
        init.initializer(obj, [4, 3, 3]).asnumpy()
    except (TypeError, ValueError):
        pass
