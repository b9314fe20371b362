"""A filtered list on a filter the store answers exactly is one ``select_page`` call.

The connector is wrapped (``CountingConnector``) to count its calls; every answer is
compared with the Python path's on the same store (the wrapper then answers no filter
exactly). Also: the count strategies (``Collection(..., count=...)``) and declared indexes.
"""

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from flask import Flask
from stricto import Dict, Float, Int, SSyntaxError, String

from backo import Backoffice, Collection, DBConnector, DBMemoryConnector, Item, Selection
from backo.core.collection import ALL_SELECTION
from backo.error import PathNotFoundError
from backo.http.responses import to_json
from tests.support.pushdown import PUSHDOWN_STORES, CountingConnector, StoreContext

STORES = [pytest.param(store, id=name) for name, store in PUSHDOWN_STORES]


def product_model(**extra: Any) -> Item:
    return Item(
        {
            "category": String(),
            "price": Int(),
            "weight": Float(),
            "stock": Int(default=0),
            "label": String(**extra),
            "size": Dict({"unit": String()}),
        }
    )


def products(connector: DBConnector, count: str = "exact", **options: Any) -> Collection:
    backoffice = Backoffice("shop")
    collection = Collection(
        "products", options.pop("model", None) or product_model(), connector, count=count, **options
    )
    backoffice.register_collection(collection)
    for index in range(40):
        connector.create(
            {
                "_id": connector.generate_id(None),
                "category": f"c{index % 10}",
                "price": index,
                "weight": index / 2,
                "stock": index % 3,
                "label": f"item {index}",
                "size": {"unit": "kg" if index % 2 else "g"},
            }
        )
    return collection


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Iterator[DBConnector]:
    factory: StoreContext = request.param
    with factory() as connector:
        yield connector


def run(collection: Collection, match_filter: Any, page_size: int = 2, skip: int = 1) -> dict:
    selection = collection.selections[ALL_SELECTION]
    return selection.select(match_filter, page_size, skip, for_client=True)


def python_answer(collection: Collection, match_filter: Any, page_size: int = 2, skip: int = 1) -> dict:
    connector = collection.db_handler
    assert isinstance(connector, CountingConnector)
    connector.exact = False
    try:
        return run(collection, match_filter, page_size, skip)
    finally:
        connector.exact = True


@pytest.mark.timeout(60)
def test_a_pushable_filter_is_one_select_page_call(store: DBConnector) -> None:
    connector = CountingConnector(store)
    collection = products(connector)
    connector.calls.clear()
    answer = run(collection, {"category": "c3"})
    assert connector.reads() == ["select_page"]
    assert answer["total"] == 4 and len(answer["result"]) == 2
    assert all(row["category"] == "c3" for row in answer["result"])
    assert to_json(answer) == to_json(python_answer(collection, {"category": "c3"}))


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "match_filter",
    [
        {"category": ("$gte", "c5"), "label": ("$lt", "item 3")},
        {"category": ("$and", [("$gt", "c1"), ("$lte", "c4")])},
        {"category": ("$eq", "c1"), "label": ("$gt", "item 2")},
    ],
)
def test_string_filters_go_down_on_every_store(store: DBConnector, match_filter: dict) -> None:
    connector = CountingConnector(store)
    collection = products(connector)
    connector.calls.clear()
    answer = run(collection, match_filter, page_size=3, skip=0)
    assert connector.reads() == ["select_page"]
    assert answer["total"] > 0
    assert to_json(answer) == to_json(python_answer(collection, match_filter, page_size=3, skip=0))


@pytest.mark.timeout(60)
def test_numbers_and_nested_fields_go_down_on_the_embedded_stores() -> None:
    for match_filter in (
        {"price": ("$gt", 30)},
        {"weight": 2},
        {"size": {"unit": "kg"}},
        {"label": ("$reg", "item 1")},
    ):
        connector = CountingConnector(DBMemoryConnector())
        collection = products(connector)
        connector.calls.clear()
        answer = run(collection, match_filter)
        assert connector.reads() == ["select_page"], match_filter
        assert to_json(answer) == to_json(python_answer(collection, match_filter))


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "match_filter",
    [
        {"stock": 0},  # a field with a default: stricto sees 0 where nothing is stored
        {"category": ("$ne", "c1")},  # matches a missing field in stricto, not in the store
        {"category": None},
        ("$or", [{"category": "c1"}, {"category": "c2"}]),  # stricto's $or differs
        {"category": ("$re", "c1")},  # stricto knows no $re
    ],
)
def test_a_filter_that_is_not_pushable_is_matched_in_python(store: DBConnector, match_filter: Any) -> None:
    connector = CountingConnector(store)
    collection = products(connector)
    connector.create({"_id": connector.generate_id(None), "price": 99})  # no category, no stock
    selection = collection.selections[ALL_SELECTION]
    if isinstance(match_filter, tuple):
        selection = Selection(filter=match_filter)
        collection.register_selection("tuple", selection)
    connector.calls.clear()
    answer = selection.select(None if isinstance(match_filter, tuple) else match_filter, 3, 0, for_client=True)
    assert "select_for_reading" in connector.reads() and "select_page" not in connector.reads()
    items = [
        collection.item_from_document(document, validate=False) for document in store.select(None, {}, 0, 0, {"_id": 1})
    ]
    expected = [item._id.get_value() for item in items if item.match(match_filter)]
    assert answer["total"] == len(expected)
    assert [row["_id"] for row in answer["result"]] == expected[:3]


