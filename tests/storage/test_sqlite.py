"""DBSQLiteConnector: what is SQLite's own (the contract battery and the translator are tested elsewhere).

One file shared by connectors and processes, WAL mode, declared indexes used by the queries,
the filter and the page and the count run in SQLite, and what SQLite cannot store.
"""

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from backo.error import DBError
from backo.storage.db import DBSQLiteConnector


def _statements(db: DBSQLiteConnector) -> list[str]:
    """Every statement the connector's connections run from now on (a trace on each idle connection)."""
    seen: list[str] = []
    connection = db.engine.acquire()  # type: ignore[attr-defined]
    connection.set_trace_callback(seen.append)
    db.engine.release(connection)  # type: ignore[attr-defined]
    return seen


def test_the_file_is_in_wal_mode_and_keeps_the_documents(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    db = DBSQLiteConnector(path=path, table="books")
    db.create({"_id": "1", "title": "Dune", "tags": ["sf"]})
    db.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = DBSQLiteConnector(path=str(path), table="books")
    assert again.get_by_id("1") == {"_id": "1", "title": "Dune", "tags": ["sf"]}


def test_collections_of_one_file_are_separate_tables(tmp_path: Path) -> None:
    books = DBSQLiteConnector(path=tmp_path / "shop.db", table="books")
    authors = DBSQLiteConnector(path=tmp_path / "shop.db", table="authors")
    books.create({"_id": "1", "title": "Dune"})
    assert authors.select(None) == []
    assert books.storage_location != authors.storage_location


def test_declared_indexes_are_created_once_and_used(tmp_path: Path) -> None:
    db = DBSQLiteConnector(path=tmp_path / "shop.db", table="books", indexes=["category", "-price", "meta.owner"])
    db.ensure_indexes(["category", "-price"])  # idempotent
    DBSQLiteConnector(path=tmp_path / "shop.db", table="books", indexes=["category"])  # another connector: idempotent
    with sqlite3.connect(tmp_path / "shop.db") as raw:
        names = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"books__category", "books__price_desc", "books__meta_owner"} <= names
        plan = raw.execute(
            "EXPLAIN QUERY PLAN SELECT doc FROM books WHERE json_extract(doc, '$.category') = 'c3' ORDER BY id"
        ).fetchall()
    assert "books__category" in str(plan)


def test_invalid_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DBError, match="Invalid table name"):
        DBSQLiteConnector(path=tmp_path / "x.db", table="books; DROP")
    with pytest.raises(DBError, match="Invalid index"):
        DBSQLiteConnector(path=tmp_path / "x.db", table="books", indexes=["a-b"])
    with pytest.raises(DBError, match="path of a file"):
        DBSQLiteConnector(path=":memory:")


def test_what_json_cannot_hold_is_refused(tmp_path: Path) -> None:
    db = DBSQLiteConnector(path=tmp_path / "x.db", table="t")
    with pytest.raises(DBError, match="JSON"):
        db.create({"_id": "1", "f": float("nan")})
    with pytest.raises(DBError):
        db.create({"_id": "2", "s": "\ud800"})
    assert db.select(None) == []


def test_a_list_page_is_one_count_and_one_query_in_sqlite(tmp_path: Path) -> None:
    db = DBSQLiteConnector(path=tmp_path / "x.db", table="t", indexes=["category"])
    for n in range(200):
        db.create({"_id": f"{n:04d}", "category": f"c{n % 10}", "n": n})
    seen = _statements(db)
    page, total = db.select_page({"category": "c3"}, 5, 10, {"_id": 1})
    assert total == 20
    assert [document["n"] for document in page] == [103, 113, 123, 133, 143]
    assert len(seen) == 2 and "COUNT(*)" in seen[0] and "LIMIT" in seen[1]


def test_regular_expressions_run_in_sqlite_on_backo_s_engine(tmp_path: Path) -> None:
    db = DBSQLiteConnector(path=tmp_path / "x.db", table="t")
    for _id, name in (("1", "dave"), ("2", "Dave"), ("3", "٣3")):
        db.create({"_id": _id, "name": name})
    assert db.answers_exactly({"name": ("$reg", "^[dD]a")})
    assert [d["_id"] for d in db.select({"name": ("$reg", "^[dD]a")})] == ["1", "2"]
    assert [d["_id"] for d in db.select({"name": ("$reg", "^\\d\\d")})] == ["3"]  # Unicode \\d, as in Python


def test_values_sql_would_order_otherwise_are_sorted_in_python(tmp_path: Path) -> None:
    db = DBSQLiteConnector(path=tmp_path / "x.db", table="t")
    values: list[Any] = [{"b": 1}, [2], 3, "x", None, {"a": 2}, [1], 2**60]
    for n, value in enumerate(values):
        db.create({"_id": str(n), "v": value})
    from backo.storage.db.listing import sort_documents

    expected = sort_documents(db.select(None), {"v": 1})
    assert db.select(None, sort_object={"v": 1}) == expected


_WORKER = textwrap.dedent(
    """
    import sys
    from backo import Backoffice, Collection, Int, Item
    from backo.core.transaction import transaction
    from backo.storage.db import DBSQLiteConnector

    path, rounds = sys.argv[1], int(sys.argv[2])
    bo = Backoffice("shared")
    bo.register_collection(Collection("counters", Item({"n": Int(default=0)}), DBSQLiteConnector(path=path, table="c")))
    for _ in range(rounds):
        with transaction(bo) as transaction_id:
            item = bo.counters.new_item()
            item.load("1", transaction_id=transaction_id)
            item.n = item.n.get_value() + 1
            item.save(transaction_id=transaction_id)
    print("done")
    """
)


@pytest.mark.timeout(120)
def test_two_processes_on_one_file_lose_no_update(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    db = DBSQLiteConnector(path=path, table="c")
    db.create({"_id": "1", "n": 0})
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    root = str(Path(__file__).resolve().parents[2])
    workers = [
        subprocess.Popen([sys.executable, str(script), path, "40"], cwd=root, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for worker in workers:
        output, _ = worker.communicate(timeout=100)
        assert worker.returncode == 0 and output.strip() == "done"
    assert db.get_by_id("1")["n"] == 80  # each read-modify-write held the file's write lock


def test_a_long_index_name_is_the_same_in_every_process(tmp_path) -> None:
    """Names over PostgreSQL's 63 characters are shortened with a digest that does not depend on
    the process (str hashes do): a second process finds the index instead of adding a copy."""
    import subprocess
    import sys

    script = (
        "import sys; from backo.storage.db.sql.table import index_name as parts; "
        "print(parts(sys.argv[1], sys.argv[2])[0])"
    )
    table, spec = "t" * 50, "-a_rather_long_field_name.with_a_nested_part"
    names = {
        subprocess.run(
            [sys.executable, "-c", script, table, spec], capture_output=True, text=True, check=True, timeout=60
        ).stdout.strip()
        for _ in range(3)
    }
    assert len(names) == 1 and len(names.pop()) <= 63
