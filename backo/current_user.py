"""The user on whose behalf backo works: ``CurrentUser``, ``CurrentUserWrapper``, ``current_user``.

``current_user`` is a proxy. Reading ``current_user.login`` or calling
``current_user.has_role("ADMIN")`` reaches the user of the running request, or, in a
script, the one standalone user::

    from backo import current_user
    current_user.standalone = True           # scripts and tests: one shared user
    current_user.set({"_id": "42", "login": "alice", "roles": ["ADMIN"]})

In a Flask request (what a ``jwt_auth`` hook does) ``current_user.set(...)`` binds the
user to that request only (``flask.g``); when the app has a ``secret_key`` it is also
remembered in the session, so later requests of the same client find it, as in 0.2.1.
Outside any request (a script that forgot ``standalone = True``) the standalone user is
used instead of failing.

This module reads Flask in :func:`_request_scope` only and imports nothing else from backo
but :mod:`backo.error`.
"""

import threading
from typing import Any

from stricto import Dict, List, String, validation_parameters

from .error import SessionError

#: The values of the anonymous user.
ANONYMOUS_DATA: dict[str, Any] = {"_id": "000", "login": "ANONYMOUS", "roles": []}

_SESSION_KEY = "current_user_id"
_REQUEST_ATTRIBUTE = "_backo_current_user"
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


def _request_scope() -> tuple[Any, Any, bool] | None:
    """Return ``(flask.g, flask.session, has_secret_key)`` inside a request, else None."""
    try:
        import flask
    except ImportError:  # pragma: no cover - flask is a dependency
        return None
    if not flask.has_request_context():
        return None
    return flask.g, flask.session, bool(flask.current_app.secret_key)


class CurrentUserWrapper:
    """Proxy to the current user: attribute reads and writes go to the user of the moment."""

    def __init__(self, obj: CurrentUser) -> None:
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "standalone", False)
        object.__setattr__(self, "user_without_session", obj.copy())
        object.__setattr__(self, "anonymous", obj.copy())
        object.__setattr__(self, "administrator", obj.copy())
        object.__setattr__(self, "users", {})

    def retrieve_current_user(self) -> CurrentUser:
        """Return the user backo acts for now.

        :raises SessionError: in a request where no user was set and the session names none.
        """
        scope = None if self.standalone else _request_scope()
        if scope is None:
            return self.user_without_session
        request_globals, session, _ = scope
        user = getattr(request_globals, _REQUEST_ATTRIBUTE, None)
        if user is not None:
            return user
        user_id = session.get(_SESSION_KEY)
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
        scope = None if self.standalone else _request_scope()
        if scope is None:
            self.user_without_session.set(data)
            return
        request_globals, session, has_secret_key = scope
        user = self.anonymous.copy()
        user.set(data)
        setattr(request_globals, _REQUEST_ATTRIBUTE, user)
        if has_secret_key:
            user_id = user._id.get_value()
            session[_SESSION_KEY] = user_id
            with self._lock:
                self.users[user_id] = user

    def logout(self) -> None:
        """Forget the user of this request and of its session (nothing in standalone mode)."""
        scope = None if self.standalone else _request_scope()
        if scope is None:
            return
        request_globals, session, _ = scope
        if hasattr(request_globals, _REQUEST_ATTRIBUTE):
            delattr(request_globals, _REQUEST_ATTRIBUTE)
        user_id = session.get(_SESSION_KEY)
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
