"""Compatibility module: backo 0.2.1's `backo.file.blob_file`; the code lives in `backo.core.files.blob_file`."""

from ..core.files.blob_file import BlobFile  # noqa: F401
