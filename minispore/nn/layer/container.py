"""Containers of cells: SequentialCell and CellList (MindSpore's ``nn.SequentialCell``, ``nn.CellList``).

Cells are registered as sub-cells '0', '1', ...; their parameters are named by their full path in the network
('body.1.weight'), also for cells added after the container was put in a network. Deleting a cell renumbers the
ones after it, and their parameter names with them, as MindSpore does.
"""
from collections import OrderedDict
from collections.abc import Iterable

from ... import _checks
from ..cell import Cell

__all__ = ["SequentialCell", "CellList"]


def _valid_index(api, count, index):
    """`index` (an int in [-count, count)) as a non-negative position."""
    if not _checks.is_int(index):
        _checks.fail(api, "index", "an int", index, TypeError)
    if not -count <= index < count:
        _checks.fail(api, "index", f"an int in [{-count}, {count})", index, _checks.IndexValueError)
    return int(index) % count


def _valid_insert_index(api, count, index):
    """`index` for an insertion before it (an int in [-count, count]) as a position in [0, count]."""
    if not _checks.is_int(index):
        _checks.fail(api, "index", "an int", index, TypeError)
    if not -count <= index <= count:
        _checks.fail(api, "index", f"an int in [{-count}, {count}]", index, _checks.IndexValueError)
    return int(index) + count if index < 0 else int(index)


def _valid_cell(api, cell):
    if not isinstance(cell, Cell):
        _checks.fail(api, "cell", "a Cell", cell, TypeError)
    return cell


def _view(container, items, dynamic):
    """A new container of the same kind holding the same cells under the same keys, renaming nothing (a slice)."""
    view = (SequentialCell if isinstance(container, SequentialCell) else CellList)()
    view._cells.update(items)
    if dynamic is not None:
        view._is_dynamic_name = list(dynamic)
    return view


class _CellSequence(Cell):
    """What SequentialCell and CellList share: numbered sub-cells, renamed by path as they move."""

    def __len__(self):
        return len(self._cells)

    def __bool__(self):
        return len(self._cells) != 0

    def __iter__(self):
        return iter(list(self._cells.values()))

    def _rename(self, key, cell):
        """Name the parameters of `cell`, held under `key`, by their full path."""
        if self._auto_prefix:
            cell._rename_parameters(self._name_prefix + key + ".")

    def _renumber(self, dynamic):
        """Keys 0, 1, ... again after a deletion (keys not `dynamic` are kept), renaming what moved."""
        cells = OrderedDict()
        for position, (key, cell) in enumerate(self._cells.items()):
            new_key = str(position) if dynamic[position] else key
            if new_key != key:
                self._rename(new_key, cell)
            cells[new_key] = cell
        self._cells.clear()
        self._cells.update(cells)

    def _delete(self, index):
        api = type(self).__name__
        keys = list(self._cells)
        if isinstance(index, slice):
            doomed = set(range(len(keys))[index])
        elif _checks.is_int(index):
            doomed = {_valid_index(api, len(keys), index)}
        else:
            return _checks.fail(api, "index", "an int or a slice", index, TypeError)
        for position in sorted(doomed):
            del self._cells[keys[position]]
        return doomed


