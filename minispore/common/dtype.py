"""``minispore.common.dtype``: the same module as ``minispore.dtype`` (MindSpore has both paths)."""
from ..dtype import *  # noqa: F401,F403
from ..dtype import __all__  # noqa: F401
