"""minispore: a small, fast tensor framework with MindSpore's API, Numba kernels on CPU and NVIDIA GPUs, and
initial weights that are bit-identical on every device for the same seed.

Importing minispore imports neither CuPy nor Numba's CUDA target: the GPU backend is built on first use.
"""
from . import context, dtype
from .common import Parameter, ParameterTuple, Tensor, get_seed, set_seed
from .common.tensor import from_dlpack
from .context import GRAPH_MODE, PYNATIVE_MODE, get_context, set_context, set_device
from .dtype import (bool_, float16, float32, float64, float_, int8, int16, int32, int64, uint8, uint16, uint32,
                    uint64)
from .ops.composite import grad, value_and_grad
from .train import load_checkpoint, load_param_into_net, save_checkpoint

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Parameter", "ParameterTuple", "from_dlpack", "context", "set_context", "get_context", "set_device",
    "GRAPH_MODE", "PYNATIVE_MODE", "dtype", "set_seed", "get_seed", "bool_", "int8", "int16",
    "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64", "float_",
    "save_checkpoint", "load_checkpoint", "load_param_into_net", "grad", "value_and_grad",
]
