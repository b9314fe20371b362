"""Compatibility module: backo 0.2.1's `backo.patch`; the code lives in `backo.core.patch`."""

from .core.patch import Patch  # noqa: F401
