"""Compatibility module: backo 0.2.1's `backo.db_memory_connector`; the code lives in `backo.storage.db.memory`."""

from .storage.db.memory import DBMemoryConnector  # noqa: F401
