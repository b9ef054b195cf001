"""GPU checks and benchmarks: CPU-vs-GPU bit-identity at scale, init throughput against a store-only kernel and
the H200's 4.8 TB/s, and conv GFLOP/s against torch cuDNN FP32 when torch is installed.

Usage: python benchmarks/gpu.py OUT.json [--elements N] [--rounds R]

Exits non-zero when any initializer's GPU bits differ from the CPU's. Under NUMBA_ENABLE_CUDASIM=1 run it with a
tiny --elements (the simulator executes every CUDA thread in Python).
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
from numba import cuda

from minispore import Tensor, _backend, context
from minispore.common import initializer as init
from minispore.common import set_seed
from minispore.common.initializer import initializer
from minispore.ops import operations as ops

HBM_BYTES_PER_S = 4.8e12
INITS = {"Normal": init.Normal(1.0), "Uniform": init.Uniform(1.0), "TruncatedNormal": init.TruncatedNormal(1.0),
         "HeUniform": init.HeUniform(), "HeNormal": init.HeNormal(), "XavierUniform": init.XavierUniform(),
         "VarianceScaling": init.VarianceScaling(), "Zero": init.Zero()}
CONVS = [("conv2d 8x64x56x56->64 3x3 pad1", (8, 64, 56, 56), 64, (3, 3), 1),
         ("conv2d 1x256x14x14->256 3x3 pad1", (1, 256, 14, 14), 256, (3, 3), 1),
         ("conv3d 16x3x10x32x32->32 (4,3,3) valid", (16, 3, 10, 32, 32), 32, (4, 3, 3), 0),
         ("conv3d 2x32x16x32x32->64 3x3x3 pad1", (2, 32, 16, 32, 32), 64, (3, 3, 3), 1)]


def _generate(device, init_obj, shape, seed):
    context.set_context(device_target=device)
    set_seed(seed)
    return initializer(init_obj, shape).asnumpy()


def check_bit_identity(elements):
    """{initializer: True/False}: GPU bits equal the CPU's for a (elements // 64, 64) tensor and two seeds."""
    shape = (max(1, elements // 64), 64)
    result = {}
    for name, init_obj in INITS.items():
        same = True
        for seed in (0, 12345):
            gpu = _generate("GPU", init_obj, shape, seed)
            cpu = _generate("CPU", init_obj, shape, seed)
            same &= gpu.tobytes() == cpu.tobytes()
        result[name] = bool(same)
        print(f"bit-identical CPU vs GPU, {name:<16} {shape}: {same}", flush=True)
    context.set_context(device_target="GPU")
    return result


def _median_seconds(fn, sync, rounds):
    fn()
    sync()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


@cuda.jit
def store_only(out, value):
    """The bandwidth yardstick: a grid-stride kernel that only stores."""
    i = cuda.grid(1)
    while i < out.size:
        out[i] = value
        i += cuda.gridsize(1)


def bench_inits(backend, elements, rounds, sync):
    out = backend.empty((elements,), np.float32)
    blocks, threads = backend.kernels._grid(elements)
    store = _median_seconds(lambda: store_only[blocks, threads](out, np.float32(1)), sync, rounds)
    nbytes = 4.0 * elements
    rows = [{"case": "store-only fill", "GB/s": nbytes / store / 1e9, "fraction_of_4.8TB/s": nbytes / store /
             HBM_BYTES_PER_S}]
    print(f"store-only fill kernel {elements} float32: {nbytes / store / 1e9:8.1f} GB/s", flush=True)
    for name in ("Normal", "Uniform", "TruncatedNormal", "HeUniform"):
        t = _median_seconds(lambda: initializer(INITS[name], (elements,) if name not in ("HeUniform",)
                                                else (elements // 64, 64)).init_data(), sync, rounds)
        rate = nbytes / t
        rows.append({"case": f"init {name}", "GB/s": rate / 1e9, "fraction_of_store_only": store / t,
                     "fraction_of_4.8TB/s": rate / HBM_BYTES_PER_S})
        print(f"init {name:<16} {rate / 1e9:8.1f} GB/s = {store / t:5.1%} of store-only, "
              f"{rate / HBM_BYTES_PER_S:5.1%} of 4.8 TB/s", flush=True)
    return rows


TINY_CONVS = [("conv2d 1x2x6x6->3 3x3 pad1", (1, 2, 6, 6), 3, (3, 3), 1),
              ("conv3d 1x2x4x4x4->2 (2,3,3) valid", (1, 2, 4, 4, 4), 2, (2, 3, 3), 0)]


def bench_convs(rounds, sync, cases):
    try:
        import torch
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    rows = []
    for title, xshape, out_c, kernel, pad in cases:
        nd = len(kernel)
        x = rng.standard_normal(xshape).astype(np.float32)
        w = (rng.standard_normal((out_c, xshape[1]) + kernel) * 0.1).astype(np.float32)
        prim = (ops.Conv2D if nd == 2 else ops.Conv3D)(out_c, kernel, pad_mode="pad" if pad else "valid", pad=pad)
        tx, tw = Tensor(x), Tensor(w)
        ours = prim(tx, tw)
        t = _median_seconds(lambda: prim(tx, tw), sync, rounds)
        flops = 2.0 * ours.size * xshape[1] * np.prod(kernel)
        row = {"case": title, "minispore_ms": t * 1e3, "GFLOP/s": flops / t / 1e9}
        line = f"{title:<42} minispore {t * 1e3:8.3f} ms {flops / t / 1e9:9.1f} GFLOP/s"
        if torch is not None and torch.cuda.is_available():
            xt, wt = torch.from_numpy(x).cuda(), torch.from_numpy(w).cuda()
            conv = torch.nn.functional.conv2d if nd == 2 else torch.nn.functional.conv3d
            with torch.no_grad():
                ref = conv(xt, wt, padding=pad)
                tt = _median_seconds(lambda: conv(xt, wt, padding=pad), torch.cuda.synchronize, rounds)
            err = float(np.abs(ours.asnumpy() - ref.cpu().numpy()).max())
            row.update({"torch_cudnn_ms": tt * 1e3, "fraction_of_cudnn": tt / t, "max_error": err})
            line += f" | cuDNN FP32 {tt * 1e3:8.3f} ms -> {tt / t:5.1%} | max err {err:.1e}"
        print(line, flush=True)
        rows.append(row)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="JSON summary to write")
    parser.add_argument("--elements", type=int, default=1 << 24, help="elements for identity and init figures")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--tiny", action="store_true", help="toy convolutions (to check the script in the simulator)")
    args = parser.parse_args(argv)
    context.set_context(device_target="GPU")
    backend = _backend.current_backend()
    sync = (lambda: backend.xp.cuda.get_current_stream().synchronize()) if backend.xp is not np else (lambda: None)
    summary = {"identity": check_bit_identity(args.elements)}
    summary["init"] = bench_inits(backend, args.elements, args.rounds, sync)
    summary["conv"] = bench_convs(args.rounds, sync, TINY_CONVS if args.tiny else CONVS)
    with open(args.out, "w") as fh:
        json.dump(summary, fh, indent=1)
    if not all(summary["identity"].values()):
        print("FAIL: GPU weights differ from the CPU's", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
