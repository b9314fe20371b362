"""COMPAT-FIXES 8: a malformed ObjectId is 0.2.1's DBError (same text), and a NotFoundError (HTTP 404).

Plus the test fixture point of the same issue: a test that closes its connector must not
break the fixture's cleanup on a real MongoDB server (real pymongo refuses a closed client).
"""

from collections.abc import Iterator
from typing import Any

import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient

from backo import Action, Backoffice, Collection, Item, String
from backo.error import DBError, InvalidObjectIdError, NotFoundError
from backo.storage.db import DBMongoConnector
from tests.support.backends import drop_even_if_closed, mongo_connector


@pytest.fixture
def orders() -> Iterator[DBMongoConnector]:
    with mongo_connector(collection="Orders") as connector:
        yield connector


def test_the_error_class_is_both() -> None:
    assert issubclass(InvalidObjectIdError, DBError) and issubclass(InvalidObjectIdError, NotFoundError)
    error = InvalidObjectIdError('Mongo connection error while "{0}.{1}()"', "Orders", "find_one")
    assert str(error) == repr(error) == 'Exception("Mongo connection error while "Orders.find_one()"")'


@pytest.mark.parametrize("malformed", ["abc", "not-an-object-id", "5f0c", 7])
def test_get_and_delete_of_a_malformed_id(orders: DBMongoConnector, malformed: Any) -> None:
    orders.create({"item": "pen"})
    try:
        orders.get_by_id(malformed)
    except DBError as error:  # what 0.2.1 code catches
        assert error.to_string() == 'Mongo connection error while "Orders.find_one()"'
        assert isinstance(error, NotFoundError)
    else:
        pytest.fail("no error")
    with pytest.raises(InvalidObjectIdError) as raised:
        orders.delete_by_id(malformed)
    assert raised.value.to_string() == 'Mongo connection error while "Orders.delete_one()"'
    assert len(orders.select(None)) == 1  # nothing deleted


def test_a_valid_unknown_object_id_is_still_a_plain_not_found(orders: DBMongoConnector) -> None:
    unknown = str(ObjectId())
    with pytest.raises(NotFoundError) as raised:
        orders.get_by_id(unknown)
    assert not isinstance(raised.value, DBError)
    assert raised.value.to_string() == f'_id "{unknown}" not found in collection "Orders"'
    assert orders.delete_by_id(unknown) is False


@pytest.fixture
def shop(orders: DBMongoConnector) -> FlaskClient:
    backoffice = Backoffice("shop")
    backoffice.register_collection(Collection("orders", Item({"item": String()}), orders))
    backoffice.orders.register_action("touch", Action({}, lambda action, order: None))
    app = Flask(__name__)
    backoffice.build_routes(app)
    return app.test_client()


def test_http_answers_404_with_0_2_1_text(shop: FlaskClient) -> None:
    expected = 'Exception("Mongo connection error while "Orders.find_one()"")'
    for response in (
        shop.get("/shop/orders/abc"),
        shop.delete("/shop/orders/abc"),
        shop.put("/shop/orders/abc", json={"item": "x"}),
        shop.post("/shop/orders/_actions/touch/abc", json={}),
    ):
        assert (response.status_code, response.text) == (404, expected)


def test_python_get_by_id_through_a_collection(orders: DBMongoConnector) -> None:
    backoffice = Backoffice("shop")
    backoffice.register_collection(Collection("orders", Item({"item": String()}), orders))
    with pytest.raises(DBError, match=r"Orders\.find_one\(\)"):
        backoffice.orders.get_by_id("abc")


# -- the fixture on a real server -------------------------------------------------------


def test_a_test_may_close_its_connector() -> None:
    """Under BACKO_TEST_MONGO_URL the cleanup then goes through a new client."""
    with mongo_connector() as connector:
        connector.create({"item": "pen"})
        connector.close()


class _Cleaner:
    calls: list[str] = []

    def drop(self) -> None:
        self.calls.append("drop")

    def close(self) -> None:
        self.calls.append("close")


def test_cleanup_of_a_connector_closed_on_real_pymongo() -> None:
    # real pymongo (no server is contacted): a closed client refuses drop() at once
    closed = DBMongoConnector(
        connection_string="mongodb://127.0.0.1:9/shop", collection="Orders", serverSelectionTimeoutMS=200
    )
    closed.close()
    with pytest.raises(DBError, match=r"Orders\.drop\(\)"):
        closed.drop()
    _Cleaner.calls = []
    drop_even_if_closed(closed, _Cleaner)  # type: ignore[arg-type]
    assert _Cleaner.calls == ["drop", "close"]
