"""Copying a collection's documents to another store: YAML to SQLite, memory to YAML...

:meth:`BaseBackoffice.copy_collection` reads every stored document of a collection,
page by page in ``_id`` order, and writes each into the target connector with ``save``
(an upsert that keeps the ``_id``, so references between collections stay valid). The
documents are copied as stored: no Item is built, no right, event or metadata update
applies. At the end the target must hold exactly as many documents as were read,
otherwise :class:`~backo.error.DBError` says so.

The target must be empty (a copy is not a merge), and must accept the source's ids (a
MongoDB collection takes only ObjectId strings). File contents (``File`` and
``BlobFile`` fields) live in file connectors and are not copied. Progress goes to the
``migration`` logger (``backo.migration``) at INFO, every ``progress_every`` documents, and
to ``on_progress(done, total)`` after each document when given (``flask backo copy``
draws its progress bar with it).

Example: moving a collection from its YAML folder to another store, then serving it
from there::

    report = backoffice.copy_collection("books", DBYmlConnector(path="data/books-copy"))
    print(report.copied)  # 5000
"""

from collections.abc import Callable
from dataclasses import dataclass

from backo.error import DBError
from backo.log import MIGRATION, get_logger
from backo.storage.db.base import DBConnector

log = get_logger(MIGRATION)

#: Documents read from the source per ``select_page`` call.
COPY_BATCH = 500
#: How often (in documents) a copy logs its progress, unless told otherwise.
COPY_PROGRESS_EVERY = 1000
_ORDER = {"_id": 1}


@dataclass(frozen=True)
class CopyReport:
    """What :func:`copy_documents` did."""

    #: the collection copied
    collection: str
    #: how many documents were written to the target
    copied: int
    #: how many documents the target holds at the end (== copied)
    target_total: int


def _count(connector: DBConnector) -> int:
    """How many documents ``connector`` holds (an exact count)."""
    _, total = connector.select_page(None, 1, 0, None)
    if total is None:
        raise DBError("{0}.select_page gave no count", type(connector).__name__)
    return total


def copy_documents(
    name: str,
    source: DBConnector,
    target: DBConnector,
    progress_every: int = COPY_PROGRESS_EVERY,
    batch: int = COPY_BATCH,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> CopyReport:
    """Copy every document of ``source`` into the empty ``target`` (see the module).

    The caller keeps writers away meanwhile (the backoffice holds its write lock).

    :raises DBError: the target is not empty, a write fails, or the counts differ at the end.
    """
    if target is source:
        raise DBError("copy of {0}: the target is the source itself", name)
    already = _count(target)
    if already:
        raise DBError("copy of {0}: the target already holds {1} documents (copy into an empty store)", name, already)
    expected = _count(source)
    log.info("%s copy: %d documents to %s", name, expected, type(target).__name__)
    copied = 0
    while True:
        page, _ = source.select_page(None, batch, copied, _ORDER, count=False)
        for document in page:
            target.save(str(document["_id"]), document)
            copied += 1
            if progress_every > 0 and copied % progress_every == 0:
                log.info("%s copy: %d/%d documents", name, copied, expected)
            if on_progress is not None:
                on_progress(copied, expected)
        if len(page) < batch:
            break
    total = _count(target)
    if total != copied or copied != expected:
        raise DBError(
            "copy of {0}: {1} documents in the source, {2} copied, {3} in the target", name, expected, copied, total
        )
    log.info("%s copy: done, %d documents", name, copied)
    return CopyReport(name, copied, total)
