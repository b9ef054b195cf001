"""Guide: Using Encapsulation Operator to Initialize Parameters / Initializer Subclass."""
import numpy as np
import minispore.nn as nn
from minispore import Tensor
from minispore.common import set_seed
from minispore.common.initializer import Normal
set_seed(1)
input_data = Tensor(np.ones([1, 3, 16, 50], dtype=np.float32))
net = nn.Conv2d(3, 64, 3, weight_init=Normal(0.2))
output = net(input_data)
print(output)
