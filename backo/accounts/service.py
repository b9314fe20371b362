"""The accounts flows without HTTP: logins, sessions, passwords, and the users' administration.

:class:`AccountService` is what :func:`~backo.accounts.install_accounts` returns (as its
façade :class:`~backo.accounts.facade.Accounts`). Token flows take the
:class:`~backo.accounts.settings.TokenSettings` of the application serving them; scripts
call the administration methods directly::

    accounts.create_role("librarian", ["books.create", "books.modify"])
    alice = accounts.create_user("alice", "a long password", email="alice@example.org", roles=["librarian"])

No password, hash or token is ever logged or put in an error message; logs name the
user by ``_id``.
"""

import time
from typing import Any, cast

from stricto import SConstraintError

from backo.collection import Collection
from backo.core.backoffice import BaseBackoffice
from backo.core.item import Item
from backo.error import NotFoundError
from backo.log import get_logger

from . import tokens
from .errors import AccountForbiddenError, AuthenticationError, InvalidRequestError
from .names import AccountNames
from .onetime import OneTimeTokens
from .options import AccountsOptions
from .passwords import PasswordHasher
from .principal import Principal, public_user, role_permissions
from .ratelimit import LoginRateLimiter
from .records import StateStore
from .revocation import RevocationList
from .rights import system
from .settings import TokenSettings

log = get_logger("backo.accounts")


