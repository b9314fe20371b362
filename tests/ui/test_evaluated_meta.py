"""``GET {base}/_meta?_rights=evaluated``: rights given as functions, evaluated for the user (and an Item)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from backo import current_user

from .library import LIBRARIAN_TOKEN, READER_TOKEN, library_app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    current_user.standalone = False
    yield library_app(tmp_path / "files").test_client()
    current_user.standalone = True


def meta(client: FlaskClient, token: str | None, query: str = "_rights=evaluated") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/library/_meta?{query}", headers=headers)


def collection(answer: Any, name: str) -> dict:
    return next(c for c in answer.json["collections"] if c["name"] == name)


def test_the_default_meta_is_unchanged(client: FlaskClient) -> None:
    books = collection(meta(client, None, ""), "books")  # not behind jwt_auth, as in 0.2.1
    assert books["rights"] == {"read": True, "create": True, "delete": "Callable", "modify": True}
    assert books["item"]["sub_scheme"]["shelf_note"]["rights"] == {"read": "Callable", "modify": None}
    assert books["actions"][0]["rights"]["execute"] == "Callable"
    assert "on_delete" not in collection(meta(client, None, ""), "authors")["item"]["sub_scheme"]["books"]


def test_rights_are_evaluated_for_the_current_user(client: FlaskClient) -> None:
    reader, librarian = meta(client, READER_TOKEN), meta(client, LIBRARIAN_TOKEN)
    assert collection(reader, "books")["rights"] == {"read": True, "create": True, "delete": False, "modify": True}
    assert collection(librarian, "books")["rights"]["delete"] is True
    assert collection(reader, "authors")["rights"]["create"] is False
    fields = collection(reader, "books")["item"]["sub_scheme"]
    assert fields["shelf_note"]["rights"] == {"read": False, "modify": True}
    assert fields["price"]["rights"] == {"read": True, "modify": False}
    assert fields["_id"]["rights"]["modify"] is False
    assert collection(reader, "books")["actions"][0]["rights"]["execute"] is False
    assert collection(librarian, "books")["actions"][0]["rights"]["execute"] is True
    assert collection(reader, "authors")["item"]["sub_scheme"]["books"]["on_delete"] == "MUST_BE_EMPTY"


def test_the_evaluated_form_runs_jwt_auth_first(client: FlaskClient) -> None:
    answer = meta(client, None)
    assert (answer.status_code, answer.json) == (401, {"message": "Token is missing or invalid"})


def test_rights_are_evaluated_on_one_stored_item(client: FlaskClient) -> None:
    headers = {"Authorization": f"Bearer {LIBRARIAN_TOKEN}"}
    author = client.post("/library/authors", json={"name": "Frank Herbert"}, headers=headers).json["_id"]
    book = client.post("/library/books", json={"title": "Dune", "author": author}, headers=headers).json["_id"]
    one = meta(client, READER_TOKEN, f"_rights=evaluated&_collection=books&_id={book}")
    assert one.status_code == 200
    assert [c["name"] for c in one.json["collections"]] == ["books"]
    assert collection(one, "books")["rights"]["delete"] is False
    missing = meta(client, READER_TOKEN, "_rights=evaluated&_collection=books&_id=nope")
    assert missing.status_code == 404


@pytest.mark.parametrize("query", ["_rights=yes", "_rights=evaluated&_collection=books", "_rights=evaluated&_id=1"])
def test_bad_parameters_are_a_400(client: FlaskClient, query: str) -> None:
    assert meta(client, READER_TOKEN, query).status_code == 400


def test_an_unknown_collection_is_a_404(client: FlaskClient) -> None:
    assert meta(client, READER_TOKEN, "_rights=evaluated&_collection=nope&_id=1").status_code == 404
