"""minispore against PyTorch CPU (when installed) and NumPy, in one process, interleaved, medians.

Usage: python benchmarks/run.py [--quick] [--device CPU|GPU] [--json FILE] [--only GROUP ...]

For every case, each contender runs once per round, in turn, so drifts in clock speed hit all alike; the figure
is the median over at least 15 rounds (5 with --quick), more for fast cases until a second has passed. Prints
time, GFLOP/s or GB/s, the ratio to each peer (>1 means minispore is faster), and the largest difference from the
reference result (the models, MatMul and element-wise groups also the interquartile range of the rounds, IQR).
Also the time from a fresh process to the first convolution result with an empty and a warm Numba cache, and the
peak extra memory of each convolution.
"""
import argparse
import json
import os
import pathlib
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

import minispore
import minispore.nn as nn
from minispore import Tensor, context
from minispore.common import initializer as init
from minispore.common import set_seed
from minispore.common.initializer import initializer
from minispore.ops import operations as ops

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the benchmark still runs, against NumPy only
    torch = None

CONVS = [  # name, input shape, out channels, kernel, pad ('same' or an int), group
    ("(i) guide Conv2d 1x3x16x50->64 3x3 same", (1, 3, 16, 50), 64, (3, 3), "same"),
    ("(ii) 8x64x56x56->64 3x3 pad1", (8, 64, 56, 56), 64, (3, 3), 1),
    ("(iii) 1x256x14x14->256 3x3 pad1", (1, 256, 14, 14), 256, (3, 3), 1),
    ("(iv) guide Conv3D 16x3x10x32x32->32 (4,3,3) valid", (16, 3, 10, 32, 32), 32, (4, 3, 3), 0),
    ("(v) 2x32x16x32x32->64 3x3x3 pad1", (2, 32, 16, 32, 32), 64, (3, 3, 3), 1),
]


def _sync(backend):
    if backend.xp is not np:
        backend.xp.cuda.get_current_stream().synchronize()  # synchronize!


def interleaved(contenders, rounds, min_seconds=1.0, spread=None):
    """{name: median seconds} running each contender once per round, in turn: at least `rounds` rounds, and more
    (up to 100 times as many) until `min_seconds` have passed, so sub-millisecond cases get stable medians.
    A `spread` dict receives {name: (first quartile, third quartile)}."""
    times = {name: [] for name in contenders}
    for fn in contenders.values():  # warm-up: JIT, caches, first touch
        fn()
    start, done = time.perf_counter(), 0
    while done < rounds or (time.perf_counter() - start < min_seconds and done < 100 * rounds):
        for name, fn in contenders.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
        done += 1
    if spread is not None:
        spread.update({name: tuple(np.percentile(ts, [25, 75])) for name, ts in times.items()})
    return {name: statistics.median(ts) for name, ts in times.items()}


def report(title, medians, unit, amount, errors=None, spread=None):
    ours = medians["minispore"]
    rate = amount / ours
    line = f"{title:<52} minispore {ours * 1e3:9.3f} ms {rate:8.2f} {unit}"
    row = {"case": title, "minispore_ms": ours * 1e3, unit: rate}
    for name, t in medians.items():
        if name != "minispore":
            line += f" | {name} {t * 1e3:9.3f} ms x{t / ours:5.2f}"
            row[f"{name}_ms"] = t * 1e3
            row[f"ratio_vs_{name}"] = t / ours
    if spread:
        line += " | IQR " + ", ".join(f"{k} {lo * 1e3:.3f}-{hi * 1e3:.3f} ms" for k, (lo, hi) in spread.items())
        row["iqr_ms"] = {k: (lo * 1e3, hi * 1e3) for k, (lo, hi) in spread.items()}
    if errors:
        line += " | max err " + ", ".join(f"{k} {v:.1e}" for k, v in errors.items())
        row["max_error"] = errors
    print(line, flush=True)
    return row


