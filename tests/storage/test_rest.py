"""DBRestfullConnector (backo/storage/db/rest.py) against a small API served on 127.0.0.1.

The API records every request it receives, so the tests read what went on the wire.
"""

import inspect
from collections.abc import Iterator
from typing import Any

import backo.db_restfull_connector
import pytest
import requests
import requests.exceptions
from flask import Flask, request

from backo.error import DBError, NotFoundError
from backo.storage.db import DBRestfullConnector
from backo.storage.db.rest import _rest_errors
from tests.support.backends import closed_port, serve_in_thread

BODIES: dict[str, Any] = {
    "empty": "",
    "list": [{"_id": "1", "n": 1}, {"_id": "2", "n": 2}],
    "result": {"result": [{"_id": "1", "n": 1}], "total": 1, "_skip": 0, "_page": 10},
    "object": {"a": 1},
    "text": "hello",
    "noid": {"x": 1},
    "nullid": {"_id": None},
}
METHODS = ["GET", "POST", "PUT", "DELETE"]


def _api() -> tuple[Flask, list[dict[str, Any]]]:
    """An API under /v1: ``echo/...`` answers 200, ``status/<code>`` that status,
    ``bodies/<kind>`` one of BODIES. Every request is recorded."""
    app = Flask("rest_test_api")
    seen: list[dict[str, Any]] = []

    @app.before_request
    def record() -> None:
        seen.append(
            {
                "method": request.method,
                "uri": request.environ.get("REQUEST_URI"),
                "args": request.args.to_dict(flat=False),
                "authorization": request.headers.get("Authorization"),
                "json": request.get_json(silent=True),
            }
        )

    @app.route("/v1/echo", defaults={"rest": ""}, methods=METHODS)
    @app.route("/v1/echo/<path:rest>", methods=METHODS)
    def echo(rest: str) -> dict[str, Any]:
        return {"_id": "echoed", "rest": rest}

    @app.route("/v1/status/<int:code>", methods=METHODS)
    def status(code: int) -> tuple[str, int]:
        return ("" if code == 204 else "answer"), code

    @app.route("/v1/bodies/<kind>", methods=METHODS)
    def bodies(kind: str) -> tuple[str, int]:
        body = BODIES[kind]
        return (body if isinstance(body, str) else app.json.dumps(body)), 200

    return app, seen


