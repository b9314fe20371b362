"""``Backoffice.init_app(app)``: build_routes with its settings from ``app.config``, state in ``app.extensions``."""

import pytest
from flask import Flask
from stricto import SSyntaxError

from backo import Action, Backoffice, Collection, DBMemoryConnector, Item, String
from backo.http.app_config import BackoState, find_backoffice


def shop() -> Backoffice:
    bo = Backoffice("shop")
    books = Collection("books", Item({"title": String()}), DBMemoryConnector())
    books.register_action("promote", Action({}, lambda *_: None, can_execute=lambda *_: False))
    bo.register_collection(books)
    return bo


def refuse() -> dict:
    """A jwt_auth hook that answers every request itself."""
    return {"error": "no token"}


def test_without_config_it_serves_what_build_routes_serves() -> None:
    app, bo = Flask(__name__), shop()
    bo.init_app(app)
    client = app.test_client()
    assert client.post("/shop/books", json={"title": "Dune"}).status_code == 200
    assert client.get("/shop/books").get_json()["total"] == 1
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024  # build_routes' default body limit
    state = app.extensions["backo"]
    assert isinstance(state, BackoState) and state.backoffices == {"shop": bo} and state.prefixes == {"shop": ""}
    assert find_backoffice(app) is bo


def test_the_config_keys_set_the_prefix_the_hook_the_rights_and_the_body_limit() -> None:
    app, bo = Flask(__name__), shop()
    app.config.update(
        BACKO_URL_PREFIX="/api/v1",
        BACKO_JWT_AUTH="tests.http.test_init_app:refuse",
        BACKO_ENFORCE_RIGHTS=True,
        MAX_CONTENT_LENGTH=100,
    )
    bo.init_app(app)
    client = app.test_client()
    assert client.get("/shop/books").status_code == 404
    assert client.get("/api/v1/shop/books").get_json() == {"error": "no token"}
    assert client.get("/api/v1/shop/_meta").status_code == 200  # not behind jwt_auth, as with build_routes
    assert bo.enforce_rights is True
    assert app.config["MAX_CONTENT_LENGTH"] == 100  # the application's limit is kept
    assert app.extensions["backo"].prefixes == {"shop": "/api/v1"}


def test_a_callable_hook_and_a_false_flag_are_taken_as_they_are() -> None:
    app, bo = Flask(__name__), Backoffice("shop", enforce_rights=True)
    bo.register_collection(Collection("books", Item({"title": String()}), DBMemoryConnector()))
    app.config.update(BACKO_JWT_AUTH=refuse, BACKO_ENFORCE_RIGHTS=False)
    bo.init_app(app)
    assert bo.enforce_rights is False
    assert app.test_client().get("/shop/books").get_json() == {"error": "no token"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"BACKO_URL_PREFIX": 3}, 'app.config["BACKO_URL_PREFIX"] must be a str, not int'),
        ({"BACKO_ENFORCE_RIGHTS": "yes"}, 'app.config["BACKO_ENFORCE_RIGHTS"] must be a bool, not str'),
        ({"BACKO_ADMIN": 1}, 'app.config["BACKO_ADMIN"] must be a bool, not int'),
        ({"BACKO_JWT_AUTH": 3}, 'app.config["BACKO_JWT_AUTH"] must be callable or "module:function"'),
        ({"BACKO_JWT_AUTH": "tests.nowhere:hook"}, 'app.config["BACKO_JWT_AUTH"]: cannot import "tests.nowhere:hook"'),
    ],
)
def test_a_key_of_the_wrong_type_is_refused_before_any_route_is_added(config: dict, message: str) -> None:
    app = Flask(__name__)
    app.config.update(config)
    with pytest.raises(SSyntaxError) as raised:
        shop().init_app(app)
    assert message in raised.value.to_string()
    assert not any(rule.rule.startswith("/shop") for rule in app.url_map.iter_rules())
    assert "backo" not in app.extensions


def test_several_backoffices_share_one_application() -> None:
    app, first, second = Flask(__name__), shop(), Backoffice("other")
    second.register_collection(Collection("things", Item({"name": String()}), DBMemoryConnector()))
    first.init_app(app)
    second.init_app(app)
    assert list(app.extensions["backo"].backoffices) == ["shop", "other"]
    assert find_backoffice(app, "other") is second
    with pytest.raises(LookupError, match="several backoffices"):
        find_backoffice(app)
    with pytest.raises(ValueError):  # Flask: the same routes twice
        first.init_app(app)
