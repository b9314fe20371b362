"""``Backoffice.init_app(app)``: the Flask extension pattern, settings from ``app.config``.

``build_routes(app, prefix, jwt_auth)`` is 0.2.1's way and stays as it is. ``init_app(app)``
does the same with its settings read from the application's configuration, and keeps the
backoffice in ``app.extensions["backo"]`` (a :class:`BackoState`), where ``flask backo``
(:mod:`backo.cli`) and the application's own code find it::

    app = Flask(__name__)
    app.config.from_mapping(BACKO_URL_PREFIX="/api", MAX_CONTENT_LENGTH=4 * 1024 * 1024)
    bookstore.init_app(app)     # the routes under /api/bookstore/...
    app.extensions["backo"].backoffices["bookstore"] is bookstore

The keys (:data:`CONFIG_KEYS`; each one an option that exists elsewhere, none new):

* ``BACKO_URL_PREFIX``: ``build_routes``' ``prefix`` (a str, default ``""``);
* ``BACKO_JWT_AUTH``: ``build_routes``' ``jwt_auth``, a callable or its import path
  ``"package.module:function"`` (default None: no hook);
* ``BACKO_ENFORCE_RIGHTS``: ``Backoffice(..., enforce_rights=...)`` (a bool); when set, it
  replaces the value the backoffice was built with;
* ``BACKO_ADMIN``: ``build_routes``' ``admin`` (a bool, default False: no web back office);
* the body limit is Flask's own ``MAX_CONTENT_LENGTH``, which ``build_routes`` already
  honours (16 MiB when it is unset).

A key of the wrong type raises stricto's ``SSyntaxError``, as a wrong ``build_routes``
argument does.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from stricto import SSyntaxError
from werkzeug.utils import ImportStringError, import_string

__all__ = ["CONFIG_KEYS", "EXTENSION", "BackoState", "backo_state", "find_backoffice", "init_app"]

#: The key of ``app.extensions``.
EXTENSION = "backo"

URL_PREFIX = "BACKO_URL_PREFIX"
JWT_AUTH = "BACKO_JWT_AUTH"
ENFORCE_RIGHTS = "BACKO_ENFORCE_RIGHTS"
ADMIN = "BACKO_ADMIN"
#: Each configuration key ``init_app`` reads, and what it is.
CONFIG_KEYS: dict[str, str] = {
    URL_PREFIX: 'build_routes\' prefix (str, default "")',
    JWT_AUTH: 'build_routes\' jwt_auth (a callable or "module:function", default None)',
    ENFORCE_RIGHTS: "Backoffice(..., enforce_rights=) (bool; unset: as the backoffice was built)",
    ADMIN: "build_routes' admin (bool, default False)",
}


@dataclass
class BackoState:
    """What ``app.extensions["backo"]`` holds: the backoffices served by the application."""

    #: name -> backoffice, in the order of ``init_app`` calls
    backoffices: dict[str, Any] = field(default_factory=dict)
    #: name -> the URL prefix its routes were built with
    prefixes: dict[str, str] = field(default_factory=dict)


def backo_state(app: Flask) -> BackoState:
    """The application's :class:`BackoState`, created empty the first time."""
    state = app.extensions.get(EXTENSION)
    if not isinstance(state, BackoState):
        state = app.extensions[EXTENSION] = BackoState()
    return state


def _prefix(app: Flask) -> str:
    prefix = app.config.get(URL_PREFIX, "")
    if not isinstance(prefix, str):
        raise SSyntaxError('app.config["{0}"] must be a str, not {1}', URL_PREFIX, type(prefix).__name__)
    return prefix


def _jwt_auth(app: Flask) -> Callable[[], Any] | None:
    hook = app.config.get(JWT_AUTH)
    if isinstance(hook, str):
        try:
            hook = import_string(hook)
        except ImportStringError as exc:
            raise SSyntaxError('app.config["{0}"]: cannot import "{1}" ({2})', JWT_AUTH, hook, exc.exception) from exc
    if hook is not None and not callable(hook):
        raise SSyntaxError('app.config["{0}"] must be callable or "module:function"', JWT_AUTH)
    return hook


def _flag(app: Flask, key: str) -> bool | None:
    value = app.config.get(key)
    if value is not None and not isinstance(value, bool):
        raise SSyntaxError('app.config["{0}"] must be a bool, not {1}', key, type(value).__name__)
    return value


def init_app(backoffice: Any, app: Flask) -> None:
    """Serve ``backoffice`` (a :class:`~backo.Backoffice`) on ``app`` with the settings of ``app.config``.

    Reads the keys of :data:`CONFIG_KEYS`, calls ``backoffice.build_routes(app, prefix,
    jwt_auth[, admin])`` and records the backoffice in ``app.extensions["backo"]``.

    :raises SSyntaxError: a key of the wrong type, or a ``BACKO_JWT_AUTH`` path that does not import.
    :raises ValueError: (Flask) the backoffice's routes are already on ``app``.
    """
    prefix, jwt_auth, enforce, admin = _prefix(app), _jwt_auth(app), _flag(app, ENFORCE_RIGHTS), _flag(app, ADMIN)
    if enforce is not None:
        backoffice.enforce_rights = enforce
    options = {} if admin is None else {"admin": admin}
    backoffice.build_routes(app, prefix=prefix, jwt_auth=jwt_auth, **options)
    state = backo_state(app)
    state.backoffices[backoffice.name] = backoffice
    state.prefixes[backoffice.name] = prefix


def find_backoffice(app: Flask, wanted: str | None = None) -> Any:
    """The backoffice ``wanted`` of ``app``: a name given to ``init_app``, or an import path
    ``"module:attribute"`` (for an application that calls ``build_routes`` itself); None: the
    only one ``init_app`` registered.

    :raises LookupError: none, several (and ``wanted`` is None), or no such name; the
        message says what is there.
    """
    if wanted is not None and ":" in wanted:
        try:
            return import_string(wanted)
        except ImportStringError as exc:
            raise LookupError(f'cannot import the backoffice "{wanted}": {exc.exception}') from exc
    backoffices = backo_state(app).backoffices
    if wanted is not None:
        if wanted not in backoffices:
            raise LookupError(f'no backoffice "{wanted}" on this application (it has: {", ".join(backoffices)})')
        return backoffices[wanted]
    if len(backoffices) == 1:
        return next(iter(backoffices.values()))
    if not backoffices:
        raise LookupError(
            "no backoffice on this application: call backoffice.init_app(app), "
            'or name one with --backoffice "module:attribute"'
        )
    raise LookupError(
        f"this application has several backoffices: choose one with --backoffice ({', '.join(backoffices)})"
    )
