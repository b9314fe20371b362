"""Compatibility module: backo 0.2.1's `backo.migration_report`; the code lives in `backo.core.migration`."""

from .core.migration import MigrationReport  # noqa: F401
