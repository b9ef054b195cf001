"""Run every example of the MindSpore initializer guide in order, printing what each prints.

Usage: python examples/run_all.py [--device CPU|GPU] [NN ...]

NN picks examples by their number (default: all seven).

Each script is the guide's code with `mindspore` replaced by `minispore`. They run in this process, after
``context.set_context(device_target=...)``, so ``--device GPU`` runs them all on the GPU backend (a real GPU, or
Numba's CUDA simulator when NUMBA_ENABLE_CUDASIM=1).
"""
import argparse
import pathlib
import runpy

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLES = sorted(p for p in HERE.glob("[0-9][0-9]_*.py"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="CPU", choices=["CPU", "GPU"], help="device_target (default CPU)")
    parser.add_argument("numbers", nargs="*", help="run only these examples, by number (01 ... 07)")
    args = parser.parse_args(argv)
    chosen = [p for p in EXAMPLES if not args.numbers or p.name[:2] in args.numbers]
    if len(chosen) != len(args.numbers or EXAMPLES):
        parser.error(f"unknown example numbers {args.numbers}; they are {[p.name[:2] for p in EXAMPLES]}")
    from minispore import context
    context.set_context(device_target=args.device)
    for path in chosen:
        title = path.stem[3:].replace("_", " ")
        print(f"=== {path.name}: {title} ({args.device}) ===", flush=True)
        runpy.run_path(str(path), run_name="__main__")
        print(flush=True)


if __name__ == "__main__":
    main()
