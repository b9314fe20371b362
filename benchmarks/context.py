"""What a scenario works with: the seeded stores of one (store, N) run, and the plan it returns.

A :class:`Bench` is built once per (store kind, N): the shelf holding N books, its
generated routes on a Flask app, its floor store and the floor's Flask app; the library
(and the larger library of target 5) are built on first use. Scenarios receive the Bench
and return a :class:`Plan`: the operation to time, the floor's, and how to clean up, so
that every scenario is measured the same way by :mod:`benchmarks.runner`.
"""

import gc
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from backo import Backoffice, DBConnector, DBMongoConnector

from .floors import FloorStore, MongoFloor, floor_app, floor_for
from .settings import Settings
from .stores import LibraryIds, StoreSet, build_library, build_shelf, seed_books, seed_library

#: Where the generated routes of the shelf's books and the floor's handlers live.
BOOKS_URL = "/bench/books"
FLOOR_URL = "/floor/books"


class BenchmarkError(Exception):
    """The benchmark would measure the wrong thing (an error answer, a wrong result count)."""


def expect(response: TestResponse, status: int = 200) -> TestResponse:
    """``response`` if it has ``status``; BenchmarkError otherwise (an error page is no measurement)."""
    if response.status_code != status:
        request = response.request
        body = response.get_data(as_text=True)[:300]
        raise BenchmarkError(f"{request.method} {request.full_path}: {response.status_code} {body}")
    return response


def once(action: Callable[[int], object]) -> Callable[[int], int]:
    """``action`` as a plan operation: call it, count one unit of work."""

    def operation(index: int) -> int:
        action(index)
        return 1

    return operation


@dataclass
class Plan:
    """How to measure one scenario on one Bench.

    ``backo(i)`` and ``floor(i)`` do operation ``i`` and return the units of work done
    (1, or the items a cascade or a migration handled). Index 0 is the untimed one (the
    probe for backo, the warm-up for the floor); indices 1..count are timed.
    """

    #: what a unit is: "call", "request", "round", "item", "document"
    unit: str
    #: timed operations (the time cap may stop earlier)
    count: int
    backo: Callable[[int], int]
    floor: Callable[[int], int] | None = None
    #: the connectors the probe counts calls on, by label
    connectors: dict[str, DBConnector] = field(default_factory=dict)
    #: the probed operation, if not ``backo(0)``
    probe: Callable[[], int] | None = None
    #: run ``floor(0)`` before timing
    floor_warmup: bool = True
    #: run before the probe, untimed (waiting for the store to be quiet, for instance)
    before: Callable[[], None] | None = None
    #: the fewest timed calls under the time cap (default: ``Settings.min_ops``)
    min_calls: int | None = None
    #: run after the measurement (clean-up, checks); returns a note for the table, if any
    finish: Callable[[], str | None] | None = None
    note: str = ""
    #: facts gathered while measuring (page size in bytes...), copied into the record
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Library:
    """A seeded library (see :mod:`benchmarks.stores`) and its floor stores."""

    backoffice: Backoffice
    ids: LibraryIds
    authors_floor: FloorStore
    books_floor: FloorStore
    #: victims for backo's cascade deletes, and for the floor's
    victims_backo: list[str]
    victims_floor: list[str]
    #: seconds the seeding took
    seconds: float

    @property
    def connectors(self) -> dict[str, DBConnector]:
        return {name: collection.db_handler for name, collection in self.backoffice.collections.items()}


def settle_garbage_collector() -> None:
    """Run a full collection after seeding.

    Seeding creates many objects at once. Python collects its oldest generation once the
    objects promoted since the last full collection reach a quarter of it, so without
    this, that full collection (a walk of the whole store) would land in the first
    timed loops.
    """
    gc.collect()


def cascade_calls(settings: Settings) -> int:
    """Authors deleted by each side of the cascade scenario: about ``ops`` items in all."""
    return max(1, math.ceil(settings.ops / (settings.cascade_books + 1)))


class Bench:
    """The seeded stores of one (store kind, N) run."""

    def __init__(self, settings: Settings, store: str, size: int, stores: StoreSet) -> None:
        start = time.perf_counter()
        self.settings = settings
        self.store = store
        self.size = size
        self.stores = stores
        self.rng = random.Random(f"{settings.seed}-{store}-{size}")
        #: the shelf, its N seeded ids (book n has ``pages`` = n, ``group`` = n % 10)
        self.shelf = build_shelf(stores)
        self.ids = seed_books(self.shelf.books, size)
        app = Flask("backo_bench")
        self.shelf.build_routes(app)
        self.client: FlaskClient = app.test_client()
        self.floor = floor_for(self.shelf.books.db_handler)
        self.floor_client: FlaskClient = floor_app(self.floor).test_client()
        if store == "yml":
            # A running server has read its folder before: start with warm caches.
            self.shelf.books.db_handler.select(None)
            self.floor.documents()
        settle_garbage_collector()
        #: seconds spent building and seeding the shelf
        self.seconds = time.perf_counter() - start
        self._libraries: dict[int, Library] = {}

    @property
    def connectors(self) -> dict[str, DBConnector]:
        return {"books": self.shelf.books.db_handler}

    def quiet(self) -> None:
        """Wait until the shelf's YAML folder has been unchanged for ``Settings.quiet_seconds`` (other stores: no wait).

        Scans are measured on a store where nothing changed on disk, not in the second
        after the previous scenario's writes.
        """
        db = self.shelf.books.db_handler
        if self.store != "yml" or not hasattr(db, "path"):
            return
        wait = self.settings.quiet_seconds - (time.time() - os.stat(db.path).st_mtime)
        if wait > 0:
            time.sleep(wait)

    def remove(self, ids: list[str]) -> None:
        """Delete shelf documents straight from the store, undoing creates (one query on MongoDB).

        Not a measurement: mongomock scans its whole collection for each delete, so the
        MongoDB documents go in one ``delete_many``.
        """
        db = self.shelf.books.db_handler
        if isinstance(db, DBMongoConnector):
            MongoFloor(db.collection).delete_many(ids)
            return
        for _id in ids:
            db.delete_by_id(_id)

    def picks(self, count: int) -> list[int]:
        """``count`` random indices of seeded books (distinct when N allows)."""
        population = range(self.size)
        return self.rng.sample(population, count) if count <= self.size else self.rng.choices(population, k=count)

    def library(self, authors: int | None = None) -> Library:
        """The library with ``authors`` authors (default ``Settings.authors``) and N books, seeded on first use.

        The default library also holds the cascade scenario's victims.
        """
        authors = authors or self.settings.authors
        if authors not in self._libraries:
            start = time.perf_counter()
            main = authors == self.settings.authors
            victims = cascade_calls(self.settings) + 1 if main else 0
            backoffice = build_library(self.stores, f"library{authors}")
            ids = seed_library(backoffice, authors, self.size, 2 * victims, self.settings.cascade_books)
            self._libraries[authors] = Library(
                backoffice=backoffice,
                ids=ids,
                authors_floor=floor_for(backoffice.authors.db_handler),
                books_floor=floor_for(backoffice.books.db_handler),
                victims_backo=ids.victims[:victims],
                victims_floor=ids.victims[victims:],
                seconds=0.0,
            )
            settle_garbage_collector()
            self._libraries[authors].seconds = time.perf_counter() - start
        return self._libraries[authors]
