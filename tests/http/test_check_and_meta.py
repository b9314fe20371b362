"""POST {c}/_check, POST {c}/_meta and GET /_meta (BEHAVIOR.md 10.9, 10.12, 10.13)."""

import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from backo import Backoffice, Collection, Datetime, DBMemoryConnector, Int, Item, String

from .conftest import serve

BASE = "/myApp/users"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"item": {"name": "John", "surname": 32}, "path": "$.surname"}, '$.surname: Must be a string (value="32")'),
        ({"item": {"name": "John", "surname": "Johnny"}, "path": "$.surname"}, None),
        ({"item": {"surname": "Johnny"}, "path": "$.surname"}, '$.name: Cannot be empty "None"'),  # whole object
        ({"item": {"name": "J"}}, None),  # path defaults to "$"
        ({"item": {"name": "J", "addr": {"zip": "x"}}, "path": "$.addr.zip"}, '$.addr.zip: Must be a int ("x")'),
    ],
)
def test_check_always_answers_200(client: FlaskClient, body: dict[str, Any], error: str | None) -> None:
    response = client.post(f"{BASE}/_check", json=body)
    assert response.status_code == 200
    assert response.json == {"error": error}


@pytest.mark.parametrize("path", ["$.zzz", "zzz", "$.name.deeper[", "$.tags[3]"])
def test_check_unknown_path_is_400(client: FlaskClient, path: str) -> None:
    response = client.post(f"{BASE}/_check", json={"item": {"name": "x"}, "path": path})
    assert response.status_code == 400
    assert response.text == f'Exception("Path "{path}" not found in collection "users"")'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"path": 12}, 'TypeError("$.path: Must be a string (value="12")")'),
        ({"extra": 1}, 'AttributeError("$: Dict object has no attribute "extra"")'),
        ([1], 'TypeError("$: Must be a dict (value="[1]")")'),
        ({"item": {"zz": 1}}, 'AttributeError("$: Dict object has no attribute "zz"")'),
    ],
)
def test_check_bad_bodies_are_400(client: FlaskClient, body: Any, message: str) -> None:
    response = client.post(f"{BASE}/_check", json=body)
    assert (response.status_code, response.text) == (400, message)


def test_current_meta_evaluates_rights_for_the_given_values() -> None:
    def only_for_hector(right_name: str, item: Any) -> bool:
        return item.name == "Hector"

    backoffice = Backoffice("myApp")
    model = Item({"name": String(), "salary": Int(default=0, can_read=only_for_hector, can_modify=only_for_hector)})
    backoffice.register_collection(Collection("users", model, DBMemoryConnector()))
    client = serve(backoffice)
    john = client.post(f"{BASE}/_meta", json={"name": "John"})
    assert john.status_code == 200
    assert john.json["sub_scheme"]["salary"]["rights"] == {"read": False, "modify": False}
    assert john.json["sub_scheme"]["name"]["rights"] == {"read": True, "modify": True}
    hector = client.post(f"{BASE}/_meta", json={"name": "Hector"}).json
    assert hector["sub_scheme"]["salary"]["rights"] == {"read": True, "modify": True}
    assert "types" in hector and "sub_scheme" in hector and "name" not in hector  # the item node itself


def test_current_meta_errors(client: FlaskClient) -> None:
    unknown = client.post(f"{BASE}/_meta", json={"zz": 1})
    assert (unknown.status_code, unknown.text) == (400, 'AttributeError("$: Dict object has no attribute "zz"")')
    assert client.post(f"{BASE}/_meta", json=[1]).status_code == 400


def test_application_meta(client: FlaskClient, bo: Backoffice) -> None:
    response = client.get("/myApp/_meta")
    assert response.status_code == 200 and response.content_type == "application/json"
    assert response.json["name"] == "myApp"
    users = response.json["collections"][0]
    assert users["name"] == "users"
    assert users["rights"] == {"read": True, "create": True, "delete": True, "modify": True}
    assert users["selections"][0]["name"] == "_all"


def test_application_meta_encodes_datetime_defaults() -> None:
    backoffice = Backoffice("myApp")
    model = Item({"when": Datetime(default=datetime.datetime(2020, 1, 2, 3, 4, 5))})
    backoffice.register_collection(Collection("events", model, DBMemoryConnector()))
    response = serve(backoffice).get("/myApp/_meta")
    assert response.status_code == 200
    assert response.json["collections"][0]["item"]["sub_scheme"]["when"]["default"] == "2020-01-02T03:04:05"
