"""The model examples' networks (model-zoo LeNet5, a ResNet basic block) against a float64 NumPy forward, and
LeNet5's checkpoint round trip, on every device."""
import pathlib
import runpy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minispore
import minispore.nn as nn
from minispore import Parameter, Tensor, context
from minispore.common import set_seed

import layer_oracle
import oracle

ROOT = pathlib.Path(__file__).resolve().parents[1]
LENET = runpy.run_path(str(ROOT / "examples" / "lenet5.py"))  # the examples' classes (main() is not run)
RESNET = runpy.run_path(str(ROOT / "examples" / "resnet_block.py"))


def _on_device(make, device, seed):
    """make() built on the CPU, then every parameter replaced by one on `device` holding seeded values (BN
    variances positive): weight initialisation in the CUDA simulator takes tens of seconds for LeNet5's dense
    layers, and the forward is what is tested here (the initialisers have their own tests)."""
    context.set_context(device_target="CPU")
    net = make()
    context.set_context(device_target=device)
    rng = np.random.default_rng(seed)
    for _, cell in net.cells_and_names():
        for attr, param in list(cell._params.items()):
            if param is None:
                continue
            shape = param.shape
            if attr == "moving_variance":
                value = rng.uniform(0.5, 2.0, shape)
            elif attr == "gamma":
                value = rng.uniform(0.5, 1.5, shape)
            else:
                fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 4
                value = rng.standard_normal(shape) / np.sqrt(fan_in)
            setattr(cell, attr, Parameter(Tensor(value.astype(np.float32)), name=param.name,
                                          requires_grad=param.requires_grad))
    return net


def _weights(net):
    """The parameters in float64, keyed by attribute path (whatever names the Parameters carry)."""
    out = {}
    for prefix, cell in net.cells_and_names():
        for attr, param in cell._params.items():
            if param is not None:
                out[f"{prefix}.{attr}" if prefix else attr] = param.asnumpy().astype(np.float64)
    return out


def _conv(x, w, stride=1, pad=0):
    return oracle.conv(x, w, (stride, stride), (1, 1), (pad, pad), (pad, pad), 1)


def _max_pool_2x2(x):
    size = (x.shape[2] // 2, x.shape[3] // 2)
    return layer_oracle.pool(x, "max", (2, 2), (2, 2), (1, 1), (0, 0), size)[0]


def _relu(x):
    return np.maximum(x, 0)


def _dense(x, p, name):
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def lenet5_reference(x, p):
    """LeNet5's forward in float64, layer by layer."""
    y = _max_pool_2x2(_relu(_conv(x, p["conv1.weight"])))
    y = _max_pool_2x2(_relu(_conv(y, p["conv2.weight"])))
    y = y.reshape(len(y), -1)
    y = _relu(_dense(y, p, "fc1"))
    y = _relu(_dense(y, p, "fc2"))
    return _dense(y, p, "fc3")


def _bn(x, p, name, eps):
    return layer_oracle.batch_norm_eval(x, p[name + ".gamma"], p[name + ".beta"], p[name + ".moving_mean"],
                                        p[name + ".moving_variance"], eps)


def basic_block_reference(x, p, stride, down_sample, eps=1e-4):
    """ResidualBlockBase's eval-mode forward in float64."""
    y = _relu(_bn(_conv(x, p["conv1.weight"], stride, 1), p, "bn1d", eps))
    y = _bn(_conv(y, p["conv2.weight"], 1, 1), p, "bn2d", eps)
    identity = x
    if down_sample:
        identity = _bn(_conv(x, p["down_sample_layer.0.weight"], stride, 0), p, "down_sample_layer.1", eps)
    return _relu(y + identity)


def _close(got, ref):
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5 * np.abs(ref).max())


