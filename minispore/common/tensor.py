"""Tensor: an n-d array on one device, possibly lazily initialised (MindSpore's ``Tensor``)."""
import numbers

import numpy as np

from .. import _backend, _checks
from ._tape import differentiable
from .. import dtype as mstype

__all__ = ["Tensor", "from_dlpack"]

_INPUT_TYPES = (np.ndarray, np.generic, list, tuple, numbers.Number)


def _check_dtype(api, dtype):
    if not isinstance(dtype, mstype.Type):
        _checks.fail(api, "dtype", "a minispore dtype such as mstype.float32", dtype, TypeError)
    return dtype


def check_shape(api, shape, arg="shape"):
    """A shape as a tuple of non-negative ints; an int is a 1-d shape."""
    if type(shape) in (tuple, list) and all(type(v) is int and v >= 0 for v in shape):  # the common case, fast
        return tuple(shape)
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


_PRIMITIVES = {}


def _primitive(name):
    """The primitive `name` of ops.operations, one instance per name (an operator must not build one per call)."""
    prim = _PRIMITIVES.get(name)
    if prim is None:
        from ..ops import operations  # ops build on common: imported on first use
        prim = _PRIMITIVES[name] = getattr(operations, name)()
    return prim


_binary = _primitive  # the name the first operators used


_DUNDERS = {"Div": "truediv", "FloorMod": "mod", "Equal": "eq", "NotEqual": "ne", "Less": "lt", "LessEqual": "le",
            "Greater": "gt", "GreaterEqual": "ge"}  # Python's names where they are not the primitive's


def _operator(name, reflected=False, sequences=True):
    """The dunder of primitive `name`: self (op) other, or other (op) self when `reflected`; a list or tuple
    operand is taken as a Tensor when `sequences` (the arithmetic operators, not the comparisons)."""
    dunder = f"__{'r' if reflected else ''}{_DUNDERS.get(name, name.lower())}__"
    api = f"Tensor.{dunder}" if sequences else None

    def operator(self, other):
        if type(other) is not Tensor:
            other = self._coerced(other, api)
            if other is NotImplemented:
                return NotImplemented
        prim = _PRIMITIVES.get(name) or _primitive(name)
        return prim(other, self) if reflected else prim(self, other)
    operator.__name__ = dunder
    return operator


