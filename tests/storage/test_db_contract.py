"""One test battery run on every DBConnector: the contract of backo/storage/db/base.py.

To cover a new backend, add a factory to CONNECTOR_FACTORIES (it receives pytest's
``tmp_path`` and returns an empty connector; a Mongo factory would build it on
mongomock, a REST one on a loopback server).
"""

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backo.error import DBError, NotFoundError
from backo.storage.db import DBConnector, DBMemoryConnector, DBYmlConnector

CONNECTOR_FACTORIES: dict[str, Callable[[Path], DBConnector]] = {
    "memory": lambda tmp_path: DBMemoryConnector(),
    "yml": lambda tmp_path: DBYmlConnector(path=str(tmp_path / "yml")),
}


@pytest.fixture(params=sorted(CONNECTOR_FACTORIES))
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DBConnector]:
    connector = CONNECTOR_FACTORIES[request.param](tmp_path)
    yield connector
    connector.drop()


def _people(db: DBConnector) -> list[str]:
    """Store five people; return their ids, in creation order."""
    people = [
        {"name": "dave", "age": 25, "tags": ["a", "b"], "address": {"city": "Paris"}},
        {"name": "eve", "age": 31, "tags": ["b"], "address": {"city": "Lyon"}},
        {"name": "bob", "age": 25, "tags": [], "address": {"city": "Paris"}},
        {"name": "carol", "age": 40, "tags": ["c"], "address": {"city": "Nice"}},
        {"name": "alice", "age": 19, "tags": ["a"], "address": {"city": "Lyon"}},
    ]
    return [db.create({**person, "_id": db.generate_id(None)}) for person in people]


def _names(documents: list[dict[str, Any]]) -> list[str]:
    return [document["name"] for document in documents]


# -- generate_id ------------------------------------------------------------------------


def test_generate_id_is_a_random_decimal_string(db: DBConnector) -> None:
    ids = {db.generate_id(None) for _ in range(100)}
    assert len(ids) == 100
    assert all(isinstance(_id, str) and re.fullmatch(r"\d{1,20}", _id) for _id in ids)
    assert all(int(_id) < 2**64 for _id in ids)


# -- create / get_by_id -----------------------------------------------------------------


def test_create_then_get_by_id(db: DBConnector) -> None:
    _id = db.create({"_id": "42", "name": "dave", "age": 25, "tags": ["x"], "sub": {"a": 1.5}})
    assert _id == "42"
    assert db.get_by_id("42") == {
        "_id": "42",
        "name": "dave",
        "age": 25,
        "tags": ["x"],
        "sub": {"a": 1.5},
    }


def test_create_keeps_every_json_type(db: DBConnector) -> None:
    document = {
        "_id": "1",
        "s": "été ✓",
        "digits": "0012",
        "yes": "yes",
        "i": -7,
        "f": 0.1,
        "b": False,
        "n": None,
        "empty_list": [],
        "empty_dict": {},
        "deep": [{"a": [1, {"b": None}]}],
    }
    db.create(document)
    assert db.get_by_id("1") == document


def test_create_without_an_id_generates_one(db: DBConnector) -> None:
    _id = db.create({"name": "dave"})
    assert re.fullmatch(r"\d{1,20}", _id)
    assert db.get_by_id(_id) == {"_id": _id, "name": "dave"}


def test_create_an_existing_id_raises_dberror(db: DBConnector) -> None:
    db.create({"_id": "1", "name": "dave"})
    with pytest.raises(DBError, match='_id "1" already exist'):
        db.create({"_id": "1", "name": "eve"})
    assert db.get_by_id("1")["name"] == "dave"


def test_get_by_id_of_an_unknown_id_raises_notfounderror(db: DBConnector) -> None:
    with pytest.raises(NotFoundError, match='_id "nope" not found'):
        db.get_by_id("nope")


def test_ids_that_are_not_strings_are_converted(db: DBConnector) -> None:
    assert db.create({"_id": 12, "name": "dave"}) == "12"
    assert db.get_by_id(12) == {"_id": "12", "name": "dave"}
    assert db.get_by_id("12") == {"_id": "12", "name": "dave"}
    db.save(12, {"_id": 12, "name": "eve"})
    assert db.get_by_id("12") == {"_id": "12", "name": "eve"}
    assert db.delete_by_id(12) is True


# -- save -------------------------------------------------------------------------------


def test_save_replaces_the_whole_document(db: DBConnector) -> None:
    db.create({"_id": "1", "name": "dave", "age": 25})
    db.save("1", {"_id": "1", "name": "eve"})
    assert db.get_by_id("1") == {"_id": "1", "name": "eve"}


