"""BaseBackoffice: the application — its collections, its transactions, its checks."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from stricto import EVENT_MANAGER, SSyntaxError, validation_parameters

from backo.log import BACKOFFICE, get_logger
from backo.options import parse_options
from backo.storage.db.base import DBConnector

from .collection import BaseCollection, as_id
from .copying import COPY_PROGRESS_EVERY, CopyReport, copy_documents
from .integrity import check_integrity
from .migration import MIGRATE_OPTIONS, MigrationReport
from .transaction import OperatorType, TransactionLog, UndoStep

log = get_logger(BACKOFFICE)


class BaseBackoffice:
    """The domain side of a Backoffice (no HTTP): a registry of collections.

    Registered collections are reachable as attributes (``backoffice.users``) unless
    their name is already an attribute of the backoffice (then use
    ``backoffice.collections["name"]``). ``enforce_rights=True`` evaluates the rights of
    every action and selection of its collections (``can_see``, ``can_execute``,
    ``can_read``), which 0.2.1 evaluates only once they are enabled one by one
    (see :mod:`backo.core.enforcement`).
    """

    name: str | None = None
    collections: dict = {}
    #: evaluate the rights of every action and selection (off by default, as in 0.2.1)
    enforce_rights: bool = False

    @validation_parameters
    def __init__(self, name: str, enforce_rights: bool = False) -> None:
        self.name = name
        self.enforce_rights = enforce_rights
        self.collections: dict[str, BaseCollection] = {}
        #: the undo log of every operation on this backoffice's collections
        self._transaction_log = TransactionLog(self._connector_locks, owner=self)

    @property
    def transactions(self) -> dict[int, list[UndoStep]]:
        """The open transactions: id -> recorded steps, oldest first (0.2.1's attribute)."""
        return self._transaction_log.transactions

    @property
    def _transaction_id_reference(self) -> int:
        """0.2.1's private counter, read-only: the last transaction id handed out (1 before the
        first, which is 2)."""
        return self._transaction_log.last_id

    def __copy__(self) -> "BaseBackoffice":
        # A backoffice is a registry: everything registered in it shares it.
        return self

    def __getattr__(self, name: str) -> Any:
        collections = self.__dict__.get("collections", {})
        if name in collections:
            return collections[name]
        registered = ", ".join(collections) or "none"
        owner = self.__dict__.get("name")
        raise AttributeError(f"backoffice {owner!r} has no attribute or collection {name!r}; collections: {registered}")

    def __repr__(self) -> str:
        return f"<Backoffice {self.name!r}>"

    @validation_parameters
    def register_collection(self, coll: BaseCollection) -> None:
        """Add ``coll`` to this backoffice.

        When ``coll``'s store keeps its documents where a collection already registered in
        this backoffice keeps its own (equal :attr:`DBConnector.storage_location`, e.g. two
        YAML stores on one folder), one WARNING on the ``backoffice`` logger names them:
        each will list, read and overwrite the other's documents (as in 0.2.1, which said
        nothing). The registration goes on unchanged.

        :raises SSyntaxError: a collection of that name is already registered.
        """
        if coll.name in self.collections:
            raise SSyntaxError('Backoffice register_collection : collection "{0}" already registered', coll.name)
        self._warn_of_a_shared_location(coll)
        self.collections[coll.name] = coll
        coll.attach_to(self)

    def _warn_of_a_shared_location(self, coll: BaseCollection) -> None:
        """Log one WARNING if ``coll`` keeps its documents where registered collections do."""
        location = getattr(coll.db_handler, "storage_location", None)
        if location is None:
            return
        sharing = [
            name
            for name, other in self.collections.items()
            if getattr(other.db_handler, "storage_location", None) == location
        ]
        if not sharing:
            return
        place = getattr(coll.db_handler, "path", None)
        where = f'the folder "{place}"' if isinstance(place, str) else f"the store location {location!r}"
        others = ", ".join(f'"{name}"' for name in sharing)
        others = f"collection {others} does" if len(sharing) == 1 else f"collections {others} do"
        log.warning(
            'Backoffice "%s": collection "%s" keeps its documents in %s, as %s: '
            "each lists, reads and can overwrite the other's documents. Give each collection its own store.",
            self.name,
            coll.name,
            where,
            others,
        )

    add_collection = register_collection

    def get_meta(self) -> dict:
        """``{"name": ..., "collections": [...]}`` in registration order."""
        return {"name": self.name, "collections": [coll.get_meta() for coll in self.collections.values()]}

    def check_syntax(self) -> None:
        """Ask every model to check its references; problems are logged on the ``ref`` logger."""
        log.debug("Check syntax start")
        for coll in self.collections.values():
            EVENT_MANAGER.trigg("check_syntax", coll.model, coll.model)
        log.debug("Check syntax end")

    @validation_parameters
    def migrate(
        self, collection_name: str, migration_function: Callable | None = None, **kwargs: Any
    ) -> MigrationReport:
        """Migrate the stored objects of the collection ``collection_name``; a dry run by default.

        Keywords (others are ignored): ``_id`` (one id) or ``_ids`` (a list; None, the
        default, is every object), ids as str or as Items' ``_id``; ``dry_run`` (default
        True); ``progress_every`` (default 1000); ``on_error``: ``"raise"`` (default, as
        0.2.1: the first object that cannot be migrated raises its error) or ``"report"``
        (it is listed in ``report.failures`` and the others go on). See
        :meth:`Collection.migrate`.

        :raises SSyntaxError: no collection of that name.
        """
        for key in ("_id", "_ids"):  # None is the documented default: not given
            if key in kwargs and kwargs[key] is None:
                del kwargs[key]
        if "_id" in kwargs:
            kwargs["_id"] = as_id(kwargs["_id"])
        if isinstance(kwargs.get("_ids"), list):
            kwargs["_ids"] = [as_id(_id) for _id in kwargs["_ids"]]
        options = parse_options(kwargs, MIGRATE_OPTIONS, strict=False)
        collection = self.collections.get(collection_name)
        if collection is None:
            raise SSyntaxError('Backoffice migration : collection "{0}" not registered', collection_name)
        _ids = options["_ids"]
        if _ids is None and options["_id"] is not None:
            _ids = [options["_id"]]
        return collection.migrate(
            migration_function, _ids, options["dry_run"], options["progress_every"], on_error=options["on_error"]
        )

    def copy_collection(
        self,
        source: "str | BaseCollection",
        target_connector: DBConnector,
        *,
        progress_every: int = COPY_PROGRESS_EVERY,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> CopyReport:
        """Copy every stored document of ``source`` (a registered name, or a collection) into
        the empty store ``target_connector``, ids kept, and check that the counts match.

        For moving data between stores (YAML to SQLite, to PostgreSQL...): documents are
        copied as stored, under backo's write lock (no write of this process, nor of
        another on the same YAML folders, runs meanwhile). Progress is logged every
        ``progress_every`` documents on ``backo.migration``, and given to
        ``on_progress(done, total)`` after each document if set (a progress bar). See
        :mod:`backo.core.copying`.

        :raises SSyntaxError: no collection of that name.
        :raises DBError: the target is not empty, a write fails, or the counts differ.

        .. versionadded:: 0.3.0
        """
        collection = self.collections.get(source) if isinstance(source, str) else source
        if collection is None:
            raise SSyntaxError('Backoffice copy : collection "{0}" not registered', source)
        with self.exclusive():
            return copy_documents(
                str(collection.name), collection.db_handler, target_connector, progress_every, on_progress=on_progress
            )

    def check_integrity(self) -> list[str]:
        """Every reference whose target is missing or does not point back (empty: consistent).

        .. versionadded:: 0.3
        """
        return check_integrity(self)

    # --- transactions: 0.2.1's methods, delegated to the undo log (backo.core.transaction) ---

    def _connector_locks(self) -> Iterator[AbstractContextManager[Any]]:
        """Every collection connector's :meth:`~backo.DBConnector.write_lock`, in name order."""
        for name in sorted(self.collections):
            yield self.collections[name].db_handler.write_lock()

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold backo's write lock: one write operation at a time (see :mod:`backo.locks`).

        The lock is one for the whole process, re-entrant, and includes the inter-process
        lock of every folder a store of this process writes in (taken in one global
        order). Reference updates read and write several collections, possibly of
        several back offices: running them one operation at a time keeps both sides
        consistent, and cannot deadlock. The first level of each backoffice (per thread)
        also enters every collection connector's :meth:`~backo.DBConnector.write_lock`
        (in name order), for custom connectors that lock a shared backend.
        """
        return self._transaction_log.exclusive()

    def start_transaction(self) -> int:
        """Open a transaction and return its id (the first is 2)."""
        return self._transaction_log.start_transaction()

    def on_commit(self, transaction_id: int, action: Callable[[], None]) -> None:
        """Run ``action`` once the transaction commits; it is dropped if the transaction rolls back.

        For what cannot be undone, like removing replaced file content.
        """
        self._transaction_log.on_commit(transaction_id, action)

    def stop_transaction(self, transaction_id: int) -> None:
        """Commit: forget the recorded steps, run the commit actions.

        :raises KeyError: unknown transaction.
        """
        self._transaction_log.stop_transaction(transaction_id)

    def record_transaction(
        self,
        transaction_id: int | None,
        collection_name: str,
        operation: OperatorType,
        _id: str,
        obj: dict | None,
        db_handler: DBConnector | None = None,
    ) -> None:
        """Record one step of an open transaction (nothing if ``transaction_id`` is falsy),
        to be undone on ``db_handler`` (default: the connector of the collection
        ``collection_name``; a sibling store's writes name their own)."""
        if db_handler is None:
            collection = self.collections.get(collection_name)
            db_handler = None if collection is None else collection.db_handler
        self._transaction_log.record_transaction(transaction_id, collection_name, operation, _id, obj, db_handler)

    def record_step(self, transaction_id: int, step: UndoStep) -> None:
        """Add an undo step of any kind (an object with ``rollback(backoffice)``) to an open transaction."""
        self._transaction_log.record_step(transaction_id, step)

    def rollback_transaction(self, transaction_id: int) -> None:
        """Undo the recorded steps, newest first, then forget the transaction.

        A step that cannot be undone is logged and the others are still undone.
        """
        self._transaction_log.rollback_transaction(transaction_id)
