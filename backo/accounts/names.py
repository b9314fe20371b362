"""The names of the accounts collections: defaults, and a prefix to keep clear of the application's."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AccountNames:
    """The name of each collection :func:`~backo.accounts.install_accounts` registers.

    ``AccountNames.with_prefix("acc_")`` gives ``acc_users``, ``acc_roles``...
    """

    #: the accounts: login, email, roles, flags (the password hash is never readable)
    users: str = "users"
    #: named sets of permissions
    roles: str = "roles"
    #: the catalogue of permission names
    permissions: str = "permissions"
    #: revoked sessions and used refresh tokens (shared by every process)
    revoked_tokens: str = "revoked_tokens"
    #: pending password-reset and email-verification tokens (their SHA-256 only)
    account_tokens: str = "account_tokens"
    #: failed-login counters and lockouts, per account and per client address
    login_attempts: str = "login_attempts"

    @classmethod
    def with_prefix(cls, prefix: str) -> "AccountNames":
        """The default names, each preceded by ``prefix``."""
        defaults = cls()
        return cls(**{field: prefix + getattr(defaults, field) for field in cls.__dataclass_fields__})

    def all(self) -> list[str]:
        """Every name, in registration order."""
        return [getattr(self, field) for field in self.__dataclass_fields__]
