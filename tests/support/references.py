"""Shared fixtures of the reference compatibility tests (COMPAT-FIXES 10, 11, 12).

* ``stores``: one connector per collection name, on memory, YAML files and MongoDB
  (mongomock unless ``BACKO_TEST_MONGO_URL`` names a server);
* ``path_kind``: the models are built plain (the document fast path of
  ``backo.core.plain_model`` applies) or with an extra field that forces the Item path
  (a ``List``, or a ``can_read`` callable).
"""

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backo import DBConnector, DBMemoryConnector, DBYmlConnector, List, String
from tests.support.backends import mongo_connector

Stores = Callable[[str], DBConnector]

#: the kinds of model: plain, or with a field that makes backo take the Item path
PATH_KINDS = ("plain", "list", "can_read")


def extra_fields(path_kind: str) -> dict[str, Any]:
    """The fields added to every model of a test so that it takes the ``path_kind`` path."""
    if path_kind == "list":
        return {"notes": List(String())}
    if path_kind == "can_read":
        return {"secret": String(can_read=lambda *args, **kwargs: True)}
    return {}


@pytest.fixture(params=["memory", "yml", "mongo"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    """Builds one connector per collection name, of the kind under test (``stores.kind``)."""
    with contextlib.ExitStack() as stack:

        def make(name: str) -> DBConnector:
            if request.param == "memory":
                return DBMemoryConnector()
            if request.param == "yml":
                return DBYmlConnector(path=str(tmp_path / name))
            return stack.enter_context(mongo_connector())

        make.kind = request.param  # type: ignore[attr-defined]
        yield make


@pytest.fixture(params=PATH_KINDS)
def path_kind(request: pytest.FixtureRequest) -> str:
    """How the models of the test are built (see :func:`extra_fields`)."""
    return request.param


def ident(item: Any) -> str:
    """The ``_id`` of an Item, as a string."""
    return item._id.get_value()
