"""Compatibility module: backo 0.2.1's `backo.collection_addon`; the code lives in `backo.core.addon`."""

from .core.addon import CollectionAddon  # noqa: F401
