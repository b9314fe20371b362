"""A database connector keeping one YAML file per document: :class:`DBYmlConnector`.

Layout: ``<path>/<_id>.yml``, written in PyYAML block style with sorted keys and read
with safe loading (libyaml's C classes when PyYAML has them: same text, ~7x faster).

Differences from backo 0.2.1, all deliberate:

* Ids are checked before they become file names (no separator, NUL, ``.``/``..``,
  empty or over-long id): an invalid id cannot exist (NotFoundError on reads, False on
  delete) and cannot be written (DBError), so no id reaches a file outside the folder.
  ``.yml`` entries that are not regular files (symlinks, directories) are not documents.
* Writes are atomic: a document is written and synced to a temporary file of the same
  folder, then renamed onto ``<_id>.yml`` (``create`` links it, which fails if the id
  exists). Readers see the old or the new document, never a truncated one.
* ``select`` honours filter, projection, sort and pagination, and returns documents
  sorted by ``_id`` when no sort is given (0.2.1 used directory order).
* Parsed documents are cached by file name with the file's inode, mtime and size: a
  ``select`` over unchanged files re-parses nothing, yet sees changes made by other
  processes. While the folder itself does not change, its last listing is reused
  without a ``stat`` of every file (see :mod:`.folder_snapshot` for why that is safe,
  and for the two-second delay before a file edited *in place* shows in lists), and
  so is its last sorted order.
* A corrupt file (not YAML, or not a mapping) is skipped by ``select`` with a warning
  on the ``yml`` logger, instead of making the whole collection unreadable.
"""

import contextlib
import errno
import os
import stat
import threading
import uuid
from collections.abc import Iterator
from typing import IO, Any

import yaml

from backo.error import DBError, NotFoundError
from backo.locks import folder_lock, hold_write_lock
from backo.log import YML, get_logger

from .folder_snapshot import SnapshotCache
from .held import HeldDocumentsConnector
from .listing import SortedOrderCache
from .query import clone

_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_SUFFIX = ".yml"
_TEMP_PREFIX = ".tmp-"
_TEMP_SUFFIX = ".tmp"  # anything but _SUFFIX: select and drop never see temporary files
_MAX_ID_LENGTH = 200
_MAX_FILE_NAME_BYTES = 255  # NAME_MAX of common file systems
_FORBIDDEN_IN_ID = ("/", "\\", "\0")
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NO_HARD_LINK_ERRNOS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP})
_BY_ID = {"_id": 1}

_log = get_logger(YML)

#: (inode, mtime in ns, size) of a file: when they are unchanged, so is the file.
_Signature = tuple[int, int, int]
#: A cached file: its signature and its document (None when it is not a YAML mapping).
_CacheEntry = tuple[_Signature, dict[str, Any] | None]


class _UnreadableDocument(Exception):
    """A ``.yml`` file whose content is not a YAML mapping."""


def _parse_yaml(data: bytes) -> Any:
    """Parse the content of a ``.yml`` file."""
    return yaml.load(data, Loader=_LOADER)  # a safe loader


def _write_yaml(document: dict[str, Any], stream: IO[str]) -> None:
    """Write ``document`` to ``stream`` in 0.2.1's format (block style, sorted keys)."""
    yaml.dump(document, stream, Dumper=_DUMPER, default_flow_style=False)


def _signature(status: os.stat_result) -> _Signature:
    return (status.st_ino, status.st_mtime_ns, status.st_size)


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})
#: What :func:`_as_parsed` returns for data that may not read back as it was written.
_NOT_JSON: Any = object()


def _as_parsed(value: Any) -> Any:
    """What reading back ``value`` written by :func:`_write_yaml` gives, or ``_NOT_JSON``.

    For JSON-like data (dicts with string keys, lists, strings, numbers, booleans,
    None) that is a copy with every mapping's keys sorted; anything else (tuples, dates,
    other keys) may read back differently, and is left to the parser.
    """
    kind = type(value)
    if kind in _JSON_SCALARS:
        return value
    if kind is list:
        items = [_as_parsed(item) for item in value]
        return _NOT_JSON if any(item is _NOT_JSON for item in items) else items
    if kind is dict and all(type(key) is str for key in value):
        mapping = {key: _as_parsed(value[key]) for key in sorted(value)}
        return _NOT_JSON if any(item is _NOT_JSON for item in mapping.values()) else mapping
    return _NOT_JSON


