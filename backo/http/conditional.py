"""Conditional requests on one item: ``ETag``, ``Last-Modified``, ``If-None-Match``, ``If-Match``.

* ``GET {c}/<_id>`` answers a strong ``ETag`` (the SHA-256 of its JSON body, so it
  depends on ``_view``) and ``Last-Modified`` (from ``_meta.mtime``, when the view shows
  it); ``If-None-Match`` holding that tag (or ``*``) answers 304 without a body.
* ``PUT``, ``PATCH``, ``DELETE`` and actions with ``If-Match``: the item is read again
  inside the write's transaction (under the write lock) in the request's ``_view``;
  if its tag is not listed (``*`` matches any existing item) the answer is 412 and
  nothing is written. Weak tags (``W/"..."``) never match (strong comparison).
* A collection whose ``require_if_match`` attribute is true answers 428 to those
  writes when they carry no ``If-Match``.

An unknown item is 404 before any precondition is looked at.

.. versionadded:: 0.3.0
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, request
from werkzeug.exceptions import PreconditionFailed, PreconditionRequired
from werkzeug.http import http_date

from backo.core.collection import BaseCollection

from .responses import JSON_MIMETYPE, to_json

#: A check of the item's current state, run inside a write's transaction.
type Precondition = Callable[[Any], None]


def etag_of_text(text: str) -> str:
    """The strong entity tag (unquoted) of a JSON body."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def etag_of(seen: Any) -> str:
    """The strong entity tag (unquoted) of what ``GET`` answers for ``seen``."""
    return etag_of_text(to_json(seen))


def _mtime(text_body: Any) -> datetime.datetime | None:
    meta = text_body.get("_meta") if isinstance(text_body, dict) else None
    mtime = meta.get("mtime") if isinstance(meta, dict) else None
    if not isinstance(mtime, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(mtime)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def item_response(seen: Any) -> Response:
    """The answer of ``GET {c}/<_id>``: the JSON body with ``ETag`` and ``Last-Modified``, or a 304."""
    body = to_json(seen)
    tag = etag_of_text(body)
    if request.if_none_match and request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    else:
        response = Response(body, status=200, mimetype=JSON_MIMETYPE)
    response.set_etag(tag)
    # a plain record holds its JSON values already; only an Item's answer is read back
    record = seen if isinstance(seen, dict) else (json.loads(body) if body.startswith("{") else None)
    mtime = _mtime(record)
    if mtime is not None:
        response.headers["Last-Modified"] = http_date(mtime)
    return response


def precondition(collection: BaseCollection) -> Precondition | None:
    """The ``If-Match`` check of a write on one item of ``collection``, or None without the header.

    :raises PreconditionRequired: 428, the collection requires ``If-Match`` and it is missing.
    """
    if "If-Match" not in request.headers:
        if getattr(collection, "require_if_match", False):
            raise PreconditionRequired(
                f'Collection "{collection.name}" requires If-Match on writes: GET the item and send its ETag'
            )
        return None
    wanted = request.if_match

    def check(current: Any) -> None:
        if wanted.star_tag:
            return
        if not wanted.contains(etag_of(current)):
            raise PreconditionFailed("The item changed since the ETag given in If-Match: GET it again")

    return check