class AccountService:
    """The accounts of one backoffice: its collections, and every flow on them."""

    def __init__(
        self,
        backoffice: BaseBackoffice,
        collections: dict[str, Collection],
        names: AccountNames,
        options: AccountsOptions,
    ) -> None:
        #: the backoffice the collections are registered in
        self.backoffice = backoffice
        #: the collection names
        self.names = names
        #: the policy chosen at installation
        self.options = options
        self.users = collections[names.users]
        self.roles = collections[names.roles]
        self.permissions = collections[names.permissions]
        self.hasher = PasswordHasher(options.password_method)
        self.revocations = RevocationList(StateStore(collections[names.revoked_tokens].db_handler, backoffice))
        self.one_time_tokens = OneTimeTokens(StateStore(collections[names.account_tokens].db_handler, backoffice))
        self.limiter = LoginRateLimiter(
            StateStore(collections[names.login_attempts].db_handler, backoffice), options.login_policy
        )

    @property
    def default_issuer(self) -> str:
        """The ``iss`` of the tokens unless ``BACKO_JWT_ISSUER`` says otherwise."""
        return f"backo/{self.backoffice.name}"

    # --- users, read and written as the accounts service ------------------------------

    def user_document(self, user_id: str) -> dict[str, Any] | None:
        """The stored user ``user_id`` (hidden fields included), or None."""
        try:
            return self.users.db_handler.get_by_id(str(user_id))
        except NotFoundError:
            return None

    def user_by_login(self, login: str) -> dict[str, Any] | None:
        """The stored user whose login is ``login``, or None."""
        found = self.users.db_handler.select({"login": login})
        return found[0] if len(found) == 1 else None

    def user_by_email(self, email: str) -> dict[str, Any] | None:
        """The stored user whose email is ``email`` if exactly one has it, or None."""
        found = self.users.db_handler.select({"email": email})
        return found[0] if len(found) == 1 else None

    def _write_user(self, user_id: str, values: dict[str, Any]) -> None:
        """Save ``values`` (hidden fields allowed) into user ``user_id``, as the accounts service."""
        with system():
            item = self.users.get_by_id(user_id)
            item.disable_permissions()
            for key, value in values.items():
                item.__dict__[key].set(value)
            item.enable_permissions()
            item.save()

    def check_new_password(self, password: Any) -> str:
        """``password`` if the policy accepts it. :raises InvalidRequestError: it does not."""
        if not isinstance(password, str) or not password:
            raise InvalidRequestError("A new password is required")
        if len(password) < self.options.password_min_length:
            raise InvalidRequestError(
                "The password must have at least {0} characters", self.options.password_min_length
            )
        if len(password) > self.options.password_max_length:
            raise InvalidRequestError("The password must have at most {0} characters", self.options.password_max_length)
        return password

    def set_password(self, user_id: str, password: Any, end_sessions: bool = True) -> None:
        """Give user ``user_id`` a new password; by default its open sessions end.

        :raises InvalidRequestError: the policy refuses the password.
        :raises NotFoundError: no such user.
        """
        values: dict[str, Any] = {"password_hash": self.hasher.hash(self.check_new_password(password))}
        if end_sessions:
            values["sessions_valid_after"] = time.time()
        self._write_user(user_id, values)
        log.info("Password set for user %s", user_id)

    def revoke_sessions(self, user_id: str) -> None:
        """End every open session of user ``user_id`` (its tokens stop working now)."""
        self._write_user(user_id, {"sessions_valid_after": time.time()})
        log.info("Every session of user %s revoked", user_id)

    def mark_email_verified(self, user_id: str, verified: bool = True) -> None:
        """Set the ``email_verified`` flag of user ``user_id``."""
        self._write_user(user_id, {"email_verified": verified})

    def create_user(self, login: str, password: str | None = None, **values: Any) -> Item:
        """Create a user (as the accounts service: any field may be given, ``superuser=True`` too).

        :raises SConstraintError: the login is taken. :raises InvalidRequestError: the password is refused.
        """
        password_hash = None if password is None else self.hasher.hash(self.check_new_password(password))
        with system():
            item = self.users.create({**values, "login": login})
            if password_hash is not None:
                self._write_user(item._id.get_value(), {"password_hash": password_hash})
                item = self.users.get_by_id(item._id.get_value())
        return item

    def create_role(self, name: str, permissions: list[str], description: str | None = None) -> Item:
        """Create a role granting ``permissions`` (names; the catalogue gets the missing ones)."""
        for permission in permissions:
            self.ensure_permission(permission)
        with system():
            return self.roles.create({"name": name, "permissions": list(permissions), "description": description})

    def ensure_permission(self, name: str, description: str | None = None) -> None:
        """Add ``name`` to the permissions catalogue unless it is there."""
        if self.permissions.db_handler.select({"name": name}):
            return
        with system():
            try:
                self.permissions.create({"name": name, "description": description})
            except SConstraintError:  # created meanwhile
                pass

    def purge_expired(self) -> int:
        """Drop the revocations and one-time tokens that expired; returns how many."""
        return self.revocations.purge() + self.one_time_tokens.store.purge_expired(time.time())

    def unlock(self, login: str | None = None, address: str | None = None) -> None:
        """End the lockout (and the failure count) of an account and/or a client address."""
        self.limiter.unlock(login, address)

    # --- sessions -----------------------------------------------------------------------

    def _token_pair(self, settings: TokenSettings, user: dict[str, Any], session_id: str) -> dict[str, Any]:
        """A new access and refresh token for ``user`` in ``session_id``, as the login answers them."""
        user_id, login = str(user["_id"]), str(user.get("login"))
        access, _ = tokens.issue(settings, tokens.ACCESS, user_id, login, session_id)
        refresh, _ = tokens.issue(settings, tokens.REFRESH, user_id, login, session_id)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": settings.access_ttl,
            "refresh_expires_in": settings.refresh_ttl,
            "user": public_user(user),
        }

    def verify_password(self, login: Any, password: Any, address: str | None) -> dict[str, Any]:
        """The stored user ``login`` if ``password`` is its password, counted by the rate limiter.

        :raises InvalidRequestError: login or password missing.
        :raises TooManyAttemptsError: the account or the address is locked out (checked first).
        :raises AuthenticationError: wrong login or password (the same answer for both).
        """
        if not isinstance(login, str) or not login or not isinstance(password, str) or not password:
            raise InvalidRequestError("login and password are required")
        self.limiter.check(login, address)
        user = self.user_by_login(login)
        stored = None if user is None else user.get("password_hash")
        too_long = len(password) > self.options.password_max_length
        if too_long or not self.hasher.verify(stored, password) or user is None:
            self.limiter.failed(login, address)
            log.info("Failed login (%s)", "unknown account" if user is None else f"user {user['_id']}")
            raise AuthenticationError("Invalid login or password")
        self.limiter.succeeded(login)
        if self.hasher.needs_rehash(stored or ""):
            self._write_user(str(user["_id"]), {"password_hash": self.hasher.hash(password)})
        return user

    def login(self, settings: TokenSettings, login: Any, password: Any, address: str | None) -> dict[str, Any]:
        """Check the credentials and open a session: ``{"access_token", "refresh_token", ...}``.

        :raises AccountForbiddenError: right password, but the account is disabled (or unverified
            while the policy requires verified emails).
        """
        user = self.verify_password(login, password, address)
        if user.get("active") is False:
            raise AccountForbiddenError("This account is disabled")
        if self.options.require_verified_email and not user.get("email_verified"):
            raise AccountForbiddenError("The email address of this account is not verified yet")
        log.info("User %s logged in", user["_id"])
        return self._token_pair(settings, user, tokens.new_id())

    def _session_user(self, claims: tokens.Claims) -> dict[str, Any]:
        """The stored user of a token whose session is still open.

        :raises AuthenticationError: session revoked, user gone or disabled, or the user's
            sessions were ended (new password) after the token was made.
        """
        if self.revocations.session_revoked(claims.session_id):
            raise AuthenticationError("The session has been logged out")
        user = self.user_document(claims.user_id)
        if user is None:
            raise AuthenticationError("The account no longer exists")
        if user.get("active") is False:
            raise AuthenticationError("This account is disabled")
        if claims.issued_at < float(user.get("sessions_valid_after") or 0):
            raise AuthenticationError("The session has ended (password changed or sessions revoked)")
        return user

    def authenticate(self, settings: TokenSettings, access_token: Any) -> Principal:
        """The user an access token stands for, with its permissions as stored now.

        :raises AuthenticationError: a missing, bad, expired or revoked token.
        """
        claims = tokens.read(settings, access_token, tokens.ACCESS)
        user = self._session_user(claims)
        superuser = user.get("superuser") is True
        permissions = role_permissions(self.roles.db_handler, cast(list, user.get("roles") or []))
        return Principal(public_user(user), permissions, superuser, claims.session_id)

    def refresh(self, settings: TokenSettings, refresh_token: Any) -> dict[str, Any]:
        """A new token pair for a refresh token, which is used up; a replayed one closes its session.

        :raises AuthenticationError: a bad, expired, revoked or already used refresh token.
        """
        claims = tokens.read(settings, refresh_token, tokens.REFRESH)
        user = self._session_user(claims)
        if not self.revocations.use_refresh_token(claims):
            self.revocations.revoke_session(claims, int(time.time()) + settings.refresh_ttl)
            log.warning("Refresh token of user %s used twice: its session is closed", claims.user_id)
            raise AuthenticationError("The refresh token was already used: the session is closed")
        return self._token_pair(settings, user, claims.session_id)

    def logout(self, settings: TokenSettings, token: Any) -> None:
        """Close the session of ``token`` (an access or a refresh token): all its tokens stop working.

        :raises AuthenticationError: not a valid token.
        """
        try:
            claims = tokens.read(settings, token, tokens.ACCESS)
        except AuthenticationError:
            claims = tokens.read(settings, token, tokens.REFRESH)
        self.revocations.revoke_session(claims, int(time.time()) + settings.refresh_ttl)
        self.revocations.purge()
        log.info("User %s logged out", claims.user_id)

    def change_password(
        self, settings: TokenSettings, principal: Principal, old: Any, new: Any, address: str | None
    ) -> dict[str, Any]:
        """Replace the user's password (the old one is checked and rate-limited), end its other
        sessions, and open a new one: the answer is a new token pair."""
        self.check_new_password(new)
        user = self.verify_password(principal.user.get("login"), old, address)
        self.set_password(str(user["_id"]), cast(str, new))
        refreshed = self.user_document(str(user["_id"])) or user
        return self._token_pair(settings, refreshed, tokens.new_id())
