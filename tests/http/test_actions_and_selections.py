"""Actions (BEHAVIOR.md 8.2, 10.10) and selections (10.11) over HTTP."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from backo import Action, Backoffice, Collection, DBMemoryConnector, Int, Selection, String

from .conftest import serve, users_model

BASE = "/myApp/users"


def rename(action: Action, user: Any, **kwargs: Any) -> None:
    """Rename the user to the payload's name, ``times`` times over."""
    user.name = action.new_name.get_value() * (action.times.get_value() or 1)
    user.save(**kwargs)


def rename_then_fail(action: Action, user: Any, **kwargs: Any) -> None:
    rename(action, user, **kwargs)
    raise ValueError("boom")


@pytest.fixture
def renaming(bo: Backoffice, client: FlaskClient) -> FlaskClient:
    """``client`` once the "rename" and "broken" actions are registered (after build_routes)."""
    bo.users.register_action("rename", Action({"new_name": String(required=True), "times": Int()}, rename))
    bo.users.register_action("broken", Action({"new_name": String(required=True), "times": Int()}, rename_then_fail))
    return client


def go(client: FlaskClient, action: str, _id: str, body: Any) -> Any:
    return client.post(f"{BASE}/_actions/{action}/{_id}", json=body)


def test_action_runs_and_answers_action_done(renaming: FlaskClient, bo: Backoffice, people: dict[str, str]) -> None:
    response = go(renaming, "rename", people["bob"], {"new_name": "Bo", "times": 2})
    assert (response.status_code, response.text) == (200, "action done")
    assert bo.users.get_by_id(people["bob"]).name == "BoBo"


def test_action_payload_is_per_request(renaming: FlaskClient, bo: Backoffice, people: dict[str, str]) -> None:
    assert go(renaming, "rename", people["bob"], {"new_name": "Bo", "times": 3}).status_code == 200
    missing = go(renaming, "rename", people["bob"], {"times": 1})
    assert (missing.status_code, missing.text) == (400, 'ConstraintsError("$.new_name: Cannot be empty "None"")')
    assert go(renaming, "rename", people["bob"], {"new_name": "X"}).status_code == 200
    assert bo.users.get_by_id(people["bob"]).name == "X"  # "times" did not stay at 3
    assert bo.users.actions["rename"].get_value() == {"new_name": None, "times": None}


def test_action_errors(renaming: FlaskClient, people: dict[str, str]) -> None:
    unknown = go(renaming, "nope", people["bob"], {})
    assert (unknown.status_code, unknown.text) == (400, 'SyntaxError("collection "users" has no action "nope"")')
    assert go(renaming, "rename", people["bob"], {"new_name": "x", "zz": 1}).status_code == 400
    assert go(renaming, "rename", people["bob"], {"new_name": 3}).status_code == 400
    assert go(renaming, "rename", "zzz", {"new_name": "x"}).status_code == 404
    not_json = renaming.post(f"{BASE}/_actions/rename/{people['bob']}", data="new_name=x")
    assert (not_json.status_code, not_json.text) == (415, "Unsuported Media Type")


def test_failing_action_is_500_and_rolled_back(renaming: FlaskClient, bo: Backoffice, people: dict[str, str]) -> None:
    response = go(renaming, "broken", people["bob"], {"new_name": "Changed"})
    assert (response.status_code, response.text) == (500, "boom")
    assert bo.users.get_by_id(people["bob"]).name == "bob"


@pytest.mark.parametrize(
    ("rights", "message"),
    [
        ({"can_see": lambda right, user: user.name != "bob"}, 'RightsError("Action "guarded" not available")'),
        ({"can_execute": lambda right, user: False}, 'RightsError("Action "guarded" forbidden")'),
    ],
)
def test_action_rights_are_not_evaluated_by_default(
    bo: Backoffice, people: dict[str, str], rights: dict, message: str
) -> None:
    """0.2.1: an action's permissions are disabled unless enabled, so the action runs."""
    bo.users.register_action("guarded", Action({"new_name": String(), "times": Int()}, rename, **rights))
    response = go(serve(bo), "guarded", people["bob"], {"new_name": "x"})
    assert (response.status_code, response.text) == (200, "action done")
    assert bo.users.get_by_id(people["bob"]).name == "x"


