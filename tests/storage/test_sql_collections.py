"""SQL stores under a Backoffice: references between two SQL collections, engine transactions, the routes.

The transaction tests inject a fault in the middle of an operation that writes several
documents (a reference update failing after the first write went through): the tables must be
exactly as before, and no undo step of backo's Python log may have been replayed for them (the
engine rolled the transaction back).
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from backo import Backoffice, Collection, DeleteStrategy, Item, Ref, RefsList, String
from backo.core import transaction as transaction_module
from backo.storage.db import DBConnector, DBSQLiteConnector
from backo.storage.db.sql.table import JSONTableConnector
from tests.support.postgres import PostgresFactory

Stores = Callable[[str], JSONTableConnector]


class InjectedFault(Exception):
    """The failure a test injects."""


@pytest.fixture(params=["sqlite", "postgres"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Stores:
    """One SQL connector per collection name: tables of one SQLite file, or of the session's PostgreSQL."""
    if request.param == "sqlite":
        return lambda name: DBSQLiteConnector(path=str(tmp_path / "bo.db"), table=name)
    factory: PostgresFactory = request.getfixturevalue("postgres_factory")
    return lambda name: factory()


def library(stores: Stores) -> Backoffice:
    """people.addr (Ref) <-> addrs.people (RefsList, deleting an addr deletes its people)."""
    bo = Backoffice("lib")
    bo.register_collection(
        Collection("people", Item({"name": String(), "addr": Ref(coll="addrs", field="$.people")}), stores("people"))
    )
    people = RefsList(coll="people", field="$.addr", ods=DeleteStrategy.DELETE_REFERENCED_ITEMS)
    bo.register_collection(Collection("addrs", Item({"name": String(), "people": people}), stores("addrs")))
    return bo


def _id(item: Any) -> str:
    return item._id.get_value()


def snapshot(bo: Backoffice) -> dict[str, Any]:
    return {name: coll.db_handler.select(None, sort_object={"_id": 1}) for name, coll in bo.collections.items()}


@pytest.fixture
def replayed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The undo steps of backo's Python log replayed during the test."""
    steps: list[Any] = []
    original = transaction_module.Transaction.rollback

    def spy(self: Any, backoffice: Any = None) -> None:
        steps.append(self)
        original(self, backoffice)

    monkeypatch.setattr(transaction_module.Transaction, "rollback", spy)
    yield steps


def test_references_between_two_sql_collections(stores: Stores) -> None:
    bo = library(stores)
    paris = bo.addrs.create({"name": "Paris"})
    dave = bo.people.create({"name": "dave", "addr": _id(paris)})
    eve = bo.people.create({"name": "eve", "addr": _id(paris)})
    assert sorted(bo.addrs.db_handler.get_by_id(_id(paris))["people"]) == sorted([_id(dave), _id(eve)])
    assert bo.check_integrity() == []
    paris.delete()  # DELETE_REFERENCED_ITEMS
    assert bo.people.db_handler.select(None) == []


def _fail_after(db: DBConnector, method: str, monkeypatch: pytest.MonkeyPatch, writes: bool = True) -> None:
    """``db.method`` does its write (unless not ``writes``), then raises (a failure after the engine wrote)."""
    original = getattr(db, method)

    def failing(*args: Any, **kwargs: Any) -> Any:
        if writes:
            original(*args, **kwargs)
        raise InjectedFault(f"{method} failed")

    monkeypatch.setattr(db, method, failing)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("operation", ["create", "update", "cascade delete"])
def test_a_failed_reference_update_rolls_back_in_the_engine(
    stores: Stores, operation: str, monkeypatch: pytest.MonkeyPatch, replayed: list[Any]
) -> None:
    bo = library(stores)
    paris, lyon = bo.addrs.create({"name": "Paris"}), bo.addrs.create({"name": "Lyon"})
    dave = bo.people.create({"name": "dave", "addr": _id(paris)})
    before = snapshot(bo)
    if operation == "cascade delete":  # the addr's people are deleted first, then the addr: its delete fails
        _fail_after(bo.addrs.db_handler, "delete_by_id", monkeypatch)
    else:  # the person is written first, then the reverse reference of the addr: that save fails
        _fail_after(bo.addrs.db_handler, "save", monkeypatch)
    with pytest.raises(InjectedFault):
        if operation == "create":
            bo.people.create({"name": "eve", "addr": _id(lyon)})
        elif operation == "update":
            item = bo.people.new_item()
            item.load(_id(dave))
            item.addr = _id(lyon)
            item.save()
        else:
            paris.delete()
    monkeypatch.undo()
    assert snapshot(bo) == before
    assert replayed == []  # the engine undid it: no Python undo step
    assert bo.check_integrity() == []


