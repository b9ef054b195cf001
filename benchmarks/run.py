"""minispore against PyTorch CPU (when installed) and NumPy, in one process, interleaved, medians.

Usage: python benchmarks/run.py [--quick] [--device CPU|GPU] [--json FILE]

For every case, each contender runs once per round, in turn, so drifts in clock speed hit all alike; the figure
is the median over at least 15 rounds (5 with --quick), more for fast cases until a second has passed. Prints
time, GFLOP/s or GB/s, the ratio to each peer (>1 means minispore is faster), and the largest difference from the
reference result. Also the time from a fresh process to the first convolution result with an empty and a warm
Numba cache, and the peak extra memory of each convolution.
"""
import argparse
import json
import os
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


def interleaved(contenders, rounds, min_seconds=1.0):
    """{name: median seconds} running each contender once per round, in turn: at least `rounds` rounds, and more
    (up to 100 times as many) until `min_seconds` have passed, so sub-millisecond cases get stable medians."""
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
    return {name: statistics.median(ts) for name, ts in times.items()}


def report(title, medians, unit, amount, errors=None):
    ours = medians["minispore"]
    rate = amount / ours
    line = f"{title:<52} minispore {ours * 1e3:9.3f} ms {rate:8.2f} {unit}"
    row = {"case": title, "minispore_ms": ours * 1e3, unit: rate}
    for name, t in medians.items():
        if name != "minispore":
            line += f" | {name} {t * 1e3:9.3f} ms x{t / ours:5.2f}"
            row[f"{name}_ms"] = t * 1e3
            row[f"ratio_vs_{name}"] = t / ours
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


def bench_add(backend, rounds, rows, quick):
    n = 2048 if quick else 4096
    rng = np.random.default_rng(1)
    a = rng.standard_normal((n, n)).astype(np.float32)
    for title, b in ((f"Add {n}x{n} + {n}x{n}", rng.standard_normal((n, n)).astype(np.float32)),
                     (f"Add {n}x{n} + {n} (broadcast row)", rng.standard_normal(n).astype(np.float32))):
        ta, tb = Tensor(a), Tensor(b)
        add = ops.Add()
        result = {}

        def ours():
            result["out"] = add(ta, tb)
            _sync(backend)

        contenders = {"minispore": ours}
        if backend.name == "CPU":
            contenders["numpy"] = lambda: np.add(a, b)
            if torch is not None:
                at, bt = torch.from_numpy(a), torch.from_numpy(b)
                contenders["torch"] = lambda: torch.add(at, bt)
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller fills")
    parser.add_argument("--device", default="CPU", choices=["CPU", "GPU"])
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--only", choices=["conv", "init", "add", "small", "first"], action="append",
                        help="run only these groups (repeatable)")
    args = parser.parse_args(argv)
    context.set_context(device_target=args.device)
    backend = minispore._backend.current_backend()
    rounds = 5 if args.quick else 15
    groups = args.only or ["conv", "init", "add", "small", "first"]
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
    if "first" in groups:
        bench_first_conv(args.device, rows)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
