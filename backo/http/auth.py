"""The request binding of :data:`backo.current_user`: the only place the user meets Flask.

:mod:`backo.current_user` knows no web framework; this module gives it the running
request. A user set with ``current_user.set(...)`` in a request lives in ``flask.g``
(that request only); when the application has a ``secret_key``, its id is also
remembered in Flask's session under ``"current_user_id"``, so later requests of the same
client find it (backo 0.2.1's behaviour; ``current_user.logout()`` forgets it).

Two ways in, one binding:

* :func:`register` (called by :func:`backo.http.routes.register`) adds a
  ``before_request``/``teardown_request`` pair to the application that binds a
  :class:`FlaskRequestBinding` for each request, before any ``jwt_auth`` hook runs;
* :func:`flask_request_binding`, installed as the locator on import, finds the request
  when code runs in one that was not bound (a plain Flask route, or
  ``app.test_request_context()``).
"""

from contextvars import Token

import flask
from flask import Flask

from backo.current_user import (
    CurrentUser,
    RequestBinding,
    bind_request,
    set_request_locator,
    unbind_request,
)

#: The session key remembering the user id (0.2.1's name).
SESSION_KEY = "current_user_id"

#: Where a request's user lives in ``flask.g``.
_USER_ATTRIBUTE = "_backo_current_user"
#: Where the binding token of a request lives in ``flask.g``.
_TOKEN_ATTRIBUTE = "_backo_current_user_token"
#: Marks an application whose requests are bound (``app.extensions``).
_EXTENSION = "backo.current_user"


class FlaskRequestBinding:
    """The running Flask request, as :mod:`backo.current_user` needs it: ``flask.g`` and the session.

    Stateless: every method reads the request context active when it is called.
    """

    def request_user(self) -> CurrentUser | None:
        """The user set in this request, or None."""
        user: CurrentUser | None = getattr(flask.g, _USER_ATTRIBUTE, None)
        return user

    def bind_user(self, user: CurrentUser) -> None:
        """Make ``user`` the user of this request only (``flask.g``)."""
        setattr(flask.g, _USER_ATTRIBUTE, user)

    def unbind_user(self) -> None:
        """Forget the user of this request; the session is left as it is."""
        if hasattr(flask.g, _USER_ATTRIBUTE):
            delattr(flask.g, _USER_ATTRIBUTE)

    def session_user_id(self) -> object:
        """The user id the session remembers, or None."""
        return flask.session.get(SESSION_KEY)

    def remember_in_session(self, user_id: object) -> bool:
        """Remember ``user_id`` in the session when the application has a ``secret_key``.

        Without one, Flask's session cannot be written: nothing is remembered (False).
        """
        if not flask.current_app.secret_key:
            return False
        flask.session[SESSION_KEY] = user_id
        return True


_BINDING = FlaskRequestBinding()


def flask_request_binding() -> RequestBinding | None:
    """The binding of the running Flask request, or None outside any request."""
    return _BINDING if flask.has_request_context() else None


def bind_current_user() -> None:
    """``before_request``: bind the request to :data:`backo.current_user`."""
    setattr(flask.g, _TOKEN_ATTRIBUTE, bind_request(_BINDING))


def unbind_current_user(_error: BaseException | None = None) -> None:
    """``teardown_request``: end the binding :func:`bind_current_user` made (if it ran)."""
    token: Token[RequestBinding | None] | None = flask.g.pop(_TOKEN_ATTRIBUTE, None)
    if token is not None:
        unbind_request(token)


def register(app: Flask) -> None:
    """Bind each request of ``app`` to :data:`backo.current_user` (once per application).

    Application-level ``before_request`` functions run before the blueprints' ones, so the
    binding is in place when a ``jwt_auth`` hook calls ``current_user.set``.
    """
    if app.extensions.get(_EXTENSION):
        return
    app.extensions[_EXTENSION] = True
    app.before_request(bind_current_user)
    app.teardown_request(unbind_current_user)


set_request_locator(flask_request_binding)
