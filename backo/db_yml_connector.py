"""Compatibility module: backo 0.2.1's `backo.db_yml_connector`; the code lives in `backo.storage.db.yml`."""

from .storage.db.yml import DBYmlConnector  # noqa: F401
