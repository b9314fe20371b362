"""A cheap first pass over stored documents before building Items for a selection.

Building an Item costs a stricto copy; most selections keep a small part of the
collection. For conditions whose truth on the raw document implies nothing less than
on the Item (plain String/Int/Float/Bool fields without ``transform`` or ``set``),
documents that certainly fail are dropped first. It is a *necessary* condition only:
every document it keeps is still matched by stricto on the Item, so results are
exactly those of matching every Item. ``$reg`` conditions count once compiled (see
:mod:`backo.core.regex_filters`): they run on re2, never on Python's ``re``.

Comparisons mean what the storage contract says (:func:`backo.storage.db.query.compare`),
except that a comparison that cannot be made (``TypeError``) keeps the document: here it
means "undecided", and stricto decides on the Item.
"""

from collections.abc import Callable
from typing import Any

from stricto import Bool, Float, Int, String

from backo.storage.db.query import COMPARISONS
from backo.storage.db.regex import CompiledRegex

_PLAIN_TYPES = (String, Int, Float, Bool)
_Condition = tuple[str, Callable[[Any, Any], bool], Any]


def _is_plain(field: Any) -> bool:
    return isinstance(field, _PLAIN_TYPES) and field._transform is None and field._auto_set is None


def _regex_matches(value: Any, pattern: CompiledRegex) -> bool:
    """stricto's ``$reg`` on a plain field: a str matched at its start; other values never match."""
    return pattern.matches(value)


def _condition(key: str, value: Any) -> _Condition | None:
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] in COMPARISONS:
            return (key, COMPARISONS[value[0]], value[1])
        if len(value) == 2 and value[0] == "$reg" and isinstance(value[1], CompiledRegex):
            return (key, _regex_matches, value[1])
        return None
    if isinstance(value, (dict, list)):
        return None
    return (key, COMPARISONS["$eq"], value)  # stricto: a plain condition is an equality


def conditions_for(model: Any, match_filter: Any) -> list[_Condition]:
    """The conditions of ``match_filter`` that can be checked on raw documents."""
    if not isinstance(match_filter, dict):
        return []
    found = []
    for key, value in match_filter.items():
        field = model.__dict__.get(key) if key in model._keys else None
        condition = _condition(key, value) if field is not None and _is_plain(field) else None
        if condition is not None:
            found.append(condition)
    return found


def _may_match(document: dict, conditions: list[_Condition]) -> bool:
    for key, compare, value in conditions:
        if document.get(key) is None:
            continue  # missing or None: a default may apply when the Item is loaded, let stricto decide
        try:
            if not compare(document[key], value):
                return False
        except TypeError:
            continue
    return True


def prefilter(documents: list[dict], model: Any, match_filter: Any) -> list[dict]:
    """``documents`` without those that certainly do not match ``match_filter``."""
    conditions = conditions_for(model, match_filter)
    if not conditions:
        return documents
    return [document for document in documents if _may_match(document, conditions)]
