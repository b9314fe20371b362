"""Compatibility module: backo 0.2.1's `backo.file.file_connector`; the code lives in `backo.storage.files.base`."""

from ..storage.files.base import FileConnector  # noqa: F401