@pytest.mark.timeout(60)
def test_a_computed_field_or_a_read_right_function_keeps_the_python_path() -> None:
    computed = product_model(compute=lambda root: f"{root.category}!")
    for options in ({"model": computed}, {"can_read": lambda right, item: True}):
        connector = CountingConnector(DBMemoryConnector())
        collection = products(connector, **options)
        connector.calls.clear()
        answer = run(collection, {"category": "c3"})
        assert "select_page" not in connector.reads()
        assert answer["total"] == 4


@pytest.mark.timeout(60)
def test_mongo_keeps_numbers_in_python() -> None:
    name, factory = next(entry for entry in PUSHDOWN_STORES if entry[0] == "mongomock")
    with factory() as store:
        connector = CountingConnector(store)
        collection = products(connector)
        connector.calls.clear()
        answer = run(collection, {"price": ("$gt", 30)})
        assert "select_for_reading" in connector.reads()
        assert answer["total"] == 9


# --- counts ---------------------------------------------------------------------------


def test_an_exact_count_adds_no_key() -> None:
    collection = products(DBMemoryConnector())
    answer = run(collection, None)
    assert set(answer) == {"result", "total", "_skip", "_page"} and answer["total"] == 40


@pytest.mark.timeout(60)
def test_count_none_runs_no_count(store: DBConnector) -> None:
    connector = CountingConnector(store)
    collection = products(connector, count="none")
    for match_filter in (None, {"category": "c3"}, {"stock": 1}):
        collection.count_strategy = "none"
        connector.calls.clear()
        answer = run(collection, match_filter)
        assert answer["total"] is None and answer["_count"] == "none"
        assert "count" not in str(connector.calls)
        collection.count_strategy = "exact"
        exact = run(collection, match_filter)
        assert answer["result"] == exact["result"] and exact["total"] > 0


@pytest.mark.timeout(60)
def test_count_estimated_on_mongo_takes_the_estimate_when_unfiltered() -> None:
    name, factory = next(entry for entry in PUSHDOWN_STORES if entry[0] == "mongomock")
    with factory() as store:
        connector = CountingConnector(store)
        collection = products(connector, count="estimated")
        connector.calls.clear()
        with mock.patch.object(store, "select_page", wraps=store.select_page) as select_page:
            answer = run(collection, None)
        assert answer["_count"] == "estimated" and answer["total"] == 40
        assert select_page.call_args.kwargs == {"count": False}  # MongoDB runs no count_documents
        assert connector.reads() == ["estimated_count", "select_page"]
        filtered = run(collection, {"category": "c3"})
        assert "_count" not in filtered and filtered["total"] == 4


def test_count_estimated_without_an_estimate_counts_exactly() -> None:
    answer = run(products(DBMemoryConnector(), count="estimated"), None)
    assert "_count" not in answer and answer["total"] == 40


def test_an_unknown_count_strategy_is_refused() -> None:
    with pytest.raises(SSyntaxError, match="count must be"):
        Collection("c", product_model(), DBMemoryConnector(), count="approximately")


# --- indexes --------------------------------------------------------------------------


def test_indexes_are_checked_against_the_model() -> None:
    collection = Collection("c", product_model(), DBMemoryConnector(), indexes=["category", "-price", "size.unit"])
    assert collection.indexes == ["category", "-price", "size.unit"]
    with pytest.raises(PathNotFoundError, match='index "-colour" names no field'):
        Collection("c", product_model(), DBMemoryConnector(), indexes=["-colour"])
    with pytest.raises(PathNotFoundError):
        Collection("c", product_model(), DBMemoryConnector(), indexes=["size.weight"])
    with pytest.raises(SSyntaxError):
        Collection("c", product_model(), DBMemoryConnector(), indexes=[3])


@pytest.mark.timeout(60)
def test_mongo_creates_the_declared_indexes() -> None:
    name, factory = next(entry for entry in PUSHDOWN_STORES if entry[0] == "mongomock")
    with factory() as store:
        Collection("c", product_model(), store, indexes=["category", "-price"])
        Collection("c", product_model(), store, indexes=["category", "-price"])  # again: nothing new
        names = set(store.collection.index_information())  # type: ignore[attr-defined]
        assert {"category_1", "price_-1"} <= names


@pytest.mark.timeout(60)
def test_the_list_route_on_a_pushable_filter_is_one_select_page_call(store: DBConnector) -> None:
    connector = CountingConnector(store)
    collection = products(connector)
    app = Flask(__name__)
    assert collection.backoffice is not None
    collection.backoffice.build_routes(app)  # type: ignore[attr-defined]
    connector.calls.clear()
    response = app.test_client().get("/shop/products?category=c3&_page=2&_skip=2")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert connector.reads() == ["select_page"]
    body = response.get_json()
    assert body["total"] == 4 and [row["category"] for row in body["result"]] == ["c3", "c3"]
