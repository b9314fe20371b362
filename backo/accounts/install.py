"""``install_accounts``: register the accounts collections in a backoffice, with their rights.

Six ordinary collections (routes, ``_meta``, rights, admin UI like any other), each on
the connector ``store(name)`` gives:

* ``users``, ``roles``, ``permissions``: managed by a superuser or a holder of
  ``"<collection>.<right>"`` (``users.read``, ``roles.modify``...); a user may also read
  its own account. Changing or deleting a superuser's account takes a superuser.
  Their lists (``GET .../<collection>``, the ``_all`` selection) answer 403 to those who
  may not read them. ``users`` has the action ``revoke_sessions`` (``{}``), run by the same people as
  ``modify``; they set a user's password with ``POST .../_accounts/users/<_id>/password``.
* ``revoked_tokens``, ``account_tokens``, ``login_attempts``: the flows' state, read and
  deleted by superusers only (deleting a ``login_attempts`` entry lifts a lockout); nobody
  creates or modifies them over HTTP.
"""

from collections.abc import Callable
from typing import Any

from stricto import SSyntaxError

from backo.collection import Collection
from backo.core.action import Action
from backo.core.backoffice import BaseBackoffice
from backo.core.collection import ALL_SELECTION
from backo.core.item import Item
from backo.core.selection import Selection
from backo.current_user import current_user
from backo.storage.db.base import DBConnector

from . import models
from .facade import Accounts
from .names import AccountNames
from .options import AccountsOptions
from .rights import RIGHTS, is_privileged, permission_name, permission_right, privileged_only, rights_by_permission

#: Builds the connector of each collection from its name.
StoreFactory = Callable[[str], DBConnector]


def _holds(collection_name: str, right: str) -> bool:
    return is_privileged() or bool(current_user.has_permission(permission_name(collection_name, right)))


def _targets_superuser(o: Any) -> bool:
    return o is not None and o.superuser.get_value() is True


def users_rights(name: str) -> dict[str, Callable[[str, Any], bool]]:
    """The users collection's rights (see the module docstring)."""

    def can_read(_right: str, o: Any) -> bool:
        if _holds(name, "read"):
            return True
        if o is None or current_user.is_anonymous():
            return False
        own = o._id.get_value()
        return own is None or own == current_user._id.get_value()  # None: checked again once loaded

    def can_change(right: str) -> Callable[[str, Any], bool]:
        def check(_right: str, o: Any) -> bool:
            return _holds(name, right) and (not _targets_superuser(o) or is_privileged())

        check.__qualname__ = check.__name__ = f"users_{right}"
        return check

    return {"can_read": can_read, "can_create": can_change("create"), "can_modify": can_change("modify"),
            "can_delete": can_change("delete")}  # fmt: skip


def _state_collection(name: str, model: Any, store: StoreFactory) -> Collection:
    return Collection(name, model, store(name), can_read=privileged_only, can_delete=privileged_only,
                      can_create=False, can_modify=False)  # fmt: skip


def _list_only_for_readers(collection: Collection, name: str, names: AccountNames) -> None:
    """The list route (the ``_all`` selection) answers 403, not an empty page, to those who may not read."""
    managed = name in (names.users, names.roles, names.permissions)
    can_list = permission_right(permission_name(name, "read")) if managed else privileged_only
    collection.register_selection(ALL_SELECTION, Selection(can_read=can_list, enforce_rights=True))


def _user_actions(users: Collection, accounts: Accounts) -> None:
    modify = users_rights(str(users.name))["can_modify"]

    def revoke_sessions(action: Any, user: Any, **kwargs: Any) -> None:
        accounts.revoke_sessions(user._id.get_value())

    users.register_action("revoke_sessions", Action({}, revoke_sessions, can_execute=modify, enforce_rights=True))


def install_accounts(
    backoffice: BaseBackoffice,
    store: StoreFactory,
    *,
    prefix: str = "",
    names: AccountNames | None = None,
    **options: Any,
) -> Accounts:
    """Register users, roles, permissions and the flows' state in ``backoffice``; return the accounts.

    ``store(name)`` builds each collection's connector. ``prefix`` goes before every
    default name (``prefix="acc_"``: ``acc_users``...), or ``names`` gives them all. The
    other keywords are those of :class:`~backo.accounts.options.AccountsOptions`
    (``password_min_length``, ``login_policy``, ``send_password_reset``...).

    Example::

        accounts = install_accounts(bo, store=lambda name: DBYmlConnector(path=f"data/{name}"))
        bo.build_routes(app, "api", jwt_auth=accounts.jwt_auth)
        accounts.build_routes(app, "api")          # /api/<bo>/_accounts/login ...

    :raises SSyntaxError: a collection of one of these names is already registered.
    :raises TypeError: an unknown option.
    """
    chosen = names or AccountNames.with_prefix(prefix)
    settings = AccountsOptions(**options)

    def managed(name: str, model: Item, rights: dict[str, Any]) -> Collection:
        return Collection(name, model, store(name), **rights)

    collections = {
        chosen.users: managed(chosen.users, models.users_model(), users_rights(chosen.users)),
        chosen.roles: managed(chosen.roles, models.roles_model(), rights_by_permission(chosen.roles)),
        chosen.permissions: managed(
            chosen.permissions, models.permissions_model(), rights_by_permission(chosen.permissions)
        ),
        chosen.revoked_tokens: _state_collection(chosen.revoked_tokens, models.revoked_tokens_model(), store),
        chosen.account_tokens: _state_collection(chosen.account_tokens, models.account_tokens_model(), store),
        chosen.login_attempts: _state_collection(chosen.login_attempts, models.login_attempts_model(), store),
    }
    taken = [name for name in collections if name in backoffice.collections]
    if taken:
        raise SSyntaxError('install_accounts: collection "{0}" already registered; use prefix=...', taken[0])
    for name, collection in collections.items():
        _list_only_for_readers(collection, name, chosen)
    accounts = Accounts(backoffice, collections, chosen, settings)
    _user_actions(collections[chosen.users], accounts)
    for collection in collections.values():
        backoffice.register_collection(collection)
    return accounts


__all__ = ["RIGHTS", "StoreFactory", "install_accounts", "users_rights"]
