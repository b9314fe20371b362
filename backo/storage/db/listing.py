"""Sorting, pagination and projection over lists of plain dicts: the embedded stores' helper.

The embedded stores (memory, YAML) and DBRedirect keep or fetch whole documents and answer
``select`` in Python: they all go through :func:`apply_query`, so every one of them filters,
orders and pages the same way. The filter language itself (``MatchFilter``, the operators,
:func:`~backo.storage.db.query.matches`) belongs to the DBConnector contract and lives in
:mod:`backo.storage.db.query`; this module applies it.

Everything here is a pure function: inputs are never mutated, and results may share
nested values with the inputs (callers :func:`~backo.storage.db.query.clone` what they hand out).
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

# The filter language lives in the DBConnector contract (backo.storage.db.query); its names
# are re-exported here for the code that imported them from this module before: tests,
# benchmarks, rest.py, and callers of the 0.3 layout.
from .query import COMPARISONS as COMPARISONS
from .query import REGEX_OPERATORS as REGEX_OPERATORS
from .query import MatchFilter as MatchFilter
from .query import clone as clone
from .query import is_operator as is_operator
from .query import matches as matches
from .query import paginate as paginate
from .regex import compile_filter

# -- projection -------------------------------------------------------------------------


def project(document: dict[str, Any], projection: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keep (or drop) fields of ``document`` the way a MongoDB projection does.

    With at least one truthy field (or only ``{"_id": 1}``) the projection lists the
    fields to keep (``{"name": 1}``); otherwise it lists the fields to drop
    (``{"secret": 0}``). Keys may be dotted paths into nested dicts. ``_id`` is kept
    unless the projection says ``"_id": 0``. An empty or None projection returns
    ``document`` itself.
    """
    if not projection:
        return document
    keep_id = bool(projection.get("_id", 1))
    fields = {path: wanted for path, wanted in projection.items() if path != "_id"}
    if any(fields.values()) or (keep_id and not fields):
        included: dict[str, Any] = {}
        if keep_id and "_id" in document:
            included["_id"] = document["_id"]
        for path, wanted in fields.items():
            if wanted:
                _copy_path(document, included, path.split("."))
        return included
    remaining = dict(document)
    if not keep_id:
        remaining.pop("_id", None)
    for path in fields:
        _drop_path(remaining, path.split("."))
    return remaining


def _copy_path(source: dict[str, Any], target: dict[str, Any], parts: list[str]) -> None:
    head = parts[0]
    if head not in source:
        return
    if len(parts) == 1:
        target[head] = source[head]
        return
    nested_source = source[head]
    if not isinstance(nested_source, dict):
        return
    nested_target = target.get(head)
    if nested_target is nested_source:  # the whole nested dict is already included
        return
    if not isinstance(nested_target, dict):
        nested_target = target[head] = {}
    _copy_path(nested_source, nested_target, parts[1:])


def _drop_path(target: dict[str, Any], parts: list[str]) -> None:
    """Remove a dotted path from ``target``, copying the nested dicts it walks through."""
    head = parts[0]
    if len(parts) == 1:
        target.pop(head, None)
        return
    nested = target.get(head)
    if isinstance(nested, dict):
        nested = target[head] = dict(nested)
        _drop_path(nested, parts[1:])


# -- sorting and pagination -------------------------------------------------------------

_MISSING = object()
_RANK_NONE, _RANK_NUMBER, _RANK_STRING, _RANK_DICT, _RANK_LIST, _RANK_BOOL, _RANK_DATE = range(7)
_RANK_OTHER = 7


def _sort_key(value: Any) -> tuple[int, Any]:
    """A key that orders any two values without raising: (type rank, comparable value).

    Ranks follow MongoDB's order for the JSON types: null, numbers, strings, objects,
    arrays, booleans, dates; anything else last, by its ``repr``.
    """
    if value is None or value is _MISSING:
        return (_RANK_NONE, 0)
    if isinstance(value, bool):
        return (_RANK_BOOL, value)
    if isinstance(value, int | float):
        return (_RANK_NUMBER, value)
    if isinstance(value, str):
        return (_RANK_STRING, value)
    if isinstance(value, dict):
        return (_RANK_DICT, repr(value))
    if isinstance(value, list | tuple):
        return (_RANK_LIST, repr(value))
    if isinstance(value, date):
        return (_RANK_DATE, value.isoformat())
    return (_RANK_OTHER, repr(value))


