"""COMPAT-FIXES 14 / N5: rights of actions and selections follow their permission switch.

0.2.1 evaluates ``can_see`` / ``can_execute`` / ``can_read`` only after
``enable_permissions()``, which nothing calls: by default every action runs and every
selection answers, whatever the callables (of any signature) would say. Enforcement is
opt-in: ``enable_permissions()``, ``enforce_rights=True`` on the object, or
``Backoffice(name, enforce_rights=True)``.
"""

import copy
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from stricto import SRightError

from backo import (
    Action,
    Backoffice,
    Bool,
    Collection,
    DBConnector,
    DBMemoryConnector,
    DBYmlConnector,
    Item,
    Selection,
    String,
    current_user,
)
from tests.support.backends import mongo_connector

BASE = "/todo/tasks"


@pytest.fixture(params=["memory", "yml", "mongo"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DBConnector]:
    if request.param == "memory":
        yield DBMemoryConnector()
    elif request.param == "yml":
        yield DBYmlConnector(path=str(tmp_path / "tasks"))
    else:
        with mongo_connector() as connector:
            yield connector


def close(action: Action, task: Any, **kwargs: Any) -> None:
    task.done = True
    task.save(**kwargs)


#: Rights written by 0.2.1 applications: every documented and found signature.
TWO_PARAMETERS: Callable[..., bool] = lambda right_name, task: False  # noqa: E731
FOUR_PARAMETERS: Callable[..., bool] = lambda app, right, act, task: True  # noqa: E731
STRICTO_TRUTHINESS: Callable[..., bool] = lambda right_name, task: not task.done  # noqa: E731  (always False)

RIGHTS = {
    "two_parameters_see": {"can_see": TWO_PARAMETERS},
    "two_parameters_execute": {"can_execute": TWO_PARAMETERS},
    "exists_alias": {"exists": TWO_PARAMETERS},
    "four_parameters": {"can_execute": FOUR_PARAMETERS},
    "stricto_truthiness": {"can_see": STRICTO_TRUTHINESS},
    "literal_false": {"can_execute": False},
}


def todo(store: DBConnector, **backoffice_options: Any) -> Backoffice:
    backoffice = Backoffice("todo", **backoffice_options)
    backoffice.register_collection(Collection("tasks", Item({"title": String(), "done": Bool(default=False)}), store))
    return backoffice


def serve(backoffice: Backoffice) -> FlaskClient:
    app = Flask(__name__)
    backoffice.build_routes(app)
    return app.test_client()


def open_task(backoffice: Backoffice) -> str:
    return backoffice.tasks.create({"title": "write"})._id.get_value()


@pytest.mark.parametrize("rights", RIGHTS.values(), ids=RIGHTS.keys())
def test_an_action_runs_over_http_whatever_its_rights(store: DBConnector, rights: dict) -> None:
    backoffice = todo(store)
    backoffice.tasks.register_action("close", Action({"note": String()}, close, **rights))
    _id = open_task(backoffice)
    response = serve(backoffice).post(f"{BASE}/_actions/close/{_id}", json={"note": "ok"})
    assert (response.status_code, response.text) == (200, "action done")
    assert backoffice.tasks.get_by_id(_id).done == True  # noqa: E712 (a stricto Bool)


@pytest.mark.parametrize("rights", RIGHTS.values(), ids=RIGHTS.keys())
def test_an_action_runs_in_python_whatever_its_rights(rights: dict) -> None:
    backoffice = todo(DBMemoryConnector())
    action = Action({"note": String()}, close, **rights)
    backoffice.tasks.register_action("close", action)
    task = backoffice.tasks.get_by_id(open_task(backoffice))
    assert action.can_see(task) is True and action.can_execute(task) is True
    assert action.rights_enforced() is False
    action.go(task)
    assert task.done == True  # noqa: E712


def test_rights_are_not_called_while_disabled() -> None:
    calls: list[Any] = []
    backoffice = todo(DBMemoryConnector())
    action = Action({}, close, can_see=lambda *args: calls.append(args), can_execute=lambda *args: calls.append(args))
    backoffice.tasks.register_action("close", action)
    action.go(backoffice.tasks.get_by_id(open_task(backoffice)))
    assert calls == []


@pytest.mark.parametrize(
    ("rights", "message"),
    [
        ({"can_see": STRICTO_TRUTHINESS}, 'Action "close" not available'),
        ({"can_see": lambda right_name, task: task.done.get_value() is not True}, None),
        ({"can_execute": TWO_PARAMETERS}, 'Action "close" forbidden'),
        ({"can_execute": lambda right_name, task: True}, None),
    ],
)
def test_go_after_enable_permissions_calls_rights_with_right_name_and_item(rights: dict, message: str | None) -> None:
    backoffice = todo(DBMemoryConnector())
    action = Action({}, close, **rights)
    backoffice.tasks.register_action("close", action)
    action.enable_permissions()
    task = backoffice.tasks.get_by_id(open_task(backoffice))
    if message is None:
        action.go(task)
        assert task.done == True  # noqa: E712
        return
    with pytest.raises(SRightError) as raised:
        action.go(task)
    assert raised.value.to_string() == message
    assert task.done == False  # noqa: E712


def test_enforced_rights_receive_the_right_name_and_the_item() -> None:
    seen: list[tuple[str, Any]] = []

    def record(right_name: str, task: Any) -> bool:
        seen.append((right_name, task.title.get_value()))
        return True

    backoffice = todo(DBMemoryConnector())
    action = Action({}, close, can_see=record, can_execute=record, enforce_rights=True)
    backoffice.tasks.register_action("close", action)
    action.go(backoffice.tasks.get_by_id(open_task(backoffice)))
    assert seen == [("see", "write"), ("execute", "write")]


@pytest.mark.parametrize("switch", ["keyword", "enable_permissions", "backoffice"])
@pytest.mark.parametrize(
    ("rights", "status", "text"),
    [
        ({"can_see": STRICTO_TRUTHINESS}, 403, 'RightsError("Action "close" not available")'),
        ({"can_execute": TWO_PARAMETERS}, 403, 'RightsError("Action "close" forbidden")'),
        ({"can_execute": lambda right_name, task: task.done.get_value() is not True}, 200, "action done"),
        # enforced rights are called f(right_name, o), as 0.2.1 calls them once enabled
        ({"can_execute": FOUR_PARAMETERS}, 400, "<lambda>() missing 2 required positional arguments: 'act' and 'task'"),
    ],
)
def test_enforced_action_rights_over_http(
    store: DBConnector, switch: str, rights: dict, status: int, text: str
) -> None:
    backoffice = todo(store, enforce_rights=switch == "backoffice")
    action = Action({"note": String()}, close, enforce_rights=switch == "keyword", **rights)
    if switch == "enable_permissions":
        action.enable_permissions()
    backoffice.tasks.register_action("close", action)
    assert action.rights_enforced() is True
    _id = open_task(backoffice)
    response = serve(backoffice).post(f"{BASE}/_actions/close/{_id}", json={"note": "ok"})
    assert (response.status_code, response.text) == (status, text)
    assert (backoffice.tasks.get_by_id(_id).done.get_value() is True) is (status == 200)


def test_a_staff_action_follows_the_current_user_once_enforced() -> None:
    backoffice = todo(DBMemoryConnector(), enforce_rights=True)
    staff_only = Action({}, close, can_execute=lambda right_name, task: current_user.has_role("STAFF"))
    backoffice.tasks.register_action("close", staff_only)
    client = serve(backoffice)
    _id = open_task(backoffice)
    assert client.post(f"{BASE}/_actions/close/{_id}", json={}).status_code == 403
    current_user.set({"_id": "7", "login": "sam", "roles": ["STAFF"]})
    assert client.post(f"{BASE}/_actions/close/{_id}", json={}).text == "action done"


def test_the_backoffice_switch_holds_for_actions_registered_before_the_collection() -> None:
    tasks = Collection("tasks", Item({"title": String(), "done": Bool(default=False)}), DBMemoryConnector())
    action = Action({}, close, can_execute=False)
    tasks.register_action("close", action)
    backoffice = Backoffice("todo", enforce_rights=True)
    backoffice.register_collection(tasks)
    task = tasks.get_by_id(open_task(backoffice))
    with pytest.raises(SRightError, match="forbidden"):
        action.go(task)
    # the copy the HTTP route runs is enforced too
    with pytest.raises(SRightError, match="forbidden"):
        copy.copy(action).go(task)
    assert action._permissions.get_permissions_status() is False  # the object's own switch is untouched


# -- selections ---------------------------------------------------------------------------

SELECTION_RIGHTS = {
    "two_parameters": {"can_read": lambda right_name, selection: current_user.has_role("STAFF")},
    "four_parameters": {"can_read": lambda app, right, sel, other: False},
    "read_alias": {"read": lambda right_name, o: False},
    "literal_false": {"can_read": False},
}


@pytest.mark.parametrize("rights", SELECTION_RIGHTS.values(), ids=SELECTION_RIGHTS.keys())
def test_a_selection_answers_whatever_its_can_read(store: DBConnector, rights: dict) -> None:
    backoffice = todo(store)
    selection = Selection(["$.title"], **rights)
    backoffice.tasks.register_selection("staff", selection)
    open_task(backoffice)
    client = serve(backoffice)
    response = client.get(f"{BASE}/_selections/staff")
    assert response.status_code == 200, response.text
    assert response.json["total"] == 1
    assert client.post(f"{BASE}/_selections/staff", json={}).status_code == 200
    assert selection.can_read() is True and selection.select()["total"] == 1


@pytest.mark.parametrize("switch", ["keyword", "enable_permissions", "backoffice"])
def test_an_enforced_selection_is_403(store: DBConnector, switch: str) -> None:
    backoffice = todo(store, enforce_rights=switch == "backoffice")
    staff = Selection(
        ["$.title"],
        can_read=lambda right_name, o: current_user.has_role("STAFF"),
        enforce_rights=switch == "keyword",
    )
    if switch == "enable_permissions":
        staff.enable_permissions()
    backoffice.tasks.register_selection("staff", staff)
    open_task(backoffice)
    client = serve(backoffice)
    response = client.get(f"{BASE}/_selections/staff")
    assert (response.status_code, response.text) == (403, 'RightsError("Execute staff selection is forbidden")')
    with pytest.raises(SRightError, match="Execute staff selection is forbidden"):
        staff.select()
    current_user.set({"_id": "7", "login": "sam", "roles": ["STAFF"]})
    assert client.get(f"{BASE}/_selections/staff").json["total"] == 1
    assert client.get(BASE).json["total"] == 1  # the list route ("_all") is not affected


def test_selection_private_names_of_0_2_1() -> None:
    def only_mine() -> dict:
        return {"title": "write"}

    selection = Selection(["$.title"], filter={"done": False}, db_filter=only_mine)
    assert selection._selectors == ["$._id", "$.title"]
    assert selection._filter == {"done": False}
    assert selection._db_filter is only_mine
    with pytest.raises(AttributeError):
        selection._filter = {}  # type: ignore[misc]


# -- the warning of build_routes ------------------------------------------------------------


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]


