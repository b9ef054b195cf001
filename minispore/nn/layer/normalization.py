"""Normalisation layers: BatchNorm1d, BatchNorm2d and LayerNorm (MindSpore's arguments and defaults; r1.3 and
2.10 agree on them).

BatchNorm in training normalises with the batch mean and biased variance and folds the batch into the moving
statistics: moving = momentum * moving + (1 - momentum) * batch, with the unbiased variance (momentum 0.9
weights the old statistic); in evaluation it normalises with the moving statistics. Its Parameters are named
as MindSpore names them: 'gamma', 'beta', 'mean' and 'variance' (attributes moving_mean, moving_variance).
"""
from ... import _checks
from ... import dtype as mstype
from ...common.initializer import initializer
from ...common.parameter import Parameter
from ...common.tensor import Tensor
from ...ops.operations import nn_ops
from ..cell import Cell

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]


class _BatchNorm(Cell):
    """Arguments, parameters and forward pass shared by BatchNorm1d and BatchNorm2d (input ranks `_ranks`)."""

    _ranks = None

    def __init__(self, num_features, eps=1e-5, momentum=0.9, affine=True, gamma_init="ones", beta_init="zeros",
                 moving_mean_init="zeros", moving_var_init="ones", use_batch_statistics=None, data_format="NCHW",
                 dtype=mstype.float32):
        super().__init__()
        api = type(self).__name__
        self.num_features = _checks.check_positive_int(api, "num_features", num_features)
        self.eps = _checks.check_number(api, "eps", eps, minimum=0, strict=True)
        momentum = _checks.check_number(api, "momentum", momentum, minimum=0)
        if momentum > 1:
            _checks.fail(api, "momentum", "a number in range [0, 1]", momentum)
        self.affine = _checks.check_bool(api, "affine", affine)
        if use_batch_statistics is not None:
            _checks.check_bool(api, "use_batch_statistics", use_batch_statistics)
        self.use_batch_statistics = use_batch_statistics
        self.format = _checks.check_choice(api, "data_format", data_format, ("NCHW", "NHWC"))
        self.gamma_init, self.beta_init = gamma_init, beta_init
        self.moving_mean_init, self.moving_var_init = moving_mean_init, moving_var_init
        n = self.num_features
        self.moving_mean = Parameter(initializer(moving_mean_init, n, dtype), name="mean", requires_grad=False)
        self.moving_variance = Parameter(initializer(moving_var_init, n, dtype), name="variance",
                                         requires_grad=False)
        self.gamma = Parameter(initializer(gamma_init, n, dtype), name="gamma", requires_grad=affine)
        self.beta = Parameter(initializer(beta_init, n, dtype), name="beta", requires_grad=affine)
        self.momentum = 1.0 - momentum  # the primitive's: the weight of the batch statistics
        self.bn_train = nn_ops.BatchNorm(is_training=True, epsilon=self.eps, momentum=self.momentum,
                                         data_format=self.format)
        self.bn_infer = nn_ops.BatchNorm(is_training=False, epsilon=self.eps, data_format=self.format)

    def construct(self, x):
        api = type(self).__name__
        _checks.check_type(api, "x", x, Tensor, "a Tensor")
        if x.ndim not in self._ranks:
            _checks.fail(api, "x", " or ".join(f"{r}-d" for r in self._ranks) + " (the in_shape)",
                         f"shape {x.shape}")
        channels = x.shape[-1] if self.format == "NHWC" else x.shape[1]
        if channels != self.num_features:
            _checks.fail(api, "x", f"a Tensor of num_features ({self.num_features}) channels", f"shape {x.shape}")
        batch_statistics = self.training if self.use_batch_statistics is None else self.use_batch_statistics
        bn = self.bn_train if batch_statistics else self.bn_infer
        return bn(x, self.gamma, self.beta, self.moving_mean, self.moving_variance)[0]

    def extend_repr(self):
        return (f"num_features={self.num_features}, eps={self.eps}, momentum={1.0 - self.momentum}, "
                f"gamma={self.gamma}, beta={self.beta}, moving_mean={self.moving_mean}, "
                f"moving_variance={self.moving_variance}")


