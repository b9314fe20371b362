"""A table of JSON documents: what the SQLite and PostgreSQL connectors share (:class:`JSONTableConnector`).

One table per collection::

    seq  -- insertion order (what the memory store keeps), the last sort key
    id   -- the document's _id (primary key)
    doc  -- the document as JSON (SQLite: text; PostgreSQL: JSONB, plus ``raw``, its exact text)

and one expression index per declared field (:meth:`JSONTableConnector.ensure_indexes`).
The connector translates what it can to SQL (:mod:`.translate`): the filter, the sort,
the page and the count then run in the database, one query for the page and one COUNT.
What it cannot translate exactly runs in Python (:func:`~backo.storage.db.listing.query_page`
over the documents read in insertion order), with the same answers.

The two engines differ only by an :class:`Engine` (driver, connections, DDL) and a
:class:`~.dialect.Dialect` (the spelling of the tests): everything else is here.
Inside a backo transaction, every statement runs in the engine transaction of the thread's
:class:`~backo.storage.db.engine_transactions.UnitOfWork`.
"""

import abc
import contextlib
import hashlib
import json
import threading
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any

from backo.error import DBError, FilterError, NotFoundError

from .. import engine_transactions
from ..base import DBConnector
from ..listing import project, query_page, sort_documents
from ..query import MatchFilter, paginate
from ..regex import compile_filter
from .dialect import Dialect, checked_identifier, checked_path
from .fragment import Fragment, join
from .translate import translate

#: A statement's answer: its rows, and how many rows it changed.
Answer = tuple[list[tuple[Any, ...]], int]


class Engine(abc.ABC):
    """One database (a SQLite file, a PostgreSQL server) and its driver, shared by the connectors on it."""

    #: "sqlite" or "postgres": for messages
    name: str
    #: what identifies the database: connectors on one database share one engine transaction
    key: Hashable
    #: the driver's error class (wrapped into DBError)
    errors: tuple[type[BaseException], ...]

    @abc.abstractmethod
    def dialect(self, indexed: frozenset[str]) -> Dialect:
        """The dialect of this engine, for a table whose ``indexed`` paths have expression indexes."""

    @abc.abstractmethod
    def connection(self) -> contextlib.AbstractContextManager[Any]:
        """A connection for one statement outside any transaction (each statement commits)."""

    @abc.abstractmethod
    def begin(self) -> "OpenTransaction":
        """A connection in a new engine transaction (for a unit of work)."""

    @abc.abstractmethod
    def run(self, connection: Any, sql: str, params: Sequence[Any] = ()) -> Answer:
        """Execute ``sql`` with ``params`` on ``connection``."""

    @abc.abstractmethod
    def create_table(self, table: str) -> list[str]:
        """The statements creating ``table`` (quoted) if missing, idempotent."""

    @abc.abstractmethod
    def create_index(self, table: str, name: str, keys: list[str], descending: bool) -> str:
        """The statement creating the expression index ``name`` on the dotted path ``keys``, idempotent."""

    @abc.abstractmethod
    def insert(self, table: str) -> str:
        """INSERT of a new document that changes nothing (0 rows) if its id exists."""

    @abc.abstractmethod
    def upsert(self, table: str) -> str:
        """INSERT of a document, replacing the one of the same id (whose ``seq`` stays)."""

    @abc.abstractmethod
    def document_params(self, _id: str, text: str) -> tuple[Any, ...]:
        """The parameters of :meth:`insert` and :meth:`upsert` for a document of JSON ``text``."""

    #: the LIMIT that means "no limit"
    no_limit: Any = None

    def run_ddl(self, statements: list[str]) -> None:
        """Run idempotent DDL (``CREATE ... IF NOT EXISTS``) outside any transaction."""
        with self.connection() as connection:
            for statement in statements:
                self.run(connection, statement)

    @abc.abstractmethod
    def close(self) -> None:
        """Release the engine's connections (idle ones, for a pool)."""


class OpenTransaction(abc.ABC):
    """A connection in an engine transaction (an :class:`~backo.storage.db.engine_transactions.EngineTransaction`)."""

    connection: Any

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


def encode(document: dict[str, Any]) -> str:
    """``document`` as compact JSON text (NaN and infinities refused: they are no JSON)."""
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise DBError("Document cannot be stored as JSON: {0}", error) from error


def index_name(table: str, spec: str) -> tuple[str, list[str], bool]:
    """The index name, path keys and direction of a declared index (``"category"``, ``"-price"``, ``"a.b"``).

    :raises DBError: the path is not made of identifiers.
    """
    descending = spec.startswith("-")
    path = spec[1:] if descending else spec
    keys = checked_path(path)
    if keys is None:
        raise DBError('Invalid index "{0}": a dotted path of identifiers, "-" first for descending', spec)
    name = f"{table}__{'_'.join(keys)}{'_desc' if descending else ''}"
    if len(name) > 63:
        # a digest, not hash(): str hashes change from one process to the next, and the same
        # index must get the same name in every process (else each start adds a copy)
        name = f"{table[:40]}__{hashlib.sha256(spec.encode()).hexdigest()[:12]}"
    return name, keys, descending


