"""Tensor: an n-d array on one device, possibly lazily initialised (MindSpore's ``Tensor``)."""
import numbers

import numpy as np

from .. import _backend, _checks
from .. import dtype as mstype

__all__ = ["Tensor", "from_dlpack"]

_INPUT_TYPES = (np.ndarray, np.generic, list, tuple, numbers.Number)


def _check_dtype(api, dtype):
    if not isinstance(dtype, mstype.Type):
        _checks.fail(api, "dtype", "a minispore dtype such as mstype.float32", dtype, TypeError)
    return dtype


def check_shape(api, shape, arg="shape"):
    """A shape as a tuple of non-negative ints; an int is a 1-d shape."""
    if _checks.is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(_checks.is_int(v) for v in shape):
        _checks.fail(api, arg, "a tuple or list of ints", shape, TypeError)
    if any(v < 0 for v in shape):
        _checks.fail(api, arg, "a tuple or list of non-negative ints", shape)
    return tuple(int(v) for v in shape)


def _host_array(input_data, dtype):
    """NumPy array of `input_data` with MindSpore's dtype inference (Python floats -> float32)."""
    if not isinstance(input_data, _INPUT_TYPES):
        _checks.fail("Tensor", "input_data", "a Tensor, numpy.ndarray, list, tuple, bool, int or float",
                     input_data, TypeError)
    try:
        array = np.asarray(input_data)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"For 'Tensor', the 'input_data' must be rectangular, but got {_checks.shown(input_data)} "
                         f"({exc}).") from None
    if not array.dtype.isnative:  # big-endian data from a file: the kernels read native order
        array = array.astype(array.dtype.newbyteorder("="))
    if mstype.to_dtype(array.dtype) is None:
        _checks.fail("Tensor", "input_data", "numbers or bools", f"data of dtype {array.dtype}", TypeError)
    if dtype is not None:
        return array.astype(dtype.np_type, copy=False)
    if not isinstance(input_data, (np.ndarray, np.generic)) and array.dtype == np.float64:
        return array.astype(np.float32)  # MindSpore: Python floats make float32 tensors
    return array


