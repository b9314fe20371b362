"""Reading and writing the accounts' own state documents, straight through their collection's connector.

Revocations, one-time tokens and login counters are written during requests whose user
is nobody yet (a login), so they skip Items, rights and ``_meta``: they are documents of
their collection's model, looked up by one field. Writes happen under the backoffice's
write lock (:meth:`~backo.core.backoffice.BaseBackoffice.exclusive`), which spans
processes for stores that lock (the YAML store), so a counter is never lost to a race.
"""

from contextlib import AbstractContextManager
from typing import Any, Protocol

from backo.storage.db.base import DBConnector


class Locking(Protocol):
    """What serialises the writes (a backoffice)."""

    def exclusive(self) -> AbstractContextManager[None]: ...


class StateStore:
    """The documents of one state collection: find by a field, insert, replace, remove."""

    def __init__(self, db: DBConnector, lock: Locking) -> None:
        self.db = db
        self.lock = lock

    def find(self, field: str, value: Any) -> list[dict[str, Any]]:
        """Every document whose ``field`` equals ``value``."""
        return self.db.select({field: value})

    def find_one(self, field: str, value: Any) -> dict[str, Any] | None:
        """The first document whose ``field`` equals ``value``, or None."""
        found = self.find(field, value)
        return found[0] if found else None

    def insert(self, document: dict[str, Any]) -> str:
        """Store a new document; returns its id."""
        stored = {**document, "_id": self.db.generate_id(None)}
        return self.db.create(stored)

    def replace(self, document: dict[str, Any]) -> None:
        """Write ``document`` (which has its ``_id``) over the stored one."""
        self.db.save(str(document["_id"]), document)

    def remove(self, document: dict[str, Any]) -> bool:
        """Delete ``document``; True if it was still there (so two callers never both consume it)."""
        return self.db.delete_by_id(str(document["_id"]))

    def purge_expired(self, now: float) -> int:
        """Delete the documents whose ``expires_at`` is past; returns how many."""
        with self.lock.exclusive():
            expired = self.db.select({"expires_at": ("$lt", int(now))})
            return sum(1 for document in expired if self.remove(document))
