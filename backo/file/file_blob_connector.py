"""Compatibility module: 0.2.1's `backo.file.file_blob_connector`; the code lives in `backo.storage.files.blob`."""

from ..storage.files.blob import FileBlobConnector  # noqa: F401
