"""Hostile requests, shared by ``tests/hardening/test_hostile_input.py`` and ``benchmarks/hardening.py``.

:func:`build_hostile_app` serves a backoffice "hostile" on YAML stores; :func:`hostile_cases`
lists requests a client may send to hurt it (path traversal in ids and Ref values, NUL
bytes, 100 KB strings, JSON bombs, oversized bodies, wrong content types, protected
fields...), each with the statuses it may get. :func:`judge` sends one and returns what
went wrong: a status outside the allowed ones, an empty message, a write, a server that
stopped answering.
"""

import json
import random
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from flask import Flask
from flask.testing import FlaskClient

from backo import (
    Action,
    Backoffice,
    Collection,
    DBYmlConnector,
    DeleteStrategy,
    FreeDict,
    Int,
    Item,
    List,
    Ref,
    RefsList,
    Selection,
    String,
)
from testkit.scenarios import describe_difference

APP = "hostile"
BASE = f"/{APP}/users"
ADDRS = f"/{APP}/addrs"
#: The application's body limit in these tests (Flask's MAX_CONTENT_LENGTH).
BODY_LIMIT = 1024 * 1024
LONG = "x" * 100_000
DEEP_KEY = ".".join(["a"] * 1000)
NUMBER_100K_DIGITS = "1" + "0" * 100_000


def _touch(action: Any, item: Any, **kwargs: Any) -> None:
    item.name = action.note.get_value()
    item.save(**kwargs)


def build_hostile_backoffice(root: str | Path) -> Backoffice:
    """Users (a read-only field, a Ref, a FreeDict...) and addrs (the reverse RefsList)."""
    root = Path(root)
    bo = Backoffice(APP)
    users = Collection(
        "users",
        Item(
            {
                "name": String(),
                "ro": String(can_modify=False, default="fixed"),
                "age": Int(),
                "tags": List(String()),
                "free": FreeDict(),
                "addr": Ref(coll="addrs", field="$.users"),
            }
        ),
        DBYmlConnector(path=str(root / "users")),
    )
    bo.register_collection(users)
    bo.register_collection(
        Collection(
            "addrs",
            Item(
                {
                    "name": String(),
                    "users": RefsList(coll="users", field="$.addr", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS),
                }
            ),
            DBYmlConnector(path=str(root / "addrs")),
        )
    )
    users.register_action("touch", Action({"note": String()}, _touch))
    users.register_selection("names", Selection(["$.name"]))
    return bo


def build_hostile_app(
    root: str | Path, body_limit: int | None = BODY_LIMIT
) -> tuple[Flask, Backoffice, dict[str, str]]:
    """The app, its backoffice, and the ids of an addr, a user living there, and a decoy file.

    The decoy ``<root>/outside.yml`` is a valid addr document outside the addrs folder: a
    Ref value reaching it (``../outside``) would link to it and rewrite it.
    """
    root = Path(root)
    bo = build_hostile_backoffice(root)
    addr = bo.addrs.create({"name": "home"})._id.get_value()
    user = bo.users.create({"name": "neil", "age": 40, "addr": addr, "tags": ["a"], "free": {"k": 1}})._id.get_value()
    outside = root / "outside.yml"
    outside.write_text(yaml.safe_dump({"_id": "outside", "name": "decoy", "users": []}), encoding="utf-8")
    app = Flask(__name__)
    if body_limit is not None:
        app.config["MAX_CONTENT_LENGTH"] = body_limit
    bo.build_routes(app)
    return app, bo, {"addr": addr, "user": user, "root": str(root), "outside": str(outside)}


def store_state(bo: Backoffice, ids: dict[str, str]) -> dict[str, Any]:
    """Every document, every file name, and the decoy file's bytes."""
    state: dict[str, Any] = {}
    for name, coll in bo.collections.items():
        documents = {document["_id"]: document for document in coll.db_handler.select(None)}
        files = sorted(path.name for path in Path(coll.db_handler.path).iterdir() if path.name != ".backo.lock")
        state[name] = {"documents": documents, "files": files}
    state["outside"] = Path(ids["outside"]).read_bytes()
    return state


