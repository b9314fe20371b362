"""Migrations (backo/core/migration.py): Backoffice.migrate, Collection.migrate, MigrationReport."""

import copy
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import backo.migration_report
import pytest

from backo import (
    Backoffice,
    Collection,
    DBConnector,
    DBMemoryConnector,
    DBYmlConnector,
    Dict,
    Float,
    Int,
    Item,
    SConstraintError,
    SSyntaxError,
    String,
)
from backo.core.migration import MigrationReport
from backo.error import NotFoundError
from tests.support.backends import mongo_connector

NOTE_ADDED = {"dictionary_item_added": ["root['note']"]}


def old_book() -> Item:
    return Item({"title": String(), "pages": Int()})


def new_book(**kwargs: Any) -> Item:
    """The README's change: books now need a note, a float."""
    return Item({"title": String(), "pages": Int(), "note": Float(required=True)}, **kwargs)


def update_with_note(o: dict) -> dict:
    """The README's migration function."""
    if "note" not in o:
        o["note"] = 10.0
    return o


@pytest.fixture(params=["yml", "mongo"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DBConnector]:
    """The connector the books live in (one instance shared by the old and new backoffice)."""
    if request.param == "yml":
        yield DBYmlConnector(path=str(tmp_path / "books"))
        return
    with mongo_connector(collection="books") as connector:
        yield connector


def backoffice(model: Item, store: DBConnector, **kwargs: Any) -> Backoffice:
    bo = Backoffice("media_library")
    bo.register_collection(Collection("books", model, store, **kwargs))
    return bo


def stored_books(store: DBConnector, count: int = 3) -> list[str]:
    """Create ``count`` books with the old model; return their ids."""
    old = backoffice(old_book(), store)
    return [old.books.create({"title": f"book {n}", "pages": n})._id.get_value() for n in range(count)]


# -- the README scenario ------------------------------------------------------------------


def test_add_a_required_note_field(store: DBConnector) -> None:
    ids = stored_books(store)
    before = {_id: store.get_by_id(_id) for _id in ids}
    bo = backoffice(new_book(), store)

    with pytest.raises(SConstraintError) as raised:  # check only: the first book lacks the note
        bo.migrate("books")
    assert raised.value.to_string() == '$.note: Cannot be empty "None"'
    checked = bo.migrate("books", on_error="report")  # the opt-in lists every one
    assert checked.no_changes.total.get_value() == 0 and checked.changes.total.get_value() == 0
    assert sorted(failure["_id"] for failure in checked.failures.get_value()) == sorted(ids)
    assert 'ConstraintsError("$.note: Cannot be empty' in checked.failures[0].error.get_value()

    one = bo.migrate("books", update_with_note, _id=ids[0])  # dry run by default
    assert one.changes._ids.get_value() == [ids[0]]
    assert one.changes.diff.get_value() == [NOTE_ADDED]
    two = bo.migrate("books", update_with_note, _ids=ids[1:])
    assert two.changes._ids.get_value() == ids[1:]
    assert {_id: store.get_by_id(_id) for _id in ids} == before  # nothing written

    done = bo.migrate("books", update_with_note, dry_run=False)
    assert sorted(done.changes._ids.get_value()) == sorted(ids)
    assert done.changes.total.get_value() == 3 and done.failures.get_value() == []
    for _id in ids:
        assert bo.books.get_by_id(_id).note.get_value() == 10.0
        assert store.get_by_id(_id)["_meta"] == before[_id]["_meta"]  # metadata untouched

    again = bo.migrate("books", update_with_note, dry_run=False)
    assert sorted(again.no_changes._ids.get_value()) == sorted(ids)
    assert again.changes.total.get_value() == 0


def test_dry_run_leaves_yaml_files_byte_for_byte(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    store = DBYmlConnector(path=str(folder))
    stored_books(store, 5)
    snapshot = {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in folder.iterdir()}
    bo = backoffice(new_book(), store)
    report = bo.migrate("books", update_with_note)
    assert report.changes.total.get_value() == 5
    assert {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in folder.iterdir()} == snapshot


# -- failures -----------------------------------------------------------------------------


def test_the_first_failing_item_raises_and_stops_the_migration(tmp_path: Path) -> None:
    store = DBYmlConnector(path=str(tmp_path / "books"))
    ids = stored_books(store, 3)
    order = [document["_id"] for document in store.select(None, {}, 0, 0, {})]
    seen: list[str] = []

    def migrate(o: dict) -> Any:
        seen.append(o["_id"])
        if o["_id"] == order[1]:
            raise KeyError("boom")
        o["note"] = 1.5
        return o

    bo = backoffice(new_book(), store)
    with pytest.raises(KeyError, match="boom"):
        bo.migrate("books", migrate, dry_run=False)
    assert seen == order[:2]  # as 0.2.1: the objects after it are not reached
    assert store.get_by_id(order[0])["note"] == 1.5  # the one before it was written
    assert all("note" not in store.get_by_id(_id) for _id in order[1:])
    assert sorted(order) == sorted(ids)


def test_a_failing_item_is_reported_and_the_others_go_on(tmp_path: Path) -> None:
    store = DBYmlConnector(path=str(tmp_path / "books"))
    ids = stored_books(store, 4)
    bad_function, bad_value, returns_none = ids[0], ids[1], ids[2]

    def migrate(o: dict) -> Any:
        if o["_id"] == bad_function:
            raise KeyError("boom")
        if o["_id"] == returns_none:
            return None
        o["note"] = "not a float" if o["_id"] == bad_value else 1.5
        return o

    bo = backoffice(new_book(), store)
    report = bo.migrate("books", migrate, dry_run=False, on_error="report")
    assert report.changes._ids.get_value() == [ids[3]]
    assert store.get_by_id(ids[3])["note"] == 1.5
    errors = {failure["_id"]: failure["error"] for failure in report.failures.get_value()}
    assert errors[bad_function] == "KeyError(\"'boom'\")"
    assert errors[bad_value].startswith('TypeError("$.note: Not a float')
    assert errors[returns_none] == 'TypeError("the migration function returned NoneType, not a dict")'
    for _id in ids[:3]:
        assert "note" not in store.get_by_id(_id)  # nothing written for a failure


def test_an_unknown_id_raises_not_found(tmp_path: Path) -> None:
    store = DBYmlConnector(path=str(tmp_path / "books"))
    ids = stored_books(store, 2)
    bo = backoffice(new_book(), store)
    with pytest.raises(NotFoundError, match='_id "missing" not found'):
        bo.migrate("books", update_with_note, _ids=[ids[0], "missing", ids[1]], dry_run=False)
    assert store.get_by_id(ids[0])["note"] == 10.0 and "note" not in store.get_by_id(ids[1])


def test_an_unknown_id_is_reported_as_a_failure(tmp_path: Path) -> None:
    store = DBYmlConnector(path=str(tmp_path / "books"))
    ids = stored_books(store, 2)
    bo = backoffice(new_book(), store)
    report = bo.migrate("books", update_with_note, _ids=[ids[0], "missing", "../escape", ids[1]], on_error="report")
    assert report.changes._ids.get_value() == ids
    assert [failure["_id"] for failure in report.failures.get_value()] == ["missing", "../escape"]
    assert report.failures[0].error.get_value().startswith('Exception("_id "missing" not found')


# -- what a migration does and does not do -------------------------------------------------


def test_nested_changes_are_seen(tmp_path: Path) -> None:
    model = Item({"address": Dict({"city": String(), "zip": String()})})
    store = DBMemoryConnector()
    bo = backoffice(model, store)
    _id = bo.books.create({"address": {"city": "paris", "zip": "75"}})._id.get_value()

    def capitalize(o: dict) -> dict:
        o["address"]["city"] = o["address"]["city"].title()  # in place, one level down
        return o

    report = bo.migrate("books", capitalize, dry_run=False)
    assert report.changes.diff.get_value() == [
        {"values_changed": {"root['address']['city']": {"new_value": "Paris", "old_value": "paris"}}}
    ]
    assert store.get_by_id(_id)["address"]["city"] == "Paris"


def test_a_type_change_is_a_change() -> None:
    store = DBMemoryConnector()
    ids = stored_books(store, 1)
    bo = backoffice(Item({"title": String(), "pages": Float()}), store)

    def to_float(o: dict) -> dict:
        o["pages"] = float(o["pages"])  # 0 == 0.0, but the stored type changes
        return o

    report = bo.migrate("books", to_float, dry_run=False)
    assert report.changes._ids.get_value() == ids
    assert isinstance(store.get_by_id(ids[0])["pages"], float)


def test_no_rights_no_events_no_metadata_update() -> None:
    store = DBMemoryConnector()
    ids = stored_books(store, 2)
    before = {_id: copy.deepcopy(store.get_by_id(_id)) for _id in ids}
    fired: list[str] = []

    def remember(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
        fired.append(event_name)

    events = [(name, remember) for name in ("loaded", "before_save", "saved", "created")]
    bo = backoffice(new_book(on=events), store, can_read=False, can_modify=False)
    report = bo.migrate("books", update_with_note, dry_run=False)
    assert report.changes.total.get_value() == 2
    assert fired == []
    for _id in ids:
        assert store.get_by_id(_id) == {**before[_id], "note": 10.0}


def test_the_save_view_is_what_is_written() -> None:
    store = DBMemoryConnector()
    ids = stored_books(store, 1)
    model = Item(
        {
            "title": String(),
            "pages": Int(),
            "edition": Int(default=1),
            "cache": String(views=["!save"]),
        }
    )
    bo = backoffice(model, store)

    def add_cache(o: dict) -> dict:
        o["cache"] = "computed"
        return o

    bo.migrate("books", add_cache, dry_run=False)
    stored = store.get_by_id(ids[0])
    assert "cache" not in stored and stored["edition"] == 1


def test_without_a_function_every_valid_object_is_unchanged() -> None:
    store = DBMemoryConnector()
    ids = stored_books(store, 3)
    bo = backoffice(old_book(), store)
    report = bo.books.migrate(None)
    assert report.no_changes._ids.get_value() == ids
    assert report.nochanges._ids.get_value() == ids and report.total.get_value() == 3


def test_progress_is_logged_and_nothing_printed(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    store = DBMemoryConnector()
    stored_books(store, 5)
    bo = backoffice(new_book(), store)
    with caplog.at_level(logging.INFO, logger="backo.migration"):
        bo.migrate("books", update_with_note, progress_every=2)
    messages = [record.getMessage() for record in caplog.records if record.name == "backo.migration"]
    assert messages[0] == "books start migration (dry_run=True) "
    assert [m.split(" (")[0] for m in messages[1:3]] == [
        "books migration: 2 objects",
        "books migration: 4 objects",
    ]
    assert messages[3].startswith("books migration done (dry_run=True): 5 objects in ")
    assert "objects/s), 5 changed, 0 unchanged, 0 failed" in messages[3]
    assert len(messages) == 4
    assert capsys.readouterr().out == ""


# -- arguments ----------------------------------------------------------------------------


def test_backoffice_migrate_arguments() -> None:
    store = DBMemoryConnector()
    ids = stored_books(store, 2)
    bo = backoffice(old_book(), store)
    with pytest.raises(SSyntaxError, match='Backoffice migration : collection "nope" not registered'):
        bo.migrate("nope")
    with pytest.raises(TypeError, match="key \"_id\" must be <class 'str'>"):
        bo.migrate("books", _id=3)
    with pytest.raises(TypeError, match='key "dry_run" must be'):
        bo.migrate("books", dry_run="no")
    with pytest.raises(SSyntaxError, match='parameter "collection_name"'):
        bo.migrate(3)
    report = bo.migrate("books", None, _id=ids[0], _ids=[ids[1]], unknown="ignored")
    assert report.no_changes._ids.get_value() == [ids[1]]  # _ids wins over _id


def test_collection_migrate_arguments() -> None:
    bo = backoffice(old_book(), DBMemoryConnector())
    with pytest.raises(SSyntaxError, match='parameter "migration_function"'):
        bo.books.migrate("not callable")
    with pytest.raises(SSyntaxError, match='parameter "_ids"'):
        bo.books.migrate(None, ["a", 1])
    with pytest.raises(SSyntaxError, match='parameter "dry_run"'):
        bo.books.migrate(None, None, "yes")
    assert bo.books.migrate(None, []).get_value()["no_changes"]["total"] == 0


# -- the report ---------------------------------------------------------------------------


def test_an_empty_report() -> None:
    report = MigrationReport()
    assert report.get_value() == {
        "no_changes": {"_ids": [], "total": 0},
        "changes": {"_ids": [], "diff": [], "total": 0},
        "failures": [],
    }
    assert report.nochanges is report.no_changes
    assert report.total.get_value() == 0
    assert backo.migration_report.MigrationReport is MigrationReport


def test_report_methods() -> None:
    report = MigrationReport()
    report.add_no_change("a")
    report.add_change("b", NOTE_ADDED)
    report.add_change("c", {"values_changed": {}})
    report.add_failure("d", 'KeyError("x")')
    assert report.get_value() == {
        "no_changes": {"_ids": ["a"], "total": 1},
        "changes": {"_ids": ["b", "c"], "diff": [NOTE_ADDED, {"values_changed": {}}], "total": 2},
        "failures": [{"_id": "d", "error": 'KeyError("x")'}],
    }
    assert report.total.get_value() == 1
    with pytest.raises(Exception, match="locked"):
        report.total = 3  # type: ignore[misc]


def run_report(function: Callable[[dict], dict] | None, count: int) -> MigrationReport:
    store = DBMemoryConnector()
    stored_books(store, count)
    return backoffice(new_book(), store).migrate("books", function)


def test_a_large_report_is_built_once() -> None:
    report = run_report(update_with_note, 300)
    assert report.changes.total.get_value() == 300
    assert report.changes.diff.get_value() == [NOTE_ADDED] * 300
