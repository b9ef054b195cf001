"""Invariants that could break silently (STYLE 16): products in bodies, contiguity before BLAS, the kernel cache."""
import ast
import inspect
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from minispore.kernels import bodies, cpu_conv

# Products a body may write with `*`: integer arithmetic (Philox), and the element op MUL, whose single product
# is stored as it is (nothing to fuse it with) and must also serve integer dtypes, which `mul` cannot.
_INTEGER_CASTS = {"uint64", "uint32", "int64", "int32"}
_ALLOWED = {("mul", "a * b"), ("dmul", "a * b"), ("mul_value", "a * b"),
            # integer index arithmetic (chain geometry, tap positions), not float products
            ("r13_chain", "t * batch"), ("r13_chain", "(R13_CHAINS - 1) * batch"), ("r13_chain", "length * t"),
            ("conv_row_taps", "kd * dil[0]"), ("conv_row_taps", "kh * dil[1]"), ("conv_row_taps", "kw * dil[2]"),
            ("conv_row_taps", "ow_lo * sw"), ("conv_row_taps", "i * stride[1]"),
            ("conv_row_taps", "j * np.uint64(sw)"), ("conv_rows_nine", "i * sh")}
_INDEX_BODIES = {"im2col_source"}  # bodies of integer index arithmetic only (every argument is an int)


def _is_integer(node):
    """An operand that is an integer by construction: an int literal or a cast to a NumPy integer type."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in _INTEGER_CASTS)


def test_every_float_product_in_a_body_goes_through_mul():
    # the CUDA simulator cannot see an FMA the compiler would fuse: this is the only guard of bit-identity there
    tree = ast.parse(inspect.getsource(bodies))
    offenders = []
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name not in _INDEX_BODIES):
        for node in ast.walk(fn):
            if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Mult):
                offenders.append((fn.name, ast.unparse(node)))
            if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Pow, ast.MatMult)):
                if _is_integer(node.left) and _is_integer(node.right):
                    continue
                if (fn.name, ast.unparse(node)) not in _ALLOWED:
                    offenders.append((fn.name, ast.unparse(node)))
    assert not offenders, f"products outside mul: {offenders}"


def test_the_products_check_catches_a_float_product():
    source = "def f(x):\n    return x * np.float32(2.0)\n"
    node = ast.parse(source).body[0].body[0].value
    assert not (_is_integer(node.left) and _is_integer(node.right))


def test_conv_refuses_arrays_that_are_not_c_contiguous():
    # the conv hands raw pointers to BLAS: a strided array would be read as if it were dense
    from minispore.kernels import cpu
    x = np.ones((1, 8, 1, 6, 14), np.float32)[..., ::2]
    w = np.ones((4, 8, 1, 3, 3), np.float32)
    out = np.empty((1, 4, 1, 4, 5), np.float32)
    plan = cpu.conv_plan(x.shape, w.shape, np.float32, (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0), (1, 4, 5), 1)
    assert plan.algorithm != "direct"  # a GEMM path: raw pointers
    scratch = np.empty((plan.scratch,), np.float32)
    with pytest.raises(ValueError, match="C-contiguous.*'x'"):
        cpu_conv.conv_gemm(x, w, out, scratch, plan)
    with pytest.raises(ValueError, match="C-contiguous.*'out'"):
        cpu_conv.conv_gemm(np.ascontiguousarray(x), w, np.empty((1, 4, 1, 4, 10), np.float32)[..., ::2], scratch,
                           plan)


@pytest.mark.cpu_only
def test_numba_cache_is_invalidated_when_the_bodies_change(tmp_path):
    # Numba keys a cached kernel on its own file; an edit of bodies.py used to leave the stale kernel running
    package = tmp_path / "kernels_copy"
    shutil.copytree(os.path.dirname(bodies.__file__), package, ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import numpy as np\n"
            "from kernels_copy import bodies, cpu\n"
            "a, b, out = np.arange(4.0), np.full(4, 10.0), np.empty(4)\n"
            "cpu.binary(bodies.ADD, out, a, b, (4,), (1,), (1,))\n"
            "print(out.tolist())\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))

    def run():
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip()

    assert run() == "[10.0, 11.0, 12.0, 13.0]"
    assert run() == "[10.0, 11.0, 12.0, 13.0]"  # now from the cache
    source = (package / "bodies.py").read_text()
    edited = source.replace("def add_value(a, b):\n    return a + b\n", "def add_value(a, b):\n    return a + b + b\n")
    assert edited != source
    (package / "bodies.py").write_text(edited)
    assert run() == "[20.0, 21.0, 22.0, 23.0]"


@pytest.mark.cpu_only
def test_serial_and_parallel_copies_of_every_cpu_kernel_give_the_same_bits(monkeypatch):
    # small work runs a kernel's serial copy (some with long bodies compiled as calls): it must equal the parallel
    import minispore.nn as nn
    from minispore import Tensor, context
    from minispore.common import initializer as init
    from minispore.common import set_seed
    from minispore.kernels import _parallel
    from minispore.ops import operations as ops

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((1, 3, 70, 50)).astype(np.float32))
    w = Tensor(rng.standard_normal((16, 3, 3, 3)).astype(np.float32))
    a = Tensor(rng.standard_normal((300, 200)).astype(np.float32))
    b = Tensor(rng.standard_normal(200).astype(np.float32))
    x64, w64 = Tensor(x.asnumpy().astype(np.float64)), Tensor(w.asnumpy().astype(np.float64))  # a GEMM path

    def results():
        out = [ops.Conv2D(16, 3, pad_mode="same")(x, w), ops.Add()(a, b), ops.Conv2D(16, 3)(x64, w64)]
        out += layer_results()
        for generator in context.INITIALIZER_RNGS:
            context.set_context(initializer_rng=generator)
            for make in (init.Normal, init.Uniform, init.TruncatedNormal):
                set_seed(3)
                out.append(init.initializer(make(0.5), (300, 130)))
        context.set_context(initializer_rng="mindspore-r1.3")
        return [t.asnumpy().tobytes() for t in out]

    def layer_results():
        # the layer kernels: pooling (max with indices, average), adaptive pooling, BatchNorm in training (partial
        # sums, finish, apply) and evaluation, LayerNorm, Dropout, a MatMul of several row blocks, col2im
        out = list(nn.MaxPool2d(3, 2, pad_mode="pad", padding=1, return_indices=True)(x))
        out += [nn.AvgPool2d(3, 2, pad_mode="same")(x), nn.MaxPool2d(2, 2)(x), nn.AdaptiveAvgPool2d((5, 7))(x)]
        bn = nn.BatchNorm2d(3, momentum=0.7)
        bn.set_train()
        out += [bn(x), bn.moving_mean, bn.moving_variance]
        bn.set_train(False)
        out += [bn(x), nn.LayerNorm((50,), begin_norm_axis=-1, begin_params_axis=-1)(x)]
        set_seed(5)
        drop = nn.Dropout(p=0.3)
        drop.set_train()
        out += [drop(x), ops.MatMul(transpose_b=True)(a, a), nn.Conv2dTranspose(3, 4, 3, stride=2)(x)]
        return out

    monkeypatch.setattr(_parallel, "SERIAL_BELOW", 0)
    parallel = results()
    monkeypatch.setattr(_parallel, "SERIAL_BELOW", 1 << 62)
    assert results() == parallel