def bench_convs(backend, rounds, rows):
    rng = np.random.default_rng(0)
    for title, xshape, out_c, kernel, pad in CONVS:
        nd = len(kernel)
        x = rng.standard_normal(xshape).astype(np.float32)
        w = (rng.standard_normal((out_c, xshape[1]) + kernel) * 0.1).astype(np.float32)
        if pad == "same":
            prim = (ops.Conv2D if nd == 2 else ops.Conv3D)(out_c, kernel, pad_mode="same")
        else:
            prim = (ops.Conv2D if nd == 2 else ops.Conv3D)(out_c, kernel, pad_mode="pad" if pad else "valid",
                                                          pad=pad)
        tx, tw = Tensor(x), Tensor(w)
        result = {}

        def ours():
            result["out"] = prim(tx, tw)
            _sync(backend)

        contenders = {"minispore": ours}
        if torch is not None and backend.name == "CPU":
            xt, wt = torch.from_numpy(x), torch.from_numpy(w)
            conv = F.conv2d if nd == 2 else F.conv3d

            def theirs():
                with torch.no_grad():
                    result["torch"] = conv(xt, wt, padding=pad)
            contenders["torch"] = theirs
        medians = interleaved(contenders, rounds)
        out = result["out"].asnumpy()
        flops = 2.0 * out.size * xshape[1] * np.prod(kernel)
        errors = {"torch": float(np.abs(out - result["torch"].numpy()).max())} if "torch" in result else None
        row = report(title, medians, "GFLOP/s", flops / 1e9, errors)
        if backend.name == "CPU":
            tracemalloc.start()
            prim(tx, tw)
            row["peak_extra_MiB"] = tracemalloc.get_traced_memory()[1] / 2 ** 20
            tracemalloc.stop()
            print(f"{'':<52} peak extra memory {row['peak_extra_MiB']:.1f} MiB (output {out.nbytes / 2 ** 20:.1f} "
                  f"MiB)", flush=True)
        rows.append(row)


def bench_inits(backend, rounds, rows, quick):
    """The fills of each initializer generator (context initializer_rng) against PyTorch's and NumPy's."""
    for rng in context.INITIALIZER_RNGS:
        context.set_context(initializer_rng=rng)
        _bench_inits(backend, rounds, rows, quick, rng)
    context.set_context(initializer_rng="mindspore-r1.3")


def _bench_inits(backend, rounds, rows, quick, rng):
    big = (2048, 2048) if quick else (4096, 4096)
    for shape in (big, (64, 3, 3, 3)):
        nbytes = 4.0 * np.prod(shape)
        cases = [("Normal", init.Normal(1.0), "normal_", lambda g, s: g.standard_normal(s, np.float32)),
                 ("Uniform", init.Uniform(1.0), "uniform_", lambda g, s: g.random(s, np.float32)),
                 ("TruncatedNormal", init.TruncatedNormal(1.0), "trunc_normal_", None),
                 ("HeUniform", init.HeUniform(), "kaiming_uniform_", None)]
        for name, ours_init, torch_fn, numpy_fn in cases:
            set_seed(1)

            def ours():
                initializer(ours_init, shape).init_data()
                _sync(backend)

            contenders = {"minispore": ours}
            if torch is not None and backend.name == "CPU":
                if torch_fn == "trunc_normal_":
                    contenders["torch"] = lambda: torch.nn.init.trunc_normal_(torch.empty(shape), 0.0, 1.0, -2, 2)
                elif torch_fn == "kaiming_uniform_":
                    contenders["torch"] = lambda: torch.nn.init.kaiming_uniform_(torch.empty(shape))
                else:
                    contenders["torch"] = lambda f=torch_fn: getattr(torch.empty(shape), f)()
            if numpy_fn is not None and backend.name == "CPU":
                gen = np.random.default_rng(0)
                contenders["numpy"] = lambda f=numpy_fn: f(gen, shape)
            medians = interleaved(contenders, rounds)
            rows.append(report(f"init {rng} {name} {shape}", medians, "GB/s", nbytes / 1e9))