@dataclass(frozen=True)
class Case:
    """One hostile request and the statuses it may get."""

    name: str
    method: str
    path: str
    #: keyword arguments of ``FlaskClient.open`` (json=..., data=..., content_type=...)
    kwargs: dict[str, Any] = field(default_factory=dict)
    allowed: frozenset[int] = frozenset({400})
    #: for a 200 that is allowed (a filter matching nothing): the total it must report
    total: int | None = None
    #: a defect of code outside this suite's reach that makes the case fail today
    known_bug: str | None = None


def _json_body(text: str | bytes) -> dict[str, Any]:
    return {"data": text, "content_type": "application/json"}


def multipart(fields: dict[str, str]) -> dict[str, Any]:
    """A multipart/form-data body, encoded here (werkzeug's test client spools big ones to a
    temporary file it never closes: a ResourceWarning)."""
    boundary = "hardening-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def hostile_cases(ids: dict[str, str]) -> list[Case]:
    """Every hostile request of the table, for the app of :func:`build_hostile_app`."""
    user, outside = ids["user"], ids["outside"]
    one = f"{BASE}/{user}"
    outside_id = str(Path(outside).with_suffix(""))
    cases: list[Case] = []
    not_found = frozenset({404})
    # an encoded "/" in an id is a path separator for the router: "a/b" may reach the
    # download route (GET) and answer 405 for the other methods (Flask's page)
    refused_id = frozenset({404, 405})

    # ids in the URL: traversal, absolute paths, NUL, 100 KB
    for label, raw in [
        ("dotdot", quote("../../outside", safe="")),
        ("dotdot-outside", quote("../outside", safe="")),
        ("dotdot-alone", ".."),
        ("dot", "."),
        ("absolute", quote(outside_id, safe="")),
        ("backslash", quote("..\\..\\outside", safe="")),
        ("nul", "a%00b"),
        ("nul-only", "%00"),
        ("long", LONG),
    ]:
        cases += [
            Case(f"id-{label}-get", "GET", f"{BASE}/{raw}", allowed=refused_id),
            Case(f"id-{label}-put", "PUT", f"{BASE}/{raw}", {"json": {"name": "x"}}, allowed=refused_id),
            Case(
                f"id-{label}-patch",
                "PATCH",
                f"{BASE}/{raw}",
                {"json": {"op": "replace", "path": "$.name", "value": "x"}},
                allowed=refused_id,
            ),
            Case(f"id-{label}-delete", "DELETE", f"{BASE}/{raw}", allowed=refused_id),
            Case(
                f"id-{label}-action",
                "POST",
                f"{BASE}/_actions/touch/{raw}",
                {"json": {"note": "x"}},
                allowed=refused_id,
            ),
        ]

    # Ref and RefsList values: traversal, absolute paths, NUL, 100 KB
    for label, value in [
        ("dotdot", "../outside"),
        ("dotdot-deep", "../../../../../../../../etc/passwd"),
        ("absolute", outside_id),
        ("dotdot-alone", ".."),
        ("nul", "a\x00b"),
        ("nul-traversal", "../outside\x00"),
        ("long", LONG),
    ]:
        cases += [
            Case(f"ref-{label}-post", "POST", BASE, {"json": {"name": "x", "addr": value}}, allowed=not_found),
            Case(f"ref-{label}-put", "PUT", one, {"json": {"addr": value}}, allowed=not_found),
            Case(
                f"ref-{label}-patch",
                "PATCH",
                one,
                {"json": {"op": "replace", "path": "$.addr", "value": value}},
                allowed=not_found,
            ),
            Case(f"refslist-{label}-post", "POST", ADDRS, {"json": {"name": "x", "users": [value]}}, allowed=not_found),
        ]

    # query-string filters
    cases += [
        Case("filter-unknown-operator", "GET", f"{BASE}?name.$evil=1", allowed=frozenset({200}), total=0),
        Case("filter-unknown-operator-nested", "GET", f"{BASE}?free.k.$where=1", allowed=frozenset({200}), total=0),
        Case("filter-deep-key", "GET", f"{BASE}?{DEEP_KEY}=1"),
        Case("filter-deep-key-operator", "GET", f"{BASE}?{DEEP_KEY}.$gt=1"),
        Case("filter-huge-value", "GET", f"{BASE}?name={LONG}", allowed=frozenset({200}), total=0),
        Case("filter-huge-number", "GET", f"{BASE}?age={NUMBER_100K_DIGITS}", allowed=frozenset({200}), total=0),
        Case("filter-huge-regex", "GET", f"{BASE}?name.$reg={LONG}"),  # over 1,000 characters: 400 (issue 14)
        Case("filter-bad-regex", "GET", f"{BASE}?name.$reg=(", allowed=frozenset({200}), total=0),
        Case("filter-nul", "GET", f"{BASE}?name=%00", allowed=frozenset({200}), total=0),
        Case("page-not-an-int", "GET", f"{BASE}?_page=abc"),
        Case("page-negative", "GET", f"{BASE}?_page=-1"),
        Case("page-huge", "GET", f"{BASE}?_skip={NUMBER_100K_DIGITS}"),
        Case(
            "selection-deep-key",
            "GET",
            f"{BASE}/_selections/names?{DEEP_KEY}=1",
        ),
        Case(
            "selection-body-deep-key",
            "POST",
            f"{BASE}/_selections/names",
            {"json": {DEEP_KEY: 1}},
        ),
        Case(
            "selection-body-deep-value",
            "POST",
            f"{BASE}/_selections/names",
            _json_body('{"name": ' + deep_object(1000) + "}"),
        ),
        Case(
            "selection-unknown", "GET", f"{BASE}/_selections/{quote('../_all', safe='')}", allowed=frozenset({400, 404})
        ),
        Case("selection-huge-name", "GET", f"{BASE}/_selections/{LONG}"),
    ]

    # bodies: not JSON, JSON bombs, huge numbers, wrong content types, oversized
    body_routes = [
        ("create", "POST", BASE),
        ("put", "PUT", one),
        ("patch", "PATCH", one),
        ("check", "POST", f"{BASE}/_check"),
        ("meta", "POST", f"{BASE}/_meta"),
        ("action", "POST", f"{BASE}/_actions/touch/{user}"),
        ("selection", "POST", f"{BASE}/_selections/names"),
    ]
    oversized = json.dumps({"name": "x" * (BODY_LIMIT + 1)})
    for route, method, path in body_routes:
        cases += [
            Case(f"body-not-json-{route}", method, path, _json_body("hello")),
            Case(f"body-truncated-{route}", method, path, _json_body('{"name": "x"')),
            Case(f"body-invalid-utf8-{route}", method, path, _json_body(b'{"name": "\xff\xfe"}')),
            Case(f"body-bomb-list-{route}", method, path, _json_body(deep_list(10_000))),
            Case(f"body-bomb-object-{route}", method, path, _json_body(deep_object(10_000))),
            Case(f"body-deep-500-{route}", method, path, _json_body('{"free": ' + deep_object(500) + "}")),
            Case(
                f"body-text-plain-{route}",
                method,
                path,
                {"data": '{"name": "x"}', "content_type": "text/plain"},
                allowed=frozenset({415}),
            ),
            Case(f"body-no-content-type-{route}", method, path, {"data": '{"name": "x"}'}, allowed=frozenset({415})),
            Case(
                f"body-form-urlencoded-{route}",
                method,
                path,
                {"data": "name=x", "content_type": "application/x-www-form-urlencoded"},
                allowed=frozenset({415}),
            ),
            Case(
                f"body-xml-{route}",
                method,
                path,
                {"data": "<name>x</name>", "content_type": "application/xml"},
                allowed=frozenset({415}),
            ),
            Case(
                f"body-json-lookalike-{route}",
                method,
                path,
                {"data": "{}", "content_type": "application/jsonp"},
                allowed=frozenset({415}),
            ),
            Case(f"body-oversized-{route}", method, path, _json_body(oversized), allowed=frozenset({413})),
        ]
    cases += [
        Case("body-huge-integer", "POST", BASE, _json_body('{"age": ' + NUMBER_100K_DIGITS + "}")),
        Case("body-infinity", "POST", BASE, _json_body('{"age": 1e999}')),
        Case("body-nan", "POST", BASE, _json_body('{"age": NaN}')),
        Case("body-not-an-object", "POST", BASE, {"json": [1, 2]}),
        Case("body-null", "POST", BASE, _json_body("null")),
        Case("body-unknown-field", "POST", BASE, {"json": {"name": "x", "evil": 1}}),
        Case("body-wrong-type", "PUT", one, {"json": {"age": "forty"}}),
        Case("body-patch-list-of-bombs", "PATCH", one, _json_body("[" + ",".join([deep_object(200)] * 3) + "]")),
        Case(
            "multipart-deep-field-name",
            "POST",
            BASE,
            multipart({DEEP_KEY: "x"}),
        ),
        Case(
            "multipart-json-bomb",
            "POST",
            BASE,
            multipart({"_json": deep_list(10_000)}),
        ),
        Case(
            "multipart-json-not-an-object",
            "POST",
            BASE,
            multipart({"_json": "[1]"}),
        ),
        Case(
            "multipart-oversized",
            "POST",
            BASE,
            multipart({"name": "x" * (BODY_LIMIT + 1)}),
            allowed=frozenset({413}),
        ),
    ]

    # fields the client may not write
    cases += [
        Case("protected-ro-put", "PUT", one, {"json": {"ro": "changed"}}, allowed=frozenset({403})),
        Case(
            "protected-ro-patch",
            "PATCH",
            one,
            {"json": {"op": "replace", "path": "$.ro", "value": "changed"}},
            allowed=frozenset({403}),
        ),
        Case("protected-id-put", "PUT", one, {"json": {"_id": "another"}}, allowed=frozenset({403})),
        Case("protected-id-put-traversal", "PUT", one, {"json": {"_id": "../outside"}}, allowed=frozenset({403})),
        Case(
            "protected-id-patch",
            "PATCH",
            one,
            {"json": {"op": "replace", "path": "$._id", "value": "x"}},
            allowed=frozenset({403}),
        ),
        Case(
            "protected-meta-put",
            "PUT",
            one,
            {"json": {"_meta": {"created_by": {"_id": "1", "login": "root"}}}},
            allowed=frozenset({403}),
        ),
        Case(
            "protected-meta-ctime-put",
            "PUT",
            one,
            {"json": {"_meta": {"ctime": "2000-01-01T00:00:00"}}},
            allowed=frozenset({403}),
        ),
        Case(
            "protected-meta-patch",
            "PATCH",
            one,
            {"json": {"op": "replace", "path": "$._meta.mtime", "value": "2000-01-01T00:00:00"}},
            allowed=frozenset({403}),
        ),
        Case(
            "protected-ro-in-a-patch-list",
            "PATCH",
            one,
            {
                "json": [
                    {"op": "replace", "path": "$.name", "value": "ok"},
                    {"op": "replace", "path": "$.ro", "value": "no"},
                ]
            },
            allowed=frozenset({403}),
        ),
    ]
    return cases