@pytest.mark.timeout(60)
def test_the_yaml_store_still_undoes_in_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replayed: list[Any]
) -> None:
    from backo import DBYmlConnector

    bo = library(lambda name: DBYmlConnector(path=str(tmp_path / name)))  # type: ignore[arg-type, return-value]
    lyon = bo.addrs.create({"name": "Lyon"})
    before = snapshot(bo)
    # before writing: a write that raises after it wrote was never recorded, so Python cannot undo it
    _fail_after(bo.addrs.db_handler, "save", monkeypatch, writes=False)
    with pytest.raises(InjectedFault):
        bo.people.create({"name": "eve", "addr": _id(lyon)})
    monkeypatch.undo()
    assert snapshot(bo) == before
    assert replayed != []  # 0.2.1's undo log, unchanged for stores without engine transactions


@pytest.mark.timeout(60)
def test_a_mixed_transaction_undoes_each_store_its_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replayed: list[Any]
) -> None:
    from backo import DBYmlConnector

    stores: dict[str, DBConnector] = {
        "people": DBYmlConnector(path=str(tmp_path / "people")),
        "addrs": DBSQLiteConnector(path=str(tmp_path / "bo.db"), table="addrs"),
    }
    bo = library(stores.__getitem__)  # type: ignore[arg-type]
    lyon = bo.addrs.create({"name": "Lyon"})
    before = snapshot(bo)
    _fail_after(bo.addrs.db_handler, "save", monkeypatch)
    with pytest.raises(InjectedFault):
        bo.people.create({"name": "eve", "addr": _id(lyon)})
    monkeypatch.undo()
    assert snapshot(bo) == before
    assert [step.collection_name for step in replayed] == ["people"]  # the YAML create only


def test_writes_inside_a_transaction_are_invisible_to_others_until_it_commits(tmp_path: Path) -> None:
    path = str(tmp_path / "bo.db")
    bo = library(lambda name: DBSQLiteConnector(path=path, table=name))
    other = DBSQLiteConnector(path=path, table="addrs")
    with transaction_module.transaction(bo) as transaction_id:
        bo.addrs.create({"name": "Nice"}, transaction_id=transaction_id)
        assert len(bo.addrs.db_handler.select(None)) == 1  # the transaction sees its own write
        seen_by_another_thread: list[int] = []
        import threading

        reader = threading.Thread(target=lambda: seen_by_another_thread.append(len(other.select(None))))
        reader.start()
        reader.join(10)
        assert seen_by_another_thread == [0]
    assert len(other.select(None)) == 1


# -- the routes, on SQLite --------------------------------------------------------------


def test_the_routes_on_sqlite(tmp_path: Path) -> None:
    bo = library(lambda name: DBSQLiteConnector(path=str(tmp_path / "bo.db"), table=name, indexes=["name"]))
    app = Flask(__name__)
    bo.build_routes(app)
    client = app.test_client()
    paris = client.post("/lib/addrs", json={"name": "Paris"}).get_json()
    for name in ("dave", "eve", "bob"):
        assert client.post("/lib/people", json={"name": name, "addr": paris["_id"]}).status_code == 200
    listed = client.get("/lib/people?name=eve").get_json()
    assert [person["name"] for person in listed["result"]] == ["eve"]
    assert listed["total"] == 1
    page = client.get("/lib/people?_page=2&_skip=1&_sort=name").get_json()
    assert [person["name"] for person in page["result"]] == ["dave", "eve"]
    assert page["total"] == 3
    assert len(client.get(f"/lib/addrs/{paris['_id']}").get_json()["people"]) == 3
    assert client.delete(f"/lib/addrs/{paris['_id']}").status_code == 200
    assert client.get("/lib/people").get_json()["total"] == 0


def test_a_transaction_driven_by_hand_is_undone_in_python(tmp_path: Path) -> None:
    """0.2.1's start/stop/rollback by hand: no engine transaction (nothing promises it ends), the undo log works."""
    bo = library(lambda name: DBSQLiteConnector(path=str(tmp_path / "bo.db"), table=name))
    leaked = bo.start_transaction()  # never ended: later operations must not be captured by it
    transaction_id = bo.start_transaction()
    bo.addrs.create({"name": "Nice"}, transaction_id=transaction_id)
    bo.rollback_transaction(transaction_id)
    assert bo.addrs.db_handler.select(None) == []
    bo.addrs.create({"name": "Lyon"})
    assert len(DBSQLiteConnector(path=str(tmp_path / "bo.db"), table="addrs").select(None)) == 1
    assert leaked in bo.transactions