@contextlib.contextmanager
def _yaml_errors(message_format: str, *args: object) -> Iterator[None]:
    """Turn the OSError or YAMLError raised inside into ``DBError(message_format, *args)``."""
    try:
        yield
    except (OSError, yaml.YAMLError) as exc:
        raise DBError(message_format, *args) from exc


def _remove_quietly(file_path: str) -> None:
    """Remove a temporary file, keeping the error being handled (if any) the one raised."""
    with contextlib.suppress(OSError):
        os.unlink(file_path)


def _file_name_for(_id: Any) -> str | None:
    """The file name of the document ``_id`` (``str(_id)`` + ``.yml``), or None if invalid."""
    name = _id if isinstance(_id, str) else str(_id)
    if not name or len(name) > _MAX_ID_LENGTH or name in (".", ".."):
        return None
    if any(character in name for character in _FORBIDDEN_IN_ID):
        return None
    try:
        encoded_length = len(os.fsencode(name + _SUFFIX))
    except UnicodeError:
        return None
    return name + _SUFFIX if encoded_length <= _MAX_FILE_NAME_BYTES else None


class DBYmlConnector(HeldDocumentsConnector):
    """Store each document of a collection in its own file, ``<path>/<_id>.yml``.

    The folder ``path`` (default ``/tmp``) is created if missing. ``restriction`` is not
    supported (DBError). Safe to share between threads; several processes may use one
    folder (each write is atomic, and cached documents are re-read when their file
    changes).

    Example::

        books = Collection("books", Book(), DBYmlConnector(path="/var/lib/backo/books"))
    """

    generates_ids_from_items = False  # generate_id never looks at the Item: random ids

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reject_restriction("yml")
        #: The folder holding the documents, as given.
        self.path: str = kwargs.get("path", "/tmp")  # 0.2.1's default
        self._folder = os.path.abspath(self.path)
        self._cache: dict[str, _CacheEntry] = {}
        self._cache_lock = threading.Lock()
        self._snapshots = SnapshotCache()
        self._orders = SortedOrderCache()
        if os.path.exists(self._folder) and not os.path.isdir(self._folder):
            raise DBError('Yaml path "{0}" is not a directory', self.path)
        with _yaml_errors('Cannot create the Yaml path "{0}"', self.path):
            os.makedirs(self._folder, exist_ok=True)
            #: Held for as long as this connector lives: writers of this folder take turns.
            self._folder_lock = folder_lock(self._folder)

    # -- the DBConnector contract --------------------------------------------------------

    def sibling(self, name: str) -> "DBYmlConnector":
        """See :meth:`DBConnector.sibling`: the folder ``<path>/_backo/<name>`` (a folder is no
        document, so the collection's listings never see it)."""
        return DBYmlConnector(path=os.path.join(self.path, "_backo", self._sibling_name(name)))

    def write_lock(self) -> contextlib.AbstractContextManager[None]:
        """backo's write lock (see :mod:`backo.locks`), which includes this folder's ``flock``.

        backo holds it around each write operation, so that threads and processes writing
        the same collections (and the references between them) take turns. Every
        connector, collection and back office of this process naming this folder, however
        spelled, shares one lock.
        """
        return hold_write_lock()

    @property
    def _path(self) -> str:
        """0.2.1's name of :attr:`path` (read-only)."""
        return self.path

    @property
    def storage_location(self) -> tuple[int, int]:
        """The folder's (device, inode), from its lock: equal for every spelling of one folder."""
        return self._folder_lock.key

    def drop(self) -> None:
        """Remove every ``*.yml`` file of the folder; other files stay."""
        with _yaml_errors('Error while drop in path "{0}"', self.path):
            with os.scandir(self._folder) as entries:
                names = [
                    entry.name
                    for entry in entries
                    if entry.name.endswith(_SUFFIX) and not entry.is_dir(follow_symlinks=False)
                ]
            for name in names:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._file_path(name))
        with self._cache_lock:
            self._cache.clear()
        self._snapshots.forget()

    def create(self, o: dict[str, Any]) -> str:
        """See :meth:`DBConnector.create`."""
        _id = self._id_for_create(o)
        name = self._writable_file_name(_id)
        document = {**o, "_id": _id}
        with _yaml_errors('Error while writing _id "{0}" in path "{1}"', _id, self.path):
            temporary, signature = self._write_temporary(document)
            try:
                self._link_new(temporary, name, _id)
            finally:
                _remove_quietly(temporary)
        self._remember_written(name, signature, document)
        return _id

    def save(self, _id: str, o: dict[str, Any]) -> None:
        """See :meth:`DBConnector.save`."""
        name = self._writable_file_name(_id)
        document = {**o, "_id": str(_id)}
        with _yaml_errors('Error while writing _id "{0}" in path "{1}"', _id, self.path):
            temporary, signature = self._write_temporary(document)
            try:
                os.replace(temporary, self._file_path(name))
            except BaseException:
                _remove_quietly(temporary)
                raise
        self._remember_written(name, signature, document)

    def get_by_id(self, _id: str) -> dict[str, Any]:
        """See :meth:`DBConnector.get_by_id`."""
        name = _file_name_for(_id)
        if name is None:
            raise self._not_found(_id)
        with _yaml_errors('Error while reading _id "{0}" in path "{1}"', _id, self.path):
            try:
                document = self._read(name, os.lstat(self._file_path(name)))
            except FileNotFoundError:
                raise self._not_found(_id) from None
            except _UnreadableDocument as exc:
                raise DBError('_id "{0}" in path "{1}" is not a readable YAML document', _id, self.path) from exc
        return clone(document)

    def delete_by_id(self, _id: str) -> bool:
        """See :meth:`DBConnector.delete_by_id`."""
        name = _file_name_for(_id)
        if name is None:
            return False
        self._forget(name)
        with _yaml_errors('Error while deleting _id "{0}" in path "{1}"', _id, self.path):
            try:
                os.unlink(self._file_path(name))
            except FileNotFoundError:
                return False
        return True

    def _ordered(self, sort_object: dict[str, int] | None) -> list[dict[str, Any]]:
        """Every document of the folder (shared with the caches, not copied), sorted by
        ``sort_object`` or else by ``_id``.

        Corrupt files are skipped (and logged); any other failure raises
        ``DBError('Error while select in path "{path}"')``.
        """
        with _yaml_errors('Error while select in path "{0}"', self.path):
            documents, version = self._read_all()
        return self._orders.sort(version, documents, sort_object or _BY_ID)

    # -- files ---------------------------------------------------------------------------

    def _file_path(self, name: str) -> str:
        return os.path.join(self._folder, name)

    def _not_found(self, _id: Any) -> NotFoundError:
        return NotFoundError('_id "{0}" not found in path "{1}"', _id, self.path)

    def _writable_file_name(self, _id: Any) -> str:
        """The file name for ``_id``; DBError if ``_id`` cannot be a file of the folder."""
        name = _file_name_for(_id)
        if name is None or os.path.dirname(os.path.abspath(self._file_path(name))) != self._folder:
            raise DBError('_id "{0}" is not a valid file name in path "{1}"', _id, self.path)
        return name

    def _write_temporary(self, document: dict[str, Any]) -> tuple[str, _Signature]:
        """Write ``document`` to a new, synced temporary file of the folder; return its path
        and its signature (which a rename or link keeps: same inode, mtime and size).

        Not ``tempfile.mkstemp``: it creates files readable by their owner only, while
        documents get the usual ``0o666 & ~umask`` permissions, as in 0.2.1.

        :raises DBError: a string of ``document`` (a value or a key) cannot be encoded in
            UTF-8, a lone surrogate such as ``"\\ud800"`` (libyaml's encoder refuses it with
            ``UnicodeEncodeError``); the temporary file is removed, the document's file
            is untouched.
        """
        temporary = self._file_path(f"{_TEMP_PREFIX}{uuid.uuid4().hex}{_TEMP_SUFFIX}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                try:
                    _write_yaml(document, stream)
                except UnicodeEncodeError as exc:
                    raise DBError(
                        'Cannot write _id "{0}" in path "{1}": a string is not text ({2})',
                        document.get("_id"),
                        self.path,
                        str(exc),
                    ) from exc
                stream.flush()
                os.fsync(stream.fileno())
                signature = _signature(os.fstat(stream.fileno()))
        except BaseException:
            _remove_quietly(temporary)
            raise
        return temporary, signature

    def _link_new(self, temporary: str, name: str, _id: str) -> None:
        """Give the written ``temporary`` file the name ``name``, which must not exist yet."""
        target = self._file_path(name)
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise DBError('_id "{0}" already exist in path "{1}"', _id, self.path) from None
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINK_ERRNOS:
                raise
            # No hard links on this file system: reserve the name, then rename over it.
            # Readers may see an empty file for a moment, never a partial document.
            try:
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            except FileExistsError:
                raise DBError('_id "{0}" already exist in path "{1}"', _id, self.path) from None
            os.replace(temporary, target)

    # -- reading and the cache -----------------------------------------------------------

    def _read(self, name: str, status: os.stat_result) -> dict[str, Any]:
        """The document in file ``name`` (``status``: its lstat), parsed only if it changed.

        Raises FileNotFoundError if it is missing or not a regular file, and
        _UnreadableDocument if it is not a YAML mapping. The result is shared with the
        cache: callers clone it before handing it out.
        """
        if not stat.S_ISREG(status.st_mode):
            raise FileNotFoundError(errno.ENOENT, "not a regular file", self._file_path(name))
        with self._cache_lock:
            entry = self._cache.get(name)
        if entry is None or entry[0] != _signature(status):
            entry = self._parse_file(name)
        if entry[1] is None:
            raise _UnreadableDocument(name)
        return entry[1]

    def _parse_file(self, name: str) -> _CacheEntry:
        descriptor = os.open(self._file_path(name), os.O_RDONLY | _O_NOFOLLOW)
        with os.fdopen(descriptor, "rb") as stream:
            signature = _signature(os.fstat(stream.fileno()))
            data = stream.read()
        try:
            document = _parse_yaml(data)
        except yaml.YAMLError:
            document = None
        entry: _CacheEntry = (signature, document if isinstance(document, dict) else None)
        with self._cache_lock:
            self._cache[name] = entry
        return entry

    def _read_all(self) -> tuple[list[dict[str, Any]], object | None]:
        """Every readable document of the folder, skipping (and logging) unreadable files.

        Also returns the version of that content for the sort cache (the snapshot's
        list, None when the folder had not settled): while the folder does not change,
        its last read is reused (see :mod:`.folder_snapshot`).
        """
        folder_status = os.stat(self._folder)
        documents = self._snapshots.get(folder_status)
        if documents is not None:
            return documents, documents
        started_ns = self._snapshots.now()
        documents = self._scan()
        kept = self._snapshots.put(folder_status, started_ns, documents)
        return (documents, None) if kept is None else (kept, kept)

    def _scan(self) -> list[dict[str, Any]]:
        """Read every ``*.yml`` file of the folder, parsing only those that changed.

        Entries are handled as the folder lists them, not gathered first: at 50,000
        files, holding every entry with its status took tens of megabytes.
        """
        documents = []
        seen = set()
        with os.scandir(self._folder) as entries:
            for entry in entries:
                name = entry.name
                if not name.endswith(_SUFFIX):
                    continue
                seen.add(name)
                if not entry.is_file(follow_symlinks=False):
                    _log.warning('select skips "%s": not a regular file', entry.path)
                    continue
                try:
                    documents.append(self._read(name, entry.stat(follow_symlinks=False)))
                except FileNotFoundError:
                    continue  # deleted since the folder was listed
                except _UnreadableDocument:
                    _log.error('select skips "%s": not a readable YAML document', entry.path)
        self._forget_all_but(seen)
        return documents

    def _remember_written(self, name: str, signature: _Signature, document: dict[str, Any]) -> None:
        """Cache what was just written, as reading it back would give, so that it is not parsed again.

        The entry holds the written file's signature: if anyone replaces the file, the
        next read sees another inode and parses it.
        """
        parsed = _as_parsed(document)
        if parsed is _NOT_JSON:
            self._forget(name)
            return
        with self._cache_lock:
            self._cache[name] = (signature, parsed)

    def _forget(self, name: str) -> None:
        with self._cache_lock:
            self._cache.pop(name, None)

    def _forget_all_but(self, names: set[str]) -> None:
        """Drop the cache entries of files that no longer exist."""
        with self._cache_lock:
            for name in [name for name in self._cache if name not in names]:
                del self._cache[name]
