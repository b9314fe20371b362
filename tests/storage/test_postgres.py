"""DBPostgresConnector on a real PostgreSQL (the session's throwaway cluster, tests/support/postgres.py).

What is PostgreSQL's own: JSONB with its GIN and expression indexes, the exact text handed
back, the pool shared by the connectors of one server, one transaction across tables, the
queries a list page costs, and the errors without psycopg or without a server.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest

from backo.core.transaction import TransactionLog, transaction
from backo.error import DBError
from backo.storage.db import DBPostgresConnector
from backo.storage.db.sql.translate import translate
from testkit.postgres import free_port
from tests.support.postgres import PostgresFactory


def test_the_table_has_a_gin_index_and_the_declared_expression_indexes(
    postgres_factory: PostgresFactory, postgres_url: str
) -> None:
    db = postgres_factory(indexes=["category", "-price", "meta.owner"])
    db.ensure_indexes(["category"])  # idempotent
    with psycopg.connect(postgres_url) as connection:
        rows = connection.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [db.table])
        definitions = dict(rows.fetchall())
    assert any("gin" in definition and "jsonb_path_ops" in definition for definition in definitions.values())
    assert f"{db.table}__category" in definitions
    assert "DESC" in definitions[f"{db.table}__price_desc"]
    assert "'meta'::text) -> 'owner'" in definitions[f"{db.table}__meta_owner"]


def test_an_indexed_filter_uses_its_index(postgres_factory: PostgresFactory, postgres_url: str) -> None:
    db = postgres_factory(indexes=["category"])
    for n in range(300):
        db.create({"_id": f"{n:04d}", "category": f"c{n % 10}", "tag": f"t{n % 10}"})
    clauses = {field: translate({field: "c3"}, db._dialect) for field in ("category", "tag")}  # what the connector runs
    plans = {}
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'ANALYZE "{db.table}"')
        connection.execute("SET enable_seqscan = off")
        for field, clause in clauses.items():
            assert clause is not None
            explain = f'EXPLAIN SELECT COUNT(*) FROM "{db.table}" WHERE {clause.sql}'
            plans[field] = str(connection.execute(explain, clause.params).fetchall())
    assert f"{db.table}__category" in plans["category"]  # the expression index
    assert f"{db.table}__doc" in plans["tag"]  # not declared: containment, on the GIN index


def test_documents_come_back_exactly(postgres_factory: PostgresFactory) -> None:
    db = postgres_factory()
    document = {"_id": "1", "z": 1, "a": {"y": 1e16, "b": -0.0}, "f": 0.1, "big": 2**80, "s": "été ✓"}
    db.create(document)
    back = db.get_by_id("1")
    assert back == document
    assert list(back) == list(document)  # JSONB reorders keys: the exact text is kept
    assert type(back["a"]["y"]) is float


def test_what_postgresql_cannot_hold_is_refused(postgres_factory: PostgresFactory) -> None:
    db = postgres_factory()
    with pytest.raises(DBError):
        db.create({"_id": "1", "s": "a\x00b"})
    with pytest.raises(DBError, match="JSON"):
        db.create({"_id": "2", "f": float("inf")})
    assert db.select(None) == []
    assert not db.answers_exactly({"s": "a\x00b"})  # never pushed down either


def test_connectors_of_one_server_share_one_pool_and_one_transaction(
    postgres_factory: PostgresFactory,
) -> None:
    books, authors = postgres_factory(), postgres_factory()
    assert books.engine is authors.engine
    log = TransactionLog()
    with pytest.raises(RuntimeError), transaction(log):
        books.create({"_id": "1"})
        authors.create({"_id": "1"})
        raise RuntimeError("rolled back")
    assert books.select(None) == [] and authors.select(None) == []
    with transaction(log):
        books.create({"_id": "1"})
        authors.create({"_id": "1"})
    assert len(books.select(None)) == len(authors.select(None)) == 1


def test_an_unreachable_server_is_a_dberror() -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    with pytest.raises(DBError, match="no connection to the server"):
        DBPostgresConnector(connection_string=url, table="t", connect_timeout=1)


@pytest.mark.timeout(60)
def test_without_psycopg_import_backo_works_and_the_connector_names_the_extra(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["psycopg"] = None  # what an interpreter without psycopg answers: ImportError
        import backo
        from backo.storage.db import DBPostgresConnector
        try:
            DBPostgresConnector(connection_string="postgresql://x@127.0.0.1/x", table="t")
        except backo.error.DBError as error:
            print(error)
        """
    )
    root = str(Path(__file__).resolve().parents[2])
    answer = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=50)
    assert answer.returncode == 0, answer.stderr
    assert "pip install 'backoffice-kit[postgres]'" in answer.stdout


def test_the_estimated_count_is_the_planner_s_and_a_page_may_skip_its_count(
    postgres_factory: PostgresFactory, postgres_url: str
) -> None:
    db = postgres_factory()
    for n in range(50):
        db.create({"_id": f"{n:03d}", "n": n})
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'ANALYZE "{db.table}"')
    assert db.estimated_count() == 50
    assert db.select_page({"n": ("$lt", 10)}, 3, 0, {"_id": 1}, count=False) == (
        [{"_id": "000", "n": 0}, {"_id": "001", "n": 1}, {"_id": "002", "n": 2}],
        None,
    )
    assert db.select_page({"n": ("$lt", 10)}, 3, 0, {"_id": 1})[1] == 10
