"""Patch: one JSON-patch-like operation on an Item, validated, then applied through stricto.

The wire format is a subset of RFC 6902 written with stricto selectors::

    {"op": "replace", "path": "$.name", "value": "Gilda"}
    {"op": "add", "path": "$.tags", "value": "new tag"}
    {"op": "remove", "path": "$.tags[0]"}

``value`` is a string or null, as in backo 0.2.1: stricto decodes strings into the
field's type where it can (a JSON list for a ``List``, an ISO date for a ``Datetime``).
"""

import re
from typing import Any

from stricto import Dict, SAttributeError, String

#: The operations a Patch may carry.
PATCH_OPERATIONS = ("test", "replace", "remove", "add")

#: A selector designating one element of a list: ``$.tags[0]`` (group 1 is ``$.tags``).
_LIST_ELEMENT = re.compile(r"^(.*)\[(-?\d+)\]$")


def _is_selector(value: Any, root: Any) -> bool:
    """stricto constraint: a path is a selector from the root, so it starts with ``$``."""
    return isinstance(value, str) and value.startswith("$")


class Patch(Dict):
    """One patch operation: ``op`` (test, replace, remove, add), ``path`` and ``value``.

    Example::

        patch = Patch()
        patch.set({"op": "remove", "path": "$.tags[0]"})   # stricto validation (400 errors)
        patch.apply_to(item)
        item.save()

    Invalid operations raise stricto errors on ``set``: ``ConstraintsError("$.op: Not in
    union list")``, ``ConstraintsError("$.path: Constraint not validated for value="name"")``,
    ``TypeError("$.value: Must be a string (value="12")")``.
    """

    def __init__(self, **kwargs: Any) -> None:
        Dict.__init__(
            self,
            {
                "op": String(required=True, union=list(PATCH_OPERATIONS)),
                "path": String(required=True, constraint=_is_selector),
                "value": String(),
            },
            **kwargs,
        )

    def apply_to(self, item: Dict) -> None:
        """Apply this operation to ``item`` (not saved).

        ``remove`` of a list element (``$.tags[0]``) deletes it; ``remove`` of anything
        else sets the field to None.

        .. versionchanged:: 0.3.0
           ``remove`` works (0.2.1 handed stricto a String where it needed a str).

        :raises SAttributeError: the path designates no field or no list element.
        """
        operation = self.op.get_value()
        path = self.path.get_value()
        value = self.value.get_value()
        if operation != "remove":
            item.patch(operation, path, value)
            return
        element = _LIST_ELEMENT.match(path)
        if element is None:
            item.patch("replace", path, None)
            return
        container = item.select(element.group(1))
        index = int(element.group(2))
        if container is None or not isinstance(container.get_value(), list):
            raise SAttributeError('{0}: Attribut does not exists "{1}"', item.path_name(), path)
        if not -len(container.get_value()) <= index < len(container.get_value()):
            raise SAttributeError('{0}: index out of range "{1}"', item.path_name(), path)
        item.patch("remove", path)


def parse_patch_operations(body: Any) -> list[Patch]:
    """Validate a request body, one operation or a list of them, into Patch objects.

    :raises StrictoError: an operation is not valid (stricto's message names the field).
    """
    operations = body if isinstance(body, list) else [body]
    patches = []
    for operation in operations:
        patch = Patch()
        patch.set(operation)
        patches.append(patch)
    return patches
