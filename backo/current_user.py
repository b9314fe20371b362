"""The user on whose behalf backo works: ``CurrentUser``, ``CurrentUserWrapper``, ``current_user``.

``current_user`` is a proxy. Reading ``current_user.login`` or calling
``current_user.has_role("ADMIN")`` reaches the user of the running request, or, in a
script, the one standalone user::

    from backo import current_user
    current_user.standalone = True           # scripts and tests: one shared user
    current_user.set({"_id": "42", "login": "alice", "roles": ["ADMIN"]})

In a request (what a ``jwt_auth`` hook does) ``current_user.set(...)`` binds the user to
that request only; when the app has a ``secret_key`` it is also remembered in the session,
so later requests of the same client find it, as in 0.2.1. Outside any request (a script
that forgot ``standalone = True``) the standalone user is used instead of failing.

This module is cross-cutting: it knows no web framework. The running request reaches it as
a :class:`RequestBinding` held by a ContextVar; the HTTP edge (:mod:`backo.http.auth`)
binds one per request with :func:`bind_request`, and registers a locator
(:func:`set_request_locator`) for code running in a request it did not see begin (a plain
Flask route of the same application, ``app.test_request_context()``). It imports nothing
from backo but :mod:`backo.error`.
"""

import threading
from collections.abc import Callable, Iterable
from contextvars import ContextVar, Token
from typing import Any, NamedTuple, Protocol

from stricto import Dict, List, String, validation_parameters

from .error import SessionError

#: The values of the anonymous user.
ANONYMOUS_DATA: dict[str, Any] = {"_id": "000", "login": "ANONYMOUS", "roles": []}

_WRAPPER_ATTRIBUTES = ("standalone", "user_without_session", "anonymous", "administrator", "users")


class CurrentUser(Dict):
    """The connected user: ``_id``, ``login`` and ``roles``; subclass it to add fields.

    Example::

        class MyUser(CurrentUser):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.add_to_model("email", String())

        current_user.reset(MyUser())
    """

    def __init__(self, obj: Any = None, **kwargs: Any) -> None:
        Dict.__init__(
            self,
            {
                "_id": String(default=None),
                "login": String(default=None),
                "roles": List(String(default=None), default=[]),
            },
            **kwargs,
        )
        if isinstance(obj, (dict, Dict)):
            self.set(obj)

    def is_anonymous(self) -> bool:
        """Tell whether this is the anonymous user (``_id`` is ``"000"``)."""
        return self._id == "000"

    def has_role(self, role: str | list[str]) -> bool:
        """Tell whether the user has ``role``, or, given a list, at least one of them."""
        roles = self.roles.get_value() or []
        if isinstance(role, list):
            return any(one in roles for one in role)
        return role in roles

    def has_permission(self, name: str) -> bool:
        """Tell whether the user holds the permission ``name`` (``"books.delete"``); a superuser holds all.

        Permissions are granted with :meth:`grant` (``backo.accounts`` does it from the
        user's roles on every request); nobody holds any otherwise.

        .. versionadded:: 0.3.0
        """
        grants = self._grants()
        return grants.superuser or name in grants.permissions

    def is_superuser(self) -> bool:
        """Tell whether the user was granted every permission (:meth:`grant` with ``superuser=True``).

        .. versionadded:: 0.3.0
        """
        return self._grants().superuser

    def grant(self, permissions: Iterable[str] = (), superuser: bool = False) -> None:
        """Replace what this user may do: the permission names it holds, and whether it holds all.

        The grants are not values of the user model (``get_value()`` and the schema are
        unchanged); copies of the user carry them.

        .. versionadded:: 0.3.0
        """
        self.__dict__["_backo_grants"] = Grants(frozenset(permissions), superuser)

    def _grants(self) -> "Grants":
        grants: Grants = self.__dict__.get("_backo_grants", NO_GRANTS)
        return grants


class Grants(NamedTuple):
    """What a :class:`CurrentUser` may do beyond its roles: permission names, or everything."""

    permissions: frozenset[str]
    superuser: bool


#: A user nobody granted anything.
NO_GRANTS = Grants(frozenset(), False)


