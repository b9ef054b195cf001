"""MindSpore data types (``from minispore import dtype as mstype``) and their NumPy equivalents."""
import numpy as np

__all__ = [
    "Type", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "float_", "number_type", "float_type", "int_type",
    "dtype_to_nptype", "pytype_to_dtype", "to_dtype",
]


class Type:
    """A MindSpore data type: prints as MindSpore does (``Float32``) and maps to one NumPy dtype."""

    def __init__(self, name, np_type):
        self._name = name
        self._np = np.dtype(np_type)

    def __repr__(self):
        return self._name

    __str__ = __repr__

    def __reduce__(self):
        return (to_dtype, (self._np,))

    @property
    def np_type(self):
        """The NumPy dtype this type stores its data as."""
        return self._np


bool_ = Type("Bool", np.bool_)
int8 = Type("Int8", np.int8)
int16 = Type("Int16", np.int16)
int32 = Type("Int32", np.int32)
int64 = Type("Int64", np.int64)
uint8 = Type("UInt8", np.uint8)
uint16 = Type("UInt16", np.uint16)
uint32 = Type("UInt32", np.uint32)
uint64 = Type("UInt64", np.uint64)
float16 = Type("Float16", np.float16)
float32 = Type("Float32", np.float32)
float64 = Type("Float64", np.float64)
float_ = float32

int_type = (int8, int16, int32, int64)
uint_type = (uint8, uint16, uint32, uint64)
float_type = (float16, float32, float64)
number_type = int_type + uint_type + float_type
all_types = (bool_,) + number_type

_BY_NUMPY = {t.np_type: t for t in all_types}


def dtype_to_nptype(type_):
    """The NumPy type of a MindSpore type (``mstype.float32`` -> ``numpy.float32``)."""
    return type_.np_type.type


def to_dtype(np_dtype):
    """The MindSpore type of a NumPy dtype, or None when MindSpore has none (complex, object, str)."""
    try:
        return _BY_NUMPY.get(np.dtype(np_dtype))
    except TypeError:
        return None


def pytype_to_dtype(obj):
    """The MindSpore type of a Python type (bool, int, float) or NumPy dtype."""
    if obj is bool:
        return bool_
    if obj is int:
        return int64
    if obj is float:
        return float32
    return to_dtype(obj)
