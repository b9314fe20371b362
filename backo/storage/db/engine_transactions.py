"""Engine transactions tied to backo's transactions: the :class:`UnitOfWork` of a thread.

backo's own transactions (:mod:`backo.core.transaction`) are undo logs: each write is
recorded, and replayed backwards if a later step fails. A database that has transactions of
its own (SQLite, PostgreSQL) does better: every write of one backo transaction runs in one
engine transaction, and a failure rolls it back in the engine, atomically, without any undo
step replayed by Python.

The link is this module, storage-level and generic. The core opens a :class:`UnitOfWork`
when a backo transaction starts (:func:`open_unit`) and commits or rolls it back when the
transaction ends. A connector with engine transactions asks :func:`current_unit` before each
statement: inside a unit it :meth:`~UnitOfWork.join`\\ s it, which begins one engine transaction
per database (its ``key``: two connectors on one database share it) at their first
statement; outside a unit, each statement commits on its own. The core does not record undo
steps for the connectors a unit :meth:`~UnitOfWork.covers`.

One unit per thread (a :class:`~contextvars.ContextVar`): a backo transaction opened while
another one is open on the same thread (a nested backoffice) works inside the outer unit,
which commits everything at the end.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, Protocol

from backo.error import DBError
from backo.log import TRANSACTION, get_logger

log = get_logger(TRANSACTION)


class EngineTransaction(Protocol):
    """One open transaction of one database engine."""

    def commit(self) -> None:
        """Make the transaction's writes durable and visible (raises if the engine refuses)."""

    def rollback(self) -> None:
        """Discard the transaction's writes."""


class UnitOfWork:
    """The engine transactions one backo transaction opened, on one thread.

    Not thread-safe, and needs not be: a unit belongs to the thread that opened it.
    """

    def __init__(self) -> None:
        self._engines: dict[Hashable, EngineTransaction] = {}
        self._members: dict[int, object] = {}
        #: True once committed or rolled back: joining it then is an error.
        self.closed = False
        #: what opened it (the core's transaction: its owner and id), for the undo log to recognise
        self.owner: Any = None

    def join[T: EngineTransaction](self, key: Hashable, begin: Callable[[], T], member: object) -> T:
        """The engine transaction of database ``key``, begun by ``begin()`` the first time.

        ``member`` (the connector) is remembered: :meth:`covers` answers True for it.

        :raises DBError: the unit is already closed.
        """
        if self.closed:
            raise DBError("The unit of work is already closed")
        self._members[id(member)] = member
        engine = self._engines.get(key)
        if engine is None:
            engine = self._engines[key] = begin()
        return engine  # type: ignore[return-value]  # the one ``begin`` of this key made it

    def covers(self, connector: object) -> bool:
        """Whether ``connector``'s writes of this unit run in one of its engine transactions."""
        return self._members.get(id(connector)) is connector

    def commit(self) -> None:
        """Commit every engine transaction, in the order they began.

        If one commit fails, the transactions not committed yet are rolled back and the
        failure is raised as DBError (with one database, nothing was written).
        """
        self.closed = True
        pending = list(self._engines.values())
        self._engines.clear()
        for index, engine in enumerate(pending):
            try:
                engine.commit()
            except Exception as error:
                for rest in pending[index + 1 :]:
                    _rollback_quietly(rest)
                if isinstance(error, DBError):
                    raise
                raise DBError("Commit of the engine transaction failed: {0}", error) from error

    def rollback(self) -> None:
        """Roll every engine transaction back (a failing rollback is logged, the others still run)."""
        self.closed = True
        pending = list(self._engines.values())
        self._engines.clear()
        for engine in reversed(pending):
            _rollback_quietly(engine)


def _rollback_quietly(engine: EngineTransaction) -> None:
    try:
        engine.rollback()
    except Exception:  # noqa: BLE001 - the engine drops the transaction anyway (connection lost)
        log.exception("Rollback of an engine transaction failed")


_CURRENT: ContextVar[UnitOfWork | None] = ContextVar("backo_unit_of_work", default=None)


def current_unit() -> UnitOfWork | None:
    """The open unit of this thread, or None: connectors then commit each statement."""
    unit = _CURRENT.get()
    return None if unit is None or unit.closed else unit


def open_unit() -> UnitOfWork | None:
    """Open a unit on this thread and return it, or None if one is open already (it goes on)."""
    if current_unit() is not None:
        return None
    unit = UnitOfWork()
    _CURRENT.set(unit)
    return unit


def close_unit(unit: UnitOfWork) -> None:
    """Forget ``unit`` as this thread's current one (after its commit or rollback)."""
    unit.closed = True
    if _CURRENT.get() is unit:
        _CURRENT.set(None)


def joined(connector: Any) -> bool:
    """Whether ``connector`` works inside this thread's open unit."""
    unit = current_unit()
    return unit is not None and unit.covers(connector)