class Api(DBRestfullConnector):
    """A concrete connector: drop refused, select on the endpoint it is given."""

    def drop(self, **kwargs: Any) -> None:
        raise DBError("no drop")

    def select(self, select_filter: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return super().select(select_filter, *args, **kwargs)


class Cleaning(Api):
    """An Api whose objects are reshaped by the _clean_data hook."""

    def _clean_data(self, data: Any) -> Any:
        return {**data, "cleaned": True}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    app, seen = _api()
    with serve_in_thread(app) as port:
        yield port, seen


@pytest.fixture
def seen(served: tuple[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    served[1].clear()
    return served[1]


@pytest.fixture
def api(served: tuple[int, list[dict[str, Any]]]) -> Iterator[Api]:
    connector = Api(host="127.0.0.1", port=served[0], prefix="/v1/")
    yield connector
    connector.close()


def test_it_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        DBRestfullConnector()  # type: ignore[abstract]
    assert backo.db_restfull_connector.DBRestfullConnector is DBRestfullConnector


@pytest.mark.parametrize(
    ("kwargs", "uri"),
    [
        ({}, "http://localhost/api/v1"),
        (
            {"tls": True, "host": "h", "prefix": "", "username": "u", "password": "p"},
            "https://u:p@h",
        ),
        (
            {"host": "127.0.0.1", "port": 5999, "prefix": "/api/remote/"},
            "http://127.0.0.1:5999/api/remote",
        ),
        ({"username": "u", "prefix": "a/b"}, "http://u@localhost/a/b"),
        ({"password": "p"}, "http://localhost/api/v1"),
        (
            {"username": "me@home", "password": "p:w/d"},
            "http://me%40home:p%3Aw%2Fd@localhost/api/v1",
        ),
        ({"host": None}, "http://localhost/api/v1"),
    ],
)
def test_base_uri(kwargs: dict[str, Any], uri: str) -> None:
    connector = Api(**kwargs)
    assert connector._uri == uri
    connector.close()


def test_options_and_their_defaults() -> None:
    connector = Api(unknown="ignored")
    assert (connector.host, connector.port, connector.tls, connector.validate_cert) == (
        "localhost", None, False, True,
    )  # fmt: skip
    assert (connector.prefix, connector.username, connector.password, connector.auth_token) == (
        "api/v1", None, None, None,
    )  # fmt: skip
    assert connector.restriction_filter is None
    connector.close()
    with pytest.raises(TypeError, match='key "port" must be'):
        Api(port="80")
    with pytest.raises(DBError, match="Restriction filter not implemented for rest"):
        Api(restriction=lambda: {"owner": "me"})


# -- what goes on the wire ----------------------------------------------------------------


def test_each_operation_sends_one_request(api: Api, seen: list[dict[str, Any]]) -> None:
    assert api.create({"a": 1}, endpoint="echo") == "echoed"
    api.save("7", {"a": 2}, endpoint="/echo/")
    assert api.get_by_id("7", endpoint="echo") == {"_id": "echoed", "rest": "7"}
    assert api.delete_by_id("7", endpoint="echo") is True
    assert [(r["method"], r["uri"], r["json"]) for r in seen] == [
        ("POST", "/v1/echo", {"a": 1}),
        ("PUT", "/v1/echo/7", {"a": 2}),
        ("GET", "/v1/echo/7", None),
        ("DELETE", "/v1/echo/7", None),
    ]
    assert all(r["authorization"] is None for r in seen)


def test_endpoint_options(api: Api, seen: list[dict[str, Any]]) -> None:
    api.get_by_id("a b/c", endpoint="echo", query_options={"q": "1", "l": ["x", "y"]})
    api.get_by_id("ignored", endpoint="echo", url_parameters=["p1", "p 2", 3])
    api.create({"a": 1}, endpoint="echo", method="GET", data={"other": True})  # both ignored
    assert [(r["method"], r["uri"]) for r in seen] == [
        ("GET", "/v1/echo/a%20b%2Fc?q=1&l=x&l=y"),
        ("GET", "/v1/echo/p1/p%202/3"),
        ("POST", "/v1/echo"),
    ]
    assert seen[2]["json"] == {"a": 1}


def test_authentication(served: tuple[int, list[dict[str, Any]]], seen: list[dict[str, Any]]) -> None:
    with_token = Api(host="127.0.0.1", port=served[0], prefix="v1", auth_token="t0k")
    with_password = Api(host="127.0.0.1", port=served[0], prefix="v1", username="u", password="p")
    with_token.get_by_id("1", endpoint="echo")
    with_password.get_by_id("1", endpoint="echo")
    assert [r["authorization"] for r in seen] == ["Bearer t0k", "Basic dTpw"]
    with_token.close()
    with_password.close()


def test_certificates_are_checked_only_with_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []

    def capture(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        sent.append(kwargs)
        raise requests.ConnectionError("not sent")

    monkeypatch.setattr(requests.Session, "request", capture)
    for connector in (Api(), Api(tls=True, validate_cert=False)):
        with pytest.raises(DBError):
            connector.get_by_id("1")
        connector.close()
    assert sent[0]["verify"] is None and sent[1]["verify"] is False  # None: requests' default
    assert sent[0]["timeout"] == sent[1]["timeout"] == 30


# -- answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda api: api.create({}, endpoint="status/404"), NotFoundError, 'Create endpoint "status/404" not found'),
        (lambda api: api.create({}, endpoint="status/500"), DBError, 'Endpoint "status/500" error'),
        (lambda api: api.create({}, endpoint="status/204"), DBError, 'REST API returned status "204" while creating object'),
        (lambda api: api.create({}, endpoint="bodies/noid"), DBError, "REST API create response does not contain _id"),
        (lambda api: api.create({}, endpoint="bodies/nullid"), DBError, "REST API create response does not contain _id"),
        (lambda api: api.create({}, endpoint="bodies/list"), DBError, "REST API create response does not contain _id"),
        (lambda api: api.save("x", {}, endpoint="status", url_parameters=["404"]), NotFoundError, '_id "x" not found'),
        (lambda api: api.save("x", {}, endpoint="status", url_parameters=["403"]), DBError, 'Endpoint "status" error'),
        (lambda api: api.save("x", {}, endpoint="status", url_parameters=["204"]), DBError, 'REST API returned status "204" while saving object "x'),
        (lambda api: api.get_by_id("x", endpoint="status", url_parameters=["404"]), NotFoundError, '_id "x" not found'),
        (lambda api: api.get_by_id("x", endpoint="status", url_parameters=["201"]), DBError, 'REST API returned status "201" while getting object "x'),
        (lambda api: api.get_by_id("x", endpoint="bodies", url_parameters=["list"]), DBError, 'REST API returned no object for _id "x"'),
        (lambda api: api.delete_by_id("x", endpoint="status", url_parameters=["404"]), NotFoundError, '_id "x" not found'),
        (lambda api: api.delete_by_id("x", endpoint="status", url_parameters=["201"]), DBError, 'REST API returned status "201" while saving object "x'),
        (lambda api: api.select(None, endpoint="status/404"), NotFoundError, 'Endpoint "status/404" not found'),
        (lambda api: api.select(None, endpoint="status/502"), DBError, 'Endpoint "status/502" error'),
        (lambda api: api.select(None, endpoint="status/201"), DBError, 'selection error "201"'),
        (lambda api: api.select(None, endpoint="bodies/object"), DBError, 'select endpoint "bodies/object" return non understandable dict'),
        (lambda api: api.select(None, endpoint="bodies/text"), DBError, 'select endpoint "bodies/text" return non understandable dict'),
    ],
)  # fmt: skip
def test_error_answers(api: Api, call: Any, error: type[DBError], message: str) -> None:
    with pytest.raises(error) as raised:
        call(api)
    assert raised.value.to_string() == message
    assert type(raised.value) is error


def test_http_errors_are_chained(api: Api) -> None:
    with pytest.raises(DBError) as raised:
        api.get_by_id("x", endpoint="status", url_parameters=["500"])
    cause = raised.value.__cause__
    assert isinstance(cause, requests.HTTPError) and cause.response is not None
    assert cause.response.status_code == 500


def test_delete_accepts_204(api: Api) -> None:
    assert api.delete_by_id("x", endpoint="status", url_parameters=["204"]) is True


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("empty", []), ("list", BODIES["list"]), ("result", BODIES["result"]["result"])],
)
def test_select_answers(api: Api, kind: str, expected: list[Any]) -> None:
    assert api.select({"ignored": 1}, {"n": 1}, 1, 1, {"n": -1}, endpoint=f"bodies/{kind}") == expected


