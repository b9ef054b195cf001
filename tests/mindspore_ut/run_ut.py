"""Run MindSpore's own unit tests against minispore through a ``mindspore`` -> ``minispore`` import alias.

Usage::

    python tests/mindspore_ut/run_ut.py UT_DIR [-v] [FILE ...]

UT_DIR is a copy of MindSpore's ``tests/ut/python`` (or a folder with some of its files in the same layout); the
files are not part of minispore and are not stored here. FILE defaults to the files below that exist in UT_DIR.
The files are copied to a temporary package (with a stand-in for MindSpore's ``ut_filter`` helpers), the alias is
installed, pytest runs them in this process, and the counts are printed: passed, failed, and not applicable.

A test is *not applicable* when it fails only because it reaches what minispore leaves out on purpose:
MindSpore-internal modules (``mindspore._checkparam``, ``mindspore.common.api``: any ``mindspore.X`` that has no
``minispore.X`` is a stub that raises `NotInMinispore` when used), graph compilation, auto-parallel contexts,
complex and string dtypes, ``Model``, or NumPy aliases that NumPy 2 removed (``np.bool``, ``np.float``,
``np.int``); or when MindSpore 2.10 itself fails it the same way (the test predates a 2.x change; each such test
is named in NOT_APPLICABLE_TESTS with what 2.10 does). Everything else is a failure, listed with its first line so
each can be judged.

The versions counted (mindspore-ai/mindspore, the 2.x ones where the stored history has several): nn/test_parameter.py
3d3254a99041, nn/test_cell.py 1239cd6135f6, nn/test_container.py 21513404c4fb, nn/test_conv.py e386367ade95 (the
one whose Conv2dTranspose takes 2.x's ``output_padding``; r1.x's 3f1c6b7b47b8 passes ``dilation`` in its place and
fails on MindSpore 2.10 too), nn/test_init_no_super.py 74e1f3ea86a9, utils/test_initializer.py e897eb4c4143,
ir/test_tensor.py dfcd89f1bfbc.

This file is not collected by pytest (its name does not start with ``test_``).
"""
import argparse
import importlib
import importlib.abc
import importlib.util
import os
import shutil
import sys
import tempfile
import types

DEFAULT_FILES = (
    "nn/test_parameter.py", "nn/test_cell.py", "nn/test_container.py", "nn/test_conv.py",
    "nn/test_init_no_super.py", "utils/test_initializer.py", "ir/test_tensor.py",
)

# substrings of a failure that mark what minispore leaves out on purpose (see the module docstring)
NOT_APPLICABLE = (
    "NotInMinispore", "auto_parallel_context", "complex64", "complex128", "'Model'",
    "module 'numpy' has no attribute",
)
# tests that check something minispore leaves out, whatever their failure says
NOT_APPLICABLE_TESTS = {
    "ir/test_tensor.py::test_tensor_input_ndarray_str": "string tensors",
    "nn/test_parameter.py::test_parameter_init_from_tensor": "Parameter._from_tensor (not in MindSpore 2.10 either)",
    "nn/test_parameter.py::test_scalar_parameter_update":
        "MindSpore 2.10 fails it too: a float16 Parameter's set_data casts float32 data, raising nothing",
}

_UT_FILTER = '''"""Stand-in for MindSpore's tests/ut/python/ut_filter.py: every helper is a no-op decorator."""


def _identity(fn=None, *args, **kwargs):
    return fn if callable(fn) else (lambda f: f)


def __getattr__(name):
    return _identity
'''


class NotInMinispore(Exception):
    """Raised when a test uses a part of MindSpore that minispore does not have (an internal module)."""


class _Missing:
    """Stands for `name` of a MindSpore module minispore lacks: attributes chain, calls raise."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Missing(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs):
        raise NotInMinispore(f"{self._name} is MindSpore-internal and not in minispore")

    def __repr__(self):
        return f"<missing {self._name}>"


def _stub_module(name):
    module = types.ModuleType(name)
    module.__path__ = []  # a package, so that deeper imports come to the finder too
    module.__getattr__ = lambda attr: (_ for _ in ()).throw(AttributeError(attr)) if attr.startswith("__") \
        else _Missing(f"{name}.{attr}")
    return module


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``mindspore`` and ``mindspore.X`` resolve to ``minispore`` and ``minispore.X`` (a stub where that is
    missing)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "mindspore" or fullname.startswith("mindspore."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        real = "minispore" + spec.name[len("mindspore"):]
        try:
            return importlib.import_module(real)
        except ImportError:
            return _stub_module(spec.name)

    def exec_module(self, module):
        pass


class _Collector:
    """A pytest plugin that records each test's outcome and the first line of its failure."""

    def __init__(self):
        self.results = {}  # nodeid -> (outcome, reason)
        self.root = None  # the folder the node ids are relative to

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            if report.outcome == "passed" and report.when != "call":
                return
            reason = ""
            if report.outcome != "passed":
                text = str(report.longrepr)
                lines = [line for line in text.splitlines() if line.startswith("E ")]
                reason = (lines[0][1:].strip() if lines else text.splitlines()[-1]) if text else ""
                reason = reason + (" [NotInMinispore]" if "NotInMinispore" in text and
                                   "NotInMinispore" not in reason else "")
            self.results.setdefault(report.nodeid, (report.outcome, reason))

    def pytest_collectreport(self, report):
        """A file that fails to import fails each of its tests (counted from its source, not run)."""
        if not report.failed or not report.nodeid.endswith(".py"):
            return
        lines = [line for line in str(report.longrepr).splitlines() if line.startswith("E ")]
        reason = "cannot import: " + (lines[-1][1:].strip() if lines else str(report.longrepr).splitlines()[-1])
        for name in _test_names(os.path.join(self.root, report.nodeid)):
            self.results.setdefault(f"{report.nodeid}::{name}", ("failed", reason))


