"""COMPAT-FIXES 15 / N4: an unset List is stored without its key and reads back as in 0.2.1;
a List the user may not modify only blocks a write that changes it."""

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from stricto import SRightError

from backo import (
    Backoffice,
    Collection,
    DBConnector,
    DBMemoryConnector,
    DBYmlConnector,
    Dict,
    Item,
    List,
    Ref,
    RefsList,
    Selection,
    String,
    current_user,
)
from tests.support.backends import mongo_connector

ADMIN = {"_id": "1", "login": "root", "roles": ["ADMIN"]}
MEMBER = {"_id": "2", "login": "joe", "roles": ["MEMBER"]}


def admin_only(right_name: str, o: Any) -> bool:
    return current_user.has_role("ADMIN")


@pytest.fixture(params=["memory", "yml", "mongo"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Builds one connector per collection name, of the kind under test."""
    with contextlib.ExitStack() as stack:

        def make(name: str) -> DBConnector:
            if request.param == "memory":
                return DBMemoryConnector()
            if request.param == "yml":
                return DBYmlConnector(path=str(tmp_path / name))
            return stack.enter_context(mongo_connector())

        yield make


def serve(backoffice: Backoffice) -> FlaskClient:
    app = Flask(__name__)
    backoffice.build_routes(app)
    return app.test_client()


def library(stores: Any) -> Backoffice:
    backoffice = Backoffice("lib")
    model = Item({"title": String(), "tags": List(String()), "extra": Dict({"notes": List(String())})})
    backoffice.register_collection(Collection("books", model, stores("books")))
    backoffice.books.register_selection("whole", Selection())
    return backoffice


def test_an_unset_list_is_stored_without_its_key(stores: Any) -> None:
    backoffice = library(stores)
    _id = backoffice.books.create({"title": "Dune"})._id.get_value()
    stored = backoffice.books.db_handler.get_by_id(_id)
    assert "tags" not in stored
    assert "extra" not in stored  # a Dict left empty by the rule goes too (stricto's "save" view)
    assert backoffice.books.get_by_id(_id).tags.get_value() is None
    assert backoffice.books.get_by_id(_id).extra.notes.get_value() is None


def test_an_unset_list_reads_back_as_in_0_2_1(stores: Any) -> None:
    backoffice = library(stores)
    client = serve(backoffice)
    created = client.post("/lib/books", json={"title": "Dune"})
    assert created.status_code == 200 and "tags" not in created.json
    _id = created.json["_id"]
    one = client.get(f"/lib/books/{_id}").json
    assert "tags" not in one and "extra" not in one  # get_view("client") leaves them out
    rows = client.get("/lib/books").json["result"]
    assert rows[0]["tags"] is None and rows[0]["extra"] == {"notes": None}  # the list route: null
    assert client.get("/lib/books/_selections/whole").json["result"][0]["tags"] is None
    changed = client.put(f"/lib/books/{_id}", json={"title": "Dune II"})
    assert changed.status_code == 200 and "tags" not in changed.json
    assert "tags" not in backoffice.books.db_handler.get_by_id(_id)


def test_a_set_list_is_stored_as_it_is(stores: Any) -> None:
    backoffice = library(stores)
    client = serve(backoffice)
    empty = client.post("/lib/books", json={"title": "Emma", "tags": [], "extra": {"notes": ["n"]}}).json
    assert empty["tags"] == [] and empty["extra"] == {"notes": ["n"]}
    stored = backoffice.books.db_handler.get_by_id(empty["_id"])
    assert stored["tags"] == [] and stored["extra"] == {"notes": ["n"]}
    assert client.get(f"/lib/books/{empty['_id']}").json["tags"] == []


def test_a_list_stored_as_null_by_an_older_release_still_loads(stores: Any) -> None:
    backoffice = library(stores)
    _id = backoffice.books.create({"title": "Dune"})._id.get_value()
    document = backoffice.books.db_handler.get_by_id(_id)
    backoffice.books.db_handler.save(_id, {**document, "tags": None})
    assert backoffice.books.get_by_id(_id).tags.get_value() == []  # stricto reads null as []
    assert serve(backoffice).get(f"/lib/books/{_id}").json["tags"] == []


# -- a List the user may not modify (section 15) --------------------------------------------


def members(stores: Any, **roles_options: Any) -> Backoffice:
    backoffice = Backoffice("club")
    model = Item(
        {
            "email": String(),
            "roles": List(String(), can_modify=admin_only, **roles_options),
            "tools": RefsList(coll="tools", field="$.owner"),
        }
    )
    backoffice.register_collection(Collection("members", model, stores("members")))
    backoffice.register_collection(
        Collection("tools", Item({"name": String(), "owner": Ref(coll="members", field="$.tools")}), stores("tools"))
    )
    return backoffice


@pytest.mark.parametrize("created_with", [{}, {"roles": []}, {"roles": None}], ids=["unset", "empty", "null"])
def test_a_put_leaving_a_read_only_list_alone_is_accepted(stores: Any, created_with: dict) -> None:
    backoffice = members(stores)
    current_user.set(ADMIN)
    _id = backoffice.members.create({"email": "a@x", **created_with})._id.get_value()
    current_user.set(MEMBER)
    client = serve(backoffice)
    response = client.put(f"/club/members/{_id}", json={"email": "new@x"})
    assert response.status_code == 200, response.text
    for unchanged in ([], None):
        assert client.put(f"/club/members/{_id}", json={"roles": unchanged}).status_code == 200
    refused = client.put(f"/club/members/{_id}", json={"roles": ["ADMIN"]})
    assert (refused.status_code, refused.text) == (403, 'RightsError("$.roles: cannot modify value")')
    assert backoffice.members.get_by_id(_id).email == "new@x"
    assert not backoffice.members.get_by_id(_id).roles.get_value()


def test_a_read_only_list_with_values_still_refuses_a_change(stores: Any) -> None:
    backoffice = members(stores)
    current_user.set(ADMIN)
    _id = backoffice.members.create({"email": "a@x", "roles": ["MEMBER"]})._id.get_value()
    current_user.set(MEMBER)
    client = serve(backoffice)
    assert client.put(f"/club/members/{_id}", json={"email": "b@x"}).status_code == 200
    for change in ([], ["MEMBER", "ADMIN"]):
        refused = client.put(f"/club/members/{_id}", json={"roles": change})
        assert (refused.status_code, refused.text) == (403, 'RightsError("$.roles: cannot modify value")')
    member = backoffice.members.get_by_id(_id)
    member.roles = ["ADMIN"]
    with pytest.raises(SRightError, match="cannot modify value"):
        member.save()
    assert backoffice.members.get_by_id(_id).roles.get_value() == ["MEMBER"]


def test_a_key_left_out_stands_for_the_default(stores: Any) -> None:
    backoffice = members(stores, default=["MEMBER"])
    current_user.set(ADMIN)
    _id = backoffice.members.create({"email": "a@x"})._id.get_value()
    document = backoffice.members.db_handler.get_by_id(_id)
    backoffice.members.db_handler.save(_id, {key: value for key, value in document.items() if key != "roles"})
    current_user.set(MEMBER)
    client = serve(backoffice)
    assert client.put(f"/club/members/{_id}", json={"email": "b@x"}).status_code == 200
    assert client.put(f"/club/members/{_id}", json={"roles": ["ADMIN"]}).status_code == 403


def test_a_reverse_reference_update_of_a_read_only_list_is_accepted(stores: Any) -> None:
    """A non-admin links a tool to a member whose roles were never set (the reverse
    RefsList update saves the member on the user's behalf)."""
    backoffice = members(stores)
    current_user.set(ADMIN)
    member = backoffice.members.create({"email": "a@x"})._id.get_value()
    current_user.set(MEMBER)
    tool = backoffice.tools.create({"name": "saw", "owner": member})
    assert backoffice.members.get_by_id(member).tools.get_value() == [tool._id.get_value()]
    response = serve(backoffice).post("/club/tools", json={"name": "drill", "owner": member})
    assert response.status_code == 200, response.text
    assert len(backoffice.members.get_by_id(member).tools.get_value()) == 2
    assert "roles" not in backoffice.members.db_handler.get_by_id(member)


def test_the_stored_shape_is_json_without_null_lists(tmp_path: Path) -> None:
    backoffice = Backoffice("lib")
    backoffice.register_collection(
        Collection("books", Item({"title": String(), "tags": List(String())}), DBYmlConnector(path=str(tmp_path / "b")))
    )
    _id = backoffice.books.create({"title": "Dune"})._id.get_value()
    text = (tmp_path / "b" / f"{_id}.yml").read_text()
    assert "tags" not in text, text
    assert json.loads(json.dumps(backoffice.books.db_handler.get_by_id(_id)))["title"] == "Dune"
