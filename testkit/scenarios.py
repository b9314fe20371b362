"""Hardening scenarios, shared by ``tests/hardening`` (small counts) and ``benchmarks/hardening.py`` (full counts).

Each scenario runs against YAML stores under a root folder and returns an :class:`Outcome`:
how many operations it did, how many faults it injected, and the list of everything it found
lost or broken (empty when all is well). The tests assert on that list; the benchmark prints it.

* :func:`run_threads` / :func:`run_processes`: writers in parallel (threads of one process, or
  processes started with the ``spawn`` method, each building its own backoffice on the same
  folders), creating and updating plain items and items linked by references.
* :func:`run_fault_campaign`: one run per storage call of an operation, the k-th call failing.
* :func:`run_kills`: a subprocess saving one item in a loop, killed with SIGKILL at random points.
"""

import contextlib
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from backo import (
    Backoffice,
    Collection,
    DBError,
    DBYmlConnector,
    DeleteStrategy,
    Int,
    Item,
    Ref,
    RefsList,
    String,
    current_user,
)
from backo.core.transaction import transaction

#: The folder of the project (the subprocesses run from there).
PROJECT_ROOT = Path(__file__).resolve().parents[1]

COLLECTIONS = ("notes", "people", "addrs", "books", "authors")
WRITE_METHODS = ("create", "save", "delete_by_id")
READ_METHODS = ("get_by_id", "select")


@dataclass
class Outcome:
    """What a scenario did and what it found lost or broken."""

    name: str
    operations: int = 0
    faults: int = 0
    hostile: int = 0
    #: every problem found: a lost create or update, a torn file, a broken reference...
    lost: list[str] = field(default_factory=list)
    #: other figures worth printing (seconds, leftover temporary files...)
    figures: dict[str, Any] = field(default_factory=dict)


# --- the model -------------------------------------------------------------------------


def build_backoffice(root: str | Path) -> Backoffice:
    """Backoffice "hard": plain notes, and four collections linked by references.

    * ``people.addr`` (Ref) <-> ``addrs.people`` (RefsList, deleting an addr deletes its people);
    * ``people.books`` (RefsList) <-> ``books.readers`` (RefsList);
    * ``books.authors`` (RefsList) <-> ``authors.books`` (RefsList).
    """
    root = Path(root)
    unlink = DeleteStrategy.UNLINK_REFERENCED_ITEMS

    def store(name: str) -> DBYmlConnector:
        return DBYmlConnector(path=str(root / name))

    bo = Backoffice("hard")
    bo.register_collection(
        Collection(
            "notes",
            Item({"owner": String(), "seq": Int(default=0), "a": String(), "b": String(), "hits": Int(default=0)}),
            store("notes"),
        )
    )
    bo.register_collection(
        Collection(
            "people",
            Item(
                {
                    "name": String(),
                    "addr": Ref(coll="addrs", field="$.people"),
                    "books": RefsList(coll="books", field="$.readers", ods=unlink),
                }
            ),
            store("people"),
        )
    )
    bo.register_collection(
        Collection(
            "addrs",
            Item(
                {
                    "name": String(),
                    "people": RefsList(coll="people", field="$.addr", ods=DeleteStrategy.DELETE_REFERENCED_ITEMS),
                }
            ),
            store("addrs"),
        )
    )
    bo.register_collection(
        Collection(
            "books",
            Item(
                {
                    "title": String(),
                    "readers": RefsList(coll="people", field="$.books", ods=unlink),
                    "authors": RefsList(coll="authors", field="$.books", ods=unlink),
                }
            ),
            store("books"),
        )
    )
    bo.register_collection(
        Collection(
            "authors",
            Item({"name": String(), "books": RefsList(coll="books", field="$.authors", ods=unlink)}),
            store("authors"),
        )
    )
    return bo


def _id(item: Any) -> str:
    return item._id.get_value()


def snapshot(bo: Backoffice) -> dict[str, Any]:
    """Every stored document of every collection, and the files of every folder."""
    state: dict[str, Any] = {}
    for name, coll in bo.collections.items():
        documents = {document["_id"]: document for document in coll.db_handler.select(None)}
        files = sorted(entry for entry in os.listdir(coll.db_handler.path) if entry != ".backo.lock")
        state[name] = {"documents": documents, "files": files}
    return state


