"""The PostgreSQL connector, on psycopg 3 and its connection pool: :class:`DBPostgresConnector`.

One table per collection (see :mod:`.table`): the document as JSONB (``doc``, queried, with a
GIN index ``jsonb_path_ops`` for containment and one expression index per declared field)
and as its exact JSON text (``raw``, handed back: JSONB reorders keys and prints ``1e16`` as
an integer). Connections come from a pool (``psycopg_pool``), one per connection string in
this process, shared by the connectors on it; inside a backo transaction every statement
runs on one connection in one PostgreSQL transaction.

psycopg is imported when the first connector is built, so that ``import backo`` works
without it; without it, that connector raises DBError naming the extra to install.
The same SQL runs on a primary with streaming replicas and on PostgreSQL-compatible
engines (it needs JSONB, ``jsonb_path_ops`` and ``starts_with``: PostgreSQL 11 or later).
"""

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any

from backo.error import DBError
from backo.log import get_logger

from .dialect import Dialect, PostgresDialect
from .table import Answer, Engine, JSONTableConnector, OpenTransaction

log = get_logger("backo.sql")

#: The distribution's extra that installs psycopg and its pool.
EXTRA_INSTALL = "pip install 'backoffice-kit[postgres]'"
#: Seconds to wait for a connection (from the pool, or to the server at start).
DEFAULT_CONNECT_TIMEOUT = 10.0
#: The pool's size bounds.
DEFAULT_MIN_SIZE = 1
DEFAULT_MAX_SIZE = 10
#: SQLSTATEs of a concurrent CREATE ... IF NOT EXISTS that lost the race (the object exists).
_ALREADY_THERE = ("23505", "42P07", "42710")


def _drivers() -> tuple[ModuleType, ModuleType]:
    """psycopg and psycopg_pool, imported now.

    :raises DBError: they are not installed (the message names the extra).
    """
    try:
        import psycopg
        import psycopg_pool
    except ImportError as error:
        raise DBError(
            "DBPostgresConnector needs psycopg and psycopg_pool, which are not installed ({0}): {1}",
            error,
            EXTRA_INSTALL,
        ) from error
    return psycopg, psycopg_pool


class _Transaction(OpenTransaction):
    def __init__(self, engine: "PostgresEngine", pool: Any, connection: Any) -> None:
        self.engine = engine
        self.pool = pool
        self.connection = connection

    def _end(self, statement: str) -> None:
        try:
            self.connection.execute(statement)
        finally:
            self.pool.putconn(self.connection)

    def commit(self) -> None:
        try:
            self._end("COMMIT")
        except self.engine.errors as error:
            raise DBError("postgres commit failed: {0}", error) from error

    def rollback(self) -> None:
        self._end("ROLLBACK")


