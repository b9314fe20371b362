"""Query strings parsed into plain values: filters, pagination and the view name.

``GET /app/users?age.$gt=25&_page=5&_skip=10&_view=short`` becomes
``ListQuery(filter={"age": ("$gt", 25)}, page_size=5, skip=10, view="short")``; keys
starting with ``_`` are parameters, every other key is a filter (grammar in
:func:`backo.core.filters.multidict_to_filter`). A filter key may nest at most
:data:`MAX_FILTER_DEPTH` levels (``a.b.c``): a thousand dotted parts made the filter
builder recurse past Python's limit (a 500); they are now a 400. A parameter whose name
or value UTF-8 cannot encode (a lone surrogate) is a 400 naming it
(:func:`check_encodable_args`).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import BadRequest

from backo.core.collection import BaseCollection
from backo.core.cursor import SortSpec
from backo.core.filters import MultiDictLike, merge_filters, multidict_to_filter, with_operator_synonyms
from backo.core.item import Item
from backo.core.query_fields import is_container, require_readable, rights_probe
from backo.core.query_filters import JsonFilter, json_filter, typed_filter

from .request import unencodable_character

#: Items per page when ``_page`` is not given; ``_page=0`` means all of them.
DEFAULT_PAGE_SIZE = 10
#: The stricto view used when ``_view`` is not given.
DEFAULT_VIEW = "client"
#: The most dotted parts a filter key may have (``a.b.$gt`` has 3).
MAX_FILTER_DEPTH = 100
#: The most keys a ``_sort`` may name.
MAX_SORT_KEYS = 8
#: The most fields a ``_fields`` may name.
MAX_FIELDS = 100
#: The longest ``_filter`` accepted (characters).
MAX_JSON_FILTER_LENGTH = 16384
#: The values of a flag parameter (``_cursor``, ``_typed``...) that turn it on.
TRUE_FLAGS = frozenset({"1", "true", "yes", "on"})

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_SORT_KEYS",
    "parse_fields",
    "parse_sort",
    "DEFAULT_VIEW",
    "MAX_FILTER_DEPTH",
    "ListQuery",
    "check_encodable_args",
    "multidict_to_filter",
    "parse_filter",
    "parse_list_query",
]


@dataclass(frozen=True)
class ListQuery:
    """What a list or selection request asks for."""

    #: the stricto match filter built from the non-``_`` keys
    filter: dict[str, Any]
    #: ``_page``: how many results at most (0: all)
    page_size: int
    #: ``_skip``: how many matching results to pass over first
    skip: int
    #: ``_view``: the stricto view name
    view: str
    #: ``_sort`` as (path, 1 | -1) pairs, ``_id`` last; None: the store's default order
    sort: SortSpec | None = None
    #: ``_fields``: the dotted paths each row keeps (``_id`` always); None: all
    fields: tuple[str, ...] | None = None
    #: whether rows are shown in ``_view``: it was given and list views are on (0.2.1 ignored
    #: ``_view`` on lists, so ``_list_view=1`` or the collection's ``list_views`` turns this on)
    view_given: bool = False
    #: ``_after``: the cursor of the previous page's last row
    after: str | None = None
    #: whether the answer carries ``_next`` (``_cursor=1`` or ``_after`` given)
    cursor: bool = False
    #: the cross-field ``$or``/``$not`` of ``_filter``, tested on each row; None: none
    row_test: JsonFilter | None = None


def check_encodable_args(args: MultiDictLike, names: Iterable[str] | None = None) -> None:
    """Refuse the query parameters ``names`` (default: all) if a name or a value cannot be
    encoded in UTF-8 (a lone surrogate), before they reach the store or an error message.

    werkzeug decodes a query string from the wire so that it holds none (invalid bytes
    stay percent-encoded); parameters built by code (a view called with its own request
    values) may.

    :raises BadRequest: 400, ``Query parameter "name": the value cannot be encoded...``.
    """
    for name in args.keys() if names is None else names:
        character = unencodable_character(name) if isinstance(name, str) else None
        if character is not None:
            raise BadRequest(
                f"Query string: a parameter name cannot be encoded in UTF-8 (it holds the lone surrogate {character})"
            )
        for value in args.getlist(name):
            character = unencodable_character(value) if isinstance(value, str) else None
            if character is not None:
                raise BadRequest(
                    f'Query parameter "{name}": the value cannot be encoded in UTF-8 '
                    f"(it holds the lone surrogate {character})"
                )


def non_negative_int(args: MultiDictLike, name: str, default: int) -> int:
    """The integer query parameter ``name``, or ``default`` when absent.

    :raises BadRequest: 400 naming the parameter when it is not an integer >= 0.
    """
    check_encodable_args(args, [name])
    values = list(args.getlist(name))
    if not values:
        return default
    raw = values[0]
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if value < 0:
        raise BadRequest(f'Query parameter "{name}" must be an integer >= 0, got "{raw}"')
    return value


def check_filter_keys(keys: Iterable[str]) -> None:
    """Refuse filter keys with more than :data:`MAX_FILTER_DEPTH` dotted parts.

    :raises BadRequest: 400 naming the key.
    """
    for key in keys:
        if isinstance(key, str) and key.count(".") >= MAX_FILTER_DEPTH:
            shown = key if len(key) <= 40 else key[:40] + "..."
            raise BadRequest(f'Filter key "{shown}" is nested too deeply: at most {MAX_FILTER_DEPTH} levels')


def parse_filter(args: MultiDictLike) -> dict[str, Any]:
    """The match filter of a query string (keys starting with ``_`` are parameters).

    Operators are spelled as stricto knows them: ``name.$re=^D`` matches as ``name.$reg=^D``
    (:func:`with_operator_synonyms`), while :func:`multidict_to_filter` itself keeps ``$re``.

    :raises BadRequest: 400 naming the key when it has more than :data:`MAX_FILTER_DEPTH` dotted
        parts, or when a parameter cannot be encoded (:func:`check_encodable_args`).
    """
    check_encodable_args(args)
    check_filter_keys(key for key in args.keys() if not key.startswith("_"))
    return with_operator_synonyms(multidict_to_filter(args))


def view_name(args: MultiDictLike) -> str:
    """The ``_view`` parameter (default ``client``).

    :raises BadRequest: it cannot be encoded (:func:`check_encodable_args`).
    """
    check_encodable_args(args, ["_view"])
    values = list(args.getlist("_view"))
    return values[0] if values else DEFAULT_VIEW


def first_value(args: MultiDictLike, name: str) -> str | None:
    """The first value of the parameter ``name``, or None. :raises BadRequest: it cannot be encoded."""
    check_encodable_args(args, [name])
    values = list(args.getlist(name))
    return values[0] if values else None


def flag(args: MultiDictLike, name: str) -> bool | None:
    """A flag parameter: True (``1``, ``true``, ``yes``, ``on``), False (anything else), None when absent."""
    value = first_value(args, name)
    return None if value is None else value.strip().lower() in TRUE_FLAGS


def _paths(raw: str, name: str, most: int) -> list[str]:
    """The comma-separated items of ``raw``. :raises BadRequest: empty items, or too many."""
    parts = [part.strip() for part in raw.split(",")]
    if not raw.strip() or any(not part for part in parts):
        raise BadRequest(f'Query parameter "{name}" must be a comma-separated list of fields, got "{raw}"')
    if len(parts) > most:
        raise BadRequest(f'Query parameter "{name}" names {len(parts)} fields: at most {most}')
    return parts


def parse_sort(args: MultiDictLike, probe: Item) -> SortSpec | None:
    """``_sort=name,-price,addr.city``: (path, 1 | -1) pairs, ``_id`` added last (a stable order).

    :raises BadRequest: empty, repeated or more than :data:`MAX_SORT_KEYS` keys, or a list or
        object field.
    :raises FilterError: an unknown or unreadable field (400).
    """
    raw = first_value(args, "_sort")
    if raw is None:
        return None
    sort: SortSpec = []
    for part in _paths(raw, "_sort", MAX_SORT_KEYS):
        direction = -1 if part.startswith("-") else 1
        path = part.lstrip("+-").strip()
        field = require_readable(probe, path, "_sort")
        if is_container(field):
            raise BadRequest(f'Query parameter "_sort": "{path}" is a list or an object, it cannot be sorted on')
        if any(path == seen for seen, _ in sort):
            raise BadRequest(f'Query parameter "_sort": "{path}" is named twice')
        sort.append((path, direction))
    if all(path != "_id" for path, _ in sort):
        sort.append(("_id", 1))
    return sort


def parse_fields(args: MultiDictLike, probe: Item) -> tuple[str, ...] | None:
    """``_fields=name,addr.city``: the fields each row keeps (``_id`` always).

    :raises FilterError: an unknown or unreadable field (400).
    """
    raw = first_value(args, "_fields")
    if raw is None:
        return None
    paths = _paths(raw, "_fields", MAX_FIELDS)
    for path in paths:
        require_readable(probe, path, "_fields")
    return tuple(dict.fromkeys(paths))


def parse_json_filter(args: MultiDictLike, probe: Item) -> JsonFilter | None:
    """The ``_filter`` parameter (see :mod:`backo.core.query_filters`), or None.

    :raises BadRequest: not JSON, or too long.
    :raises FilterError: not a valid filter (400).
    """
    raw = first_value(args, "_filter")
    if raw is None:
        return None
    if len(raw) > MAX_JSON_FILTER_LENGTH:
        raise BadRequest(f'Query parameter "_filter" is too long: at most {MAX_JSON_FILTER_LENGTH} characters')
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f'Query parameter "_filter" is not valid JSON: {exc}') from None
    return json_filter(probe, body)


def typed_values_wanted(args: MultiDictLike, collection: BaseCollection) -> bool:
    """Whether query values are read with their field's type: ``_typed=1``, or the
    collection's ``typed_query_values`` attribute (``_typed=0`` turns it off per request)."""
    asked = flag(args, "_typed")
    return bool(getattr(collection, "typed_query_values", False)) if asked is None else asked


