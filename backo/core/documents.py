"""The document path's writes: store a plain document as an Item's create or save would.

The plain-model fast path (:mod:`backo.core.plain_model`) reads, creates and updates
stored documents without building Items. Whoever takes that path (:mod:`backo.core.operations`
for the routes, :mod:`backo.core.references.sync` for reverse fields) writes through
here, so that the ``_meta`` stamp, the write and the undo record are done one way.
No events and no rights: the caller checked those before choosing this path.

This module knows a collection only by what it uses (:class:`DocumentCollection`), so
that it imports neither the collection nor the references.
"""

from collections.abc import Sequence
from typing import Protocol, cast

from backo.storage.db.base import DBConnector

from .metadata import StandardMetaDataHandler
from .transaction import OperatorType, UndoRecorder, transaction
from .write_journal import WriteObserver, journal


class DocumentCollection(Protocol):
    """A collection as the document path uses it (:class:`~backo.core.collection.BaseCollection` is one)."""

    @property
    def name(self) -> str | None: ...

    @property
    def db_handler(self) -> DBConnector | None: ...

    @property
    def backoffice(self) -> UndoRecorder | None: ...

    @property
    def write_observers(self) -> Sequence[WriteObserver]: ...


def connector(collection: DocumentCollection) -> DBConnector:
    """The collection's connector (always set by the collection's constructor)."""
    return cast(DBConnector, collection.db_handler)


def insert_document(collection: DocumentCollection, document: dict, transaction_id: int | None) -> dict:
    """Store a new ``document`` (its ``_meta`` already stamped) as :meth:`Item.create` would:
    the id the connector gives, the write and the undo record. Returns ``document``, ``_id`` set.

    Joins the transaction ``transaction_id`` (a new one if None).
    """
    db_handler = connector(collection)
    with transaction(collection.backoffice, transaction_id) as current_transaction:
        document["_id"] = db_handler.generate_id(None)
        document["_id"] = db_handler.create(document)
        journal(collection, current_transaction, OperatorType.CREATE, document["_id"], None, document)
    return document


def save_document(
    collection: DocumentCollection, document: dict, stored: dict, transaction_id: int | None, stamps_meta: bool
) -> dict:
    """Write ``document`` over ``stored`` as :meth:`Item.save` would: the ``_meta`` stamp (if
    the model ``stamps_meta``), the write and the undo record. Returns ``document``.

    Joins the transaction ``transaction_id`` (a new one if None).
    """
    db_handler = connector(collection)
    with transaction(collection.backoffice, transaction_id) as current_transaction:
        if stamps_meta:
            document["_meta"] = StandardMetaDataHandler.modification_stamp(document["_meta"])
        db_handler.save(document["_id"], document)
        journal(collection, current_transaction, OperatorType.UPDATE, document["_id"], stored, document)
    return document
