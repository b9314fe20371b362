"""Writes beyond 0.2.1: ETag / If-Match, bulk creates and deletes, the delete preview, the extended OpenAPI."""

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from backo import (
    Action,
    Backoffice,
    Collection,
    DeleteStrategy,
    FillStrategy,
    Int,
    Item,
    Ref,
    RefsList,
    String,
)
from backo.core import delete_preview
from tests.http.conftest import make_backoffice, serve
from tests.support.references import Stores, stores  # noqa: F401 - fixtures

BASE = "/myApp/users"


@pytest.fixture
def app(stores: Stores) -> tuple[Backoffice, FlaskClient]:  # noqa: F811 - the fixture
    backoffice = make_backoffice(stores)
    backoffice.users.register_action("older", Action({"years": Int(default=1)}, lambda a, o: None))
    return backoffice, serve(backoffice)


def created(client: FlaskClient, body: dict) -> str:
    response = client.post(BASE, json=body)
    assert response.status_code == 200, response.text
    return response.json["_id"]


# --- ETag, Last-Modified, If-None-Match, If-Match ---------------------------------------


def test_etag_and_last_modified_on_get(app: tuple[Backoffice, FlaskClient]) -> None:
    client = app[1]
    _id = created(client, {"name": "ann"})
    response = client.get(f"{BASE}/{_id}")
    tag = response.headers["ETag"]
    assert tag.startswith('"') and not tag.startswith("W/")  # strong
    assert response.headers["Last-Modified"].endswith("GMT")
    assert client.get(f"{BASE}/{_id}", headers={"If-None-Match": tag}).status_code == 304
    assert client.get(f"{BASE}/{_id}", headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(f"{BASE}/{_id}", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(f"{BASE}/{_id}?_view=short").headers["ETag"] != tag  # the tag of that answer
    client.put(f"{BASE}/{_id}", json={"age": 3})
    assert client.get(f"{BASE}/{_id}", headers={"If-None-Match": tag}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", "", {"age": 5}),
        ("patch", "", {"op": "replace", "path": "$.surname", "value": "x"}),
        ("delete", "", None),
        ("post", "/_actions/older", {}),
    ],
)
def test_if_match(app: tuple[Backoffice, FlaskClient], method: str, path: str, body: Any) -> None:
    backoffice, client = app
    _id = created(client, {"name": "ann"})
    tag = client.get(f"{BASE}/{_id}").headers["ETag"]
    url = f"{BASE}{path}/{_id}"
    client.put(f"{BASE}/{_id}", json={"surname": "changed"})  # another editor
    stale = client.open(url, method=method.upper(), json=body, headers={"If-Match": tag})
    assert stale.status_code == 412 and "changed since" in stale.text
    assert client.get(f"{BASE}/{_id}").json["surname"] == "changed"  # nothing written
    fresh = client.get(f"{BASE}/{_id}").headers["ETag"]
    assert client.open(url, method=method.upper(), json=body, headers={"If-Match": fresh}).status_code == 200
    assert client.open(url, method=method.upper(), json=body, headers={"If-Match": "*"}).status_code in (200, 404)


def test_if_match_on_an_unknown_item_is_404(app: tuple[Backoffice, FlaskClient]) -> None:
    assert app[1].put(f"{BASE}/nope", json={}, headers={"If-Match": '"x"'}).status_code == 404


def test_weak_tags_never_match_writes(app: tuple[Backoffice, FlaskClient]) -> None:
    client = app[1]
    _id = created(client, {"name": "ann"})
    tag = client.get(f"{BASE}/{_id}").headers["ETag"]
    assert client.put(f"{BASE}/{_id}", json={}, headers={"If-Match": f"W/{tag}"}).status_code == 412


def test_a_collection_can_require_if_match(app: tuple[Backoffice, FlaskClient]) -> None:
    backoffice, client = app
    _id = created(client, {"name": "ann"})
    backoffice.users.require_if_match = True  # the collection's option
    missing = client.put(f"{BASE}/{_id}", json={"age": 1})
    assert missing.status_code == 428 and "requires If-Match" in missing.text
    assert client.delete(f"{BASE}/{_id}").status_code == 428
    assert client.get(f"{BASE}/{_id}").json["age"] is None
    tag = client.get(f"{BASE}/{_id}").headers["ETag"]
    assert client.put(f"{BASE}/{_id}", json={"age": 1}, headers={"If-Match": tag}).status_code == 200


# --- bulk ----------------------------------------------------------------------------------


def bulk_client(backoffice: Backoffice) -> FlaskClient:
    backoffice.users.bulk_routes = True  # opt-in routes
    return serve(backoffice)


def test_bulk_routes_are_opt_in(app: tuple[Backoffice, FlaskClient]) -> None:
    assert app[1].post(f"{BASE}/_bulk", json=[]).status_code == 405  # POST on an id: no such route
    assert app[1].delete(f"{BASE}?name=a&_confirm=1").status_code == 405


def test_bulk_create_each_on_its_own(app: tuple[Backoffice, FlaskClient]) -> None:
    backoffice = app[0]
    client = bulk_client(backoffice)
    response = client.post(f"{BASE}/_bulk", json=[{"name": "a"}, {"name": 12}, {"name": "c"}])
    assert response.status_code == 207
    body = response.json
    assert (body["done"], body["failed"]) == (2, 1)
    assert [one["state"] for one in body["results"]] == ["done", "failed", "done"]
    assert body["results"][1]["status"] == 400 and "Must be a string" in body["results"][1]["error"]
    assert body["results"][0]["item"]["name"] == "a"
    assert sorted(item.name.get_value() for item in backoffice.users.select()) == ["a", "c"]
    assert client.post(f"{BASE}/_bulk", json=[{"name": "d"}]).status_code == 200


def test_bulk_create_atomic(app: tuple[Backoffice, FlaskClient]) -> None:
    backoffice = app[0]
    client = bulk_client(backoffice)
    response = client.post(f"{BASE}/_bulk?_atomic=1", json=[{"name": "a"}, {"zz": 1}, {"name": "c"}])
    assert response.status_code == 400
    assert [one["state"] for one in response.json["results"]] == ["rolled_back", "failed", "not_tried"]
    assert backoffice.users.select() == []


def test_bulk_create_checks_rights_per_item(stores: Stores) -> None:  # noqa: F811
    backoffice = Backoffice("myApp")
    model = Item({"name": String(), "role": String(can_modify=False)})
    backoffice.register_collection(Collection("users", model, stores("users")))
    client = bulk_client(backoffice)
    response = client.post(f"{BASE}/_bulk", json=[{"name": "a"}, {"name": "b", "role": "admin"}])
    assert response.status_code == 207
    assert [one["status"] for one in response.json["results"]] == [200, 403]  # a read-only field, per item


@pytest.mark.parametrize("body", [{"name": "a"}, "x"])
def test_bulk_create_needs_a_list(app: tuple[Backoffice, FlaskClient], body: Any) -> None:
    response = bulk_client(app[0]).post(f"{BASE}/_bulk", json=body)
    assert response.status_code == 400 and "Must be a list" in response.text


def test_bulk_delete_by_filter(app: tuple[Backoffice, FlaskClient]) -> None:
    backoffice = app[0]
    client = bulk_client(backoffice)
    for name, age in (("a", 1), ("b", 2), ("c", 3)):
        created(client, {"name": name, "age": age})
    assert "_confirm=1" in client.delete(f"{BASE}?age.$gt=1").text
    assert "_confirm=all" in client.delete(f"{BASE}?_confirm=1").text  # no filter: every item
    preview = client.delete(f"{BASE}?age.$gt=1&_confirm=1&_dry_run=1").json["results"]
    assert len(preview) == 2 and all(one["would_delete"] for one in preview)
    assert len(backoffice.users.select()) == 3  # a dry run wrote nothing
    response = client.delete(f"{BASE}?age.$gt=1&_confirm=1")
    assert response.status_code == 200 and response.json["done"] == 2
    assert [item.name.get_value() for item in backoffice.users.select()] == ["a"]
    assert client.delete(f"{BASE}?_confirm=all").json["done"] == 1


def test_bulk_delete_checks_rights_per_item(stores: Stores) -> None:  # noqa: F811
    backoffice = make_backoffice(stores, can_delete=lambda right, item: item.name.get_value() != "keep")
    client = bulk_client(backoffice)
    for name in ("keep", "drop"):
        created(client, {"name": name})
    response = client.delete(f"{BASE}?_confirm=all")
    assert response.status_code == 207
    assert sorted(one.get("status") for one in response.json["results"]) == [200, 403]
    assert [item.name.get_value() for item in backoffice.users.select()] == ["keep"]


# --- delete preview ------------------------------------------------------------------------


def library(stores: Stores, strategy: DeleteStrategy, fill: FillStrategy = FillStrategy.FILL) -> Backoffice:  # noqa: F811
    backoffice = Backoffice("lib")
    authors = Item({"name": String(), "books": RefsList(coll="books", field="$.author", ods=strategy, ofs=fill)})
    books = Item(
        {
            "title": String(),
            "author": Ref(coll="authors", field="$.books"),
            "shelf": Ref(coll="shelves", field="$.books"),
        }
    )
    shelves = Item(
        {
            "label": String(),
            "books": RefsList(coll="books", field="$.shelf", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS),
        }
    )
    for name, model in (("authors", authors), ("books", books), ("shelves", shelves)):
        backoffice.register_collection(Collection(name, model, stores(name)))
    return backoffice


def populate(backoffice: Backoffice) -> dict[str, str]:
    shelf = backoffice.shelves.create({"label": "s"})._id.get_value()
    author = backoffice.authors.create({"name": "a"})._id.get_value()
    ids = {"author": author, "shelf": shelf}
    for title in ("x", "y"):
        ids[title] = backoffice.books.create({"title": title, "author": author, "shelf": shelf})._id.get_value()
    return ids


def snapshot(backoffice: Backoffice) -> Any:
    return {name: sorted(str(item) for item in coll.select()) for name, coll in backoffice.collections.items()}


def test_preview_of_a_cascade(stores: Stores) -> None:  # noqa: F811
    backoffice = library(stores, DeleteStrategy.DELETE_REFERENCED_ITEMS)
    ids = populate(backoffice)
    client = serve(backoffice)
    before = snapshot(backoffice)
    answer = client.delete(f"/lib/authors/{ids['author']}?_dry_run=1").json
    assert snapshot(backoffice) == before  # nothing written
    assert answer["would_delete"] is True and answer["refused"] == []
    assert answer["delete"] == [
        {"collection": "authors", "_id": ids["author"]},
        {"collection": "books", "_id": ids["x"]},
        {"collection": "books", "_id": ids["y"]},
    ]
    unlinked = {(one["collection"], one["_id"], one["field"]) for one in answer["unlink"]}
    assert unlinked == {("shelves", ids["shelf"], "$.books")}  # the deleted books leave the shelf
    assert client.delete(f"/lib/authors/{ids['author']}").status_code == 200  # the real delete agrees
    assert [item.label.get_value() for item in backoffice.shelves.select()] == ["s"]
    assert backoffice.books.select() == [] and backoffice.shelves.select()[0].books.get_value() == []


def test_preview_of_an_unlink(stores: Stores) -> None:  # noqa: F811
    backoffice = library(stores, DeleteStrategy.UNLINK_REFERENCED_ITEMS)
    ids = populate(backoffice)
    answer = delete_preview.preview(backoffice.authors, ids["author"])  # the Python API
    assert answer["delete"] == [{"collection": "authors", "_id": ids["author"]}]
    assert {(one["_id"], one["field"]) for one in answer["unlink"]} == {(ids["x"], "$.author"), (ids["y"], "$.author")}


@pytest.mark.parametrize("fill", [FillStrategy.FILL, FillStrategy.NOT_FILL])
def test_preview_of_a_must_be_empty_refusal(stores: Stores, fill: FillStrategy) -> None:  # noqa: F811
    backoffice = library(stores, DeleteStrategy.MUST_BE_EMPTY, fill)
    ids = populate(backoffice)
    client = serve(backoffice)
    answer = client.delete(f"/lib/authors/{ids['author']}?_dry_run=1").json
    assert answer["would_delete"] is False
    [refusal] = answer["refused"]
    assert refusal["field"] == "$.books" and sorted(refusal["referencing"]) == sorted([ids["x"], ids["y"]])
    assert client.delete(f"/lib/authors/{ids['author']}").status_code == 500  # the real delete refuses (0.2.1)


def test_preview_of_an_unknown_item_is_404(stores: Stores) -> None:  # noqa: F811
    client = serve(library(stores, DeleteStrategy.MUST_BE_EMPTY))
    assert client.delete("/lib/authors/nope?_dry_run=1").status_code == 404


# --- OpenAPI -------------------------------------------------------------------------------


def test_extended_openapi_documents_every_parameter() -> None:
    backoffice = make_backoffice()
    backoffice.users.bulk_routes = True
    app = Flask(__name__)
    backoffice.build_routes(app)
    client = app.test_client()
    plain = client.get("/myApp/openapi").json
    document = client.get("/myApp/openapi?_extensions=1").json
    validate(document)
    validate(plain)
    listed = {parameter["name"] for parameter in document["paths"]["/users"]["get"]["parameters"]}
    assert {"_sort", "_fields", "_filter", "_typed", "_view", "_list_view", "_cursor", "_after"} <= listed
    item = document["paths"]["/users/{id}"]
    assert {"412", "428"} <= set(item["put"]["responses"]) and "304" in item["get"]["responses"]
    assert "_dry_run" in {parameter["name"] for parameter in item["delete"]["parameters"]}
    assert {"post"} == set(document["paths"]["/users/_bulk"]) and "delete" in document["paths"]["/users"]
    assert [p["name"] for p in plain["paths"]["/users"]["get"]["parameters"]] == ["_page", "_skip", "filter"]


def test_the_rest_opt_ins_are_collection_keywords() -> None:
    """``Collection(require_if_match=..., bulk_routes=..., typed_query_values=..., list_views=...)``:
    off by default (0.2.1's routes and answers), each turned on by its keyword."""
    from flask import Flask

    from backo import Backoffice, Collection, DBMemoryConnector, Item, String

    def served(**options: bool) -> tuple[Collection, Any]:
        backoffice = Backoffice("kw")
        collection = Collection("notes", Item({"text": String()}), DBMemoryConnector(), **options)
        backoffice.register_collection(collection)
        app = Flask("kw")
        backoffice.build_routes(app)
        return collection, app.test_client()

    plain, client = served()
    assert (plain.require_if_match, plain.bulk_routes, plain.typed_query_values, plain.list_views) == (
        False,
        False,
        False,
        False,
    )
    assert client.post("/kw/notes/_bulk", json=[{"text": "a"}]).status_code == 405  # no such route: 0.2.1's set
    _id = client.post("/kw/notes", json={"text": "a"}).get_json()["_id"]
    assert client.put(f"/kw/notes/{_id}", json={"text": "b"}).status_code == 200

    strict, client = served(require_if_match=True, bulk_routes=True, typed_query_values=True, list_views=True)
    assert (strict.require_if_match, strict.bulk_routes, strict.typed_query_values, strict.list_views) == (
        True,
        True,
        True,
        True,
    )
    assert client.post("/kw/notes/_bulk", json=[{"text": "a"}, {"text": "b"}]).status_code == 200
    _id = client.get("/kw/notes").get_json()["result"][0]["_id"]
    assert client.put(f"/kw/notes/{_id}", json={"text": "c"}).status_code == 428
