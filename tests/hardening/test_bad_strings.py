"""Strings that cannot be encoded (issue 14, point 3): lone surrogates such as ``"\\ud800"``.

JSON may spell a lone surrogate (``{"name": "\\ud800"}`` is valid JSON), but it is no text:
libyaml, BSON and the answer's encoder all refuse it. Through the routes, such a string
anywhere in a body (a value, a nested value, a list element, a key, the ``_json`` part of
a multipart body, a File's text content) answers 400 naming where it is, and nothing is
written; query strings and URL paths cannot carry one from the wire (werkzeug keeps
invalid bytes percent-encoded or replaces them), and query parameters built by code are
refused the same way. Through the Python API, the YAML and MongoDB stores raise DBError
with the stored document untouched; the memory store keeps the value as given.
"""

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from stricto import STypeError
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import BadRequest

from backo import (
    Action,
    Backoffice,
    Collection,
    DBYmlConnector,
    Dict,
    File,
    FileSystemConnector,
    FreeDict,
    Item,
    List,
    Selection,
    String,
    current_user,
)
from backo.error import DBError
from backo.http import views
from backo.http.query import check_encodable_args, parse_list_query
from backo.http.request import find_unencodable
from backo.http.routes import ROUTES
from backo.storage.db import DBMemoryConnector
from testkit.hostile import http_request, multipart, raw_request
from tests.support.backends import mongo_connector, serve_in_thread

APP = "bad"
DOCS = f"/{APP}/docs"
HIGH, LOW = "\ud800", "\udfff"
#: U+D800 as UTF-8-style bytes, percent-encoded: invalid UTF-8, which werkzeug keeps as it is.
ENCODED_SURROGATE = "%ED%A0%80"


def _refusal(path: str, what: str, character: str = HIGH) -> str:
    return f"{path}: {what} cannot be encoded in UTF-8 (it holds the lone surrogate \\u{ord(character):04x})"


def _touch(action: Any, item: Any, **kwargs: Any) -> None:
    item.name = action.note.get_value()
    item.save(**kwargs)