class Tensor:
    """An n-dimensional array on the device chosen by ``context.set_context`` when it is created.

    Args:
        input_data (Tensor, numpy.ndarray, list, tuple, bool, int, float): the data. Python floats give float32.
        dtype (minispore.dtype): convert the data to this type. Required with `init`.
        shape (tuple[int] | list[int] | int): the shape: with `init`, or with `dtype` alone (zeros).
        init (Initializer): initialise lazily: the data are generated on first use or by `init_data()`.

    Without `input_data` and `init`, ``Tensor(dtype=..., shape=...)`` is a tensor of zeros of that shape.

    Raises:
        TypeError: data, dtype or shape of the wrong type, or no data, init, dtype and shape at all.
        ValueError: both `input_data` and `init`, a `dtype` without a `shape` and without data, or a `shape` that
            contradicts the data.

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
            if dtype is None:  # the errors MindSpore 2.10 raises: TypeError without data, ValueError with a dtype
                _checks.fail("Tensor", "input_data", "a Tensor, numpy.ndarray, list, tuple, bool, int or float",
                             None, TypeError)
            if shape is None:
                _checks.fail("Tensor", "shape", "set with 'dtype' when 'input_data' and 'init' are None", None)
            # Tensor(dtype=..., shape=...): MindSpore 2.10 makes a tensor of that shape (zeros, as here)
            self._set_data(self._backend.full(check_shape("Tensor", shape), 0, dtype.np_type))
            return
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
        return Tensor._wrap(array if array.flags.c_contiguous else array.copy(order="C"),  # keeps 0-d 0-d
                            _backend.get_backend("CPU"))

    @staticmethod
    def from_dlpack(external):
        """A Tensor sharing the memory of any DLPack exporter; see `minispore.from_dlpack`."""
        return from_dlpack(external)

    @differentiable("Tensor.__getitem__")
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

    @differentiable("Tensor.reshape")
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

    @differentiable("Tensor.astype")
    def astype(self, dtype):
        """A copy converted to `dtype` (a minispore dtype), on the same device."""
        _check_dtype("Tensor.astype", dtype)
        return Tensor._wrap(self._array().astype(dtype.np_type), self._backend)

    def item(self):
        """The value of a one-element tensor as a Python scalar."""
        if self.size != 1:
            _checks.fail("Tensor.item", "tensor", "a tensor of one element", f"shape {self._shape}")
        return self.asnumpy().item()

    # --- fidelity: copies, pickling, in-place writes, Python protocols and shape views ---------------------------
    # No arithmetic kernels here: data move through the backend's array module (NumPy or CuPy), and every result
    # is a C-contiguous array. Views that keep the element order (view, squeeze, expand_dims, flatten) share the
    # data, as MindSpore 2.10's do; transpose returns a copy in the new order (MindSpore returns a strided view).
    def __reduce_ex__(self, protocol):
        # data travel as a host array; unpickling puts them on the device the context then chooses (DESIGN §10)
        return _rebuild, (type(self), self.asnumpy(), _extra_state(self))

    def __copy__(self):
        return self._copied(_extra_state(self))

    def __deepcopy__(self, memo):
        import copy
        return self._copied(copy.deepcopy(_extra_state(self), memo))

    def _copied(self, state):
        """A tensor of this type with a copy of the data on the same device and the attributes `state`."""
        with self._backend._on():
            clone = type(self)._wrap(self._array().copy(), self._backend)
        clone.__dict__.update(state)
        return clone

    def copy(self):
        """A new Tensor with a copy of the data, on the same device."""
        with self._backend._on():
            return Tensor._wrap(self._array().copy(), self._backend)

    @property
    def strides(self):
        """Bytes to step in each dimension (the data are C-contiguous), as ``numpy.ndarray.strides``."""
        strides, step = [], self.itemsize
        for dim in reversed(self._shape):
            strides.append(step)
            step *= max(dim, 1)
        return tuple(reversed(strides))

    def assign_value(self, value):
        """Make this tensor hold the data of Tensor `value` (shared, with its shape and dtype); returns self.

        Raises:
            TypeError: `value` is not a Tensor, or lives on another device.
        """
        _checks.check_type("Tensor.assign_value", "value", value, Tensor, "a Tensor")
        self._check_same_device("Tensor.assign_value", "value", value)
        self._set_data(value._array())
        self._lazy = None
        return self

    def set_dtype(self, dtype):
        """Convert the data to `dtype` in place; returns `dtype` (MindSpore's ``Tensor.set_dtype``).

        Raises:
            TypeError: `dtype` is not a minispore dtype.
        """
        _check_dtype("Tensor.set_dtype", dtype)
        if dtype is not self._dtype:
            self._set_data(self._array().astype(dtype.np_type))
        return dtype

    def _check_same_device(self, api, arg, other):
        if other._backend is not self._backend:
            raise TypeError(f"For '{api}', the '{arg}' must be on the tensor's device {self._backend}, but got a "
                            f"Tensor on {other._backend}.")

    def _index(self, api, key):
        """`key` with Tensor, list and ndarray parts turned into device index arrays; TypeError for other types."""
        parts = key if isinstance(key, tuple) else (key,)
        out = []
        for part in parts:
            if part is None or part is Ellipsis or isinstance(part, (slice, bool)) or _checks.is_int(part):
                out.append(part)
                continue
            if isinstance(part, Tensor):
                self._check_same_device(api, "index", part)
                array = part._array()
            elif isinstance(part, (list, np.ndarray)):
                array = np.asarray(part) if len(part) else np.zeros(0, np.int64)
            else:
                array = None
            if array is None or array.dtype.kind not in "biu":
                _checks.fail(api, "index", "ints, slices, None, Ellipsis, or bool or int Tensors", key, TypeError)
            out.append(array if isinstance(part, Tensor) else self._backend.from_host(array))
        return tuple(out) if isinstance(key, tuple) else out[0]

    def __setitem__(self, key, value):
        """Write `value` (a number, Tensor, numpy.ndarray, list or tuple) into ``self[key]`` in place.

        `key`: ints, slices, None, Ellipsis, bool-mask or int Tensors (lists and arrays too). The value is cast to
        the tensor's dtype (as MindSpore casts) and broadcast to the indexed shape, never from a larger rank.

        Raises:
            TypeError: an index or value of another type, or a Tensor on another device.
            IndexError (also a ValueError): an index out of range, or a mask of the wrong shape.
            ValueError: a value whose shape does not broadcast, or a number the dtype cannot hold.
        """
        api = "Tensor.__setitem__"
        index = self._index(api, key)
        np_type = self._dtype.np_type
        if isinstance(value, Tensor):
            self._check_same_device(api, "value", value)
            source = value._array().astype(np_type, copy=False)
        elif isinstance(value, numbers.Real):
            _checks.check_representable(api, "value", value, np_type)
            source = np_type.type(value)
        elif isinstance(value, (np.ndarray, list, tuple)):
            source = self._backend.from_host(_host_array(value, None).astype(np_type, copy=False))
        else:
            source = _checks.fail(api, "value", "a number, Tensor, numpy.ndarray, list or tuple", value, TypeError)
        array = self._array()
        with self._backend._on():
            try:
                target = np.shape(array[index]) if self._backend.xp is np else array[index].shape
            except IndexError as exc:
                _checks.fail(api, "index", f"within the shape {self._shape}", f"{_checks.shown(key)} ({exc})",
                             _checks.IndexValueError)
            except (TypeError, ValueError) as exc:
                _checks.fail(api, "index", f"ints, slices of ints, None, Ellipsis, or bool or int Tensors ({exc})",
                             key, TypeError)
            shape = tuple(np.shape(source))
            try:
                fits = len(shape) <= len(target) and np.broadcast_shapes(shape, target) == tuple(target)
            except ValueError:
                fits = False
            if not fits:
                _checks.fail(api, "value", f"of a shape that broadcasts to the indexed shape {tuple(target)}",
                             f"shape {shape}")
            array[index] = source

    def __iter__(self):
        """The sub-tensors along the first dimension (``self[0]``, ``self[1]``, ...)."""
        if not self._shape:
            raise TypeError("For 'Tensor.__iter__', the tensor must have at least one dimension, but got a 0-d "
                            "tensor.")
        return (self[i] for i in range(self._shape[0]))

    def __contains__(self, value):
        """True when some element equals `value` (a number or a Tensor broadcast against the tensor)."""
        if isinstance(value, Tensor):
            self._check_same_device("Tensor.__contains__", "value", value)
            other = value._array()
        elif isinstance(value, numbers.Real):
            other = value
        else:
            return _checks.fail("Tensor.__contains__", "value", "a number or Tensor", value, TypeError)
        try:
            np.broadcast_shapes(tuple(np.shape(other)), self._shape)
        except ValueError:
            _checks.fail("Tensor.__contains__", "value", f"of a shape that broadcasts with {self._shape}",
                         f"shape {tuple(np.shape(other))}")
        with self._backend._on():
            return bool((self._array() == other).any())  # synchronize!

    def __len__(self):
        if not self._shape:
            raise TypeError("For 'Tensor.__len__', the tensor must have at least one dimension, but got a 0-d "
                            "tensor.")
        return self._shape[0]

    def _one_element(self, api):
        if self.size != 1:
            _checks.fail(api, "tensor", "a tensor of exactly one element (more are ambiguous)",
                         f"{self.size} elements, shape {self._shape}")
        return self.asnumpy().reshape(()).item()

    def __bool__(self):
        return bool(self._one_element("Tensor.__bool__"))

    def __int__(self):
        return int(self._one_element("Tensor.__int__"))

    def __float__(self):
        return float(self._one_element("Tensor.__float__"))

    def __index__(self):
        if self._dtype.np_type.kind not in "iu":
            _checks.fail("Tensor.__index__", "tensor", "an integer tensor of one element", f"dtype {self._dtype}")
        return int(self._one_element("Tensor.__index__"))

    def _axis(self, api, arg, axis, ndim):
        """`axis` as an int in [0, ndim): TypeError for a non-int, ValueError outside [-ndim, ndim)."""
        if not _checks.is_int(axis):
            _checks.fail(api, arg, "an int", axis, TypeError)
        if not -ndim <= axis < ndim:
            _checks.fail(api, arg, f"in the range [{-ndim}, {ndim})", axis)
        return int(axis) % ndim

    @differentiable("Tensor.reshape")
    def _with_shape(self, shape):
        """The same data (shared) with another shape of the same size."""
        return Tensor._wrap(self._array().reshape(shape), self._backend)

    @differentiable("Tensor.transpose")
    def transpose(self, *axes, dim0=None, dim1=None):
        """The tensor with its dimensions reordered, as MindSpore 2.10's ``Tensor.transpose``.

        ``t.transpose()`` reverses the dimensions; ``t.transpose(*axes)`` or ``t.transpose(axes)`` (a tuple or
        list of ``ndim`` ints) permutes them; two ints ``t.transpose(dim0, dim1)`` swap those two dimensions, on a
        tensor of any rank (so on 2-d ``t.transpose(0, 1)`` swaps too). Returns a C-contiguous copy.

        Raises:
            TypeError: axes that are not ints.
            ValueError: an axis out of range, a repeated axis, or a permutation of another length than ``ndim``.
        """
        api, ndim = "Tensor.transpose", self.ndim
        if dim0 is not None or dim1 is not None or (len(axes) == 2 and all(_checks.is_int(a) for a in axes)):
            dims = axes + tuple(d for d in (dim0, dim1) if d is not None)
            if len(dims) != 2:
                _checks.fail(api, "dims", "two axes (dim0, dim1)", dims, TypeError)
            first, second = (self._axis(api, arg, d, ndim) for arg, d in zip(("dim0", "dim1"), dims))
            perm = list(range(ndim))
            perm[first], perm[second] = second, first
        else:
            if not axes or (len(axes) == 1 and axes[0] is None):
                perm = tuple(range(ndim - 1, -1, -1))
            else:
                perm = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
            if not all(_checks.is_int(a) for a in perm):
                _checks.fail(api, "axes", "a tuple or list of ints, or ints", axes, TypeError)
            if len(perm) != ndim:
                _checks.fail(api, "axes", f"a permutation of the {ndim} dimensions", perm)
            perm = [self._axis(api, "axes", a, ndim) for a in perm]
            if len(set(perm)) != ndim:
                _checks.fail(api, "axes", "a permutation (each axis once)", axes)
        xp = self._backend.xp
        with self._backend._on():
            return Tensor._wrap(xp.transpose(self._array(), tuple(perm)).copy(order="C"), self._backend)

    @property
    def T(self):  # noqa: N802 (MindSpore's name)
        """The tensor with its dimensions reversed (a C-contiguous copy)."""
        return self.transpose()

    def view(self, *shape):
        """The same data (shared) with another shape (one -1 allowed), or reinterpreted as another dtype.

        ``t.view(2, 3)``, ``t.view((2, 3))``, ``t.view([2, 3])`` reshape; ``t.view(mstype.int32)`` reinterprets
        the bytes (the last dimension scales by the ratio of the item sizes).

        Raises:
            TypeError: no argument, or a shape that is not ints.
            ValueError: a shape of another size, or a dtype the bytes cannot be read as.
        """
        api = "Tensor.view"
        if len(shape) == 1 and isinstance(shape[0], mstype.Type):
            try:
                array = self._array().view(shape[0].np_type)
            except ValueError as exc:
                return _checks.fail(api, "dtype", f"a dtype the data of shape {self._shape} can be viewed as",
                                    f"{shape[0]} ({exc})")
            return Tensor._wrap(array, self._backend)
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if not shape or not all(_checks.is_int(v) for v in shape):
            _checks.fail(api, "shape", "ints, a tuple or list of ints, or a dtype", shape, TypeError)
        shape = tuple(int(v) for v in shape)
        try:
            return self._with_shape(shape)
        except ValueError:
            return _checks.fail(api, "shape", f"of size {self.size} (one -1 allowed)", shape)

    def squeeze(self, axis=None):
        """The tensor without dimensions of size 1: all of them, or those of `axis` (an int, tuple or list) that
        have size 1 (others listed are kept, as in MindSpore 2.10). Shares the data.

        Raises:
            TypeError: `axis` not None, an int, or a tuple or list of ints.
            ValueError: an axis out of range.
        """
        api = "Tensor.squeeze"
        if axis is None:
            return self._with_shape(tuple(d for d in self._shape if d != 1))
        axes = (axis,) if _checks.is_int(axis) else axis
        if not isinstance(axes, (tuple, list)) or not all(_checks.is_int(a) for a in axes):
            _checks.fail(api, "axis", "None, an int, or a tuple or list of ints", axis, TypeError)
        ndim = max(self.ndim, 1)
        drop = {self._axis(api, "axis", a, ndim) for a in axes}
        return self._with_shape(tuple(d for i, d in enumerate(self._shape) if not (i in drop and d == 1)))

    def expand_dims(self, axis):
        """The tensor with a dimension of size 1 inserted at `axis` (in [-ndim-1, ndim]). Shares the data.

        Raises:
            TypeError: `axis` is not an int.
            ValueError: `axis` out of range.
        """
        axis = self._axis("Tensor.expand_dims", "axis", axis, self.ndim + 1)
        return self._with_shape(self._shape[:axis] + (1,) + self._shape[axis:])

    def flatten(self, order="C", *dims, start_dim=0, end_dim=-1):
        """The dimensions `start_dim` .. `end_dim` merged into one (all of them by default; a 0-d tensor gives
        shape (1,)). ``t.flatten(1, 2)`` gives the dimensions positionally, as MindSpore 2.10 accepts.

        Args:
            order (str): 'C' (row-major, shares the data) or 'F' (column-major: the dimensions are reversed first,
                a copy). Default: 'C'.
            start_dim (int): the first dimension merged. Default: 0.
            end_dim (int): the last dimension merged. Default: -1.

        Raises:
            TypeError: `order` not a str, or dimensions that are not ints.
            ValueError: `order` not 'C' or 'F', a dimension out of range, or `start_dim` after `end_dim`.
        """
        api = "Tensor.flatten"
        if _checks.is_int(order):  # the flatten(start_dim, end_dim) form
            dims, order = (order,) + dims, "C"
            if len(dims) > 2:
                _checks.fail(api, "dims", "at most two ints (start_dim, end_dim)", dims, TypeError)
            start_dim, end_dim = dims if len(dims) == 2 else (dims[0], end_dim)
        elif dims:
            _checks.fail(api, "dims", "given as start_dim and end_dim", dims, TypeError)
        order = _checks.check_choice(api, "order", order, ("C", "F"))
        if not self._shape:
            return self._with_shape((1,))
        source = self if order == "C" else self.transpose()
        ndim = self.ndim
        start = self._axis(api, "start_dim", start_dim, ndim)
        end = self._axis(api, "end_dim", end_dim, ndim)
        if start > end:
            _checks.fail(api, "start_dim", f"at most end_dim ({end_dim})", start_dim)
        shape = source.shape
        merged = int(np.prod(shape[start:end + 1], dtype=np.int64))
        return source._with_shape(shape[:start] + (merged,) + shape[end + 1:])

    def __str__(self):
        return str(self.asnumpy())

    def __repr__(self):
        value = str(self.asnumpy())
        return f"Tensor(shape={list(self._shape)}, dtype={self._dtype}, value={' ' if not self._shape else chr(10)}" \
               f"{value})"

    # --- arithmetic and reductions --------------------------------------------------------------------------
    # Every operator is one primitive of `ops.operations` (one instance per primitive, shared). The other operand
    # may be a Tensor, a Python or NumPy number, or a NumPy array (taken as a Tensor on this tensor's device: a
    # host->device copy on a GPU); anything else gives NotImplemented, so Python raises its TypeError (and `==`
    # with None is False). The arithmetic operators also take a list or tuple of numbers, converted to this
    # tensor's dtype as MindSpore 2.10 converts one for `t + [1, 2]` (MindSpore 2.10 takes one only for + - //
    # and a reflected **; r1.x, whose unit tests compute `t * (2, 3, 4)`, for all). In-place forms (`t += 1`)
    # bind a new Tensor, as MindSpore 2.x does; the old one is unchanged. Comparisons return bool Tensors.
    __array_ufunc__ = None  # ndarray (op) Tensor defers to the Tensor's reflected operator: a Tensor, not an array

    def _coerced(self, other, api=None):
        """`other` as an operand of an operator: a Tensor or a number, or NotImplemented. With `api` (the
        operator's name, for errors) a list or tuple is a Tensor too."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (bool, np.bool_)):
            return bool(other)
        if isinstance(other, numbers.Real):
            return other
        if isinstance(other, np.ndarray) and mstype.to_dtype(other.dtype) is not None:
            return Tensor._wrap(self._backend.from_host(_host_array(other, None)), self._backend)
        if api is not None and isinstance(other, (list, tuple)):
            return self._sequence_operand(api, other)
        return NotImplemented

    def _sequence_operand(self, api, sequence):
        """A list or tuple of numbers as a Tensor of this tensor's dtype on its device (a host->device copy on a
        GPU). As in a cast, a float truncates toward zero for an integer dtype; a value out of its range, or NaN,
        raises ValueError instead of wrapping."""
        host = _host_array(sequence, None)  # TypeError for strings, ValueError for ragged lists
        np_type = self._dtype.np_type
        if np_type.kind in "iu" and host.size:
            for value in (host.min(), host.max()):
                _checks.check_representable(api, "other", value.item(), np_type)
        return Tensor._wrap(self._backend.from_host(host.astype(np_type, copy=False)), self._backend)

    __add__ = _operator("Add")
    __radd__ = _operator("Add", reflected=True)
    __iadd__ = __add__
    __sub__ = _operator("Sub")
    __rsub__ = _operator("Sub", reflected=True)
    __isub__ = __sub__
    __mul__ = _operator("Mul")
    __rmul__ = _operator("Mul", reflected=True)
    __imul__ = __mul__
    __truediv__ = _operator("Div")
    __rtruediv__ = _operator("Div", reflected=True)
    __itruediv__ = __truediv__
    __floordiv__ = _operator("FloorDiv")
    __rfloordiv__ = _operator("FloorDiv", reflected=True)
    __ifloordiv__ = __floordiv__
    __mod__ = _operator("FloorMod")  # Python's %: the sign of the divisor (MindSpore's Tensor % too)
    __rmod__ = _operator("FloorMod", reflected=True)
    __imod__ = __mod__
    __rpow__ = _operator("Pow", reflected=True)
    __eq__ = _operator("Equal", sequences=False)
    __ne__ = _operator("NotEqual", sequences=False)
    __lt__ = _operator("Less", sequences=False)
    __le__ = _operator("LessEqual", sequences=False)
    __gt__ = _operator("Greater", sequences=False)
    __ge__ = _operator("GreaterEqual", sequences=False)

    def __pow__(self, other, modulo=None):
        if modulo is not None:
            return NotImplemented
        other = self._coerced(other, "Tensor.__pow__")
        return NotImplemented if other is NotImplemented else _primitive("Pow")(self, other)

    __ipow__ = __pow__

    def __matmul__(self, other):
        other = self._coerced(other)
        return NotImplemented if other is NotImplemented else _matmul(self, other)

    def __rmatmul__(self, other):
        other = self._coerced(other)
        return NotImplemented if other is NotImplemented else _matmul(other, self)

    __imatmul__ = __matmul__

    def __neg__(self):
        return _primitive("Neg")(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _primitive("Abs")(self)

    def abs(self):
        """|x| element-wise (``ops.Abs``)."""
        return _primitive("Abs")(self)

    def neg(self):
        """-x element-wise (``ops.Neg``)."""
        return _primitive("Neg")(self)

    def exp(self):
        """e ** x element-wise (``ops.Exp``)."""
        return _primitive("Exp")(self)

    def log(self):
        """The natural logarithm element-wise (``ops.Log``)."""
        return _primitive("Log")(self)

    def sqrt(self):
        """The square root element-wise (``ops.Sqrt``)."""
        return _primitive("Sqrt")(self)

    def pow(self, exponent):
        """self ** exponent element-wise (``ops.Pow``; `exponent` a Tensor or a number)."""
        return _primitive("Pow")(self, exponent)

    def sum(self, axis=None, dtype=None, keepdims=False, initial=None, *, dim=None, keepdim=None):
        """The sum over `axis` (an int, tuple or list; None: all), as MindSpore 2.10's ``Tensor.sum``.

        Also the ``sum(dim, keepdim, *, dtype)`` form. Integer and bool tensors sum to int64 (as MindSpore 2.10's
        method; ``ops.ReduceSum`` keeps the dtype); `dtype` converts the tensor first; `initial` is added.

        Raises:
            TypeError: an axis that is not an int, or a `dtype` that is not a minispore dtype.
            ValueError: an axis out of range or repeated.
        """
        api = "Tensor.sum"
        if isinstance(dtype, bool):  # the sum(dim, keepdim) form, positionally
            dtype, keepdims = None, dtype
        axis, keepdims = _dim_form(api, axis, keepdims, dim, keepdim)
        source = self
        if dtype is not None:
            source = self.astype(_check_dtype(api, dtype))
        elif self._dtype.np_type.kind in "biu" and self._dtype is not mstype.int64:
            source = self.astype(mstype.int64)
        out = _math().reduce_op(api, _codes().SUM, source, axis, _checks.check_bool(api, "keepdims", keepdims))
        return out if initial is None else out + initial

    def mean(self, axis=None, keep_dims=False, *, dim=None, keepdim=None, dtype=None):
        """The mean over `axis` (an int, tuple or list; None: all), as MindSpore 2.10's ``Tensor.mean``
        (``mean(axis, keep_dims)`` and ``mean(dim, keepdim, *, dtype)``); integers divide toward zero."""
        api = "Tensor.mean"
        axis, keep_dims = _dim_form(api, axis, keep_dims, dim, keepdim)
        source = self if dtype is None else self.astype(_check_dtype(api, dtype))
        return _math().reduce_op(api, _math().MEAN, source, axis, _checks.check_bool(api, "keep_dims", keep_dims))

    def max(self, *args, axis=None, keepdims=False, initial=None, where=None, return_indices=False, dim=None,
            keepdim=None):
        """The maximum, as MindSpore 2.10's ``Tensor.max``.

        ``t.max()``, ``t.max(axis=a, keepdims=k)`` or ``t.max(a)`` with a tuple or list a: the values.
        ``t.max(d)``, ``t.max(d, k)`` or ``t.max(dim=d, keepdim=k)`` with an int d (or `return_indices`): a tuple
        (values, int64 indices of the first maximum). `initial`: a floor on the values. NaN is the largest.

        Raises:
            TypeError: bad argument types; ValueError: an axis out of range, or an empty tensor.
        """
        return self._extreme("Tensor.max", _codes().MAX, _codes().ARGMAX, args, axis, keepdims, initial, where,
                             return_indices, dim, keepdim, "Maximum")

    def min(self, *args, axis=None, keepdims=False, initial=None, where=None, return_indices=False, dim=None,
            keepdim=None):
        """The minimum; see `max` (the same forms; `initial` is a ceiling)."""
        return self._extreme("Tensor.min", _codes().MIN, _codes().ARGMIN, args, axis, keepdims, initial, where,
                             return_indices, dim, keepdim, "Minimum")

    def _extreme(self, api, op, arg_op, args, axis, keepdims, initial, where, return_indices, dim, keepdim, clamp):
        if where is not None and where is not True:
            _checks.fail(api, "where", "None or True (masked reductions are not supported)", where)
        if len(args) > 2:
            _checks.fail(api, "args", "at most (dim, keepdim) or (axis, keepdims) positionally", args, TypeError)
        if args and _checks.is_int(args[0]):  # max(dim, keepdim): values and indices
            if dim is not None:
                _checks.fail(api, "dim", "given once", dim, TypeError)
            dim = args[0]
            keepdim = args[1] if len(args) == 2 else keepdim
        elif args:
            axis = args[0]
            keepdims = args[1] if len(args) == 2 else keepdims
        with_indices = dim is not None or return_indices
        axis, keepdims = _dim_form(api, axis, keepdims, dim, keepdim)
        keepdims = _checks.check_bool(api, "keepdims", keepdims)
        if with_indices:
            if not _checks.is_int(axis):
                _checks.fail(api, "dim", "an int when indices are returned", axis, TypeError)
            values, index = _math().arg_reduce_op(api, arg_op, self, axis, keepdims, mstype.int64, values=True)
        else:
            values = _math().reduce_op(api, op, self, axis, keepdims)
        if initial is not None:
            values = _primitive(clamp)(values, initial)
        return (values, index) if with_indices else values

    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """The int64 index of the first maximum along `axis` (None: of the flattened tensor), as MindSpore 2.10's
        ``Tensor.argmax`` (also ``argmax(dim, keepdim)``); NaN counts as the largest."""
        axis, keepdims = _dim_form("Tensor.argmax", axis, keepdims, dim, keepdim)
        return _math().arg_reduce_op("Tensor.argmax", _codes().ARGMAX, self, axis,
                                     _checks.check_bool("Tensor.argmax", "keepdims", keepdims), mstype.int64)

    def argmin(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """The index of the first minimum; see `argmax`. int32, as MindSpore 2.10's ``Tensor.argmin`` returns."""
        axis, keepdims = _dim_form("Tensor.argmin", axis, keepdims, dim, keepdim)
        return _math().arg_reduce_op("Tensor.argmin", _codes().ARGMIN, self, axis,
                                     _checks.check_bool("Tensor.argmin", "keepdims", keepdims), mstype.int32)

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


_DATA_SLOTS = ("_backend", "_lazy", "_data", "_shape", "_dtype")


def _extra_state(tensor):
    """The attributes of `tensor` beyond its data (a Parameter's name and flags ...), for copies and pickles."""
    return {k: v for k, v in tensor.__dict__.items() if k not in _DATA_SLOTS and not isinstance(v, _backend.Backend)}


def _rebuild(cls, host, state):
    """Unpickle a tensor of type `cls` from its host array, onto the device the context chooses now."""
    backend = _backend.current_backend()
    tensor = cls._wrap(backend.from_host(host, copy=not host.flags.writeable), backend)
    tensor.__dict__.update(state)
    return tensor


def _matmul(a, b):
    """a @ b: ``ops.matmul`` (NumPy's rules), else MatMul for 2-d and BatchMatMul for batches."""
    from .. import ops
    if hasattr(ops, "matmul"):
        return ops.matmul(a, b)
    name = "MatMul" if a.ndim == 2 and b.ndim == 2 else "BatchMatMul"
    if not hasattr(ops, name):
        raise TypeError("For 'Tensor.__matmul__', the 'ops.MatMul' primitive must exist, but this build has none.")
    return _primitive(name)(a, b)


def _dim_form(api, axis, keepdims, dim, keepdim):
    """(axis, keepdims) of a reduction given in MindSpore's (axis, keepdims) or (dim, keepdim) spelling."""
    if dim is not None:
        if axis is not None:
            _checks.fail(api, "dim", "given alone (not with 'axis')", dim, TypeError)
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    return axis, keepdims


_MATH = []


def _math():
    """ops.operations.math_ops, imported on first use (ops build on common)."""
    if not _MATH:
        from ..ops.operations import math_ops
        _MATH.append(math_ops)
    return _MATH[0]


def _codes():
    from minispore.kernels import bodies  # operation codes only (no numba import)
    return bodies
