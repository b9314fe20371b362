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
    def build_routes(self, flask_app: Flask, prefix: str = "", jwt_auth: Callable | None = None) -> None:
        """Add every route of every registered collection to ``flask_app``.

        Routes live under ``/<prefix>/<name>/<collection>``. ``jwt_auth``, if given, runs
        before every collection route (a non-None return value is the response).
        """
        from .http.routes import register

        register(self, flask_app, prefix, jwt_auth)

    add_routes = build_routes

    def get_openapi(self) -> dict[str, Any]:
        """The OpenAPI 3 document of this backoffice's routes."""
        from .http.openapi import backoffice_openapi

        return backoffice_openapi(self)
