"""Compatibility module: backo 0.2.1's `backo.item`; the code lives in `backo.core.item`."""

from .core.item import Item  # noqa: F401
