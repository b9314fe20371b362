"""File: a stricto ``Dict`` describing a file whose content lives in a :class:`FileConnector`.

Content lifecycle (0.2.1 wrote content as soon as it was assigned, and again for every
copy of the Item; see BEHAVIOR.md 13.4 and 19.4.39-42):

1. Assigning content (a str, ``"base64:..."``, bytes, an upload) reads and checks it,
   keeps it aside as :class:`PendingContent`, and fills the metadata under a *new*
   ``file_id``. Nothing is written yet, so a refused or abandoned assignment leaves
   nothing behind.
2. ``Item.create`` (event ``"created"``) and ``Item.save`` (``"before_save"``) write the
   pending content under that id, atomically, then copy it to the cold storage if any.
   If the operation rolls back, what was written is removed.
3. After a save (``"saved"``), content the Item no longer references is removed; deleting
   the Item (``"before_delete"``) removes its content. Both wait for the commit when the
   backoffice can say when it happens (see :mod:`.lifecycle`).

Copies of a File (stricto copies the whole Item for every view) share the connectors and
the pending content: copying never writes.

Metadata sent by a client as a dict can rename the file, keep it, drop it (``file_id:
null``) or name another file of the same Item (a list of Files sent back reordered), never
point at content the Item does not hold: ``file_id``, ``content_type``, ``size`` and
``modified`` are set by backo (SConstraintError otherwise, an HTTP 400). Only an Item
being filled from its stored document may bring any ``file_id`` (see :mod:`.metadata`).
"""

import functools
import typing
from collections.abc import Iterator
from typing import Any, ClassVar

from stricto import EVENT_MANAGER, Bool, Dict, GenericType, Int, SAttributeError, SConstraintError, String, STypeError

from backo.error import FileError
from backo.extras import missing
from backo.options import parse_options
from backo.storage.files.base import DEFAULT_BUFFER_SIZE, FileConnector

from .lifecycle import (
    ITEM_EVENT_HANDLERS,
    StoredContent,
    discard_content,
    register_undo,
    release_content,
    release_replaced_content,
)
from .metadata import EMPTY_METADATA, assigned_by_client, client_change_error, refused_metadata_change, stored_fields
from .pending import PendingContent, as_bytes, content_digest
from .upload import UploadedFile, iter_stream, transform_to_filestorage

try:  # the [files] extra (and libmagic); without it, assigning content raises MissingExtraError (backo.extras)
    import magic

    #: Content-type detection (python-magic), shared: it is thread-safe.
    MIME = magic.Magic(mime=True)
except ImportError as _error:
    magic = MIME = missing("python-magic", "files", "File and BlobFile content", _error)

#: The metadata of a file, in this order (its JSON form).
FILE_MODEL: dict[str, GenericType] = {
    "filename": String(),
    "file_id": String(),
    "content_type": String(),
    "size": Int(default=0),
    "modified": Bool(default=False),
}

FILE_OPTIONS: dict[str, Any] = {
    "work_connector|work|connector|wc|wconnector*": FileConnector,
    "storage_connector|storage|cold|cold_connector": FileConnector | None,
    "buffer_size": {"type": int, "default": DEFAULT_BUFFER_SIZE},
    "mime_types|content_type": list[str] | None,
    "max_size|max": int | None,
    "on": list,
    "transform|trans": typing.Callable,  # replaced by backo's own
}