def _test_names(path):
    """The test functions and test methods pytest would collect from the file at `path`."""
    import ast
    with open(path) as handle:
        tree = ast.parse(handle.read())
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            names.append(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names += [f"{node.name}::{item.name}" for item in node.body
                      if isinstance(item, ast.FunctionDef) and item.name.startswith("test")]
    return names


def _stage(ut_dir, files, root):
    """Copy `files` of `ut_dir` into the package `root`/ut with MindSpore's layout; returns the copied paths."""
    package = os.path.join(root, "ut")
    os.makedirs(package)
    with open(os.path.join(package, "__init__.py"), "w"):
        pass
    with open(os.path.join(package, "ut_filter.py"), "w") as handle:
        handle.write(_UT_FILTER)
    staged = []
    for rel in files:
        source = os.path.join(ut_dir, rel)
        if not os.path.isfile(source):
            continue
        target = os.path.join(package, rel)
        folder = os.path.dirname(target)
        while folder != package and not os.path.exists(os.path.join(folder, "__init__.py")):
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "__init__.py"), "w"):
                pass
            folder = os.path.dirname(folder)
        shutil.copyfile(source, target)
        staged.append(target)
    return staged


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ut_dir", help="a copy of MindSpore's tests/ut/python (or some of its files)")
    parser.add_argument("files", nargs="*", help=f"files under UT_DIR (default: {', '.join(DEFAULT_FILES)})")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every test, not only the failures")
    args = parser.parse_args(argv)
    import pytest
    sys.meta_path.insert(0, _AliasFinder())
    collector = _Collector()
    with tempfile.TemporaryDirectory() as root:
        staged = _stage(args.ut_dir, args.files or DEFAULT_FILES, root)
        collector.root = root
        if not staged:
            print(f"no MindSpore unit-test files found under {args.ut_dir}")
            return 2
        config = os.path.join(root, "pytest.ini")  # none of minispore's own pytest settings
        with open(config, "w") as handle:
            handle.write("[pytest]\n")
        pytest.main(["-qq", "--tb=short", "-rN", "--disable-warnings", "-p", "no:cacheprovider", "-c", config,
                     "--rootdir", root, "--import-mode=prepend", "--continue-on-collection-errors",
                     "-W", "ignore::UserWarning", *staged], plugins=[collector])
    counts = {"passed": 0, "failed": 0, "not applicable": 0, "skipped": 0}
    per_file = {}
    for nodeid, (outcome, reason) in sorted(collector.results.items()):
        name = nodeid.split("::")[0].split("ut/", 1)[-1]
        test_id = name + "::" + nodeid.split("::", 1)[-1]
        if outcome == "failed" and test_id in NOT_APPLICABLE_TESTS:
            outcome, reason = "not applicable", f"{NOT_APPLICABLE_TESTS[test_id]}: {reason}"
        elif outcome == "failed" and any(marker in reason for marker in NOT_APPLICABLE):
            outcome = "not applicable"
        counts[outcome] = counts.get(outcome, 0) + 1
        per_file.setdefault(name, {}).setdefault(outcome, 0)
        per_file[name][outcome] += 1
        if outcome != "passed" or args.verbose:
            print(f"{outcome.upper():15} {test_id}  {reason}")
    print()
    for name, file_counts in per_file.items():
        print(f"{name:32} " + ", ".join(f"{k} {v}" for k, v in sorted(file_counts.items())))
    applicable = counts["passed"] + counts["failed"]
    rate = 100.0 * counts["passed"] / applicable if applicable else 0.0
    print(f"\npassed {counts['passed']} of {applicable} applicable ({rate:.1f}%); failed {counts['failed']}; "
          f"not applicable {counts['not applicable']}; skipped {counts['skipped']}")
    return 0 if counts["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
