"""Mass assignment on create (issue 14, point 1): a create may not set what a save may not.

0.2.1 created Items with their permissions disabled, so ``POST {"role": "admin"}`` wrote a
field guarded by ``can_modify``. A value for a field the current user may not modify is now
refused as a PUT refuses it (403, the same message), unless it is the field's default; the
rights functions see the Item being created. Checked on a plain model (the fast path of
:mod:`backo.core.plain_model`) and on one that is not, over HTTP and through the Python API.
"""

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from backo import Backoffice, Collection, DBMemoryConnector, Dict, Item, List, SRightError, String, current_user
from backo.core.collection import BaseCollection

ADMIN = {"_id": "1", "login": "alice", "roles": ["ADMIN"]}
PLAIN_USER = {"_id": "2", "login": "bob", "roles": []}
USERS = {"1": ADMIN, "2": PLAIN_USER}


def is_admin(right_name: str, o: Any) -> bool:
    """The documented signature ``f(right_name, item)``."""
    return current_user.has_role("ADMIN")


#: The rights that refuse the plain user: False, and functions of each documented form.
REFUSING: dict[str, Any] = {
    "False": False,
    "def f(right_name, o)": is_admin,
    "lambda right_name, o": lambda right_name, o: current_user.has_role("ADMIN"),
    "lambda *args": lambda *args: current_user.has_role("ADMIN"),
}


def docs_model(right: Any, plain: bool) -> Item:
    """``role`` guarded by ``right``; ``plain=False`` adds a List, which the fast path does not take."""
    schema: dict[str, Any] = {
        "public": String(),
        "role": String(can_modify=right, default="user"),
        "sub": Dict({"x": String(can_modify=right), "y": String()}),
    }
    if not plain:
        schema["tags"] = List(String(), can_modify=right)
    return Item(schema)


def auth() -> None:
    """A ``jwt_auth`` stand-in: the ``X-User`` header names the user (the plain user by default)."""
    current_user.set(USERS[request.headers.get("X-User", "2")])


def serve(right: Any, plain: bool) -> tuple[FlaskClient, BaseCollection]:
    backoffice = Backoffice("app")
    collection = Collection("docs", docs_model(right, plain), DBMemoryConnector())
    backoffice.register_collection(collection)
    assert (collection.plain_model() is not None) is plain
    app = Flask(__name__)
    backoffice.build_routes(app, "", auth)
    return app.test_client(), collection


def stored(collection: BaseCollection) -> list[dict]:
    return collection.db_handler.select(None)


FORBIDDEN = 'RightsError("$.role: cannot modify value")'


@pytest.fixture(params=[True, False], ids=["plain model", "model with a List"])
def plain(request: pytest.FixtureRequest) -> bool:
    return request.param


@pytest.mark.parametrize("right", REFUSING.values(), ids=REFUSING.keys())
def test_a_create_is_refused_as_a_put_is(right: Any, plain: bool) -> None:
    client, collection = serve(right, plain)
    created = client.post("/app/docs", json={"public": "n"})
    assert created.status_code == 200 and created.json["role"] == "user"
    put = client.put(f"/app/docs/{created.json['_id']}", json={"role": "admin"})
    assert (put.status_code, put.get_data(as_text=True)) == (403, FORBIDDEN)
    before = stored(collection)
    post = client.post("/app/docs", json={"public": "n", "role": "admin"})
    assert (post.status_code, post.get_data(as_text=True)) == (put.status_code, put.get_data(as_text=True))
    assert stored(collection) == before, "nothing is written"


@pytest.mark.parametrize("right", REFUSING.values(), ids=REFUSING.keys())
def test_the_default_value_or_no_value_is_accepted(right: Any, plain: bool) -> None:
    client, collection = serve(right, plain)
    for body in ({"public": "n", "role": "user"}, {"public": "n"}, {"sub": {"y": "free", "x": None}}):
        answer = client.post("/app/docs", json=body)
        assert answer.status_code == 200, body
        assert collection.db_handler.get_by_id(answer.json["_id"])["role"] == "user"


@pytest.mark.parametrize("right", REFUSING.values(), ids=REFUSING.keys())
def test_emptying_a_field_with_a_default_is_a_change(right: Any, plain: bool) -> None:
    client, _ = serve(right, plain)
    answer = client.post("/app/docs", json={"role": None})
    assert (answer.status_code, answer.get_data(as_text=True)) == (403, FORBIDDEN)


@pytest.mark.parametrize(("right", "admin_may"), [(False, False), (is_admin, True)], ids=["False", "function"])
def test_who_may_modify_may_create_with_the_value(right: Any, admin_may: bool, plain: bool) -> None:
    client, collection = serve(right, plain)
    answer = client.post("/app/docs", json={"role": "admin", "sub": {"x": "a"}}, headers={"X-User": "1"})
    if admin_may:
        assert answer.status_code == 200
        document = collection.db_handler.get_by_id(answer.json["_id"])
        assert (document["role"], document["sub"]["x"]) == ("admin", "a")
    else:
        assert (answer.status_code, answer.get_data(as_text=True)) == (403, FORBIDDEN)


@pytest.mark.parametrize("right", REFUSING.values(), ids=REFUSING.keys())
def test_a_nested_field_counts(right: Any, plain: bool) -> None:
    client, collection = serve(right, plain)
    answer = client.post("/app/docs", json={"sub": {"x": "a", "y": "b"}})
    assert (answer.status_code, answer.get_data(as_text=True)) == (403, 'RightsError("$.sub.x: cannot modify value")')
    assert stored(collection) == []


