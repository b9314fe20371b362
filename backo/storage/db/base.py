"""The contract every database backend implements: :class:`DBConnector`."""

import abc
import re
import uuid
from collections.abc import Hashable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, ClassVar, Self

from backo.error import DBError

from .query import MatchFilter, paginate

#: What :meth:`DBConnector.sibling` accepts as a name.
_SIBLING_NAME = re.compile(r"[A-Za-z0-9_]{1,200}")


class DBConnector(abc.ABC):
    """A store of documents (plain dicts) keyed by a string ``_id``.

    A backend subclasses this and implements the six abstract methods; their docstrings
    are the contract backo relies on. ``generate_id`` comes free (a random decimal
    string) and may be overridden by backends that assign ids themselves. Documents are
    plain JSON-like dicts: a connector never sees Items. Failures are raised as
    :class:`~backo.error.DBError`, and a missing id as :class:`~backo.error.NotFoundError`.

    Example::

        db = DBMemoryConnector()
        _id = db.create({"_id": db.generate_id(None), "title": "Dune"})
        db.get_by_id(_id)  # {"_id": "1316...", "title": "Dune"}
        db.select({"title": ("$reg", "^D")}, sort_object={"title": 1})

    Keyword arguments are parsed non-strictly: unknown ones are ignored, so backends
    can pass their whole ``**kwargs`` up.
    """

    #: Whether :meth:`generate_id` may look at the Item being created. True (the default,
    #: safe for connectors backo does not know) makes backo build the Item of every
    #: create; a connector whose ``generate_id`` never looks at ``o`` declares False, and
    #: plain models are then created without Items (``generate_id(None)``). The
    #: declaration holds for the ``generate_id`` of the class that makes it (or that it
    #: inherits): a subclass overriding ``generate_id`` without declaring it again gets
    #: True. A ``generate_id`` set on an instance always gets the Item.
    generates_ids_from_items: ClassVar[bool] = True

    def __init__(self, **kwargs: Any) -> None:
        #: Optional callable returning a match filter that every query of this
        #: connector must also satisfy (row-level restriction); None when unused.
        self.restriction_filter: Any = kwargs.get("restriction")

    def __copy__(self) -> Self:
        """Return ``self``: a connector is an identity object, not a value.

        stricto copies every attribute of an Item when it copies it, and every copy of
        an Item must keep talking to the same store (same files, same memory, same
        client) rather than to a duplicate of it.
        """
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """Return ``self``, for the reason given in :meth:`__copy__`."""
        return self

    @abc.abstractmethod
    def drop(self) -> None:
        """Remove every document of the collection."""

    @abc.abstractmethod
    def create(self, o: dict[str, Any]) -> str:
        """Store a new document and return the ``_id`` to use from now on.

        backo sets ``o["_id"]`` to ``generate_id(item)`` first; a backend that assigns
        its own ids returns the one it assigned, which then replaces the Item's id.
        Creating an id that already exists raises DBError. ``o`` is not kept: mutating
        it afterwards does not change the stored document.
        """

    @abc.abstractmethod
    def save(self, _id: str, o: dict[str, Any]) -> None:
        """Replace the document ``_id`` by ``o`` as a whole (fields absent from ``o`` go).

        Upsert: saving an unknown id creates it, because rolling back a delete saves
        the deleted document again.
        """

    @abc.abstractmethod
    def get_by_id(self, _id: str) -> dict[str, Any]:
        """Return the document ``_id`` (a dict containing ``"_id"``).

        Raises NotFoundError if there is none. The caller owns the returned dict:
        mutating it does not change the stored document.
        """

    @abc.abstractmethod
    def delete_by_id(self, _id: str) -> bool:
        """Remove the document ``_id``; return True if one was removed, else False."""

    @abc.abstractmethod
    def select(
        self,
        select_filter: MatchFilter,
        projection: dict[str, Any] | None = None,
        page_size: int = 0,
        num_of_element_to_skip: int = 0,
        sort_object: dict[str, int] | None = None,
    ) -> list[dict[str, Any]]:
        """Return the documents matching ``select_filter``, as a list of dicts with ``"_id"``.

        ``select_filter`` uses the stricto match-filter language (None: everything),
        ``projection`` keeps or drops fields the MongoDB way, ``sort_object`` maps field
        names to 1 (ascending) or -1 (descending), and ``page_size`` (0: no limit) and
        ``num_of_element_to_skip`` cut one page after sorting. backo itself calls
        ``select(filter_or_None, {}, 0, 0, sort)`` and pages on its side.
        """

    def select_page(
        self,
        select_filter: MatchFilter,
        page_size: int,
        num_of_element_to_skip: int,
        sort_object: dict[str, int] | None,
        *,
        count: bool = True,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """One page of the matching documents, sorted, and how many documents match in all.

        What a paginated list needs, and all it needs: backends that can count and page
        without handing out every document override it (the embedded stores copy only
        the page, MongoDB counts and pages on the server). This default asks
        :meth:`select` for every matching document and cuts the page itself.

        ``count=False``: the total is not wanted (a collection's ``count="none"``, or a
        total the core takes from :meth:`estimated_count`): a store that would run a count
        query skips it and returns None; one that knows the total for free may return it.

        .. versionadded:: 0.3.0
        """
        documents = self.select(select_filter, {}, 0, 0, sort_object)
        if not isinstance(documents, list):
            raise DBError("{0}.select returned {1}, not a list", type(self).__name__, type(documents).__name__)
        return paginate(documents, page_size, num_of_element_to_skip), len(documents)

    def answers_exactly(self, select_filter: MatchFilter) -> bool:
        """Whether :meth:`select_page` answers ``select_filter`` exactly as ``query.matches`` would.

        The pushdown contract. When the core knows that a filter means the same on the
        stored documents as stricto's ``match`` on the Items (plain fields only, see
        :meth:`backo.core.plain_model.PlainModel.pushable`), it asks the store whether
        it evaluates that filter, on the stored documents, with exactly the semantics of
        :func:`~backo.storage.db.query.matches` (the same documents selected, for every
        value a document may hold: types, missing fields, lists, numbers, regular
        expressions on the store's engine). True lets the core hand the filter, the sort
        and the page down to :meth:`select_page` (one query for the page and one for
        the count on a database); False keeps the matching in Python, as 0.2.1 did.

        Fail closed: answer True only for filters the store is certain of. The default is
        False, so a connector that does not know this method is never given a filter.

        .. versionadded:: 0.3.0
        """
        return False

    def estimated_count(self) -> int | None:
        """About how many documents the collection holds, cheaper than counting them; None
        when the store has no such estimate (the default: the core then counts exactly).

        Asked for the unfiltered lists of a collection declared ``count="estimated"``:
        MongoDB answers ``estimated_document_count()``, PostgreSQL its planner's
        statistics. A store applying a ``restriction`` answers None (the estimate would
        count documents the restriction hides).

        .. versionadded:: 0.3.0
        """
        return None

    def select_for_reading(
        self, select_filter: MatchFilter, sort_object: dict[str, int] | None
    ) -> list[dict[str, Any]]:
        """Every document matching ``select_filter``, sorted, which the caller promises not to mutate.

        A selection reads every matching document but keeps few of them: stores that hold
        their documents in memory override this to hand out their own objects, without a
        copy each (the caller copies those it keeps). The default is :meth:`select`.

        .. versionadded:: 0.3.0
        """
        return self.select(select_filter, {}, 0, 0, sort_object)

    def write_lock(self) -> AbstractContextManager[Any]:
        """A lock held by backo around each write operation (create, save, delete with its references).

        Threads of one process are serialised by the backoffice itself; a backend shared by
        several processes returns an inter-process lock here (the YAML store locks a file
        in its folder). The default is no lock.
        """
        return nullcontext()

    @property
    def storage_location(self) -> Hashable | None:
        """Where this connector keeps its documents, as a hashable identity; None if unknown.

        Two connectors with equal locations read and write the same documents: a
        back office registering two collections on one location logs a WARNING (see
        :meth:`BaseBackoffice.register_collection`). The YAML store answers its folder's
        (device, inode), the same however the folder is spelled. The default is None:
        nothing to compare.

        .. versionadded:: 0.3.0
        """
        return None

    def sibling(self, name: str) -> "DBConnector":
        """A new, separate store of the same kind, next to this one, called ``name``.

        Where backo keeps what belongs to a collection without being its documents: the
        version history, the soft-deleted Items, the change events' outbox. A sibling
        lives where this store lives (a subfolder ``_backo/<name>`` of a YAML folder, a
        table ``<table>__<name>`` of the same SQL database, a MongoDB collection
        ``<collection>.<name>`` of the same database, a new memory store), so that its
        writes join the same transactions as this store's. ``name`` is made of letters,
        digits and ``_``.

        The default refuses: a backend that cannot make one (REST) cannot have history,
        soft delete or change events.

        :raises DBError: this store cannot make a sibling, or ``name`` is not an identifier.

        .. versionadded:: 0.3.0
        """
        raise DBError(
            "{0} cannot keep a sibling store ({1}): history, soft delete and change events need a "
            "memory, YAML, SQLite, PostgreSQL or MongoDB store",
            type(self).__name__,
            name,
        )

    @staticmethod
    def _sibling_name(name: str) -> str:
        """``name`` if it is a sibling name (letters, digits, ``_``), else DBError."""
        if not isinstance(name, str) or not _SIBLING_NAME.fullmatch(name):
            raise DBError('Invalid sibling store name "{0}": letters, digits and "_" only', name)
        return name

    def generate_id(self, o: Any) -> str:
        """Return a new random id for ``o``: a decimal string of 1 to 20 digits.

        These are the upper 64 bits of a UUID4; ``o`` (the Item being created) is
        there for backends that derive the id from the object.
        """
        return str(uuid.uuid4().int >> 64)

    # -- helpers for the backends that keep whole documents themselves ---------------

    def _reject_restriction(self, store_name: str) -> None:
        """Refuse a ``restriction`` this backend cannot enforce, rather than ignore it."""
        if self.restriction_filter is not None:
            raise DBError("Restriction filter not implemented for {0}", store_name)

    def _id_for_create(self, o: dict[str, Any]) -> str:
        """The id under which ``create(o)`` stores ``o``: ``o["_id"]``, or a new one if unset."""
        _id = o.get("_id")
        return self.generate_id(o) if _id is None else str(_id)