class BatchNorm1d(_BatchNorm):
    r"""Batch normalisation of (N, C) or (N, C, L) input over all axes but the channel axis 1.

    Args:
        num_features (int): C.
        eps (float): added to the variance, > 0. Default: 1e-5.
        momentum (float): in [0, 1]; moving = momentum * moving + (1 - momentum) * batch. Default: 0.9.
        affine (bool): gamma and beta are trained. Default: True.
        gamma_init, beta_init, moving_mean_init, moving_var_init (Tensor | str | Initializer | numbers.Number):
            Default: 'ones', 'zeros', 'zeros', 'ones'.
        use_batch_statistics (bool | None): None: batch statistics in training, moving ones in evaluation;
            True: always batch (and update); False: always moving. Default: None.
        data_format (str): 'NCHW'. Default: 'NCHW'.
        dtype (minispore.dtype): of the parameters. Default: mstype.float32.

    Inputs:
        - **x** (Tensor) - (N, C) or (N, C, L), float16/32/64.

    Outputs:
        Tensor of the shape and dtype of x.

    Raises:
        TypeError: bad argument types, or x not a Tensor.
        ValueError: bad argument values, x not 2-d or 3-d, or not C channels.

    Examples:
        >>> net = BatchNorm1d(num_features=4)
        >>> net(Tensor(np.ones([2, 4]), mstype.float32)).shape
        (2, 4)
    """

    _ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    r"""Batch normalisation of (N, C, H, W) input over N, H and W for each channel.

    Args:
        num_features (int): C.
        eps (float): added to the variance, > 0. Default: 1e-5.
        momentum (float): in [0, 1]; moving = momentum * moving + (1 - momentum) * batch. Default: 0.9.
        affine (bool): gamma and beta are trained. Default: True.
        gamma_init, beta_init, moving_mean_init, moving_var_init (Tensor | str | Initializer | numbers.Number):
            Default: 'ones', 'zeros', 'zeros', 'ones'.
        use_batch_statistics (bool | None): None: batch statistics in training, moving ones in evaluation;
            True: always batch (and update); False: always moving. Default: None.
        data_format (str): 'NCHW' or 'NHWC' (channels last). Default: 'NCHW'.
        dtype (minispore.dtype): of the parameters. Default: mstype.float32.

    Inputs:
        - **x** (Tensor) - (N, C, H, W), float16/32/64.

    Outputs:
        Tensor of the shape and dtype of x.

    Raises:
        TypeError: bad argument types, or x not a Tensor.
        ValueError: bad argument values, x not 4-d, or not C channels.

    Examples:
        >>> net = BatchNorm2d(num_features=3)
        >>> net(Tensor(np.ones([1, 3, 2, 2]), mstype.float32)).shape
        (1, 3, 2, 2)
    """

    _ranks = (4,)


class LayerNorm(Cell):
    r"""Layer normalisation: each slice from begin_norm_axis on is normalised by its own mean and biased variance,
    then scaled by gamma and shifted by beta (of shape normalized_shape, covering the axes from begin_params_axis).

    Args:
        normalized_shape (tuple[int] | list[int]): the shape of gamma and beta.
        begin_norm_axis (int): the first normalised axis. Default: -1.
        begin_params_axis (int): the first axis gamma and beta cover. Default: -1.
        gamma_init (Tensor | str | Initializer | numbers.Number): Default: 'ones'.
        beta_init (Tensor | str | Initializer | numbers.Number): Default: 'zeros'.
        epsilon (float): added to the variance. Default: 1e-7.
        dtype (minispore.dtype): of the parameters. Default: mstype.float32.

    Inputs:
        - **x** (Tensor) - float16/32/64, x.shape[begin_params_axis:] == normalized_shape.

    Outputs:
        Tensor of the shape and dtype of x.

    Raises:
        TypeError: normalized_shape not a tuple or list of ints, or bad argument types.
        ValueError: an axis out of range, or x whose trailing axes are not normalized_shape.

    Examples:
        >>> x = Tensor(np.ones([20, 5, 10, 10]), mstype.float32)
        >>> LayerNorm(x.shape[1:], begin_norm_axis=1, begin_params_axis=1)(x).shape
        (20, 5, 10, 10)
    """

    def __init__(self, normalized_shape, begin_norm_axis=-1, begin_params_axis=-1, gamma_init="ones",
                 beta_init="zeros", epsilon=1e-7, dtype=mstype.float32):
        super().__init__()
        api = type(self).__name__
        if not isinstance(normalized_shape, (tuple, list)) or not all(_checks.is_int(v) for v in normalized_shape):
            _checks.fail(api, "normalized_shape", "a tuple[int] or list[int]", normalized_shape, TypeError)
        self.normalized_shape = tuple(int(v) for v in normalized_shape)
        self.begin_norm_axis = _checks.check_int(api, "begin_norm_axis", begin_norm_axis)
        self.begin_params_axis = _checks.check_int(api, "begin_params_axis", begin_params_axis)
        self.epsilon = _checks.check_number(api, "epsilon", epsilon, minimum=0)
        self.gamma = Parameter(initializer(gamma_init, self.normalized_shape, dtype), name="gamma")
        self.beta = Parameter(initializer(beta_init, self.normalized_shape, dtype), name="beta")
        self.layer_norm = nn_ops.LayerNorm(begin_norm_axis=self.begin_norm_axis,
                                           begin_params_axis=self.begin_params_axis, epsilon=self.epsilon)

    def construct(self, x):
        return self.layer_norm(x, self.gamma, self.beta)[0]

    def extend_repr(self):
        return (f"normalized_shape={self.normalized_shape}, begin_norm_axis={self.begin_norm_axis}, "
                f"begin_params_axis={self.begin_params_axis}, gamma={self.gamma}, beta={self.beta}")
