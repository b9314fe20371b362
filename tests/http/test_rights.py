"""Collection rights over HTTP: literal False removes routes, a refusing callable answers 403."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from backo import Action, DBMemoryConnector

from .conftest import make_backoffice, serve

BASE = "/myApp/users"

#: (method, path, body) of every collection route; {id} is a stored user.
ROUTES = {
    "list": ("GET", BASE, None),
    "create": ("POST", BASE, {"name": "x"}),
    "check": ("POST", f"{BASE}/_check", {"item": {"name": "x"}}),
    "meta": ("POST", f"{BASE}/_meta", {"name": "x"}),
    "get": ("GET", f"{BASE}/{{id}}", None),
    "put": ("PUT", f"{BASE}/{{id}}", {"name": "y"}),
    "patch": ("PATCH", f"{BASE}/{{id}}", {"op": "replace", "path": "$.name", "value": "z"}),
    "action": ("POST", f"{BASE}/_actions/noop/{{id}}", {}),
    "selection": ("GET", f"{BASE}/_selections/_all", None),
    "post_selection": ("POST", f"{BASE}/_selections/_all", {}),
    "delete": ("DELETE", f"{BASE}/{{id}}", None),  # last: it removes the stored user
}


def restricted(**rights: Any) -> tuple[FlaskClient, str]:
    """A client whose "users" collection has ``rights``, over a store holding one user."""
    store = DBMemoryConnector()
    _id = make_backoffice(lambda name: store).users.create({"name": "stored"})._id.get_value()
    backoffice = make_backoffice(lambda name: store, **rights)
    backoffice.users.register_action("noop", Action({}, lambda action, user: None))
    return serve(backoffice), _id


def call(client: FlaskClient, route: str, _id: str) -> Any:
    method, path, body = ROUTES[route]
    return client.open(path.replace("{id}", _id), method=method, json=body)


@pytest.mark.parametrize(
    ("right", "routes"),
    [
        ("can_read", ["list", "get", "action", "selection", "post_selection"]),
        ("can_create", ["create"]),
        ("can_modify", ["check", "meta", "put", "patch"]),
        ("can_delete", ["delete"]),
    ],
)
def test_a_false_right_removes_its_routes(right: str, routes: list[str]) -> None:
    client, _id = restricted(**{right: False})
    for route in ROUTES:
        status = call(client, route, _id).status_code
        if route in routes:
            assert status in (404, 405), route
        else:
            assert status not in (404, 405), route
    paths = client.get("/myApp/openapi").json["paths"]
    methods = {(path, method) for path, operations in paths.items() for method in operations}
    assert len(methods) == len(ROUTES) - len(routes)  # the OpenAPI paths follow the routes


def test_no_right_at_all_leaves_only_the_application_routes() -> None:
    client, _id = restricted(can_read=False, can_create=False, can_modify=False, can_delete=False)
    assert client.get(f"{BASE}/{_id}").status_code == 404
    assert client.get(BASE).status_code == 404
    assert client.get("/myApp/_meta").status_code == 200
    assert client.get("/myApp/openapi").json["paths"] == {}


def refuse(right_name: str, o: Any) -> bool:
    return False


@pytest.mark.parametrize(
    ("right", "route", "message"),
    [
        ("can_read", "get", "No permission to read element in collection users"),
        ("can_read", "action", "No permission to read element in collection users"),
        ("can_create", "create", "No permission to create in collection users"),
        ("can_modify", "put", "No permission to modify element in collection users"),
        ("can_modify", "patch", "No permission to modify element in collection users"),
        ("can_delete", "delete", "No permission to delete element in collection users"),
    ],
)
def test_a_refusing_callable_is_403(right: str, route: str, message: str) -> None:
    client, _id = restricted(**{right: refuse})
    response = call(client, route, _id)
    assert (response.status_code, response.text) == (403, f'RightsError("{message}")')


def test_a_refusing_read_callable_hides_items_from_lists() -> None:
    client, _id = restricted(can_read=refuse)
    for route in ("list", "selection", "post_selection"):
        response = call(client, route, _id)
        assert response.status_code == 200 and response.json["result"] == [] and response.json["total"] == 0


def test_check_and_meta_only_depend_on_the_route_being_there() -> None:
    client, _id = restricted(can_modify=refuse)
    assert call(client, "check", _id).json == {"error": None}
    assert call(client, "meta", _id).status_code == 200