def test_lenet5_matches_a_numpy_forward_and_a_checkpoint_round_trip_keeps_it(device, small, tmp_path):
    # one test for both: a LeNet5 forward takes ~6 s in the CUDA simulator
    net = _on_device(LENET["LeNet5"], device, seed=0)
    x = np.random.default_rng(1).standard_normal((1 if small else 32, 1, 32, 32)).astype(np.float32)
    out = net(Tensor(x))
    assert out.shape == (len(x), 10) and out.dtype == minispore.float32
    out = out.asnumpy()
    _close(out, lenet5_reference(x, _weights(net)))
    path = str(tmp_path / "lenet5.ckpt")
    minispore.save_checkpoint(net, path)
    fresh = _on_device(LENET["LeNet5"], device, seed=6)
    assert not np.array_equal(fresh.fc3.bias.asnumpy(), net.fc3.bias.asnumpy())
    assert minispore.load_param_into_net(fresh, minispore.load_checkpoint(path)) == ([], [])
    for (name, a), (_, b) in zip(net.parameters_and_names(), fresh.parameters_and_names()):
        assert a.asnumpy().tobytes() == b.asnumpy().tobytes(), name
    assert fresh(Tensor(x)).asnumpy().tobytes() == out.tobytes()


def test_lenet5_without_top_returns_the_features():
    net = _on_device(lambda: LENET["LeNet5"](include_top=False), "CPU", seed=2)
    assert [name for name, _ in net.parameters_and_names()] == ["conv1.weight", "conv2.weight"]
    x = np.random.default_rng(3).standard_normal((4, 1, 32, 32)).astype(np.float32)
    p = _weights(net)
    ref = _max_pool_2x2(_relu(_conv(_max_pool_2x2(_relu(_conv(x, p["conv1.weight"]))), p["conv2.weight"])))
    out = net(Tensor(x))
    assert out.shape == (4, 16, 5, 5)
    _close(out.asnumpy(), ref)


def test_lenet5_example_builds_the_model_zoo_network():
    set_seed(1)
    net = LENET["LeNet5"]()
    assert [(name, p.shape) for name, p in net.parameters_and_names()] == [
        ("conv1.weight", (6, 1, 5, 5)), ("conv2.weight", (16, 6, 5, 5)), ("fc1.weight", (120, 400)),
        ("fc1.bias", (120,)), ("fc2.weight", (84, 120)), ("fc2.bias", (84,)), ("fc3.weight", (10, 84)),
        ("fc3.bias", (10,))]
    assert 0.015 < net.fc1.weight.asnumpy().std() < 0.025  # Normal(0.02)
    assert not net.training and net.conv1.pad_mode == "valid" and not net.conv1.has_bias


def test_basic_block_matches_a_numpy_forward(device, small):
    @settings(max_examples=2 if small else 12, deadline=None)
    @given(in_channel=st.integers(1, 4 if small else 12), out_channel=st.integers(1, 4 if small else 12),
           stride=st.sampled_from([1, 2]), size=st.integers(3, 5 if small else 12),
           batch=st.integers(1, 1 if small else 3))
    def check(in_channel, out_channel, stride, size, batch):
        block = _on_device(lambda: RESNET["ResidualBlockBase"](in_channel, out_channel, stride), device,
                           seed=in_channel * 100 + out_channel * 10 + stride)
        down_sample = stride != 1 or in_channel != out_channel
        assert block.down_sample == down_sample and not block.training
        x = np.random.default_rng(size).standard_normal((batch, in_channel, size, size)).astype(np.float32)
        out = block(Tensor(x)).asnumpy()
        assert out.shape == (batch, out_channel, -(-size // stride), -(-size // stride))
        _close(out, basic_block_reference(x, _weights(block), stride, down_sample))
    check()


def test_basic_block_example_shortcuts():
    plain = RESNET["ResidualBlockBase"](4, 4)
    assert not plain.down_sample and plain.down_sample_layer is None
    block = RESNET["ResidualBlockBase"](4, 8, 2)
    assert isinstance(block.down_sample_layer, nn.SequentialCell)
    assert [(name, p.shape) for name, p in block.parameters_and_names()
            if name.startswith("down_sample_layer")][:2] == [("down_sample_layer.0.weight", (8, 4, 1, 1)),
                                                            ("down_sample_layer.1.moving_mean", (8,))]
