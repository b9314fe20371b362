"""A file connector keeping one file per id in a folder: :class:`FileSystemConnector`.

Layout: the content of ``file_id`` is the file ``<path>/<file_id>``.

Differences from backo 0.2.1, all deliberate:

* Ids are checked (:data:`~backo.storage.files.base.FILE_ID_PATTERN`: no separator, no
  dot, no NUL, at most 128 characters), so no id reaches a file outside the folder.
* ``write_content`` (what :class:`~backo.core.files.file.File` uses) is atomic: the
  content goes to a temporary file of the same folder, is synced, then renamed onto the
  id. A crash leaves the old content or the new one, never a truncated file. Temporary
  names (``.<id>.<random>.part``) contain dots, so they are never valid ids: nothing
  can read them, and ``has_file`` ignores them. ``clear`` is atomic the same way.
* Files are opened without following symbolic links, and only regular files count.
* ``get`` only reads (``mode`` "rb" or "r").
"""

import contextlib
import os
import stat
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from typing import IO, Any

from stricto import SSyntaxError

from backo.error import FileError
from backo.log import FILE, get_logger
from backo.options import parse_options

from .base import FileConnector, is_valid_file_id

_OPTIONS: dict[str, Any] = {"path": {"type": str | os.PathLike, "default": tempfile.gettempdir()}}
_TEMP_SUFFIX = ".part"
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)

_log = get_logger(FILE)


@contextlib.contextmanager
def _os_errors(message_format: str, full_path: str) -> Iterator[None]:
    """Turn an OSError (or a text decoding error) raised inside into FileError(message_format)."""
    try:
        yield
    except (OSError, UnicodeError) as exc:
        raise FileError(message_format, full_path, repr(exc)) from exc


def _remove_quietly(file_path: str) -> None:
    """Remove a temporary file, keeping the error being handled (if any) the one raised."""
    with contextlib.suppress(OSError):
        os.unlink(file_path)


class FileSystemConnector(FileConnector):
    """Store each file content in its own file of the folder ``path``.

    ``path`` (default: the system temporary folder) must be an existing directory, else
    ``SSyntaxError('File path "{path}" is not a directory')``. Failures are raised as
    FileError with the full path and the OS error, e.g.
    ``FileError('/data/files/123 read error (FileNotFoundError(...))')``. Safe to share
    between threads and processes: whole-file writes are atomic renames.

    Example::

        avatars = FileSystemConnector(path="/var/lib/backo/avatars", buffer_size=65536)
    """

    def __init__(self, **kwargs: Any) -> None:
        path = parse_options(kwargs, _OPTIONS, strict=False)["path"]
        super().__init__(**kwargs)
        if not os.path.isdir(path):
            raise SSyntaxError('File path "{0}" is not a directory', path)
        #: the folder holding the files, as given
        self.path: str = os.fspath(path)
        self._folder = os.path.abspath(self.path)

    def __repr__(self) -> str:
        return f"FileSystemConnector(path={self.path!r})"

    # -- the FileConnector contract ------------------------------------------------------

    def has_file(self, file_id: str) -> bool:
        """See :meth:`FileConnector.has_file`."""
        if not is_valid_file_id(file_id):
            return False
        try:
            status = os.lstat(os.path.join(self._folder, file_id))
        except OSError:
            return False
        return stat.S_ISREG(status.st_mode)

    def get(self, file_id: str, mode: str = "rb", encoding: str | None = None) -> bytes | str:
        """Return the whole content; FileError('{full_path} read error (...)') on failure."""
        self._check_read_mode(mode)
        full_path = self._full_path(file_id)
        with _os_errors("{0} read error ({1})", full_path), self._open_for_reading(full_path, mode, encoding) as stream:
            return stream.read()

    def clear(self, file_id: str) -> None:
        """Make the file empty, creating it if needed (atomically, like ``write_content``)."""
        self.write_content(file_id, ())

    def read_chunk(self, file_id: str) -> Iterator[bytes | bytearray]:
        """Return a generator of chunks; a missing file raises FileError when iteration starts."""
        return self._chunks(self._full_path(file_id))

    def write_chunk(self, file_id: str, chunk: bytes | bytearray) -> None:
        """Append ``chunk`` in place; FileError('{full_path} write chunk error (...)') on failure."""
        full_path = self._full_path(file_id)
        with _os_errors("{0} write chunk error ({1})", full_path):
            descriptor = os.open(full_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _O_NOFOLLOW | _O_BINARY, 0o666)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(chunk)

    def delete(self, file_id: str) -> None:
        """Remove the file if it exists; FileError('{full_path} delete (...)') on failure."""
        full_path = self._full_path(file_id)
        with _os_errors("{0} delete ({1})", full_path), contextlib.suppress(FileNotFoundError):
            os.unlink(full_path)

    def write_content(self, file_id: str, chunks: Iterable[bytes | bytearray]) -> int:
        """Write the whole content to a synced temporary file, then rename it onto ``file_id``.

        If anything fails, including ``chunks`` itself, the temporary file is removed and
        ``file_id`` keeps its previous content (or stays absent). OS errors of the store are
        raised as FileError('{full_path} write error (...)'); errors raised by ``chunks``
        (a client upload breaking off) go through unchanged.
        """
        full_path = self._full_path(file_id)
        temporary = os.path.join(self._folder, f".{file_id}.{uuid.uuid4().hex}{_TEMP_SUFFIX}")
        written = 0
        try:
            with _os_errors("{0} write error ({1})", full_path):
                descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, 0o666)
                stream = os.fdopen(descriptor, "wb")
            with stream:
                for chunk in chunks:
                    with _os_errors("{0} write error ({1})", full_path):
                        stream.write(chunk)
                    written += len(chunk)
                with _os_errors("{0} write error ({1})", full_path):
                    stream.flush()
                    os.fsync(stream.fileno())
            with _os_errors("{0} write error ({1})", full_path):
                os.replace(temporary, full_path)
        except BaseException:
            _remove_quietly(temporary)
            raise
        self._sync_folder()
        _log.debug("%s: wrote %s bytes", full_path, written)
        return written

    # -- helpers ---------------------------------------------------------------------------

    def _full_path(self, file_id: str) -> str:
        """The path of ``file_id`` inside the folder; FileError if the id is invalid."""
        return os.path.join(self._folder, self.validate_file_id(file_id))

    def _open_for_reading(self, full_path: str, mode: str = "rb", encoding: str | None = None) -> IO[Any]:
        """Open a regular file for reading without following a symbolic link."""
        descriptor = os.open(full_path, os.O_RDONLY | _O_NOFOLLOW | _O_BINARY)
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise IsADirectoryError(f"{full_path} is not a regular file")
            if mode == "rb":
                return os.fdopen(descriptor, "rb")
            return os.fdopen(descriptor, "r", encoding=encoding)
        except BaseException:
            os.close(descriptor)
            raise

    def _chunks(self, full_path: str) -> Iterator[bytes]:
        with _os_errors("{0} read error ({1})", full_path):
            stream = self._open_for_reading(full_path)
        with stream:
            while True:
                with _os_errors("{0} read error ({1})", full_path):
                    chunk = stream.read(self._buffer_size)
                if not chunk:
                    return
                yield chunk

    def _sync_folder(self) -> None:
        """Make a rename durable (best effort: not every system can sync a directory)."""
        with contextlib.suppress(OSError):
            descriptor = os.open(self._folder, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
