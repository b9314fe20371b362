"""What an application chooses when it installs the accounts (besides the store and the names)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .passwords import DEFAULT_METHOD, MAX_PASSWORD_LENGTH
from .ratelimit import LoginPolicy

#: A sending hook: ``hook(user, token)``; ``user`` is the user's public values (no hash).
SendHook = Callable[[dict[str, Any], str], None]


@dataclass(frozen=True)
class AccountsOptions:
    """The accounts' policy. Every field is a keyword of :func:`~backo.accounts.install_accounts`."""

    #: werkzeug's hashing method: ``"scrypt"`` or ``"scrypt:N:r:p"``
    password_method: str = DEFAULT_METHOD
    #: the shortest password accepted when one is set
    password_min_length: int = 8
    #: the longest (longer ones are refused before hashing)
    password_max_length: int = MAX_PASSWORD_LENGTH
    #: failures that lock an account or an address, and for how long
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    #: refuse logins (403) until the email address is verified
    require_verified_email: bool = False
    #: sends a password-reset token; None: the reset routes answer 501
    send_password_reset: SendHook | None = None
    #: sends an email-verification token; None: the verification routes answer 501
    send_email_verification: SendHook | None = None
    #: seconds a password-reset token lives
    reset_ttl: int = 3600
    #: seconds an email-verification token lives
    verification_ttl: int = 2 * 24 * 3600