def list_views_wanted(args: MultiDictLike, collection: BaseCollection) -> bool:
    """Whether list rows are shown in ``_view``: ``_list_view=1``, or the collection's
    ``list_views`` attribute (``_list_view=0`` turns it off per request). 0.2.1 ignored
    ``_view`` on lists, and still does by default."""
    asked = flag(args, "_list_view")
    return bool(getattr(collection, "list_views", False)) if asked is None else asked


def collection_filter(args: MultiDictLike, collection: BaseCollection) -> dict[str, Any]:
    """The match filter of the query-string keys: 0.2.1's grammar, typed when asked (:func:`typed_values_wanted`)."""
    if not typed_values_wanted(args, collection):
        return parse_filter(args)
    check_encodable_args(args)
    check_filter_keys(key for key in args.keys() if not key.startswith("_"))
    return with_operator_synonyms(typed_filter(args, collection.model))


#: The parameters that need the model to be read (a rights probe).
_MODEL_PARAMETERS = ("_sort", "_fields", "_filter")


def parse_list_query(args: MultiDictLike, collection: BaseCollection | None = None) -> ListQuery:
    """Read filter, ``_page``, ``_skip`` and ``_view`` from a query string; with the
    ``collection`` also ``_sort``, ``_fields``, ``_filter``, ``_typed``, ``_after`` and ``_cursor``.

    :raises BadRequest: ``_page`` or ``_skip`` is not a non-negative integer, a filter
        key nests too deeply, or a parameter cannot be encoded; a bad ``_sort``,
        ``_fields``, ``_filter`` or ``_after`` (``FilterError``, also 400).
    """
    page_size = non_negative_int(args, "_page", DEFAULT_PAGE_SIZE)
    skip = non_negative_int(args, "_skip", 0)
    view = view_name(args)
    if collection is None:
        return ListQuery(filter=parse_filter(args), page_size=page_size, skip=skip, view=view)
    match_filter = collection_filter(args, collection)
    present = set(args.keys())
    sort = fields = row_test = None
    if present.intersection(_MODEL_PARAMETERS):
        probe = rights_probe(collection)
        sort, fields = parse_sort(args, probe), parse_fields(args, probe)
        extra = parse_json_filter(args, probe)
        if extra is not None:
            match_filter = merge_filters(match_filter, extra.match)
            row_test = extra if extra.row_filter is not None else None
    after = first_value(args, "_after")
    if after is not None and skip:
        raise BadRequest('Query parameter "_skip" cannot be used with "_after": the cursor says where the page starts')
    return ListQuery(
        filter=match_filter,
        page_size=page_size,
        skip=skip,
        view=view,
        sort=sort,
        fields=fields,
        view_given="_view" in present and list_views_wanted(args, collection),
        after=after,
        cursor=after is not None or bool(flag(args, "_cursor")),
        row_test=row_test,
    )
