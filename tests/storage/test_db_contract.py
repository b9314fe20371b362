"""One test battery run on every DBConnector: the contract of backo/storage/db/base.py.

Each backend of BACKENDS names the fixture (tests/storage/conftest.py) that yields an
empty connector, and states what legitimately differs about it with capability flags:
a test adapts its expectation to a flag, it is never skipped. To cover a new backend,
add a fixture and an entry.
"""

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId

from backo.error import DBError, InvalidObjectIdError, NotFoundError
from backo.storage.db import DBConnector, DBMemoryConnector, DBYmlConnector

DECIMAL_ID = r"\d{1,20}"  # DBConnector.generate_id: the upper 64 bits of a UUID4
OBJECT_ID = r"[0-9a-f]{24}"  # MongoDB's ObjectId, in hexadecimal


@dataclass(frozen=True)
class Backend:
    """One DBConnector under test, and what legitimately differs about it."""

    #: The fixture yielding an empty connector.
    fixture: str
    #: create() stores under the document's ``_id``. False: the store assigns its own
    #: ids and ``o["_id"]`` is ignored (MongoDB; a remote backo).
    keeps_given_ids: bool = True
    #: What generate_id() returns; None: a placeholder ("" ), the store assigns ids.
    generated_ids: str | None = DECIMAL_ID
    #: What the ids returned by create() look like.
    created_ids: str = DECIMAL_ID
    #: save() of an unknown id creates it. False for REST: a backo PUT updates (404 else).
    save_upserts: bool = True
    #: save() replaces the whole document. False for REST: a backo PUT assigns the keys it
    #: receives (backo itself always sends every field, so nothing is lost in practice).
    save_replaces: bool = True
    #: delete_by_id() of an unknown id returns False. False for REST: the API answers
    #: 404, which is NotFoundError (as in 0.2.1).
    delete_unknown_is_false: bool = True
    #: drop() empties the store. False for DBRedirect: refused (DBError), as in 0.2.1.
    can_drop: bool = True
    #: get_by_id()/delete_by_id() of an id the store cannot hold raise InvalidObjectIdError
    #: (MongoDB: 0.2.1's DBError text, also a NotFoundError).
    rejects_malformed_ids: bool = False
    #: An id this store could hold (but does not: nothing was created under it).
    unknown_id: Callable[[], str] = field(default=lambda: "7")
    #: The same id given as a non-string (connectors convert ids with str()).
    as_non_string: Callable[[str], Any] = field(default=int)


