"""An in-memory database connector, for tests and scripts: :class:`DBMemoryConnector`."""

import threading
from typing import Any

from backo.error import DBError, NotFoundError

from .held import HeldDocumentsConnector
from .listing import SortedOrderCache
from .query import clone


class DBMemoryConnector(HeldDocumentsConnector):
    """Keep the documents of one collection in a dict, in insertion order.

    Thread-safe. Documents are cloned on the way in and on the way out, so callers
    never share data with the store. Nothing is persisted. ``restriction`` is not
    supported (DBError), like on the YAML connector.

    Example::

        books = Collection("books", Book(), DBMemoryConnector())

    .. versionadded:: 0.3.0
    """

    generates_ids_from_items = False  # generate_id never looks at the Item: random ids

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reject_restriction("memory")
        self._documents: dict[str, dict[str, Any]] = {}
        # Stored documents are never mutated in place, only replaced, so readers may
        # clone them after releasing the lock.
        self._lock = threading.RLock()
        # Replaced on every change: the sort cache compares it by identity.
        self._version = object()
        self._orders = SortedOrderCache()

    def sibling(self, name: str) -> "DBMemoryConnector":
        """See :meth:`DBConnector.sibling`: a new, empty memory store."""
        self._sibling_name(name)
        return DBMemoryConnector()

    def drop(self) -> None:
        """See :meth:`DBConnector.drop`."""
        with self._lock:
            self._documents.clear()
            self._version = object()

    def create(self, o: dict[str, Any]) -> str:
        """See :meth:`DBConnector.create`."""
        _id = self._id_for_create(o)
        document = clone(o)
        document["_id"] = _id
        with self._lock:
            if _id in self._documents:
                raise DBError('_id "{0}" already exist in memory', _id)
            self._documents[_id] = document
            self._version = object()
        return _id

    def save(self, _id: str, o: dict[str, Any]) -> None:
        """See :meth:`DBConnector.save`."""
        key = str(_id)
        document = clone(o)
        document["_id"] = key
        with self._lock:
            self._documents[key] = document
            self._version = object()

    def get_by_id(self, _id: str) -> dict[str, Any]:
        """See :meth:`DBConnector.get_by_id`."""
        with self._lock:
            document = self._documents.get(str(_id))
        if document is None:
            raise NotFoundError('_id "{0}" not found in memory', _id)
        return clone(document)

    def delete_by_id(self, _id: str) -> bool:
        """See :meth:`DBConnector.delete_by_id`."""
        with self._lock:
            removed = self._documents.pop(str(_id), None) is not None
            if removed:
                self._version = object()
            return removed

    def _ordered(self, sort_object: dict[str, int] | None) -> list[dict[str, Any]]:
        """Every stored document (shared, not copied) in the order of ``sort_object``."""
        with self._lock:
            documents = list(self._documents.values())
            version = self._version
        return self._orders.sort(version, documents, sort_object)
