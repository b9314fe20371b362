"""Migration scenarios: ``Backoffice.migrate`` over the shelf's books, as a dry run and for real.

The migration function adds a page to every book, so every item changes and a real run
writes every item back. Costs are per item migrated.

Up to ``Settings.migrate_cap`` items (default 2,000), one call migrates every item, as
``backoffice.migrate("books", f)`` does in a script. Above, a migration of 50,000 items
would take minutes per store today, so a random sample of ``migrate_cap`` ids is migrated
in calls of :data:`CHUNK` ids (``migrate(..., _ids=chunk)``), and the time cap may stop
it earlier: the record says so (``extra.mode``). The per-item cost of the two modes is
comparable (the ``_ids`` path reads each item by id instead of from one select).
The probe (peak memory, counts) always migrates one chunk of ids.
"""

import math
from typing import Any

from backo import MigrationReport

from .context import Bench, BenchmarkError, Plan
from .floors import FloorStore

#: Ids per ``migrate`` call when migrating a sample.
CHUNK = 25


def bump_pages(document: dict[str, Any]) -> dict[str, Any]:
    """The migration function: one more page."""
    document["pages"] = document.get("pages", 0) + 1
    return document


def _migrated(report: MigrationReport) -> int:
    """The items a migration handled; BenchmarkError if any failed (then nothing is measured)."""
    failures = report.failures.get_value()
    if failures:
        raise BenchmarkError(f"migration failures: {failures[:3]}")
    return int(report.changes.total.get_value()) + int(report.no_changes.total.get_value())


def _floor_migrate(floor: FloorStore, dry_run: bool, documents: list[dict[str, Any]]) -> int:
    """What a migration does to the store, by hand: apply the function, write back unless dry."""
    for document in documents:
        migrated = bump_pages(dict(document))
        if not dry_run:
            floor.replace(document["_id"], migrated)
    return len(documents)


def _migrate(bench: Bench, dry_run: bool) -> Plan:
    settings, shelf, floor = bench.settings, bench.shelf, bench.floor

    def migrate(_ids: list[str] | None = None) -> int:
        selection: dict[str, Any] = {} if _ids is None else {"_ids": _ids}
        return _migrated(shelf.migrate("books", bump_pages, dry_run=dry_run, **selection))

    chunk = max(1, min(CHUNK, settings.migrate_cap))
    calls = math.ceil(settings.migrate_cap / chunk)
    picks = [bench.ids[n] for n in bench.picks(2 * (calls + 1) * chunk)]
    chunks = [picks[start : start + chunk] for start in range(0, len(picks), chunk)]
    backo_chunks, floor_chunks = chunks[: calls + 1], chunks[calls + 1 :]

    def probe() -> int:
        return migrate(backo_chunks[0])

    if bench.size <= settings.migrate_cap:
        return Plan(
            unit="item",
            count=1,
            backo=lambda i: migrate(),
            floor=lambda i: _floor_migrate(floor, dry_run, floor.documents()),
            connectors=bench.connectors,
            probe=probe,
            floor_warmup=False,
            min_calls=1,
            extra={"mode": "all"},
        )
    return Plan(
        unit="item",
        count=calls,
        backo=lambda i: migrate(backo_chunks[i]),
        floor=lambda i: _floor_migrate(floor, dry_run, [floor.get(_id) for _id in floor_chunks[i]]),
        connectors=bench.connectors,
        probe=probe,
        floor_warmup=False,
        min_calls=1,
        note=f"sample of {calls * chunk}",
        extra={"mode": "sample", "sample": calls * chunk, "chunk": chunk},
    )


def migrate_dry(bench: Bench) -> Plan:
    """``backoffice.migrate("books", f)``: a dry run (validate, diff, write nothing); per item."""
    return _migrate(bench, dry_run=True)


def migrate_real(bench: Bench) -> Plan:
    """``backoffice.migrate("books", f, dry_run=False)``: every item written back; per item."""
    return _migrate(bench, dry_run=False)
