"""WithLossCell and TrainOneStepCell: a network with its loss, and one training step of it (MindSpore 2.10)."""
import numbers

from ... import _checks
from ...common.tensor import Tensor
from ...ops.composite.base import _differentiate
from ..cell import Cell

__all__ = ["WithLossCell", "TrainOneStepCell"]


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
