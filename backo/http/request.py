"""Request bodies: the content-type guard and the body turned into a plain Python value.

Accepted bodies (BEHAVIOR.md 10.2):

* ``application/json`` (parameters such as ``; charset=utf-8`` allowed): the JSON value;
* ``multipart/form-data``: the JSON object of the ``_json`` field, then every other form
  field not starting with ``_`` and every uploaded file, set at its dotted path
  (``addr.city``) with :func:`append_path_to_filter` — form values stay strings, files
  are werkzeug ``FileStorage`` objects.

Anything else is refused with 415 ``Unsuported Media Type`` (0.2.1's spelling), a body
that is not valid JSON with 400.

Hostile bodies are refused before they reach the core:

* JSON nested more than :data:`MAX_JSON_DEPTH` levels (a "JSON bomb" of 10,000 ``[``
  made the decoder raise ``RecursionError``, a 500; a few hundred levels in a
  ``FreeDict`` made stricto raise it), and multipart field names with more than
  :data:`MAX_JSON_DEPTH` dotted parts: 400;
* a body larger than Flask's ``MAX_CONTENT_LENGTH``: 413, also when it is sent with
  ``Transfer-Encoding: chunked`` (werkzeug then stops reading at the limit without an
  error: the truncated body used to be parsed, giving a misleading 400 "not valid JSON").
  ``build_routes`` sets the limit to :data:`DEFAULT_MAX_CONTENT_LENGTH` (16 MiB) when the
  application left it unset;
* a string that cannot be encoded in UTF-8 (a lone surrogate such as ``"\\ud800"``: a valid
  JSON escape, but not text) anywhere in the body: a value, a key, a list element, the
  ``_json`` multipart field or an uploaded file's name: 400 naming where it is
  (``$.tags[1]: ...``). It used to reach the store, whose encoder raised
  ``UnicodeEncodeError``: a 500, or a 500 page when the error message echoed it.
"""

import functools
import json
from collections.abc import Callable
from typing import Any

from flask import Request, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from backo.core.filters import append_path_to_filter

from .responses import JSON_MIMETYPE, text_response

MULTIPART_MIMETYPE = "multipart/form-data"

#: The body of a 415 answer, spelled as backo 0.2.1 spells it.
UNSUPPORTED_MEDIA_TYPE = "Unsuported Media Type"

#: The multipart field holding the JSON part of the object.
MULTIPART_JSON_FIELD = "_json"

#: The deepest nesting accepted in a JSON body (objects and arrays) or in a dotted
#: multipart field name. Models are far shallower; stricto and the decoder recurse
#: once per level or more, and Python stops at 1,000 frames.
MAX_JSON_DEPTH = 100

#: The body limit ``build_routes`` gives an application that set no ``MAX_CONTENT_LENGTH``
#: (16 MiB): without one, Flask reads any body into memory.
DEFAULT_MAX_CONTENT_LENGTH = 16 * 1024 * 1024

#: How much of a path a "cannot be encoded" message repeats.
_SHOWN_PATH = 200


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


def json_depth(value: Any) -> int:
    """How deeply ``value`` nests lists and dicts (a scalar: 0, ``[]``: 1, ``[{}]``: 2).

    Iterative, so that it cannot itself hit the recursion limit.
    """
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        pending.extend((child, depth) for child in children)
    return deepest


def _too_deep(what: str) -> BadRequest:
    return BadRequest(f"The {what} is nested too deeply: at most {MAX_JSON_DEPTH} levels of objects and arrays")


def parse_json(data: bytes | str, what: str = "body") -> Any:
    """Decode JSON text nested at most :data:`MAX_JSON_DEPTH` levels.

    :raises BadRequest: 400 naming ``what`` and the decoder's complaint, or the nesting.
    """
    try:
        value = json.loads(data)
    except RecursionError as exc:
        raise _too_deep(what) from exc
    except ValueError as exc:
        raise BadRequest(f"The {what} is not valid JSON: {exc}") from exc
    if json_depth(value) > MAX_JSON_DEPTH:
        raise _too_deep(what)
    return value