def test_build_routes_warns_once_about_unenforced_rights(caplog: pytest.LogCaptureFixture) -> None:
    backoffice = todo(DBMemoryConnector())
    backoffice.tasks.register_action("close", Action({}, close, can_execute=TWO_PARAMETERS))
    backoffice.tasks.register_action("reopen", Action({}, close, can_see=False))
    backoffice.tasks.register_action("free", Action({}, close))  # no right declared
    backoffice.tasks.register_action("guarded", Action({}, close, can_see=TWO_PARAMETERS, enforce_rights=True))
    backoffice.tasks.register_selection("staff", Selection(can_read=TWO_PARAMETERS))
    backoffice.tasks.register_selection("open", Selection(filter={"done": False}))
    with caplog.at_level(logging.WARNING):
        serve(backoffice)
    warnings = warnings_of(caplog)
    assert len(warnings) == 1
    assert "action tasks.close, action tasks.reopen, selection tasks.staff" in warnings[0]
    assert "free" not in warnings[0] and "guarded" not in warnings[0] and "tasks.open" not in warnings[0]
    assert "enforce_rights=True" in warnings[0] and "enable_permissions()" in warnings[0]


@pytest.mark.parametrize("enforced", ["backoffice", "nothing_declared"])
def test_build_routes_is_silent_when_nothing_is_left_unenforced(
    caplog: pytest.LogCaptureFixture, enforced: str
) -> None:
    backoffice = todo(DBMemoryConnector(), enforce_rights=enforced == "backoffice")
    rights = {"can_execute": TWO_PARAMETERS} if enforced == "backoffice" else {}
    backoffice.tasks.register_action("close", Action({}, close, **rights))
    with caplog.at_level(logging.WARNING):
        serve(backoffice)
    assert warnings_of(caplog) == []


def test_rights_are_still_shown_in_meta() -> None:
    backoffice = todo(DBMemoryConnector())
    backoffice.tasks.register_action("close", Action({}, close, can_execute=TWO_PARAMETERS))
    meta = serve(backoffice).get("/todo/_meta").json
    tasks = next(collection for collection in meta["collections"] if collection["name"] == "tasks")
    action = next(action for action in tasks["actions"] if action["name"] == "close")
    assert action["rights"]["execute"] == "Callable" and action["rights"]["see"] is True
