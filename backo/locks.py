"""The write lock: one write operation at a time, in this process and across processes.

backo runs each write operation (a create, save or delete with every reference update
it causes) under one lock, so that the documents it reads and writes stay consistent.
Two parts, held together:

* **In this process**, one re-entrant lock shared by every back office, collection and
  connector. One lock rather than one per back office: a handler of back office A that
  writes into back office B re-enters the lock it holds, and two threads doing that in
  opposite directions cannot each hold one lock and wait for the other's.
* **Across processes**, an ``flock`` on ``<folder>/.backo.lock`` of every folder that a
  store of this process keeps its documents in (see :func:`folder_lock`). A folder has
  one lock per process whatever the number of connectors, collections or back offices
  naming it, however they spell it: folders are known by their device and inode. The
  first level of the lock takes every folder lock in one order that every process agrees
  on (device and inode, ascending), so two processes cannot each hold a folder the other
  waits for. Deeper levels take only the folders registered since, if any.

No lock is held across remote I/O: a connector that waits for another server (the REST
and redirect connectors) wraps the wait in :func:`write_lock_released`, so that a
collection served by this very process, or a remote that writes into the same folders,
can answer.

See ``docs/concurrency.md`` for what this guarantees.
"""

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator

from backo.log import TRANSACTION, get_logger

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: no inter-process lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["FolderLock", "folder_lock", "hold_write_lock", "write_lock_owned", "write_lock_released"]

_log = get_logger(TRANSACTION)

#: The name of the lock file in every folder (not a document: stores only see ``*.yml``).
LOCK_FILE_NAME = ".backo.lock"
_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)

#: A folder's identity, the same in every process of this machine: (device, inode).
FolderKey = tuple[int, int]


class FolderLock:
    """The inter-process lock of one folder: an ``flock`` on ``<folder>/.backo.lock``.

    One instance per folder per process (see :func:`folder_lock`); it is taken and
    released by the process-wide write lock only, never directly.
    """

    def __init__(self, key: FolderKey, folder: str) -> None:
        #: The folder's (device, inode): its identity, and its place in the locking order.
        self.key = key
        #: The folder's absolute path, as first named in this process.
        self.folder = folder

    def __repr__(self) -> str:
        return f"<FolderLock {self.folder!r}>"

    def lock(self) -> int | None:
        """Take the ``flock`` (waiting for other processes) and return its descriptor.

        None when the lock file cannot be opened (the folder was removed, or cannot be
        written: then this process cannot write documents there either).
        """
        try:
            descriptor = os.open(os.path.join(self.folder, LOCK_FILE_NAME), _OPEN_FLAGS, 0o666)
        except OSError as exc:
            _log.debug("No lock for %s: %s", self.folder, exc)
            return None
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            except OSError:
                os.close(descriptor)
                raise
        return descriptor


