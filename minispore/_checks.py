"""Validators for user input, all raising with one template:
``For '{api}', the '{arg}' must be {expected}, but got {value}.``

Validation happens once, at the API boundary; kernels never check and never raise.
"""
import numbers

__all__ = [
    "fail", "is_int", "check_type", "check_int", "check_positive_int", "check_non_negative_int", "check_bool",
    "check_number", "check_choice", "check_int_tuple",
]


def _describe(value, error):
    shown = repr(value) if isinstance(value, str) else str(value)
    return f"{shown} of type {type(value).__name__}" if error is TypeError else shown


def fail(api, arg, expected, value, error=ValueError):
    """Raise `error` with the project's one message template (a TypeError also names the value's type)."""
    raise error(f"For '{api}', the '{arg}' must be {expected}, but got {_describe(value, error)}.")


def is_int(value):
    """True for Python and NumPy integers, never for bool."""
    return type(value) is int or (isinstance(value, numbers.Integral) and not isinstance(value, bool))


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
