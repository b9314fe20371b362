"""Compatibility module: backo 0.2.1's `backo.file.file`; the code lives in `backo.core.files`."""

from ..core.files.file import FILE_MODEL, MIME, File  # noqa: F401
from ..core.files.upload import transform_to_filestorage  # noqa: F401
