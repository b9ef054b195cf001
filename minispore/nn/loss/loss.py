"""Loss Cells (MindSpore's ``mindspore.nn.loss``), composed from primitives so their gradients come from the
primitives' bprops: L1Loss, MSELoss, SmoothL1Loss, SoftmaxCrossEntropyWithLogits, NLLLoss, CrossEntropyLoss,
BCEWithLogitsLoss. The log-softmax and the logistic terms are the numerically stable forms."""
import numpy as np

from ... import _checks
from ...common.tensor import Tensor
from ...ops.operations import array_ops, math_ops, nn_ops
from ..cell import Cell

__all__ = ["LossBase", "L1Loss", "MSELoss", "SmoothL1Loss", "SoftmaxCrossEntropyWithLogits", "NLLLoss",
           "CrossEntropyLoss", "BCEWithLogitsLoss"]

_REDUCTIONS = ("mean", "sum", "none")


def _check_tensor(api, arg, value, floating=False):
    if not isinstance(value, Tensor):
        _checks.fail(api, arg, "a Tensor", value, TypeError)
    if floating and value.dtype.np_type.kind != "f":
        _checks.fail(api, arg, "a Tensor of float16, float32 or float64", value.dtype, TypeError)
    return value


def _one_hot(api, labels, classes, like, axis=1):
    """labels (integers) as 0/1 along a new axis `axis` of size `classes`, in the dtype of `like`."""
    line = [1] * (labels.ndim + 1)
    line[axis] = classes
    positions = Tensor._make(like._backend.from_host(np.arange(classes, dtype=labels.dtype.np_type).reshape(line)),
                             like._backend, labels.dtype)
    expanded = array_ops.ExpandDims()(labels, axis)
    return array_ops.Cast()(math_ops.Equal()(expanded, positions), like.dtype)


