"""Migrations: bring stored documents in line with a changed model.

``Backoffice.migrate`` / ``Collection.migrate`` read every stored document (or the given
ids) straight from the collection's connector, pass a deep copy through the migration
function, validate the result by assigning it to a new Item (permissions disabled), and
unless ``dry_run`` write the changed documents back with ``save``. A migration goes
around everything an Item operation does: no rights, no current user, no metadata
update, no events, no transaction.

Progress goes to the ``migration`` logger (``backo.migration``) at INFO: the start, every
``progress_every`` objects or :data:`PROGRESS_SECONDS` seconds, whichever comes first (with
the count, the share done, the rate and the time left), and one line at the end. A caller
that draws its own progress (``flask backo migrate``'s bar) passes ``on_progress``.

As in backo 0.2.1, the first object that cannot be migrated (unknown id, function error,
invalid result, failed write) stops the migration: its error is raised (for an object
that does not fit the model, stricto's ``SConstraintError``, ``SAttributeError``,
``STypeError``...), no report is returned, and the objects after it are not touched (those
before it were written, in a real run). Validation is against the model as it is *now*,
including fields added or removed with ``model.add_to_model`` / ``remove_model``.

Opt-in: ``on_error="report"`` lists each such object in ``report.failures`` with its
error, goes on with the others, and returns the report (nothing is written for a failed
object). The failures are logged in one WARNING line at the end (how many of each error
kind, the first few), each one at DEBUG.

Differences from backo 0.2.1, all deliberate:

* The report's lists start empty (``[]``, not ``None``): 0.2.1 crashed on the first
  object with stricto >= 0.2.3. The README's ``report.nochanges`` and ``report.total``
  work too. The report has a ``failures`` list (empty unless ``on_error="report"``).
* The object is deep-copied before the function runs, so DeepDiff sees changes made
  inside nested dicts and lists (0.2.1's shallow copy hid them, and they were not saved).
* Nothing is printed to stdout.
"""

import copy
import json
import time
from collections.abc import Callable, Iterator, Sized
from typing import Any

from deepdiff import DeepDiff
from stricto import Dict, FreeDict, Int, List, StrictoError, String

from backo.log import MIGRATION, get_logger

from .summary import one_line, summarise
from .transaction import OperatorType, transaction
from .write_journal import journal

log = get_logger(MIGRATION)

#: How often (in objects) a running migration logs its progress, unless told otherwise.
DEFAULT_PROGRESS_EVERY = 1000
#: ... and at least this often (in seconds), when objects come slowly.
PROGRESS_SECONDS = 10.0
#: How many failures of each kind the final WARNING quotes.
FAILURE_EXAMPLES = 3

#: ``on_progress(done, total)``: called after each object; ``total`` is None when unknown.
ProgressCallback = Callable[[int, int | None], None]

#: ``on_error`` values: raise the first error (0.2.1's behaviour, the default) ...
RAISE = "raise"
#: ... or record every failure in ``report.failures`` and go on.
REPORT = "report"
ON_ERROR_CHOICES = (RAISE, REPORT)

#: The keyword arguments of ``Backoffice.migrate`` (parsed non-strictly).
MIGRATE_OPTIONS: dict[str, Any] = {
    "_id": str,
    "_ids": list,
    "dry_run": {"type": bool, "default": True},
    "progress_every": {"type": int, "default": DEFAULT_PROGRESS_EVERY},
    "on_error": {"type": str, "default": RAISE},
}


class MigrationReport(Dict):
    """What a migration found, object by object.

    * ``no_changes._ids`` / ``no_changes.total``: valid objects the function left as
      they were;
    * ``changes._ids`` / ``changes.diff`` / ``changes.total``: objects the function
      changed (written back unless dry run), each with its DeepDiff as plain JSON, e.g.
      ``{"dictionary_item_added": ["root['note']"]}``;
    * ``failures``: ``[{"_id": ..., "error": 'TypeError("...")'}]``, objects that could
      not be read, migrated, validated or written (nothing was written for them); only
      with ``on_error="report"``, otherwise the first such object raises its error.

    ``nochanges`` and ``total`` are the names the README uses for ``no_changes`` and
    ``no_changes.total``: read-only aliases, so ``get_value()`` lists each fact once.

    Example::

        report = bookstore.migrate("books", add_note, dry_run=False)
        report.changes.total.get_value()      # 1250
        report = bookstore.migrate("books", on_error="report")
        report.failures.get_value()           # [{"_id": "42", "error": "..."}]

    .. versionadded:: 0.3.0 ``failures``, ``nochanges``, ``total``.
    """

    def __init__(self, **kwargs: Any) -> None:
        Dict.__init__(
            self,
            {
                "no_changes": Dict({"_ids": List(String(), default=[]), "total": Int(default=0)}),
                "changes": Dict(
                    {
                        "_ids": List(String(), default=[]),
                        "diff": List(FreeDict(), default=[]),
                        "total": Int(default=0),
                    }
                ),
                "failures": List(Dict({"_id": String(), "error": String()}), default=[]),
            },
            **kwargs,
        )

    @property
    def nochanges(self) -> Dict:
        """The README's name of ``no_changes``."""
        return self.no_changes

    @property
    def total(self) -> Int:
        """The README's ``report.total``: the number of unchanged objects."""
        return self.no_changes.total

    def add_change(self, _id: str, diff: dict) -> None:
        """Record one changed object and its diff (each call re-validates the report)."""
        self.changes._ids.append(_id)
        self.changes.diff.append(diff)
        self.changes.total = len(self.changes._ids)

    def add_no_change(self, _id: str) -> None:
        """Record one unchanged object (each call re-validates the report)."""
        self.no_changes._ids.append(_id)
        self.no_changes.total = len(self.no_changes._ids)

    def add_failure(self, _id: str | None, error: str) -> None:
        """Record one object that could not be migrated, with its error text."""
        self.failures.append({"_id": _id, "error": error})

    def fill(self, no_changes: list[str], changes: list[str], diffs: list[dict], failures: list[dict]) -> None:
        """Set the whole report at once: one validation, whatever the number of objects."""
        self.set(
            {
                "no_changes": {"_ids": no_changes, "total": len(no_changes)},
                "changes": {"_ids": changes, "diff": diffs, "total": len(changes)},
                "failures": failures,
            }
        )