def test_save_of_an_unknown_id_creates_it(db: DBConnector) -> None:
    db.save("7", {"_id": "7", "name": "dave"})
    assert db.get_by_id("7") == {"_id": "7", "name": "dave"}
    assert db.select(None) == [{"_id": "7", "name": "dave"}]


def test_save_stores_the_document_under_the_given_id(db: DBConnector) -> None:
    db.save("7", {"name": "dave"})
    assert db.get_by_id("7") == {"_id": "7", "name": "dave"}


# -- delete_by_id / drop ----------------------------------------------------------------


def test_delete_by_id(db: DBConnector) -> None:
    db.create({"_id": "1", "name": "dave"})
    db.create({"_id": "2", "name": "eve"})
    assert db.delete_by_id("1") is True
    with pytest.raises(NotFoundError):
        db.get_by_id("1")
    assert db.delete_by_id("1") is False
    assert db.delete_by_id("never") is False
    assert _names(db.select(None)) == ["eve"]


def test_a_deleted_id_can_be_created_again(db: DBConnector) -> None:
    db.create({"_id": "1", "name": "dave"})
    db.delete_by_id("1")
    assert db.create({"_id": "1", "name": "eve"}) == "1"
    assert db.get_by_id("1")["name"] == "eve"


def test_drop_removes_everything(db: DBConnector) -> None:
    ids = _people(db)
    db.drop()
    assert db.select(None) == []
    for _id in ids:
        with pytest.raises(NotFoundError):
            db.get_by_id(_id)
    db.drop()  # dropping an empty collection is fine
    assert db.create({"_id": ids[0], "name": "dave"}) == ids[0]


# -- select -----------------------------------------------------------------------------


def test_select_returns_every_document_as_backo_calls_it(db: DBConnector) -> None:
    ids = _people(db)
    documents = db.select(None, {}, 0, 0, {})
    assert sorted(document["_id"] for document in documents) == sorted(ids)
    assert sorted(_names(documents)) == ["alice", "bob", "carol", "dave", "eve"]


def test_select_on_an_empty_collection(db: DBConnector) -> None:
    assert db.select(None) == []
    assert db.select({"name": "dave"}, {"name": 1}, 10, 0, {"name": 1}) == []


@pytest.mark.parametrize(
    ("select_filter", "expected"),
    [
        ({"name": "dave"}, ["dave"]),
        ({"age": 25}, ["bob", "dave"]),
        ({"age": ("$gte", 31)}, ["carol", "eve"]),
        ({"address": {"city": "Lyon"}}, ["alice", "eve"]),
        ({"tags": ("$contains", "a")}, ["alice", "dave"]),
        ({"name": ("$reg", "^[a-c]")}, ["alice", "bob", "carol"]),
        ({"age": ("$and", [("$gt", 20), ("$lt", 35)])}, ["bob", "dave", "eve"]),
        (("$or", [{"name": "eve"}, {"age": 19}]), ["alice", "eve"]),
        ({"age": ("$not", ("$eq", 25))}, ["alice", "carol", "eve"]),
        ({"missing": 1}, []),
        ({"age": ("$gt", "text")}, []),
    ],
)
def test_select_filters(db: DBConnector, select_filter: Any, expected: list[str]) -> None:
    _people(db)
    assert sorted(_names(db.select(select_filter))) == expected


def test_select_projection(db: DBConnector) -> None:
    ids = _people(db)
    documents = db.select({"name": "dave"}, {"name": 1})
    assert documents == [{"_id": ids[0], "name": "dave"}]
    documents = db.select({"name": "dave"}, {"address": 0, "tags": 0, "_id": 0})
    assert documents == [{"name": "dave", "age": 25}]


def test_select_sort(db: DBConnector) -> None:
    _people(db)
    assert _names(db.select(None, {}, 0, 0, {"name": 1})) == [
        "alice", "bob", "carol", "dave", "eve",
    ]  # fmt: skip
    assert _names(db.select(None, {}, 0, 0, {"age": -1, "name": 1})) == [
        "carol", "eve", "bob", "dave", "alice",
    ]  # fmt: skip


def test_select_pagination_after_sort(db: DBConnector) -> None:
    _people(db)
    by_name = {"name": 1}
    assert _names(db.select(None, {}, 2, 0, by_name)) == ["alice", "bob"]
    assert _names(db.select(None, {}, 2, 2, by_name)) == ["carol", "dave"]
    assert _names(db.select(None, {}, 2, 4, by_name)) == ["eve"]
    assert _names(db.select(None, {}, 2, 5, by_name)) == []
    assert _names(db.select(None, {}, 0, 3, by_name)) == ["dave", "eve"]
    assert _names(db.select({"age": 25}, {}, 1, 1, by_name)) == ["dave"]


