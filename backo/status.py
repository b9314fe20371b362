"""Compatibility module: backo 0.2.1's `backo.status`; the code lives in `backo.core.status`."""

from .core.status import StatusType  # noqa: F401
