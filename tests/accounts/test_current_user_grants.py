"""``current_user.has_permission`` / ``is_superuser`` / ``grant``: additive, outside the user model."""

from collections.abc import Iterator

import pytest

from backo import Collection, DBMemoryConnector, Item, SRightError, String, current_user
from backo.current_user import ANONYMOUS_DATA, CurrentUser


@pytest.fixture(autouse=True)
def no_grants_left() -> Iterator[None]:
    yield
    current_user.user_without_session.grant()


def test_nobody_holds_a_permission_until_granted() -> None:
    assert current_user.has_permission("books.delete") is False and current_user.is_superuser() is False
    current_user.grant(["books.delete"])
    assert current_user.has_permission("books.delete") and not current_user.has_permission("books.create")
    current_user.grant(superuser=True)
    assert current_user.has_permission("anything") and current_user.is_superuser()


def test_grants_are_not_values_of_the_user_model() -> None:
    user = CurrentUser(ANONYMOUS_DATA)
    user.grant(["a"], superuser=True)
    assert user.get_value() == ANONYMOUS_DATA
    assert set(user.get_schema()["sub_scheme"]) == {"_id", "login", "roles"}
    assert user.copy().has_permission("a"), "copies carry them"


def test_has_permission_in_a_rights_callable() -> None:
    books = Collection(
        "books",
        Item({"t": String()}),
        DBMemoryConnector(),
        can_create=lambda r, o: current_user.has_permission("books.create"),
    )
    with pytest.raises(SRightError):
        books.create({"t": "x"})
    current_user.grant(["books.create"])
    assert books.create({"t": "x"}).t == "x"
