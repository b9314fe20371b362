"""Transactions: undo logs that make one logical operation all-or-nothing.

A create, save or delete, together with every reference update it causes, is recorded
step by step in an undo log (:class:`TransactionLog`, one per backoffice); if any step
fails, :func:`transaction` replays the log backwards (last in, first out) directly on
the storage connectors. Transactions live in memory: they make an operation atomic for
this process, they are not durable; the write lock (:mod:`backo.locks`), held for the
whole transaction, makes operations take turns.

Connectors whose database has transactions of its own (SQLite, PostgreSQL) take part
through a :class:`~backo.storage.db.engine_transactions.UnitOfWork`: each transaction
:func:`transaction` opens as the outermost one of its thread opens a unit; the connectors
join it at their first statement (one engine transaction per database), their writes are
not recorded as undo steps, and the unit commits before the commit actions run, or rolls
back in the engine when the transaction rolls back. Other stores keep 0.2.1's undo steps,
and so do transactions driven by hand (``start_transaction``/``stop_transaction``, which
cannot promise to end: an engine transaction left open would hold every later write).

This module knows nothing of collections or backoffices: a step carries the connector it
undoes on, and :func:`transaction` works on anything shaped like a
:class:`TransactionOwner` (a :class:`TransactionLog`, or a backoffice delegating to its
own, whose methods subclasses may extend).
"""

import itertools
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from enum import Enum
from typing import Any, Protocol, cast

from backo.locks import hold_write_lock
from backo.log import BACKOFFICE, TRANSACTION, get_logger
from backo.storage.db import engine_transactions
from backo.storage.db.base import DBConnector

log = get_logger(TRANSACTION)
#: Rollbacks and failed commit actions are reported on the ``backoffice`` logger, as always.
_report = get_logger(BACKOFFICE)

#: What :meth:`TransactionLog.exclusive` enters at its first level: the connectors' own locks.
ConnectorLocks = Callable[[], Iterable[AbstractContextManager[Any]]]


class OperatorType(Enum):
    """What a recorded step did, hence how to undo it."""

    CREATE = 1
    DELETE = 2
    UPDATE = 3

    def __repr__(self) -> str:
        return self.name


class UndoStep(Protocol):
    """A step of a transaction: anything that can undo itself.

    ``rollback`` receives the log's owner (the backoffice), for 0.2.1's signature; the
    steps backo records do not need it.
    """

    def rollback(self, backoffice: Any) -> None: ...


class Transaction:
    """One recorded step: ``operation`` on item ``_id`` of ``collection_name``.

    ``obj`` is the stored document before the step (None for a create). ``db_handler`` is
    the connector the step is undone on; when it is None (a step built as in 0.2.1), it is
    the connector of the collection ``collection_name`` of the backoffice given to
    :meth:`rollback`.
    """

    def __init__(
        self,
        collection_name: str,
        operation: OperatorType,
        _id: str,
        obj: dict | None,
        db_handler: DBConnector | None = None,
    ) -> None:
        self.collection_name = collection_name
        self.operation = operation
        self._id = _id
        self.obj = obj
        self.db_handler = db_handler

    def rollback(self, backoffice: Any = None) -> None:
        """Undo this step on its connector (no events, rights or metadata)."""
        db_handler = self.db_handler
        if db_handler is None:
            db_handler = backoffice.collections[self.collection_name].db_handler
        if self.operation is OperatorType.CREATE:
            db_handler.delete_by_id(self._id)
        else:  # an UPDATE or a DELETE: obj is the document it replaced
            db_handler.save(self._id, cast(dict, self.obj))

    def __repr__(self) -> str:
        return f"Transaction({self.collection_name!r}, {self.operation!r}, {self._id!r})"


class TransactionOwner(Protocol):
    """What :func:`transaction` needs: a :class:`TransactionLog`, or a backoffice (which delegates to its log)."""

    @property
    def transactions(self) -> dict[int, list[Any]]: ...

    def exclusive(self) -> AbstractContextManager[None]: ...

    def start_transaction(self) -> int: ...

    def stop_transaction(self, transaction_id: int) -> None: ...

    def rollback_transaction(self, transaction_id: int) -> None: ...


class UndoRecorder(TransactionOwner, Protocol):
    """A :class:`TransactionOwner` that also records database steps (a backoffice: 0.2.1's
    ``record_transaction``, which knows each collection's connector)."""

    def record_transaction(
        self,
        transaction_id: int | None,
        collection_name: str,
        operation: OperatorType,
        _id: str,
        obj: dict | None,
        db_handler: DBConnector | None = None,
    ) -> None: ...


def _no_connector_locks() -> Iterable[AbstractContextManager[Any]]:
    return ()