def unencodable_character(text: str) -> str | None:
    """The first character of ``text`` UTF-8 cannot encode, escaped (``\\ud800``); None if all can.

    Only lone surrogates (U+D800 to U+DFFF) cannot: JSON may spell them (``"\\ud800"``),
    but they are not text: libyaml, BSON and plain-text answers (error messages) refuse them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"\\u{ord(text[exc.start]):04x}"
    return None


def _cannot_encode(path: str, what: str, character: str) -> str:
    shown = path if len(path) <= _SHOWN_PATH else path[:_SHOWN_PATH] + "..."
    return f"{shown}: {what} cannot be encoded in UTF-8 (it holds the lone surrogate {character})"


def find_unencodable(value: Any, path: str = "$") -> str | None:
    """Where ``value`` holds a string UTF-8 cannot encode, as a message naming its path; None if nowhere.

    Looks at strings, dict keys, list and tuple elements, and the ``filename`` of uploaded
    files, in document order; paths read as stricto's (``$.addr.city``, ``$.tags[1]``). A
    key that cannot be encoded is reported at its dict's path (it cannot be shown).
    Iterative, so that deep values cannot hit the recursion limit.
    """
    pending: list[tuple[Any, str]] = [(value, path)]
    while pending:
        node, where = pending.pop()
        if isinstance(node, str):
            character = unencodable_character(node)
            if character is not None:
                return _cannot_encode(where, "the string", character)
        elif isinstance(node, dict):
            for key in node:
                character = unencodable_character(key) if isinstance(key, str) else None
                if character is not None:
                    return _cannot_encode(where, "a key", character)
            pending.extend((child, f"{where}.{key}") for key, child in reversed(node.items()))
        elif isinstance(node, (list, tuple)):
            pending.extend((child, f"{where}[{index}]") for index, child in reversed(list(enumerate(node))))
        else:
            filename = getattr(node, "filename", None)
            character = unencodable_character(filename) if isinstance(filename, str) else None
            if character is not None:
                return _cannot_encode(where, "the file name", character)
    return None


def check_encodable(value: Any) -> None:
    """Refuse a request value holding a string UTF-8 cannot encode (see :func:`find_unencodable`).

    :raises BadRequest: 400, ``$.name: the string cannot be encoded in UTF-8 (it holds the
        lone surrogate \\ud800)``.
    """
    if _all_encodable(value):
        return
    problem = find_unencodable(value)
    if problem is not None:
        raise BadRequest(problem)


def _file_name(value: Any) -> Any:
    """JSON stand-in for an upload in :func:`_all_encodable`: its file name."""
    filename = getattr(value, "filename", None)
    return filename if isinstance(filename, str) else None


def _all_encodable(value: Any) -> bool:
    """True when every string of ``value`` can be encoded in UTF-8, told at C speed
    (the JSON encoder copies lone surrogates, the UTF-8 codec refuses them): several times
    faster than :func:`find_unencodable` on a large body, which then runs only to say where.
    False also when the encoder cannot tell (it meets something else)."""
    try:
        json.dumps(value, ensure_ascii=False, default=_file_name).encode("utf-8")
    except (ValueError, TypeError, RecursionError):  # UnicodeEncodeError is a ValueError
        return False
    return True


def _check_field_name(name: str) -> None:
    """Refuse a multipart field name nesting deeper than :data:`MAX_JSON_DEPTH` (``a.b.c...``)."""
    if name.count(".") >= MAX_JSON_DEPTH:
        shown = name if len(name) <= 40 else name[:40] + "..."
        raise BadRequest(f'The multipart field name "{shown}" is nested too deeply: at most {MAX_JSON_DEPTH} levels')


def body_bytes(req: Request) -> bytes:
    """The raw body of ``req``, within the application's ``MAX_CONTENT_LENGTH`` if it sets one.

    werkzeug refuses a declared ``Content-Length`` over the limit (413), but reads a
    streamed (chunked) body only up to the limit, silently. One more byte tells whether
    the body went on.

    :raises RequestEntityTooLarge: 413, the body is larger than the limit.
    """
    data = req.get_data()
    limit = req.max_content_length
    if (
        limit is not None
        and req.content_length is None
        and len(data) >= limit
        and req.environ.get("wsgi.input_terminated")
        and req.environ["wsgi.input"].read(1)
    ):
        raise RequestEntityTooLarge()
    return data


def _multipart_object(req: Request) -> dict[str, Any]:
    """The object a multipart request describes: ``_json``, then form fields, then files.

    A chunked body (no ``Content-Length``) is first read within the limit by
    :func:`body_bytes`, which werkzeug then parses from memory: parsing the stream
    itself, werkzeug answered 413 from the middle of a file part, leaving the temporary
    file it had spooled that part to unclosed.
    """
    if req.content_length is None and req.max_content_length is not None:
        body_bytes(req)
    obj: dict[str, Any] = {}
    if MULTIPART_JSON_FIELD in req.form:
        obj = parse_json(req.form[MULTIPART_JSON_FIELD], f'multipart field "{MULTIPART_JSON_FIELD}"')
        if not isinstance(obj, dict):
            raise BadRequest(f'The multipart field "{MULTIPART_JSON_FIELD}" must hold a JSON object')
    if None in req.form or None in req.files:  # werkzeug could not read a part's name (a line break in it)
        raise BadRequest("A multipart part has no usable name")
    for name, value in req.form.items():
        if not name.startswith("_"):
            _check_field_name(name)
            append_path_to_filter(obj, name, value)
    for name, uploaded in req.files.items():
        _check_field_name(name)
        append_path_to_filter(obj, name, uploaded)
    return obj


def request_to_object(req: Request) -> Any:
    """The body of ``req`` as a Python value; None if it is neither JSON nor multipart.

    :raises BadRequest: the body (or the ``_json`` field) is not valid JSON, nests too
        deeply, or holds a string UTF-8 cannot encode (:func:`check_encodable`).
    :raises RequestEntityTooLarge: the body is over the application's ``MAX_CONTENT_LENGTH``.
    """
    if req.mimetype == JSON_MIMETYPE:
        value = parse_json(body_bytes(req))
    elif req.mimetype == MULTIPART_MIMETYPE:
        value = _multipart_object(req)
    else:
        return None
    check_encodable(value)
    return value


def request_body() -> Any:
    """The body of the running request, after the content-type guard.

    :raises UnsupportedMediaType: not JSON nor multipart. :raises BadRequest: bad JSON,
        or a string that cannot be encoded. :raises RequestEntityTooLarge: over the
        application's ``MAX_CONTENT_LENGTH``.
    """
    require_content_type()
    return request_to_object(request)
