"""Fixtures of the storage tests: one empty connector per backend, and the servers they need."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from backo.storage.db import (
    DBMemoryConnector,
    DBMongoConnector,
    DBPostgresConnector,
    DBRedirect,
    DBSQLiteConnector,
    DBYmlConnector,
)
from tests.support.backends import document_store_app, mongo_connector, serve_in_thread
from tests.support.postgres import PostgresFactory, postgres_factory, postgres_url  # noqa: F401 - fixtures

#: The backo app name of the document store served for the REST connectors.
REMOTE_APP = "remote"


@pytest.fixture
def memory_db() -> DBMemoryConnector:
    return DBMemoryConnector()


@pytest.fixture
def yml_db(tmp_path: Path) -> DBYmlConnector:
    return DBYmlConnector(path=str(tmp_path / "yml"))


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[DBSQLiteConnector]:
    connector = DBSQLiteConnector(path=str(tmp_path / "store.db"), table="documents")
    yield connector
    connector.close()


@pytest.fixture
def postgres_db(postgres_factory: PostgresFactory) -> DBPostgresConnector:
    """On a new table of the session's PostgreSQL (tests/support/postgres.py)."""
    return postgres_factory()


@pytest.fixture
def mongo_db() -> Iterator[DBMongoConnector]:
    """On mongomock, or on the server of BACKO_TEST_MONGO_URL (a new collection each time)."""
    with mongo_connector() as connector:
        yield connector


@pytest.fixture(scope="session")
def document_store_port() -> Iterator[int]:
    """The port of a document store (backo's routes, any document) served on 127.0.0.1."""
    with serve_in_thread(document_store_app(REMOTE_APP)) as port:
        yield port


@pytest.fixture
def rest_db(document_store_port: int) -> Iterator[DBRedirect]:
    """A DBRedirect to a new, empty collection of the served document store."""
    connector = DBRedirect(
        f"c{uuid.uuid4().hex}",
        host="127.0.0.1",
        port=document_store_port,
        prefix=f"api/{REMOTE_APP}",
    )
    yield connector
    connector.close()