@pytest.mark.parametrize(
    ("rights", "message"),
    [
        ({"can_see": lambda right, user: user.name != "bob"}, 'RightsError("Action "guarded" not available")'),
        ({"can_execute": lambda right, user: False}, 'RightsError("Action "guarded" forbidden")'),
    ],
)
@pytest.mark.parametrize("switch", ["keyword", "enable_permissions", "backoffice"])
def test_enforced_action_rights_are_403(rights: dict, message: str, switch: str) -> None:
    bo = Backoffice("myApp", enforce_rights=switch == "backoffice")
    bo.register_collection(Collection("users", users_model(), DBMemoryConnector()))
    people = {"bob": bo.users.create({"name": "bob"})._id.get_value()}
    action = Action({"new_name": String()}, rename, enforce_rights=switch == "keyword", **rights)
    if switch == "enable_permissions":
        action.enable_permissions()
    bo.users.register_action("guarded", action)
    response = go(serve(bo), "guarded", people["bob"], {"new_name": "x"})
    assert (response.status_code, response.text) == (403, message)
    assert bo.users.get_by_id(people["bob"]).name == "bob"


def test_on_trig_without_kwargs_still_runs(bo: Backoffice, people: dict[str, str]) -> None:
    seen = []
    bo.users.register_action("touch", Action({}, lambda action, user: seen.append(user.name.get_value())))
    assert go(serve(bo), "touch", people["bob"], {}).status_code == 200
    assert seen == ["bob"]


def selection(client: FlaskClient, name: str, query: str = "", body: Any = None) -> Any:
    url = f"{BASE}/_selections/{name}{'?' + query if query else ''}"
    return client.get(url) if body is None else client.post(url, json=body)


@pytest.fixture
def selecting(bo: Backoffice, client: FlaskClient, people: dict[str, str]) -> FlaskClient:
    """``client`` with a "cities" selection (selectors) and an "adults" one (own filter)."""
    bo.users.register_selection("cities", Selection(["$.name", "$.addr.city"]))
    bo.users.register_selection("adults", Selection(filter={"age": ("$gte", 30)}))
    return client


def test_all_selection_is_the_list(selecting: FlaskClient) -> None:
    body = selection(selecting, "_all", "_page=2").json
    assert (len(body["result"]), body["total"], body["_page"], body["_skip"]) == (2, 3, 2, 0)


def test_selection_with_selectors(selecting: FlaskClient, people: dict[str, str]) -> None:
    response = selection(selecting, "cities", "name=alice")
    assert response.status_code == 200
    assert response.json == {"result": [[people["alice"], "alice", "c0"]], "total": 1, "_skip": 0, "_page": 10}


def test_selection_filter_merges_with_the_query(selecting: FlaskClient) -> None:
    assert {u["name"] for u in selection(selecting, "adults").json["result"]} == {"bob", "carol"}
    assert {u["name"] for u in selection(selecting, "adults", "addr.city=c0").json["result"]} == {"carol"}


def test_post_selection_filter_from_body(selecting: FlaskClient) -> None:
    def names(body: Any) -> set[str]:
        response = selection(selecting, "_all", body=body)
        assert response.status_code == 200, response.text
        return {u["name"] for u in response.json["result"]}

    assert names({"name": ["$reg", "^b"]}) == {"bob"}
    assert names({"addr.city": "c0"}) == {"alice", "carol"}
    assert names({"age": 20}) == {"alice"}
    assert names({"age": "20"}) == set()  # body values are not coerced
    assert names({}) == {"alice", "bob", "carol"}


def test_selection_errors(selecting: FlaskClient, bo: Backoffice) -> None:
    unknown = selection(selecting, "nope")
    assert (unknown.status_code, unknown.text) == (400, 'SyntaxError("Collection users has no selection nope")')
    assert selection(selecting, "nope", body={}).status_code == 400
    assert selection(selecting, "_all", body=[1]).status_code == 400
    assert selecting.post(f"{BASE}/_selections/_all", data="x").status_code == 415
    assert selection(selecting, "_all", "_skip=-1").status_code == 400
    bo.users.register_selection("secret", Selection(can_read=lambda right, o: False))
    assert selection(selecting, "secret").status_code == 200  # 0.2.1: not enforced unless enabled
    bo.users.register_selection("closed", Selection(can_read=lambda right, o: False, enforce_rights=True))
    forbidden = selection(selecting, "closed")
    assert (forbidden.status_code, forbidden.text) == (403, 'RightsError("Execute closed selection is forbidden")')


def test_facade_methods_serve_the_running_request(bo: Backoffice, people: dict[str, str]) -> None:
    from flask import Flask

    bo.users.register_action("rename", Action({"new_name": String(required=True), "times": Int()}, rename))
    app = Flask(__name__)
    with app.test_request_context("/?name=alice", method="GET"):
        response = bo.users.do_selection("_all")
        assert response.status_code == 200 and response.json["total"] == 1
    with app.test_request_context("/", method="POST", json={"name": "bob"}):
        assert bo.users.do_post_selection("_all").json["total"] == 1
    with app.test_request_context("/", method="POST", json={"new_name": "Z"}):
        assert bo.users.action_go("rename", people["carol"]).status_code == 200
    assert bo.users.get_by_id(people["carol"]).name == "Z"
