"""Backoffice: the application. Adds the REST routes to the domain :class:`BaseBackoffice`."""

from collections.abc import Callable
from typing import Any

from flask import Flask
from stricto import validation_parameters

from .core.backoffice import BaseBackoffice
from .http import auth as _auth  # noqa: F401  binds current_user to Flask requests (on import)


class Backoffice(BaseBackoffice):
    """The application: a named set of collections, served as a REST API.

    Example::

        app = Backoffice("myApp")
        app.register_collection(users)
        app.build_routes(flask_app)          # GET/POST /myApp/users, ...
    """

    @validation_parameters
    def build_routes(
        self, flask_app: Flask, prefix: str = "", jwt_auth: Callable | None = None, admin: bool = False
    ) -> None:
        """Add every route of every registered collection to ``flask_app``.

        Routes live under ``/<prefix>/<name>/<collection>``. ``jwt_auth``, if given, runs
        before every collection route (a non-None return value is the response).
        ``admin=True`` also serves the web back office at ``/<prefix>/<name>/_admin/``
        (:mod:`backo.http.admin`, imported only then; see docs/admin.md).

        .. versionadded:: 0.3 ``admin``
        """
        from .http.routes import register

        register(self, flask_app, prefix, jwt_auth)
        if admin:
            from .http.admin import register_admin

            register_admin(self, flask_app, prefix, jwt_auth)

    add_routes = build_routes

    def init_app(self, app: Flask) -> None:
        """The Flask extension pattern: :meth:`build_routes` with its settings read from
        ``app.config`` (``BACKO_URL_PREFIX``...), this backoffice kept in ``app.extensions["backo"]``
        for ``flask backo`` (see :mod:`backo.http.app_config`, docs/cli.md).

        .. versionadded:: 0.3
        """
        from .http.app_config import init_app

        init_app(self, app)

    def get_openapi(self) -> dict[str, Any]:
        """The OpenAPI 3 document of this backoffice's routes."""
        from .http.openapi import backoffice_openapi

        return backoffice_openapi(self)