def _binary_contenders(backend, primitive, a, b, numpy_fn, torch_name, result):
    """{name: callable} for `primitive` on the arrays a and b: ours (its output into result["out"]), and on the CPU
    NumPy's `numpy_fn` and PyTorch's `torch.<torch_name>` on the same data."""
    ta, tb = Tensor(a), Tensor(b)

    def ours():
        result["out"] = primitive(ta, tb)
        _sync(backend)

    contenders = {"minispore": ours}
    if backend.name == "CPU":
        contenders["numpy"] = lambda: numpy_fn(a, b)
        if torch is not None:
            at, bt, fn = torch.from_numpy(a), torch.from_numpy(b), getattr(torch, torch_name)
            contenders["torch"] = lambda: fn(at, bt)
    return contenders


def bench_add(backend, rounds, rows, quick):
    n = 2048 if quick else 4096
    rng = np.random.default_rng(1)
    a = rng.standard_normal((n, n)).astype(np.float32)
    for title, b in ((f"Add {n}x{n} + {n}x{n}", rng.standard_normal((n, n)).astype(np.float32)),
                     (f"Add {n}x{n} + {n} (broadcast row)", rng.standard_normal(n).astype(np.float32))):
        result = {}
        contenders = _binary_contenders(backend, ops.Add(), a, b, np.add, "add", result)
        medians = interleaved(contenders, rounds)
        err = float(np.abs(result["out"].asnumpy() - (a + b)).max())
        rows.append(report(title, medians, "GB/s", 3.0 * a.nbytes / 1e9, {"numpy": err}))


class _ThreeOps(nn.Cell):
    """A 3-op Cell: (x * w + b) - x."""

    def __init__(self, w, b):
        super().__init__()
        self.w, self.b = w, b
        self.mul, self.add, self.sub = ops.Mul(), ops.Add(), ops.Sub()

    def construct(self, x):
        return self.sub(self.add(self.mul(x, self.w), self.b), x)


def _small_cases(backend):
    """(title, ours, {peer: fn}) for the small work a network is made of: per-call cost decides these."""
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((2, 3)).astype(np.float32)
    ta, tb = Tensor(a), Tensor(b)
    add = ops.Add()
    x8 = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    conv8 = nn.Conv2d(3, 4, 3, has_bias=True, pad_mode="valid")
    xg = np.ones((1, 3, 16, 50), np.float32)
    guide = nn.Conv2d(3, 64, 3, weight_init=init.Normal(0.2), has_bias=False)
    tx8, txg = Tensor(x8), Tensor(xg)
    cell = _ThreeOps(Tensor(b), Tensor(a))
    cases = [("small: ops.Add 2x3", lambda: add(ta, tb), {"numpy": lambda: np.add(a, b)}),
             ("small: Tensor + Tensor 2x3", lambda: ta + tb, {"numpy": lambda: a + b}),
             ("small: nn.Conv2d(3,4,3) 1x3x8x8", lambda: conv8(tx8), {}),
             ("small: guide nn.Conv2d(3,64,3) 1x3x16x50", lambda: guide(txg), {}),
             ("small: initializer(Normal(), [64,3,3,3])",
              lambda: initializer(init.Normal(), [64, 3, 3, 3]).init_data(), {}),
             ("small: 3-op Cell 2x3", lambda: cell(ta), {"numpy": lambda: a * b + a - a})]
    if torch is not None and backend.name == "CPU":
        at, bt = torch.from_numpy(a), torch.from_numpy(b)
        tconv8 = torch.nn.Conv2d(3, 4, 3).requires_grad_(False)
        tguide = torch.nn.Conv2d(3, 64, 3, padding=1, bias=False).requires_grad_(False)
        x8t, xgt = torch.from_numpy(x8), torch.from_numpy(xg)
        theirs = [lambda: torch.add(at, bt), lambda: at + bt, lambda: tconv8(x8t), lambda: tguide(xgt),
                  lambda: torch.nn.init.normal_(torch.empty(64, 3, 3, 3), 0.0, 0.01), lambda: at * bt + at - at]
        for (_, _, peers), fn in zip(cases, theirs):
            peers["torch"] = fn
    return cases