class App:
    """A backoffice "bad" on YAML files with a File field, an action and a selection."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "files").mkdir()
        self.bo = Backoffice(APP)
        self.docs = Collection(
            "docs",
            Item(
                {
                    "name": String(),
                    "tags": List(String()),
                    "addr": Dict({"city": String()}),
                    "free": FreeDict(),
                    "f": File(work_connector=FileSystemConnector(path=str(root / "files"))),
                }
            ),
            DBYmlConnector(path=str(root / "docs")),
        )
        self.bo.register_collection(self.docs)
        self.docs.register_action("touch", Action({"note": String()}, _touch))
        self.docs.register_selection("names", Selection(["$.name"]))
        self.id = self.docs.create({"name": "neil", "tags": ["a"], "f": "hello"})._id.get_value()
        self.app = Flask(__name__)
        self.bo.build_routes(self.app)
        self.client: FlaskClient = self.app.test_client()

    def state(self) -> dict[str, bytes]:
        """Every file under the root (documents and file contents), by relative path."""
        return {
            str(path.relative_to(self.root)): path.read_bytes()
            for path in sorted(self.root.rglob("*"))
            if path.is_file() and path.name != ".backo.lock"
        }


@pytest.fixture
def bad(tmp_path: Path) -> App:
    current_user.standalone = True
    return App(tmp_path)


# -- the table: routes x places ---------------------------------------------------------

#: Where a lone surrogate sits in a body: (label, body, path of the refusal, what, character).
PLACES: list[tuple[str, dict[str, Any], str, str, str]] = [
    ("value", {"name": HIGH}, "$.name", "the string", HIGH),
    ("low surrogate inside text", {"name": f"ab{LOW}cd"}, "$.name", "the string", LOW),
    ("nested value", {"addr": {"city": HIGH}}, "$.addr.city", "the string", HIGH),
    ("list element", {"tags": ["a", HIGH]}, "$.tags[1]", "the string", HIGH),
    ("key", {HIGH: 1}, "$", "a key", HIGH),
    ("nested key", {"free": {"ok": 1, LOW: 1}}, "$.free", "a key", LOW),
    ("file text content", {"f": HIGH}, "$.f", "the string", HIGH),
]


def _as_patch(body: dict[str, Any]) -> dict[str, Any]:
    return {"op": "replace", "path": "$.name", "value": body}


def _same(body: dict[str, Any]) -> dict[str, Any]:
    return body


#: Routes taking a body: (endpoint, method, URL, body wrapper, the wrapper's path prefix).
BODY_ROUTES: list[tuple[str, str, Callable[[App], str], Callable[[dict], dict], str]] = [
    ("create", "POST", lambda a: DOCS, _same, "$"),
    ("put", "PUT", lambda a: f"{DOCS}/{a.id}", _same, "$"),
    ("patch_one", "PATCH", lambda a: f"{DOCS}/{a.id}", _as_patch, "$.value"),
    ("check", "POST", lambda a: f"{DOCS}/_check", lambda body: {"item": body}, "$.item"),
    ("meta", "POST", lambda a: f"{DOCS}/_meta", _same, "$"),
    ("go", "POST", lambda a: f"{DOCS}/_actions/touch/{a.id}", _same, "$"),
    ("do_post_selection", "POST", lambda a: f"{DOCS}/_selections/names", _same, "$"),
]

TRANSPORTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    # json.dumps escapes the surrogate as \ud800: valid JSON that json.loads turns back into it
    "json": lambda body: {"data": json.dumps(body), "content_type": "application/json"},
    "multipart _json": lambda body: multipart({"_json": json.dumps(body)}),
}


def _joined(prefix: str, path: str) -> str:
    return prefix + path[1:]


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
@pytest.mark.parametrize(("endpoint", "method", "url", "wrap", "prefix"), BODY_ROUTES, ids=[r[0] for r in BODY_ROUTES])
@pytest.mark.parametrize(("place", "body", "path", "what", "character"), PLACES, ids=[p[0] for p in PLACES])
def test_a_lone_surrogate_in_a_body_is_a_400_naming_the_field_and_nothing_is_written(
    bad: App,
    endpoint: str,
    method: str,
    url: Callable[[App], str],
    wrap: Callable[[dict], dict],
    prefix: str,
    place: str,
    body: dict[str, Any],
    path: str,
    what: str,
    character: str,
    transport: str,
) -> None:
    before = bad.state()
    response = bad.client.open(url(bad), method=method, **TRANSPORTS[transport](wrap(body)))
    assert (response.status_code, response.mimetype) == (400, "text/plain")
    assert response.text == _refusal(_joined(prefix, path), what, character)
    assert bad.state() == before
    assert bad.docs.get_by_id(bad.id).name.get_value() == "neil"


def test_the_body_is_checked_before_anything_else_reads_it(bad: App) -> None:
    """An unknown key holding a surrogate used to be echoed in stricto's message: the
    answer itself could then not be encoded (Flask's HTML 500 page)."""
    response = bad.client.post(DOCS, data=json.dumps({HIGH: 1}), content_type="application/json")
    assert (response.status_code, response.text) == (400, _refusal("$", "a key"))


def test_the_first_bad_string_in_document_order_is_named(bad: App) -> None:
    body = {"name": "ok", "tags": ["x", "y", HIGH], "addr": {"city": LOW}}
    response = bad.client.post(DOCS, data=json.dumps(body), content_type="application/json")
    assert response.text == _refusal("$.tags[2]", "the string")


def test_a_list_body_names_the_element(bad: App) -> None:
    patches = [{"op": "replace", "path": "$.name", "value": "x"}, {"op": "replace", "path": "$.name", "value": HIGH}]
    response = bad.client.patch(f"{DOCS}/{bad.id}", data=json.dumps(patches), content_type="application/json")
    assert (response.status_code, response.text) == (400, _refusal("$[1].value", "the string"))


def test_a_valid_surrogate_pair_is_text(bad: App) -> None:
    """``\\ud83d\\ude00`` is one character (U+1F600): stored and read back."""
    response = bad.client.post(DOCS, data='{"name": "\\ud83d\\ude00"}', content_type="application/json")
    assert response.status_code == 200
    assert bad.client.get(f"{DOCS}/{response.json['_id']}").json["name"] == "\U0001f600"


# -- multipart fields and file names: werkzeug decodes them as text ------------------------


def _raw_multipart(headers: bytes, content: bytes) -> dict[str, Any]:
    body = b"--B\r\n" + headers + b"\r\n\r\n" + content + b"\r\n--B--\r\n"
    return {"data": body, "content_type": "multipart/form-data; boundary=B"}


def test_surrogate_bytes_in_a_multipart_field_become_replacement_characters(bad: App) -> None:
    response = bad.client.post(DOCS, **_raw_multipart(b'Content-Disposition: form-data; name="name"', b"\xed\xa0\x80"))
    assert response.status_code == 200
    assert response.json["name"] == "\ufffd\ufffd\ufffd"


@pytest.mark.parametrize(
    ("disposition", "stored"),
    [
        (b"form-data; name=\"f\"; filename*=UTF-8''%ED%A0%80.txt", "\ufffd\ufffd\ufffd.txt"),
        (b'form-data; name="f"; filename="\\ud800.txt"', "ud800.txt"),
    ],
    ids=["rfc5987", "escaped"],
)
def test_a_file_name_from_the_wire_holds_no_surrogate(bad: App, disposition: bytes, stored: str) -> None:
    """werkzeug decodes an RFC 5987 name as UTF-8 with replacement, and drops the
    backslash of a quoted one: a file name from the wire is always text."""
    response = bad.client.post(DOCS, **_raw_multipart(b"Content-Disposition: " + disposition, b"content"))
    assert response.status_code == 200
    assert bad.docs.db_handler.get_by_id(response.json["_id"])["f"]["filename"] == stored


def test_a_file_name_with_a_surrogate_is_named_by_the_guard() -> None:
    upload = FileStorage(io.BytesIO(b"x"), filename=f"{HIGH}.txt")
    assert find_unencodable({"sub": {"f": upload}}) == _refusal("$.sub.f", "the file name")
    assert find_unencodable({"sub": {"f": FileStorage(io.BytesIO(b"x"), filename="a.txt")}}) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", None),
        ({"a": [1, 2.5, None, True, "é", {"b": "\U0001f600"}]}, None),
        ((HIGH,), _refusal("$[0]", "the string")),
        ({"a": {"b": [[{"c": HIGH}]]}}, _refusal("$.a.b[0][0].c", "the string")),
        ({1: "x", "k": LOW}, _refusal("$.k", "the string", LOW)),
    ],
)
def test_find_unencodable(value: Any, expected: str | None) -> None:
    assert find_unencodable(value) == expected