class Tensor:
    """An n-dimensional array on the device chosen by ``context.set_context`` when it is created.

    Args:
        input_data (Tensor, numpy.ndarray, list, tuple, bool, int, float): the data. Python floats give float32.
        dtype (minispore.dtype): convert the data to this type. Required with `init`.
        shape (tuple[int] | list[int] | int): the shape, with `init` only.
        init (Initializer): initialise lazily: the data are generated on first use or by `init_data()`.

    Raises:
        TypeError: data, dtype or shape of the wrong type.
        ValueError: both or neither of `input_data` and `init`, or a `shape` that contradicts the data.

    Examples:
        >>> Tensor(np.ones([2, 3]), mstype.float32).shape
        (2, 3)
    """

    def __init__(self, input_data=None, dtype=None, shape=None, init=None):
        if dtype is not None:
            _check_dtype("Tensor", dtype)
        self._backend = _backend.current_backend()
        self._lazy = None
        if init is not None:
            from .initializer import Initializer
            if input_data is not None:
                raise ValueError("For 'Tensor', 'input_data' and 'init' cannot both be set, but got both.")
            _checks.check_type("Tensor", "init", init, Initializer, "an Initializer")
            if dtype is None or shape is None:
                raise ValueError(f"For 'Tensor', 'dtype' and 'shape' must be set with 'init', but got "
                                 f"dtype={dtype}, shape={shape}.")
            init._check_dtype(dtype.np_type)  # Constant(300) cannot fill uint8: say so now, not at first use
            self._shape = check_shape("Tensor", shape)
            self._dtype = dtype
            self._data = None
            self._lazy = (init, init._claim())
            return
        if input_data is None:
            raise ValueError("For 'Tensor', the 'input_data' must be set when 'init' is None, but got None.")
        if isinstance(input_data, Tensor):
            array = input_data._array()
            if input_data._backend is not self._backend:
                array = self._backend.from_host(input_data.asnumpy())  # synchronize! a copy across devices
            array = array.astype(array.dtype if dtype is None else dtype.np_type)  # a copy, as MindSpore makes
        else:
            host = _host_array(input_data, dtype)
            # MindSpore copies: the tensor must not change when the caller's array does (Tensor.from_numpy shares)
            copy = isinstance(input_data, np.ndarray) and np.may_share_memory(host, input_data)
            array = self._backend.from_host(host, copy=copy)
        if shape is not None and check_shape("Tensor", shape) != tuple(array.shape):
            _checks.fail("Tensor", "shape", f"the shape of 'input_data' {tuple(array.shape)}", shape)
        self._set_data(array)

    @classmethod
    def _wrap(cls, array, backend):
        """A Tensor around a device array of `backend` (no copy)."""
        tensor = cls.__new__(cls)
        tensor._backend = backend
        tensor._lazy = None
        tensor._set_data(array)
        return tensor

    @classmethod
    def _make(cls, array, backend, dtype):
        """`_wrap` for ops that already know the minispore dtype of `array` (no lookups: the small-op path)."""
        tensor = cls.__new__(cls)
        tensor._backend = backend
        tensor._lazy = None
        tensor._data = array
        tensor._shape = array.shape
        tensor._dtype = dtype
        return tensor

    def _set_data(self, array):
        self._data = array
        self._shape = tuple(array.shape)
        self._dtype = mstype.to_dtype(array.dtype)

    # --- lazy initialisation -------------------------------------------------------------------------------
    @property
    def init(self):
        """The `Initializer` that will produce the data, or None once they exist."""
        return self._lazy[0] if self._lazy is not None and self._data is None else None

    @property
    def has_init(self):
        """True while the data are still to be generated by `init`."""
        return self.init is not None

    def init_data(self, slice_index=None, shape=None, opt_shard_group=None):
        """Generate the data of a lazily initialised tensor (no-op otherwise) and return the tensor.

        MindSpore's sharding arguments (`slice_index`, `shape`, `opt_shard_group`) are refused: minispore runs
        on one device (`Tensor._init_slice` generates a slice alone).

        Raises:
            ValueError: any of the sharding arguments is given.
        """
        for arg, value in (("slice_index", slice_index), ("shape", shape), ("opt_shard_group", opt_shard_group)):
            if value is not None:
                _checks.fail("Tensor.init_data", arg, "None (parameter sharding is not supported)", value)
        if self._data is None:
            init, draw = self._lazy
            self._data = init.generate(self._backend, self._shape, self._dtype.np_type, draw)
        return self

    def _init_slice(self, key):
        """Generate `self[key]` (ints and slices) alone, without the rest; equals the same slice of the whole.

        The base for sharded initialisation of tensors too large for one device. Returns a device array.
        """
        if self._lazy is None:
            raise ValueError("For 'Tensor._init_slice', the tensor must have been created by an initializer.")
        init, draw = self._lazy
        return init.generate(self._backend, self._shape, self._dtype.np_type, draw, key)

    def _array(self):
        """The device array of the data, generated first if still lazy."""
        data = self._data
        return data if data is not None else self.init_data()._data

    # --- properties ----------------------------------------------------------------------------------------
    @property
    def shape(self):
        """The shape, a tuple of ints."""
        return self._shape

    @property
    def dtype(self):
        """The minispore dtype."""
        return self._dtype

    @property
    def ndim(self):
        """The number of dimensions."""
        return len(self._shape)

    @property
    def size(self):
        """The number of elements."""
        return int(np.prod(self._shape, dtype=np.int64))

    @property
    def itemsize(self):
        """Bytes per element."""
        return self._dtype.np_type.itemsize

    @property
    def nbytes(self):
        """Bytes of the whole data."""
        return self.size * self.itemsize

    # --- conversion ----------------------------------------------------------------------------------------
    def asnumpy(self):
        """The data as a numpy.ndarray (a device->host copy on a GPU; shares memory on the CPU)."""
        return self._backend.to_host(self._array())

    def __array__(self, dtype=None, copy=None):
        array = self.asnumpy()
        return array if dtype is None else array.astype(dtype)

    def __dlpack__(self, **kwargs):
        """Export the data through DLPack without a copy (to NumPy, CuPy, PyTorch, JAX ...)."""
        return self._array().__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array().__dlpack_device__()

    @staticmethod
    def from_numpy(array):
        """A CPU Tensor sharing the memory of the NumPy array `array`, as MindSpore's ``Tensor.from_numpy``.

        Writes to either are seen by the other. An array that is not C-contiguous or not in native byte order is
        copied into one that is (the kernels read only that), as MindSpore copies a non-contiguous one.

        Raises:
            TypeError: `array` is not a numpy.ndarray, or holds a dtype minispore lacks.
        """
        if not isinstance(array, np.ndarray):
            _checks.fail("Tensor.from_numpy", "array", "a numpy.ndarray", array, TypeError)
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        if mstype.to_dtype(array.dtype) is None:
            _checks.fail("Tensor.from_numpy", "array", "of a number or bool dtype", f"dtype {array.dtype}", TypeError)
        return Tensor._wrap(np.ascontiguousarray(array), _backend.get_backend("CPU"))

    @staticmethod
    def from_dlpack(external):
        """A Tensor sharing the memory of any DLPack exporter; see `minispore.from_dlpack`."""
        return from_dlpack(external)

    def __getitem__(self, key):
        """Basic indexing (ints, slices, None, Ellipsis): a new contiguous Tensor on the same device."""
        parts = key if isinstance(key, tuple) else (key,)
        for part in parts:
            if not (part is None or part is Ellipsis or isinstance(part, slice) or _checks.is_int(part)):
                _checks.fail("Tensor.__getitem__", "index", "ints, slices, None or Ellipsis", key, TypeError)
        try:
            view = self._array()[key]
        except IndexError as exc:
            raise ValueError(f"For 'Tensor.__getitem__', the 'index' must be within the shape {self._shape}, "
                             f"but got {_checks.shown(key)} ({exc}).") from None
        return Tensor._wrap(self._backend.xp.array(view, order="C"), self._backend)

    def reshape(self, *shape):
        """The same data with another shape of the same size (one -1 allowed), as a new Tensor."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        if not all(_checks.is_int(v) for v in shape):
            _checks.fail("Tensor.reshape", "shape", "a tuple of ints", shape, TypeError)
        try:
            array = self._array().reshape(tuple(int(v) for v in shape))
        except ValueError:
            _checks.fail("Tensor.reshape", "shape", f"of size {self.size} (one -1 allowed)", tuple(shape))
        return Tensor._wrap(array, self._backend)

    def astype(self, dtype):
        """A copy converted to `dtype` (a minispore dtype), on the same device."""
        _check_dtype("Tensor.astype", dtype)
        return Tensor._wrap(self._array().astype(dtype.np_type), self._backend)

    def item(self):
        """The value of a one-element tensor as a Python scalar."""
        if self.size != 1:
            _checks.fail("Tensor.item", "tensor", "a tensor of one element", f"shape {self._shape}")
        return self.asnumpy().item()

    def __bool__(self):
        return bool(self.item())

    def __int__(self):
        return int(self.item())

    def __float__(self):
        return float(self.item())

    def __len__(self):
        if not self._shape:
            raise TypeError("For 'Tensor.__len__', the tensor must have at least one dimension, but got a scalar.")
        return self._shape[0]

    def __str__(self):
        return str(self.asnumpy())

    def __repr__(self):
        value = str(self.asnumpy())
        return f"Tensor(shape={list(self._shape)}, dtype={self._dtype}, value={' ' if not self._shape else chr(10)}" \
               f"{value})"

    # --- arithmetic through the primitives -----------------------------------------------------------------
    def __add__(self, other):
        return _binary("Add")(self, other)

    def __radd__(self, other):
        return _binary("Add")(other, self)

    def __sub__(self, other):
        return _binary("Sub")(self, other)

    def __rsub__(self, other):
        return _binary("Sub")(other, self)

    def __mul__(self, other):
        return _binary("Mul")(self, other)

    def __rmul__(self, other):
        return _binary("Mul")(other, self)

    __hash__ = object.__hash__


_DLPACK_CPU, _DLPACK_CUDA = 1, 2  # DLPack device types kDLCPU and kDLCUDA


def from_dlpack(external):
    """A Tensor that shares the memory of a DLPack exporter (a NumPy, CuPy or PyTorch array ...), no copy.

    CPU memory gives a CPU tensor; CUDA memory of device k gives a GPU tensor on device k.

    Raises:
        TypeError: `external` does not implement DLPack, or holds a dtype minispore or DLPack lacks.
        ValueError: its memory is neither CPU nor CUDA, or its exporter refuses (a torch tensor that requires
            grad: pass ``t.detach()``).
    """
    if not hasattr(external, "__dlpack__") or not hasattr(external, "__dlpack_device__"):
        _checks.fail("from_dlpack", "external", "an object implementing __dlpack__", external, TypeError)
    try:
        kind, device_id = external.__dlpack_device__()
    except (BufferError, RuntimeError, TypeError, ValueError) as exc:
        _checks.fail("from_dlpack", "external", "an object whose DLPack device can be read", f"{external!s:.100} "
                     f"({type(exc).__name__}: {exc})")
    if kind == _DLPACK_CPU:
        backend = _backend.get_backend("CPU")
    elif kind == _DLPACK_CUDA:
        backend = _backend.get_backend("GPU", int(device_id))
    else:
        _checks.fail("from_dlpack", "external", "in CPU or CUDA memory", f"DLPack device type {kind}")
    try:
        array = backend.xp.from_dlpack(external)
    except BufferError as exc:  # the exporter refuses this dtype or layout (bfloat16, complex32, ...)
        _checks.fail("from_dlpack", "external", "of a dtype and layout DLPack can export",
                     f"{type(external).__name__} ({exc})", TypeError)
    except (RuntimeError, TypeError, ValueError) as exc:  # e.g. torch: a tensor that requires grad
        _checks.fail("from_dlpack", "external", "exportable through DLPack",
                     f"{type(external).__name__} ({type(exc).__name__}: {exc})")
    if mstype.to_dtype(array.dtype) is None:
        _checks.fail("from_dlpack", "external", "of a number or bool dtype", f"dtype {array.dtype}", TypeError)
    return Tensor._wrap(array if array.flags.c_contiguous else backend.xp.ascontiguousarray(array), backend)


_PRIMITIVES = {}


def _binary(name):
    """The primitive `name` of math_ops, one instance per name (a dunder must not build one per call)."""
    prim = _PRIMITIVES.get(name)
    if prim is None:
        from ..ops.operations import math_ops  # ops build on common: imported on first use
        prim = _PRIMITIVES[name] = getattr(math_ops, name)()
    return prim
