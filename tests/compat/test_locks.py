"""COMPAT-FIXES §5 and N1: any assignment of folders to collections writes, and never deadlocks.

0.2.1 has no write lock; this project's must not turn what 0.2.1 does into a hang. Each
case runs the writes in a worker thread joined with a timeout (a regression fails fast
with a clear message), and carries a pytest-timeout backstop.
"""

import multiprocessing
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from backo import (
    Backoffice,
    Collection,
    DBMemoryConnector,
    DBRedirect,
    DBYmlConnector,
    DeleteStrategy,
    Item,
    Ref,
    RefsList,
    String,
    current_user,
)
from backo.locks import folder_lock, hold_write_lock, write_lock_owned, write_lock_released

#: Seconds any of these cases may take (they take well under one).
BOUND = 20


def finishes(work: Callable[[], Any], bound: float = BOUND) -> Any:
    """Run ``work`` in a thread; fail if it does not finish within ``bound`` seconds."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        current_user.standalone = True
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(bound)
    assert not worker.is_alive(), f"still waiting after {bound} s: a deadlock"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def shop(db_books: Any, db_authors: Any, linked: bool = False) -> Backoffice:
    """Books and authors, with a Ref/RefsList pair between them when ``linked``."""
    book: dict[str, Any] = {"title": String()}
    author: dict[str, Any] = {"name": String()}
    if linked:
        book["author"] = Ref(coll="authors", field="$.books")
        author["books"] = RefsList(coll="books", field="$.author", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS)
    bo = Backoffice("shop")
    bo.register_collection(Collection("books", Item(book), db_books))
    bo.register_collection(Collection("authors", Item(author), db_authors))
    return bo


def spellings(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Two names of one folder, as users write them."""
    folder = tmp_path / "data"
    folder.mkdir()
    (tmp_path / "alias").symlink_to(folder)
    return {
        "same": (str(folder), str(folder)),
        "trailing slash": (str(folder), str(folder) + "/"),
        "relative dots": (str(folder), str(folder / ".." / "data")),
        "symlink": (str(folder), str(tmp_path / "alias")),
    }


# -- §5: one folder, several connectors or collections -------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("spelling", ["same", "trailing slash", "relative dots", "symlink"])
@pytest.mark.parametrize("linked", [False, True], ids=["no refs", "refs"])
def test_two_collections_on_one_folder_write(tmp_path: Path, spelling: str, linked: bool) -> None:
    first, second = spellings(tmp_path)[spelling]
    bo = shop(DBYmlConnector(path=first), DBYmlConnector(path=second), linked)

    def work() -> tuple[str, int]:
        author = bo.authors.create({"name": "Herbert"})
        data: dict[str, Any] = {"title": "Dune"}
        if linked:
            data["author"] = author._id.get_value()
        book = bo.books.create(data)
        author.reload()
        return bo.books.get_by_id(book._id.get_value()).title.get_value(), len(author.books) if linked else 1

    assert finishes(work) == ("Dune", 1)


@pytest.mark.timeout(60)
def test_one_connector_shared_by_two_collections(tmp_path: Path) -> None:
    db = DBYmlConnector(path=str(tmp_path / "one"))
    bo = shop(db, db, linked=True)

    def work() -> str:
        author = bo.authors.create({"name": "Ursula"})
        book = bo.books.create({"title": "Earthsea", "author": author._id.get_value()})
        book.title = "A Wizard of Earthsea"
        book.save()
        author.delete()
        return bo.books.get_by_id(book._id.get_value()).title.get_value()

    assert finishes(work) == "A Wizard of Earthsea"


@pytest.mark.timeout(60)
def test_two_connectors_left_at_the_default_path() -> None:
    bo = shop(DBYmlConnector(), DBYmlConnector())
    ids: list[tuple[Any, str]] = []

    def work() -> None:
        ids.append((bo.books, bo.books.create({"title": f"x-{uuid.uuid4().hex}"})._id.get_value()))
        ids.append((bo.authors, bo.authors.create({"name": f"y-{uuid.uuid4().hex}"})._id.get_value()))

    try:
        finishes(work)
        assert [coll.get_by_id(_id)._id.get_value() for coll, _id in ids] == [_id for _, _id in ids]
    finally:
        for coll, _id in ids:
            coll.db_handler.delete_by_id(_id)


@pytest.mark.timeout(60)
def test_two_backoffices_on_one_folder_from_two_threads(tmp_path: Path) -> None:
    folder = str(tmp_path / "shared")
    offices = [shop(DBYmlConnector(path=folder), DBYmlConnector(path=folder + "/")) for _ in range(2)]

    def writer(bo: Backoffice) -> Callable[[], None]:
        def work() -> None:
            for n in range(15):
                bo.books.create({"title": f"t{n}"})

        return work

    threads = [threading.Thread(target=finishes, args=(writer(bo),)) for bo in offices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND * 2)
    assert not any(thread.is_alive() for thread in threads)
    assert len(offices[0].books.select({})) == 30


