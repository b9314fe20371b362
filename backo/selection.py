"""Compatibility module: backo 0.2.1's `backo.selection`; the code lives in `backo.core.selection`."""

from .core.selection import Selection  # noqa: F401
