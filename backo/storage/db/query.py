"""The match-filter language of the :class:`~backo.storage.db.base.DBConnector` contract.

``DBConnector.select(select_filter: MatchFilter, ...)`` takes stricto's match-filter
language (BEHAVIOR.md 9.4), here applied to plain JSON-like documents::

    {"name": "dave", "age": ("$gte", 18), "tags": ("$contains", "x")}
    {"address": {"city": ("$reg", "^Par")}}
    ("$or", [{"name": "dave"}, {"name": "eve"}])

This module is the one statement of that language outside stricto: the filter type
(:data:`MatchFilter`), the operator vocabulary (:data:`COMPARISONS`,
:data:`REGEX_OPERATORS`), the one implementation of the comparison semantics
(:func:`compare`, :func:`comparison_test`) and :func:`matches`, the test of a document.
stricto's ``Item.match`` is the reference it is tested against (``tests/storage/test_query.py``).
Every layer takes the language from here: the embedded stores' helper (``listing.py``),
the MongoDB translation (``mongo.py``) and the core's fast path (``plain_model``,
``prefilter.py``). It also holds what the contract says of the rows a select hands out:
:func:`paginate` (the meaning of ``page_size`` and ``skip``) and :func:`clone` (handed-out
documents are copies).

Regular expressions (``$reg``, ``$re``) run on re2, in linear time (:mod:`.regex`): a
pattern re2 cannot run, or longer than 1,000 characters, raises ``FilterError``.

Everything here is a pure function: inputs are never mutated. It imports nothing of
backo but ``backo.error`` and :mod:`.regex`.
"""

import operator
from collections.abc import Callable
from typing import Any, cast

from backo.error import FilterError

from .regex import REGEX_OPERATORS as REGEX_OPERATORS  # where mongo.py and 0.3 code import it
from .regex import regex_matches

#: A stricto match filter: a dict of field conditions, an ``("$op", operand)`` tuple, or None.
MatchFilter = dict[str, Any] | tuple[str, Any] | None

#: The comparison operators and their meaning: Python's operator on (value, operand),
#: as stricto's ``GenericType._match_operator`` applies them.
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "$eq": operator.eq,
    "$ne": operator.ne,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


# -- comparisons ------------------------------------------------------------------------


def compare(name: str, value: Any, operand: Any) -> bool:
    """The answer of the comparison ``name`` (a key of :data:`COMPARISONS`) on ``value``.

    The answer is True only when the operator answers True (on the JSON-like values of a
    document, operators answer bools). It raises what Python's operator raises (``TypeError``
    for ``"a" > 1``): stricto reads any failure as "no match" (:func:`comparison_test`), while a necessary-condition
    pre-pass (``backo.core.prefilter``) reads it as "undecided".

    :raises KeyError: ``name`` is not a comparison operator.
    """
    return COMPARISONS[name](value, operand) is True


def comparison_test(name: str, operand: Any) -> Callable[[Any], bool]:
    """stricto's ``field.match((name, operand))`` as a test of values: failures never match.

    The operator is looked up once, so that a selection testing thousands of values
    pays one call each.

    :raises KeyError: ``name`` is not a comparison operator.
    """
    comparison = COMPARISONS[name]

    def test(value: Any) -> bool:
        try:
            return comparison(value, operand) is True
        except Exception:  # noqa: BLE001 - stricto answers "no match" to any failure
            return False

    return test


def equals(value: Any, condition: Any) -> bool:
    """Plain equality, like stricto's ``match`` of a non-operator: 3 == 3.0, lists compare whole, "True" != True."""
    return (value == condition) is True


def is_operator(condition: Any) -> bool:
    """Whether ``condition`` is an ``("$op", operand)`` tuple.

    stricto's test: a 2-tuple whose first item is a string starting with ``$``.
    """
    return (
        isinstance(condition, tuple)
        and len(condition) == 2
        and isinstance(condition[0], str)
        and condition[0].startswith("$")
    )


# -- matching ---------------------------------------------------------------------------


