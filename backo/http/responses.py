"""Response shaping: JSON through stricto's encoder, plain text for everything else."""

import datetime
import enum
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flask import Response, stream_with_context
from stricto import StrictoEncoder

from backo.error import BackoError

JSON_MIMETYPE = "application/json"
TEXT_MIMETYPE = "text/plain"


class BackoJSONEncoder(StrictoEncoder):
    """stricto's encoder (Items and fields encode themselves) plus dates and enums.

    Plain datetimes appear in schemas (a ``Datetime(default=datetime(...))`` field), so
    ``GET /_meta`` can always be encoded.
    """

    def default(self, o: Any) -> Any:
        if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
            return o.isoformat()
        if isinstance(o, enum.Enum):
            return o.name
        return super().default(o)


def to_json(value: Any) -> str:
    """``value`` as JSON text.

    :raises BackoError: the value holds something JSON cannot represent (a server-side
        problem, hence a 500, not a 400).
    """
    try:
        return json.dumps(value, cls=BackoJSONEncoder)
    except (TypeError, ValueError) as exc:
        raise BackoError("Cannot encode the response as JSON: {0}", str(exc)) from exc


def json_response(value: Any, status: int = 200) -> Response:
    """A JSON response (``application/json``) holding ``value``."""
    return Response(to_json(value), status=status, mimetype=JSON_MIMETYPE)


def text_response(text: str, status: int = 200) -> Response:
    """A plain-text response (``deleted``, ``action done``, error messages)."""
    return Response(text, status=status, mimetype=TEXT_MIMETYPE)


def _content_disposition(filename: str | None) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 name (RFC 6266)."""
    if not filename:
        return "attachment"
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(
    chunks: Iterator[bytes], content_type: str | None, size: int | None, filename: str | None
) -> Response:
    """Stream file content chunk by chunk, with its stored type, size and name.

    ``Content-Type`` is the stored type exactly, as in 0.2.1: ``mimetype=`` would make
    werkzeug append ``; charset=utf-8`` to ``text/*`` types, and backo does not know the
    encoding of uploaded text (a latin-1 CSV would be mis-decoded).
    """
    response = Response(stream_with_context(chunks), content_type=content_type or "application/octet-stream")
    if size is not None:
        response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = _content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
