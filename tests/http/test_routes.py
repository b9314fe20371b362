"""Route registration: prefixes, blueprints, unknown routes and methods, the route table."""

import pytest
from flask import Flask

from backo import Backoffice, Collection, DBMemoryConnector, Item, String
from backo.http.openapi import OPERATIONS
from backo.http.routes import ROUTES, base_path

from .conftest import create, make_backoffice, serve


@pytest.mark.parametrize(
    ("prefix", "base"),
    [
        ("", "/myApp"),
        ("api", "/api/myApp"),
        ("/api", "/api/myApp"),
        ("/api/", "/api/myApp"),
        ("api/v1", "/api/v1/myApp"),
        ("//api//v1/", "/api/v1/myApp"),
    ],
)
def test_prefixes_give_clean_single_slash_rules(prefix: str, base: str) -> None:
    assert base_path(prefix, "myApp") == base
    client = serve(make_backoffice(), prefix)
    rules = {rule.rule for rule in client.application.url_map.iter_rules()}
    assert f"{base}/users" in rules and f"{base}/_meta" in rules and f"{base}/openapi" in rules
    assert not any("//" in rule for rule in rules)
    assert create(client, {"name": "x"}, f"{base}/users")["name"] == "x"


def test_unknown_routes_and_methods(client) -> None:
    assert client.get("/myApp/nobody").status_code == 404
    assert client.get("/myApp/users/").status_code == 404  # no trailing slash
    assert client.get("/myApp/users/a/b/c").status_code == 404
    assert client.put("/myApp/users", json={}).status_code == 405
    assert client.post("/myApp/users/x", json={}).status_code == 405
    assert client.delete("/myApp/_meta").status_code == 405


def test_two_backoffices_with_the_same_collection_names_share_an_app() -> None:
    app = Flask(__name__)
    first, second = make_backoffice(), make_backoffice()
    second.name = "other"
    first.build_routes(app)
    second.build_routes(app)
    client = app.test_client()
    create(client, {"name": "in first"}, "/myApp/users")
    assert client.get("/myApp/users").json["total"] == 1
    assert client.get("/other/users").json["total"] == 0
    assert {"myApp_users", "other_users"} <= set(app.blueprints)


def test_building_twice_on_one_app_is_refused() -> None:
    app = Flask(__name__)
    backoffice = make_backoffice()
    backoffice.build_routes(app)
    with pytest.raises(ValueError):
        backoffice.build_routes(app)


def test_endpoints_keep_0_2_1_names_inside_the_blueprint() -> None:
    client = serve(make_backoffice())
    endpoints = {rule.endpoint for rule in client.application.url_map.iter_rules()}
    expected = {
        f"myApp_users.{name}"
        for name in [
            "select",
            "create",
            "check",
            "meta",
            "get",
            "put",
            "patch_one",
            "delete",
            "go",
            "do_selection",
            "do_post_selection",
        ]
    }
    assert expected | {"_meta_myApp", "_openapi_myApp"} <= endpoints


def test_every_route_is_documented() -> None:
    assert {spec.endpoint for spec in ROUTES} == set(OPERATIONS)


def test_collections_are_routed_in_registration_order_with_add_routes() -> None:
    backoffice = Backoffice("shop")
    for name in ("b", "a"):
        backoffice.register_collection(Collection(name, Item({"n": String()}), DBMemoryConnector()))
    app = Flask(__name__)
    backoffice.add_routes(app, "/api/")
    assert [bp for bp in app.blueprints] == ["shop_b", "shop_a"]
    assert app.test_client().get("/api/shop/a").status_code == 200