BACKENDS: dict[str, Backend] = {
    "memory": Backend("memory_db"),
    "yml": Backend("yml_db"),
    "sqlite": Backend("sqlite_db"),
    "postgres": Backend("postgres_db"),
    # MongoDB assigns ObjectIds: generate_id gives a fresh one, create ignores o["_id"].
    "mongo": Backend(
        "mongo_db",
        keeps_given_ids=False,
        generated_ids=OBJECT_ID,
        created_ids=OBJECT_ID,
        unknown_id=lambda: str(ObjectId()),
        as_non_string=ObjectId,
        rejects_malformed_ids=True,
    ),
    # DBRedirect to a served app with backo's routes; the remote assigns (decimal) ids.
    "rest": Backend(
        "rest_db",
        keeps_given_ids=False,
        generated_ids=None,
        save_upserts=False,
        save_replaces=False,
        delete_unknown_is_false=False,
        can_drop=False,
    ),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    return BACKENDS[request.param]


@pytest.fixture
def db(backend: Backend, request: pytest.FixtureRequest) -> Iterator[DBConnector]:
    connector: DBConnector = request.getfixturevalue(backend.fixture)
    yield connector
    if backend.can_drop:
        connector.drop()


def _create(db: DBConnector, backend: Backend, document: dict[str, Any]) -> str:
    """Create ``document``; check the id the store answers with; return it."""
    _id = db.create(document)
    assert isinstance(_id, str)
    if backend.keeps_given_ids and "_id" in document:
        assert _id == str(document["_id"])
    else:
        assert re.fullmatch(backend.created_ids, _id), _id
    return _id


def _existing_or_unknown_id(db: DBConnector, backend: Backend) -> str:
    """An id save() can write to: an unknown one if save upserts, else a created one."""
    if backend.save_upserts:
        return backend.unknown_id()
    return db.create({"placeholder": True})


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


def test_generate_id(db: DBConnector, backend: Backend) -> None:
    ids = [db.generate_id(None) for _ in range(100)]
    if backend.generated_ids is None:
        assert set(ids) == {""}  # a placeholder: the store assigns the id in create()
        return
    assert len(set(ids)) == 100
    assert all(isinstance(_id, str) and re.fullmatch(backend.generated_ids, _id) for _id in ids)
    if backend.generated_ids == DECIMAL_ID:
        assert all(int(_id) < 2**64 for _id in ids)


# -- create / get_by_id -----------------------------------------------------------------


def test_create_then_get_by_id(db: DBConnector, backend: Backend) -> None:
    document = {"_id": "42", "name": "dave", "age": 25, "tags": ["x"], "sub": {"a": 1.5}}
    _id = _create(db, backend, document)
    assert db.get_by_id(_id) == {**document, "_id": _id}


def test_create_keeps_every_json_type(db: DBConnector, backend: Backend) -> None:
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
    _id = _create(db, backend, document)
    assert db.get_by_id(_id) == {**document, "_id": _id}


def test_create_without_an_id_generates_one(db: DBConnector, backend: Backend) -> None:
    _id = _create(db, backend, {"name": "dave"})
    assert db.get_by_id(_id) == {"_id": _id, "name": "dave"}


def test_create_an_existing_id(db: DBConnector, backend: Backend) -> None:
    first = _create(db, backend, {"_id": "1", "name": "dave"})
    if backend.keeps_given_ids:
        with pytest.raises(DBError, match='_id "1" already exist'):
            db.create({"_id": "1", "name": "eve"})
    else:  # the given id is ignored: a second document, under a new id
        second = _create(db, backend, {"_id": first, "name": "eve"})
        assert second != first
        assert db.get_by_id(second)["name"] == "eve"
    assert db.get_by_id(first)["name"] == "dave"


def test_get_by_id_of_an_unknown_id_raises_notfounderror(db: DBConnector, backend: Backend) -> None:
    if backend.rejects_malformed_ids:
        with pytest.raises(InvalidObjectIdError, match=re.escape(".find_one()")):
            db.get_by_id("nope")
        return
    with pytest.raises(NotFoundError, match='_id "nope" not found'):
        db.get_by_id("nope")


def test_get_by_id_of_an_unknown_well_formed_id_raises_notfounderror(db: DBConnector, backend: Backend) -> None:
    unknown = backend.unknown_id()
    with pytest.raises(NotFoundError, match=f'_id "{unknown}" not found'):
        db.get_by_id(unknown)


def test_ids_that_are_not_strings_are_converted(db: DBConnector, backend: Backend) -> None:
    _id = _create(db, backend, {"_id": 12, "name": "dave"})
    key = backend.as_non_string(_id)
    assert db.get_by_id(key) == {"_id": _id, "name": "dave"}
    assert db.get_by_id(_id) == {"_id": _id, "name": "dave"}
    db.save(key, {"_id": key, "name": "eve"})
    assert db.get_by_id(_id) == {"_id": _id, "name": "eve"}
    assert db.delete_by_id(key) is True


# -- save -------------------------------------------------------------------------------


def test_save_replaces_the_whole_document(db: DBConnector, backend: Backend) -> None:
    _id = _create(db, backend, {"_id": "1", "name": "dave", "age": 25})
    db.save(_id, {"_id": _id, "name": "eve"})
    if backend.save_replaces:
        assert db.get_by_id(_id) == {"_id": _id, "name": "eve"}
    else:  # only the keys sent are assigned
        assert db.get_by_id(_id) == {"_id": _id, "name": "eve", "age": 25}


def test_save_of_an_unknown_id(db: DBConnector, backend: Backend) -> None:
    unknown = backend.unknown_id()
    if not backend.save_upserts:
        with pytest.raises(NotFoundError, match=f'_id "{unknown}" not found'):
            db.save(unknown, {"_id": unknown, "name": "dave"})
        assert db.select(None) == []
        return
    db.save(unknown, {"_id": unknown, "name": "dave"})  # creates it: rollbacks rely on it
    assert db.get_by_id(unknown) == {"_id": unknown, "name": "dave"}
    assert db.select(None) == [{"_id": unknown, "name": "dave"}]


def test_save_stores_the_document_under_the_given_id(db: DBConnector, backend: Backend) -> None:
    _id = _existing_or_unknown_id(db, backend)
    db.save(_id, {"name": "dave"})
    expected: dict[str, Any] = {"_id": _id, "name": "dave"}
    if not backend.save_upserts and not backend.save_replaces:
        expected["placeholder"] = True  # kept from the document created first
    assert db.get_by_id(_id) == expected


# -- delete_by_id / drop ----------------------------------------------------------------


def test_delete_by_id(db: DBConnector, backend: Backend) -> None:
    first = _create(db, backend, {"_id": "1", "name": "dave"})
    _create(db, backend, {"_id": "2", "name": "eve"})
    assert db.delete_by_id(first) is True
    with pytest.raises(NotFoundError):
        db.get_by_id(first)
    for gone in (first, backend.unknown_id()):
        if backend.delete_unknown_is_false:
            assert db.delete_by_id(gone) is False
        else:
            with pytest.raises(NotFoundError, match=f'_id "{gone}" not found'):
                db.delete_by_id(gone)
    assert _names(db.select(None)) == ["eve"]


def test_delete_by_id_of_a_malformed_id(db: DBConnector, backend: Backend) -> None:
    if backend.rejects_malformed_ids:
        with pytest.raises(InvalidObjectIdError, match=re.escape(".delete_one()")):
            db.delete_by_id("never")
    elif backend.delete_unknown_is_false:
        assert db.delete_by_id("never") is False
    else:
        with pytest.raises(NotFoundError):
            db.delete_by_id("never")


def test_a_deleted_id_can_be_created_again(db: DBConnector, backend: Backend) -> None:
    first = _create(db, backend, {"_id": "1", "name": "dave"})
    db.delete_by_id(first)
    again = _create(db, backend, {"_id": first, "name": "eve"})
    if not backend.keeps_given_ids:  # a store that assigns ids gives a new one
        assert again != first
    assert db.get_by_id(again)["name"] == "eve"


def test_drop_removes_everything(db: DBConnector, backend: Backend) -> None:
    ids = _people(db)
    if not backend.can_drop:
        with pytest.raises(DBError, match="doenst implement drop"):
            db.drop()
        assert len(db.select(None)) == len(ids)  # nothing was removed
        return
    db.drop()
    assert db.select(None) == []
    for _id in ids:
        with pytest.raises(NotFoundError):
            db.get_by_id(_id)
    db.drop()  # dropping an empty collection is fine
    assert _create(db, backend, {"_id": ids[0], "name": "dave"})


# -- select -----------------------------------------------------------------------------


def test_select_returns_every_document_as_backo_calls_it(db: DBConnector) -> None:
    ids = _people(db)
    documents = db.select(None, {}, 0, 0, {})
    assert sorted(document["_id"] for document in documents) == sorted(ids)
    assert sorted(_names(documents)) == ["alice", "bob", "carol", "dave", "eve"]


def test_select_with_backos_default_sort(db: DBConnector) -> None:
    ids = _people(db)
    documents = db.select(None, {}, 0, 0, {"_id": 1})
    assert [document["_id"] for document in documents] == sorted(ids)


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
        ({"name": ("$re", "[a-c]")}, ["alice", "bob", "carol"]),  # anchored like re.match
        ({"age": ("$and", [("$gt", 20), ("$lt", 35)])}, ["bob", "dave", "eve"]),
        (("$or", [{"name": "eve"}, {"age": 19}]), ["alice", "eve"]),
        ({"age": ("$not", ("$eq", 25))}, ["alice", "carol", "eve"]),
        ({"age": ("$ne", 25), "address": {"city": "Lyon"}}, ["alice", "eve"]),
        ({"missing": ("$ne", 1)}, []),  # a field a filter names must exist
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
    assert _names(db.select(None, {}, -1, 0, by_name)) == []  # a negative page is empty
    assert _names(db.select(None, {}, 1, -3, by_name)) == ["alice"]  # a negative skip is 0


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


def test_select_sees_more_than_one_page_of_a_remote(db: DBConnector) -> None:
    ids = [db.create({"n": n}) for n in range(25)]  # a backo lists 10 per page by default
    assert sorted(document["_id"] for document in db.select(None)) == sorted(ids)


@pytest.mark.parametrize(
    ("select_filter", "page_size", "skip", "sort", "expected_names", "expected_total"),
    [
        (None, 2, 0, {"name": 1}, ["alice", "bob"], 5),
        (None, 2, 4, {"name": 1}, ["eve"], 5),
        (None, 2, 5, {"name": 1}, [], 5),
        (None, 0, 3, {"name": 1}, ["dave", "eve"], 5),
        ({"age": 25}, 1, 1, {"name": 1}, ["dave"], 2),
        ({"age": ("$gte", 31)}, 10, 0, {"age": -1}, ["carol", "eve"], 2),
        ({"name": "nobody"}, 10, 0, {"name": 1}, [], 0),
        (None, -1, 0, {"name": 1}, [], 5),
    ],
)
def test_select_page_returns_one_page_and_the_total(
    db: DBConnector,
    select_filter: Any,
    page_size: int,
    skip: int,
    sort: dict[str, int],
    expected_names: list[str],
    expected_total: int,
) -> None:
    _people(db)
    page, total = db.select_page(select_filter, page_size, skip, sort)
    assert (_names(page), total) == (expected_names, expected_total)
    assert page == db.select(select_filter, {}, page_size, skip, sort), "select_page agrees with select"


def test_select_page_sees_every_write_between_two_calls(db: DBConnector) -> None:
    ids = _people(db)
    assert db.select_page(None, 10, 0, {"name": 1})[1] == 5
    db.delete_by_id(ids[0])
    db.save(ids[1], {"_id": ids[1], "name": "aaron", "age": 1})
    page, total = db.select_page(None, 10, 0, {"name": 1})
    assert (_names(page), total) == (["aaron", "alice", "bob", "carol"], 4)
    page[0]["name"] = "changed"
    assert _names(db.select_page(None, 1, 0, {"name": 1})[0]) == ["aaron"], "the page is a copy"


# -- nobody shares data with the store --------------------------------------------------


def test_mutating_the_created_document_does_not_change_the_store(db: DBConnector, backend: Backend) -> None:
    document: dict[str, Any] = {"_id": "1", "tags": ["a"], "sub": {"x": 1}}
    _id = _create(db, backend, document)
    document["tags"].append("b")
    document["sub"]["x"] = 2
    document["new"] = True
    assert db.get_by_id(_id) == {"_id": _id, "tags": ["a"], "sub": {"x": 1}}


def test_mutating_the_saved_document_does_not_change_the_store(db: DBConnector, backend: Backend) -> None:
    _id = _existing_or_unknown_id(db, backend)
    document: dict[str, Any] = {"_id": _id, "tags": ["a"]}
    db.save(_id, document)
    document["tags"].append("b")
    assert db.get_by_id(_id)["tags"] == ["a"]


def test_mutating_a_returned_document_does_not_change_the_store(db: DBConnector, backend: Backend) -> None:
    _id = _create(db, backend, {"_id": "1", "tags": ["a"], "sub": {"x": 1}})
    for fetched in (db.get_by_id(_id), db.select(None)[0], db.select(None, {"sub": 1})[0]):
        fetched["sub"]["x"] = 99
        fetched.setdefault("tags", []).append("z")
    assert db.get_by_id(_id) == {"_id": _id, "tags": ["a"], "sub": {"x": 1}}


def test_create_and_save_leave_the_given_document_unchanged(db: DBConnector, backend: Backend) -> None:
    document = {"_id": 5, "tags": ["a"]}
    snapshot = copy.deepcopy(document)
    _id = _create(db, backend, document)
    db.save(backend.as_non_string(_id), document)
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


@pytest.mark.parametrize(("connector_class", "store_name"), [(DBMemoryConnector, "memory"), (DBYmlConnector, "yml")])
def test_embedded_stores_refuse_a_restriction(
    connector_class: type[DBConnector], store_name: str, tmp_path: Path
) -> None:
    with pytest.raises(DBError, match=f"Restriction filter not implemented for {store_name}"):
        connector_class(restriction=lambda: {"owner": "me"}, path=str(tmp_path))
