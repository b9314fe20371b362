"""Which filters mean the same on stored documents as stricto's ``match`` on the Items.

A selection matches each Item it reads with stricto's ``Item.match``; a store that is given
a filter evaluates it on the stored documents with the storage contract's
:func:`backo.storage.db.query.matches`. The two agree only where the stored JSON value of
every field a filter names is exactly what stricto compares, and where both evaluate the
condition the same way. :func:`pushable` tells, for a plain model (see :mod:`.specs`),
whether a filter is such a filter; the core then lets the store answer it (see
:meth:`DBConnector.answers_exactly`), and otherwise matches in Python as 0.2.1 did.

It *fails closed*: anything it is not certain of is not pushable. What it accepts:

* a dict of conditions on fields of the model, or ``("$and", [dict, ...])`` of such dicts;
* on a String, Ref, Int, Float or Bool field **without a default**: an equality with a
  str, int, float or bool; ``$eq``, ``$ne``, ``$gt``, ``$gte``, ``$lt``, ``$lte`` with a
  str, int, float, bool or None; ``$reg`` with a compiled pattern (String and Ref only:
  the collection's engine, see :mod:`backo.core.regex_filters`); ``$and`` and ``$not``
  of those;
* on a sub-Dict: a non-empty dict of such conditions on its fields;
* on a RefsList: ``("$contains", c)``, ``c`` a condition as above on its str elements.

And each condition on a scalar must **not match None**. stricto sees a field missing from
the stored document as None, while ``matches`` answers "no match" for a missing key: the
two agree only for conditions None fails (``("$ne", "x")`` and ``{"a": None}`` do not
pass; ``("$not", ("$eq", None))`` does). A RefsList missing or None is stricto's empty
list, which no ``$contains`` matches.

Not pushable, and why:

* a field with a default: stricto shows the default where the document stores nothing
  or None, the store sees nothing or None;
* Datetime fields: stricto compares datetimes, the store the ISO strings it keeps;
* ``$or``: stricto's ``$or`` answers True whatever its conditions (unless it raises),
  ``matches`` answers any();
* ``$re``: stricto knows no such operator (no match), ``matches`` runs it as ``$reg``;
* ``$contains`` on a scalar, ``$reg`` on a number or bool, an operand that is a list, a
  dict or a str pattern not yet compiled, an empty sub-dict, an unknown field: the two
  differ on some stored value (a list kept in a String field, a str in an Int field).

Views, rights, transforms, computed values and events make a model not plain (see
:mod:`.specs`): it is never pushed down then, nor when the collection's read right is a
function (it is evaluated on each Item).
"""

from typing import Any

from backo.storage.db.query import COMPARISONS, is_operator, matches
from backo.storage.db.regex import CompiledRegex

from .specs import CHILDREN, DEFAULT, KEY, KIND, RECORD, REFS, SCALAR, TYPE, Spec

#: Values an equality may compare with (a None equality matches None: never pushable).
_EQUALITY_OPERANDS = (str, int, float, bool)
#: Operand types of the comparisons.
_COMPARISON_OPERANDS = (str, int, float, bool, type(None))


def pushable(specs: tuple[Spec, ...], match_filter: Any) -> bool:
    """Whether ``match_filter`` selects the same documents under ``query.matches`` on the
    stored documents as stricto's ``Item.match`` on the Items of the model of ``specs``."""
    if isinstance(match_filter, dict):
        return _fields_pushable(specs, match_filter)
    if is_operator(match_filter) and match_filter[0] == "$and":
        conditions = match_filter[1]
        return (
            isinstance(conditions, list)
            and bool(conditions)
            and all(isinstance(sub, dict) and _fields_pushable(specs, sub) for sub in conditions)
        )
    return False


def _fields_pushable(specs: tuple[Spec, ...], conditions: dict) -> bool:
    """A dict of conditions, each on a field of ``specs``."""
    by_key = {spec[KEY]: spec for spec in specs}
    for key, condition in conditions.items():
        spec = by_key.get(key)
        if spec is None or not _field_pushable(spec, condition):
            return False
    return True


def _field_pushable(spec: Spec, condition: Any) -> bool:
    kind = spec[KIND]
    if kind == SCALAR:
        return spec[DEFAULT] is None and _scalar_condition(spec[TYPE], condition) and not _matches_none(condition)
    if kind == RECORD:
        return isinstance(condition, dict) and bool(condition) and _fields_pushable(spec[CHILDREN], condition)
    if kind == REFS:
        return is_operator(condition) and condition[0] == "$contains" and _scalar_condition(str, condition[1])
    return False  # DATETIME: stricto compares datetimes, the store ISO strings


def _scalar_condition(python_type: type, condition: Any) -> bool:
    """A condition both stricto and ``matches`` evaluate alike on any value present."""
    if not isinstance(condition, tuple):
        return type(condition) in _EQUALITY_OPERANDS
    if not is_operator(condition):
        return False
    name, operand = condition
    if name in COMPARISONS:
        return type(operand) in _COMPARISON_OPERANDS
    if name == "$reg":
        return python_type is str and isinstance(operand, CompiledRegex)
    if name == "$and":
        return isinstance(operand, list) and all(
            is_operator(sub) and _scalar_condition(python_type, sub) for sub in operand
        )
    if name == "$not":
        return is_operator(operand) and _scalar_condition(python_type, operand)
    return False


def _matches_none(condition: Any) -> bool:
    """Whether ``condition`` matches the value None (what stricto sees for a missing field)."""
    return matches({"value": None}, {"value": condition})
