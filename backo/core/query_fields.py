"""The fields a list request names (to sort, project, filter or page on), looked up in the model.

A list request may name fields by dotted path (``name``, ``addr.city``, ``_meta.mtime``):
``_sort``, ``_fields``, ``_filter`` and the cursor of ``_after``. Each must be a field of
the collection's model that the current user may read; an unknown field and an
unreadable one are refused alike (no oracle: the answer does not tell which).

Paths walk Dict fields only, never into a Ref's target: naming a field never loads
another Item.

:func:`typed_value` turns a query-string value into the field's type (``"false"`` for a
Bool, ``"0123"`` kept as text for a String or a Ref, ``"10"`` a float for a Float), the
opt-in typed reading of query filters (see :mod:`backo.http.query`).

.. versionadded:: 0.3.0
"""

import datetime
from typing import Any

from stricto import Bool, Datetime, Dict, Float, Int, List, String

from backo.error import FilterError

from .collection import BaseCollection
from .filters import coerce_scalar
from .item import Item

#: The spellings of a Bool in a query string (compared in lower case).
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


def rights_probe(collection: BaseCollection) -> Item:
    """A new, empty Item of ``collection`` with its permissions on: what the user may read, field by field.

    Rights that are functions are evaluated on this empty Item: a right that depends on
    an Item's values refuses unless it grants an empty Item.
    """
    probe = collection.new_item()
    probe.enable_permissions()
    return probe


def field_at(model: Any, path: str) -> Any:
    """The field at the dotted ``path`` (``addr.city``; a leading ``$.`` is accepted) of ``model``, or None."""
    field = model
    for part in path.removeprefix("$.").split("."):
        if not isinstance(field, Dict) or part not in field._keys:
            return None
        field = field.__dict__[part]
    return field


def readable_field(probe: Item, path: str) -> Any:
    """The field at ``path`` if every step of it exists and is readable for the current user, else None.

    A right that raises counts as a refusal.
    """
    field: Any = probe
    for part in path.removeprefix("$.").split("."):
        if not part or not isinstance(field, Dict) or part not in field._keys:
            return None
        field = field.__dict__[part]
        try:
            if field.exists_or_can_read() is not True:
                return None
        except Exception:  # noqa: BLE001 - a right that fails refuses
            return None
    return field


def require_readable(probe: Item, path: str, parameter: str) -> Any:
    """:func:`readable_field`, refusing an unknown or unreadable field.

    :raises FilterError: 400 ``_sort: no readable field "x"`` (the same text for both cases).
    """
    field = readable_field(probe, path)
    if field is None:
        raise FilterError('{0}: no readable field "{1}" in collection "{2}"', parameter, path, _collection_name(probe))
    return field


def _collection_name(probe: Item) -> str | None:
    collection = probe._collection
    return None if collection is None else collection.name


def is_container(field: Any) -> bool:
    """Tell whether ``field`` holds a list or an object (it cannot be a sort key)."""
    return isinstance(field, (Dict, List))


def element_field(field: Any) -> Any:
    """The element field of a List (what ``$contains`` compares with), or ``field`` itself."""
    return field._type if isinstance(field, List) else field


def typed_value(field: Any, raw: Any, key: str) -> Any:
    """The query-string value ``raw`` read with the type of ``field`` (None: 0.2.1's coercion).

    String (and Ref): the text as it is; Bool: ``true``/``false`` (also ``1``/``0``,
    ``yes``/``no``, ``on``/``off``); Int: an integer (a decimal number is kept as a float,
    to compare); Float: a number; Datetime: an ISO 8601 date. Other fields, and values
    that are not text, get 0.2.1's coercion (:func:`~backo.core.filters.coerce_scalar`).

    :raises FilterError: the text is not of the field's type (400, naming the key).
    """
    if not isinstance(raw, str):
        return raw
    if isinstance(field, Bool):
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise FilterError('Query parameter "{0}": "{1}" is not a boolean (true or false)', key, raw)
    if isinstance(field, Int):
        value = coerce_scalar(raw)
        if isinstance(value, (int, float)):
            return value
        raise FilterError('Query parameter "{0}": "{1}" is not an integer', key, raw)
    if isinstance(field, Float):
        try:
            return float(raw)
        except ValueError:
            raise FilterError('Query parameter "{0}": "{1}" is not a number', key, raw) from None
    if isinstance(field, Datetime):
        return parse_datetime(raw, key)
    if isinstance(field, String):
        return raw
    return coerce_scalar(raw)


def parse_datetime(raw: str, key: str) -> datetime.datetime:
    """An ISO 8601 date or datetime. :raises FilterError: it is not one (400)."""
    try:
        return datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise FilterError('Query parameter "{0}": "{1}" is not an ISO 8601 date', key, raw) from None


def json_value_for(field: Any, value: Any) -> Any:
    """A value read from JSON (a ``_filter`` operand, a cursor) in the field's own type.

    Only Datetime fields need it: JSON carries their values as ISO 8601 text.
    """
    if isinstance(field, Datetime) and isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value
