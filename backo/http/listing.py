"""The answer of a list or selection route: sort, cursor, projection and view over a selection.

A request 0.2.1 understood (filter, ``_page``, ``_skip``) runs the selection exactly as
before and answers ``{result, total, _skip, _page}``. The additions:

* ``_sort``: handed to the selection as its sort dict (``{path: 1 | -1}``, ``_id``
  last so that equal values keep one order on every store);
* ``_view``: each row shown in that view, as a single item is (0.2.1 ignored it on
  lists; without it rows are whole Items, as before);
* ``_fields``: each row keeps those fields and ``_id``;
* ``_cursor=1`` / ``_after=<cursor>``: the answer adds ``_next``, the cursor of its
  last row (null when nothing follows); with ``_after`` the page starts after that row
  and ``total`` counts the rows from there on (see :mod:`backo.core.cursor`);
* the cross-field ``$or``/``$not`` of ``_filter``: rows are tested on what the user
  reads of them (the selection runs unpaged, then the page is cut here).

Rows of a selection with selectors are lists: ``_fields`` and cursors need whole
Items there (400); ``_view`` is ignored on them, as in 0.2.1.

.. versionadded:: 0.3.0
"""

import dataclasses
import json
from typing import Any

from flask import current_app
from werkzeug.exceptions import BadRequest

from backo.core.cursor import DEFAULT_KEY, SortSpec, after_conditions, decode_cursor, encode_cursor, row_value
from backo.core.filters import merge_filters
from backo.core.query_fields import field_at, json_value_for
from backo.core.selection import DEFAULT_SORT, Selection
from backo.storage.db.listing import project
from backo.storage.db.query import paginate

from .query import ListQuery
from .responses import to_json

#: The sort of cursor pagination when ``_sort`` is not given.
CURSOR_SORT: SortSpec = [("_id", 1)]


def cursor_key() -> bytes:
    """The key cursors are signed with: the app's ``SECRET_KEY``, else :data:`~backo.core.cursor.DEFAULT_KEY`."""
    secret = current_app.secret_key if current_app else None
    if isinstance(secret, str):
        return secret.encode("utf-8")
    return secret if isinstance(secret, bytes) and secret else DEFAULT_KEY


def as_json(row: Any) -> Any:
    """A row (a record, an Item, a list of selected values) as plain JSON values."""
    if isinstance(row, dict) and type(row) is dict:
        return row
    return json.loads(to_json(row))


def _fetch(selection: Selection, query: ListQuery, match_filter: Any, page_size: int, skip: int, sort: dict) -> dict:
    """One selection run; with a row test the selection runs unpaged and the page is cut here."""
    for_client = not query.view_given
    if query.row_test is None:
        return selection.select(match_filter, page_size, skip, sort, for_client=for_client)
    everything = selection.select(match_filter, 0, 0, sort, for_client=for_client)["result"]
    kept = [row for row in everything if query.row_test.row_test(as_json(row))]
    return {"result": paginate(kept, page_size, skip), "total": len(kept), "_skip": skip, "_page": page_size}


def _after_cursor(selection: Selection, query: ListQuery, sort: SortSpec) -> dict:
    """The page after ``query.after``: each level of :func:`after_conditions` in turn."""
    assert query.after is not None
    model = selection.collection.model
    values = decode_cursor(query.after, sort, cursor_key())
    typed = [json_value_for(field_at(model, path), value) for (path, _), value in zip(sort, values, strict=True)]
    rows: list[Any] = []
    total: int | None = 0  # None once a level is not counted (Collection(count="none"))
    page_size = query.page_size
    for level in after_conditions(sort, typed):
        needed = page_size - len(rows) if page_size else 0
        found = _fetch(
            selection, query, merge_filters(query.filter, level), max(needed, 1) if page_size else 0, 0, dict(sort)
        )
        total = None if total is None or found["total"] is None else total + found["total"]
        if not page_size:
            rows.extend(found["result"])
        elif needed > 0:
            rows.extend(found["result"][:needed])
    return {"result": rows, "total": total, "_skip": 0, "_page": page_size}


def _shown(row: Any, query: ListQuery) -> Any:
    """A row as the client gets it: in ``_view`` if given, then cut to ``_fields``."""
    if query.view_given and hasattr(row, "view"):
        row = row.view(query.view)
    if query.fields is None:
        return row
    record = as_json(row)
    if not isinstance(record, dict):
        return record
    return project(record, dict.fromkeys(query.fields, 1))


def list_answer(selection: Selection, query: ListQuery) -> dict:
    """The JSON-ready answer of a list or selection request (see the module docstring).

    :raises BadRequest: ``_fields`` or a cursor on a selection whose rows are selected values.
    :raises FilterError: a bad cursor (400).
    """
    whole_rows = selection.selectors is None
    if not whole_rows and (query.fields is not None or query.cursor or query.row_test is not None):
        raise BadRequest(
            f'Selection "{selection.name}" answers selected values: _fields, _cursor, _after and '
            "cross-field $or/$not need whole items"
        )
    view_query = query if whole_rows else dataclasses.replace(query, view_given=False)
    sort = query.sort if query.sort is not None else (CURSOR_SORT if query.cursor else None)
    if query.after is not None and sort is not None:
        answer = _after_cursor(selection, view_query, sort)
    else:
        answer = _fetch(
            selection, view_query, query.filter, query.page_size, query.skip, dict(sort) if sort else DEFAULT_SORT
        )
    if not query.cursor and not view_query.view_given and query.fields is None:
        return answer
    rows = answer["result"]
    if query.cursor and sort is not None:
        answer["_next"] = _next_cursor(rows, answer, query, sort)
    answer["result"] = [_shown(row, view_query) for row in rows]
    return answer


def _next_cursor(rows: list[Any], answer: dict, query: ListQuery, sort: SortSpec) -> str | None:
    """The cursor of the last row, or None when no row follows it."""
    total = answer["total"]
    if not isinstance(total, int):  # not counted (Collection(count="none")): a full page may have a next one
        following = bool(query.page_size) and len(rows) >= query.page_size
    elif query.after is not None:
        following = total > len(rows)
    else:
        following = query.skip + len(rows) < total
    if not rows or not following:
        return None
    last = as_json(rows[-1])
    return encode_cursor(sort, [row_value(last, path) for path, _ in sort], cursor_key())