def describe_difference(before: dict[str, Any], after: dict[str, Any]) -> str:
    """A short text naming what differs between two snapshots."""
    changes = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, {}), after.get(name, {})
        if old.get("files") != new.get("files"):
            changes.append(f"{name}: files {old.get('files')} -> {new.get('files')}")
        old_docs, new_docs = old.get("documents", {}), new.get("documents", {})
        for _id_ in sorted(set(old_docs) | set(new_docs)):
            if old_docs.get(_id_) != new_docs.get(_id_):
                changes.append(f"{name}/{_id_}: {old_docs.get(_id_)} -> {new_docs.get(_id_)}")
    return "; ".join(changes) or "no difference"


def unreadable_files(root: str | Path) -> list[str]:
    """Every ``.yml`` file under ``root`` that is not a YAML mapping naming its own ``_id``."""
    problems = []
    for path in sorted(Path(root).rglob("*.yml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeError, yaml.YAMLError) as exc:
            problems.append(f"torn file {path}: {exc}")
            continue
        if not isinstance(document, dict) or str(document.get("_id")) != path.stem:
            problems.append(f"torn file {path}: {document!r:.80}")
    return problems


def temporary_files(root: str | Path) -> list[str]:
    """The temporary files a writer left behind (it was killed between writing and renaming)."""
    return sorted(str(path) for path in Path(root).rglob(".tmp-*"))


# --- concurrent writers ------------------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    """The ids every writer knows: reference targets, hot notes, the counter."""

    addrs: tuple[str, ...]
    books: tuple[str, ...]
    authors: tuple[str, ...]
    hot: tuple[str, ...]
    counter: str


def seed_shared(bo: Backoffice) -> Shared:
    """The items every writer shares (created before the writers start)."""
    return Shared(
        addrs=tuple(_id(bo.addrs.create({"name": f"addr{n}"})) for n in range(4)),
        books=tuple(_id(bo.books.create({"title": f"book{n}"})) for n in range(6)),
        authors=tuple(_id(bo.authors.create({"name": f"author{n}"})) for n in range(4)),
        hot=tuple(_id(bo.notes.create({"owner": "all", "a": "initial", "b": "initial"})) for _ in range(2)),
        counter=_id(bo.notes.create({"owner": "counter", "hits": 0})),
    )


@dataclass
class Ledger:
    """What one writer did, to be checked against the store at the end."""

    worker: int
    operations: int = 0
    #: own notes: id -> the tag last written (a == b == tag)
    notes: dict[str, str] = field(default_factory=dict)
    #: own people: id -> (addr, sorted books) last written
    people: dict[str, tuple[str | None, list[str]]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    hot_tags: list[str] = field(default_factory=list)
    increments: int = 0
    errors: list[str] = field(default_factory=list)


#: Operation mix of a writer: (name, weight).
OPERATIONS = (
    ("create_note", 3),
    ("update_note", 3),
    ("hot_note", 2),
    ("increment", 2),
    ("create_person", 3),
    ("move_person", 3),
    ("author_books", 1),
    ("book_authors", 1),
    ("delete_person", 1),
)


@contextlib.contextmanager
def updating(collection: Any, _id_: str) -> Iterator[Any]:
    """Load ``_id_``, let the block change it, save it: one operation, as a PUT does.

    The load happens inside the operation's transaction, hence under the write lock: the
    block sees the stored version and no other writer comes in between.
    """
    with transaction(collection.backoffice) as transaction_id:
        item = collection.new_item()
        item.load(_id_, transaction_id=transaction_id)
        item.enable_permissions()
        yield item
        item.save(transaction_id=transaction_id)


def _one_operation(bo: Backoffice, shared: Shared, ledger: Ledger, rng: random.Random, op: str, k: int) -> None:
    tag = f"w{ledger.worker}-{k}"
    if op == "update_note" and ledger.notes:
        note = rng.choice(sorted(ledger.notes))
        with updating(bo.notes, note) as item:
            item.set({"a": tag, "b": tag, "seq": k})
        ledger.notes[note] = tag
    elif op in ("create_note", "update_note"):
        item = bo.notes.create({"owner": f"w{ledger.worker}", "a": tag, "b": tag, "seq": k})
        ledger.notes[_id(item)] = tag
    elif op == "hot_note":
        ledger.hot_tags.append(tag)  # before the write: a failed write may still have landed
        with updating(bo.notes, rng.choice(shared.hot)) as item:
            item.set({"a": tag, "b": tag, "seq": k})
    elif op == "increment":
        with updating(bo.notes, shared.counter) as item:
            item.set({"hits": item.hits.get_value() + 1})
        ledger.increments += 1
    elif op in ("move_person", "delete_person") and ledger.people:
        person = rng.choice(sorted(ledger.people))
        if op == "delete_person":
            with transaction(bo) as transaction_id:
                item = bo.people.new_item()
                item.load(person, transaction_id=transaction_id)
                item.delete(transaction_id=transaction_id)
            del ledger.people[person]
            ledger.deleted.append(person)
        else:
            addr, books = rng.choice([*shared.addrs, None]), rng.sample(shared.books, rng.randint(0, 3))
            with updating(bo.people, person) as item:
                item.set({"name": tag, "addr": addr, "books": books})
            ledger.people[person] = (addr, sorted(books))
    elif op in ("create_person", "move_person", "delete_person"):
        addr, books = rng.choice([*shared.addrs, None]), rng.sample(shared.books, rng.randint(0, 3))
        item = bo.people.create({"name": tag, "addr": addr, "books": books})
        ledger.people[_id(item)] = (addr, sorted(books))
    elif op == "author_books":
        with updating(bo.authors, rng.choice(shared.authors)) as item:
            item.set({"books": rng.sample(shared.books, rng.randint(0, 3))})
    elif op == "book_authors":
        with updating(bo.books, rng.choice(shared.books)) as item:
            item.set({"authors": rng.sample(shared.authors, rng.randint(0, 2))})
    else:  # pragma: no cover - the table above lists every operation
        raise ValueError(op)


def writer(bo: Backoffice, shared: Shared, worker: int, operations: int, seed: int) -> Ledger:
    """Do ``operations`` random operations (see :data:`OPERATIONS`) and record their effects."""
    rng = random.Random(seed)
    ledger = Ledger(worker)
    names = [name for name, _ in OPERATIONS]
    weights = [weight for _, weight in OPERATIONS]
    for k in range(operations):
        op = rng.choices(names, weights)[0]
        try:
            _one_operation(bo, shared, ledger, rng, op, k)
        except Exception as exc:  # noqa: BLE001 - every failure is reported by verify()
            ledger.errors.append(f"worker {worker} {op} #{k}: {exc!r}")
        ledger.operations += 1
    return ledger


def verify(root: str | Path, shared: Shared, ledgers: list[Ledger]) -> list[str]:
    """Everything lost or broken: compares the store (read afresh) with what the writers did."""
    problems = [error for ledger in ledgers for error in ledger.errors]
    problems += unreadable_files(root)
    problems += [f"temporary file left: {path}" for path in temporary_files(root)]
    bo = build_backoffice(root)  # new connectors: nothing cached, everything read from the files
    notes = {document["_id"]: document for document in bo.notes.db_handler.select(None)}
    people = {document["_id"]: document for document in bo.people.db_handler.select(None)}
    for ledger in ledgers:
        for note, tag in ledger.notes.items():
            document = notes.get(note)
            if document is None:
                problems.append(f"lost create: note {note} of worker {ledger.worker}")
            elif document.get("a") != document.get("b"):
                problems.append(f"torn operation: note {note} a={document.get('a')} b={document.get('b')}")
            elif document.get("a") != tag:
                problems.append(f"lost update: note {note} holds {document.get('a')}, last written {tag}")
        for person, (addr, books) in ledger.people.items():
            document = people.get(person)
            if document is None:
                problems.append(f"lost create: person {person} of worker {ledger.worker}")
            elif (document.get("addr"), sorted(document.get("books") or [])) != (addr, books):
                problems.append(
                    f"lost update: person {person} holds {document.get('addr')} {document.get('books')}, "
                    f"last written {addr} {books}"
                )
        problems += [f"deleted person {person} still stored" for person in ledger.deleted if person in people]
    written = {"initial"} | {tag for ledger in ledgers for tag in ledger.hot_tags}
    for note in shared.hot:
        document = notes.get(note, {})
        if document.get("a") != document.get("b") or document.get("a") not in written:
            problems.append(f"torn operation: hot note {note} a={document.get('a')} b={document.get('b')}")
    hits = notes.get(shared.counter, {}).get("hits")
    increments = sum(ledger.increments for ledger in ledgers)
    if hits != increments:
        problems.append(f"lost update: counter holds {hits} after {increments} increments")
    problems += [f"integrity: {problem}" for problem in bo.check_integrity()]
    return problems


def run_threads(root: str | Path, threads: int = 8, operations: int = 500, seed: int = 0) -> Outcome:
    """``threads`` writers in this process, on one backoffice."""
    bo = build_backoffice(root)
    shared = seed_shared(bo)
    ledgers: list[Ledger] = [Ledger(n) for n in range(threads)]
    barrier = threading.Barrier(threads)

    def run(n: int) -> None:
        barrier.wait()
        ledgers[n] = writer(bo, shared, n, operations, seed * 1000 + n)

    started = time.perf_counter()
    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    outcome = Outcome(f"{threads} threads x {operations} operations")
    outcome.operations = sum(ledger.operations for ledger in ledgers)
    outcome.figures["seconds"] = round(time.perf_counter() - started, 2)
    outcome.lost = verify(root, shared, ledgers)
    return outcome


def process_writer(
    root: str, shared: Shared, worker: int, operations: int, seed: int, file_lock: bool, barrier: Any, results: Any
) -> None:
    """The body of one writer process: its own backoffice on the shared folders."""
    ledger = Ledger(worker)
    try:
        current_user.standalone = True
        if not file_lock:  # the control experiment: processes no longer take turns
            DBYmlConnector.write_lock = lambda self: contextlib.nullcontext()  # type: ignore[method-assign]
        bo = build_backoffice(root)
        barrier.wait(timeout=120)
        ledger = writer(bo, shared, worker, operations, seed)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        ledger.errors.append(f"worker {worker} crashed: {exc!r}")
    results.put(ledger)


def run_processes(
    root: str | Path, processes: int = 4, operations: int = 500, seed: int = 0, file_lock: bool = True
) -> Outcome:
    """``processes`` writer processes ('spawn' start method), each with its own backoffice on ``root``."""
    bo = build_backoffice(root)
    shared = seed_shared(bo)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(
            target=process_writer,
            args=(str(root), shared, n, operations, seed * 1000 + n, file_lock, barrier, results),
        )
        for n in range(processes)
    ]
    started = time.perf_counter()
    for process in workers:
        process.start()
    ledgers = []
    try:
        ledgers = [results.get(timeout=600) for _ in workers]
    finally:
        for process in workers:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
                process.join()
        results.close()
        results.join_thread()
    outcome = Outcome(f"{processes} processes x {operations} operations" + ("" if file_lock else " (no file lock)"))
    outcome.operations = sum(ledger.operations for ledger in ledgers)
    outcome.figures["seconds"] = round(time.perf_counter() - started, 2)
    outcome.lost = verify(root, shared, ledgers)
    return outcome


# --- injected storage faults --------------------------------------------------------------


class InjectedFault(DBError):
    """The storage failure a fault campaign injects."""


@contextlib.contextmanager
def storage_faults(bo: Backoffice, fail_at: int | None, methods: tuple[str, ...] = WRITE_METHODS) -> Iterator[dict]:
    """Count the calls of ``methods`` on every connector of ``bo``; make call number ``fail_at`` raise.

    Yields ``{"calls": n, "failed": "save on people"}``, updated as calls happen.
    """
    state: dict[str, Any] = {"calls": 0, "failed": None}
    patched = []
    for coll in bo.collections.values():
        db = coll.db_handler
        for name in methods:
            original = getattr(db, name)

            def wrapped(
                *args: Any, _original: Callable = original, _what: str = f"{name} on {coll.name}", **kwargs: Any
            ) -> Any:
                state["calls"] += 1
                if state["calls"] == fail_at:
                    state["failed"] = _what
                    raise InjectedFault("injected failure of {0} (storage call {1})", _what, fail_at)
                return _original(*args, **kwargs)

            setattr(db, name, wrapped)
            patched.append((db, name))
    try:
        yield state
    finally:
        for db, name in patched:
            db.__dict__.pop(name, None)


def seed_fault_fixture(bo: Backoffice) -> dict[str, str]:
    """A small linked world: two addrs, three people, three books, two authors."""
    ids = {f"a{n}": _id(bo.addrs.create({"name": f"a{n}"})) for n in (1, 2)}
    ids |= {f"b{n}": _id(bo.books.create({"title": f"b{n}"})) for n in (1, 2, 3)}
    ids["au1"] = _id(bo.authors.create({"name": "au1", "books": [ids["b1"], ids["b2"]]}))
    ids["au2"] = _id(bo.authors.create({"name": "au2", "books": [ids["b2"]]}))
    ids["p1"] = _id(bo.people.create({"name": "p1", "addr": ids["a1"], "books": [ids["b1"], ids["b2"]]}))
    ids["p2"] = _id(bo.people.create({"name": "p2", "addr": ids["a1"], "books": [ids["b2"]]}))
    ids["p3"] = _id(bo.people.create({"name": "p3", "addr": ids["a2"], "books": [ids["b3"]]}))
    return ids


def op_create(bo: Backoffice, ids: dict[str, str]) -> None:
    """Create a person linked to an addr and two books (Ref + RefsList)."""
    bo.people.create({"name": "new", "addr": ids["a2"], "books": [ids["b1"], ids["b3"]]})


def op_save(bo: Backoffice, ids: dict[str, str]) -> None:
    """Move a person to another addr and change its books."""
    person = bo.people.get_by_id(ids["p1"])
    person.set({"addr": ids["a2"], "books": [ids["b2"], ids["b3"]]})
    person.save()


def op_save_refslist(bo: Backoffice, ids: dict[str, str]) -> None:
    """Change an author's books from the author's side (RefsList <-> RefsList)."""
    author = bo.authors.get_by_id(ids["au1"])
    author.set({"books": [ids["b3"]]})
    author.save()


def op_cascade_delete(bo: Backoffice, ids: dict[str, str]) -> None:
    """Delete an addr: its two people go with it (DELETE_REFERENCED_ITEMS), and leave their books."""
    bo.addrs.get_by_id(ids["a1"]).delete()


FAULT_OPERATIONS: dict[str, Callable[[Backoffice, dict[str, str]], None]] = {
    "create": op_create,
    "save": op_save,
    "save RefsList<->RefsList": op_save_refslist,
    "cascade delete": op_cascade_delete,
}


def _fresh_copy(template: Path, target: Path) -> Backoffice:
    shutil.copytree(template, target)
    return build_backoffice(target)


def run_fault_campaign(
    workdir: str | Path,
    name: str,
    operation: Callable[[Backoffice, dict[str, str]], None],
    methods: tuple[str, ...] = WRITE_METHODS,
    is_injected: Callable[[BaseException], bool] = lambda exc: isinstance(exc, InjectedFault),
) -> Outcome:
    """Run ``operation`` once per call of ``methods`` it makes, that call failing; the store must not change.

    A first run without fault counts the calls and checks that the operation does change
    the store (so that an unchanged store means something).
    """
    workdir = Path(workdir)
    label = name.replace(" ", "_").replace("<->", "-")
    template = workdir / f"{label}-template"
    ids = seed_fault_fixture(build_backoffice(template))
    outcome = Outcome(f"faults in {name} ({'/'.join(methods)})")
    bo = _fresh_copy(template, workdir / f"{label}-dry")
    before = snapshot(bo)
    with storage_faults(bo, None, methods) as state:
        operation(bo, ids)
    steps = state["calls"]
    outcome.operations += 1
    if snapshot(bo) == before:
        outcome.lost.append(f"{name}: the operation changed nothing, the campaign proves nothing")
    outcome.figures["steps"] = steps
    for k in range(1, steps + 1):
        bo = _fresh_copy(template, workdir / f"{label}-{k}")
        before = snapshot(bo)
        with storage_faults(bo, k, methods) as state:
            try:
                operation(bo, ids)
            except BaseException as exc:  # noqa: BLE001 - judged below
                if not is_injected(exc):
                    outcome.lost.append(f"{name}, fault at call {k} ({state['failed']}): the caller got {exc!r}")
            else:
                outcome.lost.append(f"{name}, fault at call {k} ({state['failed']}): the caller got no error")
        outcome.operations += 1
        outcome.faults += 1
        after = snapshot(bo)
        if after != before:
            outcome.lost.append(f"{name}, fault at call {k} ({state['failed']}): {describe_difference(before, after)}")
        if bo.transactions:
            outcome.lost.append(f"{name}, fault at call {k}: transactions left open {bo.transactions}")
        outcome.lost += [f"{name}, fault at call {k}: integrity: {p}" for p in bo.check_integrity()]
    return outcome


# --- killed writers ---------------------------------------------------------------------


def seed_kill_fixture(bo: Backoffice) -> list[str]:
    """The saver's arguments: the note it saves, and a person it moves between two addrs."""
    note = _id(bo.notes.create({"owner": "saver", "seq": 0, "a": "v0", "b": "v0"}))
    addrs = [_id(bo.addrs.create({"name": f"k{n}"})) for n in (0, 1)]
    person = _id(bo.people.create({"name": "v0", "addr": addrs[0]}))
    return [note, person, *addrs]


def _saver_command(root: Path, ids: list[str], mode: str) -> list[str]:
    return [sys.executable, "-m", "testkit.saver", str(root), mode, *ids]


def _repair_addrs(bo: Backoffice) -> None:
    """Rewrite every addr's people list from the people's Refs (after a crash broke it)."""
    people = bo.people.db_handler.select(None)
    for document in bo.addrs.db_handler.select(None):
        document["people"] = sorted(p["_id"] for p in people if p.get("addr") == document["_id"])
        bo.addrs.db_handler.save(document["_id"], document)


def run_kills(root: str | Path, runs: int = 50, seed: int = 0, mode: str = "plain", max_delay: float = 0.2) -> Outcome:
    """Kill a saving subprocess ``runs`` times; after each kill the store must load, holding the old or new item.

    ``mode="plain"`` saves one note (one file per save). ``mode="refs"`` moves a person
    between two addrs (three files per save): a kill between them may leave the
    references half-updated; that is counted (``figures["references broken"]``) and
    repaired, not reported as lost, since transactions are not durable.
    """
    root = Path(root)
    rng = random.Random(seed)
    ids = seed_kill_fixture(build_backoffice(root))
    outcome = Outcome(f"{runs} SIGKILLs of a saver ({mode})")
    outcome.figures.update({"saves": 0, "kills": 0, "temporary files left": 0, "references broken": 0})
    stored = 0
    environment = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    for run in range(runs):
        process = subprocess.Popen(
            _saver_command(root, ids, mode),
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None
        ready = process.stdout.readline()
        if ready != b"ready\n":
            process.kill()
            _, errors = process.communicate()
            outcome.lost.append(f"run {run}: the saver did not start: {ready!r} {errors.decode()[-500:]}")
            break
        time.sleep(rng.uniform(0, max_delay))
        process.send_signal(signal.SIGKILL)
        output, _ = process.communicate()
        outcome.faults += 1
        outcome.figures["kills"] += 1
        confirmed = [int(line) for line in output.split(b"\n")[:-1] if line.strip()]  # complete lines only
        last = confirmed[-1] if confirmed else stored
        outcome.figures["saves"] += len(confirmed)
        outcome.operations += len(confirmed)
        outcome.lost += [f"run {run}: {problem}" for problem in unreadable_files(root)]
        outcome.figures["temporary files left"] += len(temporary_files(root))
        for path in temporary_files(root):
            os.unlink(path)
        bo = build_backoffice(root)
        try:
            collection, key = (bo.notes, "a") if mode == "plain" else (bo.people, "name")
            document = collection.db_handler.get_by_id(ids[0] if mode == "plain" else ids[1])
            collection.get_by_id(document["_id"])  # an Item loads from it
            listed = [d["_id"] for d in collection.db_handler.select(None)].count(document["_id"])
        except Exception as exc:  # noqa: BLE001 - the item is lost
            outcome.lost.append(f"run {run}: the saved item cannot be loaded: {exc!r}")
            continue
        seq = int(str(document.get(key, "v-1"))[1:])
        if listed != 1:
            outcome.lost.append(f"run {run}: the item is listed {listed} times")
        if seq not in (last, last + 1):
            outcome.lost.append(f"run {run}: stored v{seq}, but the last confirmed save was v{last}")
        if mode == "plain" and document.get("a") != document.get("b"):
            outcome.lost.append(f"run {run}: torn item a={document.get('a')} b={document.get('b')}")
        if mode == "refs" and bo.check_integrity():
            outcome.figures["references broken"] += 1
            _repair_addrs(bo)
        stored = max(seq, stored)
    return outcome
