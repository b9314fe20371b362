"""Shared fixtures: a standalone current user, and backoffices on every embedded store."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from backo import (
    Backoffice,
    Bool,
    Collection,
    DBConnector,
    DBMemoryConnector,
    DBYmlConnector,
    Int,
    Item,
    String,
    current_user,
)
from backo.current_user import ANONYMOUS_DATA
from tests.support.stores import StoreFactory


@pytest.fixture(autouse=True)
def standalone_user() -> Iterator[None]:
    """Every test starts as the anonymous standalone user, and leaves it so."""
    current_user.standalone = True
    current_user.user_without_session.set(ANONYMOUS_DATA)
    yield
    current_user.standalone = True
    current_user.user_without_session.set(ANONYMOUS_DATA)


@pytest.fixture(params=["memory", "yml"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """Builds one connector per collection name, of the kind under test."""

    def make(name: str) -> DBConnector:
        if request.param == "memory":
            return DBMemoryConnector()
        return DBYmlConnector(path=str(tmp_path / name))

    make.kind = request.param  # type: ignore[attr-defined]
    return make


def user_item(**kwargs) -> Item:
    """The quickstart's user model, references left out."""
    return Item(
        {
            "name": String(required=True, default="noname"),
            "surname": String(),
            "age": Int(),
            "male": Bool(default=True),
        },
        **kwargs,
    )


@pytest.fixture
def backoffice(store_factory: StoreFactory) -> Backoffice:
    """Backoffice "myApp" with a "users" collection on the store under test."""
    bo = Backoffice("myApp")
    bo.register_collection(Collection("users", user_item(), store_factory("users")))
    return bo
