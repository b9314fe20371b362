"""Compatibility module: backo 0.2.1's `backo.db_backo_redirect`; the code lives in `backo.storage.db.redirect`."""

from .storage.db.redirect import DBRedirect  # noqa: F401
