"""Cells that wrap a network for training (MindSpore's ``nn.wrap.cell_wrapper``): `WithLossCell`."""
from ... import _checks
from ..cell import Cell

__all__ = ["WithLossCell"]


class WithLossCell(Cell):
    """A network followed by its loss: ``loss_fn(backbone(data), label)``.

    The backbone's parameters keep their names (the wrapper adds no prefix, as in MindSpore).

    Args:
        backbone (Cell): the network.
        loss_fn (Cell): the loss, called as ``loss_fn(logits, label)`` (any callable works).

    Inputs:
        - **data** (Tensor) - the backbone's input, (N, ...).
        - **label** (Tensor) - the loss's target, (N, ...).

    Outputs:
        Tensor, the loss (usually of shape ()).

    Raises:
        TypeError: `backbone` is not a Cell, or `loss_fn` is not callable.

    Examples:
        >>> net_with_loss = nn.WithLossCell(nn.Dense(3, 2), lambda out, label: ((out - label) ** 2).mean())
        >>> loss = net_with_loss(Tensor(np.ones([4, 3], np.float32)), Tensor(np.zeros([4, 2], np.float32)))
    """

    def __init__(self, backbone, loss_fn):
        super().__init__(auto_prefix=False)
        _checks.check_type("WithLossCell", "backbone", backbone, Cell, "a Cell")
        if not callable(loss_fn):
            _checks.fail("WithLossCell", "loss_fn", "a Cell (or a callable)", loss_fn, TypeError)
        self._backbone = backbone
        self._loss_fn = loss_fn

    def construct(self, data, label):
        out = self._backbone(data)
        return self._loss_fn(out, label)

    @property
    def backbone_network(self):
        """The backbone network."""
        return self._backbone