# -- N1: nested back offices ------------------------------------------------------------------


def mirrored(name: str, db: Any, mirror_into: Callable[[], Backoffice | None]) -> Backoffice:
    """A back office whose ``created`` handler copies each note into another back office."""

    def copy_note(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
        other = mirror_into()
        text = me.text.get_value()
        if other is not None and not text.startswith("copy of "):
            other.notes.create({"text": f"copy of {text}"})

    bo = Backoffice(name)
    bo.register_collection(Collection("notes", Item({"text": String()}, on=[("created", copy_note)]), db))
    return bo


@pytest.mark.timeout(60)
def test_a_handler_writes_into_another_backoffice_on_the_same_folder(tmp_path: Path) -> None:
    folder = str(tmp_path / "both")
    offices: dict[str, Backoffice] = {}
    offices["a"] = mirrored("a", DBYmlConnector(path=folder), lambda: offices["b"])
    offices["b"] = mirrored("b", DBYmlConnector(path=folder), lambda: None)
    finishes(lambda: offices["a"].notes.create({"text": "hello"}))
    texts = sorted(note.text.get_value() for note in offices["b"].notes.select({}))
    assert texts == ["copy of hello", "hello"]  # one folder: each lists both documents


@pytest.mark.timeout(90)
@pytest.mark.parametrize("store", ["yml", "memory"])
def test_backoffices_writing_into_each_other_from_two_threads(tmp_path: Path, store: str) -> None:
    """Each thread enters one back office, whose handler writes into the other: no lock-order inversion."""

    def db(name: str) -> Any:
        return DBYmlConnector(path=str(tmp_path / name)) if store == "yml" else DBMemoryConnector()

    offices: dict[str, Backoffice] = {}
    offices["a"] = mirrored("a", db("a"), lambda: offices["b"])
    offices["b"] = mirrored("b", db("b"), lambda: offices["a"])
    start = threading.Barrier(2)

    def writer(name: str) -> Callable[[], None]:
        def work() -> None:
            start.wait(BOUND)
            for n in range(25):
                offices[name].notes.create({"text": f"{name}{n}"})

        return work

    results: list[Any] = []
    threads = [threading.Thread(target=lambda n=name: results.append(finishes(writer(n), BOUND * 3))) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND * 4)
    assert not any(thread.is_alive() for thread in threads), "the two back offices deadlocked"
    assert len(results) == 2
    assert [len(offices[name].notes.select({})) for name in "ab"] == [50, 50]


# -- N1: a collection served by this very process ----------------------------------------------


@pytest.fixture
def self_redirecting_app(tmp_path: Path) -> Iterator[tuple[Backoffice, Any, Flask]]:
    """Back office "shop": "books" on YAML, and "front" a DBRedirect to "books" served by this process."""
    app = Flask("self")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    bo = Backoffice("shop")
    bo.register_collection(Collection("books", Item({"title": String()}), DBYmlConnector(path=str(tmp_path / "b"))))
    front = DBRedirect("books", host="127.0.0.1", port=server.server_port, prefix="shop")
    bo.register_collection(Collection("front", Item({"title": String()}), front))
    bo.build_routes(app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield bo, server, app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(BOUND)
        front.close()


@pytest.mark.timeout(90)
def test_a_redirect_to_a_collection_served_by_this_process(self_redirecting_app: Any) -> None:
    bo, server, _app = self_redirecting_app

    def through_python() -> str:
        return bo.front.create({"title": "Dune"})._id.get_value()

    _id = finishes(through_python)
    assert bo.books.get_by_id(_id).title.get_value() == "Dune"

    def through_http() -> tuple[int, Any]:
        import requests

        answer = requests.post(
            f"http://127.0.0.1:{server.server_port}/shop/front", json={"title": "Emma"}, timeout=BOUND
        )
        return answer.status_code, answer.json()

    status, body = finishes(through_http)
    assert status == 200
    assert bo.books.get_by_id(body["_id"]).title.get_value() == "Emma"


# -- the lock itself ------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_the_lock_is_released_around_remote_io_and_taken_back() -> None:
    seen: list[bool] = []
    with hold_write_lock(), hold_write_lock():
        with write_lock_released():
            seen.append(write_lock_owned())
            seen.append(finishes(lambda: _holds_briefly()))
        seen.append(write_lock_owned())
    seen.append(write_lock_owned())
    assert seen == [False, True, True, False]


def _holds_briefly() -> bool:
    with hold_write_lock():
        return write_lock_owned()


def test_a_folder_has_one_lock_whatever_its_spelling(tmp_path: Path) -> None:
    names = spellings(tmp_path)
    kept = [folder_lock(name) for pair in names.values() for name in pair]
    assert len({id(lock) for lock in kept}) == 1
    other = folder_lock(str(tmp_path))
    assert other is not kept[0] and other.key != kept[0].key


def test_a_missing_folder_cannot_be_registered(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        folder_lock(str(tmp_path / "nowhere"))


def test_another_thread_waits_for_the_holder() -> None:
    order: list[str] = []
    inside = threading.Event()

    def other() -> None:
        with hold_write_lock():
            order.append("other")

    with hold_write_lock():
        thread = threading.Thread(target=other, daemon=True)
        thread.start()
        thread.join(0.3)
        inside.set()
        order.append("holder")
    thread.join(BOUND)
    assert order == ["holder", "other"]


def test_releasing_a_lock_not_held_is_an_error() -> None:
    from backo.locks import _WRITE_LOCK

    with pytest.raises(RuntimeError, match="does not hold it"):
        _WRITE_LOCK.release()


# -- §5 and N1 across processes ------------------------------------------------------------------


def _process_writer(first: str, second: str, names: tuple[str, str], rounds: int, done: Any) -> None:
    """In a child process: ``rounds`` linked writes touching both folders, collections named ``names``."""
    current_user.standalone = True
    book_name, author_name = names
    bo = Backoffice("p")
    bo.register_collection(
        Collection(
            book_name,
            Item({"title": String(), "author": Ref(coll=author_name, field="$.books")}),
            DBYmlConnector(path=first),
        )
    )
    bo.register_collection(
        Collection(
            author_name,
            Item({"name": String(), "books": RefsList(coll=book_name, field="$.author")}),
            DBYmlConnector(path=second),
        )
    )
    books, authors = bo.collections[book_name], bo.collections[author_name]
    author = authors.create({"name": f"{os.getpid()}"})
    for n in range(rounds):
        books.create({"title": f"{os.getpid()}-{n}", "author": author._id.get_value()})
    done.put(os.getpid())


@pytest.mark.timeout(180)
def test_two_processes_naming_two_folders_differently_never_deadlock(tmp_path: Path) -> None:
    """Collection-name order and path spelling disagree between the two processes, the folder order cannot."""
    books, authors = tmp_path / "books", tmp_path / "authors"
    books.mkdir()
    authors.mkdir()
    (tmp_path / "b_link").symlink_to(books)
    (tmp_path / "a_link").symlink_to(authors)
    context = multiprocessing.get_context("spawn")
    done = context.Queue()
    rounds = 120
    children = [
        # in one process books sort first by collection name, in the other authors do
        context.Process(
            target=_process_writer, args=(str(books), str(authors), ("a_books", "z_authors"), rounds, done)
        ),
        context.Process(
            target=_process_writer,
            args=(str(tmp_path / "b_link") + "/", str(tmp_path / "a_link"), ("z_books", "a_authors"), rounds, done),
        ),
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(150)
    alive = [child for child in children if child.is_alive()]
    for child in alive:
        child.kill()
    assert not alive, "the two processes deadlocked"
    assert [child.exitcode for child in children] == [0, 0]
    assert len(list(books.glob("*.yml"))) == 2 * rounds


# -- what another process sees ---------------------------------------------------------------------

_PROBE = """
import fcntl, os, sys
descriptor = os.open(os.path.join(sys.argv[1], ".backo.lock"), os.O_RDWR | os.O_CREAT, 0o666)
try:
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("locked")
else:
    print("free")
"""


def locked_for_other_processes(folder: str) -> bool:
    """Whether another process would have to wait for ``folder``'s lock."""
    import subprocess
    import sys

    answer = subprocess.run([sys.executable, "-c", _PROBE, folder], capture_output=True, text=True, timeout=BOUND)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip() == "locked"


@pytest.mark.timeout(60)
def test_other_processes_wait_while_a_write_holds_every_folder(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    keep = [DBYmlConnector(path=str(first)), DBYmlConnector(path=str(second))]
    assert not locked_for_other_processes(str(first))
    with hold_write_lock():
        assert locked_for_other_processes(str(first))
        assert locked_for_other_processes(str(second))
        late = DBYmlConnector(path=str(tmp_path / "late"))  # first used while a write is in progress
        with hold_write_lock():
            assert locked_for_other_processes(str(tmp_path / "late"))
        with write_lock_released():
            assert not locked_for_other_processes(str(first))
        assert locked_for_other_processes(str(first))
    assert not any(locked_for_other_processes(str(folder)) for folder in (first, second, tmp_path / "late"))
    assert len(keep) == 2 and late.path


@pytest.mark.timeout(60)
def test_a_custom_connector_lock_is_entered_once_per_operation(tmp_path: Path) -> None:
    import contextlib

    entered: list[str] = []

    class Locking(DBMemoryConnector):
        @contextlib.contextmanager
        def write_lock(self) -> Iterator[None]:
            entered.append("in")
            yield
            entered.append("out")

    bo = shop(Locking(), DBMemoryConnector(), linked=True)
    author = bo.authors.create({"name": "Mary"})
    entered.clear()
    bo.books.create({"title": "Frankenstein", "author": author._id.get_value()})
    assert entered == ["in", "out"]
