"""A file connector keeping contents in memory: :class:`FileBlobConnector`."""

import threading
from collections.abc import Iterable, Iterator
from typing import Any

from .base import FileConnector, is_valid_file_id


class FileBlobConnector(FileConnector):
    """Keep file contents in a dict, in memory (tests, scripts, and ``BlobFile``'s default).

    Thread-safe; nothing is persisted. As in backo 0.2.1: ``get`` of an unknown id returns
    None, ``clear`` empties an existing file but does not create one, and iterating
    ``read_chunk`` of an unknown id raises KeyError. Chunks are ``bytearray`` slices.

    Example::

        store = FileBlobConnector(buffer_size=4)
        store.write_chunk("a1", b"hello")
        list(store.read_chunk("a1"))  # [bytearray(b'hell'), bytearray(b'o')]
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._files: dict[str, bytearray] = {}
        self._lock = threading.Lock()

    def has_file(self, file_id: str) -> bool:
        """See :meth:`FileConnector.has_file`."""
        if not is_valid_file_id(file_id):
            return False
        with self._lock:
            return file_id in self._files

    def get(self, file_id: str, mode: str = "rb", encoding: str | None = None) -> bytes | str | None:
        """Return the content (bytes, or text decoded with ``encoding``, default UTF-8), or None."""
        self._check_read_mode(mode)
        self.validate_file_id(file_id)
        with self._lock:
            content = self._files.get(file_id)
            data = None if content is None else bytes(content)
        if data is None or mode == "rb":
            return data
        return data.decode(encoding or "utf-8")

    def clear(self, file_id: str) -> None:
        """See :meth:`FileConnector.clear`."""
        self.validate_file_id(file_id)
        with self._lock:
            if file_id in self._files:
                self._files[file_id] = bytearray()

    def read_chunk(self, file_id: str) -> Iterator[bytes | bytearray]:
        """Return a generator of ``bytearray`` chunks of the content as it is when iteration starts."""
        self.validate_file_id(file_id)
        return self._chunks(file_id)

    def write_chunk(self, file_id: str, chunk: bytes | bytearray) -> None:
        """See :meth:`FileConnector.write_chunk`."""
        self.validate_file_id(file_id)
        with self._lock:
            self._files.setdefault(file_id, bytearray()).extend(chunk)

    def delete(self, file_id: str) -> None:
        """See :meth:`FileConnector.delete`."""
        self.validate_file_id(file_id)
        with self._lock:
            self._files.pop(file_id, None)

    def write_content(self, file_id: str, chunks: Iterable[bytes | bytearray]) -> int:
        """Collect ``chunks``, then replace the content in one step (atomic)."""
        self.validate_file_id(file_id)
        content = bytearray()
        for chunk in chunks:
            content.extend(chunk)
        with self._lock:
            self._files[file_id] = content
        return len(content)

    def _chunks(self, file_id: str) -> Iterator[bytearray]:
        with self._lock:
            content = bytes(self._files[file_id])
        for start in range(0, len(content), self._buffer_size):
            yield bytearray(content[start : start + self._buffer_size])