class PostgresEngine(Engine):
    """One PostgreSQL database (a connection string): a pool of autocommit connections."""

    name = "postgres"
    no_limit = None  # LIMIT NULL: no limit

    def __init__(self, connection_string: str, min_size: int, max_size: int, timeout: float) -> None:
        psycopg, self._pools = _drivers()
        self.errors = (psycopg.Error, self._pools.PoolTimeout, UnicodeError)
        self._psycopg = psycopg
        self.connection_string = connection_string
        self.key = ("postgres", connection_string)
        self.min_size, self.max_size, self.timeout = min_size, max_size, timeout
        self._pool: Any = None
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._users = 0

    def dialect(self, indexed: frozenset[str]) -> Dialect:
        return PostgresDialect(indexed)

    def pool(self) -> Any:
        """The open pool (opened now if needed, again after :meth:`close` or in a forked child)."""
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                pool = self._pools.ConnectionPool(
                    self.connection_string,
                    min_size=self.min_size,
                    max_size=self.max_size,
                    kwargs={"autocommit": True},
                    timeout=self.timeout,
                    open=False,
                    name=f"backo-{id(self):x}",
                )
                try:
                    pool.open(wait=True, timeout=self.timeout)
                except self._pools.PoolTimeout as error:
                    pool.close()
                    raise DBError(
                        "postgres: no connection to the server within {0} s: {1}", self.timeout, error
                    ) from error
                self._pool, self._pid = pool, os.getpid()
            return self._pool

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        with self.pool().connection(timeout=self.timeout) as connection:
            yield connection

    def begin(self) -> OpenTransaction:
        pool = self.pool()
        connection = pool.getconn(timeout=self.timeout)
        try:
            connection.execute("BEGIN")
        except BaseException:
            pool.putconn(connection)
            raise
        return _Transaction(self, pool, connection)

    def run(self, connection: Any, sql: str, params: Sequence[Any] = ()) -> Answer:
        cursor = connection.execute(sql, tuple(params))
        rows = cursor.fetchall() if cursor.description is not None else []
        return rows, cursor.rowcount

    def create_table(self, table: str) -> list[str]:
        name = table.strip('"')
        return [
            f'CREATE TABLE IF NOT EXISTS {table} (seq bigint GENERATED ALWAYS AS IDENTITY, id text COLLATE "C" '
            "PRIMARY KEY, doc jsonb NOT NULL, raw text NOT NULL)",
            f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}__seq" ON {table} (seq)',
            f'CREATE INDEX IF NOT EXISTS "{name}__doc" ON {table} USING gin (doc jsonb_path_ops)',
        ]

    def create_index(self, table: str, name: str, keys: list[str], descending: bool) -> str:
        expression = "doc"
        for key in keys:
            expression = f"({expression} -> '{key}')"
        direction = " DESC" if descending else ""
        return f"CREATE INDEX IF NOT EXISTS {name} ON {table} (({expression}){direction}, id)"

    def insert(self, table: str) -> str:
        return f"INSERT INTO {table} (id, doc, raw) VALUES (%s, %s::jsonb, %s) ON CONFLICT (id) DO NOTHING"

    def upsert(self, table: str) -> str:
        return (
            f"INSERT INTO {table} (id, doc, raw) VALUES (%s, %s::jsonb, %s) "
            "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, raw = excluded.raw"
        )

    def document_params(self, _id: str, text: str) -> tuple[Any, ...]:
        return (_id, text, text)

    def run_ddl(self, statements: list[str]) -> None:
        """Run idempotent DDL, ignoring the error of a concurrent creator that won the race."""
        with self.connection() as connection:
            for statement in statements:
                try:
                    connection.execute(statement)
                except self._psycopg.Error as error:
                    if getattr(error, "sqlstate", None) not in _ALREADY_THERE:
                        raise

    def attach(self) -> None:
        with self._lock:
            self._users += 1

    def close(self) -> None:
        """Close the pool once the last connector closed (it reopens if used again)."""
        with self._lock:
            self._users = max(self._users - 1, 0)
            pool = self._pool if self._users == 0 else None
            if pool is not None:
                self._pool = None
        if pool is not None:
            pool.close()


_ENGINES: dict[tuple[str, int, int, float], PostgresEngine] = {}
_ENGINES_LOCK = threading.Lock()


def postgres_engine(connection_string: str, min_size: int, max_size: int, timeout: float) -> PostgresEngine:
    """The engine of ``connection_string``, shared by every connector of this process on it."""
    key = (connection_string, min_size, max_size, timeout)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = PostgresEngine(connection_string, min_size, max_size, timeout)
    engine.attach()
    return engine


class DBPostgresConnector(JSONTableConnector):
    """A collection as a table of a PostgreSQL database (psycopg 3, extra ``[postgres]``).

    ``connection_string`` is a libpq URL or DSN (``postgresql://user@host:5432/db``),
    ``table`` the collection's table (letters, digits, ``_``; default ``"documents"``),
    ``indexes`` the fields to index (``["category", "-price"]``, see :meth:`ensure_indexes`),
    ``min_size``/``max_size`` the bounds of the connection pool shared by the connectors on
    one connection string, ``connect_timeout`` the seconds to wait for a connection.

    Example::

        books = Collection("books", Book(), DBPostgresConnector(
            connection_string="postgresql://backo@db/shop", table="books", indexes=["category"]))

    :raises DBError: psycopg is not installed, or the server does not answer.

    .. versionadded:: 0.3.0
    """

    def __init__(
        self,
        connection_string: str = "",
        table: str = "documents",
        indexes: Iterable[str] | None = None,
        min_size: int = DEFAULT_MIN_SIZE,
        max_size: int = DEFAULT_MAX_SIZE,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        if not connection_string:
            raise DBError("DBPostgresConnector needs a connection_string")
        engine = postgres_engine(connection_string, min_size, max_size, connect_timeout)
        try:
            super().__init__(engine, table, indexes, **kwargs)
        except BaseException:
            engine.close()
            raise

    def estimated_count(self) -> int | None:
        """See :meth:`DBConnector.estimated_count`: the planner's statistics (``pg_class.reltuples``),
        None while the table was never analysed (the core then counts exactly)."""
        sql = "SELECT reltuples FROM pg_class WHERE oid = %s::regclass"
        rows, _ = self._run("estimated count", sql, (self._quoted,))
        estimate = float(rows[0][0]) if rows and rows[0][0] is not None else -1.0
        return None if estimate < 0 else int(estimate)
