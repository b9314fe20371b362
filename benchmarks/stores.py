"""The stores under test: backo connectors of each kind, the two backoffices, and fast seeding.

Two backoffices are measured:

* the *shelf* ("bench"): one ``books`` collection of plain fields, ``{title, group, pages}``;
* the *library* ("library"): ``authors`` (``books = RefsList(coll="books",
  field="$.author", ods=DELETE_REFERENCED_ITEMS)``) and ``books`` (``author =
  Ref(coll="authors", field="$.books", required=True)``), for reference updates and
  cascades.

Seeding N items through backo would take longer than the measurements (N creates, each
validating an Item). Instead one item is created through the API, its stored document is
read back as a template (so the seeded documents have exactly the shape backo writes:
``_id``, ``_meta``, defaults), and the others are written straight through the connector
(``db_handler.create``) with new ids and varied values. The library's documents are written
the same way, with both sides of every reference consistent.
"""

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from unittest import mock

import backo.db_mongo_connector
import mongomock

from backo import (
    Backoffice,
    Collection,
    DBConnector,
    DBMemoryConnector,
    DBMongoConnector,
    DBYmlConnector,
    DeleteStrategy,
    Int,
    Item,
    Ref,
    RefsList,
    String,
)
from backo.storage.db import DBPostgresConnector, DBSQLiteConnector
from testkit.postgres import BENCH_POSTGRES_URL_VARIABLE, postgres_server

#: The connection string given to mongomock (never contacted); ``{database}`` is unique per store set.
MONGOMOCK_URL = "mongodb://localhost:27017/{database}"


@contextlib.contextmanager
def mongomock_client() -> Iterator[None]:
    """Within the block, DBMongoConnector builds mongomock clients (as tests/support/backends.py does)."""
    with mock.patch.object(backo.db_mongo_connector, "MongoClient", mongomock.MongoClient):
        yield


class StoreSet:
    """Makes the connectors of one kind for one (store, N) run, and removes their data afterwards.

    A context manager: a temporary folder holds the YAML collections (one sub-folder per
    collection) or the SQLite file (one table per collection), a fresh mongomock database the
    MongoDB ones. PostgreSQL: the server of ``BACKO_BENCH_POSTGRES_URL``, else a throwaway
    cluster (testkit/postgres.py), new tables dropped afterwards.
    """

    def __init__(self, kind: str) -> None:
        if kind not in ("memory", "yml", "mongo", "sqlite", "postgres"):
            raise ValueError(f"unknown store {kind!r}; known: memory, yml, mongo, sqlite, postgres")
        #: "memory", "yml", "mongo", "sqlite" or "postgres"
        self.kind = kind
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._database = f"bench_{uuid.uuid4().hex[:12]}"
        self._mongo: list[DBMongoConnector] = []
        self._postgres: list[DBPostgresConnector] = []
        self._server = contextlib.ExitStack()
        self._postgres_url = ""

    def __enter__(self) -> Self:
        if self.kind in ("yml", "sqlite"):
            self._folder = tempfile.TemporaryDirectory(prefix="backo-bench-")
        if self.kind == "postgres":
            self._postgres_url = os.environ.get(BENCH_POSTGRES_URL_VARIABLE) or self._server.enter_context(
                postgres_server()
            )
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        for connector in self._mongo:
            connector.drop()
            connector.close()
        for table in self._postgres:
            table.drop_table()
            table.close()
        self._server.close()
        if self._folder is not None:
            self._folder.cleanup()

    def connector(self, name: str) -> DBConnector:
        """A new, empty connector for the collection ``name``."""
        if self.kind == "memory":
            return DBMemoryConnector()
        if self.kind == "yml":
            if self._folder is None:
                raise RuntimeError("StoreSet used outside its with-block")
            return DBYmlConnector(path=f"{self._folder.name}/{name}")
        if self.kind == "sqlite" and self._folder is not None:
            return DBSQLiteConnector(path=f"{self._folder.name}/bench.db", table=name, indexes=["group"])
        if self.kind == "postgres":
            table = f"{name}_{self._database}"
            connector = DBPostgresConnector(connection_string=self._postgres_url, table=table, indexes=["group"])
            self._postgres.append(connector)
            return connector
        with mongomock_client():
            connector = DBMongoConnector(
                connection_string=MONGOMOCK_URL.format(database=self._database), collection=name
            )
        self._mongo.append(connector)
        return connector


