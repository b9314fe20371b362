"""Filters: the query-string grammar turned into stricto match filters, and filter merging.

Pure functions on plain values: the HTTP layer uses them to read query strings and
bodies, selections to combine their own filter with the caller's, references to find
the items pointing at another.
"""

from collections.abc import Iterable
from typing import Any, Protocol

#: Operator spellings accepted where filters are matched, for the stricto operator on the right.
#: The public helpers (:func:`multidict_to_filter`, :func:`append_path_to_filter`) keep the
#: operator as written, as 0.2.1 does; :func:`with_operator_synonyms` applies this table
#: where a filter is handed to the store (the list and selection routes).
OPERATOR_SYNONYMS = {"$re": "$reg"}


class MultiDictLike(Protocol):
    """What :func:`multidict_to_filter` needs of a query string (werkzeug's MultiDict fits)."""

    def keys(self) -> Iterable[str]: ...

    def getlist(self, key: str) -> list[Any]: ...


def coerce_scalar(value: Any) -> Any:
    """``int(value)`` if it works, else ``float(value)``, else ``value`` (query-string typing)."""
    for convert in (int, float):
        try:
            return convert(value)
        except (ValueError, TypeError, OverflowError):
            continue
    return value


def _coerce_list(values: list[Any]) -> Any:
    """A repeated key: one value is a scalar, ``[$op, v]`` an operator, otherwise a list."""
    coerced = [coerce_scalar(value) for value in values]
    if len(coerced) == 1:
        return coerced[0]
    if len(coerced) == 2 and isinstance(coerced[0], str) and coerced[0].startswith("$"):
        return (coerced[0], coerced[1])
    return coerced


def append_path_to_filter(filter_as_dict: dict, key: str, value: Any) -> dict:
    """Add ``key=value`` to ``filter_as_dict`` (mutated and returned).

    A dotted key nests (``a.b.c``); a last part starting with ``$`` is an operator
    (``age.$gt`` -> ``{"age": ("$gt", v)}``), kept as written (``$re`` stays ``$re``, as
    in 0.2.1; see :func:`with_operator_synonyms`). A list value is coerced element-wise
    (see :func:`coerce_scalar`); other values are used as they are.
    """
    if isinstance(value, list):
        value = _coerce_list(value)
    return place_at_path(filter_as_dict, key, value)


def place_at_path(filter_as_dict: dict, key: str, value: Any) -> dict:
    """Put ``value`` at the dotted ``key`` of ``filter_as_dict`` (mutated and returned), as it is.

    :func:`append_path_to_filter` without its coercion: what typed query values use.
    """
    target = filter_as_dict
    while True:  # a loop, not recursion: a key may have thousands of dotted parts
        head, dot, rest = key.partition(".")
        if not dot:
            target[key] = value
            return filter_as_dict
        if rest.startswith("$") and "." not in rest:
            target[head] = (rest, value)
            return filter_as_dict
        if not isinstance(target.get(head), dict):
            target[head] = {}
        target, key = target[head], rest


def multidict_to_filter(md: MultiDictLike) -> dict:
    """Turn a query string into a match filter; keys starting with ``_`` are parameters, skipped.

    ``toto=miam&titi.tutu=23.2&tata.$gt=11`` ->
    ``{"toto": "miam", "titi": {"tutu": 23.2}, "tata": ("$gt", 11)}``
    """
    result: dict = {}
    for key in md.keys():
        if key.startswith("_"):
            continue
        append_path_to_filter(result, key, list(md.getlist(key)))
    return result


def with_operator_synonyms(match_filter: Any) -> Any:
    """``match_filter`` with every operator spelled as stricto knows it (``$re`` -> ``$reg``).

    Walks dicts, operator tuples and the lists of ``$and``/``$or``; returns ``match_filter``
    itself when nothing needs renaming, so the caller's filter is never mutated.
    """
    return _renamed(match_filter, _MAX_RENAME_DEPTH)


#: How deep :func:`with_operator_synonyms` looks (query-string keys nest at most 100 levels);
#: anything deeper is left as it is rather than risk Python's recursion limit.
_MAX_RENAME_DEPTH = 200


def _renamed(value: Any, depth: int) -> Any:
    """:func:`with_operator_synonyms` below ``depth`` more levels."""
    if depth <= 0:
        return value
    if isinstance(value, dict):
        renamed = {key: _renamed(child, depth - 1) for key, child in value.items()}
        return value if all(renamed[key] is value[key] for key in value) else renamed
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and value[0].startswith("$"):
        operator = OPERATOR_SYNONYMS.get(value[0], value[0])
        operand = _renamed(value[1], depth - 1)
        return value if operator == value[0] and operand is value[1] else (operator, operand)
    if isinstance(value, list):
        renamed_list = [_renamed(child, depth - 1) for child in value]
        return value if all(new is old for new, old in zip(renamed_list, value, strict=True)) else renamed_list
    return value


def _as_condition(value: Any) -> Any:
    """A filter value as an operator tuple, so that it can join an ``$and``."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and value[0].startswith("$"):
        return value
    return ("$eq", value)


def resolve_filter(selection_filter: Any) -> Any:
    """A selection's own filter: a dict or tuple as given, a callable's answer, or ``{}``."""
    if selection_filter is None:
        return {}
    if callable(selection_filter):
        return selection_filter()
    return selection_filter


def merge_filters(selection_filter: Any, match_filter: Any) -> Any:
    """Combine a selection's filter with a caller's: both must hold.

    Keys only in one side are copied; nested dicts merge; a key both sides constrain
    becomes ``("$and", [...])``.

    :raises TypeError: the selection filter is not a dict and the caller adds conditions.
    """
    base = resolve_filter(selection_filter)
    if not isinstance(match_filter, dict) or not match_filter:
        return base
    if not isinstance(base, dict):
        raise TypeError("this selection's filter is not a dict: it cannot be combined with a filter")
    merged = dict(base)
    for key, value in match_filter.items():
        if key not in merged:
            merged[key] = value
        elif isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = merge_filters(merged[key], value)
        else:
            merged[key] = ("$and", [_as_condition(merged[key]), _as_condition(value)])
    return merged