class TransactionLog:
    """The undo log of one backoffice: the open transactions, their steps and commit actions,
    and the entry into the write lock.

    Ids are handed out from 2 up (0.2.1's numbering). ``locks`` gives the context managers
    :meth:`exclusive` enters at its first level (a backoffice gives its connectors'
    :meth:`~backo.DBConnector.write_lock`); ``owner`` is what the steps' ``rollback``
    receives (the backoffice, for steps written for 0.2.1's ``rollback(backoffice)``).
    Thread-safe: the table of transactions is guarded by a lock.
    """

    def __init__(self, locks: ConnectorLocks = _no_connector_locks, owner: Any = None) -> None:
        #: open transactions: id -> recorded steps, oldest first
        self.transactions: dict[int, list[UndoStep]] = {}
        self._locks = locks
        self._owner = owner
        #: the last transaction id handed out (1: none yet)
        self.last_id = 1
        self._ids = itertools.count(2)
        self._mutex = threading.Lock()
        self._commit_actions: dict[int, list[Callable[[], None]]] = {}
        self._depth = threading.local()

    @contextmanager
    def exclusive(self, locks: ConnectorLocks | None = None) -> Iterator[None]:
        """Hold backo's write lock: one write operation at a time (see :mod:`backo.locks`).

        The lock is one for the whole process, re-entrant, and includes the inter-process
        lock of every folder a store of this process writes in (taken in one global
        order). The first level of this log, per thread, also enters the context managers
        ``locks()`` gives (default: the ``locks`` given to the log), in that order: a
        backoffice gives its connectors' ``write_lock()``, for custom connectors that lock
        a shared backend.
        """
        with hold_write_lock():
            depth = getattr(self._depth, "value", 0)
            self._depth.value = depth + 1
            try:
                if depth:
                    yield
                    return
                with ExitStack() as stack:
                    for lock in (locks or self._locks)():
                        stack.enter_context(lock)
                    yield
            finally:
                self._depth.value = depth

    def start_transaction(self) -> int:
        """Open a transaction and return its id (the first is 2)."""
        with self._mutex:
            transaction_id = self.last_id = next(self._ids)
            self.transactions[transaction_id] = []
        return transaction_id

    def on_commit(self, transaction_id: int, action: Callable[[], None]) -> None:
        """Run ``action`` once the transaction commits; it is dropped if the transaction rolls back."""
        with self._mutex:
            self._commit_actions.setdefault(transaction_id, []).append(action)

    def stop_transaction(self, transaction_id: int) -> None:
        """Commit: forget the recorded steps, run the commit actions (a failing one is logged).

        :raises KeyError: unknown transaction.
        """
        with self._mutex:
            del self.transactions[transaction_id]
            actions = self._commit_actions.pop(transaction_id, [])
        for action in actions:
            try:
                action()
            except Exception:  # noqa: BLE001 - already committed: report and go on
                _report.exception("After-commit action of transaction %s failed", transaction_id)

    def record_transaction(
        self,
        transaction_id: int | None,
        collection_name: str,
        operation: OperatorType,
        _id: str,
        obj: dict | None,
        db_handler: DBConnector | None = None,
    ) -> None:
        """Record one database step of an open transaction (nothing if ``transaction_id`` is falsy).

        Nothing either for a write of ``db_handler`` inside the engine unit of this very
        transaction (see :func:`transaction`): the engine undoes it.
        """
        if not transaction_id:
            return
        unit = engine_transactions.current_unit()
        if (
            db_handler is not None
            and unit is not None
            and unit.covers(db_handler)
            and self._opened(unit, transaction_id)
        ):
            return
        self.transactions[transaction_id].append(Transaction(collection_name, operation, _id, obj, db_handler))

    def _opened(self, unit: engine_transactions.UnitOfWork, transaction_id: int) -> bool:
        """Whether ``unit`` was opened with transaction ``transaction_id`` of this log (or of its owner)."""
        if unit.owner is None:
            return False
        owner, opened_with = unit.owner
        return opened_with == transaction_id and (owner is self or (owner is self._owner and owner is not None))

    def record_step(self, transaction_id: int, step: UndoStep) -> None:
        """Add an undo step of any kind (an object with ``rollback(backoffice)``) to an open transaction."""
        self.transactions[transaction_id].append(step)

    def rollback_transaction(self, transaction_id: int) -> None:
        """Undo the recorded steps, newest first, then forget the transaction.

        A step that cannot be undone is logged and the others are still undone.
        """
        with self._mutex:
            records = self.transactions.pop(transaction_id, [])
            self._commit_actions.pop(transaction_id, None)
        _report.info("Rollback transactions %s with %s actions", transaction_id, len(records))
        for record in reversed(records):
            try:
                record.rollback(self._owner)
            except Exception:  # noqa: BLE001 - keep undoing the other steps
                _report.exception("Rollback of %r in transaction %s failed", record, transaction_id)


@contextmanager
def transaction(owner: TransactionOwner | None, transaction_id: int | None = None) -> Iterator[int | None]:
    """Run the block inside a transaction of ``owner`` and yield its id.

    ``owner`` is a :class:`TransactionLog` or a backoffice (whose transaction methods are
    used, so that a subclass extending them is honoured). If ``transaction_id`` is given,
    the block joins that transaction (whoever opened it commits or rolls it back). Otherwise a new
    one is opened under the write lock: committed when the block ends, rolled back when it
    raises, and the exception goes on to the caller. Without an owner (an Item outside any
    Collection) there is nothing to record and None is yielded.

    A new transaction that is the outermost one of its thread also opens the thread's engine
    unit (see the module docstring): committed just before ``stop_transaction`` (if the
    engines refuse, the transaction is rolled back and the DBError raised), rolled back just
    before ``rollback_transaction``.
    """
    if owner is None:
        yield transaction_id
        return
    if transaction_id is not None:
        if transaction_id not in owner.transactions:
            raise KeyError(transaction_id)
        yield transaction_id
        return
    with owner.exclusive():
        new_id = owner.start_transaction()
        unit = engine_transactions.open_unit()
        if unit is not None:
            unit.owner = (owner, new_id)
        try:
            try:
                yield new_id
            except BaseException:
                if unit is not None:
                    unit.rollback()
                owner.rollback_transaction(new_id)
                raise
            if unit is not None:
                try:
                    unit.commit()
                except BaseException:
                    owner.rollback_transaction(new_id)
                    raise
        finally:
            if unit is not None:
                engine_transactions.close_unit(unit)
        owner.stop_transaction(new_id)