class SequentialCell(_CellSequence):
    """Cells called in order, each on the output of the one before.

    Args:
        args (Cell | list[Cell] | OrderedDict): the cells, as arguments, one list, or an OrderedDict of named
            cells (whose names are kept when cells before them are deleted).

    Inputs:
        - **x** - the input of the first cell.

    Outputs:
        The output of the last cell.

    Raises:
        TypeError: an argument that is not a Cell, or one argument that is not a Cell, list or OrderedDict.

    Examples:
        >>> seq = nn.SequentialCell(nn.Conv2d(3, 4, 3), nn.Conv2d(4, 2, 1))
        >>> [name for name, _ in seq.parameters_and_names()]
        ['0.weight', '1.weight']
    """

    def __init__(self, *args):
        super().__init__()
        self._is_dynamic_name = []
        if len(args) == 1 and not isinstance(args[0], Cell):
            cells = args[0]
            if isinstance(cells, OrderedDict):
                for name, cell in cells.items():
                    self.insert_child_to_cell(name, _valid_cell("SequentialCell", cell))
                    self._is_dynamic_name.append(False)
                return
            if not isinstance(cells, list):
                _checks.fail("SequentialCell", "args[0]", "a Cell, list or OrderedDict", cells, TypeError)
            args = cells
        for cell in args:
            self.append(cell)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _view(self, list(self._cells.items())[index], [False] * len(range(len(self))[index]))
        return list(self._cells.values())[_valid_index("SequentialCell", len(self), index)]

    def __setitem__(self, index, cell):
        _valid_cell("SequentialCell", cell)
        key = list(self._cells)[_valid_index("SequentialCell", len(self), index)]
        self._cells[key] = cell
        self._rename(key, cell)

    def __delitem__(self, index):
        doomed = self._delete(index)
        self._is_dynamic_name = [flag for i, flag in enumerate(self._is_dynamic_name) if i not in doomed]
        self._renumber(self._is_dynamic_name)

    def append(self, cell):
        """Add `cell` at the end, as sub-cell 'len(self)'.

        Raises:
            TypeError: `cell` is not a Cell.
        """
        _valid_cell("SequentialCell", cell)
        key = str(len(self))
        self._cells[key] = cell
        self._is_dynamic_name.append(True)
        self._rename(key, cell)

    def construct(self, x):
        for cell in self._cells.values():
            x = cell(x)
        return x


class CellList(_CellSequence):
    """A list of cells (not called in order: a network's `construct` uses them one by one).

    Args:
        args (list[Cell]): the initial cells. Default: none.
        auto_prefix (bool): name the cells' parameters by their path ('0.weight'). Default: True.

    Raises:
        TypeError: `args` is not a list (or tuple) of Cells, or an unknown keyword argument.

    Examples:
        >>> heads = nn.CellList([nn.Conv2d(4, 1, 1)])
        >>> heads.append(nn.Conv2d(4, 1, 1))
        >>> [name for name, _ in heads.parameters_and_names()]
        ['0.weight', '1.weight']
    """

    def __init__(self, *args, auto_prefix=True):
        super().__init__(auto_prefix)
        if len(args) > 1:
            _checks.fail("CellList", "args", "one list of Cells", args, TypeError)
        if args:
            self.extend(args[0])

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _view(self, [(str(i), c) for i, c in enumerate(list(self._cells.values())[index])], None)
        if not _checks.is_int(index):
            _checks.fail("CellList", "index", "an int or a slice", index, TypeError)
        return self._cells[str(_valid_index("CellList", len(self), index))]

    def __setitem__(self, index, cell):
        _valid_cell("CellList", cell)
        key = str(_valid_index("CellList", len(self), index))
        self._cells[key] = cell
        self._rename(key, cell)

    def __delitem__(self, index):
        self._delete(index)
        self._renumber([True] * len(self))

    def __iadd__(self, cells):
        return self.extend(cells)

    def insert(self, index, cell):
        """Insert `cell` before position `index` (in [-len, len]), renumbering the cells after it.

        Raises:
            TypeError: `index` is not an int, or `cell` not a Cell.
            IndexError (also a ValueError): `index` out of range.
        """
        position = _valid_insert_index("CellList", len(self), index)
        _valid_cell("CellList", cell)
        cells = list(self._cells.values())
        cells.insert(position, cell)
        self._cells.clear()
        for i, each in enumerate(cells):
            self._cells[str(i)] = each
            if i >= position:
                self._rename(str(i), each)

    def extend(self, cells):
        """Add every cell of `cells` (a list, tuple or cell container) at the end; returns self.

        Raises:
            TypeError: `cells` is not such an iterable, or holds something that is not a Cell (then nothing is
                added).
        """
        if (isinstance(cells, Cell) and not isinstance(cells, _CellSequence)) or not isinstance(cells, Iterable) \
                or isinstance(cells, (str, bytes, dict)):
            _checks.fail("CellList", "cells", "a list of Cells", cells, TypeError)
        cells = [_valid_cell("CellList", cell) for cell in cells]
        for cell in cells:
            self.append(cell)
        return self

    def append(self, cell):
        """Add `cell` at the end, as sub-cell 'len(self)'.

        Raises:
            TypeError: `cell` is not a Cell.
        """
        _valid_cell("CellList", cell)
        key = str(len(self))
        self._cells[key] = cell
        self._rename(key, cell)

    def construct(self, *inputs):
        raise NotImplementedError(f"For '{type(self).__name__}', the cells are called one by one; a CellList "
                                  f"itself has no 'construct'.")