def test_a_dict_that_may_not_be_modified_guards_its_fields(plain: bool) -> None:
    schema = {"sub": Dict({"x": String(), "y": String(default="d")}, can_modify=False), "free": String()}
    if not plain:
        schema["tags"] = List(String())
    backoffice = Backoffice("app")
    collection = Collection("docs", Item(schema), DBMemoryConnector())
    backoffice.register_collection(collection)
    app = Flask(__name__)
    backoffice.build_routes(app, "")
    client = app.test_client()
    refused = client.post("/app/docs", json={"sub": {"x": "a"}})
    assert (refused.status_code, refused.get_data(as_text=True)) == (403, 'RightsError("$.sub.x: cannot modify value")')
    assert client.post("/app/docs", json={"sub": {"y": "d"}, "free": "f"}).status_code == 200


@pytest.mark.parametrize("right", REFUSING.values(), ids=REFUSING.keys())
def test_a_list_counts(right: Any) -> None:
    client, collection = serve(right, plain=False)
    answer = client.post("/app/docs", json={"tags": ["admin"]})
    assert (answer.status_code, answer.get_data(as_text=True)) == (403, 'RightsError("$.tags: cannot modify value")')
    assert stored(collection) == []
    assert client.post("/app/docs", json={"tags": []}).status_code == 200, "[] is an unset list's value"


def test_rights_functions_see_the_item_being_created(plain: bool) -> None:
    seen: list[Any] = []

    def open_only(right_name: str, o: Any) -> bool:
        seen.append((right_name, o.public.get_value(), o.role.get_value()))
        return o.public.get_value() == "open"

    client, collection = serve(open_only, plain)
    assert client.post("/app/docs", json={"public": "open", "role": "editor"}).status_code == 200
    assert ("modify", "open", "editor") in seen
    refused = client.post("/app/docs", json={"public": "closed", "role": "editor"})
    assert (refused.status_code, refused.get_data(as_text=True)) == (403, FORBIDDEN)
    assert [document["public"] for document in stored(collection)] == ["open"]


def test_system_fields_are_still_ignored(plain: bool) -> None:
    client, collection = serve(is_admin, plain)
    forged = {"_id": "forged", "_meta": {"created_by": {"_id": "1", "login": "alice"}}, "public": "n"}
    answer = client.post("/app/docs", json=forged)
    assert answer.status_code == 200
    assert answer.json["_id"] != "forged"
    assert collection.db_handler.get_by_id(answer.json["_id"])["_meta"]["created_by"] == {"_id": "2", "login": "bob"}


def test_a_write_once_field_set_only_when_creating(plain: bool) -> None:
    """The recipe of docs/current_user.rst: ``_id`` is still empty while an Item is being created."""

    def while_creating(right_name: str, o: Any) -> bool:
        return o._id.get_value() is None

    backoffice = Backoffice("app")
    collection = Collection("docs", Item({"code": String(can_modify=while_creating)}), DBMemoryConnector())
    backoffice.register_collection(collection)
    app = Flask(__name__)
    backoffice.build_routes(app, "")
    client = app.test_client()
    created = client.post("/app/docs", json={"code": "X1"})
    assert created.status_code == 200 and created.json["code"] == "X1"
    put = client.put(f"/app/docs/{created.json['_id']}", json={"code": "X2"})
    assert (put.status_code, put.get_data(as_text=True)) == (403, 'RightsError("$.code: cannot modify value")')


# --- the Python API: a create fails exactly where a save of the same value fails ------------


def outcome(action: Callable[[], Any]) -> str:
    try:
        action()
    except SRightError as error:
        return f"SRightError {error}"
    return "ok"


@pytest.fixture
def standalone() -> Any:
    current_user.standalone = True
    yield
    current_user.set({"_id": "000", "login": "ANONYMOUS", "roles": []})
    current_user.standalone = False


@pytest.mark.parametrize("user", [None, PLAIN_USER, ADMIN], ids=["anonymous", "plain user", "admin"])
@pytest.mark.parametrize("right", [False, True, *list(REFUSING.values())[1:]], ids=["False", "True", "f", "l", "*"])
@pytest.mark.parametrize(
    "values",
    [{"role": "admin"}, {"sub": {"x": "a"}}, {"tags": ["a"]}, {"role": "user"}],
    ids=["role", "sub", "tags", "default"],
)
def test_a_script_creates_where_it_could_save(standalone: Any, user: dict | None, right: Any, values: dict) -> None:
    current_user.set(user or {"_id": "000", "login": "ANONYMOUS", "roles": []})
    backoffice = Backoffice("app")
    collection = Collection("docs", docs_model(right, plain=False), DBMemoryConnector())
    backoffice.register_collection(collection)

    def save() -> None:
        item = collection.create({"public": "p"})
        item.set(values)
        item.save()

    expected = outcome(save)
    before = stored(collection)
    assert outcome(lambda: collection.create({"public": "p", **values})) == expected
    if expected != "ok":
        assert expected.startswith("SRightError RightsError(") and stored(collection) == before


def test_a_script_gets_the_typed_error(standalone: Any) -> None:
    backoffice = Backoffice("app")
    collection = Collection("docs", docs_model(False, plain=True), DBMemoryConnector())
    backoffice.register_collection(collection)
    with pytest.raises(SRightError, match=r'^RightsError\("\$\.role: cannot modify value"\)$'):
        collection.create({"role": "admin"})
    assert stored(collection) == []
    assert collection.create({"role": "user"}).role == "user"
