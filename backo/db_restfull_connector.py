"""Compatibility module: backo 0.2.1's `backo.db_restfull_connector`; the code lives in `backo.storage.db.rest`."""

from .storage.db.rest import DBRestfullConnector  # noqa: F401
