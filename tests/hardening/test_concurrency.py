"""Concurrent writers on one YAML store: nothing lost, no torn file, references consistent.

Threads share one backoffice; processes ('spawn') each build their own on the same folders
and take turns through the file lock. The scenarios are in :mod:`.scenarios`; see
README.md here for the guarantee they check.
"""

import random
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from backo import Action, NotFoundError
from testkit.scenarios import (
    Ledger,
    Shared,
    build_backoffice,
    run_processes,
    run_threads,
    seed_shared,
    snapshot,
    verify,
)

from .conftest import PROCESS_OPERATIONS, PROCESSES, THREAD_OPERATIONS, THREADS


def test_threads_lose_nothing(tmp_path: Path) -> None:
    outcome = run_threads(tmp_path, THREADS, THREAD_OPERATIONS, seed=1)
    assert outcome.lost == []
    assert outcome.operations == THREADS * THREAD_OPERATIONS


def test_processes_take_turns_and_lose_nothing(tmp_path: Path) -> None:
    outcome = run_processes(tmp_path, PROCESSES, PROCESS_OPERATIONS, seed=2)
    assert outcome.lost == []
    assert outcome.operations == PROCESSES * PROCESS_OPERATIONS


def test_verify_notices_what_is_lost(tmp_path: Path) -> None:
    """The checker itself: a lost create, a lost or torn update, a lost increment, a broken link."""
    bo = build_backoffice(tmp_path)
    shared = seed_shared(bo)
    kept = bo.notes.create({"a": "t1", "b": "t1"})._id.get_value()
    torn = bo.notes.create({"a": "t1", "b": "t2"})._id.get_value()
    person = bo.people.create({"name": "p", "addr": shared.addrs[0]})._id.get_value()
    ledger = Ledger(
        0, notes={kept: "t2", torn: "t1", "ghost": "t1"}, people={person: (shared.addrs[1], [])}, increments=1
    )
    bo.addrs.db_handler.save(shared.addrs[0], {**bo.addrs.db_handler.get_by_id(shared.addrs[0]), "people": []})
    problems = verify(tmp_path, shared, [ledger])
    assert any(p.startswith(f"lost update: note {kept}") for p in problems)
    assert any(p.startswith(f"torn operation: note {torn}") for p in problems)
    assert "lost create: note ghost of worker 0" in problems
    assert any(p.startswith(f"lost update: person {person}") for p in problems)
    assert "lost update: counter holds 0 after 1 increments" in problems
    assert any(p.startswith("integrity: ") for p in problems)
    (tmp_path / "notes" / "torn.yml").write_text("_id: torn\na: [unclosed", encoding="utf-8")
    assert any(p.startswith("torn file ") for p in verify(tmp_path, shared, [ledger]))


# --- through the routes ---------------------------------------------------------------------


def _increment(action: Any, item: Any, **kwargs: Any) -> None:
    item.set({"hits": item.hits.get_value() + 1})
    item.save(**kwargs)