def test_clean_data_reshapes_what_is_read(served: tuple[int, list[dict[str, Any]]]) -> None:
    connector = Cleaning(host="127.0.0.1", port=served[0], prefix="v1")
    assert connector.get_by_id("1", endpoint="echo")["cleaned"] is True
    assert all(element["cleaned"] for element in connector.select(None, endpoint="bodies/list"))
    connector.close()


def test_connection_refused_is_a_dberror() -> None:
    connector = Api(host="127.0.0.1", port=closed_port(), prefix="v1")
    with pytest.raises(DBError, match='Endpoint "things" error') as raised:
        connector.get_by_id("1", endpoint="things")
    assert isinstance(raised.value.__cause__, requests.ConnectionError)
    connector.close()


# -- the error translator -----------------------------------------------------------------


def _requests_error_classes() -> list[type[BaseException]]:
    return [
        value
        for _, value in inspect.getmembers(requests.exceptions, inspect.isclass)
        if value.__module__ == "requests.exceptions"
        and issubclass(value, BaseException)
        and not issubclass(value, Warning)
    ]


@pytest.mark.parametrize("error_class", _requests_error_classes(), ids=lambda cls: cls.__name__)
def test_every_requests_error_is_mapped(error_class: type[BaseException]) -> None:
    assert issubclass(error_class, requests.RequestException)
    try:
        error = error_class("failure")
    except TypeError:  # JSONDecodeError takes json.JSONDecodeError's (msg, doc, pos)
        error = error_class("failure", "{", 0)
    with (
        pytest.raises(DBError, match='Endpoint "books" error') as raised,
        _rest_errors("books", ("unused",)),
    ):
        raise error
    assert raised.value.__cause__ is error
    assert type(raised.value) is DBError


def test_a_404_is_a_notfounderror() -> None:
    response = requests.Response()
    response.status_code = 404
    error = requests.HTTPError("404", response=response)
    with (
        pytest.raises(NotFoundError, match='_id "9" not found') as raised,
        _rest_errors("books", ('_id "{0}" not found', "9")),
    ):
        raise error
    assert raised.value.__cause__ is error
