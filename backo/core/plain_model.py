"""A fast path for models whose Items are exactly their stored documents.

Building an Item for a request costs a stricto copy of the model and a validation pass
that visits every field several times, evaluating its rights on the way: about a
millisecond for a dozen fields, ten times what Flask itself costs. Most back-office
models are *plain*: strings, numbers, booleans, datetimes and sub-dicts, with no
computed value, transform, event, view, per-field read right or constraint. For such a
model the Item a route would build says nothing the stored document does not say, so a
route can answer from the document itself.

:class:`PlainModel` is that shortcut, with one rule: it answers only when it is certain
to produce exactly what the Item path produces, and returns None otherwise, so that
the caller takes the Item path (and raises the Item path's error). Anything unusual,
a value of an unexpected type, an unknown key, a required value missing, sends the
request the slow, exact way. ``tests/core/test_plain_model.py`` checks that both paths
agree on random models and documents.

A model is compiled once, when first used by a collection (see
:meth:`BaseCollection.plain_model`); :meth:`BaseCollection.define_view` forgets it.
"""

import inspect
import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from stricto import EVENT_MANAGER, Bool, Datetime, Dict, Float, Int, String

from .metadata import StandardMetaDataHandler
from .stricto_support import model_children

#: stricto scalar classes and the one Python type their plain values have.
_SCALARS: dict[type, type] = {String: str, Int: int, Float: float, Bool: bool}

# Field specs, compiled once: tuples are the cheapest thing to unpack per request.
#   (_SCALAR, key, python_type, default, required, modifiable)
#   (_DATETIME, key, None, None, required, modifiable)
#   (_RECORD, key, children_specs, key_set, False, modifiable)
# ``modifiable`` is the field's effective "modify" right (its own, else its parent's).
_SCALAR, _DATETIME, _RECORD = 0, 1, 2
_KIND, _KEY, _TYPE, _DEFAULT, _REQUIRED, _MODIFIABLE = range(6)
_CHILDREN, _KEY_SET = _TYPE, _DEFAULT

_Spec = tuple


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


class _NotPlain(Exception):
    """Raised while compiling: some field of the model is not plain."""


def _modify_right(field: Any, parent_modifiable: bool | None) -> bool | None:
    """The effective "modify" right of ``field``: a bool, or None when it is a function."""
    own = field._permissions._permissions.get("modify")
    if own is None:
        return parent_modifiable
    return own if isinstance(own, bool) else None


def _compile_field(key: str, field: Any, parent_modifiable: bool | None) -> _Spec:
    """The spec of one field. :raises _NotPlain: it is not plain."""
    if not _has_plain_options(field):
        raise _NotPlain(key)
    modifiable = _modify_right(field, parent_modifiable)
    field_type = type(field)
    if field_type in _SCALARS:
        python_type = _SCALARS[field_type]
        default = field._default
        if field._transform is not None or callable(default):
            raise _NotPlain(key)
        if default is not None and type(default) is not python_type:
            raise _NotPlain(key)
        if field_type is String and any(regexp is not None for regexp in field._regexps):
            raise _NotPlain(key)
        if field_type in (Int, Float) and (field._min is not None or field._max is not None):
            raise _NotPlain(key)
        return (_SCALAR, key, python_type, default, field._not_none is True, modifiable)
    if field_type is Datetime:
        plain = (
            field._transform is _DATETIME_TRANSFORM
            and field._default is None
            and field._min is None
            and field._max is None
        )
        if not plain:
            raise _NotPlain(key)
        return (_DATETIME, key, None, None, field._not_none is True, modifiable)
    if field_type is Dict:
        if field._transform is not None or field._default is not None or field._not_none:
            raise _NotPlain(key)
        children = _compile_children(field, modifiable)
        return (_RECORD, key, children, frozenset(field._keys), False, modifiable)
    raise _NotPlain(key)


def _compile_children(field: Dict, modifiable: bool | None) -> tuple[_Spec, ...]:
    return tuple(_compile_field(key, field.__dict__[key], modifiable) for key in field._keys)


def _all_rights_known(specs: tuple[_Spec, ...]) -> bool:
    """No "modify" right in ``specs`` is a function (updates need the Item then)."""
    return all(
        spec[_MODIFIABLE] is not None and (spec[_KIND] != _RECORD or _all_rights_known(spec[_CHILDREN]))
        for spec in specs
    )


