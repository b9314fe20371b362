"""Cursor pagination: an opaque token naming the last row of a page, by its sort values.

A cursor is ``base64url(JSON) + "." + base64url(HMAC-SHA256)``; the JSON holds the sort
(``[[path, 1|-1], ...]``, ``_id`` last) and the last row's values for it. The signature
is made with a key the caller gives (the HTTP layer uses the Flask application's
``SECRET_KEY`` when it has one): a cursor that was changed, cut, or made for another
sort is refused (:class:`~backo.error.FilterError`, HTTP 400).

The page after a cursor is found by value, not by offset, so inserts and deletes before
it do not shift it: for the sort keys ``k1..kn`` and the cursor values ``v1..vn`` the
rows after it are, in order, those equal on ``k1..k(n-1)`` and after ``vn`` on ``kn``,
then those equal on ``k1..k(n-2)`` and after ``v(n-1)`` on ``k(n-1)``... down to those
after ``v1`` on ``k1`` (:func:`after_conditions`). "After" follows the stores' order:
null (and a missing value) first in ascending order, last in descending order.
Every condition is a single comparison: stricto 0.2.7's ``$or`` matches everything.

.. versionadded:: 0.3.0
"""

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from backo.error import FilterError

from .filters import place_at_path

#: A sort as a list of (dotted path, 1 ascending | -1 descending), ``_id`` last.
type SortSpec = list[tuple[str, int]]

#: The key used when the caller has no secret: cursors are then checked, not unforgeable.
DEFAULT_KEY = b"backo cursor"
#: The longest cursor accepted (characters).
MAX_CURSOR_LENGTH = 4096
_SIGNATURE_BYTES = 16
_SCALARS = (str, int, float, bool, type(None))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: bytes, key: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(sort: SortSpec, values: list[Any], key: bytes = DEFAULT_KEY) -> str:
    """The cursor of a row whose values for ``sort`` are ``values`` (JSON scalars)."""
    payload = json.dumps({"s": [[path, direction] for path, direction in sort], "v": values}, separators=(",", ":"))
    data = payload.encode("utf-8")
    return f"{_b64(data)}.{_b64(_signature(data, key))}"


def _invalid(reason: str) -> FilterError:
    return FilterError("_after: invalid cursor ({0}); use the _next value of the previous page", reason)


def decode_cursor(cursor: str, sort: SortSpec, key: bytes = DEFAULT_KEY) -> list[Any]:
    """The row values a cursor holds, checked against ``sort`` and the signature.

    :raises FilterError: malformed, tampered with, or made for another ``_sort`` (400).
    """
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_LENGTH or cursor.count(".") != 1:
        raise _invalid("malformed")
    body, signature = cursor.split(".")
    try:
        data, given = _unb64(body), _unb64(signature)
    except (binascii.Error, ValueError):
        raise _invalid("malformed") from None
    if not hmac.compare_digest(given, _signature(data, key)):
        raise _invalid("bad signature")
    try:
        decoded = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _invalid("malformed") from None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("v"), list):
        raise _invalid("malformed")
    if decoded.get("s") != [[path, direction] for path, direction in sort]:
        raise _invalid("it was made for another _sort")
    values = decoded["v"]
    if len(values) != len(sort) or not all(isinstance(value, _SCALARS) for value in values):
        raise _invalid("malformed")
    return values


def row_value(row: Any, path: str) -> Any:
    """The value at the dotted ``path`` of a JSON row (None when absent)."""
    value = row
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value if isinstance(value, _SCALARS) else None


def _after(value: Any, direction: int) -> list[Any]:
    """The conditions "after ``value``" on one sort key, in the order their rows come.

    Descending, the values below come first, then nulls (stricto's ``$or`` cannot be
    used: with stricto 0.2.7 it matches everything).
    """
    if direction >= 0:
        return [("$ne", None)] if value is None else [("$gt", value)]
    if value is None:
        return []
    return [("$lt", value), None]


def after_conditions(sort: SortSpec, values: list[Any]) -> list[dict]:
    """The match filters of the rows after the cursor, in the order the rows come.

    ``values`` are in the fields' own types (see
    :func:`~backo.core.query_fields.json_value_for`). Each filter is a nested dict
    (dotted paths nest).
    """
    levels = []
    for depth in range(len(sort) - 1, -1, -1):
        path, direction = sort[depth]
        for condition in _after(values[depth], direction):
            level: dict = {}
            for (prefix_path, _), value in zip(sort[:depth], values[:depth], strict=True):
                place_at_path(level, prefix_path, value)
            place_at_path(level, path, condition)
            levels.append(level)
    return levels
