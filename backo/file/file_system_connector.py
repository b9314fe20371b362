"""Compatibility module: 0.2.1's `backo.file.file_system_connector`; the code lives in `backo.storage.files`."""

from ..storage.files.filesystem import FileSystemConnector  # noqa: F401
