"""Compiling a model into plain field specs, or finding out that it is not plain.

A spec is a tuple (cheapest to unpack per request), one per field, in the model's
order; see the layout below. :func:`compile_children` raises :class:`NotPlain` at the first
field that is not plain.
"""

from typing import Any

from stricto import EVENT_MANAGER, Bool, Datetime, Dict, Float, Int, String

from ..references.ref import REF_HANDLERS, Ref
from ..references.refslist import REFSLIST_HANDLERS, RefsList
from ..references.strategies import FillStrategy
from ..stricto_support import model_children

#: stricto scalar classes and the one Python type their plain values have.
_SCALARS: dict[type, type] = {String: str, Int: int, Float: float, Bool: bool}

# Field specs, compiled once: tuples are the cheapest thing to unpack per request.
#   (SCALAR, key, python_type, default, required, modifiable)
#   (DATETIME, key, None, None, required, modifiable)
#   (RECORD, key, children_specs, key_set, False, modifiable)
#   (REFS, key, filled_by_refs, None, required, modifiable)       a RefsList
# A Ref is a SCALAR of type str. ``modifiable`` is the field's effective "modify" right
# (its own, else its parent's).
SCALAR, DATETIME, RECORD, REFS = 0, 1, 2, 3
KIND, KEY, TYPE, DEFAULT, REQUIRED, MODIFIABLE = range(6)
CHILDREN, KEY_SET = TYPE, DEFAULT

Spec = tuple


def _datetime_transform() -> Any:
    """The transform stricto gives every Datetime (it truncates microseconds)."""
    return Datetime()._transform


_DATETIME_TRANSFORM = _datetime_transform()


def _has_plain_options(field: Any) -> bool:
    """No option of ``field`` makes its value depend on anything but the stored one."""
    read_right = field._permissions._permissions.get("read")
    return (
        field._exists is True
        and read_right in (True, None)
        and not field._views
        and field._auto_set is None
        and field._on_change is None
        and field._union is None
        and not any(constraint is not None for constraint in field._constraints)
    )


class NotPlain(Exception):
    """Raised while compiling: some field of the model is not plain."""


def modify_right(field: Any, parent_modifiable: bool | None) -> bool | None:
    """The effective "modify" right of ``field``: a bool, or None when it is a function."""
    own = field._permissions._permissions.get("modify")
    if own is None:
        return parent_modifiable
    return own if isinstance(own, bool) else None


def _compile_field(key: str, field: Any, parent_modifiable: bool | None) -> Spec:
    """The spec of one field. :raises NotPlain: it is not plain."""
    if not _has_plain_options(field):
        raise NotPlain(key)
    modifiable = modify_right(field, parent_modifiable)
    field_type = type(field)
    if field_type is RefsList:
        if field._min is not None or field._max is not None or field._uniq or field._transform is not None:
            raise NotPlain(key)
        return (REFS, key, field.on_fill is FillStrategy.FILL, None, field._not_none is True, modifiable)
    if field_type in _SCALARS or field_type is Ref:
        python_type = str if field_type is Ref else _SCALARS[field_type]
        default = field._default
        if field._transform is not None or callable(default):
            raise NotPlain(key)
        if default is not None and type(default) is not python_type:
            raise NotPlain(key)
        if field_type in (String, Ref) and any(regexp is not None for regexp in field._regexps):
            raise NotPlain(key)
        if field_type in (Int, Float) and (field._min is not None or field._max is not None):
            raise NotPlain(key)
        return (SCALAR, key, python_type, default, field._not_none is True, modifiable)
    if field_type is Datetime:
        plain = (
            field._transform is _DATETIME_TRANSFORM
            and field._default is None
            and field._min is None
            and field._max is None
        )
        if not plain:
            raise NotPlain(key)
        return (DATETIME, key, None, None, field._not_none is True, modifiable)
    if field_type is Dict:
        if field._transform is not None or field._default is not None or field._not_none:
            raise NotPlain(key)
        children = compile_children(field, modifiable)
        return (RECORD, key, children, frozenset(field._keys), False, modifiable)
    raise NotPlain(key)


def compile_children(field: Dict, modifiable: bool | None) -> tuple[Spec, ...]:
    return tuple(_compile_field(key, field.__dict__[key], modifiable) for key in field._keys)


def all_rights_known(specs: tuple[Spec, ...]) -> bool:
    """No "modify" right in ``specs`` is a function (updates need the Item then)."""
    return all(
        spec[MODIFIABLE] is not None and (spec[KIND] != RECORD or all_rights_known(spec[CHILDREN])) for spec in specs
    )


def _known_handlers(field: Any) -> frozenset:
    """The handlers backo itself registers on ``field`` (reference synchronisation)."""
    if type(field) is Ref:
        return REF_HANDLERS
    if type(field) is RefsList:
        return REFSLIST_HANDLERS
    return frozenset()


def _only_known_handlers(registry: dict, field: Any, known: frozenset) -> bool:
    return all(handler in known for handlers in registry.get(field._event_id, {}).values() for handler in handlers)


def listens_to_nothing_but(model: Any, allowed_root_handlers: frozenset) -> bool:
    """No handler in ``model``'s tree but ``allowed_root_handlers`` on its root and backo's own
    reference synchronisation on its Refs and RefsLists (which never runs on a read)."""
    registry = getattr(EVENT_MANAGER, "_events_per_object", None)
    if not isinstance(registry, dict) or not _only_known_handlers(registry, model, allowed_root_handlers):
        return False
    stack = list(model_children(model))
    while stack:
        field = stack.pop()
        if not _only_known_handlers(registry, field, _known_handlers(field)):
            return False
        if type(field) is not RefsList:  # its element model is backo's own
            stack.extend(model_children(field))
    return True


def has_references(specs: tuple[Spec, ...], model: Dict) -> bool:
    """Tell whether the model holds a Ref or a RefsList (whose handlers run on create and save)."""
    return any(
        type(model.__dict__[spec[KEY]]) in (Ref, RefsList)
        or (spec[KIND] == RECORD and has_references(spec[CHILDREN], model.__dict__[spec[KEY]]))
        for spec in specs
    )
