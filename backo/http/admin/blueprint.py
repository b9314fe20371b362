"""The admin blueprint: one HTML page (Jinja) and the static files of the UI.

Security headers: the page allows only its own scripts, styles and connections
(``Content-Security-Policy``), is never framed, and sends no referrer. It shows no data
by itself (the script fetches everything with the user's rights), so it is served without
``jwt_auth``, like ``_meta``.
"""

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from flask import Blueprint, Flask, Response, make_response, render_template

from backo.core.backoffice import BaseBackoffice
from backo.http.routes import base_path, blueprint_name

#: Where the templates and static files of the UI are (shipped in the wheel).
PACKAGE_FOLDER = Path(__file__).resolve().parent
STATIC_FOLDER = PACKAGE_FOLDER / "static"

#: The last URL segment of the admin: ``{prefix}/{name}/_admin/``.
ADMIN_SEGMENT = "_admin"

#: Headers of the admin page.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _fingerprint(folder: Path) -> str:
    """A short hash of the static files: their URLs change when they do (no stale browser cache)."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def admin_blueprint(backoffice: BaseBackoffice, api_base: str, authenticates: bool) -> Blueprint:
    """The blueprint serving the admin of ``backoffice`` (REST routes at ``api_base``)."""
    name = cast(str, backoffice.name)
    version = _fingerprint(STATIC_FOLDER)
    blueprint = Blueprint(
        blueprint_name(name, ADMIN_SEGMENT),
        __name__,
        url_prefix=f"{api_base}/{ADMIN_SEGMENT}",
        template_folder=str(PACKAGE_FOLDER / "templates"),
        static_folder=str(STATIC_FOLDER),
        static_url_path="/static",
    )

    def page() -> Response:
        html = render_template(
            "backo_admin/index.html",
            title=name,
            api_base=api_base,
            authenticates=authenticates,
            static_endpoint=f"{blueprint.name}.static",
            version=version,
        )
        response = make_response(html)
        response.headers.update(PAGE_HEADERS)
        return response

    blueprint.add_url_rule("/", "page", page, methods=["GET"])
    return blueprint


def register_admin(
    backoffice: BaseBackoffice, app: Flask, prefix: str = "", jwt_auth: Callable[[], Any] | None = None
) -> None:
    """Serve the admin UI of ``backoffice`` at ``{prefix}/{name}/_admin/`` on ``app``.

    ``jwt_auth`` is not run for the page (it holds no data); when given, the page offers a
    token field whose value the script sends as ``Authorization: Bearer <token>``.
    """
    api_base = base_path(prefix, cast(str, backoffice.name))
    app.register_blueprint(admin_blueprint(backoffice, api_base, jwt_auth is not None))
