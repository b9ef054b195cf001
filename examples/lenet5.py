"""MindSpore's model-zoo LeNet5: build it with a fixed seed, run a batch, save a checkpoint, load it into a fresh
network, and get the same output.

Usage: python examples/lenet5.py [--device CPU|GPU] [--batch N]

The network is the model zoo's (``official/cv/lenet/src/lenet.py``) with ``mindspore`` replaced by ``minispore``.
"""
import argparse
import os
import tempfile

import numpy as np

import minispore
import minispore.nn as nn
from minispore import Tensor, context
from minispore.common import set_seed
from minispore.common.initializer import Normal


class LeNet5(nn.Cell):
    """LeNet-5: two 5x5 valid convolutions with ReLU and 2x2 max pooling, then three dense layers.

    Args:
        num_class (int): the number of classes. Default: 10.
        num_channel (int): the number of input channels. Default: 1.
        include_top (bool): add the flatten and dense layers. Default: True.

    Inputs:
        - **x** (Tensor) - (N, num_channel, 32, 32).

    Outputs:
        Tensor (N, num_class), or (N, 16, 5, 5) without the top.
    """

    def __init__(self, num_class=10, num_channel=1, include_top=True):
        super().__init__()
        self.include_top = include_top
        self.conv1 = nn.Conv2d(num_channel, 6, 5, pad_mode='valid')
        self.conv2 = nn.Conv2d(6, 16, 5, pad_mode='valid')
        self.relu = nn.ReLU()
        self.max_pool2d = nn.MaxPool2d(kernel_size=2, stride=2)
        if self.include_top:
            self.flatten = nn.Flatten()
            self.fc1 = nn.Dense(16 * 5 * 5, 120, weight_init=Normal(0.02))
            self.fc2 = nn.Dense(120, 84, weight_init=Normal(0.02))
            self.fc3 = nn.Dense(84, num_class, weight_init=Normal(0.02))

    def construct(self, x):
        x = self.conv1(x)
        x = self.relu(x)
        x = self.max_pool2d(x)
        x = self.conv2(x)
        x = self.relu(x)
        x = self.max_pool2d(x)
        if not self.include_top:
            return x
        x = self.flatten(x)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, choices=["CPU", "GPU"],
                        help="device_target (default: the current context's)")
    parser.add_argument("--batch", type=int, default=32, help="batch size (default 32)")
    args = parser.parse_args(argv)
    if args.device:
        context.set_context(device_target=args.device)
    set_seed(1)
    net = LeNet5()
    x = Tensor(np.random.default_rng(0).standard_normal((args.batch, 1, 32, 32)).astype(np.float32))
    out = net(x).asnumpy()
    print("LeNet5 output", out.shape)
    print(np.array2string(out[:2], precision=6))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "lenet5.ckpt")
        minispore.save_checkpoint(net, path)
        fresh = LeNet5()  # other initial weights (the seed's stream has moved on)
        changed = not np.array_equal(fresh(x).asnumpy(), out)
        param_not_load, ckpt_not_load = minispore.load_param_into_net(fresh, minispore.load_checkpoint(path))
    again = fresh(x).asnumpy()
    print(f"saved {len(net.trainable_params())} parameters; a fresh net differs: {changed}; "
          f"not loaded: {param_not_load} {ckpt_not_load}")
    print("loaded net gives the same output:", np.array_equal(again, out))


if __name__ == "__main__":
    main()