def test_find_unencodable_shortens_long_paths_and_survives_deep_values() -> None:
    deep: Any = HIGH
    for _ in range(5000):
        deep = [deep]
    message = find_unencodable(deep)
    assert message is not None and message.startswith("$[0][0]") and "...: the string cannot" in message


# -- query strings and URL paths -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "total"),
    [
        (f"{DOCS}?name={ENCODED_SURROGATE}", 0),
        (f"{DOCS}?{ENCODED_SURROGATE}=1", 0),
        (f"{DOCS}?name.$reg={ENCODED_SURROGATE}", 0),
        (f"{DOCS}/_selections/names?name={ENCODED_SURROGATE}", 0),
        (f"{DOCS}?_view={ENCODED_SURROGATE}", 1),
    ],
)
def test_a_query_string_from_the_wire_cannot_carry_a_surrogate(bad: App, url: str, total: int) -> None:
    """werkzeug keeps invalid UTF-8 percent-encoded: the filter compares with that text."""
    response = bad.client.get(url)
    assert response.status_code == 200
    assert response.json["total"] == total


def _run_view_with_args(bad: App, view: Callable[[], Any], url: str, args: dict[str, str], **kwargs: Any) -> Any:
    """Run ``view`` in a request whose query parameters hold what ``args`` says (code can
    build such parameters; the wire cannot)."""
    with bad.app.test_request_context(url, **kwargs):
        request.args = MultiDict(args)  # type: ignore[misc]
        return view()


@pytest.mark.parametrize(
    ("label", "args", "message"),
    [
        ("filter value", {"name": HIGH}, 'Query parameter "name": the value'),
        ("filter key", {f"na{HIGH}me": "x"}, "Query string: a parameter name"),
        ("_page", {"_page": HIGH}, 'Query parameter "_page": the value'),
        ("_skip", {"_skip": LOW}, 'Query parameter "_skip": the value'),
        ("_view", {"_view": HIGH}, 'Query parameter "_view": the value'),
    ],
)
@pytest.mark.parametrize("route", ["select", "do_selection"])
def test_query_parameters_built_by_code_are_refused_naming_the_key(
    bad: App, route: str, label: str, args: dict[str, str], message: str
) -> None:
    def view() -> Any:
        if route == "select":
            return views.list_view(bad.docs)
        return bad.docs.do_selection("names")

    response = _run_view_with_args(bad, view, DOCS, args)
    character = "\\udfff" if LOW in "".join([*args, *args.values()]) else "\\ud800"
    assert response.status_code == 400
    expected = f"{message} cannot be encoded in UTF-8 (it holds the lone surrogate {character})"
    assert response.get_data(as_text=True) == expected


