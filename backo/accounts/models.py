"""The Item models of the accounts collections.

``users`` holds two fields nobody reads through backo (``can_read=False``) and only the
accounts flows write (:func:`~backo.accounts.rights.system_only`): ``password_hash`` and
``sessions_valid_after`` (tokens issued before it are refused). ``superuser`` and
``email_verified`` are set by superusers (and the flows) only, so a holder of
``users.modify`` cannot make itself a superuser. Logins, role names and permission names
are unique; changing a user's email makes it unverified again.
"""

import re
from typing import Any

from stricto import Bool, Float, Int, List, SConstraintError, String

from backo.core.item import Item

from .rights import privileged_only, system_only

#: What a login may look like: no spaces, no control characters.
LOGIN_PATTERN = r"^[^\s]{1,128}$"
#: A loose email shape (the verification flow proves the rest).
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"


def _looks_like_an_email(value: Any, root: Any) -> bool:
    """Constraint: no address, or one with a single ``@`` and no spaces."""
    return value is None or re.match(EMAIL_PATTERN, value) is not None


def unique(field: str) -> Any:
    """An event handler refusing a write that makes ``field`` equal to another stored Item's."""

    def refuse_duplicates(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
        value = me.__dict__[field].get_value()
        if value is None:
            return
        own_id = me._id.get_value()
        for document in me.db_handler.select({field: value}):
            if str(document.get("_id")) != own_id:
                raise SConstraintError('{0} "{1}" is already taken', field, value)

    return refuse_duplicates


def _unverify_changed_email(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    """``before_save``: a new email is not verified yet."""
    old = kwargs.get("old_object")
    if old is not None and me.email.get_value() != old.email.get_value():
        me.email_verified.set_value(False)


def users_model() -> Item:
    """The model of the users collection."""
    return Item(
        {
            "login": String(required=True, regexp=LOGIN_PATTERN, description="Login name (unique)"),
            "email": String(constraints=[_looks_like_an_email], description="Email address"),
            "active": Bool(default=True, description="May log in"),
            "roles": List(String(), default=[], description="Role names"),
            "email_verified": Bool(default=False, can_modify=privileged_only, description="Email address verified"),
            "superuser": Bool(default=False, can_modify=privileged_only, description="Holds every permission"),
            "password_hash": String(can_read=False, can_modify=system_only),
            "sessions_valid_after": Float(default=0.0, can_read=False, can_modify=system_only),
        },
        on=[("created", unique("login")), ("before_save", unique("login")), ("before_save", _unverify_changed_email)],
        description="Accounts",
    )


def roles_model() -> Item:
    """The model of the roles collection: a name and the permission names it grants."""
    return Item(
        {
            "name": String(required=True, regexp=LOGIN_PATTERN, description="Role name (unique)"),
            "description": String(),
            "permissions": List(String(), default=[], description="Permission names"),
        },
        on=[("created", unique("name")), ("before_save", unique("name"))],
        description="Roles",
    )


def permissions_model() -> Item:
    """The model of the permissions catalogue: ``books.delete`` and what it allows."""
    return Item(
        {"name": String(required=True, regexp=LOGIN_PATTERN, description="Permission name (unique)"),
         "description": String()},
        on=[("created", unique("name")), ("before_save", unique("name"))],
        description="Permissions",
    )  # fmt: skip


def revoked_tokens_model() -> Item:
    """Revoked sessions (``kind="session"``) and used refresh tokens (``kind="refresh"``)."""
    return Item(
        {
            "token": String(required=True, description="Session id or refresh token id"),
            "kind": String(union=["session", "refresh"], required=True),
            "user_id": String(),
            "expires_at": Int(description="Epoch seconds after which the entry is useless"),
        },
        meta_data_handler=None,
    )


def account_tokens_model() -> Item:
    """Pending one-time tokens: the SHA-256 of the token, never the token."""
    return Item(
        {
            "digest": String(required=True, description="SHA-256 of the token"),
            "purpose": String(union=["password-reset", "verify-email"], required=True),
            "user_id": String(required=True),
            "email": String(description="The address being verified"),
            "expires_at": Int(),
        },
        meta_data_handler=None,
    )


def login_attempts_model() -> Item:
    """Failed-login counters: per account (``account:<login>``) and per address (``address:<ip>``)."""
    return Item(
        {
            "subject": String(required=True, description="account:<login> or address:<ip>"),
            "failures": Int(default=0),
            "window_start": Float(default=0.0),
            "locked_until": Float(default=0.0),
        },
        meta_data_handler=None,
    )
