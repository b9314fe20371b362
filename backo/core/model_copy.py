"""Copying a model into a new Item, faster than stricto's copy protocol, with the same result.

Every Item starts as a copy of its collection's model. stricto copies a ``Dict`` by
calling ``copy.copy`` on each of its attributes (about ten per field, each going
through the copy module's dispatch) and copies each field's permissions twice: about
0.3 ms for a dozen fields, most of the cost of building an Item for a script or a
selection. :func:`copy_model` builds the same tree directly:

* stricto's scalar fields (``GenericType.__copy__``) and ``Dict`` (``Dict.__copy__``)
  are copied here; any other class (``List``, ``File``, a user's own type) keeps its
  own ``__copy__``;
* attributes get what ``copy.copy`` would give them: the same object for immutable
  values and functions, a shallow copy for lists and dicts, ``copy.copy`` otherwise;
* every node gets a fresh event id, with its original's registrations copied (stricto's
  ``copy_object_id``), the state :func:`~backo.core.stricto_support.copy_with_own_events`
  produces from stricto's copy.

``tests/core/test_model_copy.py`` compares both copies node by node.
"""

import copy
import types
from typing import Any

from stricto import EVENT_MANAGER, Dict, GenericType, Permissions

#: Types ``copy.copy`` returns as they are (the copy module's own list, for what models hold).
_ATOMIC: frozenset[type] = frozenset(
    {
        type(None),
        bool,
        int,
        float,
        complex,
        str,
        bytes,
        tuple,
        frozenset,
        type,
        range,
        types.FunctionType,
        types.BuiltinFunctionType,
    }
)

#: A node's attributes, read without stricto's ``Dict.__getattribute__``.
_attributes_of = object.__getattribute__

#: Attributes a Dict copy does not take from its original.
_NOT_COPIED = frozenset({"_locked", "_parent", "_attribute_name", "_event_id", "_permissions"})


def _copy_value(value: Any) -> Any:
    """What ``copy.copy(value)`` gives, without the copy module's dispatch for common types."""
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if kind is list or kind is dict:
        return value.copy()
    if isinstance(value, GenericType):
        return copy_model(value)
    return copy.copy(value)


def _copy_permissions(permissions: Permissions) -> Permissions:
    """``Permissions.__copy__``: same switch, each right copied."""
    twin = Permissions.__new__(Permissions)
    twin._enabled = permissions._enabled
    twin._permissions = {name: _copy_value(right) for name, right in permissions._permissions.items()}
    return twin


def _copy_node(original: GenericType) -> GenericType:
    """``GenericType.__copy__``: the same attributes, its own permissions and event id."""
    cls: Any = type(original)  # a stricto class: untyped, so mypy sees type[Any]
    twin = cls.__new__(cls)
    source = _attributes_of(original, "__dict__")
    attributes = _attributes_of(twin, "__dict__")
    attributes.update(source)
    attributes["_permissions"] = _copy_permissions(source["_permissions"])
    event_id = EVENT_MANAGER.generate_uniq_id()
    attributes["_event_id"] = event_id
    EVENT_MANAGER.copy_object_id(source["_event_id"], event_id)
    return twin


def _copy_dict(original: Dict) -> Dict:
    """``Dict.__copy__``: every attribute copied, fields copied and attached to the copy."""
    twin = _copy_node(original)
    attributes = _attributes_of(twin, "__dict__")
    for name, value in _attributes_of(original, "__dict__").items():
        if name not in _NOT_COPIED:
            attributes[name] = _copy_value(value)
    for key in attributes["_keys"]:
        child = _attributes_of(attributes[key], "__dict__")
        child["_parent"] = twin
        child["_attribute_name"] = key
    attributes["_locked"] = True
    return twin


def copy_model(original: Any) -> Any:
    """A copy of a stricto field tree, as ``copy.copy`` gives it (fresh event ids included)."""
    protocol = type(original).__copy__
    if protocol is GenericType.__copy__:
        return _copy_node(original)
    if protocol is Dict.__copy__:
        return _copy_dict(original)
    return copy.copy(original)


def copy_item(original: Dict) -> Dict:
    """An Item's ``__copy__``: :func:`_copy_dict` on the Item itself, whatever its class."""
    return _copy_dict(original)