def _listens_to_nothing_but(model: Any, allowed_root_handlers: set[Any]) -> bool:
    """No handler in ``model``'s tree other than ``allowed_root_handlers`` on its root."""
    registry = getattr(EVENT_MANAGER, "_events_per_object", None)
    if not isinstance(registry, dict):
        return False
    for handlers in registry.get(model._event_id, {}).values():
        if any(handler not in allowed_root_handlers for handler in handlers):
            return False
    stack = list(model_children(model))
    while stack:
        field = stack.pop()
        if registry.get(field._event_id):
            return False
        stack.extend(model_children(field))
    return True


_MISSING = object()


def _encode_record(specs: tuple[_Spec, ...], key_set: frozenset, values: Any, validated: bool) -> dict | None:
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
        kind, key = spec[0], spec[1]
        value = values.get(key, _MISSING)
        if kind == _SCALAR:
            if value is _MISSING or (value is None and not validated):
                value = spec[3]
            elif value is not None and type(value) is not spec[2]:
                return None
            if value is None and spec[4]:
                return None
        elif kind == _DATETIME:
            if value is _MISSING:
                value = None
            elif type(value) is str:
                try:
                    value = datetime.fromisoformat(value).isoformat()
                except ValueError:
                    return None
            elif value is not None:
                return None
            if value is None and spec[4]:
                return None
        else:
            value = _encode_record(spec[2], spec[3], {} if value is _MISSING else value, validated)
            if value is None:
                return None
        out[key] = value
    return out


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


def _merge_record(specs: tuple[_Spec, ...], key_set: frozenset, current: dict, body: Any) -> dict | None:
    """``current`` (an encoded record) after stricto's ``set(body)`` on the loaded Item, or None."""
    if type(body) is not dict or not key_set.issuperset(body):
        return None
    out = {}
    for spec in specs:
        kind, key = spec[_KIND], spec[_KEY]
        old = current[key]
        new = body.get(key, _MISSING)
        if kind == _RECORD:
            if new is None:
                return None  # stricto refuses to set a Dict to None
            value = _merge_record(spec[_CHILDREN], spec[_KEY_SET], old, {} if new is _MISSING else new)
            if value is None:
                return None
        else:
            value = old
            if kind == _SCALAR:
                if value is None:
                    value = spec[_DEFAULT]  # set() applies defaults before the new values
                if new is not _MISSING and new != value:
                    if new is not None and type(new) is not spec[_TYPE]:
                        return None
                    value = new
            elif new is not _MISSING:
                value = _merged_datetime(old, new)
                if value is _MISSING:
                    return None
            if (value != old and not spec[_MODIFIABLE]) or (value is None and spec[_REQUIRED]):
                return None
        out[key] = value
    return out


#: The scalar operators whose stricto semantics are a plain comparison (an error: no match).
_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "$eq": operator.eq,
    "$ne": operator.ne,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}

_RecordTest = Callable[[dict], bool]


def _never(record: dict) -> bool:
    return False


def _regex_test(pattern: Any) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        try:
            return re.match(pattern, value) is not None
        except Exception:  # noqa: BLE001 - stricto answers "no match" to any failure
            return False

    return test


def _comparison_test(compare: Callable[[Any, Any], Any], operand: Any) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        try:
            return compare(value, operand) is True
        except Exception:  # noqa: BLE001 - stricto answers "no match" to any failure
            return False

    return test


def _scalar_test(spec: _Spec, condition: Any) -> Callable[[Any], bool] | None:
    """stricto's ``field.match(condition)`` for a plain scalar, as a test of its value."""
    if not isinstance(condition, tuple):
        return lambda value: (value == condition) is True
    if len(condition) != 2 or not isinstance(condition[0], str) or not condition[0].startswith("$"):
        return None
    name, operand = condition
    if name in _COMPARISONS:
        return _comparison_test(_COMPARISONS[name], operand)
    if name == "$reg" and spec[2] is str:
        return _regex_test(operand)
    return None


def _record_test(specs: tuple[_Spec, ...], match_filter: Any) -> _RecordTest | None:
    """stricto's ``Dict.match(match_filter)`` as a test of encoded records; None if undecided."""
    if match_filter is None or (not isinstance(match_filter, dict) and not isinstance(match_filter, tuple)):
        return _never
    if isinstance(match_filter, tuple):
        return None
    by_key = {spec[1]: spec for spec in specs}
    tests: list[tuple[str, Callable[[Any], bool]]] = []
    for key, condition in match_filter.items():
        spec = by_key.get(key)
        if spec is None:
            return _never
        if spec[0] == _SCALAR:
            test = _scalar_test(spec, condition)
        elif spec[0] == _RECORD:
            test = _record_test(spec[2], condition)
        else:
            test = None
        if test is None:
            return None
        tests.append((key, test))

    def record_matches(record: dict) -> bool:
        return all(test(record[key]) for key, test in tests)

    return record_matches


