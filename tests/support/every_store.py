"""A store factory over every kind of store that has sibling stores (history, soft delete, events).

Use it by importing the fixtures into a test module or conftest::

    from tests.support.every_store import every_store  # noqa: F401 - fixture
    from tests.support.postgres import postgres_factory, postgres_url  # noqa: F401 - fixtures

``every_store`` is parametrized over memory, YAML, SQLite, PostgreSQL (the session's
throwaway cluster, started only when a PostgreSQL case runs) and MongoDB (mongomock, or the
server of ``BACKO_TEST_MONGO_URL``: the case ids contain ``mongo``, as ``make test-mongo``
expects). The factory's ``kind`` attribute says which.
"""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from backo import DBConnector, DBMemoryConnector, DBYmlConnector
from backo.storage.db import DBSQLiteConnector
from tests.support.backends import mongo_connector
from tests.support.stores import StoreFactory

#: The kinds ``every_store`` runs on.
EVERY_KIND = ["memory", "yml", "sqlite", "postgres", "mongo"]


@pytest.fixture(params=EVERY_KIND)
def every_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Builds one connector per collection name, on the kind of store of the case."""
    kind: str = request.param
    with contextlib.ExitStack() as stack:

        def make(name: str) -> DBConnector:
            if kind == "memory":
                return DBMemoryConnector()
            if kind == "yml":
                return DBYmlConnector(path=str(tmp_path / name))
            if kind == "sqlite":
                connector = DBSQLiteConnector(path=str(tmp_path / "store.db"), table=name)
                stack.callback(connector.close)
                return connector
            if kind == "postgres":
                return request.getfixturevalue("postgres_factory")()
            return stack.enter_context(mongo_connector())

        make.kind = kind  # type: ignore[attr-defined]
        yield make
