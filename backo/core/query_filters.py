"""Filters a list request may carry besides 0.2.1's: typed query values and the ``_filter`` JSON.

**Typed query values** (:func:`typed_filter`): the query-string grammar of
:func:`~backo.core.filters.multidict_to_filter`, each value read with the type of the
field it names (:func:`~backo.core.query_fields.typed_value`): ``?sold_out=false``
matches a Bool, ``?author=0123`` a Ref or a String holding digits. Keys naming no field
keep 0.2.1's coercion. The output of ``multidict_to_filter`` itself never changes.

**The ``_filter`` JSON** (:func:`json_filter`) holds a filter with OR and NOT::

    {"name": "bob"}                                   equality (JSON types: no coercion)
    {"age": ["$gt", 25], "addr.city": "c0"}           operators, dotted keys
    {"age": ["$or", [["$lt", 20], ["$gt", 30]]]}      OR on one field
    {"name": ["$not", ["$reg", "^b"]]}                NOT on one field
    {"$or": [{"name": "bob"}, {"age": ["$gt", 30]}]}  OR across fields
    {"$not": {"addr.city": "c0"}}                     NOT across fields
    {"$and": [{...}, {...}]}                          AND (the default between keys)

Every field it names must be one the user may read (400 otherwise, the same answer for
an unknown field: no oracle). Conditions without ``$or`` go to the selection as a
stricto match filter; a filter using ``$or`` (stricto 0.2.7's ``$or`` matches
everything, on fields and between them) or a top-level ``$not`` is also a *row test*
(:meth:`JsonFilter.row_test`) applied to what the user reads of each item, with the
storage contract's matcher (:func:`backo.storage.db.query.matches`).

.. versionadded:: 0.3.0
"""

from dataclasses import dataclass
from typing import Any

from backo.error import FilterError
from backo.storage.db.query import MatchFilter, matches
from backo.storage.db.regex import RE2, compile_filter

from .filters import MultiDictLike, coerce_scalar, merge_filters, place_at_path, with_operator_synonyms
from .item import Item
from .query_fields import element_field, field_at, json_value_for, require_readable, typed_value

