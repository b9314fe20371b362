"""Who may manage the accounts collections: the rights callables, and the accounts' own system context.

Every collection installed by :func:`~backo.accounts.install_accounts` is managed under
permissions named ``"<collection>.<right>"`` (``"users.read"``, ``"roles.modify"``...):
a right is granted to a superuser, to a holder of that permission, and to the accounts
flows themselves while they run in :func:`system` (setting a hash, stamping a
verification). The same names serve any collection of the application::

    books = Collection("books", model, store, **rights_by_permission("books"))
    # can_delete: current_user.has_permission("books.delete") (or a superuser)

:func:`system` makes backo act as the accounts service: the rights above say yes, and
``_meta.modified_by`` names :data:`SYSTEM_USER`. It binds that user the way the HTTP
edge binds a request's (:func:`backo.current_user.bind_request`), so nothing is kept
once it ends.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from backo.current_user import CurrentUser, bind_request, current_user, unbind_request

#: The four collection rights, in backo's order.
RIGHTS = ("read", "create", "modify", "delete")

#: The user the accounts flows write as (``_meta.created_by`` / ``modified_by``).
SYSTEM_USER = {"_id": "backo.accounts", "login": "backo.accounts", "roles": []}

#: Depth of :func:`system` in the running context (0: outside).
_system_depth: ContextVar[int] = ContextVar("backo_accounts_system", default=0)

#: A right callable: ``f(right_name, item) -> bool``.
Right = Callable[[str, Any], bool]


def permission_name(collection_name: str, right: str) -> str:
    """The permission granting ``right`` on the collection: ``"users.modify"``."""
    return f"{collection_name}.{right}"


def in_system() -> bool:
    """Tell whether the running code is an accounts flow (inside :func:`system`)."""
    return _system_depth.get() > 0


def is_privileged() -> bool:
    """Tell whether the running code may do anything: an accounts flow, or a superuser acting."""
    return in_system() or bool(current_user.is_superuser())


class _SystemBinding:
    """A :class:`~backo.current_user.RequestBinding` holding :data:`SYSTEM_USER`, and no session."""

    def __init__(self) -> None:
        user = CurrentUser(SYSTEM_USER)
        user.grant(superuser=True)
        self._user = user

    def request_user(self) -> CurrentUser | None:
        return self._user

    def bind_user(self, user: CurrentUser) -> None:
        self._user = user

    def unbind_user(self) -> None:
        """Nothing: the system user stays until :func:`system` ends."""

    def session_user_id(self) -> Any:
        return None

    def remember_in_session(self, user_id: Any) -> bool:
        return False


@contextmanager
def system() -> Iterator[None]:
    """Run the block as the accounts service: every accounts right granted, writes stamped as it.

    In standalone mode (scripts) the standalone user stays the one stamped in ``_meta``;
    the rights are granted all the same.
    """
    depth = _system_depth.set(_system_depth.get() + 1)
    binding = bind_request(_SystemBinding())
    try:
        yield
    finally:
        unbind_request(binding)
        _system_depth.reset(depth)


def permission_right(name: str) -> Right:
    """A right callable granting to the accounts flows, a superuser, or a holder of ``name``."""

    def right(_right_name: str, _o: Any) -> bool:
        return is_privileged() or bool(current_user.has_permission(name))

    right.__qualname__ = right.__name__ = f"has_permission({name!r})"
    return right


def rights_by_permission(collection_name: str) -> dict[str, Right]:
    """``can_read`` ... ``can_delete`` for a Collection, each granted by ``"<collection>.<right>"``."""
    return {f"can_{right}": permission_right(permission_name(collection_name, right)) for right in RIGHTS}


def privileged_only(_right_name: str = "", _o: Any = None) -> bool:
    """A right granted to the accounts flows and to superusers only."""
    return is_privileged()


def system_only(_right_name: str = "", _o: Any = None) -> bool:
    """A right granted to the accounts flows only (fields nobody sets by hand: a password hash)."""
    return in_system()
