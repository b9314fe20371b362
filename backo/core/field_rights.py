"""Field rights that stricto does not enforce by itself, checked when an Item is written.

stricto checks ``can_modify`` when a scalar field is assigned while permissions are on.
It does not check a ``List`` replaced as a whole, nor a field the user cannot read, nor
the values a create assigns with permissions off (0.2.1 created Items that way). These
functions close those gaps for :class:`~backo.core.item.Item`'s ``create`` and ``save``;
each raises ``SRightError("$.<field>: cannot modify value")``, the message a refused
assignment gives (HTTP 403).
"""

from typing import Any

from stricto import Dict, List, SRightError

from .references.refslist import RefsList


def refuse_forbidden_list_changes(field: Any, stored: Any) -> None:
    """Raise SRightError if a List the user may not modify differs from its stored value.

    stricto checks ``can_modify`` on scalar fields when they are assigned, but not on a
    List replaced as a whole: without this check a PUT could change a read-only list
    (``roles``, say). Only a change is refused: an unset list (key absent, or ``null``)
    and ``[]`` are the same list (stricto loads ``null`` as ``[]``), and a key absent from
    the stored document stands for the field's default as well.
    """
    if not isinstance(field, Dict):
        return
    if not isinstance(stored, dict):
        stored = {}
    for key in field._keys:
        child = field.__dict__[key]
        if isinstance(child, List) and child.exists_or_can_read() and child.can_modify() is False:
            if _list_changed(child, stored, key):
                raise SRightError("{0}: cannot modify value", child.path_name())
        if isinstance(child, Dict):
            refuse_forbidden_list_changes(child, stored.get(key))


def refuse_given_values(field: Dict, given: dict) -> None:
    """Raise SRightError for the first field of ``given`` the user may not modify and whose
    value (once assigned) is not its default; sub-dicts are checked field by field.

    Values that are not kept are not checked, as a save does not: computed fields
    (``set=``) and fields that do not exist. Lists count as a whole (a save does not check
    the rights of their elements' fields); None given to a sub-Dict (a File: empty) sets nothing.
    """
    for key, value in given.items():
        if key not in field._keys:
            continue
        child = field.__dict__[key]
        if callable(child._auto_set) or child.exists(None) is False:
            continue
        if isinstance(child, Dict):
            if isinstance(value, dict):
                refuse_given_values(child, value)
                continue
            if value is None:
                continue
        if child.can_modify() is False and not _holds_its_default(child):
            raise SRightError("{0}: cannot modify value", child.path_name())


def hidden_and_read_only(field: Dict, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The paths of the fields under ``field`` that exist, that the user cannot read and
    may not modify (RefsLists aside: see :meth:`backo.core.item.Item._refuse_hidden_changes`)."""
    found = []
    for key in field._keys:
        child = field.__dict__[key]
        if child.exists(None) is False or isinstance(child, RefsList):
            continue
        if child.can_read() is False and child.can_modify() is False:
            found.append((*path, key))
        elif isinstance(child, Dict):
            found.extend(hidden_and_read_only(child, (*path, key)))
    return found


def field_at(field: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        field = field.__dict__[key]
    return field


def _holds_its_default(field: Any) -> bool:
    """Tell whether ``field`` holds its default (a function's is evaluated on the root, as stricto does)."""
    default = field._default
    if callable(default):
        default = default(field.get_root())
    value = field.get_value()
    if isinstance(field, List):
        return _as_list(value) == _as_list(default)
    return bool(value == default)


def _as_list(value: Any) -> Any:
    """A List's encoded value with None (never set) read as ``[]``."""
    return [] if value is None else value


def _list_changed(child: List, stored: dict, key: str) -> bool:
    """Tell whether the List ``child`` holds something else than ``stored[key]``."""
    current = _as_list(child.get_encoded())
    if key in stored:
        return current != _as_list(stored[key])
    default = child._default
    if callable(default):
        return False  # what the stored document stands for is unknown: not seen as a change
    return current != _as_list(default)  # an absent key loads as the default