def bench_small(backend, rounds, rows, loaded=False):
    """Small ops, on a quiet machine and (loaded=True) with a busy-looping process on every other core."""
    hogs = []
    if loaded:
        hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(max(1, os.cpu_count() - 1))]
    try:
        for title, ours, peers in _small_cases(backend):
            def timed(fn=ours):
                fn()
                _sync(backend)
            medians = interleaved(dict(minispore=timed, **peers), rounds)
            rows.append(report(title + (" (other cores busy)" if loaded else ""), medians, "calls/s", 1.0))
    finally:
        for hog in hogs:
            hog.kill()


EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def _torch_lenet5(net):
    """PyTorch's LeNet5 holding the weights of our `net`."""
    t = torch.nn
    model = t.Sequential(t.Conv2d(1, 6, 5, bias=False), t.ReLU(), t.MaxPool2d(2, 2), t.Conv2d(6, 16, 5, bias=False),
                         t.ReLU(), t.MaxPool2d(2, 2), t.Flatten(), t.Linear(400, 120), t.ReLU(), t.Linear(120, 84),
                         t.ReLU(), t.Linear(84, 10))
    ours = [net.conv1.weight, net.conv2.weight, net.fc1.weight, net.fc1.bias, net.fc2.weight, net.fc2.bias,
            net.fc3.weight, net.fc3.bias]
    with torch.no_grad():
        for theirs, p in zip(model.parameters(), ours):
            theirs.copy_(torch.from_numpy(p.asnumpy()))
    return model.eval()


def _resnet18(num_classes=1000):
    """ResNet-18 from the example's basic block: 7x7/2 conv, BN, ReLU, 3x3/2 max pool, four stages of two blocks
    (64, 128, 256, 512 channels), global average, dense; eval mode, seeded BN statistics."""
    block = runpy.run_path(str(EXAMPLES / "resnet_block.py"))
    blocks, channels = [], 64
    for width, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        blocks += [block["ResidualBlockBase"](channels, width, stride), block["ResidualBlockBase"](width, width)]
        channels = width

    class ResNet18(nn.Cell):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, stride=2, pad_mode="pad", padding=3, weight_init="HeNormal")
            self.bn1 = nn.BatchNorm2d(64, eps=1e-4)
            self.relu = nn.ReLU()
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, pad_mode="pad", padding=1)
            self.layers = nn.SequentialCell(blocks)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.flatten = nn.Flatten()
            self.end_point = nn.Dense(512, num_classes, weight_init="HeUniform", bias_init="zeros")

        def construct(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            return self.end_point(self.flatten(self.pool(self.layers(x))))

    net = ResNet18()
    block["set_trained_statistics"](net)
    return net


def _torch_resnet18(net):
    """The same network in PyTorch, holding our `net`'s weights and statistics."""
    t = torch.nn

    class Block(t.Module):
        def __init__(self, ours):
            super().__init__()
            cin, cout = ours.conv1.in_channels, ours.conv1.out_channels
            stride = ours.conv1.stride[0] if isinstance(ours.conv1.stride, tuple) else ours.conv1.stride
            self.conv1 = _conv_like(ours.conv1, t.Conv2d(cin, cout, 3, stride, 1, bias=False))
            self.bn1 = _bn_like(ours.bn1d)
            self.conv2 = _conv_like(ours.conv2, t.Conv2d(cout, cout, 3, 1, 1, bias=False))
            self.bn2 = _bn_like(ours.bn2d)
            self.down = None
            if ours.down_sample:
                self.down = t.Sequential(_conv_like(ours.down_sample_layer[0], t.Conv2d(cin, cout, 1, stride,
                                                                                        bias=False)),
                                         _bn_like(ours.down_sample_layer[1]))

        def forward(self, x):
            out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            return torch.relu(out + (x if self.down is None else self.down(x)))

    stem = [_conv_like(net.conv1, t.Conv2d(3, 64, 7, 2, 3, bias=False)), _bn_like(net.bn1), t.ReLU(),
            t.MaxPool2d(3, 2, 1)]
    head = [t.AdaptiveAvgPool2d(1), t.Flatten(), t.Linear(512, net.end_point.out_channels)]
    with torch.no_grad():
        head[2].weight.copy_(torch.from_numpy(net.end_point.weight.asnumpy()))
        head[2].bias.copy_(torch.from_numpy(net.end_point.bias.asnumpy()))
    return t.Sequential(*stem, *(Block(b) for b in net.layers), *head).eval()


def _conv_like(ours, theirs):
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.asnumpy()))
    return theirs


