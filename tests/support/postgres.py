"""The PostgreSQL of the tests: one throwaway cluster per session, a fresh table per test.

The cluster comes from :mod:`testkit.postgres` (also used by the benchmarks). Instead,
``BACKO_TEST_POSTGRES_URL`` may name a server to test against (tables named ``t_<hex>`` are
created there and dropped). Without PostgreSQL's server binaries the PostgreSQL tests
**fail**, saying how to install them, unless ``BACKO_TEST_POSTGRES=skip`` is set.

The fixtures are imported by the conftest files that need them::

    from tests.support.postgres import postgres_url, postgres_factory  # noqa: F401
"""

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from backo.storage.db import DBPostgresConnector
from testkit.postgres import POSTGRES_URL_VARIABLE, PostgresError, postgres_server

#: ``BACKO_TEST_POSTGRES=skip`` skips the PostgreSQL tests where no server can be started.
SWITCH_VARIABLE = "BACKO_TEST_POSTGRES"

#: Builds a DBPostgresConnector on a new table (keyword arguments go to the connector).
PostgresFactory = Callable[..., DBPostgresConnector]


def new_table() -> str:
    """A table name no other test uses."""
    return f"t_{uuid.uuid4().hex[:20]}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The connection string of the session's PostgreSQL (started here, stopped at the end)."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        yield url
        return
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_server())
        except PostgresError as error:
            if os.environ.get(SWITCH_VARIABLE) == "skip":
                pytest.skip(f"no PostgreSQL ({SWITCH_VARIABLE}=skip): {error}")
            pytest.fail(
                f"The PostgreSQL tests need PostgreSQL's server: {error}\n"
                f"(apt-get install -y postgresql; or set {POSTGRES_URL_VARIABLE} to a server, "
                f"or {SWITCH_VARIABLE}=skip to skip these tests)",
                pytrace=False,
            )
        yield url


@pytest.fixture
def postgres_factory(postgres_url: str) -> Iterator[PostgresFactory]:
    """Makes connectors on new tables of the session's server; drops the tables afterwards."""
    made: list[DBPostgresConnector] = []

    def make(table: str | None = None, **kwargs: Any) -> DBPostgresConnector:
        connector = DBPostgresConnector(connection_string=postgres_url, table=table or new_table(), **kwargs)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        with contextlib.suppress(Exception):
            connector.drop_table()
        connector.close()
