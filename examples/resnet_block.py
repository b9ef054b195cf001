"""A ResNet basic block as in MindSpore's model zoo (``official/cv/resnet/src/resnet.py``, ResidualBlockBase):
conv3x3-BN-ReLU-conv3x3-BN plus the identity (or a 1x1 conv-BN downsample), then ReLU; run in eval mode.

Usage: python examples/resnet_block.py [--device CPU|GPU] [--batch N]

The moving statistics and the BN affine parameters are set from a seeded generator, as a trained block would
have them (the initial ones make eval-mode BN almost the identity).
"""
import argparse

import numpy as np

import minispore.nn as nn
from minispore import Tensor, context
from minispore.common import set_seed


def _conv3x3(in_channel, out_channel, stride=1):
    return nn.Conv2d(in_channel, out_channel, kernel_size=3, stride=stride, padding=1, pad_mode='pad',
                     weight_init='HeNormal')


def _conv1x1(in_channel, out_channel, stride=1):
    return nn.Conv2d(in_channel, out_channel, kernel_size=1, stride=stride, padding=0, pad_mode='pad',
                     weight_init='HeNormal')


def _bn(channel):
    return nn.BatchNorm2d(channel, eps=1e-4, momentum=0.9, gamma_init=1, beta_init=0, moving_mean_init=0,
                          moving_var_init=1)


class ResidualBlockBase(nn.Cell):
    """The ResNet-18/34 basic block: out = relu(bn2d(conv2(relu(bn1d(conv1(x))))) + shortcut(x)).

    Args:
        in_channel (int): input channels.
        out_channel (int): output channels.
        stride (int): of the first convolution (and of the downsample). Default: 1.

    Inputs:
        - **x** (Tensor) - (N, in_channel, H, W).

    Outputs:
        Tensor (N, out_channel, ceil(H / stride), ceil(W / stride)).
    """

    def __init__(self, in_channel, out_channel, stride=1):
        super().__init__()
        self.conv1 = _conv3x3(in_channel, out_channel, stride=stride)
        self.bn1d = _bn(out_channel)
        self.conv2 = _conv3x3(out_channel, out_channel, stride=1)
        self.bn2d = _bn(out_channel)
        self.relu = nn.ReLU()
        self.down_sample = stride != 1 or in_channel != out_channel
        self.down_sample_layer = None
        if self.down_sample:
            self.down_sample_layer = nn.SequentialCell([_conv1x1(in_channel, out_channel, stride), _bn(out_channel)])

    def construct(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1d(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2d(out)
        if self.down_sample:
            identity = self.down_sample_layer(identity)
        out = out + identity
        out = self.relu(out)
        return out


def set_trained_statistics(net, seed=0):
    """Give every BatchNorm of `net` seeded gamma, beta and moving statistics (a stand-in for trained ones)."""
    rng = np.random.default_rng(seed)
    for _, cell in net.cells_and_names():
        if isinstance(cell, nn.BatchNorm2d):
            n = cell.num_features
            cell.gamma.set_data(Tensor(rng.uniform(0.5, 1.5, n).astype(np.float32)))
            cell.beta.set_data(Tensor(rng.uniform(-0.2, 0.2, n).astype(np.float32)))
            cell.moving_mean.set_data(Tensor(rng.uniform(-0.5, 0.5, n).astype(np.float32)))
            cell.moving_variance.set_data(Tensor(rng.uniform(0.5, 2.0, n).astype(np.float32)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, choices=["CPU", "GPU"],
                        help="device_target (default: the current context's)")
    parser.add_argument("--batch", type=int, default=2, help="batch size (default 2)")
    args = parser.parse_args(argv)
    if args.device:
        context.set_context(device_target=args.device)
    set_seed(1)
    x = Tensor(np.random.default_rng(1).standard_normal((args.batch, 8, 8, 8)).astype(np.float32))
    for in_channel, out_channel, stride in ((8, 8, 1), (8, 16, 2)):
        block = ResidualBlockBase(in_channel, out_channel, stride)
        set_trained_statistics(block)
        block.set_train(False)
        out = block(x).asnumpy()
        shortcut = "downsample" if block.down_sample else "identity"
        print(f"ResidualBlockBase({in_channel}, {out_channel}, stride={stride}) with the {shortcut} shortcut: "
              f"{x.shape} -> {out.shape}")
        print(np.array2string(out[0, 0, :2], precision=5))


if __name__ == "__main__":
    main()
