"""What stricto makes of values assigned to a plain model, computed on plain dicts.

Each function returns the *encoded* record (what ``get_encoded()`` of the Item would
give) or None when it cannot be sure, in which case the caller takes the Item path.
"""

from datetime import datetime
from typing import Any

from .specs import (
    CHILDREN,
    DATETIME,
    DEFAULT,
    KEY,
    KEY_SET,
    KIND,
    MODIFIABLE,
    RECORD,
    REFS,
    REQUIRED,
    SCALAR,
    TYPE,
    Spec,
)

_MISSING = object()


def _is_list_of_ids(value: Any) -> bool:
    return type(value) is list and all(type(one) is str for one in value)


def encode_record(specs: tuple[Spec, ...], key_set: frozenset, values: Any, validated: bool) -> dict | None:
    """The encoded value of a model Dict after stricto assigns ``values``, or None when unsure.

    This is what stricto does to a fresh copy of the model, for plain fields: keys
    absent from ``values`` keep the model's value (its default, or None); an explicit
    None stays None when the assignment is validated (``set``: its defaults are applied
    *before* the values) and takes the default when it is not (``set_value`` then
    ``set_default_value``); a required field left empty, or a value of any type but the
    field's own, is left to stricto (it may convert it, or refuse it).
    """
    if type(values) is not dict or not key_set.issuperset(values):
        return None
    out = {}
    for spec in specs:
        kind, key = spec[KIND], spec[KEY]
        value = values.get(key, _MISSING)
        if kind == SCALAR:
            if value is _MISSING or (value is None and not validated):
                value = spec[DEFAULT]
            elif value is not None and type(value) is not spec[TYPE]:
                return None
            if value is None and spec[REQUIRED]:
                return None
        elif kind == REFS:
            if value is _MISSING:
                value = []  # a RefsList's default
            elif _is_list_of_ids(value):
                value = list(value)
            else:
                return None  # None, or elements stricto would default or refuse
        elif kind == DATETIME:
            if value is _MISSING:
                value = None
            elif type(value) is str:
                try:
                    value = datetime.fromisoformat(value).isoformat()
                except ValueError:
                    return None
            elif value is not None:
                return None
            if value is None and spec[REQUIRED]:
                return None
        else:
            value = encode_record(spec[CHILDREN], spec[KEY_SET], {} if value is _MISSING else value, validated)
            if value is None:
                return None
        out[key] = value
    return out


def keeps_defaults_where_unmodifiable(specs: tuple[Spec, ...], values: dict) -> bool:
    """Tell whether a create body leaves every field the user may not modify at its default.

    ``values`` is a body :func:`encode_record` accepted. A field whose "modify" right is
    false, or a function (not evaluated here), may only be given its default: anything else
    is for the Item path to refuse (or, for a function that grants it, to create).
    """
    for spec in specs:
        value = values.get(spec[KEY], _MISSING)
        if value is _MISSING:
            continue
        if spec[KIND] == RECORD:
            if not keeps_defaults_where_unmodifiable(spec[CHILDREN], value):
                return False
        elif spec[MODIFIABLE] is not True and not _is_default(spec, value):
            return False
    return True


def _is_default(spec: Spec, value: Any) -> bool:
    """Tell whether ``value``, given for a scalar, datetime or RefsList, is what it holds by default."""
    if spec[KIND] == SCALAR:
        default = spec[DEFAULT]
        return value is None if default is None else (type(value) is type(default) and value == default)
    if spec[KIND] == REFS:
        return value == []
    return value is None  # a plain Datetime has no default


def _merged_datetime(current: str | None, new: Any) -> str | None | object:
    """A Datetime's encoded value after ``set_value(new)`` (``_MISSING`` when unsure)."""
    if new is None:
        return None
    if type(new) is not str:
        return _MISSING
    try:
        parsed = datetime.fromisoformat(new)
    except ValueError:
        return _MISSING
    if current is not None and datetime.fromisoformat(current) == parsed:
        return current  # stricto keeps the current value when the new one is equal
    return parsed.isoformat()


def merge_record(
    specs: tuple[Spec, ...], key_set: frozenset, current: dict, body: Any, enforce_rights: bool = True
) -> dict | None:
    """``current`` (an encoded record) after stricto's ``set(body)`` on the loaded Item, or None.

    ``enforce_rights`` False: as with the Item's permissions disabled (reference updates).
    """
    if type(body) is not dict or not key_set.issuperset(body):
        return None
    out = {}
    for spec in specs:
        kind, key = spec[KIND], spec[KEY]
        old = current[key]
        new = body.get(key, _MISSING)
        value: Any
        if kind == RECORD:
            if new is None:
                return None  # stricto refuses to set a Dict to None
            value = merge_record(spec[CHILDREN], spec[KEY_SET], old, {} if new is _MISSING else new, enforce_rights)
            if value is None:
                return None
        else:
            value = old
            if kind == SCALAR:
                if value is None:
                    value = spec[DEFAULT]  # set() applies defaults before the new values
                if new is not _MISSING and new != value:
                    if new is not None and type(new) is not spec[TYPE]:
                        return None
                    value = new
            elif kind == REFS:
                if new is not _MISSING and new != value:
                    if not _is_list_of_ids(new):
                        return None
                    value = list(new)
            elif new is not _MISSING:
                value = _merged_datetime(old, new)
                if value is _MISSING:
                    return None
            if (enforce_rights and value != old and not spec[MODIFIABLE]) or (value is None and spec[REQUIRED]):
                return None
        out[key] = value
    return out
