"""Training end to end: TrainOneStepCell with WithLossCell and an optimizer lowers the loss, on both devices with
the same bits, and a training run gives the same weights bit for bit on every run and at 1 and 2 threads."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import minispore
import minispore.nn as nn
from minispore import Tensor, context
from minispore.common import set_seed

ROOT = pathlib.Path(__file__).resolve().parents[1]


class _Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, pad_mode="valid", weight_init="he_uniform")
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.flatten = nn.Flatten()
        self.fc = nn.Dense(4 * 3 * 3, 3, weight_init="he_uniform")

    def construct(self, x):
        return self.fc(self.flatten(self.pool(self.relu(self.conv(x)))))


def _data(n=12):
    rng = np.random.default_rng(0)
    y = (np.arange(n) % 3).astype(np.int32)
    x = rng.standard_normal((n, 1, 8, 8)).astype(np.float32) * 0.3
    x[:, 0, :4, :4] += (y == 0)[:, None, None]  # a class is a bright quadrant: learnable in a few steps
    x[:, 0, 4:, 4:] += (y == 1)[:, None, None]
    return x, y


def _train(optimizer_cls, steps, **kwargs):
    set_seed(3)
    net = _Net()
    x, y = _data()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    step = nn.TrainOneStepCell(nn.WithLossCell(net, loss_fn), optimizer_cls(net.trainable_params(), **kwargs))
    step.set_train()
    losses = [float(step(Tensor(x), Tensor(y)).asnumpy()) for _ in range(steps)]
    return losses, [p.asnumpy() for p in net.trainable_params()]


@pytest.mark.parametrize("optimizer_cls,kwargs", [(nn.Momentum, {"learning_rate": 0.1, "momentum": 0.9}),
                                                  (nn.Adam, {"learning_rate": 0.01})])
def test_training_lowers_the_loss_with_the_same_bits_on_every_device(device, small, optimizer_cls, kwargs):
    steps = 2 if small else 6  # the simulator checks the bits of two steps; the CPU that the loss goes down
    losses, weights = _train(optimizer_cls, steps, **kwargs)
    assert losses[-1] < (0.95 if small else 0.7) * losses[0], losses
    if device == "GPU":
        context.set_context(device_target="CPU")
        cpu_losses, cpu_weights = _train(optimizer_cls, steps, **kwargs)
        assert losses == cpu_losses
        for got, want in zip(weights, cpu_weights):
            assert got.tobytes() == want.tobytes()


def test_train_one_step_cell_returns_the_loss_before_the_update_and_the_gradients():
    set_seed(3)
    net = _Net()
    x, y = _data()
    with_loss = nn.WithLossCell(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"))
    before = float(with_loss(Tensor(x), Tensor(y)).asnumpy())
    want = minispore.value_and_grad(with_loss, None, net.trainable_params())(Tensor(x), Tensor(y))[1]
    step = nn.TrainOneStepCell(with_loss, nn.SGD(net.trainable_params(), learning_rate=0.1), sens=2.0,
                               return_grad=True)
    loss, grads = step(Tensor(x), Tensor(y))
    assert float(loss.asnumpy()) == before
    assert list(grads) == [p.name for p in net.trainable_params()]
    for g, w in zip(grads.values(), want):  # seeded with sens = 2: exactly twice the unit gradients
        np.testing.assert_array_equal(g.asnumpy(), 2 * w.asnumpy())
    assert float(with_loss(Tensor(x), Tensor(y)).asnumpy()) < before


def test_wrappers_check_their_arguments():
    net = _Net()
    with pytest.raises(TypeError, match="'WithLossCell', the 'loss_fn' must be a Cell"):
        nn.WithLossCell(net, 3)
    with pytest.raises(TypeError, match="'TrainOneStepCell', the 'optimizer' must be an Optimizer"):
        nn.TrainOneStepCell(net, object())
    with pytest.raises(TypeError, match="'TrainOneStepCell', the 'sens' must be a number"):
        nn.TrainOneStepCell(net, nn.SGD(net.trainable_params()), sens="1")


_CHILD = """
import hashlib, sys
sys.path.insert(0, sys.argv[1])
import test_train
losses, weights = test_train._train(test_train.nn.Momentum, 3, learning_rate=0.1, momentum=0.9)
print(hashlib.sha256(b"".join(w.tobytes() for w in weights)).hexdigest(), losses)
"""


def test_training_gives_the_same_weights_on_every_run_and_at_one_and_two_threads():
    runs = []
    for threads in ("1", "2", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        done = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT / "tests")], capture_output=True, text=True,
                              env=env, cwd=ROOT)
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(done.stdout.strip())
    assert runs[0] == runs[1] == runs[2]


def test_the_training_example_runs(tmp_path):
    pytest.importorskip("sklearn")
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "train_lenet5.py"), "--epochs", "1", "--limit",
                           "96"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "epoch 1: mean loss" in done.stdout and "held-out accuracy" in done.stdout
    assert "reloaded from the checkpoint: held-out accuracy" in done.stdout
    accuracy = done.stdout.split("held-out accuracy ")
    assert accuracy[1].split()[0] == accuracy[2].split()[0]  # the reloaded net scores the same
