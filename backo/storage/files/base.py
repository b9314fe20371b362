"""The contract every file backend implements: :class:`FileConnector`."""

import abc
import re
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, Self

from backo.error import FileError
from backo.options import parse_options

#: Size of the chunks ``read_chunk`` yields, unless ``buffer_size`` says otherwise.
DEFAULT_BUFFER_SIZE = 8192

#: What a file id may be: it names a file on disk, so nothing that could leave a folder.
FILE_ID_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,128}")

#: The keyword arguments every connector accepts (backends add theirs).
CONNECTOR_OPTIONS: dict[str, Any] = {"buffer_size": {"type": int, "default": DEFAULT_BUFFER_SIZE}}

#: The modes ``get`` accepts: connectors are read through ``get``, never written.
READ_MODES = ("rb", "r", "rt")


def is_valid_file_id(file_id: Any) -> bool:
    """Tell whether ``file_id`` may name a file: 1 to 128 of ``A-Z a-z 0-9 _ -``."""
    return isinstance(file_id, str) and FILE_ID_PATTERN.fullmatch(file_id) is not None


class FileConnector(abc.ABC):
    """A store of file contents (bytes) keyed by a string ``file_id``.

    A backend implements the six abstract methods; their docstrings are the contract.
    Free: ``generate_id`` (a random decimal string), ``validate_file_id`` (the one rule
    on ids, shared by every backend), ``write_content`` (write a whole file: backends
    override it to make it atomic) and identity copies.

    Ids must match :data:`FILE_ID_PATTERN`. An invalid id names no file: ``has_file``
    answers False and every other method raises :class:`~backo.error.FileError`, so an id
    coming from a client can never reach anything outside the store. I/O failures are
    raised as FileError too.

    Example::

        store = FileSystemConnector(path="/var/lib/backo/files")
        file_id = store.generate_id()
        store.write_content(file_id, [b"hello ", b"world"])
        b"".join(store.read_chunk(file_id))  # b"hello world"

    Keyword arguments are parsed strictly: ``buffer_size`` (int, default 8192), the size
    of the chunks ``read_chunk`` yields; anything else raises TypeError.
    """

    def __init__(self, **kwargs: Any) -> None:
        options = parse_options(kwargs, CONNECTOR_OPTIONS, strict=True)
        if options["buffer_size"] <= 0:
            raise ValueError(f"buffer_size must be a positive number of bytes, not {options['buffer_size']}")
        #: size of the chunks read_chunk yields
        self._buffer_size: int = options["buffer_size"]

    def __copy__(self) -> Self:
        """Return ``self``: a connector is an identity object, not a value.

        stricto copies every attribute of a field when it copies an Item (for each view
        or copy); every copy must keep talking to the same store, not to a duplicate.
        """
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """Return ``self``, for the reason given in :meth:`__copy__`."""
        return self

    def generate_id(self) -> str:
        """Return a new random file id: the decimal value of a UUID4's upper 64 bits."""
        return str(uuid.uuid4().int >> 64)

    def validate_file_id(self, file_id: Any) -> str:
        """Return ``file_id`` if it may name a file of this store, else raise FileError."""
        if not is_valid_file_id(file_id):
            shown = file_id if not isinstance(file_id, str) or len(file_id) <= 40 else f"{file_id[:40]}..."
            raise FileError(
                "file_id {0!r} is invalid: a file id is 1 to 128 characters among A-Z, a-z, 0-9, _ and -",
                shown,
            )
        return file_id

    def write_content(self, file_id: str, chunks: Iterable[bytes | bytearray]) -> int:
        """Make ``chunks`` the whole content of ``file_id``; return the number of bytes written.

        Readers see the previous content or the new one, never a part of it, and if
        writing fails (or ``chunks`` raises) no partial content is left under
        ``file_id``. This default does ``clear`` then ``write_chunk`` for each chunk and
        deletes the file on failure (so a failed rewrite loses the old content):
        backends override it with a truly atomic write.
        """
        self.validate_file_id(file_id)
        written = 0
        try:
            self.clear(file_id)
            for chunk in chunks:
                self.write_chunk(file_id, chunk)
                written += len(chunk)
        except BaseException:
            self.delete(file_id)
            raise
        return written

    @abc.abstractmethod
    def has_file(self, file_id: str) -> bool:
        """Tell whether ``file_id`` holds content (False for an invalid id)."""

    @abc.abstractmethod
    def clear(self, file_id: str) -> None:
        """Make ``file_id`` empty (0.2.1: the filesystem creates it, the blob store does not)."""

    @abc.abstractmethod
    def get(self, file_id: str, mode: str = "rb", encoding: str | None = None) -> bytes | str | None:
        """Return the whole content: bytes for ``mode="rb"``, text for ``"r"``/``"rt"``.

        Other modes raise ValueError: ``get`` only reads.
        """

    @abc.abstractmethod
    def read_chunk(self, file_id: str) -> Iterator[bytes | bytearray]:
        """Return a generator of the content in chunks of at most ``buffer_size`` bytes.

        The id is checked at once; the content is opened when iteration starts (what
        happens for a missing file depends on the backend, see each one).
        """

    @abc.abstractmethod
    def write_chunk(self, file_id: str, chunk: bytes | bytearray) -> None:
        """Append ``chunk`` to ``file_id``, creating it if needed (in place: not atomic)."""

    @abc.abstractmethod
    def delete(self, file_id: str) -> None:
        """Remove ``file_id`` if it exists (nothing happens if it does not)."""

    @staticmethod
    def _check_read_mode(mode: str) -> None:
        if mode not in READ_MODES:
            raise ValueError(f'get() reads files: mode must be "rb" or "r", not {mode!r}')