def _lookup(document: Any, path: str) -> Any:
    """The value at a dotted ``path`` of ``document``, or ``_MISSING``."""
    value = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def sort_documents(documents: Iterable[dict[str, Any]], sort_object: Mapping[str, int] | None) -> list[dict[str, Any]]:
    """Return ``documents`` ordered by the keys of ``sort_object`` (1 ascending, -1 descending).

    The first key is the primary one. None and missing values come first in ascending
    order; values of different types never raise (see :func:`_sort_key`). The sort is
    stable, and an empty or None ``sort_object`` keeps the input order.
    """
    ordered = list(documents)
    # Sorting by the last key first, then by each earlier key, relies on sort stability.
    for path, direction in reversed(list((sort_object or {}).items())):
        ordered = _sorted_by(ordered, path, direction < 0)
    return ordered


def _sorted_by(documents: list[dict[str, Any]], path: str, descending: bool) -> list[dict[str, Any]]:
    """``documents`` stably sorted on the value at ``path``.

    When every value is a string (ids, names: the usual sort) they are compared as they
    are, about three times faster than through :func:`_sort_key`; the order is the same.
    """
    values = [_lookup(document, path) for document in documents]
    if all(type(value) is str for value in values):
        order = sorted(range(len(documents)), key=values.__getitem__, reverse=descending)
        return [documents[index] for index in order]
    keys = [_sort_key(value) for value in values]
    order = sorted(range(len(documents)), key=keys.__getitem__, reverse=descending)
    return [documents[index] for index in order]


def apply_query(
    documents: Iterable[dict[str, Any]],
    select_filter: MatchFilter,
    projection: Mapping[str, Any] | None,
    page_size: int,
    skip: int,
    sort_object: Mapping[str, int] | None,
) -> list[dict[str, Any]]:
    """Answer a ``DBConnector.select`` over ``documents``: filter, sort, page, then project."""
    page, _ = query_page(documents, select_filter, page_size, skip, sort_object)
    return [project(document, projection) for document in page]


def query_page(
    documents: Iterable[dict[str, Any]],
    select_filter: MatchFilter,
    page_size: int,
    skip: int,
    sort_object: Mapping[str, int] | None,
) -> tuple[list[dict[str, Any]], int]:
    """Answer a ``DBConnector.select_page`` over ``documents``: the page, and how many match.

    The documents are not copied: stores clone the page they hand out, nothing more.

    :raises FilterError: a regular expression is refused (see :mod:`.regex`), even when
        no document is there to match.
    """
    select_filter = compile_filter(select_filter)  # every pattern checked and compiled once
    if select_filter is None or (isinstance(select_filter, dict) and not select_filter):
        selected = documents if isinstance(documents, list) else list(documents)
    else:
        selected = [document for document in documents if matches(document, select_filter)]
    ordered = sort_documents(selected, sort_object) if sort_object else selected
    return paginate(ordered, page_size, skip), len(selected)


class SortedOrderCache:
    """A store's documents in the order last asked for, reused while the store is unchanged.

    A back office lists the same collection in the same order again and again; sorting
    50,000 documents each time costs tens of milliseconds. ``version`` is an object the
    store replaces whenever its content changes (compared by identity); None disables
    the cache. Sorting the whole store and filtering afterwards gives the same order as
    filtering first, since the sort is stable.
    """

    def __init__(self) -> None:
        self._entry: tuple[object, tuple, list[dict[str, Any]]] | None = None

    def sort(
        self, version: object | None, documents: list[dict[str, Any]], sort_object: Mapping[str, int] | None
    ) -> list[dict[str, Any]]:
        """``documents`` sorted by ``sort_object`` (shared with the cache: do not mutate it)."""
        if not sort_object:
            return documents
        if version is None:
            return sort_documents(documents, sort_object)
        spec = tuple(sort_object.items())
        entry = self._entry
        if entry is not None and entry[0] is version and entry[1] == spec:
            return entry[2]
        ordered = sort_documents(documents, sort_object)
        self._entry = (version, spec, ordered)
        return ordered
