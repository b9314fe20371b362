"""The accounts routes and the ``jwt_auth`` hook of :mod:`backo.accounts`: the Flask side.

Under ``{base}/_accounts`` (``{base}`` = ``/{prefix}/{backoffice}``), JSON in, JSON out:

=======================================  ======================================================
``POST /login``                          ``{"login", "password"}`` → a token pair
``POST /refresh``                        ``{"refresh_token"}`` → a new pair (the old one is used up)
``POST /logout``                         bearer token, or ``{"refresh_token"}``: the session ends
``GET  /me``                             bearer: the user, its permissions, ``superuser``
``POST /password``                       bearer + ``{"old_password", "new_password"}`` → a new pair
``POST /password-reset``                 ``{"login"}`` or ``{"email"}`` → 202 (whether or not it exists)
``POST /password-reset/confirm``         ``{"token", "password"}``
``POST /verify-email``                   bearer: send a verification token → 202
``POST /verify-email/confirm``           ``{"token"}``
``POST /users/<_id>/password``           bearer (``users.modify``) + ``{"password"}``
=======================================  ======================================================

Errors are ``{"error": "<message>"}`` with the status of the error (401 with
``WWW-Authenticate: Bearer``, 429 with ``Retry-After``). The token settings are read from
``flask.current_app.config`` on each request (:mod:`backo.accounts.settings`).

The user a token stands for is bound to the request only (``flask.g``): nothing is kept in
Flask's session, the token is the credential.
"""

import functools
from collections.abc import Callable
from typing import Any

import flask
from flask import Blueprint, Flask, Response, request

import backo.accounts.recovery as recovery
from backo.accounts.errors import AccountForbiddenError, AccountsError, AuthenticationError, InvalidRequestError
from backo.accounts.principal import Principal
from backo.accounts.service import AccountService
from backo.accounts.settings import TokenSettings, token_settings
from backo.current_user import current_user
from backo.log import get_logger

from . import auth
from .errors import error_response
from .responses import json_response
from .routes import base_path, blueprint_name

log = get_logger("backo.accounts")

#: Where the routes live under the backoffice's base path.
ACCOUNTS_PATH = "_accounts"


# --- answers -----------------------------------------------------------------------------


