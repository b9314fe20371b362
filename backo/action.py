"""Compatibility module: backo 0.2.1's `backo.action`; the code lives in `backo.core.action`."""

from .core.action import Action  # noqa: F401
