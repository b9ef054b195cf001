"""Cell: the base of network layers (MindSpore's ``nn.Cell``)."""
from collections import OrderedDict

from .. import _checks
from ..common.parameter import Parameter, ParameterTuple, check_name_prefix, is_generated_name
from ..common.tensor import Tensor

__all__ = ["Cell"]


class _ConstructMissing(AttributeError, NotImplementedError):
    """A Cell without `construct` was called: MindSpore 2.x raises AttributeError, r1.x NotImplementedError."""


class _NameTaken(KeyError, TypeError):
    """A Parameter given the name of a sub-cell, or the reverse: MindSpore 2.x raises KeyError (the name is taken),
    r1.x TypeError (the wrong kind for that attribute)."""


class Cell:
    """Base class of layers and networks: owns Parameters and sub-Cells assigned as attributes.

    A Parameter assigned as ``self.w = Parameter(...)`` is registered (and, if unnamed, named 'w'); a Cell
    assigned as ``self.conv = ...`` is registered and its parameters are renamed by their attribute path from the
    network's root ('conv.weight', and 'backbone.conv.weight' once the cell sits in a 'backbone'); a cell added to a
    container that already sits in a network is named by its full path too ('body.1.weight'). Assigning a Tensor to
    a registered parameter's attribute sets its data (``Parameter.set_data``). Subclasses define `construct`.

    Args:
        auto_prefix (bool): rename the parameters of sub-cells by their attribute path. Default: True.
        flags (dict): accepted for MindSpore compatibility. Default: None.

    Raises:
        AttributeError: a subclass's ``__init__`` used the cell before calling ``super().__init__()``.
    """

    def __init__(self, auto_prefix=True, flags=None):
        object.__setattr__(self, "_params", OrderedDict())
        object.__setattr__(self, "_cells", OrderedDict())
        object.__setattr__(self, "_auto_prefix", _checks.check_bool("Cell", "auto_prefix", auto_prefix))
        object.__setattr__(self, "_name_prefix", "")  # the path of this cell in its network, '' or 'body.'
        object.__setattr__(self, "training", False)

    def _not_initialised(self):
        return AttributeError(f"For '{type(self).__name__}', 'super().__init__()' must be called at the start of "
                              f"'__init__' (before the cell is used or given Parameters or Cells), but it was not.")

    def _registry(self, kind):
        registry = self.__dict__.get(kind)
        if registry is None:
            raise self._not_initialised()
        return registry

    def __setattr__(self, name, value):
        params = self.__dict__.get("_params")
        cells = self.__dict__.get("_cells")
        if isinstance(value, ParameterTuple):
            self._set_parameter_tuple(name, value)
        elif isinstance(value, Parameter):
            if name in self.__dict__ and params is not None:
                object.__delattr__(self, name)
            self.insert_param_to_cell(name, value)
        elif isinstance(value, Cell):
            if name in self.__dict__ and cells is not None:
                object.__delattr__(self, name)
            self.insert_child_to_cell(name, value)
        elif params is not None and name in params:
            if value is None:
                params[name] = None
            elif isinstance(value, Tensor) and params[name] is not None:
                params[name].set_data(value)
            else:
                raise TypeError(f"For '{type(self).__name__}', the attribute '{name}' holds a Parameter, so it must "
                                f"be set to a Parameter, a Tensor (its new data) or None, but got "
                                f"{type(value).__name__}.")
        elif cells is not None and name in cells:
            if value is not None:
                raise TypeError(f"For '{type(self).__name__}', the attribute '{name}' holds a Cell, so it must be "
                                f"set to a Cell or None, but got {type(value).__name__}.")
            cells[name] = None
        else:
            object.__setattr__(self, name, value)

    def _set_parameter_tuple(self, name, params):
        """Register every parameter of `params` under its own name, then keep the tuple as attribute `name`."""
        seen, names = set(), set()
        for param in params:
            if id(param) in seen:
                continue
            seen.add(id(param))
            if is_generated_name(param.name):
                param.name = f"Parameter${len(self._registry('_params'))}"
            if param.name in names:
                _checks.fail(type(self).__name__, name, "a ParameterTuple of unique names", f"two '{param.name}'")
            names.add(param.name)
            self.insert_param_to_cell(param.name, param, check_name_contain_dot=False)
        object.__setattr__(self, name, params)

    def __getattr__(self, name):
        state = self.__dict__
        if "_params" not in state:
            if name.startswith("__"):  # copy/pickle probe for hooks on a half-built object
                raise AttributeError(name)
            raise self._not_initialised()
        for kind in ("_params", "_cells"):
            registry = state.get(kind)
            if registry is not None and name in registry:
                return registry[name]
        raise AttributeError(f"The '{type(self).__name__}' object has no attribute '{name}'.")

    def __delattr__(self, name):
        for kind in ("_params", "_cells"):
            if name in self.__dict__.get(kind, {}):
                del self.__dict__[kind][name]
                return
        object.__delattr__(self, name)

    def _check_new_name(self, api, arg, name, kind, check_dot=True):
        """KeyError for an empty or dotted name, or one another attribute has (MindSpore raises KeyError)."""
        _checks.check_type(api, arg, name, str, "a str")
        if not name or (check_dot and "." in name):
            raise KeyError(f"For '{api}', the '{arg}' must be a non-empty str without '.', but got {name!r}.")
        other = "_cells" if kind == "_params" else "_params"
        if name in self._registry(other):
            raise _NameTaken(f"For '{api}', the '{arg}' must not name a {other[1:-1]} of '{type(self).__name__}', "
                             f"but got {name!r}.")
        if name not in self._registry(kind) and hasattr(self, name):
            raise KeyError(f"For '{api}', the '{arg}' must not be the name of another attribute of "
                           f"'{type(self).__name__}', but got {name!r}.")

    def insert_param_to_cell(self, param_name, param, check_name_contain_dot=True):
        """Register `param` as attribute `param_name`; an unnamed parameter takes that name.

        Args:
            param_name (str): the attribute name.
            param (Parameter | None): the parameter.
            check_name_contain_dot (bool): refuse a name with '.'. Default: True.

        Raises:
            KeyError: an empty or dotted name, or the name of another attribute (MindSpore's error; the name of a
                sub-cell raises an error that is also a TypeError, r1.x's).
            TypeError: `param_name` is not a str, or `param` is not a Parameter or None.
            AttributeError: ``Cell.__init__`` was not called.
        """
        api = "insert_param_to_cell"
        self._check_new_name(api, "param_name", param_name, "_params", check_name_contain_dot)
        if param is not None:
            _checks.check_type(api, "param", param, Parameter, "a Parameter or None")
            if is_generated_name(param.name):
                param.name = param_name
        self._params[param_name] = param

    def insert_child_to_cell(self, child_name, child_cell):
        """Register `child_cell` as attribute `child_name`, renaming its parameters by their path
        (``<this cell's path>.<child_name>.<path in the child>``) unless ``auto_prefix`` is False.

        Raises:
            KeyError: an empty or dotted name, or the name of another attribute (MindSpore's error; the name of a
                parameter raises an error that is also a TypeError, r1.x's).
            TypeError: `child_name` is not a str, or `child_cell` is not a Cell or None.
            AttributeError: ``Cell.__init__`` was not called.
        """
        api = "insert_child_to_cell"
        self._check_new_name(api, "child_name", child_name, "_cells")
        if child_cell is not None:
            _checks.check_type(api, "child_cell", child_cell, Cell, "a Cell or None")
            if self._auto_prefix:
                child_cell._rename_parameters(self._name_prefix + child_name + ".")
        self._cells[child_name] = child_cell

    def update_parameters_name(self, prefix="", recurse=True):
        """Name every parameter `prefix` + its attribute path in this cell (as MindSpore 2.x does).

        Args:
            prefix (str): letters, digits, '_', '.' and '-'. Default: ''.
            recurse (bool): the sub-cells' parameters too. Default: True.

        Raises:
            TypeError: `prefix` is not a str.
            ValueError: `prefix` holds other characters.
        """
        check_name_prefix("update_parameters_name", prefix)
        self._rename_parameters(prefix, _checks.check_bool("update_parameters_name", "recurse", recurse))

    def _rename_parameters(self, prefix, recurse=True):
        """`update_parameters_name` without checking `prefix` (attribute names need not be ASCII)."""
        for path, param in self.parameters_and_names(expand=recurse):
            param.name = prefix + path
        for path, cell in (self.cells_and_names() if recurse else [("", self)]):
            object.__setattr__(cell, "_name_prefix", prefix + (path + "." if path else ""))

    # --- running --------------------------------------------------------------------------------------------
    def construct(self, *inputs, **kwargs):
        """The computation of the cell; subclasses override it.

        Raises:
            AttributeError: it was not overridden (MindSpore 2.x's error; also a NotImplementedError, r1.x's).
        """
        raise _ConstructMissing(f"For '{type(self).__name__}', the method 'construct' must be defined, but it is "
                                f"not.")

    def __call__(self, *inputs, **kwargs):
        if "_params" not in self.__dict__:
            raise self._not_initialised()
        return self.construct(*inputs, **kwargs)

    def set_train(self, mode=True):
        """Set training mode on this cell and every sub-cell; returns self."""
        _checks.check_bool(type(self).__name__, "mode", mode)
        for _, cell in self.cells_and_names():
            object.__setattr__(cell, "training", mode)
        return self

    # --- traversal ------------------------------------------------------------------------------------------
    def cells_and_names(self, cells=None, name_prefix=""):
        """Yield (attribute path, cell) for this cell ('' or `name_prefix`) and every sub-cell, each once."""
        seen = set() if cells is None else cells
        if id(self) in seen:
            return
        seen.add(id(self))
        yield name_prefix, self
        for name, cell in self._cells.items():
            if cell is not None:
                yield from cell.cells_and_names(seen, f"{name_prefix}.{name}" if name_prefix else name)

    def cells(self):
        """The direct sub-cells, each once (the values of `name_cells`)."""
        return self.name_cells().values()

    def name_cells(self):
        """An OrderedDict attribute name -> direct sub-cell, each cell once (under its first name)."""
        seen, cells = set(), OrderedDict()
        for name, cell in self._cells.items():
            if cell is not None and id(cell) not in seen:
                seen.add(id(cell))
                cells[name] = cell
        return cells

    def parameters_and_names(self, name_prefix="", expand=True):
        """Yield (attribute path, parameter) for every parameter, each once ('conv.weight')."""
        seen = set()
        cells = self.cells_and_names(name_prefix=name_prefix) if expand else [(name_prefix, self)]
        for path, cell in cells:
            for name, param in cell._params.items():
                if param is not None and id(param) not in seen:
                    seen.add(id(param))
                    yield (f"{path}.{name}" if path else name), param

    def get_parameters(self, expand=True):
        """An iterator over the parameters."""
        return (param for _, param in self.parameters_and_names(expand=expand))

    def trainable_params(self, recurse=True):
        """The parameters with requires_grad=True."""
        return [p for p in self.get_parameters(expand=recurse) if p.requires_grad]

    def untrainable_params(self, recurse=True):
        """The parameters with requires_grad=False."""
        return [p for p in self.get_parameters(expand=recurse) if not p.requires_grad]

    def parameters_dict(self, recurse=True):
        """An OrderedDict parameter name -> parameter."""
        return OrderedDict((p.name, p) for p in self.get_parameters(expand=recurse))

    # --- printing -------------------------------------------------------------------------------------------
    def extend_repr(self):
        """Extra text inside the repr's angle brackets; layers override it."""
        return ""

    def __repr__(self):
        extra = self.extend_repr()
        text = type(self).__name__ + "<"
        children = [(name, cell) for name, cell in self._cells.items() if cell is not None]
        if not children:
            return text + extra + ">"
        body = "\n" + (extra + "\n" if extra else "")
        for name, cell in children:
            body += f"({name}): {cell!r}\n"
        return text + body.replace("\n", "\n  ") + ">"
