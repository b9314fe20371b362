"""Logging for backo: ``log_system``, ``Logger``, ``LogLevel``, ``stack``.

backo logs as the Python logging HOWTO asks of a library ("Configuring Logging for a
Library"): its loggers live under one parent, ``backo`` (``backo.http``, ``backo.ref``,
``backo.yml``...), which carries a :class:`logging.NullHandler` and nothing else, and
backo sets **no level** on any of them. The application's own logging configuration
decides what is shown: an app configured for WARNING sees no backo INFO line.

``log_system`` keeps track of the loggers under their documented short names
(:data:`LOGGER_NAMES`: ``"http"`` is the logger ``backo.http``), so that one call can
attach a handler to all of them, or set all their levels (the only way backo's levels
change is that the application asks)::

    from backo import log_system, LogLevel
    log_system.add_handler(log_system.set_streamhandler())
    log_system.setLevel(LogLevel.DEBUG)  # backo talkative, for debugging

This module imports nothing else from backo.
"""

import inspect
import logging
import logging.handlers
import os
import sys
from typing import IO, Any

# The documented (short) logger names; each is the logger ``backo.<name>``.
BACKOFFICE = "backoffice"
COLLECTION = "collection"
ITEM = "Item"
REF = "ref"
TRANSACTION = "transaction"
YML = "yml"
MONGO = "mongo"
SELECT = "select"
MIGRATION = "migration"
ACTION = "action"
HTTP = "http"
LOOP = "loop"
FILE = "file"
DB_REDIRECT = "DBRedirect"
DB_RESTFULL = "db-restfull-connector"


class LogLevel:
    """The :mod:`logging` level numbers, by name."""

    CRITICAL = logging.CRITICAL
    FATAL = logging.FATAL
    ERROR = logging.ERROR
    WARNING = logging.WARNING
    WARN = logging.WARN
    INFO = logging.INFO
    DEBUG = logging.DEBUG
    NOTSET = logging.NOTSET

    @classmethod
    def get(cls, level_as_str: str) -> int:
        """Return the level called ``level_as_str`` (``"DEBUG"``...), or 0 if unknown."""
        value = getattr(cls, level_as_str, 0)
        return value if isinstance(value, int) else 0


#: The parent of every backo logger; it carries a NullHandler and no level.
ROOT = "backo"

#: Each documented short name and the logger it stands for (``"http"`` -> ``"backo.http"``).
#: 0.2.1 used the short names themselves as global logger names; ``log_system`` still
#: answers to them (``log_system.get_or_create_logger("http")``, ``log_system.loggers["http"]``).
LOGGER_NAMES: dict[str, str] = {
    name: f"{ROOT}.{name}"
    for name in (
        BACKOFFICE,
        COLLECTION,
        ITEM,
        REF,
        TRANSACTION,
        YML,
        MONGO,
        SELECT,
        MIGRATION,
        ACTION,
        HTTP,
        LOOP,
        FILE,
        DB_REDIRECT,
        DB_RESTFULL,
    )
}

_root_logger = logging.getLogger(ROOT)
if not any(isinstance(handler, logging.NullHandler) for handler in _root_logger.handlers):
    # The HOWTO's advice: records of an unconfigured app go nowhere (no "last resort" output).
    _root_logger.addHandler(logging.NullHandler())


def qualified_name(name: str) -> str:
    """The :mod:`logging` name of the logger ``name``: ``backo.<name>`` for a documented
    name (:data:`LOGGER_NAMES`), ``name`` itself for any other (an application's own)."""
    return LOGGER_NAMES.get(name, name)


def _short_name(name: str) -> str:
    """The registry key of ``name``: ``"backo.http"`` is registered as ``"http"``."""
    prefix = f"{ROOT}."
    if name.startswith(prefix) and name[len(prefix) :] in LOGGER_NAMES:
        return name[len(prefix) :]
    return name


#: NO_COLOR (https://no-color.org): when set to a non-empty value, no ANSI colours.
NO_COLOR_VARIABLE = "NO_COLOR"


