"""Item: one stored object — a stricto Dict schema with an ``_id``, metadata and a workflow.

An Item moves UNSET -> SAVED (``load``/``create``) -> UNSET (``delete``); ``save`` writes
it back. Each of ``create``, ``save`` and ``delete`` is one transaction: if anything it
causes fails (a reference update, a storage error), everything already written is
undone before the error reaches the caller.
"""

import copy
from typing import Any

from stricto import EVENT_MANAGER, Dict, SRightError, String, validation_parameters

from backo.error import BackoError, NotFoundError
from backo.options import parse_options
from backo.storage.db.base import DBConnector

from .field_rights import field_at, hidden_and_read_only, refuse_forbidden_list_changes, refuse_given_values
from .item_kwargs import item_method_kwargs, with_operation_guard
from .metadata import DEFAULT_META_DATA_HANDLER, GenericMetaDataHandler
from .model_copy import copy_item
from .references.loop_guard import BEING_DELETED
from .status import StatusType
from .stricto_support import copy_with_own_events, mentions_view
from .transaction import OperatorType, UndoRecorder, transaction
from .view_shape import encoded_as_view, view_leaves_out_something
from .write_journal import journal

#: How many times computed fields are re-evaluated until stable (stricto allows 10).
_MAX_COMPUTE_ROUNDS = 10

#: The stricto view whose fields are written to the database.
SAVE_VIEW = "save"

#: Fields backo owns: a client cannot supply them when creating an Item.
SYSTEM_FIELDS = ("_id", "_meta")


class _ItemState:
    """What an Item knows beyond its values; copies share the collection and connectors."""

    __slots__ = ("status", "collection", "db_handler", "meta_data_handler", "stored_document")

    def __init__(self, meta_data_handler: GenericMetaDataHandler | None) -> None:
        self.status = StatusType.UNSET
        self.collection: Any = None
        self.db_handler: DBConnector | None = None
        self.meta_data_handler = meta_data_handler
        #: the document as last read from or written to the database
        self.stored_document: dict | None = None

    def __copy__(self) -> "_ItemState":
        twin = _ItemState(self.meta_data_handler)
        twin.status = self.status
        twin.collection = self.collection
        twin.db_handler = self.db_handler
        twin.stored_document = self.stored_document
        return twin


_STATE_ATTRIBUTES = {
    "db_handler": "db_handler",
    "meta_data_handler": "meta_data_handler",
    "_status": "status",
    "_collection": "collection",
}


def _mark_unsaved(event_name: str, root: Any, me: "Item", **kwargs: Any) -> None:
    """stricto's ``"change"`` event: a SAVED Item that changes becomes UNSAVED."""
    if me._status is StatusType.SAVED:
        me._status = StatusType.UNSAVED


#: The handlers every Item registers itself; they change no value.
ITEM_OWN_HANDLERS = frozenset({_mark_unsaved})


