"""Guide: Using the Initializer Method to Initialize Parameters / The Parameter of Init is Str.

MindSpore r1.3 prints zeros here because it computes with the still-uninitialised lazy weight; minispore
generates the weight on first use and prints the real convolution (see the README's differences table).
"""
import numpy as np
from minispore import Tensor
from minispore import dtype as mstype
from minispore.common import set_seed
from minispore.common.initializer import initializer
from minispore.ops.operations import nn_ops as nps
set_seed(1)
input_data = Tensor(np.ones([16, 3, 10, 32, 32]), dtype=mstype.float32)
weight = initializer('Normal', shape=[32, 3, 4, 3, 3], dtype=mstype.float32)
conv3d = nps.Conv3D(out_channel=32, kernel_size=(4, 3, 3))
output = conv3d(input_data, weight)
print(output)
