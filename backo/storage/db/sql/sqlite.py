"""The SQLite connector, on Python's own sqlite3: :class:`DBSQLiteConnector`.

One file holds any number of collections, one table each (see :mod:`.table`). The file is
in WAL mode (readers never wait for the writer), and every connection waits up to
``busy_timeout`` seconds for another writer instead of failing: several processes may use
one file. Inside a backo transaction the connection begins with ``BEGIN IMMEDIATE``, which
takes the file's write lock for the whole transaction: writers of all processes take turns,
and what the transaction reads is what it writes over.

Regular expressions of filters run in the engine through ``backo_regex``, a SQL function
this module registers on each connection: backo's own engine (re2 by default), so that a
``$reg`` means in SQL what it means everywhere else.
"""

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from backo.error import DBError

from ..regex import compile_regex
from .dialect import Dialect, SQLiteDialect
from .table import Answer, Engine, JSONTableConnector, OpenTransaction

#: Seconds a statement waits for another writer of the file before failing.
DEFAULT_BUSY_TIMEOUT = 10.0
#: Idle connections kept per file.
MAX_IDLE = 8


def _regex(pattern: str, engine: str, value: Any) -> int:
    """``backo_regex(pattern, engine, value)``: 1 if ``value`` is a str that ``pattern`` ``re.match``-es."""
    return 1 if compile_regex(pattern, engine).matches(value) else 0


class _Transaction(OpenTransaction):
    def __init__(self, engine: "SQLiteEngine", connection: sqlite3.Connection) -> None:
        self.engine = engine
        self.connection = connection

    def commit(self) -> None:
        try:
            self.connection.execute("COMMIT")
        except sqlite3.Error as error:
            self._end()
            raise DBError("sqlite commit failed: {0}", error) from error
        self.engine.release(self.connection)

    def rollback(self) -> None:
        self._end()

    def _end(self) -> None:
        try:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
        finally:
            self.engine.release(self.connection)


class SQLiteEngine(Engine):
    """One SQLite file: a small pool of connections (autocommit mode, WAL, busy timeout)."""

    name = "sqlite"
    errors = (sqlite3.Error, UnicodeError)
    no_limit = -1

    def __init__(self, path: str, busy_timeout: float) -> None:
        self.path = path
        self.key = ("sqlite", path)
        self.busy_timeout = busy_timeout
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def dialect(self, indexed: frozenset[str]) -> Dialect:
        return SQLiteDialect(indexed)

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.create_function("backo_regex", 3, _regex, deterministic=True)
        return connection

    def acquire(self) -> sqlite3.Connection:
        """An idle connection, or a new one (one thread uses it at a time)."""
        with self._lock:
            if self._pid != os.getpid():  # a forked child must not use its parent's connections
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return self._open()

    def release(self, connection: sqlite3.Connection) -> None:
        """Give ``connection`` back (closed if enough are idle)."""
        with self._lock:
            if len(self._idle) < MAX_IDLE and self._pid == os.getpid() and not connection.in_transaction:
                self._idle.append(connection)
                return
        connection.close()

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        connection = self.acquire()
        try:
            yield connection
        finally:
            self.release(connection)

    def begin(self) -> OpenTransaction:
        connection = self.acquire()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            self.release(connection)
            raise DBError("sqlite could not begin a transaction on {0}: {1}", self.path, error) from error
        return _Transaction(self, connection)

    def run(self, connection: Any, sql: str, params: Sequence[Any] = ()) -> Answer:
        cursor = connection.execute(sql, tuple(params))
        rows = cursor.fetchall()
        return rows, cursor.rowcount

    def create_table(self, table: str) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {table} (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)"
        ]

    def create_index(self, table: str, name: str, keys: list[str], descending: bool) -> str:
        path = "'$" + "".join(f".{key}" for key in keys) + "'"
        direction = " DESC" if descending else ""
        return f"CREATE INDEX IF NOT EXISTS {name} ON {table} (json_extract(doc, {path}){direction}, id)"

    def insert(self, table: str) -> str:
        return f"INSERT INTO {table} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"

    def upsert(self, table: str) -> str:
        return f"INSERT INTO {table} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc"

    def document_params(self, _id: str, text: str) -> tuple[Any, ...]:
        return (_id, text)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


_ENGINES: dict[str, SQLiteEngine] = {}
_ENGINES_LOCK = threading.Lock()


def sqlite_engine(path: str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> SQLiteEngine:
    """The engine of the file ``path``, shared by every connector of this process on that file.

    :raises DBError: ``path`` is ``:memory:`` or empty (each connection would see its own database).
    """
    if not path or path == ":memory:" or path.startswith("file:"):
        raise DBError('DBSQLiteConnector needs the path of a file, not "{0}"', path)
    real = os.path.realpath(path)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(real)
        if engine is None:
            engine = _ENGINES[real] = SQLiteEngine(real, busy_timeout)
        return engine


class DBSQLiteConnector(JSONTableConnector):
    """A collection as a table of a SQLite file (Python's sqlite3: no extra to install).

    ``path`` is the database file (created if missing, with its folder's permissions),
    ``table`` the collection's table (letters, digits, ``_``; default ``"documents"``),
    ``indexes`` the fields to index (``["category", "-price", "address.city"]``, see
    :meth:`ensure_indexes`), ``busy_timeout`` the seconds a statement waits for another
    writer. Several connectors (and processes) may share one file; choose one table each.

    Example::

        books = Collection("books", Book(), DBSQLiteConnector(path="data/shop.db", table="books",
                                                              indexes=["category"]))

    .. versionadded:: 0.3.0
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = "",
        table: str = "documents",
        indexes: Iterable[str] | None = None,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(sqlite_engine(os.fspath(path), busy_timeout), table, indexes, **kwargs)