class _NoMatch(Exception):
    """A filter that cannot apply to a value (bad operator, operand or type)."""


def matches(document: dict[str, Any], match_filter: MatchFilter) -> bool:
    """Tell whether ``document`` satisfies the stricto match filter ``match_filter``.

    ``None`` and ``{}`` match every document. A filter that cannot apply (unknown
    operator, ``$gt`` between a str and an int, ``$reg`` on an int...) does not match.

    :raises FilterError: a regular expression is refused (see :mod:`.regex`).
    """
    if match_filter is None or (isinstance(match_filter, dict) and not match_filter):
        return True
    return _matches(document, match_filter)


def _matches(value: Any, condition: Any) -> bool:
    """Match one value against one condition, turning any failure into "no match"."""
    try:
        return _match_condition(value, condition)
    except FilterError:  # a refused regular expression is the caller's error, never "no match"
        raise
    except Exception:  # as in stricto: an error inside means "no match"
        return False


def _match_condition(value: Any, condition: Any) -> bool:
    """One condition: an operator tuple, a dict of sub-conditions, or a value to equal."""
    if is_operator(condition):
        return _match_operator(value, condition[0], condition[1])
    if isinstance(condition, dict):
        if not isinstance(value, dict):
            return False
        return all(key in value and _matches(value[key], sub) for key, sub in condition.items())
    return equals(value, condition)


def _match_operator(value: Any, name: str, operand: Any) -> bool:
    """One ``(name, operand)`` operator on ``value``; raises :class:`_NoMatch` when it cannot apply."""
    if name in COMPARISONS:
        return compare(name, value, operand)
    if name in REGEX_OPERATORS:
        if not isinstance(value, str):
            raise _NoMatch(name)
        return regex_matches(operand, value)  # re.match's meaning, on re2
    if name == "$contains":
        if not isinstance(value, list | tuple):
            raise _NoMatch(name)
        return any(_matches(element, operand) for element in value)
    if name in ("$and", "$or"):
        return _match_combination(value, name, operand)
    if name == "$not":
        if not is_operator(operand):
            raise _NoMatch(name)
        return not _matches(value, operand)
    raise _NoMatch(name)


def _match_combination(value: Any, name: str, conditions: Any) -> bool:
    """``$and``/``$or``: ``conditions`` is a list of operator tuples or of dict filters."""
    if not isinstance(conditions, list):
        raise _NoMatch(name)
    if not all(is_operator(sub) or isinstance(sub, dict) for sub in conditions):
        raise _NoMatch(name)
    results = (_matches(value, sub) for sub in conditions)
    return all(results) if name == "$and" else any(results)


# -- what a select hands out ------------------------------------------------------------


def paginate(documents: list[dict[str, Any]], page_size: int, skip: int) -> list[dict[str, Any]]:
    """Skip ``skip`` documents, then keep at most ``page_size`` (0: no limit).

    A negative ``page_size`` gives an empty page; a negative ``skip`` counts as 0.
    """
    start = max(skip, 0)
    if page_size < 0:
        return []
    if page_size == 0:
        return documents[start:]
    return documents[start : start + page_size]


_SCALARS = frozenset({str, int, float, bool, type(None)})


def clone[T](value: T) -> T:
    """Deep-copy JSON-like data (dicts, lists, tuples); other values are returned as is.

    Stores hand out clones so that no caller can change stored data by mutating what it
    received or what it passed in. About 5x faster than :func:`copy.deepcopy` on a
    typical document: no memo, no copy protocol, and scalars are not even visited.
    """
    return cast(T, _clone(value))


def _clone(value: Any) -> Any:
    """:func:`clone` without the type: plain dicts, lists and tuples copied, subclasses made plain."""
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _SCALARS else _clone(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _SCALARS else _clone(item) for item in value]
    if kind is tuple:
        return tuple([item if type(item) in _SCALARS else _clone(item) for item in value])
    if isinstance(value, dict):  # subclasses become plain dicts and lists
        return {key: _clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clone(item) for item in value]
    return value
