"""Guide: Using Encapsulation Operator to Initialize Parameters / The Custom of the Tensor."""
import numpy as np
import minispore.nn as nn
from minispore import Tensor
from minispore import dtype as mstype
weight = Tensor(np.ones([64, 3, 3, 3]), dtype=mstype.float32)
input_data = Tensor(np.ones([1, 3, 16, 50], dtype=np.float32))
net = nn.Conv2d(3, 64, 3, weight_init=weight)
output = net(input_data)
print(output)