class _Tally:
    """The outcome of each object, in plain lists (appending to the report is quadratic)."""

    def __init__(self) -> None:
        self.no_changes: list[str] = []
        self.changes: list[str] = []
        self.diffs: list[dict] = []
        self.failures: list[dict] = []

    def count(self) -> int:
        return len(self.no_changes) + len(self.changes) + len(self.failures)

    def report(self) -> MigrationReport:
        report = MigrationReport()
        report.fill(self.no_changes, self.changes, self.diffs, self.failures)
        return report


def error_text(exc: BaseException) -> str:
    """``exc`` as backo renders errors: ``ClassLabel("message")``."""
    if isinstance(exc, StrictoError):
        return str(exc)  # backo and stricto errors render themselves so
    return f'{type(exc).__name__}("{exc}")'


def _identical(a: Any, b: Any) -> bool:
    """Equal values of equal types, all the way down (``1 == 1.0`` is a change here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_identical(value, b[key]) for key, value in a.items())
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(map(_identical, a, b))
    return bool(a == b)


class _Migration:
    """One migration run over one collection."""

    def __init__(self, collection: Any, function: Callable | None, dry_run: bool, report_errors: bool) -> None:
        self.collection = collection
        self.db = collection.db_handler
        self.function = function
        self.dry_run = dry_run
        self.report_errors = report_errors
        self.tally = _Tally()
        self.plain = collection.plain_model()  # the model as it is now (recompiled if it changed)

    def validated(self, migrated: dict) -> dict:
        """What Item.save would write for ``migrated`` (the "save" view), without events or metadata.

        :raises StrictoError: ``migrated`` does not fit the model.
        """
        if self.plain is not None:
            record = self.plain.read(migrated)  # a plain model needs no Item (see plain_model)
            if record is not None:
                return record
        item = self.collection.new_item()  # permissions disabled: every field is writable
        item.set(migrated)
        return item._document_to_store(None)

    def work(self, _ids: list[str] | None) -> tuple[int | None, Iterator[tuple[Any, dict | None]]]:
        """How many objects there are (None if the store cannot say), and
        ``(requested id, document or None to read)`` for each."""
        if _ids is not None:
            return len(_ids), ((_id, None) for _id in _ids)
        documents = self.db.select(None, {}, 0, 0, {})
        total = len(documents) if isinstance(documents, Sized) else None
        return total, ((document.get("_id"), document) for document in documents)

    def run_one(self, requested_id: Any, document: dict | None) -> None:
        """Migrate one object; a failure raises, or is recorded (``on_error="report"``) and the migration goes on."""
        _id = None if requested_id is None else str(requested_id)
        try:
            if document is None:
                document = self.db.get_by_id(_id)
            _id = document["_id"] = str(document["_id"])
            self.migrate(_id, document)
        except Exception as exc:  # noqa: BLE001 - raised again unless on_error="report"
            text = error_text(exc)
            if not self.report_errors:
                log.warning("%s migration stopped at _id %s: %s", self.collection.name, _id, text)
                raise
            log.debug("%s migration of _id %s failed: %s", self.collection.name, _id, text)  # summarised at the end
            self.tally.failures.append({"_id": _id, "error": text})

    def store(self, _id: str, previous: dict, to_store: dict) -> None:
        """Write the migrated document over ``previous``. As in 0.2.1, outside any transaction,
        unless the collection has write observers (history, events): then the write and
        what they record are one transaction."""
        if not self.collection.write_observers:
            self.db.save(_id, to_store)
            return
        with transaction(self.collection.backoffice) as transaction_id:
            self.db.save(_id, to_store)
            journal(self.collection, transaction_id, OperatorType.UPDATE, _id, previous, to_store)

    def migrate(self, _id: str, document: dict) -> None:
        """Apply the function, validate, and record (and write) the result."""
        if self.function is None:
            original = migrated = document
        else:
            original = copy.deepcopy(document)  # the function may change nested values
            migrated = self.function(document)
            if not isinstance(migrated, dict):
                raise TypeError(f"the migration function returned {type(migrated).__name__}, not a dict")
        diff = None if _identical(original, migrated) else DeepDiff(original, migrated)
        to_store = self.validated(migrated)
        if not diff:
            self.tally.no_changes.append(_id)
            return
        if not self.dry_run:
            self.store(_id, document if self.function is None else original, to_store)
        self.tally.changes.append(_id)
        self.tally.diffs.append(json.loads(diff.to_json()))


def failure_kind(error: str) -> str:
    """The kind of a failure's error text: its class label (``ConstraintsError("...")`` ->
    ``ConstraintsError``)."""
    label, _, _ = error.partition("(")
    return label.strip() or error


def failure_summary(failures: list[dict], examples: int = FAILURE_EXAMPLES) -> str:
    """``3 ConstraintsError, 1 TypeError; e.g. _id 7: ConstraintsError("..."), ...``."""
    groups = summarise(((failure_kind(f["error"]), f"_id {f['_id']}: {f['error']}") for f in failures), examples)
    quoted = [text for group in groups for text in group.examples]
    return f"{one_line(groups)}; e.g. {', '.join(quoted)}"


class _Progress:
    """Logs how far a migration is, every ``every`` objects or :data:`PROGRESS_SECONDS`, and at the end."""

    def __init__(self, name: str, every: int, total: int | None, on_progress: ProgressCallback | None) -> None:
        self.name = name
        self.every = every
        self.total = total
        self.on_progress = on_progress
        self.start = self.logged = time.perf_counter()

    def rate(self, count: int) -> tuple[float, float]:
        elapsed = time.perf_counter() - self.start
        return elapsed, (count / elapsed if elapsed > 0 else 0.0)

    def step(self, count: int) -> None:
        if self.on_progress is not None:
            self.on_progress(count, self.total)
        if self.every <= 0:
            return
        now = time.perf_counter()
        if count % self.every and now - self.logged < PROGRESS_SECONDS:
            return
        self.logged = now
        rate = self.rate(count)[1]
        if self.total:
            left = (self.total - count) / rate if rate > 0 else 0.0
            log.info(
                "%s migration: %d objects (%d of %d, %.0f%%, %.0f objects/s, %.0f s left)",
                self.name, count, count, self.total, 100 * count / self.total, rate, left,
            )  # fmt: skip
        else:
            log.info("%s migration: %d objects (%.0f objects/s)", self.name, count, rate)

    def done(self, tally: _Tally, dry_run: bool) -> None:
        count = tally.count()
        elapsed, rate = self.rate(count)
        log.info(
            "%s migration done (dry_run=%s): %d objects in %.2f s (%.0f objects/s), "
            "%d changed, %d unchanged, %d failed",
            self.name, dry_run, count, elapsed, rate,
            len(tally.changes), len(tally.no_changes), len(tally.failures),
        )  # fmt: skip
        if tally.failures:
            log.warning(
                "%s migration: %d objects could not be migrated (nothing written for them): %s",
                self.name, len(tally.failures), failure_summary(tally.failures),
            )  # fmt: skip


def migrate_collection(
    collection: Any,
    migration_function: Callable | None,
    _ids: list[str] | None = None,
    dry_run: bool = True,
    progress_every: int = DEFAULT_PROGRESS_EVERY,
    on_error: str = RAISE,
    on_progress: ProgressCallback | None = None,
) -> MigrationReport:
    """Migrate the stored objects of ``collection`` (a BaseCollection); see the module doc.

    ``_ids`` None means every stored object. ``progress_every`` <= 0 logs only the
    start and the end. ``on_error``: ``"raise"`` (the first object that cannot be
    migrated raises its error) or ``"report"`` (it is listed in ``report.failures``).
    ``on_progress(done, total)``, if given, is called after each object (a progress bar).
    A failure to list the objects raises DBError.

    :raises ValueError: ``on_error`` is neither.
    """
    if on_error not in ON_ERROR_CHOICES:
        raise ValueError(f'on_error must be "raise" or "report", not {on_error!r}')
    log.info("%s start migration (dry_run=%s) ", collection.name, dry_run)
    migration = _Migration(collection, migration_function, dry_run, report_errors=on_error == REPORT)
    total, work = migration.work(_ids)
    progress = _Progress(collection.name, progress_every, total, on_progress)
    for count, (requested_id, document) in enumerate(work, start=1):
        migration.run_one(requested_id, document)
        progress.step(count)
    progress.done(migration.tally, dry_run)
    return migration.tally.report()
