"""The one place every write of a stored document passes: undo record, then observers.

Every create, save and delete of a collection's document, whichever path wrote it (an
Item's ``create``/``save``/``delete``, the document path of plain models, reference
updates, cascades, migrations), calls :func:`journal` right after the connector's write.
It records the undo step in the open transaction (0.2.1's ``record_transaction``), then
tells the collection's :class:`WriteObserver` objects what was written (a :class:`Write`):
the version history and the change events' outbox are observers. An observer that writes
somewhere records its own undo step with :func:`record_side_write`, in the same
transaction: if the transaction rolls back, what it wrote goes too.

A collection without observers (the default) pays one empty loop per write.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from backo.storage.db.base import DBConnector

from .transaction import OperatorType


@dataclass(frozen=True, slots=True)
class Write:
    """One write of a stored document, as the connector received it.

    ``previous`` is the stored document before the write (None for a create), ``current``
    the one written (None for a delete). Observers must not mutate either.
    """

    collection: str
    operation: OperatorType
    _id: str
    previous: dict | None
    current: dict | None
    #: the transaction the write belongs to (None: the write is not in one)
    transaction_id: int | None


class WriteObserver(Protocol):
    """What a collection tells of each of its writes (history, change events)."""

    def written(self, write: Write) -> None:
        """React to ``write``, inside its transaction; raising makes the transaction roll back."""


class JournaledCollection(Protocol):
    """A collection as :func:`journal` uses it (:class:`~backo.core.collection.BaseCollection` is one)."""

    @property
    def name(self) -> str | None: ...

    @property
    def backoffice(self) -> Any: ...

    @property
    def write_observers(self) -> Sequence[WriteObserver]: ...


def journal(
    collection: JournaledCollection,
    transaction_id: int | None,
    operation: OperatorType,
    _id: str,
    previous: dict | None,
    current: dict | None,
) -> None:
    """Record the undo step of a write just done on ``collection``'s connector, then tell its observers."""
    backoffice = collection.backoffice
    name = str(collection.name)
    if backoffice is not None:
        backoffice.record_transaction(transaction_id, name, operation, _id, previous)
    observers = collection.write_observers
    if observers:
        write = Write(name, operation, str(_id), previous, current, transaction_id)
        for observer in observers:
            observer.written(write)


def record_side_write(
    backoffice: Any,
    transaction_id: int | None,
    connector: DBConnector,
    label: str,
    operation: OperatorType,
    _id: str,
    previous: dict | None,
) -> None:
    """Record the undo step of a write an observer did on ``connector`` (a sibling store).

    ``label`` names the store in logs (``"books/_history"``). Nothing is recorded outside a
    transaction, nor for a connector whose engine transaction undoes it anyway.
    """
    if backoffice is not None:
        backoffice.record_transaction(transaction_id, label, operation, _id, previous, db_handler=connector)