def test_select_keyword_arguments(db: DBConnector) -> None:
    _people(db)
    documents = db.select(
        select_filter={"age": ("$lt", 30)},
        projection={"name": 1, "_id": 0},
        page_size=2,
        num_of_element_to_skip=1,
        sort_object={"name": -1},
    )
    assert documents == [{"name": "bob"}, {"name": "alice"}]


# -- nobody shares data with the store --------------------------------------------------


def test_mutating_the_created_document_does_not_change_the_store(db: DBConnector) -> None:
    document = {"_id": "1", "tags": ["a"], "sub": {"x": 1}}
    db.create(document)
    document["tags"].append("b")
    document["sub"]["x"] = 2
    document["new"] = True
    assert db.get_by_id("1") == {"_id": "1", "tags": ["a"], "sub": {"x": 1}}


def test_mutating_the_saved_document_does_not_change_the_store(db: DBConnector) -> None:
    document = {"_id": "1", "tags": ["a"]}
    db.save("1", document)
    document["tags"].append("b")
    assert db.get_by_id("1")["tags"] == ["a"]


def test_mutating_a_returned_document_does_not_change_the_store(db: DBConnector) -> None:
    db.create({"_id": "1", "tags": ["a"], "sub": {"x": 1}})
    for fetched in (db.get_by_id("1"), db.select(None)[0], db.select(None, {"sub": 1})[0]):
        fetched["sub"]["x"] = 99
        fetched.setdefault("tags", []).append("z")
    assert db.get_by_id("1") == {"_id": "1", "tags": ["a"], "sub": {"x": 1}}


def test_create_and_save_leave_the_given_document_unchanged(db: DBConnector) -> None:
    document = {"_id": 5, "tags": ["a"]}
    snapshot = copy.deepcopy(document)
    db.create(document)
    db.save(5, document)
    assert document == snapshot


# -- the connector object ---------------------------------------------------------------


def test_a_connector_is_shared_by_copies(db: DBConnector) -> None:
    assert copy.copy(db) is db
    assert copy.deepcopy(db) is db
    assert copy.deepcopy({"db": db})["db"] is db


def test_restriction_filter_defaults_to_none(db: DBConnector) -> None:
    assert db.restriction_filter is None


# -- DBConnector itself -----------------------------------------------------------------


class _Minimal(DBConnector):
    """Implements the contract with no storage at all (to test the base class)."""

    def drop(self) -> None:
        pass

    def create(self, o: dict[str, Any]) -> str:
        return str(o["_id"])

    def save(self, _id: str, o: dict[str, Any]) -> None:
        pass

    def get_by_id(self, _id: str) -> dict[str, Any]:
        raise NotFoundError("no {0}", _id)

    def delete_by_id(self, _id: str) -> bool:
        return False

    def select(
        self,
        select_filter: Any,
        projection: dict[str, Any] | None = None,
        page_size: int = 0,
        num_of_element_to_skip: int = 0,
        sort_object: dict[str, int] | None = None,
    ) -> list[dict[str, Any]]:
        return []


def test_dbconnector_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        DBConnector()  # type: ignore[abstract]


def test_a_backend_missing_one_method_cannot_be_instantiated() -> None:
    class NoSelect(DBConnector):
        drop = _Minimal.drop
        create = _Minimal.create
        save = _Minimal.save
        get_by_id = _Minimal.get_by_id
        delete_by_id = _Minimal.delete_by_id

    with pytest.raises(TypeError, match="select"):
        NoSelect()  # type: ignore[abstract]


def test_dbconnector_keyword_arguments() -> None:
    def restriction() -> dict[str, Any]:
        return {"owner": "me"}

    assert _Minimal(restriction=restriction, unknown=1, path="x").restriction_filter is restriction
    assert _Minimal().restriction_filter is None


def test_dbconnector_generate_id() -> None:
    assert re.fullmatch(r"\d{1,20}", _Minimal().generate_id({"any": "thing"}))


@pytest.mark.parametrize(
    ("connector_class", "store_name"), [(DBMemoryConnector, "memory"), (DBYmlConnector, "yml")]
)
def test_embedded_stores_refuse_a_restriction(
    connector_class: type[DBConnector], store_name: str, tmp_path: Path
) -> None:
    with pytest.raises(DBError, match=f"Restriction filter not implemented for {store_name}"):
        connector_class(restriction=lambda: {"owner": "me"}, path=str(tmp_path))
