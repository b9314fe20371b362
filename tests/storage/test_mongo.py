"""The MongoDB connector (backo/storage/db/mongo.py): client, ids, errors, filters, restriction.

Runs on mongomock, or on the server of BACKO_TEST_MONGO_URL (see tests/support/backends.py;
``make test-mongo`` runs it on a SecantusDB server). The construction tests that replace
``MongoClient`` by a recording stand-in, and the error tests that replace driver calls,
never reach a server: they are mongomock-only in effect, and run the same in both legs.
The shared contract is in test_db_contract.py.
"""

import inspect
import logging
import re
from collections.abc import Iterator
from typing import Any, ClassVar

import backo.db_mongo_connector
import bson
import bson.errors
import mongomock
import pymongo
import pymongo.errors
import pytest
from bson import ObjectId
from flask import Flask

from backo import Backoffice, Collection, Int, Item, String
from backo.error import DBError, InvalidObjectIdError, NotFoundError
from backo.storage.db import DBMongoConnector
from backo.storage.db.listing import matches
from backo.storage.db.mongo import MONGO_DRIVER_ERRORS, _mongo_errors, to_mongo_filter
from tests.support.backends import mongo_client_class, mongo_connector, real_mongo_url

PEOPLE: list[dict[str, Any]] = [
    {"name": "dave", "age": 25, "tags": ["a", "b"], "address": {"city": "Paris", "zip": 75}},
    {"name": "eve", "age": 31, "tags": ["b"], "address": {"city": "Lyon", "zip": 69}},
    {"name": "bob", "age": 25, "tags": [], "address": {"city": "Paris", "zip": 75}},
    {"name": "carol", "age": 40, "tags": ["c"], "address": {"city": "Nice", "zip": 6}},
    {"name": "alice", "age": 19, "tags": ["a"], "address": {"city": "Lyon", "zip": 69}},
    {"name": "zed", "age": None, "tags": [{"k": 1}, {"k": 5}], "note": "x"},
]


@pytest.fixture
def db() -> Iterator[DBMongoConnector]:
    with mongo_connector(collection="people") as connector:
        yield connector


@pytest.fixture
def people(db: DBMongoConnector) -> dict[str, str]:
    """PEOPLE stored in ``db``: name -> id."""
    return {person["name"]: db.create(dict(person)) for person in PEOPLE}


class _RecordingClient:
    """Stands for MongoClient: records its arguments, delegates to mongomock."""

    calls: ClassVar[list[tuple[tuple[Any, ...], dict[str, Any]]]] = []

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        cls.calls.append((args, kwargs))
        return mongomock.MongoClient(*args)


# -- construction -----------------------------------------------------------------------


def test_connection_string_is_required() -> None:
    with pytest.raises(TypeError, match='keys "connection_string" is missing'):
        DBMongoConnector(collection="books")


def test_client_is_built_through_the_module_global_mongoclient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backo.db_mongo_connector, "MongoClient", _RecordingClient)
    _RecordingClient.calls = []
    db = DBMongoConnector(
        connection_string="mongodb://h:27017/shop",
        collection="books",
        restriction=lambda: {"owner": "me"},
        tz_aware=True,
        appname="backo-test",
    )
    # Looked up at call time; every kwarg but backo's own goes to the client.
    assert _RecordingClient.calls == [(("mongodb://h:27017/shop",), {"tz_aware": True, "appname": "backo-test"})]
    assert db.collection_name == "books" and db.collection.name == "books"
    assert db.collection.database.name == "shop"
    assert callable(db.restriction_filter)


def test_compat_module_names() -> None:
    assert backo.db_mongo_connector.MongoClient is pymongo.MongoClient
    assert backo.db_mongo_connector.ObjectId is bson.ObjectId
    assert backo.db_mongo_connector.DBMongoConnector is DBMongoConnector


def test_the_mongo_logger_has_no_level_of_its_own() -> None:
    # issue 14: backo sets no level (0.2.1 set "mongo" to INFO); the name is backo.mongo
    assert logging.getLogger("backo.mongo").level == logging.NOTSET


