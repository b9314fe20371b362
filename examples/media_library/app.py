"""The media library, runnable: ``python -m examples.media_library.app``.

Serves the "media_library" backoffice (YAML files and covers under ``./media_data``) on
http://127.0.0.1:$PORT (5000 by default), with ``POST /login`` and ``POST /logout``. At
first start an administrator ``admin`` is created, with the password in
``$MEDIA_LIBRARY_ADMIN_PASSWORD`` (``admin`` if unset: change it). Tokens are signed with
``$MEDIA_LIBRARY_SECRET`` (a random key per process if unset: logins end at restart).
"""

import contextlib
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

from backo import Backoffice, current_user

from .auth import add_login_routes, find_user, make_jwt_auth
from .models import create_backoffice

DEFAULT_DATA_DIR = Path("media_data")
DEFAULT_PORT = 5000
log = logging.getLogger(__name__)


@contextlib.contextmanager
def acting_as_administrator() -> Iterator[None]:
    """Run script code (outside any request) as a system administrator, then as before."""
    saved = current_user.user_without_session.get_value()
    current_user.user_without_session.set({"_id": "system", "login": "system", "roles": ["ADMIN"]})
    try:
        yield
    finally:
        current_user.user_without_session.set(saved)


def ensure_admin(backoffice: Backoffice, password: str) -> None:
    """Create the ``admin`` user unless it exists."""
    users = backoffice.collections["users"]
    if find_user(users, "admin") is not None:
        return
    with acting_as_administrator():
        users.create({"login": "admin", "name": "Administrator", "roles": ["ADMIN"], "password": password})
    log.info("created the administrator 'admin'")


def create_app(
    data_dir: Path = DEFAULT_DATA_DIR, secret: str | None = None, admin_password: str | None = None
) -> Flask:
    """The Flask application serving the media library under ``/media_library``."""
    secret = secret or os.environ.get("MEDIA_LIBRARY_SECRET") or secrets.token_hex(32)
    admin_password = admin_password or os.environ.get("MEDIA_LIBRARY_ADMIN_PASSWORD") or "admin"
    backoffice = create_backoffice(Path(data_dir))
    ensure_admin(backoffice, admin_password)
    users = backoffice.collections["users"]
    app = Flask(__name__)
    add_login_routes(app, users, secret)
    backoffice.build_routes(app, "", make_jwt_auth(users, secret))
    return app


def main() -> None:
    """Serve the media library on 127.0.0.1, port ``$PORT`` (default 5000)."""
    port = int(os.environ.get("PORT", DEFAULT_PORT))
    create_app().run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
