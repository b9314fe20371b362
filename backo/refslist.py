"""Compatibility module: backo 0.2.1's `backo.refslist`; the code lives in `backo.core.references`."""

from .core.references.refslist import RefsList  # noqa: F401
from .core.references.strategies import DeleteStrategy, FillStrategy  # noqa: F401
from .core.references.sync import DEFAULT_ID  # noqa: F401