#: The operators a ``_filter`` condition may use on one field.
FIELD_OPERATORS = frozenset(
    {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$reg", "$re", "$contains", "$and", "$or", "$not"}
)
#: The keys of a ``_filter`` object that combine whole filters.
LOGIC_KEYS = frozenset({"$or", "$and", "$not"})
#: How deep a ``_filter`` may nest (objects, lists and operators).
MAX_JSON_FILTER_DEPTH = 32
#: The parameter name used in error messages.
FILTER_PARAMETER = "_filter"


# --- typed query values --------------------------------------------------------------


def _split_operator(key: str) -> tuple[str, str | None]:
    """``age.$gt`` -> (``age``, ``$gt``); ``age`` -> (``age``, None)."""
    head, dot, last = key.rpartition(".")
    if dot and last.startswith("$"):
        return head, last
    return key, None


def _typed(field: Any, operator: str | None, raw: Any, key: str) -> Any:
    """One value of ``key`` read with the type its operator compares it to."""
    if operator in ("$reg", "$re"):
        return raw
    if operator == "$contains":
        return typed_value(element_field(field), raw, key)
    return typed_value(field, raw, key)


def typed_filter(args: MultiDictLike, model: Any) -> dict:
    """:func:`~backo.core.filters.multidict_to_filter` with values read in their field's type.

    Same shapes (dotted keys nest, ``k=$gt&k=25`` is an operator, repeated keys a list),
    keys starting with ``_`` skipped.

    :raises FilterError: a value is not of its field's type (400).
    """
    result: dict = {}
    for key in args.keys():
        if key.startswith("_"):
            continue
        values = list(args.getlist(key))
        path, operator = _split_operator(key)
        field = field_at(model, path)
        if field is None:
            value: Any = [coerce_scalar(one) for one in values]
        else:
            if len(values) == 2 and isinstance(values[0], str) and values[0].startswith("$") and operator is None:
                value = (values[0], _typed(field, values[0], values[1], key))
                place_at_path(result, key, value)
                continue
            value = [_typed(field, operator, one, key) for one in values]
        if len(value) == 1:
            value = value[0]
        elif len(value) == 2 and isinstance(value[0], str) and value[0].startswith("$"):
            value = (value[0], value[1])
        place_at_path(result, key, value)
    return result


# --- the _filter JSON ----------------------------------------------------------------


@dataclass(frozen=True)
class JsonFilter:
    """A ``_filter`` once read: what the selection matches, and what rows are tested on."""

    #: the stricto match filter of the single-field conditions (``{}``: none)
    match: dict
    #: cross-field ``$or``/``$not`` as a storage match filter over the JSON rows, or None
    row_filter: MatchFilter

    def row_test(self, row: Any) -> bool:
        """Tell whether a JSON row (a dict, as the user reads it) passes the cross-field part."""
        return self.row_filter is None or (isinstance(row, dict) and matches(row, self.row_filter))


def _fail(message: str, *args: Any) -> FilterError:
    return FilterError("_filter: " + message, *args)


def _condition(field: Any, condition: Any, typed: bool, depth: int) -> Any:
    """One field's condition in stricto's form: ``["$op", v]`` lists become tuples.

    ``typed``: Datetime operands become datetimes (the selection matches Items); the row
    test keeps JSON's text.
    """
    if depth > MAX_JSON_FILTER_DEPTH:
        raise _fail("nested more than {0} levels", MAX_JSON_FILTER_DEPTH)
    if isinstance(condition, list) and len(condition) == 2 and isinstance(condition[0], str):
        operator = condition[0]
        if operator.startswith("$"):
            if operator not in FIELD_OPERATORS:
                raise _fail('unknown operator "{0}"', operator)
            return (operator, _operand(field, operator, condition[1], typed, depth + 1))
    if isinstance(condition, dict):
        raise _fail("an object is a condition on the fields of an object field: name them with dotted keys")
    if isinstance(condition, list):
        return [json_value_for(element_field(field), one) if typed else one for one in condition]
    return json_value_for(field, condition) if typed else condition


def _operand(field: Any, operator: str, operand: Any, typed: bool, depth: int) -> Any:
    if operator in ("$and", "$or"):
        if not isinstance(operand, list) or not operand:
            raise _fail('"{0}" needs a non-empty list of conditions', operator)
        return [_operator_condition(field, one, typed, depth) for one in operand]
    if operator == "$not":
        return _operator_condition(field, operand, typed, depth)
    if operator in ("$reg", "$re"):
        if not isinstance(operand, str):
            raise _fail('"{0}" needs a string', operator)
        return operand
    if operator == "$contains":
        return _condition(element_field(field), operand, typed, depth)
    if isinstance(operand, (dict, list)):
        raise _fail('"{0}" compares with a value, not {1}', operator, type(operand).__name__)
    return json_value_for(field, operand) if typed else operand


def _operator_condition(field: Any, condition: Any, typed: bool, depth: int) -> Any:
    converted = _condition(field, condition, typed, depth)
    if not (isinstance(converted, tuple) and len(converted) == 2):
        raise _fail('inside "$and", "$or" and "$not", each condition is ["$op", value], got {0}', condition)
    return converted


def _fields_filter(probe: Item, body: dict, typed: bool, depth: int) -> dict:
    """The single-field conditions of ``body`` (its non-``$`` keys) as a nested match filter."""
    result: dict = {}
    for key, condition in body.items():
        if key in LOGIC_KEYS:
            continue
        if not isinstance(key, str) or key.startswith("$"):
            raise _fail('unknown key "{0}": fields, "$or", "$and" or "$not"', key)
        field = require_readable(probe, key, FILTER_PARAMETER)
        place_at_path(result, key, _condition(field, condition, typed, depth + 1))
    return result


def _row_filter(probe: Item, body: dict, depth: int) -> Any:
    """``body`` as a storage match filter over JSON rows (``$or``/``$and``/``$not`` kept)."""
    if depth > MAX_JSON_FILTER_DEPTH:
        raise _fail("nested more than {0} levels", MAX_JSON_FILTER_DEPTH)
    if not isinstance(body, dict):
        raise _fail("a filter is a JSON object, got {0}", body)
    clauses: list[Any] = []
    fields = _fields_filter(probe, body, False, depth)
    if fields:
        clauses.append(fields)
    for key in ("$and", "$or"):
        if key in body:
            branches = body[key]
            if not isinstance(branches, list) or not branches:
                raise _fail('"{0}" needs a non-empty list of filters', key)
            clauses.append((key, [_row_filter(probe, one, depth + 1) for one in branches]))
    if "$not" in body:
        clauses.append(("$not", ("$and", [_row_filter(probe, body["$not"], depth + 1)])))
    if not clauses:
        return {}
    if len(clauses) == 1 and isinstance(clauses[0], dict):
        return clauses[0]
    return ("$and", clauses)


def _holds_or(value: Any) -> bool:
    """Tell whether a raw ``_filter`` part uses ``$or`` anywhere."""
    if isinstance(value, dict):
        return any(key == "$or" or _holds_or(child) for key, child in value.items())
    if isinstance(value, list):
        return any(child == "$or" or _holds_or(child) for child in value)
    return False


def json_filter(probe: Item, body: Any) -> JsonFilter:
    """Read a ``_filter`` (already JSON-decoded) for the collection ``probe`` belongs to.

    The selection gets the conditions stricto matches correctly; when the filter uses
    ``$or`` (stricto 0.2.7's matches everything) or a top-level ``$not``, the whole filter
    is also the row test.

    :raises FilterError: not an object, an unknown or unreadable field, an unknown
        operator, a malformed condition (400).
    """
    if not isinstance(body, dict):
        raise _fail("a filter is a JSON object, got {0}", body)
    row_filter = None
    if "$or" in body or "$not" in body or _holds_or(body):
        engine = getattr(probe._collection, "regex_engine", RE2)
        row_filter = compile_filter(with_operator_synonyms(_row_filter(probe, body, 0)), engine)
    pushed = {key: value for key, value in body.items() if key not in LOGIC_KEYS and not _holds_or(value)}
    match = _fields_filter(probe, pushed, True, 0)
    branches = body.get("$and")
    for one in branches if isinstance(branches, list) else []:
        if isinstance(one, dict) and not LOGIC_KEYS.intersection(one) and not _holds_or(one):
            match = merge_filters(match, _fields_filter(probe, one, True, 1))
    if row_filter is None:
        _row_filter(probe, body, 0)  # checks the $and branches
    return JsonFilter(with_operator_synonyms(match), row_filter)
