"""Compatibility module: backo 0.2.1's `backo.db_connector`; the code lives in `backo.storage.db.base`."""

from .storage.db.base import DBConnector  # noqa: F401
