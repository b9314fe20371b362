"""Compiling a model into plain field specs, or finding out that it is not plain.

A spec is a tuple (cheapest to unpack per request), one per field, in the model's
order; see the layout below. :func:`compile_children` raises :class:`NotPlain` at the first
field that is not plain.

The fast path *fails closed*: :data:`PLAIN_ATTRIBUTES` whitelists the field types it
handles and, for each, every attribute a stricto field of that type carries, with the
values the fast path honours. A field of another type, an attribute the table does not
name (an option of a newer stricto, an attribute set by hand), a named attribute that is
missing (an older stricto), or a value the table does not accept makes the model not
plain, and the request takes the Item way. ``on=`` handlers are not attributes: they are
checked in stricto's event registry (:func:`listens_to_nothing_but`).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from stricto import EVENT_MANAGER, Bool, Datetime, Dict, Float, Int, String
from stricto.permissions import Permissions

from ..references.ref import REF_HANDLERS, Ref
from ..references.refslist import REFSLIST_HANDLERS, RefsList
from ..references.strategies import DeleteStrategy, FillStrategy
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

# --- the whitelist ----------------------------------------------------------------------

#: A test of one attribute's value: True when the fast path honours it.
Check = Callable[[Any], bool]


class Attribute(NamedTuple):
    """One attribute a plain field may carry.

    ``keywords``: the constructor keywords that set it (empty: state stricto keeps, not an
    option); ``accepts``: whether the fast path honours a value. The equivalence tests
    (``tests/core/test_plain_model.py``) draw every keyword named here.
    """

    keywords: tuple[str, ...]
    accepts: Check


def _refused(value_test: Check) -> Attribute:
    """An option the fast path does not honour: only its default value (``value_test``)
    is plain, and no keyword gives that value but leaving the option out."""
    return Attribute((), value_test)


def _anything(value: Any) -> bool:
    return True


def _is_none(value: Any) -> bool:
    return value is None


def _is_true(value: Any) -> bool:
    return value is True


def _is_bool(value: Any) -> bool:
    return type(value) is bool


def _is_text(value: Any) -> bool:
    return type(value) is str


def _is_text_or_none(value: Any) -> bool:
    return value is None or type(value) is str


def _is_empty_list(value: Any) -> bool:
    return type(value) is list and not value


def _holds_nothing(value: Any) -> bool:
    """A list of checks (``constraint=``, ``regexp=``) in which none is set."""
    return type(value) is list and all(one is None for one in value)


def _is_key_list(value: Any) -> bool:
    return type(value) is list and all(type(key) is str for key in value)


def _default_of(python_type: type) -> Check:
    """No default, or a constant of exactly ``python_type`` (a function, or a value stricto
    would convert, needs the Item)."""
    return lambda value: value is None or type(value) is python_type


def _plain_rights(value: Any) -> bool:
    """Rights the fast path honours: reading always allowed, modifying a bool, unset, or a
    function (evaluated by the Item path: see :func:`all_rights_known`)."""
    if type(value) is not Permissions:
        return False
    rights = getattr(value, "_permissions", None)
    if not isinstance(rights, dict) or not set(rights) <= {"read", "modify"}:
        return False
    modify = rights.get("modify")
    return rights.get("read") in (True, None) and (modify is None or isinstance(modify, bool) or callable(modify))


_STATE = Attribute((), _anything)

#: What every stricto field carries (``GenericType.__init__``).
_GENERIC: dict[str, Attribute] = {
    # state, not options
    "_parent": _STATE,
    "_attribute_name": _STATE,
    "_json_path_separator": _STATE,
    "_updating_process": _STATE,
    "_value": _STATE,
    "_old_value": _STATE,
    "_event_id": _STATE,  # its handlers: see listens_to_nothing_but
    # options
    "_description": Attribute(("description",), _is_text_or_none),  # documentation only
    "_exists": Attribute(("exists",), _is_true),
    "_views": Attribute(("views",), _is_empty_list),
    "_not_none": Attribute(("required",), _is_bool),
    "_union": _refused(_is_none),  # union= / in= / enum=
    "_constraints": Attribute(("constraint",), _holds_nothing),
    "_transform": _refused(_is_none),  # transform=
    "_on_change": _refused(_is_none),  # onchange=
    "_auto_set": _refused(_is_none),  # set= / compute=
    "_default": _refused(_is_none),  # default=: see the scalars
    "_permissions": Attribute(("can_read", "can_modify"), _plain_rights),
}

_NO_BOUNDS: dict[str, Attribute] = {"_min": _refused(_is_none), "_max": _refused(_is_none)}  # min= / max=
_NO_REGEXP: dict[str, Attribute] = {"_regexps": Attribute(("regexp",), _holds_nothing)}
_DICT: dict[str, Attribute] = {
    **_GENERIC,
    "_keys": Attribute((), _is_key_list),  # the children, compiled one by one
    "_locked": _STATE,
    "_not_none": Attribute(("required",), lambda value: value is False),
}
#: The reference fields' own options: which collection and field they point at (read by
#: the reference synchronisation, which needs the Item: see :func:`has_references`).
_TARGET: dict[str, Attribute] = {
    "target_name": Attribute(("coll",), _is_text),
    "reverse": Attribute(("field",), _is_text_or_none),
}


def _is_backo_element(value: Any) -> bool:
    """A RefsList's element model: the plain String of ids backo gives every RefsList."""
    return type(value) is String and _unplain_attribute(value, PLAIN_ATTRIBUTES[String]) is None


