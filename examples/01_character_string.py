"""Guide: Using Encapsulation Operator to Initialize Parameters / Character String."""
import numpy as np
import minispore.nn as nn
from minispore import Tensor
from minispore.common import set_seed
set_seed(1)
input_data = Tensor(np.ones([1, 3, 16, 50], dtype=np.float32))
net = nn.Conv2d(3, 64, 3, weight_init='Normal')
output = net(input_data)
print(output)