class _FolderRegistry:
    """The folder locks of this process, by folder identity; a lock lives as long as a store uses it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[FolderKey, FolderLock] = weakref.WeakValueDictionary()
        self._mutex = threading.Lock()
        #: Incremented at each new folder: a holder knows at once whether it missed one.
        self.generation = 0

    def lock_for(self, folder: str) -> FolderLock:
        status = os.stat(folder)
        key = (status.st_dev, status.st_ino)
        with self._mutex:
            existing = self._locks.get(key)
            if existing is not None:
                return existing
            created = FolderLock(key, os.path.abspath(folder))
            self._locks[key] = created
            self.generation += 1
            return created

    def in_order(self) -> list[FolderLock]:
        """Every live folder lock, in the order every process takes them."""
        with self._mutex:
            locks = list(self._locks.values())
        return sorted(locks, key=lambda lock: lock.key)


class _ProcessWriteLock:
    """The re-entrant write lock of this process, and the folder locks it holds."""

    def __init__(self, folders: _FolderRegistry) -> None:
        self._folders = folders
        #: the in-process part; ``_owner`` and ``_depth`` are written only by the thread holding it
        self._lock = threading.RLock()
        self._owner: int | None = None
        self._depth = 0
        #: folder key -> (the lock, kept alive while held; its descriptor)
        self._held: dict[FolderKey, tuple[FolderLock, int]] = {}
        self._held_generation = -1

    # -- in-process ownership ----------------------------------------------------------

    def _take(self, depth: int) -> None:
        """Wait for the in-process lock and hold it ``depth`` times."""
        for _ in range(depth):
            self._lock.acquire()
        self._owner = threading.get_ident()
        self._depth = depth

    def _give_up(self) -> None:
        """Release every level of the in-process lock the calling thread holds."""
        depth, self._depth, self._owner = self._depth, 0, None
        for _ in range(depth):
            self._lock.release()

    def acquire(self) -> None:
        """Take the lock (re-entrant per thread); the first level takes the folder locks."""
        if self._owner == threading.get_ident():
            self._lock.acquire()
            self._depth += 1
        else:
            self._take(1)
        if self._held_generation != self._folders.generation:
            try:
                self._lock_folders()
            except BaseException:
                self.release()
                raise

    def release(self) -> None:
        """Leave one level; the last one releases the folder locks, then the lock."""
        if self._owner != threading.get_ident():
            raise RuntimeError("the backo write lock is released by a thread that does not hold it")
        if self._depth > 1:
            self._depth -= 1
            self._lock.release()
            return
        self._unlock_folders()
        self._give_up()

    def owned(self) -> bool:
        """Whether the calling thread holds the lock."""
        return self._owner == threading.get_ident()

    # -- folders ---------------------------------------------------------------------------

    def _lock_folders(self) -> None:
        """Take the folder locks not yet held, in the global order."""
        generation = self._folders.generation
        for folder in self._folders.in_order():
            if folder.key in self._held:
                continue
            descriptor = folder.lock()
            if descriptor is not None:
                self._held[folder.key] = (folder, descriptor)
        self._held_generation = generation

    def _unlock_folders(self) -> None:
        held, self._held = self._held, {}
        self._held_generation = -1
        for _folder, descriptor in held.values():
            os.close(descriptor)  # closing the only descriptor releases the flock

    # -- remote I/O -----------------------------------------------------------------------

    @contextlib.contextmanager
    def released(self) -> Iterator[None]:
        """Within the block, the calling thread holds no level of the lock (if it held any)."""
        depth = self._depth if self._owner == threading.get_ident() else 0
        if not depth:
            yield
            return
        self._unlock_folders()
        self._give_up()
        try:
            yield
        finally:
            # Back to where the caller was; if a folder cannot be locked the error goes up
            # with the lock owned, and the caller's own levels release it.
            self._take(depth)
            self._lock_folders()

    def _after_fork_in_child(self) -> None:
        """A forked child holds nothing: close the descriptors it inherited, forget the owner."""
        held, self._held = self._held, {}
        for _folder, descriptor in held.values():
            with contextlib.suppress(OSError):
                os.close(descriptor)
        self._lock = threading.RLock()
        self._owner = None
        self._depth = 0
        self._held_generation = -1


_FOLDERS = _FolderRegistry()
_WRITE_LOCK = _ProcessWriteLock(_FOLDERS)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WRITE_LOCK._after_fork_in_child)


def folder_lock(folder: str) -> FolderLock:
    """Register ``folder`` (an existing directory) as one whose writers take turns across processes.

    Returns the folder's lock, the same object for every spelling of the folder; keep a
    reference to it for as long as documents are written there (a store does). From
    then on, every write operation of this process holds it.

    :raises OSError: the folder does not exist.
    """
    return _FOLDERS.lock_for(folder)


@contextlib.contextmanager
def hold_write_lock() -> Iterator[None]:
    """Hold the write lock within the block (re-entrant; see the module's documentation)."""
    _WRITE_LOCK.acquire()
    try:
        yield
    finally:
        _WRITE_LOCK.release()


def write_lock_released() -> contextlib.AbstractContextManager[None]:
    """Release the write lock, if this thread holds it, for the block; take it back after.

    For code that waits for another server while an operation is in progress (a REST
    connector, an action calling an HTTP API): that server may need the lock itself
    (it may be this very process), and must be able to take it.
    """
    return _WRITE_LOCK.released()


def write_lock_owned() -> bool:
    """Whether the calling thread holds the write lock (for tests and assertions)."""
    return _WRITE_LOCK.owned()