class Item(Dict):
    """The schema of a collection's objects, and one object of it.

    Example::

        book = Item({"title": String(required=True), "pages": Int()})
        books = Collection("books", book, DBYmlConnector(path="/data/books"))
        b = books.create({"title": "Dune"})
        b.pages = 412
        b.save()

    ``meta_data_handler`` (default: :class:`StandardMetaDataHandler`) decides what goes in
    ``_meta``; every other keyword is a stricto ``Dict`` option.
    """

    #: the save state, held in ``_ItemState`` (see ``__getattr__``); declared for type checkers only
    _status: StatusType

    @validation_parameters
    def __init__(self, schema: dict, **kwargs: Any) -> None:
        options = parse_options(
            kwargs,
            {"meta_data_handler": {"type": GenericMetaDataHandler | None, "default": DEFAULT_META_DATA_HANDLER}},
            strict=False,
        )
        handler = options.get("meta_data_handler")
        Dict.__init__(self, schema, **kwargs)
        self.__dict__["_state"] = _ItemState(handler)
        self.add_to_model("_id", String(can_modify=False))
        if handler is not None:
            handler.append_schema(self)
        EVENT_MANAGER.register_event(self, "change", _mark_unsaved)

    def __copy__(self) -> "Item":
        return copy_with_own_events(self, copy_item)

    # --- state attributes (kept apart from the stricto values) -------------------------

    def __getattr__(self, name: str) -> Any:
        state_name = _STATE_ATTRIBUTES.get(name)
        if state_name is not None:
            return getattr(self.__dict__["_state"], state_name)
        return Dict.__getattr__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        state_name = _STATE_ATTRIBUTES.get(name)
        if state_name is not None:
            setattr(self.__dict__["_state"], state_name, value)
            return
        Dict.__setattr__(self, name, value)

    @property
    def _loaded_object(self) -> "Item | None":
        """The Item as last read from or written to the database (built on demand)."""
        document = self.__dict__["_state"].stored_document
        return None if document is None else self._item_from_document(document)

    @validation_parameters
    def set_db_handler(self, db_connector: DBConnector) -> None:
        """Store and read this Item through ``db_connector``."""
        self.db_handler = db_connector

    def create_uniq_id(self) -> str:
        """Ask the database connector for a new id for this Item."""
        return self.db_handler.generate_id(self)

    # --- database operations ----------------------------------------------------------

    def load(self, _id: Any, **kwargs: Any) -> None:
        """Fill this (UNSET) Item with the stored object ``_id``; triggers ``"loaded"``.

        :raises NotFoundError: no such id.
        :raises SRightError: no read right.
        """
        kwargs = item_method_kwargs(kwargs)
        if self._status is not StatusType.UNSET:
            raise BackoError("Cannot load an non-unset object in {0}", self._collection_name())
        self._require_right("read", self, "No permission to read element in collection {0}")
        key = _id.get_value() if isinstance(_id, String) else str(_id)
        self._fill_stored(self.db_handler.get_by_id(key))
        self._require_loaded_right()
        self._emit("loaded", **kwargs)

    def reload(self, **kwargs: Any) -> None:
        """Read this Item again from the database (to see changes made elsewhere)."""
        kwargs = item_method_kwargs(kwargs)
        if self._status is StatusType.UNSET:
            raise BackoError("Cannot reload an unset object in {0}", self._collection_name())
        self._require_right("read", self, "No permission to read element in collection {0}")
        document = self.db_handler.get_by_id(self._id.get_value())
        self._status = StatusType.UNSET
        self._fill_stored(document)
        self._require_loaded_right()
        self._emit("loaded", **kwargs)

    def create(self, obj: dict, **kwargs: Any) -> None:
        """Fill this new Item with ``obj``, give it an id and metadata, and store it.

        ``_id`` and ``_meta`` in ``obj`` are ignored: backo sets them. A value for a field
        the current user may not modify (``can_modify``) raises SRightError, as a save
        would, unless it is the field's default. Triggers ``"created"`` after the write;
        if a handler fails, the creation is undone.
        """
        kwargs = item_method_kwargs(kwargs)
        self._require_right("create", None, "No permission to create in collection {0}")
        with transaction(self._backoffice(), kwargs.get("transaction_id")) as transaction_id:
            with_operation_guard(kwargs, transaction_id)
            given = _without_system_fields(obj)
            self.set(given)
            self._refuse_values_not_modifiable(given)
            self._id.set_value(self.create_uniq_id())
            if self.meta_data_handler is not None:
                self.meta_data_handler.update(self)
            self.enable_permissions()
            document = self._document_to_store(None)
            new_id = self.db_handler.create(document)
            self._id.set_value(new_id)
            document["_id"] = new_id
            self._status = StatusType.SAVED
            self._remember(document)
            self._record(transaction_id, OperatorType.CREATE, None, document)
            self._emit("created", **kwargs)

    def save(self, **kwargs: Any) -> None:
        """Write this Item's values; triggers ``"before_save"`` and ``"saved"``.

        Handlers receive ``old_object``, the Item as previously stored. Fields the current
        user cannot read are written back unchanged, never erased.
        """
        kwargs = item_method_kwargs(kwargs)
        if self._status is StatusType.UNSET:
            raise BackoError("Cannot save an unset object in {0}", self._collection_name())
        self._require_right("modify", self, "No permission to modify element in collection {0}")
        with transaction(self._backoffice(), kwargs.get("transaction_id")) as transaction_id:
            with_operation_guard(kwargs, transaction_id)
            if self.meta_data_handler is not None:
                self.meta_data_handler.update(self)
            previous = self._previous_document()
            self._adopt_changes_made_meanwhile(previous)
            refuse_forbidden_list_changes(self, previous)
            self._refuse_hidden_changes(previous)
            if self._listens_to("before_save", "saved"):  # an Item costs a model copy: only when used
                kwargs["old_object"] = self._item_from_document(previous)
            self._emit("before_save", **kwargs)
            document = self._document_to_store(previous)
            self.db_handler.save(self._id.get_value(), document)
            self._status = StatusType.SAVED
            self._remember(document)
            self._record(transaction_id, OperatorType.UPDATE, previous, document)
            self._emit("saved", **kwargs)

    def delete(self, **kwargs: Any) -> None:
        """Remove this Item from the database; triggers ``"before_delete"`` first."""
        kwargs = item_method_kwargs(kwargs)
        if self._status is StatusType.UNSET:
            raise BackoError("Cannot delete an unset object in {0}", self._collection_name())
        self._require_right("delete", self, "No permission to delete element in collection {0}")
        with transaction(self._backoffice(), kwargs.get("transaction_id")) as transaction_id:
            with_operation_guard(kwargs, transaction_id)
            kwargs["looper"].append(self._collection_name(), self._id.get_value(), BEING_DELETED)
            previous = self._previous_document()
            self._fill(previous, validate=False)  # unlink what is stored now, not what was loaded
            self._emit("before_delete", **kwargs)
            self.db_handler.delete_by_id(self._id.get_value())
            self._status = StatusType.UNSET
            self.__dict__["_state"].stored_document = None
            self._record(transaction_id, OperatorType.DELETE, previous, None)

    # --- helpers ----------------------------------------------------------------------

    def view(self, view_name: str) -> "Item | None":
        """The Item as stricto's ``get_view(view_name)`` shows it, without a copy when none is needed.

        When no field names the view (and it is not an explicit ``+view``), the view is the
        Item itself (every field it can read), unless stricto's view would leave something
        out (an unset List, see :mod:`backo.core.view_shape`).
        """
        if view_name.startswith("+") or mentions_view(self, view_name.lstrip("!")) or view_leaves_out_something(self):
            return self.get_view(view_name)
        return self if any(self.__dict__[key].exists_or_can_read() for key in self._keys) else None

    def _emit(self, event_name: str, **kwargs: Any) -> None:
        """Trigger ``event_name`` on this Item's tree, unless no field listens to it."""
        if self._listens_to(event_name):
            self.trigg(event_name, **kwargs)

    def _listens_to(self, *event_names: str) -> bool:
        """Tell whether some field of this Item may handle one of ``event_names``."""
        listened = None if self._collection is None else self._collection.handled_events()
        return listened is None or any(name in listened for name in event_names)

    def _collection_name(self) -> str | None:
        return None if self._collection is None else self._collection.name

    def _backoffice(self) -> UndoRecorder | None:
        """The backoffice whose transactions this Item's operations open or join (None: unregistered)."""
        return None if self._collection is None else self._collection.backoffice

    def _require_right(self, right_name: str, o: "Item | None", message: str) -> None:
        """Raise SRightError(message) unless the collection grants ``right_name`` on ``o``."""
        if self._collection is None:
            return
        if self._collection.is_allowed_to(right_name, o) is not True:
            raise SRightError(message, self._collection.name)

    def _refuse_values_not_modifiable(self, given: Any) -> None:
        """Raise SRightError if ``given`` (the create data) sets a field the user may not modify.

        0.2.1 created Items with permissions disabled, so a client could set any read-only
        field (``role``, ``owner``...) when creating. The fields' ``can_modify`` rights are
        evaluated, permissions enabled, on this Item holding the given values, as a save
        evaluates them; the message is a save's.
        """
        if not isinstance(given, dict):
            return
        was_enabled = self._permissions.get_permissions_status()
        self.enable_permissions()
        try:
            refuse_given_values(self, given)
        finally:
            if not was_enabled:
                self.disable_permissions()

    def _refuse_hidden_changes(self, stored: dict) -> None:
        """Raise SRightError if a field the user may neither read nor modify differs from ``stored``.

        stricto checks ``can_modify`` only on the fields the user can read, so a field
        hidden by ``can_read`` was writable even with ``can_modify`` refusing: the recipe
        ``can_read=f, can_modify=f`` of docs/current_user.rst would not protect it.
        RefsLists are left out: backo itself fills them when references change.
        """
        guarded = hidden_and_read_only(self, ())
        if not guarded:
            return
        before = self._item_from_document(stored)
        was_enabled = self._permissions.get_permissions_status()
        self.disable_permissions()
        before.disable_permissions()
        try:
            for path in guarded:
                field, old = field_at(self, path), field_at(before, path)
                if field.get_encoded() != old.get_encoded():
                    raise SRightError("{0}: cannot modify value", field.path_name())
        finally:
            if was_enabled:
                self.enable_permissions()

    def _adopt_changes_made_meanwhile(self, stored: dict) -> None:
        """Take the stored value of fields another writer changed and this Item did not.

        A three-way merge per top-level field: the version this Item was loaded from, what
        is stored now, and this Item. Without it, saving an Item loaded earlier would
        undo the other writer's changes, references included.
        """
        loaded = self.__dict__["_state"].stored_document
        if loaded is None or loaded is stored:
            return
        was_enabled = self._permissions.get_permissions_status()
        self.disable_permissions()
        try:
            for key in self._keys:
                if key in SYSTEM_FIELDS or key not in stored or stored[key] == loaded.get(key):
                    continue
                field = self.__dict__[key]
                if field.get_encoded() == loaded.get(key):  # untouched here: the other writer's value
                    field.set_value(stored[key])
        finally:
            if was_enabled:
                self.enable_permissions()

    def _require_loaded_right(self) -> None:
        """Check the read right again, now that the values are known.

        0.2.1 asked only before reading (with an empty Item), so per-object read rules
        could not protect an Item read by id; a refusal leaves this Item UNSET.
        """
        try:
            self._require_right("read", self, "No permission to read element in collection {0}")
        except SRightError:
            self._status = StatusType.UNSET
            self.__dict__["_state"].stored_document = None
            raise

    def _fill(self, document: dict, validate: bool = True) -> None:
        """Assign a stored document (read-only fields included) and mark the Item SAVED.

        ``validate=False`` skips stricto's check pass but still applies transforms,
        defaults and computed values (for documents known to have been validated).
        """
        self.disable_permissions()
        if validate:
            self.set(document)
        else:
            self.set_value(document)
            self.set_default_value()
            for _ in range(_MAX_COMPUTE_ROUNDS):
                if not self.compute_value():
                    break
        self.enable_permissions()
        self._status = StatusType.SAVED
        self._remember(document)

    def _fill_stored(self, document: dict) -> None:
        """:meth:`_fill` with stricto's validation, skipped when the plain model vouches for ``document``.

        For a plain model (see :mod:`backo.core.plain_model`), a document that reads the
        same with and without validation passes stricto's checks and fills the Item with
        the same values either way, so the costly pass is not needed.
        """
        plain = None if self._collection is None else self._collection.plain_model()
        self._fill(document, validate=plain is None or not plain.vouches_for(document))

    def _remember(self, document: dict) -> None:
        self.__dict__["_state"].stored_document = document

    def _previous_document(self) -> dict:
        """The stored version of this Item, read again from the database.

        Called under the backoffice's write lock: another writer may have changed the
        Item since it was loaded, and reference synchronisation must compare with what
        is stored now. An Item deleted meanwhile falls back to the version it was loaded from.
        """
        try:
            return self.db_handler.get_by_id(self._id.get_value())
        except NotFoundError:
            document = self.__dict__["_state"].stored_document
            if document is None:
                raise
            return document

    def _item_from_document(self, document: dict) -> "Item":
        """A new Item of the same model holding ``document`` (permissions enabled)."""
        if self._collection is not None:
            return self._collection.item_from_document(document, validate=False)
        twin = copy.copy(self)
        twin._fill(document, validate=False)
        return twin

    def _document_to_store(self, previous: dict | None) -> dict:
        """The JSON-ready dict to write: the ``"save"`` view, every readable or not field.

        As in 0.2.1, the view leaves out a List never set (no ``null`` key: it loads back
        as None, not ``[]``). Fields hidden by ``exists`` keep their previously stored value.
        """
        was_enabled = self._permissions.get_permissions_status()
        self.disable_permissions()
        try:
            if mentions_view(self, SAVE_VIEW):
                view = self.get_view(SAVE_VIEW)
                document = {} if view is None else view.get_encoded()
            else:  # same result, without copying the whole Item
                document = encoded_as_view(self, self.get_encoded())
            if previous:
                for key in self._keys:
                    field = self.__dict__[key]
                    if key not in document and key in previous and field.exists_or_can_read() is False:
                        document[key] = previous[key]
        finally:
            if was_enabled:
                self.enable_permissions()
        return document

    def _record(
        self, transaction_id: int | None, operation: OperatorType, previous: dict | None, current: dict | None
    ) -> None:
        """Journal the write just done: its undo step, then the collection's observers."""
        if self._collection is None:
            return  # an Item outside any collection: no transaction, no observer
        journal(self._collection, transaction_id, operation, self._id.get_value(), previous, current)


def _without_system_fields(obj: Any) -> Any:
    """``obj`` without the fields backo owns (a client cannot forge ``_id`` or ``_meta``)."""
    if isinstance(obj, dict) and any(name in obj for name in SYSTEM_FIELDS):
        return {key: value for key, value in obj.items() if key not in SYSTEM_FIELDS}
    return obj
