"""A field hidden by ``can_read`` (issue 14, point 6): writable by default, protected by the recipe.

docs/current_user.rst says it: a field the user cannot read stays writable unless
``can_modify`` says no (stricto's default, as in 0.2.1); ``can_modify=`` the same function
makes it read-and-write protected. Both halves are checked here, over HTTP (PUT, POST) and
through the Python API.
"""

from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from backo import Backoffice, Collection, DBMemoryConnector, Dict, Item, SRightError, String, current_user
from backo.core.collection import BaseCollection

USERS = {"1": {"_id": "1", "login": "alice", "roles": ["ADMIN"]}, "2": {"_id": "2", "login": "bob", "roles": []}}


def admins_only(right_name: str, o: Any) -> bool:
    return current_user.has_role("ADMIN")


def auth() -> None:
    """A ``jwt_auth`` stand-in: ``X-User`` names the user (bob, who is no ADMIN, by default)."""
    current_user.set(USERS[request.headers.get("X-User", "2")])


def serve(schema: dict) -> tuple[FlaskClient, BaseCollection]:
    backoffice = Backoffice("app")
    collection = Collection("docs", Item(schema), DBMemoryConnector())
    backoffice.register_collection(collection)
    app = Flask(__name__)
    backoffice.build_routes(app, "", auth)
    return app.test_client(), collection


def created_by_admin(client: FlaskClient, body: dict) -> str:
    answer = client.post("/app/docs", json=body, headers={"X-User": "1"})
    assert answer.status_code == 200
    return answer.json["_id"]


def test_by_default_a_hidden_field_is_writable() -> None:
    """The documented default (stricto's, 0.2.1's): hidden is not read-only."""
    client, collection = serve({"name": String(), "secret": String(can_read=admins_only)})
    _id = created_by_admin(client, {"name": "n", "secret": "s"})
    assert "secret" not in client.get(f"/app/docs/{_id}").json
    answer = client.put(f"/app/docs/{_id}", json={"secret": "overwritten"})
    assert answer.status_code == 200 and "secret" not in answer.json
    assert collection.db_handler.get_by_id(_id)["secret"] == "overwritten"
    assert client.post("/app/docs", json={"secret": "mine"}).status_code == 200


RECIPES = {
    "can_modify=same function": {"can_read": admins_only, "can_modify": admins_only},
    "can_modify=False": {"can_read": admins_only, "can_modify": False},
}


@pytest.mark.parametrize("rights", RECIPES.values(), ids=RECIPES.keys())
def test_the_recipe_protects_it_from_those_who_cannot_read_it(rights: dict) -> None:
    client, collection = serve({"name": String(), "secret": String(**rights)})
    _id = created_by_admin(client, {"name": "n"})
    collection.db_handler.save(_id, {**collection.db_handler.get_by_id(_id), "secret": "s"})
    answer = client.put(f"/app/docs/{_id}", json={"secret": "overwritten"})
    assert (answer.status_code, answer.get_data(as_text=True)) == (403, 'RightsError("$.secret: cannot modify value")')
    assert collection.db_handler.get_by_id(_id)["secret"] == "s", "nothing is written"
    refused = client.post("/app/docs", json={"secret": "mine"})
    assert (refused.status_code, refused.get_data(as_text=True)) == (
        403,
        'RightsError("$.secret: cannot modify value")',
    )


def test_with_the_recipe_other_fields_stay_writable_and_the_secret_is_kept() -> None:
    client, collection = serve({"name": String(), "secret": String(can_read=admins_only, can_modify=admins_only)})
    _id = created_by_admin(client, {"name": "n", "secret": "s"})
    answer = client.put(f"/app/docs/{_id}", json={"name": "renamed", "secret": "s"})
    assert answer.status_code == 200 and answer.json["name"] == "renamed"
    assert collection.db_handler.get_by_id(_id)["secret"] == "s"
    by_admin = client.put(f"/app/docs/{_id}", json={"secret": "new"}, headers={"X-User": "1"})
    assert by_admin.status_code == 200 and by_admin.json["secret"] == "new"


def test_a_hidden_sub_dict_is_protected_too() -> None:
    schema = {"name": String(), "private": Dict({"a": String()}, can_read=admins_only, can_modify=admins_only)}
    client, collection = serve(schema)
    _id = created_by_admin(client, {"name": "n", "private": {"a": "s"}})
    answer = client.put(f"/app/docs/{_id}", json={"private": {"a": "x"}})
    assert (answer.status_code, answer.get_data(as_text=True)) == (403, 'RightsError("$.private: cannot modify value")')
    assert collection.db_handler.get_by_id(_id)["private"] == {"a": "s"}


@pytest.fixture
def script_user() -> Any:
    current_user.standalone = True
    current_user.set(USERS["2"])
    yield
    current_user.set({"_id": "000", "login": "ANONYMOUS", "roles": []})
    current_user.standalone = False


def test_a_script_that_cannot_read_it_cannot_overwrite_it_either(script_user: Any) -> None:
    backoffice = Backoffice("app")
    collection = Collection(
        "docs",
        Item({"name": String(), "secret": String(can_read=admins_only, can_modify=admins_only)}),
        DBMemoryConnector(),
    )
    backoffice.register_collection(collection)
    item = collection.create({"name": "n"})
    collection.db_handler.save(
        item._id.get_value(), {**collection.db_handler.get_by_id(item._id.get_value()), "secret": "s"}
    )
    loaded = collection.get_by_id(item._id)
    loaded.set({"secret": "overwritten"})
    with pytest.raises(SRightError, match=r'^RightsError\("\$\.secret: cannot modify value"\)$'):
        loaded.save()
    assert collection.db_handler.get_by_id(item._id.get_value())["secret"] == "s"
