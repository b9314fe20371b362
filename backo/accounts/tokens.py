"""Signed tokens (JSON Web Tokens, with pyjwt): making them and reading them back.

A login opens a *session* (``sid``) and hands out a pair: an **access** token, short-lived,
sent with every request (``Authorization: Bearer …``), and a **refresh** token that buys
a new pair once. Both carry::

    iss   the issuer (the backoffice)        sub   the user's _id       login  the user's login
    typ   "access" or "refresh"              sid   the session          jti    this token's id
    iat   when it was made (float seconds)   exp   when it expires

Whether a token is still good beyond its signature and expiry (revoked, user disabled,
password changed since) is decided by :mod:`backo.accounts.service`.
"""

import secrets
import time
from dataclasses import dataclass
from typing import Any

from .errors import AuthenticationError
from .jwt_support import require_jwt
from .settings import TokenSettings

ACCESS = "access"
REFRESH = "refresh"

_REQUIRED_CLAIMS = ["iss", "sub", "typ", "sid", "jti", "iat", "exp"]


@dataclass(frozen=True)
class Claims:
    """What a token says, once its signature, issuer and expiry are checked."""

    user_id: str
    login: str
    kind: str
    session_id: str
    token_id: str
    issued_at: float
    expires_at: int


def new_id() -> str:
    """A random id for a session or a token (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def issue(settings: TokenSettings, kind: str, user_id: str, login: str, session_id: str) -> tuple[str, Claims]:
    """A signed token of ``kind`` (:data:`ACCESS` or :data:`REFRESH`) for the user, and its claims."""
    jwt = require_jwt()
    now = time.time()
    lifetime = settings.access_ttl if kind == ACCESS else settings.refresh_ttl
    claims = Claims(user_id, login, kind, session_id, new_id(), now, int(now) + lifetime)
    payload = {
        "iss": settings.issuer,
        "sub": user_id,
        "login": login,
        "typ": kind,
        "sid": session_id,
        "jti": claims.token_id,
        "iat": now,
        "exp": claims.expires_at,
    }
    token: str = jwt.encode(payload, settings.signing_key, algorithm=settings.algorithm)
    return token, claims


def read(settings: TokenSettings, token: Any, kind: str) -> Claims:
    """The claims of ``token``, a token of ``kind`` signed with the settings' key.

    :raises AuthenticationError: not a token, a bad signature, another algorithm or
        issuer, expired, or not of ``kind``. The message says which, never the token.
    """
    jwt = require_jwt()
    if not isinstance(token, str) or not token:
        raise AuthenticationError("A {0} token is required", kind)
    try:
        payload = jwt.decode(
            token,
            settings.verifying_key,
            algorithms=[settings.algorithm],
            issuer=settings.issuer,
            leeway=settings.leeway,
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as error:
        raise AuthenticationError("The token has expired") from error
    except jwt.PyJWTError as error:
        raise AuthenticationError("The token is invalid") from error
    if payload.get("typ") != kind:
        raise AuthenticationError("The token is not a {0} token", kind)
    try:
        return Claims(
            str(payload["sub"]),
            str(payload.get("login", "")),
            kind,
            str(payload["sid"]),
            str(payload["jti"]),
            float(payload["iat"]),
            int(payload["exp"]),
        )
    except (TypeError, ValueError) as error:
        raise AuthenticationError("The token is invalid") from error
