"""File connectors: stores of raw file content (bytes) keyed by a ``file_id``.

storage.files knows ids and bytes, never Items or Files. From backo it imports only
``backo.error``, ``backo.log`` and the stricto-only kwargs helper ``backo.options``;
from stricto its error classes. No ``backo.core``, no ``backo.http``, no Flask or werkzeug. Every backend subclasses
:class:`FileConnector` (``base.py``), whose docstrings are the contract.
"""

from .base import FileConnector as FileConnector
from .blob import FileBlobConnector as FileBlobConnector
from .filesystem import FileSystemConnector as FileSystemConnector

__all__ = ["FileBlobConnector", "FileConnector", "FileSystemConnector"]