def _bn_like(ours):
    theirs = torch.nn.BatchNorm2d(ours.num_features, eps=ours.eps)
    with torch.no_grad():
        for name, p in (("weight", ours.gamma), ("bias", ours.beta), ("running_mean", ours.moving_mean),
                        ("running_var", ours.moving_variance)):
            getattr(theirs, name).copy_(torch.from_numpy(p.asnumpy()))
    return theirs


def bench_models(backend, rounds, rows, quick):
    """Whole-network forwards (eval mode) and the 1024x1024 MatMul, against PyTorch with the same weights."""
    lenet = runpy.run_path(str(EXAMPLES / "lenet5.py"))
    set_seed(1)
    rng = np.random.default_rng(3)
    cases = []
    net = lenet["LeNet5"]()
    x = rng.standard_normal((32, 1, 32, 32)).astype(np.float32)
    flops = 2.0 * 32 * (6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10)
    cases.append(("LeNet5 forward, batch 32 (1x32x32)", net, x, flops,
                  _torch_lenet5 if torch is not None and backend.name == "CPU" else None))
    net = _resnet18()
    x = rng.standard_normal((2 if quick else 8, 3, 224, 224)).astype(np.float32)
    cases.append((f"ResNet-18 forward, batch {len(x)} (3x224x224)", net, x, 1.82e9 * 2 * len(x),
                  _torch_resnet18 if torch is not None and backend.name == "CPU" else None))
    for title, net, x, flops, make_theirs in cases:
        tx = Tensor(x)
        result = {}

        def ours(net=net, tx=tx):
            result["out"] = net(tx)
            _sync(backend)

        contenders = {"minispore": ours}
        if make_theirs is not None:
            model, xt = make_theirs(net), torch.from_numpy(x)

            def theirs(model=model, xt=xt):
                with torch.inference_mode():
                    result["torch"] = model(xt)
            contenders["torch"] = theirs
        spread = {}
        medians = interleaved(contenders, 5 if quick else rounds, spread=spread)
        errors = None
        if "torch" in result:
            out, ref = result["out"].asnumpy(), result["torch"].numpy()
            errors = {"torch (relative)": float(np.abs(out - ref).max() / np.abs(ref).max())}
        rows.append(report(title, medians, "GFLOP/s", flops / 1e9, errors, spread))
    n = 1024
    a, b = rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)
    result = {}
    contenders = _binary_contenders(backend, ops.MatMul(), a, b, np.matmul, "matmul", result)
    spread = {}
    medians = interleaved(contenders, rounds, spread=spread)
    err = float(np.abs(result["out"].asnumpy() - a.astype(np.float64) @ b).max())
    rows.append(report(f"MatMul {n}x{n} @ {n}x{n} float32", medians, "GFLOP/s", 2.0 * n ** 3 / 1e9,
                       {"float64": err}, spread))