class File(Dict):
    """A file field: its metadata in the document, its content in a :class:`FileConnector`.

    Example::

        store = FileSystemConnector(path="/var/lib/backo/photos")
        person = Item({"name": String(), "photo": File(wc=store, mime_types=["image/png"], max_size=2**20)})
        p = people.create({"name": "Ada", "photo": "base64:iVBORw0KGgo..."})
        p.photo.get_content()  # the PNG bytes
        p.photo.get_value()
        # {"filename": None, "file_id": "1231...", "content_type": "image/png", "size": 1024, "modified": True}

    Keywords: ``work_connector`` (aliases ``work``, ``connector``, ``wc``, ``wconnector``;
    required) holds the content; ``storage_connector`` (``storage``, ``cold``,
    ``cold_connector``) keeps a second, "cold" copy; ``buffer_size`` (8192) is the chunk
    size; ``mime_types`` (``content_type``) the allowed content types; ``max_size``
    (``max``) the largest size in bytes; ``on`` more event handlers. Other keywords go to
    stricto's ``Dict``, except ``transform``, which backo sets.

    Assign content as a str (text, or ``"base64:<data>"``), bytes, or an upload (werkzeug's
    ``FileStorage`` or any :class:`UploadedFile`); a dict sets metadata only; None empties.

    .. versionadded:: 0.3.0
       ``required=True`` makes a file mandatory; a File with ``mime_types`` may be empty.
    """

    #: metadata describing the content, the identifying one first: only content assignment changes them
    _CONTENT_KEYS: ClassVar[tuple[str, ...]] = ("file_id", "content_type", "size", "modified")
    _EMPTY: ClassVar[dict[str, Any]] = EMPTY_METADATA

    def __init__(self, **kwargs: Any) -> None:
        options = parse_options(kwargs, FILE_OPTIONS, strict=False)
        if options["buffer_size"] <= 0:
            raise ValueError(f"buffer_size must be a positive number of bytes, not {options['buffer_size']}")
        handlers = list(options["on"] or []) + ITEM_EVENT_HANDLERS
        self.__dict__.update(
            _work_connector=options["work_connector"],
            _storage_connector=options["storage_connector"],
            _buffer_size=options["buffer_size"],
            _mime_types=options["mime_types"],
            _max_size=options["max_size"],
            _pending=None,  # PendingContent assigned and not written yet
            _pending_at_start=None,  # _pending when the current stricto update began
            _content_assigned=False,  # content was assigned during the current update
            _metadata_at_start=dict(self._EMPTY),  # the metadata when the current stricto update began
        )
        Dict.__init__(self, self._model(), transform=transform_to_filestorage, on=handlers, **kwargs)

    @classmethod
    def _model(cls) -> dict[str, GenericType]:
        return dict(FILE_MODEL)

    # --- 0.2.1's private names (published code reads them) -----------------------------

    @property
    def _authorized_mime_types(self) -> list[str] | None:
        """The allowed content types (``mime_types``), None if any type is: 0.2.1's name."""
        return self._mime_types

    @property
    def _buffers_size(self) -> int:
        """The chunk size in bytes (``buffer_size``): 0.2.1's name."""
        return self._buffer_size

    def __copy__(self) -> "File":
        """A copy sharing the connectors and the pending content, with its own event registration.

        stricto's ``Dict.__copy__`` leaves the copy with the original's event id, so
        dropping the registrations of a discarded copy would silence the original's
        handlers: the copy gets an id of its own, as stricto gives every non-Dict field.
        """
        twin = Dict.__copy__(self)
        event_id = EVENT_MANAGER.generate_uniq_id()
        EVENT_MANAGER.copy_object_id(self._event_id, event_id)
        twin.__dict__["_event_id"] = event_id
        return twin

    # --- assignment -------------------------------------------------------------------

    def set_value(self, value: Any) -> bool:
        """Assign content, metadata (a dict) or None; return True if something changed.

        :raises SConstraintError: too big, or metadata a client may not set.
        :raises STypeError: not a file value, or invalid ``"base64:..."``.
        """
        given = value.get_value() if isinstance(value, GenericType) else value
        given = self._transform(given, self.get_root())
        if given is None:
            return self._clear()
        if isinstance(given, dict):
            return self._assign_metadata(given)
        if isinstance(given, UploadedFile):
            return self._assign_upload(given)
        raise STypeError(
            '{0}: Must be file content (str, bytes, upload), a dict or None (value="{value}")',
            self.path_name(),
            value=given,
        )

    def check_type(self, value: Any) -> bool:
        """Accept what :meth:`set_value` accepts: dicts, str, bytes, uploads."""
        if isinstance(value, (dict, Dict, str, bytes, bytearray, UploadedFile)):
            return True
        raise STypeError('{0}: Must be a dict (value="{value}")', self.path_name(), value=value)

    def compute_value(self) -> bool:
        """With ``set=f``: assign ``f(root)`` as this File's value; return True if it changed.

        stricto calls this whenever it recomputes values (every ``set``, a copy's first
        change, a load). ``f`` returns what may be assigned (text, ``"base64:..."``, bytes,
        an upload, a metadata dict or None), as in 0.2.1. New content goes the usual way:
        pending until the Item is created or saved; the same content again is no change
        (same ``file_id``), so stricto's recomputation loop ends.
        """
        if callable(self._auto_set):
            return self.set_value(self._auto_set(self.get_root()))
        return Dict.compute_value(self)

    def set_content(self, content: str | bytes | UploadedFile) -> None:
        """Assign new content, validated like any stricto assignment."""
        self.set(content)

    def _assign_upload(self, upload: UploadedFile) -> bool:
        self._refuse_oversize(upload.content_length)
        pending = self._read_upload(upload)
        if self._holds(pending):
            return self._set_filename(upload.filename)
        changed = self._accept_content(pending, upload)
        self.__dict__["_content_assigned"] = True
        return changed

    def _read_upload(self, upload: UploadedFile) -> PendingContent:
        """Read the whole upload; past ``max_size`` count the bytes without keeping them."""
        pending = PendingContent()
        refused = 0
        if getattr(upload.stream, "seekable", lambda: False)():
            upload.stream.seek(0)  # read whole even if read before (a dry-run check, a retry)
        for chunk in iter_stream(upload.stream, self._buffer_size):
            if refused or (self._max_size is not None and pending.size + len(chunk) > self._max_size):
                refused += len(chunk)
            else:
                pending.append(chunk)
        self._refuse_oversize(pending.size + refused)
        return pending

    def _refuse_oversize(self, size: int | None) -> None:
        if self._max_size is not None and size is not None and size > self._max_size:
            raise SConstraintError('{0}: File too big (value="{value}")', self.path_name(), value=size)

    def _holds(self, pending: PendingContent) -> bool:
        """Tell whether this File already holds exactly the content ``pending``."""
        file_id = self._file_id()
        if file_id is None or self._field("size").get_value() != pending.size:
            return False
        if self._pending is not None:
            return self._pending.digest == pending.digest
        connector = self._work_connector
        return connector.has_file(file_id) and content_digest(connector.read_chunk(file_id)) == pending.digest

    def _accept_content(self, pending: PendingContent, upload: UploadedFile) -> bool:
        """Take ``pending`` as the new content, under a new id (the declared type, else detected)."""
        self._set_filename(upload.filename)
        self._set_fields(
            file_id=self._work_connector.generate_id(),
            content_type=upload.mimetype or MIME.from_buffer(pending.head),
            size=pending.size,
            modified=True,
        )
        self.__dict__["_pending"] = pending
        return True

    def _assign_metadata(self, given: dict[str, Any]) -> bool:
        """Assign a metadata dict; when a client edits a loaded Item, refuse what it may not set."""
        for key in given:
            if key not in self._keys:
                raise SAttributeError('{0}: Dict object has no attribute "{k}"', self.path_name(), k=key)
        before, pending = self._metadata(), self._pending
        changed = self._clear() if "file_id" in given and given["file_id"] is None else False
        for key in self._keys:
            if key in given:
                changed = self._field(key).set_value(given[key]) or changed
        if self._file_id() != before["file_id"]:
            self.__dict__["_pending"] = None  # the pending content belonged to the previous id
        refused = self._client_change(before) if self.get_root()._permissions.get_permissions_status() else None
        if refused is not None:
            self._set_fields(**before)
            self.__dict__["_pending"] = pending
            raise refused
        return changed

    def _clear(self) -> bool:
        """Make this File empty (no content, empty metadata)."""
        self.__dict__["_pending"] = None
        return self._set_fields(**self._EMPTY)

    # --- stricto validation and rollback ----------------------------------------------

    def check_value(self) -> None:
        """stricto's checks, plus: metadata assigned by a client must describe this file."""
        Dict.check_value(self)
        if self._content_assigned or not assigned_by_client(self):
            return
        refused = self._client_change(self._metadata_at_start)
        if refused is not None:
            raise refused

    def check_constraints(self, value: Any) -> bool:
        """stricto's constraints, then ``required``, ``max_size`` and ``mime_types``."""
        Dict.check_constraints(self, value)
        path, has_file = self.path_name(), self.has_file()
        if self._not_none is True and not has_file:
            raise SConstraintError('{0}: Cannot be empty "{value}"', path, value=None)
        self._refuse_oversize(self._field("size").get_value() or 0)
        content_type = self._field("content_type").get_value()
        if self._mime_types is not None and has_file and content_type not in self._mime_types:
            raise SConstraintError('{0}: Unauthorized content_type (value="{value}")', path, value=content_type)
        return True

    def start_record(self) -> None:
        Dict.start_record(self)
        self.__dict__["_pending_at_start"] = self._pending
        self.__dict__["_content_assigned"] = False
        self.__dict__["_metadata_at_start"] = self._metadata()

    def rollback(self) -> None:
        Dict.rollback(self)
        self.__dict__["_pending"] = self._pending_at_start
        self.__dict__["_content_assigned"] = False

    def _client_change(self, before: dict[str, Any]) -> SConstraintError | None:
        """The error for metadata a client may not set (going from ``before`` to now), or None."""
        after = self._metadata()
        refused = refused_metadata_change(before, after, self._CONTENT_KEYS, self._EMPTY, self._owned_metadata)
        return None if refused is None else client_change_error(self.path_name(), *refused)

    def _owned_metadata(self, after: dict[str, Any]) -> dict[str, Any] | None:
        """The stored metadata of the content ``after`` names, if a File of the same Item holds it."""
        for stored in stored_fields(self, File):
            if stored._work_connector is self._work_connector and stored._file_id() == after["file_id"]:
                return stored._metadata()
        return None

    # --- reading ----------------------------------------------------------------------

    def has_file(self) -> bool:
        """Tell whether a file is set (it has a ``file_id``)."""
        return self._file_id() is not None

    def get_content(self) -> bytes:
        """The whole content (loaded from the cold storage if the work copy is missing).

        :raises FileError: no file, or its content is nowhere to be found.
        """
        file_id = self._require_file_id("{0} file doesnt exists (no file_id)")
        if self._pending is not None:
            return self._pending.read()
        connector = self._work_connector
        if not connector.has_file(file_id):
            self.load()
            if not connector.has_file(file_id):
                raise FileError('{0} file "{1}" not found in storage', self.path_name(), file_id)
        return bytes(connector.get(file_id))

    def read_content_generator(self) -> Iterator[bytes]:
        """The content in chunks, from the work copy or else the cold one (what a download streams).

        :raises FileError: ``'{path} file not found'`` without a file,
            ``'{path} unable to get file'`` if no connector has its content.
        """
        file_id = self._require_file_id("{0} file not found")
        if self._pending is not None:
            return self._pending.chunks(self._buffer_size)
        for connector in (self._work_connector, self._storage_connector):
            if connector is not None and connector.has_file(file_id):
                return as_bytes(connector.read_chunk(file_id))
        raise FileError("{0} unable to get file", self.path_name())

    # --- storage ----------------------------------------------------------------------

    def load(self) -> None:
        """Copy the content from the cold storage to the work connector (if it is there)."""
        cold, file_id = self._storage_connector, self._file_id()
        if cold is None or file_id is None or not cold.has_file(file_id):
            return
        self.copy_file_content(file_id, cold, file_id, self._work_connector)
        self._field("modified").set_value(False)

    def save(self) -> None:
        """Write pending content to the work connector, then copy it to the cold storage."""
        self._persist(None, {})

    def delete_content(self) -> None:
        """Remove the content from both connectors now, and empty the metadata."""
        stored = self.stored_content()
        if stored is not None:
            for connector in stored[1:]:
                if connector is not None:
                    connector.delete(stored[0])
        self._clear()

    def copy_file_content(self, f_id_src: str, src: FileConnector, f_id_dst: str, dst: FileConnector) -> None:
        """Copy file ``f_id_src`` of ``src`` to ``f_id_dst`` of ``dst``, chunk by chunk, atomically."""
        if not src.has_file(f_id_src):
            raise FileError('{0} file "{1}" not found in storage', self.path_name(), f_id_src)
        dst.write_content(f_id_dst, src.read_chunk(f_id_src))

    def generate_file_id(self) -> str:
        """Give this File a new random ``file_id`` and return it.

        .. versionchanged:: 0.3.0 returns the id it stores (0.2.1 returned another one).
        """
        file_id = self._work_connector.generate_id()
        self._field("file_id").set_value(file_id)
        return file_id

    # --- Item events ------------------------------------------------------------------

    def on_created(self, event_name: str, root: Any, me: "File", **kwargs: Any) -> None:
        """After the Item is stored: write the pending content (work, then cold)."""
        self._persist(root, kwargs)

    def on_before_save(self, event_name: str, root: Any, me: "File", **kwargs: Any) -> None:
        """Before the Item is stored: write the pending content (work, then cold)."""
        self._persist(root, kwargs)

    def on_saved(self, event_name: str, root: Any, me: "File", **kwargs: Any) -> None:
        """After the Item is stored: release the content its previous version referenced and it no longer does."""
        release_replaced_content(root, kwargs, File)

    def on_before_delete(self, event_name: str, root: Any, me: "File", **kwargs: Any) -> None:
        """The Item is being deleted: release its content (once the deletion is committed, if possible)."""
        release_content(self.stored_content(), root, kwargs)

    def stored_content(self) -> StoredContent | None:
        """Where the content is stored: ``(file_id, work connector, cold connector)``, None without a file."""
        file_id = self._file_id()
        return None if file_id is None else (file_id, self._work_connector, self._storage_connector)

    def _persist(self, root: Any, event_kwargs: dict[str, Any]) -> None:
        """Write pending content to the work connector and copy it to the cold one, undoably."""
        pending, file_id = self._pending, self._file_id()
        if pending is not None and file_id is not None:
            self._work_connector.write_content(file_id, pending.chunks(self._buffer_size))
            self.__dict__["_pending"] = None
            undo = functools.partial(self._unwrite, file_id, pending)
            register_undo(root, event_kwargs, f"{self.path_name()} content {file_id}", undo)
        cold = self._storage_connector
        if cold is None or file_id is None or not self._field("modified").get_value():
            return
        existed = cold.has_file(file_id)
        self.copy_file_content(file_id, self._work_connector, file_id, cold)
        self._field("modified").set_value(False)
        undo = functools.partial(self._uncopy, file_id, existed)
        register_undo(root, event_kwargs, f"{self.path_name()} cold copy {file_id}", undo)

    def _unwrite(self, file_id: str, pending: PendingContent) -> None:
        """Undo a content write: remove it, and keep it pending so that a new save writes it again."""
        discard_content(file_id, self._work_connector)
        if self._file_id() == file_id and self._pending is None:
            self.__dict__["_pending"] = pending

    def _uncopy(self, file_id: str, existed: bool) -> None:
        """Undo a cold copy: remove it unless it was there before, and mark the file modified again."""
        if not existed:
            discard_content(file_id, self._storage_connector)
        if self._file_id() == file_id:
            self._field("modified").set_value(True)

    # --- helpers ----------------------------------------------------------------------

    def _field(self, key: str) -> GenericType:
        return self.__dict__[key]

    def _file_id(self) -> str | None:
        return self.__dict__["file_id"].get_value()

    def _metadata(self) -> dict[str, Any]:
        return {key: self.__dict__[key].get_value() for key in self._keys}

    def _set_fields(self, **values: Any) -> bool:
        changed = False
        for key, value in values.items():
            changed = self._field(key).set_value(value) or changed
        return changed

    def _set_filename(self, filename: str | None) -> bool:
        return bool(filename) and self._field("filename").set_value(filename)

    def _require_file_id(self, message_format: str) -> str:
        file_id = self._file_id()
        if file_id is None:
            raise FileError(message_format, self.path_name())
        return file_id
