"""Transactions: undo logs that make one logical operation all-or-nothing.

A create, save or delete, together with every reference update it causes, is recorded
step by step in the backoffice's undo log; if any step fails, :func:`transaction`
replays the log backwards (last in, first out) directly on the storage connectors.
Transactions live in memory: they make an operation atomic for this process, they are
not durable and do not isolate concurrent operations.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING

from backo.log import TRANSACTION, get_logger

if TYPE_CHECKING:
    from .backoffice import BaseBackoffice

log = get_logger(TRANSACTION)


class OperatorType(Enum):
    """What a recorded step did, hence how to undo it."""

    CREATE = 1
    DELETE = 2
    UPDATE = 3

    def __repr__(self) -> str:
        return self.name


class Transaction:
    """One recorded step: ``operation`` on item ``_id`` of ``collection_name``.

    ``obj`` is the stored document before the step (None for a create).
    """

    def __init__(self, collection_name: str, operation: OperatorType, _id: str, obj: dict | None) -> None:
        self.collection_name = collection_name
        self.operation = operation
        self._id = _id
        self.obj = obj

    def rollback(self, backoffice: "BaseBackoffice") -> None:
        """Undo this step on the collection's connector (no events, rights or metadata)."""
        db_handler = backoffice.collections[self.collection_name].db_handler
        if self.operation is OperatorType.CREATE:
            db_handler.delete_by_id(self._id)
        else:
            db_handler.save(self._id, self.obj)

    def __repr__(self) -> str:
        return f"Transaction({self.collection_name!r}, {self.operation!r}, {self._id!r})"


@contextmanager
def transaction(backoffice: "BaseBackoffice | None", transaction_id: int | None = None) -> Iterator[int | None]:
    """Run the block inside a transaction and yield its id.

    If ``transaction_id`` is given, the block joins that transaction (its owner commits or
    rolls back). Otherwise a new one is opened: committed when the block ends, rolled
    back when it raises, and the exception goes on to the caller. Without a backoffice
    (an Item outside any Collection) there is nothing to record and None is yielded.
    """
    if backoffice is None:
        yield transaction_id
        return
    if transaction_id is not None:
        if transaction_id not in backoffice.transactions:
            raise KeyError(transaction_id)
        yield transaction_id
        return
    with backoffice.exclusive():
        new_id = backoffice.start_transaction()
        try:
            yield new_id
        except BaseException:
            backoffice.rollback_transaction(new_id)
            raise
        backoffice.stop_transaction(new_id)


OperatorType.__module__ = "backo.transaction"
Transaction.__module__ = "backo.transaction"