@pytest.mark.parametrize(
    ("connection_string", "collection", "cause"),
    [
        ("mongodb://user:s3cret@localhost:27017", "books", pymongo.errors.ConfigurationError),
        ("mongodb://user:s3cret@localhost:27017/shop", "", pymongo.errors.InvalidName),
    ],
)
def test_construction_errors_are_dberrors_without_the_password(
    connection_string: str, collection: str, cause: type[Exception]
) -> None:
    with mongo_client_class(), pytest.raises(DBError) as raised:
        DBMongoConnector(connection_string=connection_string, collection=collection)
    assert "s3cret" not in str(raised.value)
    assert 'Mongo connection error at "mongodb://user:***@localhost:27017' in str(raised.value)
    assert isinstance(raised.value.__cause__, cause)


def test_connect_and_close(db: DBMongoConnector) -> None:
    info = db.connect()
    assert "version" in info
    db.close()


def test_connect_and_close_errors(db: DBMongoConnector, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*args: Any) -> None:
        raise pymongo.errors.ServerSelectionTimeoutError("no server")

    monkeypatch.setattr(db.client, "server_info", unreachable)
    monkeypatch.setattr(db.client, "close", unreachable)
    where = db.connection_string
    with pytest.raises(DBError, match=re.escape(f'Mongo connection error at "{where}"')) as raised:
        db.connect()
    assert isinstance(raised.value.__cause__, pymongo.errors.ServerSelectionTimeoutError)
    with pytest.raises(DBError, match=re.escape(f'Mongo close error at "{where}"')):
        db.close()
    monkeypatch.undo()


# -- ids ----------------------------------------------------------------------------------


def test_mongo_assigns_the_ids(db: DBMongoConnector) -> None:
    _id = db.create({"_id": "42", "name": "dave"})
    assert re.fullmatch(r"[0-9a-f]{24}", _id) and _id != "42"
    assert db.get_by_id(_id) == {"_id": _id, "name": "dave"}
    assert db.collection.find_one({"_id": ObjectId(_id)})["name"] == "dave"  # a real ObjectId
    assert ObjectId.is_valid(db.generate_id(None))


@pytest.mark.parametrize("malformed", ["zzz", "", "12", "6b037f112e39d275bacbb1cZ", 12])
def test_a_malformed_id_is_a_dberror_as_in_0_2_1(db: DBMongoConnector, malformed: Any) -> None:
    db.create({"name": "dave"})
    with pytest.raises(DBError) as raised:
        db.get_by_id(malformed)
    assert str(raised.value) == 'Exception("Mongo connection error while "people.find_one()"")'
    with pytest.raises(DBError) as raised:
        db.delete_by_id(malformed)
    assert str(raised.value) == 'Exception("Mongo connection error while "people.delete_one()"")'
    with pytest.raises(DBError, match="is not a valid ObjectId"):
        db.save(malformed, {"name": "eve"})


@pytest.mark.parametrize("malformed", ["zzz", "12", 12])
def test_a_malformed_id_is_also_not_found(db: DBMongoConnector, malformed: Any) -> None:
    """The error is a NotFoundError too (the HTTP layer answers 404, callers may catch it)."""
    with pytest.raises(NotFoundError) as raised:
        db.get_by_id(malformed)
    assert isinstance(raised.value, InvalidObjectIdError)
    with pytest.raises(NotFoundError):
        db.delete_by_id(malformed)


def test_a_valid_unknown_id_is_not_found(db: DBMongoConnector) -> None:
    unknown = str(ObjectId())
    with pytest.raises(NotFoundError, match=f'_id "{unknown}" not found in collection "people"') as raised:
        db.get_by_id(unknown)
    assert not isinstance(raised.value, DBError)
    assert db.delete_by_id(unknown) is False


def test_save_upserts(db: DBMongoConnector) -> None:
    _id = db.create({"name": "dave"})
    db.delete_by_id(_id)
    db.save(_id, {"name": "dave"})
    assert db.get_by_id(_id) == {"_id": _id, "name": "dave"}


# -- select -------------------------------------------------------------------------------


