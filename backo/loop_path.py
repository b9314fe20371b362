"""Compatibility module: backo 0.2.1's `backo.loop_path`; the code lives in `backo.core.references.loop_guard`."""

from .core.references.loop_guard import DEFAULT_MAX_LOOP, LoopPath  # noqa: F401