def wants_colour(stream: Any) -> bool:
    """Whether a handler writing to ``stream`` should colour its lines: only when the
    stream is a terminal and the ``NO_COLOR`` environment variable is unset or empty."""
    if os.environ.get(NO_COLOR_VARIABLE):
        return False
    isatty = getattr(stream, "isatty", None)
    if not callable(isatty):
        return False
    try:
        return bool(isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


_DEBUG_FORMAT = '%(levelname)s-%(name)s- "%(pathname)s", line %(lineno)d : %(message)s'
_PLAIN_FORMATS = {
    logging.DEBUG: _DEBUG_FORMAT,
    logging.INFO: "%(levelname)s :%(message)s",
}
_DEFAULT_FORMAT = "%(levelname)s : %(message)s"

_RESET = "\x1b[0m"
_COLOURS = {
    logging.DEBUG: "\x1b[32m",  # green
    logging.INFO: "\x1b[38;20m",  # grey
    logging.WARNING: "\x1b[33;20m",  # yellow
    logging.ERROR: "\x1b[91m",  # red
    logging.CRITICAL: "\x1b[31;1m",  # bold red
}


class MyFormatter(logging.Formatter):
    """Formats records by level; with ``colored=True`` wraps them in ANSI colours."""

    def __init__(self, colored: bool = False) -> None:
        super().__init__()
        self._colored = colored

    def _format_for(self, levelno: int) -> str:
        if self._colored:
            fmt = _DEBUG_FORMAT if levelno == logging.DEBUG else _DEFAULT_FORMAT
            return _COLOURS.get(levelno, "") + fmt + _RESET
        return _PLAIN_FORMATS.get(levelno, _DEFAULT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return logging.Formatter(self._format_for(record.levelno)).format(record)


class _LastMessageMemoryHandler(logging.handlers.MemoryHandler):
    """A MemoryHandler that can tell the last record it buffered (used by tests)."""

    def get_last_message(self) -> logging.LogRecord | None:
        """Return the last buffered record, or None."""
        with self.lock:  # type: ignore[union-attr]
            return self.buffer[-1] if self.buffer else None


class Logger:
    """The registry of backo's loggers and of the handlers shared by all of them.

    Loggers are registered under their short name (``"http"``); a documented name
    stands for the logger ``backo.<name>`` (see :data:`LOGGER_NAMES`), any other name
    for the :mod:`logging` logger of that name. backo registers its own loggers without
    a level; levels change only through this registry's methods, or the application's
    own :mod:`logging` configuration.

    Example::

        log = log_system.get_or_create_logger("custom", LogLevel.DEBUG)
        log.debug("hello")
    """

    def __init__(self) -> None:
        #: short name -> logging.Logger, for every logger created through this registry
        self.loggers: dict[str, logging.Logger] = {}
        #: handlers attached to every logger, present and future
        self.handlers_for_all: list[logging.Handler] = []
        #: the level of the last :meth:`setLevel`, given to loggers registered later too
        self.level_for_all: int | None = None

    def _register(self, name: str) -> logging.Logger:
        """The logger ``name``, registered on first use with the shared handlers (and the
        level of :meth:`setLevel`, if it was called); backo itself sets no level."""
        key = _short_name(name)
        logger = self.loggers.get(key)
        if logger is None:
            logger = logging.getLogger(qualified_name(key))
            self.loggers[key] = logger
            for handler in self.handlers_for_all:
                logger.addHandler(handler)
            if self.level_for_all is not None:
                logger.setLevel(self.level_for_all)
            logger.get_last_message = lambda: _last_message_of(logger)  # type: ignore[attr-defined]
        return logger

    def get_or_create_logger(self, name: str, level: int = LogLevel.ERROR) -> logging.Logger:
        """Return the logger ``name``, registering it on first use; set its level to ``level``.

        A documented name (``"http"``, ``"ref"``...) gives backo's logger ``backo.<name>``;
        any other name the :mod:`logging` logger of that name. As in 0.2.1 the level is
        set on every call (this is the application asking). The returned logger has a
        ``get_last_message()`` method that asks its first handler able to answer (see
        :meth:`set_memoryhandler`).
        """
        logger = self._register(name)
        logger.setLevel(level)
        return logger

    def setLevel(self, level: int) -> None:  # noqa: N802 - documented name
        """Set the level of every registered logger, present and future (backo registers
        some of its loggers on first use, e.g. ``mongo`` when the MongoDB store is imported)."""
        self.level_for_all = level
        for logger in self.loggers.values():
            logger.setLevel(level)

    def add_handler(self, handler: logging.Handler, name: str = "all") -> None:
        """Attach ``handler`` to the logger ``name``, or with ``"all"`` to every logger."""
        if name != "all":
            logger = self.loggers.get(_short_name(name))
            if logger is not None:
                logger.addHandler(handler)
            return
        self.handlers_for_all.append(handler)
        for logger in self.loggers.values():
            logger.addHandler(handler)

    def set_streamhandler(
        self, stream: IO[str] = sys.stderr, loglevel: int = LogLevel.DEBUG, colored: bool | None = None
    ) -> logging.Handler:
        """Return a StreamHandler on ``stream`` with backo's formats.

        Its lines are coloured (ANSI sequences) only when ``stream`` is a terminal and
        the ``NO_COLOR`` environment variable is unset or empty (see :func:`wants_colour`);
        ``colored=True`` or ``False`` decides instead.
        """
        handler = logging.StreamHandler(stream)
        handler.setLevel(loglevel)
        handler.setFormatter(MyFormatter(colored=wants_colour(stream) if colored is None else colored))
        return handler

    def set_filehandler(self, filename: str, loglevel: int = LogLevel.DEBUG) -> logging.Handler:
        """Return a plain FileHandler writing to ``filename``."""
        handler = logging.FileHandler(filename)
        handler.setLevel(loglevel)
        handler.setFormatter(MyFormatter(colored=False))
        return handler

    def set_memoryhandler(
        self,
        target: logging.Handler | None,
        capacity: int = 100,
        flushLevel: int = 1000,  # noqa: N803
    ) -> logging.Handler:
        """Return a MemoryHandler whose ``get_last_message()`` gives the last buffered record."""
        return _LastMessageMemoryHandler(capacity, flushLevel=flushLevel, target=target)


def _last_message_of(logger: logging.Logger) -> Any:
    for handler in logger.handlers:
        getter = getattr(handler, "get_last_message", None)
        if callable(getter):
            return getter()
    return None


#: The process-wide registry used by backo and by applications.
log_system = Logger()


def get_logger(name: str) -> logging.Logger:
    """Return backo's logger ``name`` (``backo.<name>``), registered in ``log_system``, for
    backo modules. No level is set: the application's configuration decides."""
    return log_system._register(name)


def stack(level: int = 10) -> str:
    """Return a text drawing of the call stack, from the caller's caller up to ``level`` frames."""
    frames = inspect.stack()
    lines = ["\r\n  / \r\n"]
    last = 1
    for index in range(2, min(level, len(frames))):
        frame = frames[index]
        lines.append(f'{" " * index}\\ called by "{frame.filename}", line {frame.lineno}, in {frame.function}\r\n')
        last = index
    lines.append(f"{' ' * last} \\__\r\n")
    return "".join(lines)


__all__ = ["Logger", "LogLevel", "log_system", "stack", "MyFormatter", "get_logger", "wants_colour"]
