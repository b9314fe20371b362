"""The route table, as data, and its registration on a Flask application.

:data:`ROUTES` is the single description of a collection's REST API: Flask registration,
the rights gating at build time and the OpenAPI paths are all derived from it, so a route
cannot exist without its documentation.

URLs: ``/{prefix}/{backoffice}/{collection}/...`` with clean single slashes (``"api"``,
``"/api"`` and ``"/api/"`` are the same prefix). Each collection is one Flask blueprint
named ``{backoffice}_{collection}``, so several backoffices can share an application; the
optional ``jwt_auth`` hook runs before each of its routes. ``GET {base}/_meta`` and
``GET {base}/openapi`` (``?_extensions=1``: the document with the 0.3 extensions) are
application routes, not behind ``jwt_auth``. The bulk routes exist only
for collections whose ``bulk_routes`` attribute is true.

:func:`register` also gives the application a body limit when it has none: Flask's
``MAX_CONTENT_LENGTH`` becomes :data:`~backo.http.request.DEFAULT_MAX_CONTENT_LENGTH`
(16 MiB) if it is unset (None); a value the application set, larger or smaller, is kept.
It also binds each request of the application to ``current_user`` (:func:`.auth.register`).
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask import Blueprint, Flask

from backo.core.backoffice import BaseBackoffice
from backo.core.collection import BaseCollection
from backo.core.enforcement import unenforced_rights
from backo.log import BACKOFFICE, get_logger

from . import auth, evaluated_meta, views
from .errors import error_to_http_handler
from .openapi import record_built_routes
from .request import DEFAULT_MAX_CONTENT_LENGTH

#: A view: ``view(collection, **url_values) -> response``.
View = Callable[..., Any]

log = get_logger(BACKOFFICE)


@dataclass(frozen=True)
class RouteSpec:
    """One route of a collection: where it lives, what serves it, which right gates it."""

    #: HTTP method
    method: str
    #: Flask rule relative to the collection (``""``, ``"/<_id>"``...)
    path: str
    #: endpoint name inside the collection's blueprint (0.2.1's names)
    endpoint: str
    #: the collection right that must not be literally False for the route to exist
    right: str
    #: the view serving it
    view: View
    #: the collection attribute that must be true for the route to exist (None: always);
    #: read with ``getattr(collection, option, False)`` at ``build_routes`` time
    option: str | None = None


#: The collection attribute that adds the bulk routes (``POST {c}/_bulk``, ``DELETE {c}?filter``):
#: opt-in, so that a 0.2.1 application serves (and documents) exactly 0.2.1's routes.
BULK_ROUTES = "bulk_routes"

#: Every route of a collection (BEHAVIOR.md 10.1). Static paths come before ``<_id>``
#: only for readability: werkzeug always prefers static segments.
ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("GET", "", "select", "read", views.list_view),
    RouteSpec("POST", "", "create", "create", views.create_view),
    RouteSpec("POST", "/_check", "check", "modify", views.check_view),
    RouteSpec("POST", "/_meta", "meta", "modify", views.current_meta_view),
    RouteSpec("GET", "/<_id>", "get", "read", views.get_view),
    RouteSpec("GET", "/<_id>/<path>", "get_path", "read", views.download_view),
    RouteSpec("PUT", "/<_id>", "put", "modify", views.put_view),
    RouteSpec("PATCH", "/<_id>", "patch_one", "modify", views.patch_view),
    RouteSpec("DELETE", "/<_id>", "delete", "delete", views.delete_view),
    RouteSpec("POST", "/_actions/<action>/<_id>", "go", "read", views.action_view),
    RouteSpec("GET", "/_selections/<selection>", "do_selection", "read", views.selection_view),
    RouteSpec("POST", "/_selections/<selection>", "do_post_selection", "read", views.post_selection_view),
)

#: The opt-in routes: each exists only for collections whose ``option`` attribute is true
#: (kept out of :data:`ROUTES`, the 0.2.1 table, which every collection gets).
OPTIONAL_ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("DELETE", "", "bulk_delete", "delete", views.bulk_delete_view, option=BULK_ROUTES),
    RouteSpec("POST", "/_bulk", "bulk_create", "create", views.bulk_create_view, option=BULK_ROUTES),
)


def base_path(prefix: str, backoffice_name: str) -> str:
    """``/{prefix}/{name}`` with single slashes: ``("/api/", "app")`` -> ``/api/app``."""
    parts = [part for part in f"{prefix}/{backoffice_name}".split("/") if part]
    return "/" + "/".join(parts)


def _safe_name(name: str) -> str:
    """A Flask blueprint/endpoint name part: dots are reserved by Flask."""
    return re.sub(r"[^0-9A-Za-z_\-]", "_", name)


def blueprint_name(backoffice_name: str, collection_name: str) -> str:
    """The blueprint of a collection: ``{backoffice}_{collection}`` (unique per application)."""
    return f"{_safe_name(backoffice_name)}_{_safe_name(collection_name)}"


def routes_for(collection: BaseCollection) -> list[RouteSpec]:
    """The routes ``collection`` gets: those whose right is not literally False now (and
    whose option, if any, the collection turns on).

    A callable right keeps its routes; the core evaluates it per request (403).
    """
    return [
        spec
        for spec in (*ROUTES, *OPTIONAL_ROUTES)
        if collection.is_strictly_allowed_to(spec.right) is not False
        and (spec.option is None or getattr(collection, spec.option, False))
    ]


def _bind(view: View, target: BaseCollection | BaseBackoffice) -> View:
    """A Flask view function serving ``view`` for ``target`` (a collection or a backoffice)."""

    @functools.wraps(view)
    def bound(**url_values: Any) -> Any:
        return view(target, **url_values)

    return bound


def collection_blueprint(
    backoffice_name: str, collection: BaseCollection, url_prefix: str, jwt_auth: Callable[[], Any] | None
) -> tuple[Blueprint, list[RouteSpec]]:
    """The blueprint serving ``collection`` at ``url_prefix``, and the routes it holds."""
    blueprint = Blueprint(blueprint_name(backoffice_name, str(collection.name)), __name__, url_prefix=url_prefix)
    specs = routes_for(collection)
    for spec in specs:
        blueprint.add_url_rule(spec.path, spec.endpoint, _bind(spec.view, collection), methods=[spec.method])
    if jwt_auth is not None:
        blueprint.before_request(error_to_http_handler(jwt_auth))
    return blueprint, specs


def register(
    backoffice: BaseBackoffice, app: Flask, prefix: str = "", jwt_auth: Callable[[], Any] | None = None
) -> None:
    """Add the routes of every collection of ``backoffice`` (in registration order) to ``app``.

    Sets ``app.config["MAX_CONTENT_LENGTH"]`` to :data:`DEFAULT_MAX_CONTENT_LENGTH` when the
    application left it unset (None): without a limit, Flask reads any body into memory
    (a 60 MiB JSON body was read and stored). Bodies over the limit answer 413, also when
    sent chunked. To allow more, set the value before (or after) ``build_routes``; to lift
    the limit, set it back to None after ``build_routes``.

    :raises ValueError: (Flask) the backoffice's routes are already on ``app``.
    """
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
    backoffice_name = cast(str, backoffice.name)  # a str once constructed
    base = base_path(prefix, backoffice_name)
    for collection in backoffice.collections.values():
        blueprint, specs = collection_blueprint(backoffice_name, collection, f"{base}/{collection.name}", jwt_auth)
        app.register_blueprint(blueprint)
        record_built_routes(collection, base, specs)
    name = _safe_name(backoffice_name)
    # GET _meta: 0.2.1's answer; ?_rights=evaluated runs jwt_auth and evaluates the rights (evaluated_meta.py)
    app.add_url_rule(
        f"{base}/_meta", f"_meta_{name}", evaluated_meta.meta_view_for(backoffice, jwt_auth), methods=["GET"]
    )
    app.add_url_rule(f"{base}/openapi", f"_openapi_{name}", _bind(views.openapi_view, backoffice), methods=["GET"])
    auth.register(app)
    warn_about_unenforced_rights(backoffice)


def warn_about_unenforced_rights(backoffice: BaseBackoffice) -> None:
    """Log one WARNING naming the served actions and selections whose rights are declared
    but not enforced (0.2.1's default: they run for everyone), and the switch that enforces them."""
    unenforced = unenforced_rights(backoffice)
    if not unenforced:
        return
    log.warning(
        'Backoffice "%s": the rights of %s are declared but not enforced (as in backo 0.2.1, '
        "everyone may run them); enforce them with Backoffice(%r, enforce_rights=True), "
        "or one by one with enforce_rights=True / enable_permissions()",
        backoffice.name,
        ", ".join(unenforced),
        backoffice.name,
    )
