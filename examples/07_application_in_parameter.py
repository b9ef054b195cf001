"""Guide: Using the Initializer Method to Initialize Parameters / Application in Parameter."""
import numpy as np
from minispore import dtype as mstype
from minispore.common import set_seed
from minispore.ops import operations as ops
from minispore import Tensor, Parameter, context
from minispore.common.initializer import Normal, initializer
set_seed(1)
weight1 = Parameter(initializer('Normal', [5, 4], mstype.float32), name="w1")
weight2 = Parameter(initializer(Normal(0.2), [5, 4], mstype.float32), name="w2")
input_data = Tensor(np.arange(20).reshape(5, 4), dtype=mstype.float32)
net = ops.Add()
output = net(input_data, weight1)
output = net(output, weight2)
print(output)
