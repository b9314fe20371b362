"""Hostile input through the routes: every request is refused with a 4xx and a message,
nothing is written, and the server keeps serving.

The table of requests is in :mod:`.hostile` (the benchmark sends the same ones).
"""

import datetime
import json
from pathlib import Path

import pytest

from backo.http.query import MAX_FILTER_DEPTH
from backo.http.request import MAX_JSON_DEPTH, json_depth
from testkit.hostile import (
    BASE,
    BODY_LIMIT,
    deep_object,
    hostile_cases,
    judge,
    judge_server,
    random_cases,
    server_cases,
    store_state,
)

from .conftest import RANDOM_HOSTILE_REQUESTS, Hostile, Server

#: The cases of the table, by name (ids only shape their paths, not their names).
_PLACEHOLDERS = {"user": "U", "addr": "A", "root": "/R", "outside": "/R/outside.yml"}
CASES = {case.name: case for case in hostile_cases(_PLACEHOLDERS)}
SERVER_CASES = [name for name, _, _ in server_cases(_PLACEHOLDERS)]


def _param(name: str) -> object:
    bug = CASES[name].known_bug
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=f"BUG: {bug}")) if bug else name


@pytest.mark.parametrize("name", [_param(name) for name in CASES])
def test_a_hostile_request_is_refused_and_writes_nothing(hostile: Hostile, name: str) -> None:
    case = {case.name: case for case in hostile_cases(hostile.ids)}[name]
    assert judge(hostile.client, hostile.bo, hostile.ids, case) == []


def test_random_hostile_requests(hostile: Hostile) -> None:
    problems = []
    for case in random_cases(RANDOM_HOSTILE_REQUESTS, seed=8, ids=hostile.ids):
        problems += judge(hostile.client, hostile.bo, hostile.ids, case)
    assert problems == []


@pytest.mark.parametrize("name", SERVER_CASES)
def test_a_hostile_request_to_a_real_server(server: Server, name: str) -> None:
    [(_, request, allowed)] = [case for case in server_cases(server.ids) if case[0] == name]
    assert judge_server(server.port, server.bo, server.ids, name, request, allowed) == []


# --- what some answers say ------------------------------------------------------------------


def test_a_json_bomb_is_a_400_naming_the_limit(hostile: Hostile) -> None:
    response = hostile.client.post(BASE, data="[" * 10_000 + "]" * 10_000, content_type="application/json")
    assert (response.status_code, response.text) == (
        400,
        f"The body is nested too deeply: at most {MAX_JSON_DEPTH} levels of objects and arrays",
    )


def test_the_depth_limit_is_exactly_the_documented_one(fresh_hostile: Hostile) -> None:
    client = fresh_hostile.client
    at_limit = '{"name": "deep", "free": ' + deep_object(MAX_JSON_DEPTH - 1) + "}"  # the body itself is level 1
    assert client.post(BASE, data=at_limit, content_type="application/json").status_code == 200
    over = '{"name": "deeper", "free": ' + deep_object(MAX_JSON_DEPTH) + "}"
    assert client.post(BASE, data=over, content_type="application/json").status_code == 400
    stored = [d["name"] for d in fresh_hostile.bo.users.db_handler.select(None)]
    assert "deep" in stored and "deeper" not in stored
    assert client.get(BASE).status_code == 200  # the deep document stored is served back


def test_the_filter_depth_limit(hostile: Hostile) -> None:
    accepted = ".".join(["a"] * MAX_FILTER_DEPTH)
    assert hostile.client.get(f"{BASE}?{accepted}=1").json["total"] == 0
    refused = hostile.client.get(f"{BASE}?{accepted}.a=1")
    assert refused.status_code == 400
    assert refused.text.startswith('Filter key "a.a.a.') and f"at most {MAX_FILTER_DEPTH} levels" in refused.text


@pytest.mark.parametrize(
    ("value", "depth"), [(1, 0), ("x", 0), ([], 1), ({}, 1), ([{}], 2), ({"a": [1, {"b": []}]}, 4), ([[], [[[]]]], 4)]
)
def test_json_depth(value: object, depth: int) -> None:
    assert json_depth(value) == depth


def test_an_oversized_body_is_a_413_with_its_message(hostile: Hostile) -> None:
    response = hostile.client.post(BASE, json={"name": "x" * (BODY_LIMIT + 1)})
    assert response.status_code == 413
    assert response.mimetype == "text/plain" and "exceeds the capacity limit" in response.text


def test_without_max_content_length_any_body_size_is_read(tmp_path: Path) -> None:
    """Without a limit of the application's, backo's default (16 MiB) applies: a 2 MiB body is read."""
    from testkit.hostile import build_hostile_app

    app, _, _ = build_hostile_app(tmp_path, body_limit=None)
    response = app.test_client().post(BASE, json={"name": "x" * (2 * BODY_LIMIT)})
    assert response.status_code == 200


def test_id_and_meta_in_a_post_body_are_ignored(fresh_hostile: Hostile) -> None:
    before = datetime.datetime.now().replace(microsecond=0) - datetime.timedelta(seconds=1)
    forged = {
        "_id": "../outside",
        "_meta": {"ctime": "2000-01-01T00:00:00", "created_by": {"_id": "1", "login": "root"}},
    }
    response = fresh_hostile.client.post(BASE, json={"name": "forger", **forged})
    assert response.status_code == 200
    created = response.json
    assert created["_id"] != "../outside" and created["_id"].isdigit()
    stored = fresh_hostile.bo.users.db_handler.get_by_id(created["_id"])
    assert stored["_meta"]["created_by"] == {"_id": "000", "login": "ANONYMOUS"}
    assert datetime.datetime.fromisoformat(stored["_meta"]["ctime"]) >= before
    assert Path(fresh_hostile.ids["outside"]).read_text(encoding="utf-8").count("decoy") == 1


def test_a_refused_protected_field_is_never_written_even_with_other_changes(fresh_hostile: Hostile) -> None:
    one = f"{BASE}/{fresh_hostile.ids['user']}"
    before = store_state(fresh_hostile.bo, fresh_hostile.ids)
    response = fresh_hostile.client.put(one, json={"name": "changed", "ro": "changed"})
    assert (response.status_code, response.text) == (403, 'RightsError("$.ro: cannot modify value")')
    assert store_state(fresh_hostile.bo, fresh_hostile.ids) == before
    assert fresh_hostile.client.get(one).json["name"] == "neil"


def test_error_bodies_are_plain_text_even_when_they_echo_the_input(hostile: Hostile) -> None:
    response = hostile.client.post(BASE, json={"name": "<script>alert(1)</script>", "evil": 1})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    response = hostile.client.get(f"{BASE}/%3Cscript%3E")
    assert response.status_code == 404 and response.mimetype == "text/plain"


def test_multipart_bodies_obey_the_same_limits(hostile: Hostile) -> None:
    deep_name = ".".join(["a"] * (MAX_JSON_DEPTH + 1))
    response = hostile.client.post(BASE, data={deep_name: "x"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "nested too deeply" in response.text
    response = hostile.client.post(
        BASE, data={"_json": json.dumps({"free": json.loads(deep_object(200))})}, content_type="multipart/form-data"
    )
    assert (response.status_code, response.text) == (
        400,
        f'The multipart field "_json" is nested too deeply: at most {MAX_JSON_DEPTH} levels of objects and arrays',
    )
