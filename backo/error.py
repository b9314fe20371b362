"""The backo exception family.

Every backo error is both a Python ``Exception`` and a stricto ``StrictoError`` and
renders, with ``str()`` and ``repr()`` alike, as ``Exception("<formatted message>")``:
that text is what the HTTP layer puts in error bodies, so it is part of the wire
contract (BEHAVIOR.md 11.1)::

    _BackoException(Exception, StrictoError)   message formatting and rendering, once
    ├── DBError             a storage connector failed                      (HTTP 500)
    ├── NotFoundError       no stored item has this id                      (HTTP 404)
    │   └── InvalidObjectIdError (also a DBError) MongoDB: the id is no ObjectId (HTTP 404)
    ├── PathNotFoundError   a field path does not exist, or is not a File   (HTTP 400)
    ├── FilterError         (also a TypeError) a filter's regex is refused  (HTTP 400)
    ├── BackoError          workflow errors, delete strategy refusals, loops (HTTP 500)
    ├── SessionError        no usable current user                          (HTTP 500)
    ├── FileError           file content missing or unreadable              (HTTP 500)
    └── MissingExtraError   (also an ImportError) an optional dependency is
                            not installed; names the extra to install       (HTTP 500)

Catch ``StrictoError`` to handle backo and stricto errors alike.
This module imports nothing else from backo.
"""

from typing import Any

from stricto import StrictoError


class _BackoException(Exception, StrictoError):
    """Common base: ``message_format.format(*args, **kwargs)`` is the message."""

    def __init__(self, message_format: str, *args: Any, **kwargs: Any) -> None:
        StrictoError.__init__(self, message_format, *args, **kwargs)
        Exception.__init__(self, message_format, *args)

    def __repr__(self) -> str:
        return f'Exception("{self.to_string()}")'

    def __str__(self) -> str:
        return repr(self)


class DBError(_BackoException):
    """A storage connector could not do what was asked (I/O, driver or remote error)."""


class NotFoundError(_BackoException):
    """The connector has no item (or endpoint) with this id."""


class InvalidObjectIdError(NotFoundError, DBError):
    """MongoDB: the id is not an ObjectId, so no document can have it.

    0.2.1 raised a ``DBError`` (``Mongo connection error while "{coll}.find_one()"``); this
    error is that ``DBError``, same text, and also a ``NotFoundError``, so the HTTP layer,
    which looks at ``NotFoundError`` first, still answers 404.
    """


class PathNotFoundError(_BackoException):
    """A field path does not exist in the item, or does not designate the expected type."""


class FilterError(_BackoException, TypeError):
    """A filter cannot run as written: a regular expression too long, or one the linear-time
    engine (re2) cannot run (see :mod:`backo.storage.db.regex`).

    Also a ``TypeError``, the class of the other bad filters (a selection filter that is not
    a dict...), so the HTTP layer answers 400.
    """


class BackoError(_BackoException):
    """A workflow rule was broken: wrong item status, non-empty reference list, loop limit."""


class SessionError(_BackoException):
    """No current user can be found for this request."""


class FileError(_BackoException):
    """File content is missing from its connector or could not be read or written."""


class MissingExtraError(_BackoException, ImportError):
    """A feature needs an optional dependency that is not installed (see :mod:`backo.extras`).

    The message names the feature, the missing module and the install line of the extra
    that brings it, e.g. ``DBMongoConnector needs pymongo, which is not installed: pip
    install 'backoffice-kit[mongo]'``. Also an ``ImportError``, what code that probes for an
    optional module already catches.
    """


__all__ = [
    "DBError",
    "NotFoundError",
    "InvalidObjectIdError",
    "PathNotFoundError",
    "FilterError",
    "BackoError",
    "SessionError",
    "FileError",
    "MissingExtraError",
]
