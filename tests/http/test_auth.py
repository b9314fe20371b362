"""``jwt_auth`` (a blueprint before_request hook) and the per-request current user, with pyjwt HS256."""

import datetime
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from flask import Flask, abort, jsonify, request
from flask.testing import FlaskClient

from backo import Backoffice, Collection, DBMemoryConnector, current_user

from .conftest import users_model

SECRET = "a-test-secret-of-at-least-32-bytes!!"
BASE = "/myApp/users"
ACCOUNTS = {
    "1": {"_id": "1", "login": "alice", "roles": ["ADMIN"]},
    "2": {"_id": "2", "login": "bob", "roles": []},
}


def token_for(user_id: str, lifetime: datetime.timedelta = datetime.timedelta(hours=1)) -> str:
    expires = datetime.datetime.now(datetime.UTC) + lifetime
    return jwt.encode({"exp": expires, "user_id": user_id}, SECRET, algorithm="HS256")


def check_user_token() -> Any:
    """The README's verify function: decode the cookie's token and set current_user."""
    token = request.cookies.get("jwt_token")
    if not token:
        return jsonify({"message": "Token is missing!"}), 401
    try:
        data = jwt.decode(token, SECRET, algorithms=["HS256"])
    except jwt.PyJWTError:
        return jsonify({"message": "Token is invalid!"}), 401
    current_user.set(ACCOUNTS[data["user_id"]])
    return None


class Spy:
    """Counts how often the collection is reached (through its read right)."""

    def __init__(self) -> None:
        self.calls = 0

    def read(self, right_name: str, o: Any) -> bool:
        self.calls += 1
        return True


@pytest.fixture
def spy() -> Spy:
    return Spy()


@pytest.fixture
def app(spy: Spy) -> Iterator[Flask]:
    """An app whose users may be modified by ADMINs only, behind :func:`check_user_token`."""
    current_user.standalone = False
    backoffice = Backoffice("myApp")
    backoffice.register_collection(
        Collection(
            "users",
            users_model(),
            DBMemoryConnector(),
            can_read=spy.read,
            can_modify=lambda right, o: current_user.has_role("ADMIN"),
        )
    )
    flask_app = Flask(__name__)
    backoffice.build_routes(flask_app, "", check_user_token)
    yield flask_app
    current_user.standalone = True


def logged_in(app: Flask, user_id: str | None, token: str | None = None) -> FlaskClient:
    client = app.test_client()
    if user_id is not None or token is not None:
        client.set_cookie("jwt_token", token or token_for(user_id))
    return client


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "Token is missing!"),
        ("not.a.token", "Token is invalid!"),
        (jwt.encode({"user_id": "1"}, "another-secret-of-at-least-32-bytes!", algorithm="HS256"), "Token is invalid!"),
        (token_for("1", datetime.timedelta(hours=-1)), "Token is invalid!"),
    ],
)
def test_requests_without_a_valid_token_never_reach_the_collection(
    app: Flask, spy: Spy, token: str | None, message: str
) -> None:
    client = logged_in(app, None, token)
    for method, path in [
        ("GET", BASE),
        ("POST", BASE),
        ("GET", f"{BASE}/x"),
        ("DELETE", f"{BASE}/x"),
        ("POST", f"{BASE}/_check"),
        ("GET", f"{BASE}/_selections/_all"),
    ]:
        response = client.open(path, method=method, json={"name": "x"} if method == "POST" else None)
        assert (response.status_code, response.json) == (401, {"message": message}), (method, path)
    assert spy.calls == 0


def test_meta_and_openapi_stay_public(app: Flask) -> None:
    client = logged_in(app, None)
    assert client.get("/myApp/_meta").status_code == 200
    assert client.get("/myApp/openapi").status_code == 200


def test_the_token_user_is_the_current_user_of_the_request(app: Flask) -> None:
    alice, bob = logged_in(app, "1"), logged_in(app, "2")
    created = alice.post(BASE, json={"name": "doc"}).json
    assert created["_meta"]["created_by"] == {"_id": "1", "login": "alice"}
    assert bob.get(f"{BASE}/{created['_id']}").status_code == 200
    refused = bob.put(f"{BASE}/{created['_id']}", json={"name": "by bob"})
    assert (refused.status_code, refused.text) == (
        403,
        'RightsError("No permission to modify element in collection users")',
    )
    changed = alice.put(f"{BASE}/{created['_id']}", json={"name": "by alice"}).json
    assert changed["_meta"]["modified_by"] == {"_id": "1", "login": "alice"}


def test_an_exception_in_jwt_auth_is_mapped_without_traceback(spy: Spy) -> None:
    def broken() -> None:
        raise RuntimeError("auth backend down")

    backoffice = Backoffice("myApp")
    backoffice.register_collection(Collection("users", users_model(), DBMemoryConnector(), can_read=spy.read))
    flask_app = Flask(__name__)
    backoffice.build_routes(flask_app, "", broken)
    response = flask_app.test_client().get(BASE)
    assert (response.status_code, response.text) == (500, "auth backend down")
    assert spy.calls == 0


def test_abort_in_jwt_auth_keeps_its_status(spy: Spy) -> None:
    def deny() -> None:
        abort(401, "who are you?")

    backoffice = Backoffice("myApp")
    backoffice.register_collection(Collection("users", users_model(), DBMemoryConnector(), can_read=spy.read))
    flask_app = Flask(__name__)
    backoffice.build_routes(flask_app, "", deny)
    response = flask_app.test_client().get(f"{BASE}/x")
    assert (response.status_code, response.text) == (401, "who are you?")
    assert spy.calls == 0
