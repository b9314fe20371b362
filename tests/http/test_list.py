"""GET /{c}: the query-string filter grammar operator by operator, and pagination edges."""

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.support.stores import StoreFactory

from .conftest import PEOPLE, make_backoffice, serve

BASE = "/myApp/users"


@pytest.fixture
def listing(store_factory: StoreFactory) -> FlaskClient:
    """The three PEOPLE stored on the memory store, then on YAML files."""
    backoffice = make_backoffice(store_factory)
    for person in PEOPLE:
        backoffice.users.create(person)
    return serve(backoffice)


def names(client: FlaskClient, query: object) -> set[str]:
    response = client.get(BASE, query_string=query)
    assert response.status_code == 200, response.text
    return {item["name"] for item in response.json["result"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "bob"}, {"bob"}),  # $eq through plain equality
        ({"age": "30"}, {"bob"}),  # values are coerced: "30" -> 30
        ({"score": "3"}, {"alice"}),  # 3 == 3.0
        ({"name.$eq": "bob"}, {"bob"}),
        ({"name.$ne": "bob"}, {"alice", "carol"}),
        ({"age.$gt": "25"}, {"bob", "carol"}),
        ({"age.$gte": "30"}, {"bob", "carol"}),
        ({"age.$lt": "30"}, {"alice"}),
        ({"age.$lte": "30"}, {"alice", "bob"}),
        ({"score.$gt": "4.6"}, {"carol"}),
        ({"name.$reg": "^[ab]"}, {"alice", "bob"}),
        ({"name.$reg": "ob"}, set()),  # re.match: anchored at the start
        ({"name.$re": "ca"}, {"carol"}),  # the README's spelling of $reg
        ({"tags.$contains": "t2"}, {"alice", "bob"}),
        ({"addr.city": "c0"}, {"alice", "carol"}),  # nested field
        ({"addr.zip.$lt": "2"}, {"alice"}),  # nested field with an operator
        ({"addr.city": "c0", "age.$gt": "25"}, {"carol"}),  # conditions combine
        ({"zz": "1"}, set()),  # unknown field: no match
        ({"age.$nope": "1"}, set()),  # unknown operator: no match
        ({"active": "true"}, set()),  # booleans cannot be matched from a query string
        ({}, {"alice", "bob", "carol"}),
        ({"_view": "short", "_unknown": "x"}, {"alice", "bob", "carol"}),  # "_" keys are parameters
    ],
)
def test_filter_grammar(listing: FlaskClient, query: dict[str, str], expected: set[str]) -> None:
    assert names(listing, query) == expected


def test_repeated_keys(listing: FlaskClient) -> None:
    assert names(listing, MultiDict([("age", "$gt"), ("age", "25")])) == {"bob", "carol"}
    assert names(listing, MultiDict([("tags", "t1"), ("tags", "t2")])) == {"alice"}  # whole-list equality
    assert names(listing, "age.%24gt=1&age.%24lt=25") == {"alice"}  # same field twice: the last wins


def page(client: FlaskClient, query: str) -> dict:
    response = client.get(f"{BASE}?{query}")
    assert response.status_code == 200, response.text
    return response.json


def test_pagination(listing: FlaskClient) -> None:
    assert len(page(listing, "")["result"]) == 3
    assert page(listing, "_page=0") | {"result": None} == {"result": None, "total": 3, "_skip": 0, "_page": 0}
    first, second = page(listing, "_page=2"), page(listing, "_page=2&_skip=2")
    assert (len(first["result"]), len(second["result"]), first["total"], second["total"]) == (2, 1, 3, 3)
    seen = [item["_id"] for item in first["result"] + second["result"]]
    assert len(set(seen)) == 3
    beyond = page(listing, "_skip=10")
    assert (beyond["result"], beyond["total"], beyond["_skip"]) == ([], 3, 10)
    assert page(listing, "_page=1&age.$gt=25")["total"] == 2


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("_page=-1", "_page"),
        ("_page=abc", "_page"),
        ("_page=", "_page"),
        ("_page=1.5", "_page"),
        ("_skip=-3", "_skip"),
        ("_skip=x", "_skip"),
    ],
)
def test_bad_pagination_is_400_naming_the_parameter(listing: FlaskClient, query: str, parameter: str) -> None:
    response = listing.get(f"{BASE}?{query}")
    assert response.status_code == 400
    assert f'"{parameter}"' in response.text