class _Recorder:
    """Wraps the driver's collection (and its cursors) and records what select asks."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.calls: list[tuple[str, Any]] = []

    def find(self, *args: Any) -> "_Recorder":
        self.calls.append(("find", args))
        self._cursor = self._collection.find(*args)
        return self

    def sort(self, keys: Any) -> "_Recorder":
        self.calls.append(("sort", keys))
        self._cursor = self._cursor.sort(keys)
        return self

    def skip(self, count: int) -> "_Recorder":
        self.calls.append(("skip", count))
        self._cursor = self._cursor.skip(count)
        return self

    def limit(self, count: int) -> "_Recorder":
        self.calls.append(("limit", count))
        self._cursor = self._cursor.limit(count)
        return self

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._cursor)

    def __getattr__(self, name: str) -> Any:  # drop() and the others: the real collection's
        return getattr(self._collection, name)


def test_select_is_done_by_mongo(db: DBMongoConnector, people: dict[str, str]) -> None:
    recorder = _Recorder(db.collection)
    db.collection = recorder
    found = db.select({"age": ("$gte", 25)}, {"name": 1, "_id": 0}, 2, 1, {"age": -1, "name": 1})
    assert found == [{"name": "eve"}, {"name": "bob"}]
    assert recorder.calls == [
        ("find", ({"age": {"$gte": 25}}, {"name": 1, "_id": 0})),
        ("sort", [("age", -1), ("name", 1)]),
        ("skip", 1),
        ("limit", 2),
    ]


@pytest.mark.parametrize("sort_object", [{}, None])
def test_select_without_a_sort(db: DBMongoConnector, people: dict[str, str], sort_object: Any) -> None:
    recorder = _Recorder(db.collection)
    db.collection = recorder
    assert len(db.select(None, {}, 0, 0, sort_object)) == len(PEOPLE)
    assert [name for name, _ in recorder.calls] == ["find", "skip", "limit"]


def test_select_returns_string_ids(db: DBMongoConnector, people: dict[str, str]) -> None:
    found = db.select(None, {"name": 1}, 0, 0, {"_id": 1})
    assert [document["_id"] for document in found] == sorted(people.values())
    assert {document["name"]: document["_id"] for document in found} == people


def test_select_accepts_a_native_mongo_query(db: DBMongoConnector, people: dict[str, str]) -> None:
    found = db.select({"$or": [{"age": {"$lt": 20}}, {"address.city": "Nice"}]})
    assert sorted(document["name"] for document in found) == ["alice", "carol"]
    assert [d["name"] for d in db.select({"_id": ObjectId(people["eve"])})] == ["eve"]
    assert [d["name"] for d in db.select({"_id": people["eve"]})] == ["eve"]


# Each filter gives the same documents on MongoDB as stricto's matching does in Python.
SAME_AS_STRICTO = [
    {"name": "dave"},
    {"age": 25},
    {"age": None},
    {"age": ("$eq", None)},
    {"note": ("$ne", "y")},
    {"age": ("$ne", 25)},
    {"age": ("$gt", 24)},
    {"age": ("$lte", 25)},
    {"age": ("$gt", "text")},
    {"address": {"city": "Lyon"}},
    {"address": {"city": "Paris", "zip": ("$lt", 80)}},
    {"address": {}},
    {"tags": ("$contains", "a")},
    {"tags": ("$contains", ("$reg", "^[ab]"))},
    {"tags": ("$contains", {"k": ("$gt", 2)})},
    {"name": ("$reg", "a|e")},
    {"name": ("$re", "[a-c]")},
    {"name": ("$reg", "o")},
    {"name": ("$not", ("$reg", "^[a-c]"))},
    {"age": ("$and", [("$gt", 20), ("$lt", 35)])},
    {"age": ("$or", [("$lt", 20), ("$gt", 35)])},
    {"address": ("$or", [{"city": "Nice"}, {"zip": 69}])},
    ("$or", [{"name": "eve"}, {"age": 19}]),
    ("$and", [{"age": 25}, {"tags": ("$contains", "b")}]),
    {"age": ("$not", ("$eq", 25))},
    {"age": ("$not", ("$or", [("$eq", 25), ("$eq", 31)]))},
    {"missing": 1},
    {"missing": ("$ne", 1)},
    {"_id": ("$ne", "not-an-id")},
]


@pytest.mark.parametrize("select_filter", SAME_AS_STRICTO, ids=repr)
def test_filters_mean_what_they_mean_in_stricto(
    db: DBMongoConnector, people: dict[str, str], select_filter: Any
) -> None:
    stored = db.select(None)
    expected = sorted(document["name"] for document in stored if matches(document, select_filter))
    assert sorted(document["name"] for document in db.select(select_filter)) == expected


def test_a_filter_on_the_id(db: DBMongoConnector, people: dict[str, str]) -> None:
    assert [d["name"] for d in db.select({"_id": people["bob"]})] == ["bob"]
    assert len(db.select({"_id": ("$ne", people["bob"])})) == len(PEOPLE) - 1


# -- to_mongo_filter ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("select_filter", "query"),
    [
        (None, {}),
        ({}, {}),
        ({"name": "dave", "age": 25}, {"name": "dave", "age": 25}),
        ({"a": {"b": {"c": 1}}}, {"a.b.c": 1}),
        ({"age": ("$gt", 3)}, {"age": {"$gt": 3}}),
        ({"age": ("$ne", 3)}, {"age": {"$exists": True, "$ne": 3}}),
        ({"age": None}, {"age": {"$exists": True, "$eq": None}}),
        ({"name": ("$reg", "a|b")}, {"name": {"$regex": "^(?:a|b)"}}),
        ({"name": ("$re", "^d")}, {"name": {"$regex": "^(?:^d)"}}),
        ({"tags": ("$contains", "x")}, {"tags": {"$elemMatch": {"$eq": "x"}}}),
        ({"tags": ("$contains", {"k": 1})}, {"tags": {"$elemMatch": {"k": 1}}}),
        (
            {"age": ("$and", [("$gt", 1), ("$lt", 5)])},
            {"$and": [{"age": {"$gt": 1}}, {"age": {"$lt": 5}}]},
        ),
        (("$or", [{"a": 1}, {"b": 2}]), {"$or": [{"a": 1}, {"b": 2}]}),
        ({"a": ("$not", ("$eq", 1))}, {"$nor": [{"a": {"$eq": 1}}], "a": {"$exists": True}}),
        (
            {"a": ("$or", [("$eq", 1), ("$eq", 2)]), "b": ("$or", [("$eq", 3)])},
            {
                "$and": [
                    {"$or": [{"a": {"$eq": 1}}, {"a": {"$eq": 2}}]},
                    {"$or": [{"b": {"$eq": 3}}]},
                ]
            },
        ),
        ({"_id": "6b037f112e39d275bacbb1c5"}, {"_id": ObjectId("6b037f112e39d275bacbb1c5")}),
    ],
)
def test_to_mongo_filter(select_filter: Any, query: dict[str, Any]) -> None:
    assert to_mongo_filter(select_filter) == query


def test_a_native_query_passes_through_unchanged() -> None:
    native = {"age": {"$gt": 3}, "$or": [{"a": 1}, {"b": {"$in": [1, 2]}}]}
    assert to_mongo_filter(native) is native


@pytest.mark.parametrize(
    "select_filter",
    [
        {"age": ("$between", [1, 2])},
        {"name": ("$reg", 3)},
        {"name": ("$reg", "(unclosed")},
        {"age": ("$and", [])},
        {"age": ("$and", [1, 2])},
        {"age": ("$not", 3)},
        {"tags": ("$contains", ("$or", [("$eq", 1)]))},
        {"tags": ("$contains", ("$not", ("$eq", "a")))},
        ("$gt", 3),
        "text",
        {"a": ("$or", [{"$gt": 3}])},
    ],
    ids=repr,
)
def test_an_untranslatable_filter_is_a_dberror(select_filter: Any) -> None:
    with pytest.raises(DBError, match="Cannot translate the filter"):
        to_mongo_filter(select_filter)


# -- restriction --------------------------------------------------------------------------


def test_restriction_is_applied_to_every_query(people: dict[str, str]) -> None:
    calls = []

    def only_lyon() -> dict[str, Any]:
        calls.append(1)
        return {"address": {"city": "Lyon"}}  # a stricto filter, translated

    with mongo_connector(collection="restricted", restriction=only_lyon) as db:
        ids = {person["name"]: db.create(dict(person)) for person in PEOPLE}
        assert sorted(d["name"] for d in db.select(None)) == ["alice", "eve"]
        assert [d["name"] for d in db.select({"age": ("$lt", 30)})] == ["alice"]
        assert db.get_by_id(ids["eve"])["name"] == "eve"
        with pytest.raises(NotFoundError):
            db.get_by_id(ids["dave"])
        assert db.delete_by_id(ids["dave"]) is False
        db.save(ids["dave"], {"name": "dave", "address": {"city": "Lyon"}})  # not restricted
        assert db.get_by_id(ids["dave"])["name"] == "dave"
        assert len(calls) == 6  # evaluated for each query


def test_a_restriction_may_be_a_plain_filter() -> None:
    with mongo_connector(collection="restricted", restriction={"owner": {"$eq": "me"}}) as db:
        db.create({"owner": "me"})
        db.create({"owner": "you"})
        assert [d["owner"] for d in db.select(None)] == ["me"]


# -- errors -------------------------------------------------------------------------------


def _driver_error_classes() -> list[type[Exception]]:
    classes: list[type[Exception]] = []
    for module in (pymongo.errors, bson.errors):
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Exception) and value.__module__.startswith(("pymongo", "bson")):
                classes.append(value)
    return classes


@pytest.mark.parametrize("error_class", _driver_error_classes(), ids=lambda cls: cls.__name__)
def test_every_driver_error_is_mapped(error_class: type[Exception]) -> None:
    assert issubclass(error_class, MONGO_DRIVER_ERRORS)
    error = error_class.__new__(error_class)
    Exception.__init__(error, "driver failure")
    translated = pytest.raises(DBError, match=re.escape('error while "people.find()"'))
    with (
        translated as raised,
        _mongo_errors('Mongo connection error while "{0}.{1}()"', "people", "find"),
    ):
        raise error
    assert raised.value.__cause__ is error


@pytest.mark.parametrize("error_class", [TypeError, ValueError])
def test_argument_errors_of_the_driver_are_mapped(error_class: type[Exception]) -> None:
    with pytest.raises(DBError, match="while"), _mongo_errors("while {0}", "x"):
        raise error_class("bad argument")


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("drop", lambda db: db.drop()),
        ("insert_one", lambda db: db.create({"a": 1})),
        ("replace_one", lambda db: db.save(str(ObjectId()), {"a": 1})),
        ("find_one", lambda db: db.get_by_id(str(ObjectId()))),
        ("delete_one", lambda db: db.delete_by_id(str(ObjectId()))),
        ("find", lambda db: db.select(None)),
    ],
)
def test_operation_errors_name_the_operation(
    db: DBMongoConnector, monkeypatch: pytest.MonkeyPatch, operation: str, call: Any
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise pymongo.errors.AutoReconnect("connection lost")

    monkeypatch.setattr(db.collection, operation, fail)
    with pytest.raises(DBError, match=re.escape(f'Mongo connection error while "people.{operation}()"')):
        call(db)
    monkeypatch.undo()


# -- through backo ------------------------------------------------------------------------


@pytest.fixture
def bookstore() -> Iterator[Backoffice]:
    with mongo_connector(collection="books") as db:
        bo = Backoffice("bookstore")
        bo.register_collection(Collection("books", Item({"title": String(), "pages": Int()}), db))
        yield bo


def test_items_on_mongo(bookstore: Backoffice) -> None:
    books = bookstore.books
    dune = books.create({"title": "Dune", "pages": 412})
    _id = dune._id.get_value()
    assert ObjectId.is_valid(_id)
    assert books.get_by_id(_id).title == "Dune"
    dune.pages = 500
    dune.save()
    assert books.get_by_id(_id).pages == 500
    books.create({"title": "Emma", "pages": 300})
    assert [book.title.get_value() for book in books.select({"pages": ("$gt", 400)})] == ["Dune"]
    dune.delete()
    with pytest.raises(NotFoundError):
        books.get_by_id(_id)
    with pytest.raises(NotFoundError):
        books.get_by_id("not-an-object-id")


def test_rolling_back_a_delete_restores_the_item(bookstore: Backoffice) -> None:
    dune = bookstore.books.create({"title": "Dune", "pages": 412})
    _id = dune._id.get_value()
    transaction_id = bookstore.start_transaction()
    dune.delete(transaction_id=transaction_id)
    bookstore.rollback_transaction(transaction_id)
    assert bookstore.books.get_by_id(_id).title == "Dune"


def test_http_get_of_a_malformed_id_is_a_404(bookstore: Backoffice) -> None:
    app = Flask(__name__)
    bookstore.build_routes(app)
    client = app.test_client()
    response = client.get("/bookstore/books/not-an-object-id")
    assert response.status_code == 404
    assert response.text == 'Exception("Mongo connection error while "books.find_one()"")'
    assert client.delete("/bookstore/books/not-an-object-id").status_code == 404


def test_the_tests_know_where_they_run() -> None:
    """mongomock unless BACKO_TEST_MONGO_URL names a server."""
    with mongo_connector() as db:
        expected = pymongo.MongoClient if real_mongo_url() else mongomock.MongoClient
        assert isinstance(db.client, expected)