@pytest.mark.parametrize("endpoint", ["create", "put", "patch_one"])
def test_a_bad_view_parameter_is_refused_before_writing(bad: App, endpoint: str) -> None:
    before = bad.state()
    requests: dict[str, tuple[dict[str, Any], Callable[[], Any]]] = {
        "create": ({"method": "POST", "json": {"name": "new"}}, lambda: views.create_view(bad.docs)),
        "put": ({"method": "PUT", "json": {"name": "new"}}, lambda: views.put_view(bad.docs, bad.id)),
        "patch_one": (
            {"method": "PATCH", "json": {"op": "replace", "path": "$.name", "value": "new"}},
            lambda: views.patch_view(bad.docs, bad.id),
        ),
    }
    kwargs, view = requests[endpoint]
    response = _run_view_with_args(bad, view, DOCS, {"_view": HIGH}, **kwargs)
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith('Query parameter "_view": the value cannot be encoded')
    assert bad.state() == before


def test_check_encodable_args_and_parse_list_query() -> None:
    check_encodable_args(MultiDict({"name": "é", "_page": "2"}))
    with pytest.raises(BadRequest) as refused:
        parse_list_query(MultiDict({"a": "1", "b": ["ok", HIGH]}))
    assert refused.value.code == 400
    assert refused.value.description == _refusal('Query parameter "b"', "the value")


# -- every route x every place: no 5xx -----------------------------------------------------


