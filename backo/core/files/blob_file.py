"""BlobFile: a File whose content is stored inside the document itself (base64 in JSON)."""

from collections.abc import Iterator
from typing import Any, ClassVar

from stricto import Bytes, GenericType, SConstraintError

from backo.storage.files.base import FileConnector

# The one concrete storage class the core names: a BlobFile's nominal work connector
# (the content itself lives in the document, so nothing is ever written to it).
from backo.storage.files.blob import FileBlobConnector

from .file import FILE_MODEL, MIME, File
from .lifecycle import StoredContent
from .metadata import EMPTY_METADATA, assigned_by_client, client_change_error, stored_fields
from .pending import SNIFF_BYTES, PendingContent, as_bytes
from .upload import UploadedFile

#: The value of ``file_id`` when the content is in the document.
LOCAL_FILE_ID = "_local"

_WORK_CONNECTOR_KEYS = ("work_connector", "work", "connector", "wc", "wconnector")


class BlobFile(File):
    """A file field for small files, kept whole in the document with its metadata.

    Example::

        invoice = Item({"number": Int(), "pdf": BlobFile(mime_types=["application/pdf"])})
        invoices.create({"number": 1, "pdf": "base64:JVBERi0xLjQgYmxvYg=="})
        # stored as {"filename": None, "file_id": "_local", "content_type": "application/pdf",
        #            "size": 13, "modified": True, "content": "JVBERi0xLjQgYmxvYg=="}

    Same keywords as :class:`File`, without a work connector (any given is ignored).
    ``content_type`` is always detected from the bytes, even for uploads. ``modified`` is
    True after content is assigned and False once the Item is saved again.

    The JSON form is a value too: a dict carrying ``content`` (base64 or bytes), such as
    another record's BlobFile, is new content. From a client, its ``size`` and
    ``content_type`` are derived from the bytes (what the dict says is ignored) and its
    ``file_id`` must be ``"_local"`` (or absent); the program's own Dicts and stored
    documents are taken as they are.
    """

    _CONTENT_KEYS = ("content", *File._CONTENT_KEYS)
    _EMPTY: ClassVar[dict[str, Any]] = {**EMPTY_METADATA, "content": None}

    def __init__(self, **kwargs: Any) -> None:
        for key in _WORK_CONNECTOR_KEYS:
            kwargs.pop(key, None)
        File.__init__(self, work_connector=FileBlobConnector(), **kwargs)

    @classmethod
    def _model(cls) -> dict[str, GenericType]:
        return {**FILE_MODEL, "content": Bytes()}

    def _assign_metadata(self, given: dict[str, Any]) -> bool:
        """Assign a metadata dict; one carrying ``content`` without ``file_id`` is local content."""
        if given.get("content") is not None and "file_id" not in given:
            given = {**given, "file_id": LOCAL_FILE_ID}
        return File._assign_metadata(self, given)

    def compute_value(self) -> bool:
        """``set=`` as for any File; then, for content a client sent in a dict, derive its metadata.

        Runs once the whole value is assigned (so the Item's ``_id`` tells a stored
        document from a client's create), on every stricto update: the derived metadata
        are the same on the next round, so stricto's recomputation loop ends.

        :raises SConstraintError: a ``file_id`` other than ``"_local"`` with the content.
        """
        changed = File.compute_value(self)
        if self._content_assigned or self._metadata() == self._metadata_at_start or not assigned_by_client(self):
            return changed
        content = self._field("content").get_value()
        if content is None or self._file_id() is None:
            return changed  # nothing to describe (check_value applies the metadata rules)
        refused = self._client_change(self._metadata_at_start)
        if refused is not None:
            raise refused
        start = self._metadata_at_start
        described = self._set_fields(
            content_type=MIME.from_buffer(content[:SNIFF_BYTES]),
            size=len(content),
            modified=True if content != start["content"] else start["modified"],
        )
        return described or changed

    def _client_change(self, before: dict[str, Any]) -> SConstraintError | None:
        """Content in the document may come from a client (its metadata are derived), with ``file_id`` ``_local``."""
        after = self._metadata()
        if after["content"] is None or after["file_id"] is None:
            return File._client_change(self, before)
        if after["file_id"] != LOCAL_FILE_ID:
            return client_change_error(self.path_name(), "file_id", after["file_id"])
        return None

    def _holds(self, pending: PendingContent) -> bool:
        return self.has_file() and self._field("content").get_value() == pending.read()

    def _accept_content(self, pending: PendingContent, upload: UploadedFile) -> bool:
        content = pending.read()
        self._set_filename(upload.filename)
        self._set_fields(
            content=content,
            content_type=MIME.from_buffer(pending.head),
            modified=True,
            file_id=LOCAL_FILE_ID,
            size=len(content),
        )
        return True

    def _owned_metadata(self, after: dict[str, Any]) -> dict[str, Any] | None:
        """The stored metadata of the same content, if a BlobFile of the same Item holds it."""
        for stored in stored_fields(self, BlobFile):
            if stored.has_file() and stored._field("content").get_value() == after["content"]:
                return stored._metadata()
        return None

    # --- reading: the content is in the document ----------------------------------------

    def get_content(self) -> bytes:
        """The content.

        :raises FileError: no file.
        """
        self._require_file_id("{0} file doesnt exists (no file_id)")
        return self._field("content").get_value() or b""

    def read_chunk(self) -> Iterator[bytearray]:
        """The content in ``bytearray`` chunks of ``buffer_size`` bytes."""
        content = self._field("content").get_value() or b""
        for start in range(0, len(content), self._buffer_size):
            yield bytearray(content[start : start + self._buffer_size])

    def read_content_generator(self) -> Iterator[bytes]:
        """The content in chunks.

        :raises FileError: ``'{path} file not found'`` without a file.
        """
        self._require_file_id("{0} file not found")
        return as_bytes(self.read_chunk())

    # --- storage: nothing to move -------------------------------------------------------

    def load(self) -> None:
        """Nothing to do: the content is in the document."""

    def save(self) -> None:
        """Nothing to do: the content is in the document."""

    def copy_file_content(self, f_id_src: str, src: FileConnector, f_id_dst: str, dst: FileConnector) -> None:
        """Nothing to do: the content is in the document."""

    def on_created(self, event_name: str, root: Any, me: File, **kwargs: Any) -> None:
        """Nothing to do: the content was stored with the document."""

    def on_before_save(self, event_name: str, root: Any, me: File, **kwargs: Any) -> None:
        """The content is stored with the document: ``modified`` becomes False."""
        self._field("modified").set_value(False)

    def stored_content(self) -> StoredContent | None:
        """None: the content is stored in the document, not in a connector."""
        return None