# -- the shelf ---------------------------------------------------------------------------


def build_shelf(stores: StoreSet) -> Backoffice:
    """Backoffice "bench" with one collection, ``books``: ``{title, group, pages}``."""
    shelf = Backoffice("bench")
    model = Item({"title": String(), "group": Int(), "pages": Int()})
    shelf.register_collection(Collection("books", model, stores.connector("shelf_books")))
    return shelf


def book_values(n: int) -> dict[str, Any]:
    """The values of the n-th seeded book: ``group`` = n % 10, ``pages`` = n (10% match each filter)."""
    return {"title": f"book {n}", "group": n % 10, "pages": n}


def seed_books(books: Collection, size: int) -> list[str]:
    """Store ``size`` books in ``books`` (see the module docstring); return their ids in seeding order."""
    first = books.create(book_values(0))._id.get_value()
    db = books.db_handler
    template = db.get_by_id(first)
    ids = [first]
    for n in range(1, size):
        ids.append(db.create({**template, **book_values(n), "_id": db.generate_id(None)}))
    return ids


# -- the library -------------------------------------------------------------------------


def build_library(stores: StoreSet, prefix: str = "library") -> Backoffice:
    """Backoffice "library": authors whose books are deleted with them, books with a required author."""
    library = Backoffice("library")
    authors = Item(
        {
            "name": String(),
            "books": RefsList(coll="books", field="$.author", ods=DeleteStrategy.DELETE_REFERENCED_ITEMS),
        }
    )
    books = Item({"title": String(), "author": Ref(coll="authors", field="$.books", required=True)})
    library.register_collection(Collection("authors", authors, stores.connector(f"{prefix}_authors")))
    library.register_collection(Collection("books", books, stores.connector(f"{prefix}_books")))
    return library


@dataclass
class LibraryIds:
    """What :func:`seed_library` stored."""

    #: the regular authors; book n belongs to ``authors[n % len(authors)]``
    authors: list[str] = field(default_factory=list)
    #: every book of the regular authors
    books: list[str] = field(default_factory=list)
    #: authors with a few books each, to be deleted by the cascade scenario
    victims: list[str] = field(default_factory=list)


def seed_library(library: Backoffice, authors: int, books: int, victims: int = 0, victim_books: int = 0) -> LibraryIds:
    """Store ``authors`` authors sharing ``books`` books, plus ``victims`` authors of ``victim_books`` each.

    Author 0 and book 0 are created through the API (templates); the rest is written
    through the connectors: authors first (empty lists), then books, then each author
    again with its list, so both sides of every reference agree.
    """
    author_db, book_db = library.authors.db_handler, library.books.db_handler
    first_author = library.authors.create({"name": "author 0"})._id.get_value()
    first_book = library.books.create({"title": "book 0", "author": first_author})._id.get_value()
    author_template, book_template = author_db.get_by_id(first_author), book_db.get_by_id(first_book)
    names = {first_author: "author 0"}
    lists: dict[str, list[str]] = {first_author: [first_book]}

    def new_author(name: str) -> str:
        _id = author_db.create({**author_template, "_id": author_db.generate_id(None), "name": name, "books": []})
        names[_id], lists[_id] = name, []
        return _id

    def new_book(title: str, author: str) -> str:
        _id = book_db.create({**book_template, "_id": book_db.generate_id(None), "title": title, "author": author})
        lists[author].append(_id)
        return _id

    ids = LibraryIds(authors=[first_author] + [new_author(f"author {a}") for a in range(1, authors)])
    ids.victims = [new_author(f"victim {v}") for v in range(victims)]
    ids.books = [first_book] + [new_book(f"book {n}", ids.authors[n % authors]) for n in range(1, books)]
    for victim in ids.victims:
        for k in range(victim_books):
            new_book(f"{names[victim]} book {k}", victim)
    for _id, owned in lists.items():
        author_db.save(_id, {**author_template, "_id": _id, "name": names[_id], "books": owned})
    return ids