#: The field types the fast path handles, and every attribute each carries, with the
#: values the fast path honours. Anything else: not plain.
PLAIN_ATTRIBUTES: dict[type, dict[str, Attribute]] = {
    String: {**_GENERIC, **_NO_REGEXP, "_default": Attribute(("default",), _default_of(str))},
    Int: {**_GENERIC, **_NO_BOUNDS, "_default": Attribute(("default",), _default_of(int))},
    Float: {**_GENERIC, **_NO_BOUNDS, "_default": Attribute(("default",), _default_of(float))},
    Bool: {**_GENERIC, "_default": Attribute(("default",), _default_of(bool))},
    Datetime: {
        **_GENERIC,
        **_NO_BOUNDS,
        "_type": Attribute((), lambda value: value is datetime),
        "_transform": Attribute(("transform",), lambda value: value is _DATETIME_TRANSFORM),
    },
    Dict: _DICT,
    # the default is backo's (an id placeholder when required, see Ref)
    Ref: {**_GENERIC, **_NO_REGEXP, **_TARGET, "_default": _refused(_default_of(str))},
    RefsList: {
        **_GENERIC,
        **_NO_BOUNDS,
        **_TARGET,
        "_type": Attribute((), _is_backo_element),
        "_uniq": Attribute(("uniq",), lambda value: value is False),
        "_require": Attribute(("required",), _is_bool),  # read by the OpenAPI schema only
        "_default": _refused(lambda value: value == []),  # backo's: an empty list
        "on_delete": Attribute(("on_delete",), lambda value: isinstance(value, DeleteStrategy)),  # deletes: Items
        "on_fill": Attribute(("on_fill",), lambda value: isinstance(value, FillStrategy)),  # honoured by relink
    },
}


def honoured_keywords(field_type: type) -> frozenset[str]:
    """The constructor keywords of ``field_type`` the fast path honours (with the values
    :data:`PLAIN_ATTRIBUTES` accepts): the equivalence tests draw each of them."""
    return frozenset(keyword for attribute in PLAIN_ATTRIBUTES[field_type].values() for keyword in attribute.keywords)


#: The root of a model: a Dict, and an Item's bookkeeping (its metadata handler is
#: checked by :meth:`PlainModel.compile`).
ROOT_ATTRIBUTES: dict[str, Attribute] = {**_DICT, "_state": _STATE}


def _unplain_attribute(field: Any, allowed: dict[str, Attribute]) -> str | None:
    """The first attribute of ``field`` that keeps it from being plain, or None.

    An attribute ``allowed`` does not name, one it names that ``field`` lacks (a stricto
    whose fields differ), or a value it does not accept. A Dict's children are compiled
    on their own.
    """
    own = vars(field)
    children = own.get("_keys", ()) if isinstance(field, Dict) else ()
    for name in own:
        if name not in allowed and name not in children:
            return name
    for name, attribute in allowed.items():
        if name not in own or not attribute.accepts(own[name]):
            return name
    return None


def root_is_plain(model: Any) -> bool:
    """Tell whether the root of ``model`` (a Dict or an Item) carries nothing but plain options."""
    allowed = ROOT_ATTRIBUTES if "_state" in vars(model) else _DICT
    return _unplain_attribute(model, allowed) is None


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
    field_type = type(field)
    allowed = PLAIN_ATTRIBUTES.get(field_type)
    if allowed is None or _unplain_attribute(field, allowed) is not None:
        raise NotPlain(key)
    modifiable = modify_right(field, parent_modifiable)
    required = field._not_none is True
    if field_type is RefsList:
        return (REFS, key, field.on_fill is FillStrategy.FILL, None, required, modifiable)
    if field_type is Datetime:
        return (DATETIME, key, None, None, required, modifiable)
    if field_type is Dict:
        children = compile_children(field, modifiable)
        return (RECORD, key, children, frozenset(field._keys), False, modifiable)
    python_type = str if field_type is Ref else _SCALARS[field_type]
    return (SCALAR, key, python_type, field._default, required, modifiable)


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
