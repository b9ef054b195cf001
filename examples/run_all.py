"""Run every example of the MindSpore initializer guide in order, printing what each prints.

Usage: python examples/run_all.py [--device CPU|GPU]

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
    args = parser.parse_args(argv)
    from minispore import context
    context.set_context(device_target=args.device)
    for path in EXAMPLES:
        title = path.stem[3:].replace("_", " ")
        print(f"=== {path.name}: {title} ({args.device}) ===", flush=True)
        runpy.run_path(str(path), run_name="__main__")
        print(flush=True)


if __name__ == "__main__":
    main()