def judge(client: FlaskClient, bo: Backoffice, ids: dict[str, str], case: Case) -> list[str]:
    """Send ``case``; return what went wrong (empty: refused with a message, nothing written, still serving)."""
    problems = []
    before = store_state(bo, ids)
    response = client.open(case.path, method=case.method, **case.kwargs)
    if response.status_code not in case.allowed:
        problems.append(
            f"{case.name}: status {response.status_code} ({response.text[:200]!r}), expected {sorted(case.allowed)}"
        )
    elif response.status_code >= 400 and not response.get_data().strip():
        problems.append(f"{case.name}: {response.status_code} without a message")
    elif case.total is not None and (response.json or {}).get("total") != case.total:
        problems.append(f"{case.name}: total {(response.json or {}).get('total')}, expected {case.total}")
    after = store_state(bo, ids)
    if after != before:
        problems.append(f"{case.name}: the store changed: {describe_difference(before, after)[:500]}")
    probe = client.get(BASE)
    if probe.status_code != 200:
        problems.append(f"{case.name}: the server stopped serving: GET {BASE} answered {probe.status_code}")
    return problems


# --- random hostile requests ------------------------------------------------------------

_NASTY = [
    "../",
    "..",
    "/",
    "\\",
    "\x00",
    "%00",
    "%2F",
    "%2e%2e",
    "~",
    "$",
    "{",
    "\u202e",
    "é",
    "\ud7ff",
    " ",
    "\n",
    "*",
]