def _every_request(bad: App) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(endpoint, place, method, client kwargs) for every route of ROUTES and the two
    application routes, with a lone surrogate in every place the route reads."""
    one = f"{DOCS}/{bad.id}"
    for endpoint, method, url, wrap, _ in BODY_ROUTES:
        for place, body, *_ in PLACES:
            for transport, encode in TRANSPORTS.items():
                yield endpoint, f"{place} ({transport})", method, {"path": url(bad), **encode(wrap(body))}
    queries = [f"name={ENCODED_SURROGATE}", f"{ENCODED_SURROGATE}=1", f"_view={ENCODED_SURROGATE}"]
    gets = {
        "select": DOCS,
        "get": one,
        "get_path": f"{one}/f",
        "do_selection": f"{DOCS}/_selections/names",
        "_meta": f"/{APP}/_meta",
        "_openapi": f"/{APP}/openapi",
    }
    for endpoint, url in gets.items():
        for query in queries:
            yield endpoint, f"query {query}", "GET", {"path": f"{url}?{query}"}
    yield "delete", "query", "DELETE", {"path": f"{DOCS}/nothing?name={ENCODED_SURROGATE}"}
    for endpoint, method, url in [
        ("get", "GET", f"{DOCS}/{ENCODED_SURROGATE}"),
        ("delete", "DELETE", f"{DOCS}/{ENCODED_SURROGATE}"),
        ("put", "PUT", f"{DOCS}/{ENCODED_SURROGATE}"),
        ("get_path", "GET", f"{one}/{ENCODED_SURROGATE}"),
        ("go", "POST", f"{DOCS}/_actions/{ENCODED_SURROGATE}/{bad.id}"),
        ("do_selection", "GET", f"{DOCS}/_selections/{ENCODED_SURROGATE}"),
        ("do_post_selection", "POST", f"{DOCS}/_selections/{ENCODED_SURROGATE}"),
    ]:
        yield endpoint, "URL path", method, {"path": url, "json": {"name": "x"}}
    for endpoint, method, url in [("create", "POST", DOCS), ("put", "PUT", one)]:
        yield (
            endpoint,
            "multipart field",
            method,
            {
                "path": url,
                **_raw_multipart(b'Content-Disposition: form-data; name="addr.city"', b"\xed\xa0\x80"),
            },
        )
        yield (
            endpoint,
            "multipart file name",
            method,
            {
                "path": url,
                **_raw_multipart(b"Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%ED%A0%80", b"x"),
            },
        )


@pytest.mark.timeout(120)
def test_no_route_answers_5xx_to_lone_surrogates(bad: App) -> None:
    covered, failures, count = set(), [], 0
    for endpoint, place, method, kwargs in _every_request(bad):
        response = bad.client.open(method=method, buffered=True, **kwargs)  # downloads stream
        response.close()
        count += 1
        covered.add(endpoint)
        if response.status_code >= 500:
            failures.append(f"{method} {kwargs['path']} [{endpoint} / {place}]: {response.status_code}")
    assert failures == []
    assert covered == {spec.endpoint for spec in ROUTES} | {"_meta", "_openapi"}
    assert count == 7 * 7 * 2 + 6 * 3 + 1 + 7 + 2 * 2


@pytest.mark.timeout(30)
def test_over_a_real_server(bad: App) -> None:
    with serve_in_thread(bad.app) as port:
        status, body = raw_request(
            port, http_request("POST", DOCS, b'{"tags": ["\\ud800"]}', {"Content-Type": "application/json"})
        )
        assert (status, body.decode()) == (400, _refusal("$.tags[0]", "the string"))
        status, body = raw_request(port, http_request("GET", f"{DOCS}?name={ENCODED_SURROGATE}"))
        assert status == 200 and json.loads(body)["total"] == 0
        multipart_body = b'--B\r\nContent-Disposition: form-data; name="_json"\r\n\r\n{"name": "\\udfff"}\r\n--B--\r\n'
        status, body = raw_request(
            port, http_request("POST", DOCS, multipart_body, {"Content-Type": "multipart/form-data; boundary=B"})
        )
        assert (status, body.decode()) == (400, _refusal("$.name", "the string", LOW))


# -- the Python API ------------------------------------------------------------------------


#: The places a model lets reach the store (an unknown key is stricto's SAttributeError first).
STORED_PLACES = [place for place in PLACES if place[0] not in ("key", "file text content")]


@pytest.mark.parametrize(
    ("place", "body", "path", "what", "character"), STORED_PLACES, ids=[p[0] for p in STORED_PLACES]
)
def test_yaml_create_raises_dberror_and_writes_nothing(
    bad: App, place: str, body: dict[str, Any], path: str, what: str, character: str
) -> None:
    before = bad.state()
    with pytest.raises(DBError) as refused:
        bad.docs.create(body)
    assert "a string is not text" in str(refused.value) and "surrogates not allowed" in str(refused.value)
    assert bad.state() == before


def test_yaml_save_raises_dberror_and_keeps_the_stored_document(bad: App) -> None:
    before = bad.state()
    item = bad.docs.get_by_id(bad.id)
    item.name = f"x{HIGH}"
    with pytest.raises(DBError, match="a string is not text"):
        item.save()
    assert bad.state() == before
    assert bad.docs.get_by_id(bad.id).name.get_value() == "neil"


def test_a_file_text_content_with_a_surrogate_is_a_stricto_type_error(bad: App) -> None:
    before = bad.state()
    with pytest.raises(STypeError, match=r"The text content cannot be encoded in UTF-8 \(it holds the lone surrogate"):
        bad.docs.create({"name": "x", "f": HIGH})
    assert bad.state() == before


def test_a_file_name_with_a_surrogate_on_yaml_leaves_no_file(bad: App) -> None:
    before = bad.state()
    with pytest.raises(DBError, match="a string is not text"):
        bad.docs.create({"name": "x", "f": FileStorage(io.BytesIO(b"content"), filename=f"{HIGH}.txt")})
    assert bad.state() == before


def _collection(connector: Any) -> Collection:
    current_user.standalone = True
    bo = Backoffice("api")
    collection = Collection("docs", Item({"name": String(), "free": FreeDict()}), connector)
    bo.register_collection(collection)
    return collection


def test_mongo_create_and_save_raise_dberror_and_keep_the_stored_document() -> None:
    with mongo_connector() as connector:
        docs = _collection(connector)
        inserting = r'Mongo connection error while "test_\w+\.insert_one\(\)": a string is not text'
        with pytest.raises(DBError, match=inserting):
            docs.create({"name": HIGH})
        with pytest.raises(DBError, match="a string is not text"):
            docs.create({"free": {HIGH: 1}})
        item = docs.create({"name": "neil"})
        item.name = HIGH
        with pytest.raises(DBError, match=r'"test_\w+\.replace_one\(\)": a string is not text'):
            item.save()
        stored = connector.select(None)
        assert [document["name"] for document in stored] == ["neil"]  # mongomock used to empty it


def test_memory_keeps_a_surrogate_as_given() -> None:
    """The memory store encodes nothing: Python values stay Python values (a choice; the
    routes refuse them before any store sees them)."""
    docs = _collection(DBMemoryConnector())
    item = docs.create({"name": HIGH})
    assert docs.get_by_id(item._id.get_value()).name.get_value() == HIGH