def bench_train(backend, rounds, rows, quick):
    """One training step (forward, backward, Momentum 0.01/0.9 in place) of LeNet5 (batch 32) and ResNet-18
    (batch 8; 2 with --quick; training-mode BatchNorm) against PyTorch with the same weights and update."""
    lenet = runpy.run_path(str(EXAMPLES / "lenet5.py"))
    set_seed(1)
    rng = np.random.default_rng(5)
    cases = [("LeNet5 training step, batch 32 (forward, backward, Momentum)", lenet["LeNet5"](), _torch_lenet5,
              rng.standard_normal((32, 1, 32, 32)).astype(np.float32), 10, rounds)]
    batch = 2 if quick else 8
    cases.append((f"ResNet-18 training step, batch {batch} (forward, backward, Momentum)", _resnet18(),
                  _torch_resnet18, rng.standard_normal((batch, 3, 224, 224)).astype(np.float32), 1000, 3))
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    for title, net, make_theirs, x, classes, case_rounds in cases:
        labels = (np.arange(len(x)) % classes).astype(np.int32)
        theirs_model = make_theirs(net).train() if torch is not None and backend.name == "CPU" else None
        net.set_train()
        step = nn.TrainOneStepCell(nn.WithLossCell(net, loss_fn), nn.Momentum(net.trainable_params(), 0.01, 0.9))
        tx, ty = Tensor(x), Tensor(labels)

        def ours(step=step, tx=tx, ty=ty):
            step(tx, ty)
            _sync(backend)

        contenders = {"minispore": ours}
        if theirs_model is not None:
            optimizer = torch.optim.SGD(theirs_model.parameters(), lr=0.01, momentum=0.9)
            xt, yt = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))

            def theirs(model=theirs_model, optimizer=optimizer, xt=xt, yt=yt):
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(xt), yt).backward()
                optimizer.step()
            contenders["torch"] = theirs
        spread = {}
        medians = interleaved(contenders, case_rounds, min_seconds=0.5, spread=spread)
        rows.append(report(title, medians, "steps/s", 1.0, None, spread))


