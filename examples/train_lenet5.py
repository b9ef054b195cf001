"""Train MindSpore's model-zoo LeNet5 on scikit-learn's bundled 8x8 digits, then save, reload and evaluate it.

Usage: python examples/train_lenet5.py [--device CPU|GPU] [--epochs N] [--batch N] [--plot FILE.png]

The digits (1797 images, in scikit-learn's package: no download) are upsampled to 32x32 by repeating each pixel
4x4; the last 297 are held out. The convolutions get 'he_uniform' weights: with r1.3's Normal(0.02) defaults the
loss stays at 2.30 for ten epochs, in MindSpore too. Each epoch shows a progress bar (tqdm, when installed; else
one line), then the held-out accuracy. With matplotlib installed, --plot writes the loss curve.

Needs scikit-learn: ``pip install -e ".[examples]"``.
"""
import argparse
import os
import sys
import tempfile

import numpy as np

import minispore
import minispore.nn as nn
from minispore import Tensor, context
from minispore import dtype as mstype
from minispore.common import set_seed

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lenet5 import LeNet5  # noqa: E402 (the model-zoo network of examples/lenet5.py)

HELD_OUT = 297


def digits():
    """(train images, train labels, held-out images, held-out labels): float32 (N, 1, 32, 32) with scikit-learn's
    pixel values (0 to 16), int32 labels."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("train_lenet5.py needs scikit-learn for its bundled digits: pip install scikit-learn")
    data = load_digits()
    images = np.kron(data.images, np.ones((4, 4))).astype(np.float32)[:, None]
    labels = data.target.astype(np.int32)
    return images[:-HELD_OUT], labels[:-HELD_OUT], images[-HELD_OUT:], labels[-HELD_OUT:]


def batches(n, size, rng):
    order = rng.permutation(n)
    return [order[i:i + size] for i in range(0, n, size)]


def progress(items, desc):
    """tqdm's bar when it is installed, else the items as they are (one line per epoch is printed after)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return items
    return tqdm(items, desc=desc, leave=False, file=sys.stdout)


def accuracy(net, images, labels, batch):
    right = 0
    for i in range(0, len(images), batch):
        logits = net(Tensor(images[i:i + batch])).asnumpy()
        right += int((logits.argmax(axis=1) == labels[i:i + batch]).sum())
    return right / len(images)


def build():
    net = LeNet5()
    for conv in (net.conv1, net.conv2):  # he_uniform, as the module docstring says why
        conv.weight.set_data(minispore.common.initializer.initializer("he_uniform", conv.weight.shape, mstype.float32))
    return net


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, choices=["CPU", "GPU"],
                        help="device_target (default: the current context's)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs (default 3)")
    parser.add_argument("--batch", type=int, default=32, help="batch size (default 32)")
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images only (quick runs)")
    parser.add_argument("--plot", default=None, help="write the loss curve to this PNG (needs matplotlib)")
    args = parser.parse_args(argv)
    if args.device:
        context.set_context(device_target=args.device)
    set_seed(1)
    train_x, train_y, test_x, test_y = digits()
    if args.limit:
        train_x, train_y = train_x[:args.limit], train_y[:args.limit]
    net = build()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    optimizer = nn.Momentum(net.trainable_params(), learning_rate=0.01, momentum=0.9)
    step = nn.TrainOneStepCell(nn.WithLossCell(net, loss_fn), optimizer)
    step.set_train()
    rng = np.random.default_rng(0)
    losses = []
    for epoch in range(1, args.epochs + 1):
        epoch_losses = []
        for index in progress(batches(len(train_x), args.batch, rng), f"epoch {epoch}"):
            loss = step(Tensor(train_x[index]), Tensor(train_y[index]))
            epoch_losses.append(float(loss.asnumpy()))
        losses += epoch_losses
        net.set_train(False)
        print(f"epoch {epoch}: mean loss {np.mean(epoch_losses):.4f}, "
              f"held-out accuracy {accuracy(net, test_x, test_y, 256):.4f}")
        net.set_train()
    net.set_train(False)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "lenet5_digits.ckpt")
        minispore.save_checkpoint(net, path)
        fresh = build()
        minispore.load_param_into_net(fresh, minispore.load_checkpoint(path))
    print(f"reloaded from the checkpoint: held-out accuracy {accuracy(fresh, test_x, test_y, 256):.4f}")
    if args.plot:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib is not installed: no loss curve")
        else:
            plt.plot(losses)
            plt.xlabel("step")
            plt.ylabel("training loss")
            plt.savefig(args.plot)
            print("loss curve:", args.plot)


if __name__ == "__main__":
    main()
