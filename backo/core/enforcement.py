"""When the rights of actions and selections are enforced, and what is left unenforced.

backo 0.2.1 evaluates an Action's ``can_see`` / ``can_execute`` and a Selection's
``can_read`` only once their permissions are enabled (``enable_permissions()``), which
nothing in backo does: by default every action runs and every selection answers. That is
kept. Enforcement is opt-in, per object (``enable_permissions()``, or
``enforce_rights=True`` when building it) or for a whole application
(``Backoffice(name, enforce_rights=True)``). Enforced rights are called ``f(right_name, o)``.

Example::

    app = Backoffice("todo", enforce_rights=True)     # every action and selection
    close = Action({}, close_task, can_execute=lambda right, task: current_user.has_role("STAFF"))
    tasks.register_action("close", close)             # POST .../_actions/close/<id>: 403 for others
"""

import copy
from typing import Any

from stricto import Permissions

#: The keyword that turns enforcement on (Action, Selection and Backoffice alike).
ENFORCE_RIGHTS = "enforce_rights"


def backoffice_enforces(backoffice: Any) -> bool:
    """Tell whether ``backoffice`` (or None) enforces the rights of all its actions and selections."""
    return backoffice is not None and getattr(backoffice, ENFORCE_RIGHTS, False) is True


def evaluate_right(permissions: Permissions, right_name: str, o: Any, enforced_by_backoffice: bool) -> bool | None:
    """The right ``right_name`` on ``o``, as stricto answers it once the permissions are enabled.

    Enabled ``permissions``: stricto's answer (a callable is called ``f(right_name, o)``).
    Disabled and not enforced by the backoffice: True, nothing called (0.2.1). Disabled but
    enforced by the backoffice: evaluated on an enabled copy, so the object's own switch,
    shared by concurrent requests, is never flipped.
    """
    if permissions.get_permissions_status():
        return permissions.is_allowed_to(right_name, o)
    if not enforced_by_backoffice:
        return True
    enabled = copy.copy(permissions)
    enabled.enable()
    return enabled.is_allowed_to(right_name, o)


def declares(permissions: Permissions, right_names: tuple[str, ...]) -> bool:
    """Tell whether one of ``right_names`` is something else than the default ``True``."""
    return any(permissions.get(name, True) is not True for name in right_names)


def unenforced_rights(backoffice: Any) -> list[str]:
    """The actions and selections of ``backoffice`` whose rights are declared but not enforced.

    As ``"action <collection>.<name>"`` / ``"selection <collection>.<name>"``, in
    registration order (what :func:`backo.http.routes.register` warns about).
    """
    if backoffice_enforces(backoffice):
        return []
    found = []
    for collection in backoffice.collections.values():
        for name, action in getattr(collection, "actions", {}).items():
            if action.declares_rights() and not action.rights_enforced():
                found.append(f"action {collection.name}.{name}")
        for name, selection in getattr(collection, "selections", {}).items():
            if selection.declares_rights() and not selection.rights_enforced():
                found.append(f"selection {collection.name}.{name}")
    return found