def random_cases(count: int, seed: int, ids: dict[str, str]) -> list[Case]:
    """``count`` random requests that must all be refused: nasty ids, broken or too deep JSON, deep filter keys."""
    rng = random.Random(seed)
    one = f"{BASE}/{ids['user']}"
    cases = []
    for n in range(count):
        kind = rng.choice(["id", "ref", "truncated", "deep", "garbage", "filter-key"])
        nasty = "".join(rng.choice(_NASTY) for _ in range(rng.randint(1, 12)))
        if kind == "id":
            method = rng.choice(["GET", "PUT", "DELETE"])
            kwargs = {"json": {"name": "x"}} if method == "PUT" else {}
            path = f"{BASE}/x{quote(nasty, safe='')}"
            # 308: "/" twice in a row (an encoded one next to another) is werkzeug's slash
            # merging, a redirect to the same host with single slashes
            cases.append(Case(f"random-{n}-id", method, path, kwargs, allowed=frozenset({404, 405, 308})))
        elif kind == "ref":
            cases.append(Case(f"random-{n}-ref", "PUT", one, {"json": {"addr": f"x{nasty}"}}, allowed=frozenset({404})))
        elif kind == "truncated":
            text = json.dumps({"name": nasty, "tags": [nasty] * rng.randint(0, 5), "free": {"k": nasty}})
            cases.append(Case(f"random-{n}-truncated", "POST", BASE, _json_body(text[: rng.randint(0, len(text) - 1)])))
        elif kind == "deep":
            depth = rng.randint(101, 20_000)
            body = '{"free": ' + (deep_object(depth) if rng.random() < 0.5 else deep_list(depth)) + "}"
            cases.append(
                Case(f"random-{n}-deep", rng.choice(["POST", "PUT"]), rng.choice([BASE, one]), _json_body(body))
            )
        elif kind == "garbage":
            data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
            cases.append(Case(f"random-{n}-garbage", "POST", BASE, _json_body(b"\x00" + data)))
        else:
            key = ".".join(["k"] * rng.randint(100, 3000))
            cases.append(Case(f"random-{n}-filter-key", "GET", f"{BASE}?{key}=1"))
    # a deep object answered 400 on POST /users, and on PUT /users/<id> too; a deep object
    # sent to /users/<id> by POST is a 405 (no such method): still a refusal.
    return [
        Case(case.name, case.method, case.path, case.kwargs, case.allowed | {405}, case.total, case.known_bug)
        if case.name.endswith("-deep")
        else case
        for case in cases
    ]