def accounts_error_response(error: AccountsError) -> Response:
    """``{"error": message}`` with the error's status and headers (logged without secrets)."""
    if error.status >= 500:
        log.error("%d %s", error.status, error.message())
    else:
        log.info("%d %s", error.status, error.message())
    response = json_response({"error": error.message()}, error.status)
    if isinstance(error, AuthenticationError):
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _answer_errors[**P](view: Callable[P, Response]) -> Callable[P, Response]:
    """Answer the accounts errors as JSON; the others as every backo route does."""

    @functools.wraps(view)
    def answered(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return view(*args, **kwargs)
        except AccountsError as error:
            return accounts_error_response(error)
        except Exception as error:  # noqa: BLE001 - every error becomes an HTTP answer
            return error_response(error)

    return answered


# --- the request ---------------------------------------------------------------------------


def settings_for(accounts: AccountService) -> TokenSettings:
    """The token settings of the running application."""
    return token_settings(flask.current_app.config, accounts.default_issuer)


def bearer_token() -> str | None:
    """The token of ``Authorization: Bearer <token>``, or None when there is none."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def body() -> dict[str, Any]:
    """The JSON object body (``{}`` when there is none). :raises InvalidRequestError: not an object."""
    if not request.get_data(cache=True):
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidRequestError("The body must be a JSON object")
    return data


def bind_user(data: dict[str, Any], permissions: frozenset[str] = frozenset(), superuser: bool = False) -> None:
    """Make ``data`` (with its grants) the current user of this request only (scripts: the standalone user)."""
    binding = auth.flask_request_binding()
    if current_user.standalone or binding is None:
        current_user.set(data)
        current_user.grant(permissions, superuser)
        return
    user = current_user.anonymous.copy()
    user.set(data)
    user.grant(permissions, superuser)
    binding.bind_user(user)


def bind_principal(principal: Principal) -> None:
    """Make the token's user the current user of this request."""
    bind_user(principal.current_user_data(), principal.permissions, principal.superuser)


def authenticated(accounts: AccountService) -> Principal:
    """The user of the running request's bearer token, bound as its current user.

    :raises AuthenticationError: no token, or a bad one.
    """
    principal = accounts.authenticate(settings_for(accounts), bearer_token())
    bind_principal(principal)
    return principal


def make_jwt_auth(accounts: AccountService, anonymous: bool) -> Callable[[], Response | None]:
    """A ``jwt_auth`` hook: a bearer token's user becomes the current user; a bad token is a 401.

    Without a token the request runs as the anonymous user (``anonymous=True``) or is
    refused with a 401.
    """

    def jwt_auth() -> Response | None:
        try:
            if bearer_token() is None and anonymous:
                bind_user(dict(current_user.anonymous.get_value()))
                return None
            authenticated(accounts)
        except AccountsError as error:
            return accounts_error_response(error)
        return None

    jwt_auth.__qualname__ = jwt_auth.__name__ = "jwt_auth" if anonymous else "jwt_required"
    return jwt_auth


# --- the views ------------------------------------------------------------------------------


def login_view(accounts: AccountService) -> Response:
    data = body()
    pair = accounts.login(settings_for(accounts), data.get("login"), data.get("password"), request.remote_addr)
    return json_response(pair)


def refresh_view(accounts: AccountService) -> Response:
    return json_response(accounts.refresh(settings_for(accounts), body().get("refresh_token")))


def logout_view(accounts: AccountService) -> Response:
    token = bearer_token() or body().get("refresh_token")
    if token is None:
        raise AuthenticationError("A bearer token (or a refresh_token) is required")
    accounts.logout(settings_for(accounts), token)
    return json_response({"status": "logged out"})


def me_view(accounts: AccountService) -> Response:
    principal = authenticated(accounts)
    return json_response(
        {"user": principal.user, "permissions": sorted(principal.permissions), "superuser": principal.superuser}
    )


def change_password_view(accounts: AccountService) -> Response:
    principal = authenticated(accounts)
    data = body()
    pair = accounts.change_password(
        settings_for(accounts), principal, data.get("old_password"), data.get("new_password"), request.remote_addr
    )
    return json_response(pair)


def password_reset_view(accounts: AccountService) -> Response:
    data = body()
    recovery.request_password_reset(accounts, data.get("login"), data.get("email"))
    return json_response({"status": "if the account exists, a reset token has been sent"}, 202)


def password_reset_confirm_view(accounts: AccountService) -> Response:
    data = body()
    recovery.confirm_password_reset(accounts, data.get("token"), data.get("password"))
    return json_response({"status": "password changed"})


def verify_email_view(accounts: AccountService) -> Response:
    recovery.request_email_verification(accounts, authenticated(accounts))
    return json_response({"status": "a verification token has been sent"}, 202)


def verify_email_confirm_view(accounts: AccountService) -> Response:
    return json_response({"user": recovery.confirm_email(accounts, body().get("token"))})


def set_user_password_view(accounts: AccountService, user_id: str) -> Response:
    """An administrator sets a user's password: the users collection's ``modify`` right decides."""
    authenticated(accounts)
    target = accounts.users.get_by_id(user_id)
    if accounts.users.is_allowed_to("modify", target) is not True:
        raise AccountForbiddenError("No permission to modify element in collection {0}", accounts.users.name)
    accounts.set_password(user_id, body().get("password"))
    return json_response({"status": "password set"})


#: Every route: (method, path under ``_accounts``, endpoint, view).
ROUTES: tuple[tuple[str, str, str, Callable[..., Response]], ...] = (
    ("POST", "/login", "login", login_view),
    ("POST", "/refresh", "refresh", refresh_view),
    ("POST", "/logout", "logout", logout_view),
    ("GET", "/me", "me", me_view),
    ("POST", "/password", "password", change_password_view),
    ("POST", "/password-reset", "password_reset", password_reset_view),
    ("POST", "/password-reset/confirm", "password_reset_confirm", password_reset_confirm_view),
    ("POST", "/verify-email", "verify_email", verify_email_view),
    ("POST", "/verify-email/confirm", "verify_email_confirm", verify_email_confirm_view),
    ("POST", "/users/<user_id>/password", "set_user_password", set_user_password_view),
)


def _bound(view: Callable[..., Response], accounts: AccountService) -> Callable[..., Response]:
    @functools.wraps(view)
    @_answer_errors
    def bound(**url_values: Any) -> Response:
        return view(accounts, **url_values)

    return bound


def register(accounts: AccountService, app: Flask, prefix: str = "") -> None:
    """Add the accounts routes to ``app`` under ``/{prefix}/{backoffice}/_accounts``.

    :raises ValueError: (Flask) they are already on ``app``.
    """
    backoffice_name = str(accounts.backoffice.name)
    blueprint = Blueprint(
        blueprint_name(backoffice_name, ACCOUNTS_PATH),
        __name__,
        url_prefix=f"{base_path(prefix, backoffice_name)}/{ACCOUNTS_PATH}",
    )
    for method, path, endpoint, view in ROUTES:
        blueprint.add_url_rule(path, endpoint, _bound(view, accounts), methods=[method])
    app.register_blueprint(blueprint)
    auth.register(app)
