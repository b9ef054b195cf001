"""Run every example in order, printing what each prints: the MindSpore initializer guide's, then the models.

Usage: python examples/run_all.py [--device CPU|GPU] [NAME ...]

NAME picks examples: a guide example by its number (01 ... 07), a model by its name (lenet5, resnet_block,
train_lenet5);
default: all of them.

Each guide script is the guide's code with `mindspore` replaced by `minispore`; the models are MindSpore
model-zoo networks (LeNet5 with a checkpoint round trip, a ResNet basic block, LeNet5 trained on scikit-learn's
digits: needs the `examples` extra). They run in this process, after
``context.set_context(device_target=...)``, with their own default arguments, so ``--device GPU`` runs them all on
the GPU backend (a real GPU, or Numba's CUDA simulator when NUMBA_ENABLE_CUDASIM=1).
"""
import argparse
import pathlib
import runpy
import sys

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLES = sorted(p for p in HERE.glob("[0-9][0-9]_*.py")) + [HERE / name for name in (
    "lenet5.py", "resnet_block.py", "train_lenet5.py")]


def _key(path):
    """How an example is picked on the command line: the guide's by number, the models by name."""
    return path.name[:2] if path.name[:2].isdigit() else path.stem


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="CPU", choices=["CPU", "GPU"], help="device_target (default CPU)")
    parser.add_argument("numbers", nargs="*", metavar="NAME",
                        help="run only these examples: 01 ... 07, lenet5, resnet_block, train_lenet5")
    args = parser.parse_args(argv)
    chosen = [p for p in EXAMPLES if not args.numbers or _key(p) in args.numbers]
    if len(chosen) != len(args.numbers or EXAMPLES):
        parser.error(f"unknown examples {args.numbers}; they are {[_key(p) for p in EXAMPLES]}")
    from minispore import context
    context.set_context(device_target=args.device)
    for path in chosen:
        title = (path.stem[3:] if _key(path) != path.stem else path.stem).replace("_", " ")
        print(f"=== {path.name}: {title} ({args.device}) ===", flush=True)
        argv, sys.argv = sys.argv, [str(path)]  # a model example parses its own (default) arguments
        try:
            runpy.run_path(str(path), run_name="__main__")
        finally:
            sys.argv = argv
        print(flush=True)


if __name__ == "__main__":
    main()
