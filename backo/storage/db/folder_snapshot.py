"""Knowing that a folder of documents has not changed, without a ``stat`` of every file.

The YAML store caches parsed files by (inode, mtime, size), so a list re-parses
nothing that did not change; it still lists the folder and stats every file, which at
10,000 files costs ten times the in-memory store. A :class:`SnapshotCache` keeps the
last full read and hands it out again while the folder itself is unchanged.

Why the folder's own status is enough: every write of a backo process, in this one or
another, creates, renames or removes an entry of the folder (documents are written to
a temporary file, then renamed), which updates the folder's mtime and ctime. Two
precautions cover the rest:

* File system timestamps are coarse (a clock tick, up to several milliseconds): a
  change made in the same tick as the previous one would leave the folder's mtime as it
  was. A snapshot is trusted only if the folder had not changed for
  :data:`SETTLE_NS` when the read began; until then every list reads the folder again.
* A file edited in place (not by backo, nor by a rename) leaves its folder untouched:
  a snapshot is used for :data:`MAX_AGE_NS` at most, so such an edit is listed within
  that delay (reading one document by id always sees it at once).
"""

import operator
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: A folder's status must be older than this, when a read begins, for the read to be reused.
SETTLE_NS = 1_000_000_000
#: A read is reused for this long at most (files edited in place do not touch their folder).
MAX_AGE_NS = 2_000_000_000

#: What changes when an entry of a folder is added, renamed or removed.
FolderSignature = tuple[int, int, int, int, int]


def folder_signature(status: os.stat_result) -> FolderSignature:
    """The (device, inode, mtime, ctime, size) of a folder."""
    return (status.st_dev, status.st_ino, status.st_mtime_ns, status.st_ctime_ns, status.st_size)


def _same_documents(kept: list[dict[str, Any]], read: list[dict[str, Any]]) -> bool:
    """The same document objects, in the same order (the file cache hands out the objects it holds)."""
    return len(kept) == len(read) and all(map(operator.is_, kept, read))


@dataclass(frozen=True, slots=True)
class _Snapshot:
    signature: FolderSignature
    documents: list[dict[str, Any]]
    taken_at_ns: int


class SnapshotCache:
    """The documents of the last full read of a folder, while the folder is unchanged.

    Example::

        status = os.stat(folder)
        documents = snapshots.get(status)
        if documents is None:
            started = snapshots.now()
            read = read_every_file()
            documents = snapshots.put(status, started, read) or read

    The documents are shared: callers must not mutate the list nor its dicts. The list
    object itself identifies the snapshot's content: it is the same as long as the
    documents are (caches derived from it can be keyed by its identity).
    """

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        #: The wall clock in nanoseconds, the one file system timestamps follow.
        self.now = clock
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    def get(self, folder_status: os.stat_result) -> list[dict[str, Any]] | None:
        """The documents of the last read if the folder (``folder_status``) has not changed since."""
        snapshot = self._snapshot
        if snapshot is None or snapshot.signature != folder_signature(folder_status):
            return None
        if self.now() - snapshot.taken_at_ns > MAX_AGE_NS:
            return None
        return snapshot.documents

    def put(
        self, folder_status: os.stat_result, started_ns: int, documents: list[dict[str, Any]]
    ) -> list[dict[str, Any]] | None:
        """Keep ``documents``, read from the folder from ``started_ns`` on, if the folder had settled.

        ``folder_status`` must have been taken before the read began. Returns the list
        kept: the previous one when the read found the very same documents (so that what
        callers derived from it, a sorted order, stays valid), None when the folder had
        not settled (the snapshot is then dropped).
        """
        last_change_ns = max(folder_status.st_mtime_ns, folder_status.st_ctime_ns)
        with self._lock:
            if started_ns - last_change_ns <= SETTLE_NS:
                self._snapshot = None
                return None
            previous = self._snapshot
            if previous is not None and _same_documents(previous.documents, documents):
                documents = previous.documents
            self._snapshot = _Snapshot(folder_signature(folder_status), documents, started_ns)
            return documents

    def forget(self) -> None:
        """Drop the snapshot (the store changed the folder itself, or was dropped)."""
        with self._lock:
            self._snapshot = None
