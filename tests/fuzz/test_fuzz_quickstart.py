"""schemathesis against the served quickstart: the small, deterministic run of ``make test``.

About 200 generated requests (positive and negative data, fixed seed) through the WSGI
application; the full run of 2,000+ is ``python -m benchmarks.fuzz``. The last two tests
show that the harness does fail: on a document that lies, and on a server that crashes.
"""

import copy
from pathlib import Path

import pytest
from flask import Flask

from backo import Action, Backoffice, Collection, DBMemoryConnector, Item, String, current_user
from backo.current_user import ANONYMOUS_DATA
from testkit.fuzz import EXPECTED_4XX, KEPT_500, MODES, Pools, fuzz, fuzz_quickstart

SEED = 20260


def test_the_quickstart_answers_as_its_document_says(tmp_path: Path) -> None:
    report = fuzz_quickstart(tmp_path / "data", examples=6, seed_value=SEED, modes=MODES["both"])
    assert report.requests >= 200, report.summary()
    assert report.server_errors == [], report.summary()
    assert report.violations == [], report.summary()
    assert report.odd_4xx == [], report.summary()
    assert report.statuses[200] > 50 and report.statuses[400] > 20 and report.statuses[404] > 10


def test_a_document_that_lies_is_caught(tmp_path: Path) -> None:
    from examples.quickstart.app import create_app

    app = create_app(tmp_path / "data")
    document = copy.deepcopy(app.test_client().get("/myApp/openapi").get_json())
    del document["paths"]["/users/{id}"]["get"]["responses"]["404"]  # GET of an unknown id answers 404
    document["components"]["schemas"]["addrs"]["properties"]["users"] = {"type": "integer"}  # it is an array
    keep = {"/users/{id}", "/addrs"}
    document["paths"] = {path: ops for path, ops in document["paths"].items() if path in keep}
    report = fuzz(app, "/myApp/openapi", examples=5, seed_value=SEED, modes=MODES["positive"], document=document)
    kinds = {finding.kind for finding in report.violations}
    assert {"Undocumented status code", "Response violates schema"} <= kinds, report.summary()


def crash(action: Action, item: Item) -> None:
    raise RuntimeError("the action crashed")


def act_as_anonymous() -> None:
    current_user.set(dict(ANONYMOUS_DATA))


def test_a_server_error_is_caught() -> None:
    backoffice = Backoffice("crashy")
    things = Collection("things", Item({"name": String()}), DBMemoryConnector(), can_delete=False)
    backoffice.register_collection(things)
    things.register_action("boom", Action({}, crash))
    app = Flask(__name__)
    backoffice.build_routes(app, "", act_as_anonymous)
    document = app.test_client().get("/crashy/openapi").get_json()
    pools = Pools(document)
    pools.ids["things"].add(things.create({"name": "x"})._id.get_value())
    report = fuzz(app, "/crashy/openapi", examples=10, seed_value=SEED, modes=MODES["positive"], pools=pools)
    assert any(f.status == 500 and "the action crashed" in f.answer for f in report.server_errors), report.summary()
    assert "5xx: 0 " not in report.summary()


@pytest.mark.parametrize(
    ("body", "backo_error"),
    [
        ('TypeError("$.name: Must be a string (value="12")")', True),
        ('SError(ValueError("x"))', True),
        ("The body is not valid JSON: Expecting value", True),
        ('Query parameter "_page" must be an integer >= 0, got "a"', True),
        ("Unsuported Media Type", True),
        ("'NoneType' object has no attribute 'startswith'", False),
        ("expected string or bytes-like object, got 'NoneType'", False),
    ],
)
def test_4xx_bodies_that_are_python_errors_are_told_apart(body: str, backo_error: bool) -> None:
    assert bool(EXPECTED_4XX.match(body)) is backo_error


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ('Exception("Collection "users" not empty")', True),
        ('Exception("$.cover file not found")', True),
        ('Exception("Endpoint "products" error")', False),
        ("boom", False),
    ],
)
def test_only_the_500s_kept_from_0_2_1_are_set_apart(body: str, kept: bool) -> None:
    assert bool(KEPT_500.match(body)) is kept
