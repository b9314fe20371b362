"""Password reset and email verification: a single-use token, sent by the application's hook.

Sending is the application's job (email, SMS, a queue): it gives
``send_password_reset(user, token)`` and ``send_email_verification(user, token)`` to
:func:`~backo.accounts.install_accounts`; ``user`` is the user's public values. The
token travels only through the hook; backo keeps its SHA-256.

A reset request answers the same whether the account exists or not (no account
discovery); a hook that fails is logged and, there, not reported to the client.
"""

from typing import Any

from backo.log import get_logger

from .errors import AuthenticationError, InvalidRequestError, NotConfiguredError, SendingError
from .onetime import PASSWORD_RESET, VERIFY_EMAIL
from .options import SendHook
from .principal import Principal, public_user
from .service import AccountService

log = get_logger("backo.accounts")


def _hook(hook: SendHook | None, keyword: str) -> SendHook:
    if hook is None:
        raise NotConfiguredError("This flow is not configured: give install_accounts({0}=...)", keyword)
    return hook


def _send(hook: SendHook, user: dict[str, Any], token: str, flow: str) -> bool:
    """Call the hook; False (logged, without the token) if it raised."""
    try:
        hook(public_user(user), token)
    except Exception:  # noqa: BLE001 - the application's code: logged, never shown to the client
        log.exception("The %s hook failed for user %s", flow, user.get("_id"))
        return False
    return True


def request_password_reset(service: AccountService, login: Any = None, email: Any = None) -> None:
    """Send a reset token to the active user named by ``login`` or ``email``; nothing if there is none.

    :raises NotConfiguredError: no ``send_password_reset`` hook. :raises InvalidRequestError: neither given.
    """
    hook = _hook(service.options.send_password_reset, "send_password_reset")
    if isinstance(login, str) and login:
        user = service.user_by_login(login)
    elif isinstance(email, str) and email:
        user = service.user_by_email(email)
    else:
        raise InvalidRequestError("login or email is required")
    if user is None or user.get("active") is False:
        log.info("Password reset asked for no active account")
        return
    token = service.one_time_tokens.issue(PASSWORD_RESET, str(user["_id"]), service.options.reset_ttl)
    if _send(hook, user, token, PASSWORD_RESET):
        log.info("Password reset token sent to user %s", user["_id"])


def confirm_password_reset(service: AccountService, token: Any, password: Any) -> None:
    """Set the new password of the token's user: the token is used up, every session ends, the
    account's lockout is lifted.

    :raises InvalidRequestError: the password is refused (the token still works).
    :raises AuthenticationError: the token is unknown, used or expired.
    """
    service.check_new_password(password)
    entry = service.one_time_tokens.consume(PASSWORD_RESET, token)
    user = service.user_document(str(entry["user_id"]))
    if user is None:
        raise AuthenticationError("The account no longer exists")
    service.set_password(str(user["_id"]), password)
    service.unlock(login=str(user.get("login")))


def request_email_verification(service: AccountService, principal: Principal) -> None:
    """Send an email-verification token for the authenticated user's current address.

    :raises InvalidRequestError: the user has no email. :raises SendingError: the hook failed.
    """
    hook = _hook(service.options.send_email_verification, "send_email_verification")
    user = service.user_document(principal.user_id)
    if user is None:
        raise AuthenticationError("The account no longer exists")
    email = user.get("email")
    if not email:
        raise InvalidRequestError("This account has no email address to verify")
    send_email_verification(service, user, hook)


def send_email_verification(service: AccountService, user: dict[str, Any], hook: SendHook | None = None) -> None:
    """Issue a verification token for ``user``'s address and hand it to the hook (scripts may call it).

    :raises SendingError: the hook failed.
    """
    hook = hook or _hook(service.options.send_email_verification, "send_email_verification")
    token = service.one_time_tokens.issue(
        VERIFY_EMAIL, str(user["_id"]), service.options.verification_ttl, user.get("email")
    )
    if not _send(hook, user, token, VERIFY_EMAIL):
        raise SendingError("The verification message could not be sent")


def confirm_email(service: AccountService, token: Any) -> dict[str, Any]:
    """Mark the token's address verified (if it is still the user's); returns the user's public values.

    :raises AuthenticationError: the token is unknown, used, expired, or the address changed since.
    """
    entry = service.one_time_tokens.consume(VERIFY_EMAIL, token)
    user = service.user_document(str(entry["user_id"]))
    if user is None or user.get("email") != entry.get("email"):
        raise AuthenticationError("The verify-email token is for an address the account no longer has")
    service.mark_email_verified(str(user["_id"]))
    return public_user({**user, "email_verified": True})
