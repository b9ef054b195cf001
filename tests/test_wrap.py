"""nn.WithLossCell: the loss of the backbone's output, the backbone's parameter names unchanged."""
import numpy as np
import pytest

from minispore import Tensor, nn
from minispore.ops import operations as P


class _SquaredError(nn.Cell):
    def __init__(self):
        super().__init__()
        self.mean = P.ReduceMean()

    def construct(self, out, label):
        return self.mean((out - label) * (out - label))


def test_with_loss_cell_is_the_loss_of_the_backbone_output(device):
    rng = np.random.default_rng(0)
    net = nn.Dense(3, 2)
    names = [p.name for p in net.trainable_params()]
    x, y = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((4, 2)).astype(np.float32)
    wrapped = nn.WithLossCell(net, _SquaredError())
    assert wrapped.backbone_network is net
    assert [p.name for p in wrapped.trainable_params()] == names == ["weight", "bias"]
    out = net(Tensor(x)).asnumpy()
    loss = wrapped(Tensor(x), Tensor(y))
    assert loss.shape == ()
    np.testing.assert_allclose(loss.asnumpy(), np.mean((out - y) ** 2), rtol=1e-6)
    with pytest.raises(TypeError, match="backbone"):
        nn.WithLossCell(lambda x: x, _SquaredError())
    with pytest.raises(TypeError, match="loss_fn"):
        nn.WithLossCell(net, 3)
