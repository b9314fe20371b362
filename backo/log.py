"""Logging for backo: ``log_system``, ``Logger``, ``LogLevel``, ``stack``.

backo writes through standard :mod:`logging` loggers with documented names
(:data:`LOGGER_NAMES`). ``log_system`` keeps track of them so that one call can attach a
handler to all of them, or change all their levels::

    from backo import log_system, LogLevel
    log_system.add_handler(log_system.set_streamhandler())
    log_system.setLevel(LogLevel.INFO)

This module imports nothing else from backo.
"""

import inspect
import logging
import logging.handlers
import sys
from typing import IO, Any

# The documented logger names, with the level each gets when backo first creates it.
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


#: The level of each named logger once backo has created it (BEHAVIOR.md 15.3).
LOGGER_NAMES: dict[str, int] = {
    BACKOFFICE: LogLevel.INFO,
    COLLECTION: LogLevel.INFO,
    ITEM: LogLevel.ERROR,
    REF: LogLevel.DEBUG,
    TRANSACTION: LogLevel.ERROR,
    YML: LogLevel.ERROR,
    MONGO: LogLevel.INFO,
    SELECT: LogLevel.INFO,
    MIGRATION: LogLevel.ERROR,
    ACTION: LogLevel.ERROR,
    HTTP: LogLevel.ERROR,
    LOOP: LogLevel.INFO,
    FILE: LogLevel.INFO,
    DB_REDIRECT: LogLevel.ERROR,
    DB_RESTFULL: LogLevel.DEBUG,
}

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

    Example::

        log = log_system.get_or_create_logger("custom", LogLevel.DEBUG)
        log.debug("hello")
    """

    def __init__(self) -> None:
        #: name -> logging.Logger, for every logger created through this registry
        self.loggers: dict[str, logging.Logger] = {}
        #: handlers attached to every logger, present and future
        self.handlers_for_all: list[logging.Handler] = []

    def get_or_create_logger(self, name: str, level: int = LogLevel.ERROR) -> logging.Logger:
        """Return the logger ``name``, registering it on first use; set its level to ``level``.

        The returned logger has a ``get_last_message()`` method that asks its first handler
        able to answer (see :meth:`set_memoryhandler`).
        """
        logger = logging.getLogger(name)
        if name not in self.loggers:
            self.loggers[name] = logger
            for handler in self.handlers_for_all:
                logger.addHandler(handler)
            logger.get_last_message = lambda: _last_message_of(logger)  # type: ignore[attr-defined]
        logger.setLevel(level)
        return logger

    def setLevel(self, level: int) -> None:  # noqa: N802 - documented name
        """Set the level of every registered logger."""
        for logger in self.loggers.values():
            logger.setLevel(level)

    def add_handler(self, handler: logging.Handler, name: str = "all") -> None:
        """Attach ``handler`` to the logger ``name``, or with ``"all"`` to every logger."""
        if name != "all":
            logger = self.loggers.get(name)
            if logger is not None:
                logger.addHandler(handler)
            return
        self.handlers_for_all.append(handler)
        for logger in self.loggers.values():
            logger.addHandler(handler)

    def set_streamhandler(
        self, stream: IO[str] = sys.stderr, loglevel: int = LogLevel.DEBUG
    ) -> logging.Handler:
        """Return a coloured StreamHandler on ``stream``."""
        handler = logging.StreamHandler(stream)
        handler.setLevel(loglevel)
        handler.setFormatter(MyFormatter(colored=True))
        return handler

    def set_filehandler(self, filename: str, loglevel: int = LogLevel.DEBUG) -> logging.Handler:
        """Return a plain FileHandler writing to ``filename``."""
        handler = logging.FileHandler(filename)
        handler.setLevel(loglevel)
        handler.setFormatter(MyFormatter(colored=False))
        return handler

    def set_memoryhandler(
        self, target: logging.Handler | None, capacity: int = 100, flushLevel: int = 1000  # noqa: N803
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
    """Return backo's logger ``name`` with its documented initial level (for backo modules)."""
    existing = log_system.loggers.get(name)
    if existing is not None:
        return existing
    return log_system.get_or_create_logger(name, LOGGER_NAMES.get(name, LogLevel.ERROR))


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


__all__ = ["Logger", "LogLevel", "log_system", "stack", "MyFormatter", "get_logger"]