class LossBase(Cell):
    """The base of losses: `get_loss` applies the reduction ('mean', 'sum' or 'none') to a weighted loss.

    Args:
        reduction (str): 'mean', 'sum' or 'none'. Default: 'mean'.

    Raises:
        ValueError: reduction not one of them.
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = _checks.check_choice(type(self).__name__, "reduction", reduction, _REDUCTIONS)

    def get_loss(self, x, weights=1.0):
        """The reduction of x * weights."""
        if not (isinstance(weights, (int, float)) and weights == 1.0):
            x = math_ops.Mul()(x, weights)
        if self.reduction == "mean":
            return math_ops.ReduceMean()(x, ())
        if self.reduction == "sum":
            return math_ops.ReduceSum()(x, ())
        return x

    def construct(self, logits, labels):
        raise NotImplementedError


class L1Loss(LossBase):
    """|logits - labels|, reduced.

    Inputs:
        - **logits** (Tensor) - any shape, float. **labels** (Tensor) - broadcastable to logits.

    Outputs:
        Tensor: 0-d for 'mean'/'sum', else the broadcast shape.
    """

    def construct(self, logits, labels):
        api = type(self).__name__
        _check_tensor(api, "logits", logits, True)
        _check_tensor(api, "labels", labels)
        return self.get_loss(math_ops.Abs()(math_ops.Sub()(logits, labels)))


class MSELoss(LossBase):
    """(logits - labels)^2, reduced; see `L1Loss`."""

    def construct(self, logits, labels):
        api = type(self).__name__
        _check_tensor(api, "logits", logits, True)
        _check_tensor(api, "labels", labels)
        diff = math_ops.Sub()(logits, labels)
        return self.get_loss(math_ops.Mul()(diff, diff))


class SmoothL1Loss(LossBase):
    """0.5 d^2 / beta where d = |logits - labels| < beta, else d - 0.5 beta; reduced.

    Args:
        beta (float): the threshold, > 0. Default: 1.0.
        reduction (str): 'none', 'mean' or 'sum'. Default: 'none' (MindSpore 2.10's default).

    Inputs:
        - **logits** (Tensor) - float. **labels** (Tensor) - the shape and dtype of logits.
    """

    def __init__(self, beta=1.0, reduction="none"):
        super().__init__(reduction)
        self.beta = _checks.check_number(type(self).__name__, "beta", beta, minimum=0, strict=True)

    def construct(self, logits, labels):
        api = type(self).__name__
        _check_tensor(api, "logits", logits, True)
        _check_tensor(api, "labels", labels)
        if logits.shape != labels.shape:
            _checks.fail(api, "labels", f"of the shape of 'logits' {logits.shape}", f"shape {labels.shape}")
        diff = math_ops.Abs()(math_ops.Sub()(logits, labels))
        small = array_ops.Cast()(math_ops.Less()(diff, self.beta), logits.dtype)
        quadratic = math_ops.Mul()(math_ops.Mul()(diff, diff), 0.5 / self.beta)
        linear = math_ops.Sub()(diff, 0.5 * self.beta)
        loss = math_ops.Add()(math_ops.Mul()(small, quadratic), math_ops.Mul()(math_ops.Sub()(1.0, small), linear))
        return self.get_loss(loss)


class SoftmaxCrossEntropyWithLogits(LossBase):
    """-sum(labels * log_softmax(logits)) per sample (the log-softmax max-subtracted).

    Args:
        sparse (bool): labels are class indices (int32 or int64, shape (N,)); else (N, C) probabilities.
            Default: False.
        reduction (str): 'none', 'mean' or 'sum'. Default: 'none'.

    Inputs:
        - **logits** (Tensor) - (N, C), float.
        - **labels** (Tensor) - (N,) integers when sparse, else (N, C) of the dtype of logits.

    Outputs:
        Tensor (N,) for 'none', else 0-d.

    Raises:
        TypeError: non-Tensor inputs, or labels of the wrong dtype.
        ValueError: shapes that do not match.
    """

    def __init__(self, sparse=False, reduction="none"):
        super().__init__(reduction)
        self.sparse = _checks.check_bool(type(self).__name__, "sparse", sparse)

    def construct(self, logits, labels):
        api = type(self).__name__
        _check_tensor(api, "logits", logits, True)
        _check_tensor(api, "labels", labels)
        if logits.ndim != 2:
            _checks.fail(api, "logits", "a 2-d Tensor (N, C)", f"shape {logits.shape}")
        if self.sparse:
            if labels.dtype.np_type not in (np.int32, np.int64):
                _checks.fail(api, "labels", "a Tensor of int32 or int64 when sparse", labels.dtype, TypeError)
            if labels.shape != logits.shape[:1]:
                _checks.fail(api, "labels", f"of shape {logits.shape[:1]}", f"shape {labels.shape}")
            labels = _one_hot(api, labels, logits.shape[1], logits)
        elif labels.shape != logits.shape:
            _checks.fail(api, "labels", f"of the shape of 'logits' {logits.shape}", f"shape {labels.shape}")
        log_p = nn_ops.LogSoftmax(-1)(logits)
        loss = math_ops.Neg()(math_ops.ReduceSum()(math_ops.Mul()(labels, log_p), -1))
        return self.get_loss(loss)


def _class_loss(api, log_p, target, weight, ignore_index, reduction, label_smoothing=0.0):
    """The (weighted, smoothed) negative log-likelihood of log-probabilities log_p (N, C, ...) or (C,) for class
    indices (int32) or class probabilities (float) `target`, PyTorch's and MindSpore 2.10's formulas."""
    mul, add = math_ops.Mul(), math_ops.Add()
    unbatched = log_p.ndim == 1
    if unbatched:
        log_p = array_ops.ExpandDims()(log_p, 0)
        target = array_ops.ExpandDims()(target, 0)
    classes = log_p.shape[1]
    view = (1, classes) + (1,) * (log_p.ndim - 2)
    w = None if weight is None else array_ops.Reshape()(array_ops.Cast()(weight, log_p.dtype), view)
    if target.dtype.np_type.kind == "f":  # class probabilities
        if label_smoothing:
            target = add(mul(target, 1.0 - label_smoothing), label_smoothing / classes)
        terms = mul(target, log_p) if w is None else mul(mul(target, log_p), w)
        loss = math_ops.Neg()(math_ops.ReduceSum()(terms, 1))
        if reduction == "mean":
            return math_ops.ReduceMean()(loss, ())
        return math_ops.ReduceSum()(loss, ()) if reduction == "sum" else (loss[0] if unbatched else loss)
    if target.dtype.np_type != np.int32:
        _checks.fail(api, "target", "a Tensor of int32 class indices or of float probabilities", target.dtype,
                     TypeError)
    if target.shape != log_p.shape[:1] + log_p.shape[2:]:
        _checks.fail(api, "target", f"of shape {log_p.shape[:1] + log_p.shape[2:]}", f"shape {target.shape}")
    hot = _one_hot(api, target, classes, log_p)
    keep = array_ops.Cast()(math_ops.NotEqual()(target, ignore_index), log_p.dtype)
    sample_w = keep if w is None else mul(math_ops.ReduceSum()(mul(hot, w), 1), keep)
    picked = math_ops.ReduceSum()(mul(hot, log_p), 1)
    nll = mul(math_ops.Neg()(picked), sample_w)
    if label_smoothing:  # (1 - ls) nll + ls / C * (-sum_c w_c log p_c), the second term unweighted by w[t]
        spread = math_ops.Neg()(math_ops.ReduceSum()(log_p if w is None else mul(log_p, w), 1))
        nll = add(mul(nll, 1.0 - label_smoothing), mul(mul(spread, keep), label_smoothing / classes))
    if reduction == "mean":
        return math_ops.Div()(math_ops.ReduceSum()(nll, ()), math_ops.ReduceSum()(sample_w, ()))
    if reduction == "sum":
        return math_ops.ReduceSum()(nll, ())
    return nll[0] if unbatched else nll


class NLLLoss(LossBase):
    """The negative log-likelihood of log-probabilities for class indices: -weight[t] * logits[n, t].

    Args:
        weight (Tensor): (C,) class weights. Default: None.
        ignore_index (int): a target that contributes nothing. Default: -100.
        reduction (str): 'mean' (divided by the sum of the targets' weights), 'sum' or 'none'. Default: 'mean'.

    Inputs:
        - **logits** (Tensor) - (N, C) or (N, C, d1, ...), float log-probabilities.
        - **labels** (Tensor) - (N,) or (N, d1, ...), int32.

    Outputs:
        Tensor: 0-d, or the shape of labels for 'none'.
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        api = type(self).__name__
        self.weight = None if weight is None else _check_tensor(api, "weight", weight, True)
        self.ignore_index = _checks.check_int(api, "ignore_index", ignore_index)

    def construct(self, logits, labels):
        api = type(self).__name__
        _check_tensor(api, "logits", logits, True)
        _check_tensor(api, "labels", labels)
        return _class_loss(api, logits, labels, self.weight, self.ignore_index, self.reduction)


class CrossEntropyLoss(LossBase):
    """The cross entropy of logits against class indices or class probabilities: NLLLoss of log_softmax(logits).

    Args:
        weight (Tensor): (C,) class weights. Default: None.
        ignore_index (int): a target index that contributes nothing. Default: -100.
        reduction (str): 'mean', 'sum' or 'none'. Default: 'mean'.
        label_smoothing (float): in [0, 1]: the target mixed with the uniform distribution. Default: 0.0.

    Inputs:
        - **logits** (Tensor) - (C,), (N, C) or (N, C, d1, ...), float.
        - **labels** (Tensor) - int32 indices of shape (), (N,) or (N, d1, ...), or probabilities of the shape of
          logits.

    Outputs:
        Tensor: 0-d, or the per-sample losses for 'none'.
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        api = type(self).__name__
        self.weight = None if weight is None else _check_tensor(api, "weight", weight, True)
        self.ignore_index = _checks.check_int(api, "ignore_index", ignore_index)
        self.label_smoothing = _checks.check_number(api, "label_smoothing", label_smoothing, minimum=0)
        if self.label_smoothing > 1:
            _checks.fail(api, "label_smoothing", "in [0, 1]", label_smoothing)

    def construct(self, logits, labels):
        api = type(self).__name__
        _check_tensor(api, "logits", logits, True)
        _check_tensor(api, "labels", labels)
        log_p = nn_ops.LogSoftmax(0 if logits.ndim == 1 else 1)(logits)
        return _class_loss(api, log_p, labels, self.weight, self.ignore_index, self.reduction, self.label_smoothing)


class BCEWithLogitsLoss(LossBase):
    """Binary cross entropy of sigmoid(logits): -w [p y log s(x) + (1 - y) log(1 - s(x))], in the stable form
    log s(x) = -softplus(-x).

    Args:
        reduction (str): 'mean', 'sum' or 'none'. Default: 'mean'.
        weight (Tensor): broadcast to the logits. Default: None.
        pos_weight (Tensor): weight p of the positive term, broadcast along the last axis. Default: None.

    Inputs:
        - **logits** (Tensor) - float, any shape. **labels** (Tensor) - the shape and dtype of logits.

    Outputs:
        Tensor: 0-d, or the shape of logits for 'none'.
    """

    def __init__(self, reduction="mean", weight=None, pos_weight=None):
        super().__init__(reduction)
        api = type(self).__name__
        self.weight = None if weight is None else _check_tensor(api, "weight", weight, True)
        self.pos_weight = None if pos_weight is None else _check_tensor(api, "pos_weight", pos_weight, True)

    def construct(self, logits, labels):
        api = type(self).__name__
        _check_tensor(api, "logits", logits, True)
        _check_tensor(api, "labels", labels, True)
        if logits.shape != labels.shape:
            _checks.fail(api, "labels", f"of the shape of 'logits' {logits.shape}", f"shape {labels.shape}")
        mul, add, sub = math_ops.Mul(), math_ops.Add(), math_ops.Sub()
        # softplus(x) = max(x, 0) + log(1 + exp(-|x|)); -log s(x) = softplus(-x); -log(1 - s(x)) = softplus(x)
        tail = math_ops.Log()(add(math_ops.Exp()(math_ops.Neg()(math_ops.Abs()(logits))), 1.0))
        softplus_pos = add(nn_ops.ReLU()(logits), tail)
        softplus_neg = add(nn_ops.ReLU()(math_ops.Neg()(logits)), tail)
        positive = mul(labels, softplus_neg)
        if self.pos_weight is not None:
            positive = mul(positive, self.pos_weight)
        loss = add(positive, mul(sub(1.0, labels), softplus_pos))
        if self.weight is not None:
            loss = mul(loss, self.weight)
        return self.get_loss(loss)