class JSONTableConnector(DBConnector):
    """A collection as a table of JSON documents (see the module docstring).

    ``restriction`` is not supported (DBError), as on the memory and YAML stores. The table
    and the declared indexes are created when the connector is built, if missing.
    """

    generates_ids_from_items = False  # generate_id never looks at the Item: random ids

    def __init__(self, engine: Engine, table: str, indexes: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reject_restriction(engine.name)
        checked_identifier(table, "table")
        #: the table's name (unquoted)
        self.table = table
        self._quoted = f'"{table}"'
        self.engine = engine
        self._indexed: set[str] = set()
        self._dialect = engine.dialect(frozenset())
        self._ddl_lock = threading.Lock()
        with self._errors("create table"):
            engine.run_ddl(engine.create_table(self._quoted))
        self.ensure_indexes(list(indexes or []))

    # -- what only this family of connectors has --------------------------------------

    def ensure_indexes(self, indexes: list[str]) -> None:
        """Create the expression indexes of ``indexes`` (``"category"``, ``"-price"``, ``"a.b"``) if missing.

        Idempotent (several processes may run it at once). Call it outside transactions.

        :raises DBError: an invalid path, or the engine refused.
        """
        specs = [index_name(self.table, spec) for spec in indexes]
        statements = [
            self.engine.create_index(self._quoted, f'"{name}"', keys, descending) for name, keys, descending in specs
        ]
        with self._ddl_lock, self._errors("create index"):
            self.engine.run_ddl(statements)
            self._indexed.update(".".join(keys) for _, keys, _ in specs)
            self._dialect = self.engine.dialect(frozenset(self._indexed))

    def close(self) -> None:
        """Release the engine's idle connections (the connector stays usable: they are reopened)."""
        self.engine.close()

    def sibling(self, name: str) -> "JSONTableConnector":
        """See :meth:`DBConnector.sibling`: the table ``<table>__<name>`` of the same database
        (shortened with a digest past 63 characters), on the same engine, so that its writes
        join the engine transactions of this table's."""
        table = f"{self.table}__{self._sibling_name(name)}"
        if len(table) > 63:
            table = f"{self.table[:40]}__{hashlib.sha256(name.encode()).hexdigest()[:12]}"
        sibling = object.__new__(type(self))
        JSONTableConnector.__init__(sibling, self.engine, table)
        return sibling

    def drop_table(self) -> None:
        """Remove the table itself, with its indexes (for tests and scripts: the connector is unusable after)."""
        self._run("drop table", f"DROP TABLE IF EXISTS {self._quoted}")

    @property
    def storage_location(self) -> Hashable | None:
        """See :meth:`DBConnector.storage_location`: the database and the table."""
        return (self.engine.key, self.table)

    # -- statements -------------------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """The driver's errors as DBError."""
        try:
            yield
        except self.engine.errors as error:
            raise DBError("{0} {1} of table {2} failed: {3}", self.engine.name, what, self.table, error) from error

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        """The connection of this thread's engine transaction (in a unit of work), else one for a statement."""
        unit = engine_transactions.current_unit()
        if unit is not None:
            yield unit.join(self.engine.key, self.engine.begin, self).connection
            return
        with self.engine.connection() as connection:
            yield connection

    def _run(self, what: str, sql: str, params: Sequence[Any] = ()) -> Answer:
        with self._errors(what), self._connection() as connection:
            return self.engine.run(connection, sql, params)

    def _documents(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        rows, _ = self._run("select", sql, params)
        return [json.loads(row[0]) for row in rows]

    # -- the DBConnector contract -----------------------------------------------------

    def drop(self) -> None:
        """See :meth:`DBConnector.drop`: every row goes, the table and its indexes stay."""
        self._run("drop", f"DELETE FROM {self._quoted}")

    def create(self, o: dict[str, Any]) -> str:
        """See :meth:`DBConnector.create`."""
        _id = self._id_for_create(o)
        text = encode({**o, "_id": _id})
        _, changed = self._run("insert", self.engine.insert(self._quoted), self.engine.document_params(_id, text))
        if not changed:
            raise DBError('_id "{0}" already exist in table {1}', _id, self.table)
        return _id

    def save(self, _id: str, o: dict[str, Any]) -> None:
        """See :meth:`DBConnector.save`."""
        key = str(_id)
        text = encode({**o, "_id": key})
        self._run("save", self.engine.upsert(self._quoted), self.engine.document_params(key, text))

    def get_by_id(self, _id: str) -> dict[str, Any]:
        """See :meth:`DBConnector.get_by_id`."""
        column = self._dialect.text_column
        placeholder = self._dialect.placeholder
        sql = f"SELECT {column} FROM {self._quoted} WHERE id = {placeholder}"
        documents = self._documents(sql, (str(_id),))
        if not documents:
            raise NotFoundError('_id "{0}" not found in table {1}', _id, self.table)
        return documents[0]

    def delete_by_id(self, _id: str) -> bool:
        """See :meth:`DBConnector.delete_by_id`."""
        sql = f"DELETE FROM {self._quoted} WHERE id = {self._dialect.placeholder}"
        _, changed = self._run("delete", sql, (str(_id),))
        return changed > 0

    def select(
        self,
        select_filter: MatchFilter,
        projection: dict[str, Any] | None = None,
        page_size: int = 0,
        num_of_element_to_skip: int = 0,
        sort_object: dict[str, int] | None = None,
    ) -> list[dict[str, Any]]:
        """See :meth:`DBConnector.select`: in the database when the filter translates, else in Python."""
        page, _ = self._query(select_filter, page_size, num_of_element_to_skip, sort_object, counted=False)
        return [project(document, projection) for document in page] if projection else page

    def select_page(
        self,
        select_filter: MatchFilter,
        page_size: int,
        num_of_element_to_skip: int,
        sort_object: dict[str, int] | None,
        *,
        count: bool = True,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """See :meth:`DBConnector.select_page`: one COUNT and one query for the page, when the filter translates.

        ``count=False`` skips the COUNT (the total is then None), unless the sort needs it anyway.
        """
        page, total = self._query(select_filter, page_size, num_of_element_to_skip, sort_object, counted=count)
        return page, None if total < 0 else total

    def answers_exactly(self, select_filter: MatchFilter) -> bool:
        """See :meth:`DBConnector.answers_exactly`: True when the filter translates to SQL."""
        try:
            return translate(compile_filter(select_filter), self._dialect) is not None
        except FilterError:
            return False

    # -- queries ----------------------------------------------------------------------

    def _order(self, sort_object: dict[str, int] | None) -> tuple[list[str], list[list[str]]] | None:
        """ORDER BY terms for ``sort_object`` and the paths whose values must be checked; None if a path is not SQL."""
        terms: list[str] = []
        checked: list[list[str]] = []
        for path, direction in (sort_object or {}).items():
            descending = direction < 0
            if path == "_id":  # always a string, and unique: the order ends here
                return [*terms, "id DESC" if descending else "id"], checked
            keys = checked_path(path)
            if keys is None:
                return None
            terms.extend(self._dialect.sort_terms(keys, descending))
            checked.append(keys)
        return [*terms, "seq"], checked

    def _query(
        self, select_filter: MatchFilter, page_size: int, skip: int, sort_object: dict[str, int] | None, counted: bool
    ) -> tuple[list[dict[str, Any]], int]:
        """The page and the total (-1 when not ``counted`` and not needed)."""
        compiled = compile_filter(select_filter)  # a refused pattern raises here, as on every store
        where = translate(compiled, self._dialect)
        order = self._order(sort_object)
        text = self._dialect.text_column
        if where is None or order is None:  # Python's answer, over the documents in insertion order
            every = self._documents(f"SELECT {text} FROM {self._quoted} ORDER BY seq")
            return query_page(every, compiled, page_size, skip, sort_object)
        terms, checked = order
        total = -1
        if counted or checked:
            total, unsortable = self._count(where, checked)
            if unsortable:  # values SQL would order differently: sort the matching documents in Python
                matching = self._documents(
                    f"SELECT {text} FROM {self._quoted} WHERE {where.sql} ORDER BY seq", where.params
                )
                return paginate(sort_documents(matching, sort_object), page_size, skip), total
            if total == 0 or page_size < 0 or skip >= total:
                return [], total
        if page_size < 0:
            return [], total
        limit = Fragment(
            f" LIMIT {self._dialect.placeholder} OFFSET {self._dialect.placeholder}",
            (page_size if page_size > 0 else self.engine.no_limit, max(skip, 0)),
        )
        sql = Fragment(f"SELECT {text} FROM {self._quoted} WHERE ") + where + f" ORDER BY {', '.join(terms)}" + limit
        return self._documents(sql.sql, sql.params), total

    def _count(self, where: Fragment, checked: list[list[str]]) -> tuple[int, int]:
        """How many documents match, and how many of them hold a value SQL would not order as Python."""
        columns = "COUNT(*)"
        if checked:
            tests = join(" OR ", [Fragment(self._dialect.unsortable(keys)) for keys in checked])
            columns += f", COALESCE(SUM(CASE WHEN {tests.sql} THEN 1 ELSE 0 END), 0)"
        rows, _ = self._run("count", f"SELECT {columns} FROM {self._quoted} WHERE {where.sql}", where.params)
        row = rows[0]
        return int(row[0]), int(row[1]) if checked else 0
