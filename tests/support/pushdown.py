"""Helpers for the pushdown tests: the stores they run on, and a connector that counts calls.

``PUSHDOWN_STORES`` is the hook for new stores: append ``(name, factory)``, where
``factory()`` is a context manager yielding a fresh, empty connector and cleaning up after
it. ``tests/storage/test_pushdown_differential.py`` runs on every entry, so a store added
here is checked against stricto's ``match`` (rows, order, totals) with no other change::

    from tests.support.pushdown import PUSHDOWN_STORES
    PUSHDOWN_STORES.append(("sqlite", sqlite_store))  # e.g. from tests/support/sql.py

:class:`CountingConnector` wraps a connector, records each call by name and may refuse
every pushdown (``exact=False``): the same store then answers the Python way, for
comparison.
"""

import contextlib
import tempfile
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from backo import DBConnector, DBMemoryConnector, DBYmlConnector
from backo.storage.db.query import MatchFilter
from tests.support.backends import mongo_connector

#: A store under test: builds a fresh, empty connector, and cleans up when the block ends.
StoreContext = Callable[[], AbstractContextManager[DBConnector]]


@contextlib.contextmanager
def memory_store() -> Iterator[DBConnector]:
    """A fresh memory store."""
    yield DBMemoryConnector()


@contextlib.contextmanager
def yml_store() -> Iterator[DBConnector]:
    """A YAML store in a fresh temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="backo-pushdown-") as folder:
        yield DBYmlConnector(path=folder)


@contextlib.contextmanager
def mongomock_store() -> Iterator[DBConnector]:
    """A Mongo store on mongomock (or on ``BACKO_TEST_MONGO_URL``'s server when set)."""
    with mongo_connector() as connector:
        yield connector


#: The stores the pushdown tests run on: (name, factory). Extend it to test another store.
PUSHDOWN_STORES: list[tuple[str, StoreContext]] = [
    ("memory", memory_store),
    ("yml", yml_store),
    ("mongomock", mongomock_store),
]


class CountingConnector(DBConnector):
    """``inner`` with every call recorded in :attr:`calls` (method names, in order).

    With ``exact=False`` it answers no filter exactly, so a selection matches in Python on
    the very same store.
    """

    def __init__(self, inner: DBConnector, exact: bool = True) -> None:
        super().__init__()
        self.inner = inner
        self.exact = exact
        #: the names of the methods called, in order
        self.calls: list[str] = []
        self.generates_ids_from_items = inner.generates_ids_from_items  # type: ignore[misc]

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(name)
        return getattr(self.inner, name)(*args, **kwargs)

    def drop(self) -> None:
        self._call("drop")

    def create(self, o: dict[str, Any]) -> str:
        return self._call("create", o)

    def save(self, _id: str, o: dict[str, Any]) -> None:
        self._call("save", _id, o)

    def get_by_id(self, _id: str) -> dict[str, Any]:
        return self._call("get_by_id", _id)

    def delete_by_id(self, _id: str) -> bool:
        return self._call("delete_by_id", _id)

    def select(self, select_filter: MatchFilter, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return self._call("select", select_filter, *args, **kwargs)

    def select_page(self, select_filter: MatchFilter, *args: Any, **kwargs: Any) -> tuple[list[dict], int | None]:
        return self._call("select_page", select_filter, *args, **kwargs)

    def select_for_reading(self, select_filter: MatchFilter, sort_object: dict[str, int] | None) -> list[dict]:
        return self._call("select_for_reading", select_filter, sort_object)

    def answers_exactly(self, select_filter: MatchFilter) -> bool:
        self.calls.append("answers_exactly")
        return self.exact and self.inner.answers_exactly(select_filter)

    def estimated_count(self) -> int | None:
        return self._call("estimated_count")

    def generate_id(self, o: Any) -> str:
        return self.inner.generate_id(o)

    def write_lock(self) -> AbstractContextManager[Any]:
        return self.inner.write_lock()

    @property
    def storage_location(self) -> Hashable | None:
        return self.inner.storage_location

    def reads(self) -> list[str]:
        """The reading calls made so far (selects, pages, counts)."""
        return [name for name in self.calls if name.startswith("select") or name == "estimated_count"]
