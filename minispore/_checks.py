"""Validators for user input, all raising with one template:
``For '{api}', the '{arg}' must be {expected}, but got {value}.``

Validation happens once, at the API boundary; kernels never check and never raise.
"""
import numbers
import reprlib

__all__ = [
    "fail", "shown", "check_representable", "is_int", "check_type", "check_int", "check_positive_int",
    "check_non_negative_int", "check_bool",
    "check_number", "check_choice", "check_int_tuple", "IndexValueError",
]


_SHOWN_MAX = 200  # characters of a rejected value an error message quotes
_REPR = reprlib.Repr()  # keyword arguments need Python 3.12
_REPR.maxlevel, _REPR.maxtuple, _REPR.maxlist, _REPR.maxdict, _REPR.maxset, _REPR.maxfrozenset = 3, 16, 16, 8, 8, 8
_REPR.maxstring, _REPR.maxlong, _REPR.maxother = _SHOWN_MAX, 60, _SHOWN_MAX


def shown(value):
    """`value` as a message quotes it: a str in quotes, anything else as str(), in at most ~200 characters.

    Containers are abbreviated while they are printed (reprlib), so a million-element list costs no more than a
    short one."""
    if isinstance(value, str):
        text = repr(value[:_SHOWN_MAX])
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        text = _REPR.repr(value)
    else:
        text = str(value)
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "..."


class IndexValueError(IndexError, ValueError):
    """An index out of range: a ValueError by this project's template, an IndexError by Python's and MindSpore's
    convention (so ``except IndexError`` and ``for`` loops over ``__getitem__`` work)."""


def _describe(value, error):
    text = shown(value)
    return f"{text} of type {type(value).__name__}" if error is TypeError else text


def fail(api, arg, expected, value, error=ValueError):
    """Raise `error` with the project's one message template (a TypeError also names the value's type)."""
    raise error(f"For '{api}', the '{arg}' must be {expected}, but got {_describe(value, error)}.")


def is_int(value):
    """True for Python and NumPy integers, never for bool."""
    return type(value) is int or (isinstance(value, numbers.Integral) and not isinstance(value, bool))


def check_representable(api, arg, value, np_dtype):
    """ValueError unless the number `value` fits the integer dtype `np_dtype` (finite and in range), where NumPy
    would raise OverflowError or silently give a wrapped value; float and bool dtypes take any number (a float
    overflow is IEEE's Inf)."""
    import numpy as np  # here, not at the top: the other validators need only `numbers`
    np_dtype = np.dtype(np_dtype)
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        try:
            whole = int(value)  # a float truncates toward zero, as NumPy's cast does
        except (OverflowError, ValueError):  # inf, nan
            whole = None
        if whole is None or not info.min <= whole <= info.max:
            fail(api, arg, f"a number representable in {np_dtype} ([{info.min}, {info.max}])", value)
    return value


def check_type(api, arg, value, types, expected):
    """TypeError unless isinstance(value, types)."""
    if not isinstance(value, types):
        fail(api, arg, expected, value, TypeError)
    return value


def check_int(api, arg, value):
    """TypeError unless value is an int (not a bool)."""
    if not is_int(value):
        fail(api, arg, "an int", value, TypeError)
    return int(value)


def check_positive_int(api, arg, value):
    """An int > 0: TypeError for other types, ValueError for other values."""
    if check_int(api, arg, value) <= 0:
        fail(api, arg, "a positive int", value)
    return int(value)


def check_non_negative_int(api, arg, value):
    """An int >= 0: TypeError for other types, ValueError for other values."""
    if check_int(api, arg, value) < 0:
        fail(api, arg, "a non-negative int", value)
    return int(value)


def check_bool(api, arg, value):
    """TypeError unless value is a bool."""
    if not isinstance(value, bool):
        fail(api, arg, "a bool", value, TypeError)
    return value


def check_number(api, arg, value, minimum=None, strict=False):
    """A finite real number (not bool) as float; optionally >= minimum (> minimum when strict)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        fail(api, arg, "a real number", value, TypeError)
    value = float(value)
    if value != value or abs(value) == float("inf"):
        fail(api, arg, "a finite number", value)
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        fail(api, arg, f"a number {'>' if strict else '>='} {minimum}", value)
    return value


def check_choice(api, arg, value, choices, case_sensitive=True):
    """A string from `choices`, returned in its canonical spelling; TypeError for a non-string."""
    if not isinstance(value, str):
        fail(api, arg, f"a str in {list(choices)}", value, TypeError)
    for choice in choices:
        if value == choice or (not case_sensitive and value.lower() == choice.lower()):
            return choice
    return fail(api, arg, f"one of {list(choices)}", value)


def check_int_tuple(api, arg, value, length, minimum=1, extra=None):
    """An int, or a tuple/list of `length` ints, each >= minimum; returned as a tuple of `length`.

    `extra` is (other_length, convert): MindSpore also accepts e.g. (1, 1, h, w) for a 2-d stride; `convert`
    maps such a tuple to `length` ints, or returns None when it is not acceptable.
    """
    expected = f"an int or a tuple of {length}" + (f" or {extra[0]}" if extra else "") + f" ints >= {minimum}"
    if is_int(value):
        items = (int(value),) * length
    elif isinstance(value, (tuple, list)) and all(is_int(v) for v in value):
        items = tuple(int(v) for v in value)
        if extra and len(items) == extra[0]:
            items = extra[1](items)
        if items is None or len(items) != length:
            fail(api, arg, expected, value)
    else:
        fail(api, arg, expected, value, TypeError)
    if any(v < minimum for v in items):
        fail(api, arg, expected, value)
    return items
