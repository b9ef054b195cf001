"""Containers of cells: SequentialCell and CellList (MindSpore's ``nn.SequentialCell``, ``nn.CellList``)."""
from collections import OrderedDict

from ... import _checks
from ..cell import Cell

__all__ = ["SequentialCell", "CellList"]


def _check_cell(api, cell):
    return _checks.check_type(api, "cell", cell, Cell, "a Cell")


class CellList(Cell):
    """A list of cells, registered as sub-cells '0', '1', ... so their parameters are named '0.weight', ...

    Args:
        args (list[Cell]): the initial cells. Default: None.
    """

    def __init__(self, args=None):
        super().__init__()
        for cell in args or ():
            self.append(cell)

    def append(self, cell):
        """Add `cell` at the end."""
        self.insert_child_to_cell(str(len(self._cells)), _check_cell(type(self).__name__, cell))

    def extend(self, cells):
        """Add every cell of `cells` at the end."""
        for cell in cells:
            self.append(cell)
        return self

    def __getitem__(self, index):
        cells = list(self._cells.values())
        if isinstance(index, slice):
            return type(self)(cells[index])
        if not _checks.is_int(index) or not -len(cells) <= index < len(cells):
            _checks.fail(type(self).__name__, "index", f"an int in [-{len(cells)}, {len(cells)})", index,
                         TypeError if not _checks.is_int(index) else ValueError)
        return cells[index]

    def __len__(self):
        return len(self._cells)

    def __iter__(self):
        return iter(self._cells.values())

    def construct(self, *inputs):
        raise NotImplementedError(f"For '{type(self).__name__}', the cells are called one by one; a CellList "
                                  f"itself has no 'construct'.")


class SequentialCell(CellList):
    """Cells called in order, each on the output of the one before.

    Args:
        args (Cell | list[Cell] | OrderedDict): the cells, as arguments, one list, or an OrderedDict of named cells.

    Inputs:
        - **x** - the input of the first cell.

    Outputs:
        The output of the last cell.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, cell in args[0].items():
                self.insert_child_to_cell(name, _check_cell("SequentialCell", cell))
            return
        cells = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        for cell in cells:
            self.append(cell)

    def construct(self, x):
        for cell in self._cells.values():
            x = cell(x)
        return x
