"""The errors of the accounts flows, each with the HTTP status it answers.

They are backo errors (:class:`~backo.error.BackoError` renders them as
``Exception("…")``), and their messages never hold a password, a hash or a token::

    AccountsError (BackoError)       a flow was refused                        (the status below)
    ├── AuthenticationError          no valid credentials or token             (HTTP 401)
    ├── AccountForbiddenError        credentials right, account may not log in (HTTP 403)
    ├── TooManyAttemptsError         locked out for ``retry_after`` seconds    (HTTP 429)
    ├── InvalidRequestError          a missing or malformed field              (HTTP 400)
    ├── NotConfiguredError           the app did not configure this flow       (HTTP 501)
    │   └── KeyConfigurationError    the token key or algorithm is missing/bad (HTTP 500)
    └── SendingError                 the app's sending hook failed              (HTTP 502)
"""

from typing import Any, ClassVar

from backo.error import BackoError


class AccountsError(BackoError):
    """A refused accounts flow; :attr:`status` is the HTTP status that answers it."""

    #: the HTTP status answering this error
    status: ClassVar[int] = 400

    def message(self) -> str:
        """The formatted message alone (without the ``Exception("…")`` rendering)."""
        text: str = self.to_string()
        return text


class AuthenticationError(AccountsError):
    """Wrong login or password, or a missing, expired, tampered or revoked token."""

    status = 401


class AccountForbiddenError(AccountsError):
    """The credentials are right but the account may not log in (disabled, email not verified)."""

    status = 403


class InvalidRequestError(AccountsError):
    """A field of the request is missing or malformed (a password too short...)."""

    status = 400


class NotConfiguredError(AccountsError):
    """The application did not configure what this flow needs (a key, a sending hook)."""

    status = 501


class KeyConfigurationError(NotConfiguredError):
    """The application's token configuration (``BACKO_JWT_*``) is missing or wrong: a server fault."""

    status = 500


class TooManyAttemptsError(AccountsError):
    """Too many failed attempts: locked out for :attr:`retry_after` seconds (HTTP 429)."""

    status = 429

    def __init__(self, message_format: str, *args: Any, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message_format, *args, **kwargs)
        #: seconds until the lockout ends (the ``Retry-After`` header)
        self.retry_after = max(1, int(retry_after))


class SendingError(AccountsError):
    """The application's hook could not send a token to the user (its error is logged, not shown)."""

    status = 502
