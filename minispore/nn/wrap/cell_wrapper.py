"""WithLossCell and TrainOneStepCell: a network with its loss, and one training step of it (MindSpore 2.10)."""
import numbers

from ... import _checks
from ...common.tensor import Tensor
from ...ops.composite.base import _differentiate
from ..cell import Cell

__all__ = ["WithLossCell", "TrainOneStepCell"]


class WithLossCell(Cell):
    """A backbone network followed by a loss function: ``loss_fn(backbone(data), label)``.

    Args:
        backbone (Cell): the network.
        loss_fn (Cell): the loss, called with the network's output and the label.

    Inputs:
        - **data** (Tensor) - the network's input.
        - **label** (Tensor) - the label the loss compares the output with.

    Outputs:
        Tensor, the loss.

    Raises:
        TypeError: `backbone` or `loss_fn` is not a Cell.
    """

    def __init__(self, backbone, loss_fn):
        super().__init__(auto_prefix=False)
        for arg, value in (("backbone", backbone), ("loss_fn", loss_fn)):
            if not isinstance(value, Cell):
                _checks.fail("WithLossCell", arg, "a Cell", type(value).__name__, TypeError)
        self._backbone = backbone
        self._loss_fn = loss_fn

    def construct(self, data, label):
        return self._loss_fn(self._backbone(data), label)

    @property
    def backbone_network(self):
        """The backbone network."""
        return self._backbone


class TrainOneStepCell(Cell):
    """One training step: the network's loss, its gradients with respect to the optimizer's parameters, and the
    optimizer's update of them in place. Like MindSpore, it does not call ``set_train()``.

    Args:
        network (Cell): the network with its loss (``WithLossCell``), returning the loss.
        optimizer (Optimizer): updates ``optimizer.parameters`` with their gradients.
        sens (numbers.Number): the gradient the loss is seeded with (a loss scale). Default: None (1.0).
        return_grad (bool): also return the gradients, as a dict parameter name -> gradient. Default: False.

    Inputs:
        - **\\*inputs** (Tensor) - the network's inputs.

    Outputs:
        Tensor, the loss (computed before the update); with `return_grad`, (loss, gradients).

    Raises:
        TypeError: `network` is not a Cell, `optimizer` has no `parameters`, or `sens` is not a number.
    """

    def __init__(self, network, optimizer, sens=None, return_grad=False):
        super().__init__(auto_prefix=False)
        api = "TrainOneStepCell"
        if not isinstance(network, Cell):
            _checks.fail(api, "network", "a Cell", type(network).__name__, TypeError)
        if not isinstance(optimizer, Cell) or not hasattr(optimizer, "parameters"):
            _checks.fail(api, "optimizer", "an Optimizer", type(optimizer).__name__, TypeError)
        sens = 1.0 if sens is None else sens
        if isinstance(sens, bool) or not isinstance(sens, numbers.Real):
            _checks.fail(api, "sens", "a number", type(sens).__name__, TypeError)
        self.network = network
        self.optimizer = optimizer
        self.weights = optimizer.parameters
        self.sens = float(sens)
        self.return_grad = _checks.check_bool(api, "return_grad", return_grad)

    def _seed(self, loss):
        """The sensitivity: the loss's shape and dtype, filled with `sens`."""
        return Tensor._make(loss._backend.full(loss.shape, self.sens, loss.dtype.np_type), loss._backend, loss.dtype)

    def construct(self, *inputs):
        loss, _, grads = _differentiate("TrainOneStepCell", self.network, inputs, {}, [], list(self.weights), False,
                                        self._seed)
        grads = tuple(grads)
        self.optimizer(grads)
        if self.return_grad:
            return loss, {w.name: g for w, g in zip(self.weights, grads)}
        return loss
