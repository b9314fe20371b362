"""Authentication of the media library: a login route setting a JWT cookie, and the hook reading it.

backo leaves authentication to the application (README "Authentication"): ``POST /login``
checks a password and sets an HS256 JWT in an HttpOnly cookie; the ``jwt_auth`` hook given
to ``build_routes`` runs before every collection route, decodes the cookie and fills
``current_user`` with the user's ``_id``, login and roles. No cookie means the anonymous
visitor; a bad, expired or orphan token answers 401 (plain text, as backo's errors).
"""

import datetime
from collections.abc import Callable

import jwt
from flask import Flask, Response, jsonify, request

from backo import Collection, NotFoundError, current_user
from backo.current_user import ANONYMOUS_DATA

from .models import verify_password

COOKIE = "jwt_token"
ALGORITHM = "HS256"
#: How long a login lasts.
TOKEN_LIFETIME = datetime.timedelta(hours=8)


def make_token(user_id: str, secret: str, lifetime: datetime.timedelta = TOKEN_LIFETIME) -> str:
    """A signed token naming the user ``user_id`` (claim ``sub``), valid for ``lifetime``."""
    now = datetime.datetime.now(datetime.UTC)
    return jwt.encode({"sub": user_id, "iat": now, "exp": now + lifetime}, secret, algorithm=ALGORITHM)


def _unauthorized(message: str) -> Response:
    return Response(message, status=401, mimetype="text/plain")


def find_user(users: Collection, login: str) -> dict | None:
    """The stored user whose login is ``login`` (read from the store: nobody is logged in yet)."""
    found = users.db_handler.select({"login": login}, None, 1, 0, None)
    return found[0] if found else None


def make_jwt_auth(users: Collection, secret: str) -> Callable[[], Response | None]:
    """The ``jwt_auth`` hook: the cookie's user becomes ``current_user`` (anonymous without one)."""

    def jwt_auth() -> Response | None:
        token = request.cookies.get(COOKIE)
        if not token:
            current_user.set(dict(ANONYMOUS_DATA))
            return None
        try:
            claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
            document = users.db_handler.get_by_id(claims["sub"])
        except jwt.InvalidTokenError:
            return _unauthorized("Token is invalid or expired: log in again")
        except NotFoundError:
            return _unauthorized("The user of this token no longer exists")
        current_user.set({"_id": document["_id"], "login": document["login"], "roles": document.get("roles") or []})
        return None

    return jwt_auth


def add_login_routes(app: Flask, users: Collection, secret: str, secure_cookie: bool = False) -> None:
    """``POST /login`` (``{"login", "password"}`` -> cookie) and ``POST /logout`` on ``app``."""

    def login() -> Response | tuple[Response, int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("login"), str):
            return jsonify({"message": 'Send {"login": ..., "password": ...}'}), 400
        user = find_user(users, body["login"])
        if user is None or not verify_password(str(body.get("password", "")), user.get("password")):
            return jsonify({"message": "Invalid login or password"}), 401
        response = jsonify({"login": "ok", "_id": user["_id"], "roles": user.get("roles") or []})
        response.set_cookie(
            COOKIE,
            make_token(user["_id"], secret),
            max_age=int(TOKEN_LIFETIME.total_seconds()),
            httponly=True,
            secure=secure_cookie,
            samesite="Lax",
        )
        return response

    def logout() -> Response:
        response = jsonify({"logout": "ok"})
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
        return response

    app.add_url_rule("/login", "login", login, methods=["POST"])
    app.add_url_rule("/logout", "logout", logout, methods=["POST"])
