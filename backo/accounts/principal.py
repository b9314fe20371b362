"""Who a valid token stands for: the user's public values, and what the user may do.

Permissions are resolved from the stored user on every request: its roles' permission
names, or everything for a superuser. A role removed from a user, a role that loses a
permission, a user disabled or deleted: the next request sees it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backo.storage.db.base import DBConnector

#: The users' fields nobody reads through backo.
HIDDEN_FIELDS = ("password_hash", "sessions_valid_after")


def public_user(document: dict[str, Any]) -> dict[str, Any]:
    """The stored user without its hidden fields (what hooks and answers receive)."""
    return {key: value for key, value in document.items() if key not in HIDDEN_FIELDS}


@dataclass(frozen=True)
class Principal:
    """The authenticated user of a request."""

    #: the user's public values (no hash)
    user: dict[str, Any]
    #: the permission names its roles grant
    permissions: frozenset[str]
    #: whether it holds every permission
    superuser: bool
    #: the session the token belongs to
    session_id: str

    @property
    def user_id(self) -> str:
        return str(self.user["_id"])

    def current_user_data(self) -> dict[str, Any]:
        """What ``current_user.set`` takes: ``_id``, ``login``, ``roles``."""
        return {"_id": self.user_id, "login": self.user.get("login"), "roles": list(self.user.get("roles") or [])}


def role_permissions(roles: DBConnector, role_names: Iterable[str]) -> frozenset[str]:
    """The permission names the roles ``role_names`` grant (unknown roles grant nothing)."""
    granted: set[str] = set()
    for name in dict.fromkeys(role_names):
        for role in roles.select({"name": name}):
            granted.update(str(permission) for permission in role.get("permissions") or [])
    return frozenset(granted)
