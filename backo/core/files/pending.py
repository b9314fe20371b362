"""Content assigned to a File and not yet written to its connector: :class:`PendingContent`."""

import hashlib
import tempfile
import threading
import weakref
from collections.abc import Iterator
from typing import Any, Self

#: Pending content up to this size stays in memory; beyond, it is spooled to a temporary file.
IN_MEMORY_LIMIT = 1 << 20

#: How many leading bytes are kept for content-type detection.
SNIFF_BYTES = 1 << 20


class PendingContent:
    """Bytes waiting for the Item save that stores them, with their size and digest.

    Small contents stay in memory, large ones go to an anonymous temporary file, closed
    when the object is collected (so nothing needs closing by hand). Filled once with
    :meth:`append`, then read any number of times. Copies are the object itself: when
    stricto copies an Item, the copies share the pending content instead of duplicating it.
    """

    def __init__(self) -> None:
        spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_LIMIT)  # noqa: SIM115 - the finalizer closes it
        self._spool = spool
        weakref.finalize(self, spool.close)
        self._lock = threading.Lock()
        self._hash = hashlib.sha256()
        self._head = bytearray()
        #: number of bytes appended
        self.size = 0

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self

    def append(self, chunk: bytes) -> None:
        """Add ``chunk`` at the end of the content."""
        with self._lock:
            self._spool.seek(0, 2)
            self._spool.write(chunk)
        self._hash.update(chunk)
        if len(self._head) < SNIFF_BYTES:
            self._head.extend(chunk[: SNIFF_BYTES - len(self._head)])
        self.size += len(chunk)

    @property
    def head(self) -> bytes:
        """The first bytes of the content (enough to detect its type)."""
        return bytes(self._head)

    @property
    def digest(self) -> str:
        """The SHA-256 of the content, to tell whether two contents are the same."""
        return self._hash.hexdigest()

    def chunks(self, buffer_size: int) -> Iterator[bytes]:
        """Yield the content in chunks of ``buffer_size`` bytes (each generator has its own position)."""
        position = 0
        while True:
            with self._lock:
                self._spool.seek(position)
                chunk = self._spool.read(buffer_size)
            if not chunk:
                return
            position += len(chunk)
            yield chunk

    def read(self) -> bytes:
        """The whole content."""
        with self._lock:
            self._spool.seek(0)
            return self._spool.read()


def as_bytes(chunks: Iterator[bytes | bytearray]) -> Iterator[bytes]:
    """Yield ``chunks`` as ``bytes`` (a WSGI server wants bytes; some connectors yield bytearray)."""
    for chunk in chunks:
        yield chunk if isinstance(chunk, bytes) else bytes(chunk)


def content_digest(chunks: Iterator[bytes]) -> str:
    """The SHA-256 of a content given in chunks (compare with :attr:`PendingContent.digest`)."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()
