"""Cell: the base of network layers (MindSpore's ``nn.Cell``)."""
from collections import OrderedDict

from .. import _checks
from ..common.parameter import PARAMETER_NAME_DEFAULT, Parameter

__all__ = ["Cell"]


class Cell:
    """Base class of layers and networks: owns Parameters and sub-Cells assigned as attributes.

    A Parameter assigned as ``self.w = Parameter(...)`` is registered (and, if unnamed, named 'w'); a Cell
    assigned as ``self.conv = ...`` is registered and its parameters' names get the prefix 'conv.', so a nested
    network names its parameters by attribute path ('backbone.conv.weight'). Subclasses define `construct`.

    Args:
        auto_prefix (bool): prefix the parameter names of sub-cells with their attribute names. Default: True.
        flags (dict): accepted for MindSpore compatibility. Default: None.
    """

    def __init__(self, auto_prefix=True, flags=None):
        object.__setattr__(self, "_params", OrderedDict())
        object.__setattr__(self, "_cells", OrderedDict())
        object.__setattr__(self, "_auto_prefix", _checks.check_bool("Cell", "auto_prefix", auto_prefix))
        object.__setattr__(self, "training", False)

    def _registry(self, kind):
        registry = self.__dict__.get(kind)
        if registry is None:
            raise AttributeError(f"For '{type(self).__name__}', 'super().__init__()' must be called before "
                                 f"assigning Parameters or Cells, but it was not.")
        return registry

    def __setattr__(self, name, value):
        if isinstance(value, Parameter):
            self.insert_param_to_cell(name, value, check_name_contain_dot=False)
        elif isinstance(value, Cell):
            self.insert_child_to_cell(name, value)
        elif name in self.__dict__.get("_params", {}) and value is None:
            self._params[name] = None
        else:
            for kind in ("_params", "_cells"):
                if name in self.__dict__.get(kind, {}):
                    raise TypeError(f"For '{type(self).__name__}', the attribute '{name}' holds a "
                                    f"{kind[1:-1]}, so it must be set to one, but got {type(value).__name__}.")
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        for kind in ("_params", "_cells"):
            registry = self.__dict__.get(kind)
            if registry is not None and name in registry:
                return registry[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for kind in ("_params", "_cells"):
            if name in self.__dict__.get(kind, {}):
                del self.__dict__[kind][name]
                return
        object.__delattr__(self, name)

    def insert_param_to_cell(self, param_name, param, check_name_contain_dot=True):
        """Register `param` as attribute `param_name`; an unnamed parameter takes that name."""
        _checks.check_type(type(self).__name__, "param_name", param_name, str, "a str")
        if not param_name or (check_name_contain_dot and "." in param_name):
            _checks.fail(type(self).__name__, "param_name", "a non-empty str without '.'", param_name)
        if param is not None:
            _checks.check_type(type(self).__name__, "param", param, Parameter, "a Parameter or None")
            if param.name == PARAMETER_NAME_DEFAULT:
                param.name = param_name
        if param_name in self.__dict__:
            object.__delattr__(self, param_name)
        self._registry("_params")[param_name] = param

    def insert_child_to_cell(self, child_name, child_cell):
        """Register `child_cell` as attribute `child_name`, prefixing its parameter names."""
        _checks.check_type(type(self).__name__, "child_name", child_name, str, "a str")
        if not child_name or "." in child_name:
            _checks.fail(type(self).__name__, "child_name", "a non-empty str without '.'", child_name)
        if child_cell is not None:
            _checks.check_type(type(self).__name__, "child_cell", child_cell, Cell, "a Cell or None")
        cells = self._registry("_cells")
        if child_name in self.__dict__:
            object.__delattr__(self, child_name)
        if child_cell is not None and self._auto_prefix:
            child_cell.update_parameters_name(child_name + ".")
        cells[child_name] = child_cell

    def update_parameters_name(self, prefix="", recurse=True):
        """Prepend `prefix` to the names of this cell's parameters (and its sub-cells' when recurse)."""
        _checks.check_type(type(self).__name__, "prefix", prefix, str, "a str")
        for _, param in self.parameters_and_names(expand=recurse):
            param.name = prefix + param.name

    # --- running --------------------------------------------------------------------------------------------
    def construct(self, *inputs, **kwargs):
        """The computation of the cell; subclasses override it."""
        raise NotImplementedError(f"For '{type(self).__name__}', 'construct' must be overridden.")

    def __call__(self, *inputs, **kwargs):
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
        """An iterator over the direct sub-cells."""
        return (cell for cell in self._cells.values() if cell is not None)

    def name_cells(self):
        """The direct sub-cells by attribute name."""
        return OrderedDict((name, cell) for name, cell in self._cells.items() if cell is not None)

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
