"""Loss Cells against NumPy formulas (and PyTorch's where torch is installed), and their gradients against
central finite differences."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minispore.nn as nn
from minispore import Tensor

from test_grad import check_gradients


def _log_softmax(x, axis):
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


def _reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


def _softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _oracle(name, reduction, x, y, extra):
    if name == "L1Loss":
        return _reduce(np.abs(x - y), reduction)
    if name == "MSELoss":
        return _reduce((x - y) ** 2, reduction)
    if name == "SmoothL1Loss":
        d = np.abs(x - y)
        beta = extra["beta"]
        return _reduce(np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)
    if name == "BCEWithLogitsLoss":
        return _reduce(y * _softplus(-x) + (1 - y) * _softplus(x), reduction)
    if name == "SoftmaxCrossEntropyWithLogits":
        hot = np.eye(x.shape[1])[y] if extra["sparse"] else y
        return _reduce(-(hot * _log_softmax(x, 1)).sum(1), reduction)
    log_p = _log_softmax(x, 1) if name == "CrossEntropyLoss" else x
    w = extra["weight"] if extra["weight"] is not None else np.ones(x.shape[1])
    ls = extra.get("label_smoothing", 0.0)
    keep = (y != extra["ignore_index"]).astype(np.float64)
    t = np.where(y == extra["ignore_index"], 0, y)
    picked = -np.take_along_axis(log_p, t[:, None], 1)[:, 0] * w[t] * keep
    spread = -(log_p * w).sum(1) * keep
    loss = (1 - ls) * picked + ls / x.shape[1] * spread
    if reduction == "mean":
        return loss.sum() / (w[t] * keep).sum()
    return _reduce(loss, reduction)


_LOSSES = ["L1Loss", "MSELoss", "SmoothL1Loss", "BCEWithLogitsLoss", "SoftmaxCrossEntropyWithLogits", "NLLLoss",
           "CrossEntropyLoss"]


def _draw_case(draw, name, rng):
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    x = rng.standard_normal((n, c)) * 2
    extra = {}
    if name in ("L1Loss", "MSELoss", "SmoothL1Loss"):
        y = x + rng.choice([-1, 1], x.shape) * (rng.random(x.shape) * 3 + 0.01)  # away from the kinks
        extra["beta"] = draw(st.sampled_from([0.5, 1.0, 2.0]))
        cell = nn.SmoothL1Loss(extra["beta"], reduction) if name == "SmoothL1Loss" else getattr(nn, name)(reduction)
    elif name == "BCEWithLogitsLoss":
        y = rng.random(x.shape)
        cell = nn.BCEWithLogitsLoss(reduction)
    elif name == "SoftmaxCrossEntropyWithLogits":
        extra["sparse"] = draw(st.booleans())
        y = rng.integers(0, c, n).astype(np.int32) if extra["sparse"] else rng.dirichlet(np.ones(c), n)
        cell = nn.SoftmaxCrossEntropyWithLogits(extra["sparse"], reduction)
    else:
        weight = rng.random(c) + 0.5 if draw(st.booleans()) else None
        extra.update(weight=weight, ignore_index=draw(st.sampled_from([-100, 0])))
        y = rng.integers(0, c, n).astype(np.int32)
        if extra["ignore_index"] == 0:
            y[0] = 1 % c  # at least one target counts
        kwargs = dict(weight=None if weight is None else Tensor(weight), ignore_index=extra["ignore_index"],
                      reduction=reduction)
        if name == "CrossEntropyLoss":
            extra["label_smoothing"] = draw(st.sampled_from([0.0, 0.1]))
            kwargs["label_smoothing"] = extra["label_smoothing"]
        else:
            x = _log_softmax(x, 1)
        cell = getattr(nn, name)(**kwargs)
    return cell, reduction, x, y, extra


@pytest.mark.parametrize("name", _LOSSES)
def test_loss_matches_numpy_and_finite_differences(name):
    @settings(max_examples=4, deadline=None)
    @given(st.data(), st.integers(0, 2 ** 16))
    def run(data, seed):
        rng = np.random.default_rng(seed)
        cell, reduction, x, y, extra = _draw_case(data.draw, name, rng)
        got = cell(Tensor(x), Tensor(y)).asnumpy()
        np.testing.assert_allclose(got, _oracle(name, reduction, x, y, extra), rtol=1e-10, atol=1e-12)
        labels = Tensor(y)
        check_gradients(lambda a: cell(a, labels), [x], rng)
    run()


def test_loss_defaults_and_errors():
    assert nn.SoftmaxCrossEntropyWithLogits().reduction == "none"
    assert nn.SmoothL1Loss().reduction == "none"
    assert nn.MSELoss().reduction == "mean" and nn.CrossEntropyLoss().reduction == "mean"
    with pytest.raises(ValueError, match="reduction"):
        nn.L1Loss("average")
    logits = Tensor(np.zeros((2, 3), np.float32))
    with pytest.raises(TypeError, match="labels"):
        nn.SoftmaxCrossEntropyWithLogits(sparse=True)(logits, Tensor(np.zeros(2, np.float32)))
    with pytest.raises(TypeError, match="target"):
        nn.CrossEntropyLoss()(logits, Tensor(np.zeros(2, np.int64)))
    out = nn.SoftmaxCrossEntropyWithLogits(sparse=True)(logits, Tensor(np.array([0, 2], np.int64)))
    np.testing.assert_allclose(out.asnumpy(), np.full(2, np.log(3.0)), rtol=1e-6)


def test_cross_entropy_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 4, 3))
    y = rng.integers(0, 4, (5, 3)).astype(np.int32)
    w = rng.random(4) + 0.5
    got = nn.CrossEntropyLoss(Tensor(w), ignore_index=2, label_smoothing=0.2)(Tensor(x), Tensor(y)).asnumpy()
    want = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y, dtype=torch.long),
                                             torch.tensor(w), ignore_index=2, label_smoothing=0.2).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10)
    probs = rng.dirichlet(np.ones(4), 5)
    got = nn.CrossEntropyLoss(label_smoothing=0.1)(Tensor(x[:, :, 0]), Tensor(probs)).asnumpy()
    want = torch.nn.functional.cross_entropy(torch.tensor(x[:, :, 0]), torch.tensor(probs),
                                             label_smoothing=0.1).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10)
