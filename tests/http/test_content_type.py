"""Request bodies: the content-type guard (415), JSON parsing (400) and multipart forms."""

import io
from typing import Any

import pytest
from backo.api_toolbox import request_to_object
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage

from backo import Action, Backoffice

from .conftest import create

BASE = "/myApp/users"
BODY_ROUTES = [
    ("POST", BASE),
    ("PUT", f"{BASE}/{{id}}"),
    ("PATCH", f"{BASE}/{{id}}"),
    ("POST", f"{BASE}/_check"),
    ("POST", f"{BASE}/_meta"),
    ("POST", f"{BASE}/_actions/known/{{id}}"),
    ("POST", f"{BASE}/_selections/_all"),
]


@pytest.fixture
def user_id(bo: Backoffice, client: FlaskClient) -> str:
    """A stored user, and a "known" action to run on it."""
    bo.users.register_action("known", Action({}, lambda action, user: None))
    return create(client, {"name": "n"})["_id"]


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/xml"},
        {"Content-Type": "application/x-www-form-urlencoded"},
    ],
)
def test_bodies_that_are_not_json_nor_multipart_are_415(
    client: FlaskClient, user_id: str, method: str, path: str, headers: dict[str, str]
) -> None:
    response = client.open(path.replace("{id}", user_id), method=method, data='{"name": "x"}', headers=headers)
    assert (response.status_code, response.text) == (415, "Unsuported Media Type")


def test_json_with_a_charset_is_accepted(client: FlaskClient) -> None:
    response = client.post(
        BASE, data='{"name": "é"}'.encode(), headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 200 and response.json["name"] == "é"


@pytest.mark.parametrize("data", ["{bad json", "", "[1,", "\xff"])
@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_malformed_json_is_400(client: FlaskClient, user_id: str, method: str, path: str, data: str) -> None:
    response = client.open(path.replace("{id}", user_id), method=method, data=data, content_type="application/json")
    assert response.status_code == 400
    assert response.text.startswith("The body is not valid JSON")


def test_delete_needs_no_content_type(client: FlaskClient, user_id: str) -> None:
    assert client.delete(f"{BASE}/{user_id}", data="whatever").status_code == 200


def test_multipart_json_part_form_fields_and_files(client: FlaskClient) -> None:
    data = {
        "_json": '{"name": "n", "addr": {"zip": 1}}',
        "surname": "from the form",
        "addr.city": "nested",
        "_private": "ignored",
    }
    response = client.post(BASE, data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.text
    body = response.json
    assert (body["name"], body["surname"], body["addr"]) == ("n", "from the form", {"city": "nested", "zip": 1})


def test_multipart_without_json_part(client: FlaskClient) -> None:
    response = client.post(BASE, data={"name": "only form"}, content_type="multipart/form-data")
    assert response.status_code == 200 and response.json["name"] == "only form"


@pytest.mark.parametrize("json_part", ["{bad", "[1]"])
def test_bad_multipart_json_part_is_400(client: FlaskClient, json_part: str) -> None:
    response = client.post(BASE, data={"_json": json_part}, content_type="multipart/form-data")
    assert response.status_code == 400 and '"_json"' in response.text


def test_request_to_object_puts_files_at_their_path() -> None:
    app = Flask(__name__)
    data = {"_json": '{"a": 1}', "doc.file": (io.BytesIO(b"hello"), "h.txt"), "x": "1"}
    with app.test_request_context("/", method="POST", data=data, content_type="multipart/form-data"):
        from flask import request

        obj: Any = request_to_object(request)
    assert obj["a"] == 1 and obj["x"] == "1"  # form values stay strings
    assert isinstance(obj["doc"]["file"], FileStorage) and obj["doc"]["file"].filename == "h.txt"


def test_request_to_object_of_other_content_types_is_none() -> None:
    app = Flask(__name__)
    with app.test_request_context("/", method="POST", data="x", content_type="text/plain"):
        from flask import request

        assert request_to_object(request) is None
