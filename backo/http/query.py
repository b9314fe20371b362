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

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import BadRequest

from backo.core.filters import MultiDictLike, multidict_to_filter, with_operator_synonyms

from .request import unencodable_character

#: Items per page when ``_page`` is not given; ``_page=0`` means all of them.
DEFAULT_PAGE_SIZE = 10
#: The stricto view used when ``_view`` is not given.
DEFAULT_VIEW = "client"
#: The most dotted parts a filter key may have (``a.b.$gt`` has 3).
MAX_FILTER_DEPTH = 100

__all__ = [
    "DEFAULT_PAGE_SIZE",
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


def parse_list_query(args: MultiDictLike) -> ListQuery:
    """Read filter, ``_page``, ``_skip`` and ``_view`` from a query string.

    :raises BadRequest: ``_page`` or ``_skip`` is not a non-negative integer, a filter
        key nests too deeply, or a parameter cannot be encoded.
    """
    return ListQuery(
        filter=parse_filter(args),
        page_size=non_negative_int(args, "_page", DEFAULT_PAGE_SIZE),
        skip=non_negative_int(args, "_skip", 0),
        view=view_name(args),
    )
