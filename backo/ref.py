"""Compatibility module: backo 0.2.1's `backo.ref`; the code lives in `backo.core.references`."""

from .core.references.ref import Ref  # noqa: F401
from .core.references.sync import DEFAULT_ID  # noqa: F401