def _numpy_softmax(a):
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def bench_ops(backend, rounds, rows, quick):
    """The element-wise, comparison and reduction primitives at 4M float32 elements (1M with --quick) against
    NumPy; GB/s counts the bytes read and written once."""
    n = 1024 if quick else 2048
    rng = np.random.default_rng(4)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    pos = np.abs(a) + np.float32(0.1)
    four = a.nbytes
    cases = [  # title, primitive, inputs, NumPy's, bytes moved
        ("Div", ops.Div(), (a, pos), np.divide, 3 * four),
        ("Exp", ops.Exp(), (a,), np.exp, 2 * four),
        ("Log", ops.Log(), (pos,), np.log, 2 * four),
        ("Sqrt", ops.Sqrt(), (pos,), np.sqrt, 2 * four),
        ("Maximum", ops.Maximum(), (a, b), np.maximum, 3 * four),
        ("Greater", ops.Greater(), (a, b), np.greater, 2 * four + four // 4),
        ("ReLU", ops.ReLU(), (a,), lambda x: np.maximum(x, 0), 2 * four),
        ("Sigmoid", ops.Sigmoid(), (a,), lambda x: 1 / (1 + np.exp(-x)), 2 * four),
        ("Tanh", ops.Tanh(), (a,), np.tanh, 2 * four),
        ("ReduceSum (last axis)", ops.ReduceSum(), (a, -1), lambda x, axis: x.sum(axis), four + four // n),
        ("ReduceSum (first axis)", ops.ReduceSum(), (a, 0), lambda x, axis: x.sum(axis), four + four // n),
        ("Softmax (last axis)", ops.Softmax(), (a,), _numpy_softmax, 2 * four),
    ]
    for name, prim, inputs, theirs, nbytes in cases:
        args = [Tensor(v) if isinstance(v, np.ndarray) else v for v in inputs]
        result = {}

        def ours(prim=prim, args=args):
            result["out"] = prim(*args)
            _sync(backend)

        contenders = {"minispore": ours}
        if backend.name == "CPU":
            contenders["numpy"] = lambda theirs=theirs, inputs=inputs: result.__setitem__("numpy", theirs(*inputs))
        spread = {}
        medians = interleaved(contenders, rounds, spread=spread)
        ref = theirs(*(v.astype(np.float64) if isinstance(v, np.ndarray) else v for v in inputs))
        err = float(np.abs(result["out"].asnumpy().astype(np.float64) - ref).max())
        rows.append(report(f"{name} {n}x{n} float32", medians, "GB/s", nbytes / 1e9, {"float64": err}, spread))


_FIRST_CONV = """
import time; t0 = time.perf_counter()
import numpy as np
import minispore.nn as nn
from minispore import Tensor, context
context.set_context(device_target={device!r})
net = nn.Conv2d(3, 64, 3, weight_init='Normal')
net(Tensor(np.ones([1, 3, 16, 50], np.float32))).asnumpy()
print(time.perf_counter() - t0)
"""


_TORCH_FIRST_CONV = """
import time; t0 = time.perf_counter()
import numpy as np
import torch
net = torch.nn.Conv2d(3, 64, 3, padding=1)
net(torch.from_numpy(np.ones([1, 3, 16, 50], np.float32))).detach().numpy()
print(time.perf_counter() - t0)
"""


def _fresh_process(code, env):
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0


def bench_first_conv(device, rows, rounds=3):
    """Fresh process to the guide's first conv result: with an empty Numba cache (a new folder each round), with
    that cache warm, and PyTorch's fresh process, interleaved; medians."""
    times = {"cold": [], "warm": [], "torch": []}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache)
            times["cold"].append(_fresh_process(_FIRST_CONV.format(device=device), env))
            times["warm"].append(_fresh_process(_FIRST_CONV.format(device=device), env))
        if torch is not None:
            times["torch"].append(_fresh_process(_TORCH_FIRST_CONV, dict(os.environ)))
    cold, warm = statistics.median(times["cold"]), statistics.median(times["warm"])
    line = f"fresh process to first conv result: empty Numba cache {cold:6.2f} s, warm cache {warm:6.2f} s"
    row = {"case": "first conv", "cold_s": cold, "warm_s": warm, "cold_runs": times["cold"]}
    if times["torch"]:
        theirs = statistics.median(times["torch"])
        line += f" | torch {theirs:6.2f} s: cold x{cold / theirs:.1f} torch's time, warm x{warm / theirs:.2f}"
        row.update(torch_s=theirs, cold_over_torch=cold / theirs, warm_over_torch=warm / theirs)
    print(line, flush=True)
    rows.append(row)


GROUPS = ["conv", "init", "add", "small", "models", "train", "ops", "first"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller fills")
    parser.add_argument("--device", default="CPU", choices=["CPU", "GPU"])
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--only", choices=GROUPS, action="append",
                        help="run only these groups (repeatable); 'models' is LeNet5, ResNet-18 and MatMul, 'train' "
                             "their training steps, 'ops' the element-wise primitives")
    args = parser.parse_args(argv)
    context.set_context(device_target=args.device)
    backend = minispore._backend.current_backend()
    rounds = 5 if args.quick else 15
    groups = args.only or GROUPS
    import numba
    print(f"minispore {minispore.__version__} on {args.device}; numba {numba.__version__} "
          f"({numba.get_num_threads()} threads); numpy {np.__version__}; "
          f"torch {torch.__version__ + f' ({torch.get_num_threads()} threads)' if torch else 'not installed'}; "
          f"at least {rounds} interleaved rounds (more within 1 s), medians", flush=True)
    rows = []
    if "conv" in groups:
        bench_convs(backend, rounds, rows)
    if "init" in groups:
        bench_inits(backend, rounds, rows, args.quick)
    if "add" in groups:
        bench_add(backend, rounds, rows, args.quick)
    if "small" in groups:
        bench_small(backend, rounds, rows)
        bench_small(backend, rounds, rows, loaded=True)
    if "models" in groups:
        bench_models(backend, rounds, rows, args.quick)
    if "train" in groups:
        bench_train(backend, rounds, rows, args.quick)
    if "ops" in groups:
        bench_ops(backend, rounds, rows, args.quick)
    if "first" in groups:
        bench_first_conv(args.device, rows)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