class RequestBinding(Protocol):
    """What the HTTP edge provides for one request: where its user lives, and its session.

    Implemented by :class:`backo.http.auth.FlaskRequestBinding`; a test or another edge may
    bind its own with :func:`bind_request`.
    """

    def request_user(self) -> CurrentUser | None:
        """The user set in this request, or None."""

    def bind_user(self, user: CurrentUser) -> None:
        """Make ``user`` the user of this request only."""

    def unbind_user(self) -> None:
        """Forget the user of this request (nothing if none was set)."""

    def session_user_id(self) -> Any:
        """The user id the client's session remembers, or None."""

    def remember_in_session(self, user_id: Any) -> bool:
        """Remember ``user_id`` in the client's session; False when it cannot (no secret key)."""


#: The request the running code serves, bound by the HTTP edge; None outside requests.
_request: ContextVar[RequestBinding | None] = ContextVar("backo_current_user_request", default=None)

#: Finds the running request when nothing was bound (see :func:`set_request_locator`).
_request_locator: Callable[[], RequestBinding | None] | None = None


def bind_request(binding: RequestBinding) -> Token[RequestBinding | None]:
    """Make ``binding`` the request the running code serves; give the token to :func:`unbind_request`."""
    return _request.set(binding)


def unbind_request(token: Token[RequestBinding | None]) -> None:
    """End the binding :func:`bind_request` returned ``token`` for."""
    _request.reset(token)


def set_request_locator(locator: Callable[[], RequestBinding | None] | None) -> None:
    """Install how to find the running request when none is bound (the HTTP edge does, on import).

    Code may run in a request the edge did not see begin: a plain Flask route next to
    backo's, or ``app.test_request_context()``. ``locator()`` returns that request's
    binding, or None outside any request.
    """
    global _request_locator
    _request_locator = locator


def _running_request() -> RequestBinding | None:
    """The request the running code serves, or None (a script, or outside any request)."""
    binding = _request.get()
    if binding is None and _request_locator is not None:
        binding = _request_locator()
    return binding


class CurrentUserWrapper:
    """Proxy to the current user: attribute reads and writes go to the user of the moment."""

    def __init__(self, obj: CurrentUser) -> None:
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "standalone", False)
        object.__setattr__(self, "user_without_session", obj.copy())
        object.__setattr__(self, "anonymous", obj.copy())
        object.__setattr__(self, "administrator", obj.copy())
        object.__setattr__(self, "users", {})

    def _binding(self) -> RequestBinding | None:
        """The running request, or None in standalone mode and outside requests."""
        return None if self.standalone else _running_request()

    def retrieve_current_user(self) -> CurrentUser:
        """Return the user backo acts for now.

        :raises SessionError: in a request where no user was set and the session names none.
        """
        binding = self._binding()
        if binding is None:
            return self.user_without_session
        user = binding.request_user()
        if user is not None:
            return user
        user_id = binding.session_user_id()
        if user_id is None:
            raise SessionError("No session id for authentication")
        user = self.users.get(user_id)
        if user is None:
            raise SessionError("Session not authenticated (no user found)")
        return user

    @validation_parameters
    def set(self, data: dict) -> None:
        """Set the current user from ``data`` (keys of the user model).

        In a request, missing keys take the anonymous values; in a script, the standalone
        user is updated in place.
        """
        binding = self._binding()
        if binding is None:
            self.user_without_session.set(data)
            return
        user = self.anonymous.copy()
        user.set(data)
        binding.bind_user(user)
        user_id = user._id.get_value()
        if binding.remember_in_session(user_id):
            with self._lock:
                self.users[user_id] = user

    def logout(self) -> None:
        """Forget the user of this request and of its session (nothing in standalone mode)."""
        binding = self._binding()
        if binding is None:
            return
        binding.unbind_user()
        user_id = binding.session_user_id()
        if user_id is not None:
            with self._lock:
                self.users.pop(user_id, None)

    def reset(self, obj: CurrentUser) -> None:
        """Use ``obj`` (an extended :class:`CurrentUser`) as the model of every user from now on."""
        object.__setattr__(self, "user_without_session", obj.copy())
        object.__setattr__(self, "anonymous", obj.copy())
        object.__setattr__(self, "administrator", obj.copy())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.retrieve_current_user(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _WRAPPER_ATTRIBUTES:
            object.__setattr__(self, name, value)
            return
        setattr(self.retrieve_current_user(), name, value)


#: The current user, for the running request or the script.
current_user = CurrentUserWrapper(CurrentUser())
current_user.anonymous.set(ANONYMOUS_DATA)
current_user.user_without_session.set(ANONYMOUS_DATA)

__all__ = ["ANONYMOUS_DATA", "CurrentUser", "CurrentUserWrapper", "current_user"]
