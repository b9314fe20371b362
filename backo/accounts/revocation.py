"""The revocation list: sessions logged out and refresh tokens used, shared by every process.

A session (``sid``) is revoked by a logout, or when one of its refresh tokens is
presented twice (a stolen token being replayed: the whole session ends). A refresh
token is single-use: refreshing records its id. Entries expire with the tokens they
stop, and :meth:`RevocationList.purge` drops them after that.
"""

import time

from .records import StateStore
from .tokens import Claims

SESSION = "session"
REFRESH = "refresh"


class RevocationList:
    """Revoked sessions and used refresh tokens, in a state collection."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def _has(self, kind: str, token: str) -> bool:
        return any(entry.get("kind") == kind for entry in self.store.find("token", token))

    def _add(self, kind: str, token: str, user_id: str, expires_at: int) -> None:
        self.store.insert({"token": token, "kind": kind, "user_id": user_id, "expires_at": expires_at})

    def session_revoked(self, session_id: str) -> bool:
        """Tell whether the session was logged out (or ended for a replayed refresh token)."""
        return self._has(SESSION, session_id)

    def revoke_session(self, claims: Claims, expires_at: int) -> None:
        """End the session of ``claims`` (until ``expires_at``, when its last token expires)."""
        with self.store.lock.exclusive():
            if not self.session_revoked(claims.session_id):
                self._add(SESSION, claims.session_id, claims.user_id, expires_at)

    def use_refresh_token(self, claims: Claims) -> bool:
        """Record the refresh token as used; False if it already was (the caller ends the session)."""
        with self.store.lock.exclusive():
            if self._has(REFRESH, claims.token_id):
                return False
            self._add(REFRESH, claims.token_id, claims.user_id, claims.expires_at)
            return True

    def purge(self) -> int:
        """Drop the entries whose tokens have all expired; returns how many."""
        return self.store.purge_expired(time.time())
