"""A connector whose documents live in a collection of another backo: :class:`DBRedirect`.

Differences from backo 0.2.1, all deliberate:

* ``select`` asks the remote for every object (``_page=0``; 0.2.1 saw only the first
  page of 10) and applies filter, sort, pagination and projection locally.
* ``create`` and ``save`` do not send ``_id`` and ``_meta``: the remote backo owns them
  (0.2.1 sent them, and the remote refused with 403 every save whose local metadata
  differed from its own, i.e. nearly all of them).
* ``generate_id`` returns a string ("" for a new Item) rather than the Item's field.
"""

from typing import Any

from backo.error import DBError
from backo.log import DB_REDIRECT, get_logger

from .listing import apply_query
from .query import MatchFilter
from .rest import DBRestfullConnector

_log = get_logger(DB_REDIRECT)

#: What the remote backo manages itself, hence never sent to it.
REMOTE_OWNED_FIELDS = ("_id", "_meta")


def _for_remote(o: dict[str, Any]) -> dict[str, Any]:
    """``o`` without the fields the remote backo owns."""
    return {key: value for key, value in o.items() if key not in REMOTE_OWNED_FIELDS}


class DBRedirect(DBRestfullConnector):
    """Store a collection's documents in a collection of another backo, over its REST API.

    ``remote_collection`` is the collection's name on the remote; the other keywords
    are those of :class:`DBRestfullConnector` (``prefix`` is usually
    ``"api/<remote app name>"``, or ``"<remote app name>"`` without a route prefix).
    The remote assigns ids and metadata, and applies its own rights.

    Example::

        # books are kept by the "library" backo served at http://10.0.0.5:5000/api/library
        books = Collection("books", Book(), DBRedirect(
            "books", host="10.0.0.5", port=5000, prefix="api/library"))
    """

    generates_ids_from_items = False  # generate_id reads only the _id: "" for any new Item, never its fields

    def __init__(self, remote_collection: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: The collection's name on the remote backo: the endpoint of every request.
        self.remote_collection = remote_collection

    def _on_remote(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The endpoint options of one call, aimed at the remote collection."""
        return {**kwargs, "endpoint": self.remote_collection}

    def generate_id(self, o: Any) -> str:
        """The current ``_id`` of ``o`` ("" for a new Item): the remote assigns the real one."""
        current = o.get("_id") if isinstance(o, dict) else getattr(o, "_id", None)
        get_value = getattr(current, "get_value", None)
        if callable(get_value):  # the _id field of an Item
            current = get_value()
        return "" if current is None else str(current)

    def drop(self, **kwargs: Any) -> None:
        """Refused: a remote collection is not dropped over HTTP."""
        raise DBError("DBRedirect doenst implement drop() method")  # 0.2.1's text

    def create(self, o: dict[str, Any], **kwargs: Any) -> str:
        """``POST`` the object to the remote collection; return the remote's new id."""
        return super().create(_for_remote(o), **self._on_remote(kwargs))

    def save(self, _id: str, o: dict[str, Any], **kwargs: Any) -> None:
        """``PUT`` the object; the remote assigns the keys it receives (not an upsert)."""
        super().save(_id, _for_remote(o), **self._on_remote(kwargs))

    def get_by_id(self, _id: str, **kwargs: Any) -> dict[str, Any]:
        """See :meth:`DBRestfullConnector.get_by_id`."""
        return super().get_by_id(_id, **self._on_remote(kwargs))

    def delete_by_id(self, _id: str, **kwargs: Any) -> bool:
        """See :meth:`DBRestfullConnector.delete_by_id`."""
        return super().delete_by_id(_id, **self._on_remote(kwargs))

    def select(
        self,
        select_filter: MatchFilter,
        projection: dict[str, Any] | None = None,
        page_size: int = 0,
        num_of_element_to_skip: int = 0,
        sort_object: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        """Every remote object (``_page=0``), filtered, sorted, paged and projected here."""
        options = self._on_remote(kwargs)
        options["query_options"] = {"_page": 0, **(kwargs.get("query_options") or {})}
        documents = super().select(None, **options)
        _log.debug("%s: %d remote objects", self.remote_collection, len(documents))
        return apply_query(documents, select_filter, projection, page_size, num_of_element_to_skip, sort_object)
