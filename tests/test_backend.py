"""The device model: one kernel contract on both targets, compute follows data, mixed devices refused."""
import inspect

import numpy as np
import pytest

from minispore import Tensor, context
from minispore.ops import operations as ops


def _signature(fn):
    return inspect.signature(getattr(fn, "py_func", fn))


def test_kernel_modules_export_the_same_names_and_signatures():
    from minispore.kernels import cpu
    cuda = pytest.importorskip("minispore.kernels.cuda", reason="numba-cuda is not installed")
    assert cpu.__all__ == cuda.__all__
    for name in cpu.__all__:
        if name == "philox4x32":  # a body: same source on both targets by construction
            continue
        assert _signature(getattr(cpu, name)) == _signature(getattr(cuda, name)), name


def test_ops_follow_their_inputs_device(device):
    a = Tensor(np.ones([2, 2], np.float32))
    context.set_context(device_target="CPU")
    out = a + a  # created on `device`, computed there even though the context now says CPU
    assert out._backend is a._backend and repr(out._backend).startswith(device)


def test_mixed_devices_raise_type_error(device):
    if device == "CPU":
        pytest.skip("needs the GPU backend")
    on_gpu = Tensor(np.ones([2], np.float32))
    context.set_context(device_target="CPU")
    on_cpu = Tensor(np.ones([2], np.float32))
    with pytest.raises(TypeError, match="one device.*'x' on GPU:0 and 'y' on CPU:0"):
        ops.Add()(on_gpu, on_cpu)
    with pytest.raises(TypeError, match="one device"):
        weight_on_gpu = Tensor._wrap(on_gpu._array()[:1].reshape(1, 1, 1, 1), on_gpu._backend)
        ops.Conv2D(1, 1)(Tensor(np.ones([1, 1, 2, 2], np.float32)), weight_on_gpu)


def _run_threads_in_a_fresh_process(body, threads, env=None):
    """Run `body` (code using `i`, the thread's number) in `threads` Python threads started at once, in a fresh
    process; returns the lines the threads appended to `collected`. A thread's exception, a crash or a hang fails
    the test."""
    import os
    import subprocess
    import sys
    import textwrap
    code = ("import sys, threading, time, traceback\n"
            "import numpy as np\n"
            "barrier = threading.Barrier(%d)\n"
            "failures, collected = [], []\n"
            "def work(i):\n"
            "    try:\n"
            "        barrier.wait()\n" % threads + textwrap.indent(textwrap.dedent(body), " " * 8) +
            "\n    except BaseException:\n"
            "        failures.append(traceback.format_exc())\n"
            "ts = [threading.Thread(target=work, args=(i,)) for i in range(%d)]\n"
            "[t.start() for t in ts]\n"
            "[t.join() for t in ts]\n"
            "print(*collected, sep='\\n')\n"
            "print('FAILED', *failures, sep='\\n') if failures else print('OK')\n" % threads)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, **(env or {})))
    assert run.returncode == 0 and run.stdout.splitlines()[-1] == "OK", run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout.splitlines()[:-1]


@pytest.mark.parametrize("threads", [2, 4])
def test_first_tensors_of_several_threads_share_one_backend(threads):
    # two threads creating their first Tensor at once built two CPU backends; Add then refused 'CPU:0 and CPU:0'
    _run_threads_in_a_fresh_process("""
        from minispore import Tensor, _backend
        make = _backend._make_cpu
        def slow(device_id):  # widen the window in which a second thread could build its own
            time.sleep(0.2)
            return make(device_id)
        _backend._make_cpu = slow
        a = Tensor(np.ones(3, np.float32))
        b = Tensor(np.ones(3, np.float32))
        assert (a + b).asnumpy().tolist() == [2, 2, 2]
        assert len(_backend._backends) == 1, _backend._backends
    """, threads)


def test_streams_claimed_by_concurrent_threads_are_distinct():
    out = _run_threads_in_a_fresh_process("""
        from minispore.common import seed
        claimed = [seed.next_stream()[1] for _ in range(2000)]
        collected.append(' '.join(map(str, claimed)))
    """, 4)
    streams = [int(s) for line in out for s in line.split()]
    assert sorted(streams) == list(range(8000))


@pytest.mark.cpu_only
@pytest.mark.parametrize("layer", ["workqueue", "default"])
def test_kernels_called_from_two_threads_at_once_under_any_threading_layer(layer):
    # Numba's workqueue layer (its fallback without OpenMP or TBB) aborted the process on concurrent regions
    env = {"NUMBA_THREADING_LAYER": layer, "NUMBA_NUM_THREADS": "2"}
    _run_threads_in_a_fresh_process("""
        import numba
        from minispore import Tensor
        from minispore.common.initializer import Normal, initializer
        from minispore.ops import operations as ops
        x = Tensor(np.ones((1, 8, 6, 7), np.float32))
        w = Tensor(np.ones((4, 8, 3, 3), np.float32))
        for _ in range(20):
            assert (ops.Conv2D(4, 3)(x, w).asnumpy() == 72).all()  # Winograd
            assert (ops.Conv2D(4, 3, stride=2)(x, w).asnumpy() == 72).all()  # im2col
            assert ((x + x).asnumpy() == 2).all()
            initializer(Normal(), [64, 64]).asnumpy()
        collected.append(numba.threading_layer())
    """, 2, env)