class PlainModel:
    """The compiled form of a plain model: reads and creates without building Items.

    Example::

        plain = PlainModel.compile(collection.model)
        if plain is not None:
            body = plain.read(collection.db_handler.get_by_id(_id))  # None: take the Item path
    """

    __slots__ = ("_specs", "_keys", "_body_specs", "_body_keys", "_meta_stamp", "_updatable")

    def __init__(self, specs: tuple[_Spec, ...], meta_stamp: bool) -> None:
        self._specs = specs
        self._keys = frozenset(spec[1] for spec in specs)
        self._body_specs = tuple(spec for spec in specs if spec[1] not in ("_id", "_meta"))
        self._body_keys = frozenset(spec[1] for spec in self._body_specs)
        self._meta_stamp = meta_stamp
        self._updatable = _all_rights_known(specs)

    @classmethod
    def compile(cls, model: Any, allowed_root_handlers: set[Any] = frozenset()) -> "PlainModel | None":
        """The plain form of ``model`` (an Item), or None if some field is not plain.

        ``allowed_root_handlers`` are event handlers of the root known not to change
        values (backo's own status bookkeeping).
        """
        if not isinstance(model, Dict) or model._transform is not None or model._views:
            return None
        if not _listens_to_nothing_but(model, allowed_root_handlers):
            return None
        handler = model.__dict__.get("_state").meta_data_handler if "_state" in model.__dict__ else None
        if handler is not None and type(handler) is not StandardMetaDataHandler:
            return None
        try:
            specs = _compile_children(model, _modify_right(model, True))
        except _NotPlain:
            return None
        return cls(specs, meta_stamp=handler is not None)

    def read(self, document: dict, validated: bool = True) -> dict | None:
        """What the Item holding the stored ``document`` shows a client, or None when unsure.

        With ``validated`` the result is what ``Item.load`` followed by JSON encoding
        gives; without, what a selection's Item gives (it skips stricto's validation,
        see :meth:`BaseCollection.item_from_document`): stored values, defaults for
        missing ones, datetimes as stricto writes them back.
        """
        if "_id" in document and type(document["_id"]) is not str:
            return None
        return _encode_record(self._specs, self._keys, document, validated)

    def new_document(self, body: Any, meta: dict | None) -> dict | None:
        """The document ``Item.create(body)`` would store, ``_id`` still None; None when unsure.

        ``body`` has no ``_id`` nor ``_meta`` any more; ``meta`` is the stamp to store
        (see :meth:`StandardMetaDataHandler.creation_stamp`), None for a model without
        metadata.
        """
        if (meta is None) is self._meta_stamp:
            return None
        record = _encode_record(self._body_specs, self._body_keys, body, validated=True)
        if record is None:
            return None
        document = {}
        for spec in self._specs:
            key = spec[1]
            if key == "_id":
                document[key] = None
            elif key == "_meta":
                document[key] = meta
            else:
                document[key] = record[key]
        return document

    def update(self, stored: dict, body: Any) -> dict | None:
        """What ``PUT`` stores for ``body`` over the ``stored`` document, ``_meta`` not yet stamped.

        That is ``Item.load`` then ``Item.set(body)``: a partial, deep merge in which
        defaults first fill the empty fields, a value equal to the current one keeps the
        current one, and a field the user may not modify must not change. None when
        unsure, or when the Item path would refuse (it then raises the error).
        """
        if not self._updatable:
            return None
        current = self.read(stored)
        if current is None:
            return None
        return _merge_record(self._specs, self._keys, current, body)

    def matcher(self, match_filter: Any) -> _RecordTest | None:
        """``Item.match(match_filter)`` as a test of what :meth:`read` returns; None if it needs Items.

        Decided here: dicts of conditions on plain fields, values compared for equality,
        ``$eq``, ``$ne``, ``$gt``, ``$gte``, ``$lt``, ``$lte`` and, on strings, ``$reg``.
        Anything else (``$and``, ``$or``, ``$not``, datetimes...) is left to stricto.
        """
        return _record_test(self._specs, match_filter)

    @property
    def stamps_meta(self) -> bool:
        """Tell whether documents of this model carry the standard ``_meta``."""
        return self._meta_stamp


def derives_ids_from_items(db_handler: Any) -> bool:
    """Tell whether ``db_handler.generate_id`` may look at the Item (a connector outside backo).

    backo's own connectors draw ids without looking at the Item, so a new document can
    be created without one.
    """
    module = inspect.getmodule(type(db_handler).generate_id)
    return module is None or not module.__name__.startswith("backo.")
