"""Storage faults: a failure at any step of an operation reaches the caller and leaves the store
exactly as it was; a writer killed in the middle of a save leaves the old or the new item.
"""

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from backo import Backoffice, DBError, DBYmlConnector
from testkit.scenarios import (
    FAULT_OPERATIONS,
    READ_METHODS,
    WRITE_METHODS,
    InjectedFault,
    build_backoffice,
    run_fault_campaign,
    run_kills,
    seed_fault_fixture,
    snapshot,
    storage_faults,
)

from .conftest import KILL_RUNS


@pytest.mark.parametrize("name", list(FAULT_OPERATIONS))
def test_a_write_failure_at_any_step_changes_nothing(tmp_path: Path, name: str) -> None:
    outcome = run_fault_campaign(tmp_path, name, FAULT_OPERATIONS[name], WRITE_METHODS)
    assert outcome.lost == []
    assert outcome.faults == outcome.figures["steps"] >= 3  # one run per write of the operation


@pytest.mark.parametrize("name", list(FAULT_OPERATIONS))
def test_a_read_failure_at_any_step_changes_nothing(tmp_path: Path, name: str) -> None:
    outcome = run_fault_campaign(tmp_path, name, FAULT_OPERATIONS[name], READ_METHODS)
    assert outcome.lost == []


def test_the_campaign_notices_a_store_left_changed(tmp_path: Path) -> None:
    """The checker itself: an operation that writes once more after the failure is caught."""

    def leaky(bo: Backoffice, ids: dict[str, str]) -> None:
        try:
            FAULT_OPERATIONS["save"](bo, ids)
        finally:
            bo.notes.db_handler.create({"_id": "leak", "a": "x"})

    outcome = run_fault_campaign(tmp_path, "leaky save", leaky)
    assert outcome.faults >= 3
    for k in range(1, outcome.faults + 1):  # every run is reported: the leak, or the save going through
        assert any(problem.startswith(f"leaky save, fault at call {k} (") for problem in outcome.lost), k
    assert any("notes/leak: None -> {" in problem for problem in outcome.lost)


def test_a_failing_file_lock_refuses_the_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bo = build_backoffice(tmp_path)
    ids = seed_fault_fixture(bo)
    before = snapshot(bo)

    def broken_lock(self: DBYmlConnector) -> Any:
        raise DBError('Cannot lock the Yaml path "{0}"', self.path)

    monkeypatch.setattr(DBYmlConnector, "write_lock", broken_lock)
    with pytest.raises(DBError, match="Cannot lock"):
        FAULT_OPERATIONS["cascade delete"](bo, ids)
    monkeypatch.undo()
    assert snapshot(bo) == before


# --- the same through the routes ------------------------------------------------------------

HTTP_OPERATIONS = {
    "create": lambda client, ids: client.post(
        "/hard/people", json={"name": "new", "addr": ids["a2"], "books": [ids["b1"]]}
    ),
    "save": lambda client, ids: client.put(f"/hard/people/{ids['p1']}", json={"addr": ids["a2"], "books": [ids["b3"]]}),
    "cascade delete": lambda client, ids: client.delete(f"/hard/addrs/{ids['a1']}"),
}


@pytest.mark.parametrize("name", list(HTTP_OPERATIONS))
def test_a_write_failure_through_the_routes_is_a_500_and_changes_nothing(tmp_path: Path, name: str) -> None:
    bo = build_backoffice(tmp_path)
    ids = seed_fault_fixture(bo)
    app = Flask(__name__)
    bo.build_routes(app)
    client = app.test_client()
    before = snapshot(bo)
    step = 1
    while True:
        with storage_faults(bo, step) as state:
            response = HTTP_OPERATIONS[name](client, ids)
        if state["failed"] is None:  # every step has failed once: this run went through
            assert response.status_code == 200
            assert snapshot(bo) != before
            break
        assert response.status_code == 500, (step, response.text)
        assert response.text.startswith('Exception("injected failure of ')
        assert snapshot(bo) == before, step
        assert client.get("/hard/people").status_code == 200
        step += 1
    assert step > 2  # the operation wrote several documents, each failure was answered


def test_the_injected_fault_is_what_the_caller_gets(tmp_path: Path) -> None:
    bo = build_backoffice(tmp_path)
    ids = seed_fault_fixture(bo)
    with storage_faults(bo, 2) as state, pytest.raises(InjectedFault) as raised:
        FAULT_OPERATIONS["save"](bo, ids)
    assert state["failed"] in str(raised.value)


# --- SIGKILL in the middle of a save -----------------------------------------------------------


def test_a_killed_saver_leaves_the_old_or_the_new_item(tmp_path: Path) -> None:
    outcome = run_kills(tmp_path, KILL_RUNS, seed=3, mode="plain", max_delay=0.08)
    assert outcome.lost == []
    assert outcome.figures["kills"] == KILL_RUNS
    assert outcome.figures["saves"] > 0  # the kills did land among saves


def test_a_killed_saver_of_linked_items_leaves_a_loadable_store(tmp_path: Path) -> None:
    """Each file is old or new; the references of a half-done save may disagree (README.md: not durable)."""
    outcome = run_kills(tmp_path, 3, seed=4, mode="refs", max_delay=0.08)
    assert outcome.lost == []
    assert outcome.figures["kills"] == 3
