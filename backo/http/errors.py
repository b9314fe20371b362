"""Exceptions to HTTP answers: one table, looked up along the exception's MRO.

Error bodies are the error's rendering (``str(e)``, e.g. ``TypeError("$.name: Must be a
string (value="12")")``) sent as plain text; werkzeug's HTTP exceptions raised while
parsing a request (bad JSON, bad ``_page``, unsupported content type) keep their own
status and send their description. Anything not in the table is a 500 whose body is
``str(e)``: the traceback goes to the ``http`` logger (``backo.http``), never to the client.

Logging follows the status: a server error (5xx) is an ERROR with its traceback; a
client error (4xx) is the client's business, not the operator's: INFO (DEBUG for a
missing id or path), so that an application logging at WARNING sees only its own faults.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import Response
from stricto import SAttributeError, SConstraintError, SError, SKeyError, SRightError, SSyntaxError, STypeError
from werkzeug.exceptions import HTTPException

from backo.error import BackoError, DBError, FileError, NotFoundError, PathNotFoundError, SessionError
from backo.log import HTTP, get_logger

from .responses import text_response

log = get_logger(HTTP)

#: HTTP status of each exception class (BEHAVIOR.md 11.3); the first class found along
#: ``type(error).__mro__`` wins, anything else is 500. stricto's classes are listed by
#: name because their MROs run through the builtins (STypeError -> TypeError -> Exception).
STATUS_BY_ERROR: dict[type[BaseException], int] = {
    NotFoundError: 404,
    PathNotFoundError: 400,
    DBError: 500,
    BackoError: 500,
    SessionError: 500,
    FileError: 500,
    SRightError: 403,
    SAttributeError: 400,
    STypeError: 400,
    SSyntaxError: 400,
    SConstraintError: 400,
    SKeyError: 400,
    SError: 400,
    AttributeError: 400,
    TypeError: 400,
}

#: Client errors logged at DEBUG rather than INFO: the client asked for something that is not there.
_QUIET = (NotFoundError, PathNotFoundError)


def status_for(error: BaseException) -> int:
    """The HTTP status answering ``error``."""
    if isinstance(error, HTTPException) and error.code is not None:
        return error.code
    for cls in type(error).__mro__:
        status = STATUS_BY_ERROR.get(cls)
        if status is not None:
            return status
    return 500


def error_body(error: BaseException) -> str:
    """The text sent for ``error``: its rendering, or a werkzeug exception's description."""
    if isinstance(error, HTTPException):
        return str(error.description)
    return str(error)


def error_response(error: BaseException) -> Response:
    """Log ``error`` as it deserves and turn it into a plain-text response.

    5xx: ERROR with the traceback; 4xx: INFO, or DEBUG for a missing id or path.
    """
    status = status_for(error)
    body = error_body(error)
    if status >= 500:
        log.error("%s", body, exc_info=error)
    else:
        log.log(logging.DEBUG if isinstance(error, _QUIET) else logging.INFO, "%d %s", status, body)
    return text_response(body, status)


def return_http_error(code: int, message: str) -> tuple[str, int]:
    """The Flask response tuple ``(message, code)`` (0.2.1's helper, kept as it was)."""
    return (message, code)


def error_to_http_handler[**P](f: Callable[P, Any]) -> Callable[P, Any]:
    """Decorate a view so that any exception it raises becomes its HTTP answer (see the table)."""

    @functools.wraps(f)
    def handled(*args: P.args, **kwargs: P.kwargs) -> Any:
        try:
            return f(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - every error becomes an HTTP answer
            return error_response(error)

    return handled
