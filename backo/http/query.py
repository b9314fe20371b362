"""Query strings parsed into plain values: filters, pagination and the view name.

``GET /app/users?age.$gt=25&_page=5&_skip=10&_view=short`` becomes
``ListQuery(filter={"age": ("$gt", 25)}, page_size=5, skip=10, view="short")``; keys
starting with ``_`` are parameters, every other key is a filter (grammar in
:func:`backo.core.filters.multidict_to_filter`).
"""

from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import BadRequest

from backo.core.filters import MultiDictLike, multidict_to_filter

#: Items per page when ``_page`` is not given; ``_page=0`` means all of them.
DEFAULT_PAGE_SIZE = 10
#: The stricto view used when ``_view`` is not given.
DEFAULT_VIEW = "client"

__all__ = ["DEFAULT_PAGE_SIZE", "DEFAULT_VIEW", "ListQuery", "multidict_to_filter", "parse_list_query"]


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


def non_negative_int(args: MultiDictLike, name: str, default: int) -> int:
    """The integer query parameter ``name``, or ``default`` when absent.

    :raises BadRequest: 400 naming the parameter when it is not an integer >= 0.
    """
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


def view_name(args: MultiDictLike) -> str:
    """The ``_view`` parameter (default ``client``)."""
    values = list(args.getlist("_view"))
    return values[0] if values else DEFAULT_VIEW


def parse_list_query(args: MultiDictLike) -> ListQuery:
    """Read filter, ``_page``, ``_skip`` and ``_view`` from a query string.

    :raises BadRequest: ``_page`` or ``_skip`` is not a non-negative integer.
    """
    return ListQuery(
        filter=multidict_to_filter(args),
        page_size=non_negative_int(args, "_page", DEFAULT_PAGE_SIZE),
        skip=non_negative_int(args, "_skip", 0),
        view=view_name(args),
    )
