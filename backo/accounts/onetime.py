"""Single-use, expiring tokens for the password-reset and email-verification flows.

The token goes to the user (through the application's sending hook); only its SHA-256
is stored, so the state collection, its backups and a superuser reading it cannot use
one. Consuming a token deletes it, under the write lock: it works once, even with two
requests racing.
"""

import hashlib
import secrets
import time
from typing import Any

from .errors import AuthenticationError
from .records import StateStore

PASSWORD_RESET = "password-reset"
VERIFY_EMAIL = "verify-email"


def digest(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class OneTimeTokens:
    """Issue and consume single-use tokens of one state collection."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def issue(self, purpose: str, user_id: str, ttl: int, email: str | None = None) -> str:
        """A new token for ``purpose``; earlier pending tokens of the same user and purpose stop working."""
        token = secrets.token_urlsafe(32)
        with self.store.lock.exclusive():
            for pending in self.store.find("user_id", user_id):
                if pending.get("purpose") == purpose:
                    self.store.remove(pending)
            self.store.insert(
                {
                    "digest": digest(token),
                    "purpose": purpose,
                    "user_id": user_id,
                    "email": email,
                    "expires_at": int(time.time()) + ttl,
                }
            )
        return token

    def consume(self, purpose: str, token: Any) -> dict[str, Any]:
        """The stored entry of ``token`` (``user_id``, ``email``), deleted so it cannot serve again.

        :raises AuthenticationError: unknown, already used, expired or for another purpose.
        """
        if not isinstance(token, str) or not token:
            raise AuthenticationError("A {0} token is required", purpose)
        with self.store.lock.exclusive():
            entry = self.store.find_one("digest", digest(token))
            if entry is None or entry.get("purpose") != purpose or not self.store.remove(entry):
                raise AuthenticationError("The {0} token is invalid or already used", purpose)
        if int(entry.get("expires_at") or 0) < time.time():
            raise AuthenticationError("The {0} token has expired", purpose)
        return entry
