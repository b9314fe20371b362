"""Request bodies: the content-type guard and the body turned into a plain Python value.

Accepted bodies (BEHAVIOR.md 10.2):

* ``application/json`` (parameters such as ``; charset=utf-8`` allowed): the JSON value;
* ``multipart/form-data``: the JSON object of the ``_json`` field, then every other form
  field not starting with ``_`` and every uploaded file, set at its dotted path
  (``addr.city``) with :func:`append_path_to_filter` — form values stay strings, files
  are werkzeug ``FileStorage`` objects.

Anything else is refused with 415 ``Unsuported Media Type`` (0.2.1's spelling), a body
that is not valid JSON with 400.
"""

import functools
import json
from collections.abc import Callable
from typing import Any

from flask import Request, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from backo.core.filters import append_path_to_filter

from .responses import JSON_MIMETYPE, text_response

MULTIPART_MIMETYPE = "multipart/form-data"

#: The body of a 415 answer, spelled as backo 0.2.1 spells it.
UNSUPPORTED_MEDIA_TYPE = "Unsuported Media Type"

#: The multipart field holding the JSON part of the object.
MULTIPART_JSON_FIELD = "_json"


def has_supported_content_type(req: Request) -> bool:
    """Tell whether ``req`` carries JSON or multipart form data (parameters ignored)."""
    return req.mimetype in (JSON_MIMETYPE, MULTIPART_MIMETYPE)


def require_content_type() -> None:
    """Refuse the running request unless its body is JSON or multipart.

    :raises UnsupportedMediaType: 415, also when the request has no Content-Type at all.
    """
    if not has_supported_content_type(request):
        raise UnsupportedMediaType(UNSUPPORTED_MEDIA_TYPE)


def check_content_type[**P](f: Callable[P, Any]) -> Callable[P, Any]:
    """Decorate a view: answer 415 ``Unsuported Media Type`` unless the body is JSON or multipart."""

    @functools.wraps(f)
    def checked(*args: P.args, **kwargs: P.kwargs) -> Any:
        if not has_supported_content_type(request):
            return text_response(UNSUPPORTED_MEDIA_TYPE, 415)
        return f(*args, **kwargs)

    return checked


def parse_json(data: bytes | str, what: str = "body") -> Any:
    """Decode JSON text.

    :raises BadRequest: 400 naming ``what`` and the decoder's complaint.
    """
    try:
        return json.loads(data)
    except ValueError as exc:
        raise BadRequest(f"The {what} is not valid JSON: {exc}") from exc


def _multipart_object(req: Request) -> dict[str, Any]:
    """The object a multipart request describes: ``_json``, then form fields, then files."""
    obj: dict[str, Any] = {}
    if MULTIPART_JSON_FIELD in req.form:
        obj = parse_json(req.form[MULTIPART_JSON_FIELD], f'multipart field "{MULTIPART_JSON_FIELD}"')
        if not isinstance(obj, dict):
            raise BadRequest(f'The multipart field "{MULTIPART_JSON_FIELD}" must hold a JSON object')
    for name, value in req.form.items():
        if not name.startswith("_"):
            append_path_to_filter(obj, name, value)
    for name, uploaded in req.files.items():
        append_path_to_filter(obj, name, uploaded)
    return obj


def request_to_object(req: Request) -> Any:
    """The body of ``req`` as a Python value; None if it is neither JSON nor multipart.

    :raises BadRequest: the body (or the ``_json`` field) is not valid JSON.
    """
    if req.mimetype == JSON_MIMETYPE:
        return parse_json(req.get_data())
    if req.mimetype == MULTIPART_MIMETYPE:
        return _multipart_object(req)
    return None


def request_body() -> Any:
    """The body of the running request, after the content-type guard.

    :raises UnsupportedMediaType: not JSON nor multipart. :raises BadRequest: bad JSON.
    """
    require_content_type()
    return request_to_object(request)