# --- a real server on 127.0.0.1 ------------------------------------------------------------


def raw_request(port: int, request: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
    """Send raw HTTP bytes to 127.0.0.1:``port``; return the status and the body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(request)
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered and closed before reading everything (414, 413): read the answer
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except (ConnectionResetError, TimeoutError):
            pass  # the answer came first; a server refusing a body may reset the rest
    if not received:
        return 0, b"(no answer: the connection was closed)"
    head, _, body = received.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), body


def http_request(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    """A raw HTTP/1.1 request with ``Connection: close`` (and ``Content-Length`` unless chunked)."""
    headers = {"Host": "127.0.0.1", "Connection": "close", **(headers or {})}
    if body and headers.get("Transfer-Encoding") != "chunked":
        headers.setdefault("Content-Length", str(len(body)))
    lines = [f"{method} {path} HTTP/1.1", *(f"{key}: {value}" for key, value in headers.items())]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


def chunked(body: bytes, size: int = 4096) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


#: Requests for the real server: (name, raw request, allowed statuses). The app's limit is
#: :data:`SERVER_BODY_LIMIT`.
SERVER_BODY_LIMIT = 32 * 1024


def server_cases(ids: dict[str, str]) -> list[tuple[str, bytes, frozenset[int]]]:
    one = f"{BASE}/{ids['user']}"
    too_big = json.dumps({"name": "x" * (2 * SERVER_BODY_LIMIT)}).encode()
    json_type = {"Content-Type": "application/json"}
    return [
        ("literal-dotdot-path", http_request("GET", f"{BASE}/../../outside"), frozenset({404})),
        ("encoded-dotdot-id", http_request("GET", f"{BASE}/..%2F..%2Foutside"), frozenset({404})),
        ("nul-id", http_request("GET", f"{BASE}/%00"), frozenset({404})),
        ("nul-id-delete", http_request("DELETE", f"{BASE}/a%00b"), frozenset({404})),
        ("id-100KB", http_request("GET", f"{BASE}/{LONG}"), frozenset({404, 414})),
        ("filter-deep-key", http_request("GET", f"{BASE}?{DEEP_KEY}=1"), frozenset({400})),
        ("ref-traversal", http_request("PUT", one, b'{"addr": "../outside"}', json_type), frozenset({404})),
        ("json-bomb", http_request("POST", BASE, deep_list(10_000).encode(), json_type), frozenset({400})),
        ("not-json", http_request("POST", BASE, b"hello", json_type), frozenset({400})),
        ("no-content-type", http_request("POST", BASE, b'{"name": "x"}'), frozenset({415})),
        ("oversized-content-length", http_request("POST", BASE, too_big, json_type), frozenset({413})),
        (
            "oversized-chunked",
            http_request("POST", BASE, chunked(too_big), {**json_type, "Transfer-Encoding": "chunked"}),
            frozenset({413}),
        ),
        ("protected-field", http_request("PUT", one, b'{"ro": "changed"}', json_type), frozenset({403})),
    ]


def judge_server(
    port: int, bo: Backoffice, ids: dict[str, str], name: str, request: bytes, allowed: frozenset[int]
) -> list[str]:
    """Send one raw request to the real server; same rules as :func:`judge`."""
    problems = []
    before = store_state(bo, ids)
    status, body = raw_request(port, request)
    if status not in allowed:
        problems.append(f"server {name}: status {status} ({body[:200]!r}), expected {sorted(allowed)}")
    elif not body.strip():
        problems.append(f"server {name}: {status} without a message")
    after = store_state(bo, ids)
    if after != before:
        problems.append(f"server {name}: the store changed: {describe_difference(before, after)[:500]}")
    probe_status, _ = raw_request(port, http_request("GET", BASE))
    if probe_status != 200:
        problems.append(f"server {name}: the server stopped serving: GET {BASE} answered {probe_status}")
    return problems
