"""A long migration reports its progress on the ``backo.migration`` logger, and sums its failures up."""

import logging

import pytest

from backo import Backoffice, Collection, DBMemoryConnector, Float, Item, String
from backo.core import migration
from backo.core.migration import migrate_collection
from backo.core.summary import summarise


def books(count: int, bad: int = 0) -> Backoffice:
    """``count`` stored books without their required note, ``bad`` of them with a title that is no str."""
    store = DBMemoryConnector()
    for index in range(count):
        store.save(str(index), {"_id": str(index), "title": index if index < bad else f"t{index}"})
    bo = Backoffice("library")
    bo.register_collection(Collection("books", Item({"title": String(), "note": Float(required=True)}), store))
    return bo


def add_note(o: dict) -> dict:
    o["note"] = 1.0
    return o


def migration_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "backo.migration"]


def test_ten_thousand_objects_log_their_progress_every_n_with_total_rate_and_time_left(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bo = books(10_000)
    with caplog.at_level(logging.INFO, logger="backo.migration"):
        report = bo.migrate("books", add_note, progress_every=2500)
    assert report.changes.total == 10_000
    lines = [message for _, message in migration_lines(caplog)]
    progress = [line for line in lines if line.startswith("books migration: ")]
    assert [line.split(" (")[0] for line in progress] == [
        f"books migration: {n} objects" for n in (2500, 5000, 7500, 10000)
    ]
    assert progress[0].startswith("books migration: 2500 objects (2500 of 10000, 25%, ")
    assert "objects/s, " in progress[0] and progress[0].endswith(" s left)")
    assert lines[-1].startswith("books migration done (dry_run=True): 10000 objects in ")


def test_slow_objects_are_reported_every_few_seconds(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migration, "PROGRESS_SECONDS", 0.0)  # every object is "slow"
    with caplog.at_level(logging.INFO, logger="backo.migration"):
        books(3).migrate("books", add_note, progress_every=1000)
    progress = [m for _, m in migration_lines(caplog) if m.startswith("books migration: ")]
    assert [m.split(" (")[0] for m in progress] == [
        "books migration: 1 objects",
        "books migration: 2 objects",
        "books migration: 3 objects",
    ]


def test_without_progress_every_only_the_start_and_the_end_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="backo.migration"):
        books(5).migrate("books", add_note, progress_every=0)
    assert len(migration_lines(caplog)) == 2


def test_failures_are_summed_up_in_one_warning_not_one_line_each(caplog: pytest.LogCaptureFixture) -> None:
    bo = books(50, bad=20)
    with caplog.at_level(logging.INFO, logger="backo.migration"):
        report = bo.migrate("books", add_note, on_error="report")
    assert len(report.failures.get_value()) == 20
    warnings = [m for level, m in migration_lines(caplog) if level >= logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith("books migration: 20 objects could not be migrated (nothing written for them): 20 ")
    assert warnings[0].count("_id ") == migration.FAILURE_EXAMPLES


def test_on_progress_gets_each_count_and_the_total() -> None:
    bo = books(4)
    calls: list[tuple[int, int | None]] = []
    migrate_collection(bo.books, add_note, on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    calls.clear()
    migrate_collection(bo.books, add_note, ["1", "3"], on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


def test_summarise_counts_each_kind_most_frequent_first_with_a_few_examples() -> None:
    groups = summarise([("a", "a1"), ("b", "b1"), ("b", "b2"), ("b", "b3"), ("c", "c1"), ("a", "a2")], examples=2)
    assert [(g.kind, g.count, g.examples) for g in groups] == [
        ("b", 3, ("b1", "b2")),
        ("a", 2, ("a1", "a2")),
        ("c", 1, ("c1",)),
    ]
    assert summarise([("a", "1"), ("a", "2"), ("a", "3")], examples=-1)[0].examples == ("1", "2", "3")