def test_http_writers_lose_nothing(tmp_path: Path) -> None:
    """8 clients at once: POST, PUT (own and shared items) and an action incrementing a counter."""
    bo = build_backoffice(tmp_path)
    shared = seed_shared(bo)
    bo.notes.register_action("increment", Action({}, _increment))
    app = Flask(__name__)
    bo.build_routes(app)
    ledgers = [Ledger(n) for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def client_thread(ledger: Ledger) -> None:
        client, rng = app.test_client(), random.Random(ledger.worker)
        barrier.wait()
        for k in range(THREAD_OPERATIONS):
            tag, op = f"w{ledger.worker}-{k}", rng.choice(["create", "update", "hot", "increment", "person", "move"])
            if op == "update" and ledger.notes:
                note = rng.choice(sorted(ledger.notes))
                response = client.put(f"/hard/notes/{note}", json={"a": tag, "b": tag})
                ledger.notes[note] = tag
            elif op == "hot":
                ledger.hot_tags.append(tag)
                response = client.put(f"/hard/notes/{rng.choice(shared.hot)}", json={"a": tag, "b": tag})
            elif op == "increment":
                response = client.post(f"/hard/notes/_actions/increment/{shared.counter}", json={})
                ledger.increments += 1
            elif op == "move" and ledger.people:
                person = rng.choice(sorted(ledger.people))
                addr, books = rng.choice(shared.addrs), rng.sample(shared.books, 2)
                response = client.put(f"/hard/people/{person}", json={"addr": addr, "books": books})
                ledger.people[person] = (addr, sorted(books))
            elif op in ("person", "move"):
                addr, books = rng.choice(shared.addrs), rng.sample(shared.books, 1)
                response = client.post("/hard/people", json={"name": tag, "addr": addr, "books": books})
                ledger.people[response.json["_id"]] = (addr, books)
            else:
                response = client.post("/hard/notes", json={"a": tag, "b": tag})
                ledger.notes[response.json["_id"]] = tag
            if response.status_code != 200:
                ledger.errors.append(f"{op}: {response.status_code} {response.text}")
            ledger.operations += 1

    threads = [threading.Thread(target=client_thread, args=(ledger,)) for ledger in ledgers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert verify(tmp_path, shared, ledgers) == []
    assert sum(ledger.operations for ledger in ledgers) == THREADS * THREAD_OPERATIONS


# --- last writer wins, for Items loaded before another writer changed them ----------------------


def test_two_stale_copies_the_last_save_wins_whole(tmp_path: Path) -> None:
    bo = build_backoffice(tmp_path)
    shared = seed_shared(bo)
    person = bo.people.create({"name": "p", "addr": shared.addrs[0], "books": [shared.books[0]]})._id.get_value()
    first, second = bo.people.get_by_id(person), bo.people.get_by_id(person)
    first.set({"name": "first", "addr": shared.addrs[1], "books": [shared.books[1]]})
    second.set({"name": "second", "addr": shared.addrs[2], "books": [shared.books[2]]})
    first.save()
    second.save()
    stored = bo.people.db_handler.get_by_id(person)
    assert (stored["name"], stored["addr"], stored["books"]) == ("second", shared.addrs[2], [shared.books[2]])
    assert bo.check_integrity() == []
    assert [person in bo.addrs.db_handler.get_by_id(a)["people"] for a in shared.addrs[:3]] == [False, False, True]


def test_a_stale_delete_removes_the_links_made_meanwhile(tmp_path: Path) -> None:
    bo = build_backoffice(tmp_path)
    shared = seed_shared(bo)
    person = bo.people.create({"name": "p", "books": [shared.books[0]]})._id.get_value()
    stale = bo.people.get_by_id(person)
    fresh = bo.people.get_by_id(person)
    fresh.set({"books": [shared.books[0], shared.books[1]]})
    fresh.save()
    stale.delete()
    assert bo.check_integrity() == []
    assert all(person not in bo.books.db_handler.get_by_id(b)["readers"] for b in shared.books)


def _book_read_before_a_reader_came(tmp_path: Path) -> tuple[Any, Any, Shared, str]:
    bo = build_backoffice(tmp_path)
    shared = seed_shared(bo)
    stale_book = bo.books.get_by_id(shared.books[0])  # readers: []
    person = bo.people.create({"name": "reader", "books": [shared.books[0]]})._id.get_value()
    return bo, stale_book, shared, person


def test_a_stale_save_keeps_the_links_made_meanwhile(tmp_path: Path) -> None:
    bo, stale_book, shared, person = _book_read_before_a_reader_came(tmp_path)
    stale_book.set({"authors": [shared.authors[0]]})  # changes the authors only
    stale_book.save()
    assert bo.check_integrity() == []
    assert bo.people.db_handler.get_by_id(person)["books"] == [shared.books[0]]


def test_a_stale_save_is_not_refused_for_a_reader_deleted_meanwhile(tmp_path: Path) -> None:
    bo = build_backoffice(tmp_path)
    shared = seed_shared(bo)
    person = bo.people.create({"name": "reader", "books": [shared.books[0]]})._id.get_value()
    stale_book = bo.books.get_by_id(shared.books[0])  # readers: [person]
    bo.people.get_by_id(person).delete()
    stale_book.set({"title": "renamed"})
    try:
        stale_book.save()
    except NotFoundError as exc:
        pytest.fail(f"renaming a book failed: {exc!r}")
    assert bo.books.db_handler.get_by_id(shared.books[0])["title"] == "renamed"
    assert bo.check_integrity() == []


def test_the_same_change_through_put_keeps_both_writes(tmp_path: Path) -> None:
    """PUT loads the Item under the write lock: the stale-copy problem above cannot happen through the routes."""
    bo, _, shared, person = _book_read_before_a_reader_came(tmp_path)
    app = Flask(__name__)
    bo.build_routes(app)
    before = snapshot(bo)["people"]
    response = app.test_client().put(f"/hard/books/{shared.books[0]}", json={"authors": [shared.authors[0]]})
    assert response.status_code == 200 and response.json["readers"] == [person]
    assert snapshot(bo)["people"] == before
    assert bo.check_integrity() == []
