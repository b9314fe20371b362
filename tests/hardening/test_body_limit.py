"""The default body limit (issue 14, point 5).

``build_routes`` sets Flask's ``MAX_CONTENT_LENGTH`` to 16 MiB when the application left it
unset (None), and keeps any value the application chose, larger or smaller. Bodies over
the limit answer 413 (werkzeug's message), whether they declare a ``Content-Length`` or
come chunked (checked on a real server: the test client always sends a length).
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, request

from backo import Backoffice, Collection, DBYmlConnector, Item, String, current_user
from backo.http.request import DEFAULT_MAX_CONTENT_LENGTH
from backo.storage.db import DBMemoryConnector
from testkit.hostile import chunked, http_request, multipart, raw_request
from tests.support.backends import serve_in_thread

APP = "limits"
DOCS = f"/{APP}/docs"
MIB = 1024 * 1024
JSON = {"Content-Type": "application/json"}
#: werkzeug's 413 description, sent as the body.
TOO_LARGE = "The data value transmitted exceeds the capacity limit."


def _app(connector: object | None = None, **config: object) -> Flask:
    current_user.standalone = True
    bo = Backoffice(APP)
    bo.register_collection(Collection("docs", Item({"name": String()}), connector or DBMemoryConnector()))
    app = Flask(__name__)
    app.config.update(config)
    bo.build_routes(app)
    return app


def _body_of(size: int) -> bytes:
    """A JSON object ``{"name": "xxx..."}`` of exactly ``size`` bytes."""
    overhead = len(json.dumps({"name": ""}))
    return json.dumps({"name": "x" * (size - overhead)}).encode()


def test_the_default_is_16_mib() -> None:
    assert DEFAULT_MAX_CONTENT_LENGTH == 16 * MIB
    app = Flask(__name__)
    assert app.config["MAX_CONTENT_LENGTH"] is None
    Backoffice(APP).build_routes(app)
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * MIB
    with app.test_request_context(DOCS):
        assert request.max_content_length == 16 * MIB


@pytest.mark.parametrize("value", [0, 1024, 16 * MIB, 64 * MIB, 2**40])
def test_an_application_limit_is_kept(value: int) -> None:
    assert _app(MAX_CONTENT_LENGTH=value).config["MAX_CONTENT_LENGTH"] == value


def test_a_second_backoffice_keeps_the_limit_and_the_limit_can_be_lifted_after() -> None:
    app = _app(MAX_CONTENT_LENGTH=64 * MIB)
    Backoffice("other").build_routes(app)
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * MIB
    app.config["MAX_CONTENT_LENGTH"] = None  # the documented way to have no limit at all
    with app.test_request_context(DOCS):
        assert request.max_content_length is None


@pytest.mark.timeout(60)
def test_a_body_at_the_default_limit_is_accepted_one_byte_more_is_a_413() -> None:
    client = _app().test_client()
    accepted = client.post(DOCS, data=_body_of(DEFAULT_MAX_CONTENT_LENGTH), headers=JSON)
    assert accepted.status_code == 200
    assert len(accepted.json["name"]) > 16 * MIB - 20
    refused = client.post(DOCS, data=_body_of(DEFAULT_MAX_CONTENT_LENGTH + 1), headers=JSON)
    assert (refused.status_code, refused.mimetype, refused.text) == (413, "text/plain", TOO_LARGE)
    assert client.get(DOCS).json["total"] == 1


def test_an_application_limit_applies_instead(tmp_path: Path) -> None:
    client = _app(DBYmlConnector(path=str(tmp_path / "docs")), MAX_CONTENT_LENGTH=1024).test_client()
    assert client.post(DOCS, data=_body_of(1024), headers=JSON).status_code == 200
    refused = client.post(DOCS, data=_body_of(1025), headers=JSON)
    assert (refused.status_code, refused.text) == (413, TOO_LARGE)
    refused = client.post(DOCS, **multipart({"_json": json.dumps({"name": "x" * 2000})}))
    assert (refused.status_code, refused.text) == (413, TOO_LARGE)
    assert len(list((tmp_path / "docs").glob("*.yml"))) == 1


def test_a_larger_application_limit_accepts_more() -> None:
    client = _app(MAX_CONTENT_LENGTH=DEFAULT_MAX_CONTENT_LENGTH + MIB).test_client()
    assert client.post(DOCS, data=_body_of(DEFAULT_MAX_CONTENT_LENGTH + 1), headers=JSON).status_code == 200


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[int, Flask]]:
    """An application with the default limit on a real server (werkzeug's, which reads chunked bodies)."""
    app = _app()
    with serve_in_thread(app) as port:
        yield port, app


def _multipart_bytes(size: int) -> tuple[bytes, str]:
    boundary = "limit-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n'.encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + b"x" * (size - len(head) - len(tail)) + tail, f"multipart/form-data; boundary={boundary}"


@pytest.mark.timeout(60)
def test_a_chunked_body_over_the_default_limit_is_a_413(served: tuple[int, Flask]) -> None:
    port, _ = served
    small = _body_of(1000)
    headers = {**JSON, "Transfer-Encoding": "chunked"}
    status, body = raw_request(port, http_request("POST", DOCS, chunked(small), headers))
    assert status == 200 and json.loads(body)["name"] == "x" * (1000 - len('{"name": ""}'))
    too_big = _body_of(DEFAULT_MAX_CONTENT_LENGTH + 100)
    status, body = raw_request(port, http_request("POST", DOCS, chunked(too_big, 65536), headers), timeout=30)
    assert (status, body.decode()) == (413, TOO_LARGE)


@pytest.mark.timeout(60)
def test_a_body_over_the_default_limit_with_a_content_length_is_a_413(served: tuple[int, Flask]) -> None:
    port, _ = served
    status, body = raw_request(port, http_request("POST", DOCS, _body_of(DEFAULT_MAX_CONTENT_LENGTH + 1), JSON))
    assert (status, body.decode()) == (413, TOO_LARGE)


@pytest.mark.timeout(60)
def test_a_chunked_multipart_body_over_the_default_limit_is_a_413(served: tuple[int, Flask]) -> None:
    port, _ = served
    data, content_type = _multipart_bytes(DEFAULT_MAX_CONTENT_LENGTH + 100)
    headers = {"Content-Type": content_type, "Transfer-Encoding": "chunked"}
    status, body = raw_request(port, http_request("POST", DOCS, chunked(data, 65536), headers), timeout=30)
    assert (status, body.decode()) == (413, TOO_LARGE)
