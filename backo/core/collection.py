"""BaseCollection: a named set of Items of one model, in one storage, with rights."""

import typing
from collections import UserString
from collections.abc import Callable
from typing import Any

from stricto import GenericType, Permissions, SRightError, SSyntaxError, String, validation_parameters

from backo.log import COLLECTION, get_logger
from backo.options import parse_options
from backo.storage.db.base import DBConnector
from backo.storage.db.regex import RE2, REGEX_ENGINES

from .action import Action
from .counts import COUNT_STRATEGIES, EXACT
from .indexes import declared_indexes
from .item import ITEM_OWN_HANDLERS, Item
from .migration import DEFAULT_PROGRESS_EVERY, RAISE, MigrationReport, migrate_collection
from .plain_model import ModelShape, PlainModel
from .selection import Selection
from .stricto_support import handled_events
from .transaction import UndoRecorder
from .write_journal import WriteObserver

log = get_logger(COLLECTION)

# typing.Union, not "|": 0.2.1's error message reads "must be typing.Union[bool, typing.Callable]"
_RIGHT = {"type": typing.Union[bool, typing.Callable], "default": True}  # noqa: UP007

#: The rights of a collection and their accepted spellings (BEHAVIOR.md 3.1).
COLLECTION_OPTIONS: dict[str, Any] = {
    "can_read|read": _RIGHT,
    "can_modify|modify|write|can_write|can_update|update": _RIGHT,
    "can_delete|delete": _RIGHT,
    "can_create|create": _RIGHT,
    "refuse_filter": typing.Callable,
    # the engine of the filters' regular expressions: "re2" (linear time) or "python" (trusted callers)
    "regex_engine": {"type": str, "default": RE2},
    # how lists count their matches: "exact", "estimated" or "none" (see backo.core.counts)
    "count": {"type": str, "default": EXACT},
    # the fields the store indexes: ["category", "-price"] (see declared_indexes)
    "indexes": {"type": list, "default": []},
    # REST opt-ins beyond 0.2.1 (docs/rest-api-extensions.md): off by default, as 0.2.1 answered
    # those requests otherwise
    "require_if_match": {"type": bool, "default": False},
    "bulk_routes": {"type": bool, "default": False},
    "typed_query_values": {"type": bool, "default": False},
    "list_views": {"type": bool, "default": False},
}

#: The name of the selection every collection has: all its Items.
ALL_SELECTION = "_all"


def as_id(value: Any) -> Any:
    """``value`` as an id where backo takes one: an Item's ``_id`` (a stricto String) or any
    str-like value as its text, a str as it is, anything else unchanged (for the caller to refuse).

    0.2.1 scripts pass ``item._id`` itself: ``bo.migrate("books", f, _id=book._id)``.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, GenericType):
        text = value.get_value()
        return text if isinstance(text, str) else value
    if isinstance(value, UserString):
        return str(value)
    return value


class Registry(UndoRecorder, typing.Protocol):
    """A backoffice as its collections see it (:class:`~backo.core.backoffice.BaseBackoffice` is one).

    A Protocol, since the backoffice module imports this one.
    """

    @property
    def name(self) -> str | None: ...

    @property
    def collections(self) -> dict[str, "BaseCollection"]: ...


class _Compiled(typing.NamedTuple):
    """What a collection derives from its model, and the shape of the model it was derived from."""

    shape: ModelShape
    plain: PlainModel | None
    handled_events: set[str] | None


class BaseCollection:
    """The domain side of a Collection (no HTTP): Items, rights, actions and selections.

    ``can_read``, ``can_create``, ``can_modify`` and ``can_delete`` are bools or
    ``f(right_name, item) -> bool``; anything but ``True`` refuses.

    ``count`` (``"exact"``, the default, ``"estimated"`` or ``"none"``) is how its lists
    count their matches (see :mod:`backo.core.counts`); ``indexes`` (``["category",
    "-price"]``) names the fields its store indexes (see :mod:`backo.core.indexes`).

    ``require_if_match``, ``bulk_routes``, ``typed_query_values`` and ``list_views`` (all
    False by default) turn on REST features beyond 0.2.1 (docs/rest-api-extensions.md).

    ``regex_engine`` runs the ``$reg``/``$re`` patterns of the filters the collection
    matches: ``"re2"`` (the default: linear time; a pattern re2 cannot run is a 400) or
    ``"python"`` (Python's ``re``, as in 0.2.1: only for callers trusted not to send a
    catastrophic pattern). See :mod:`backo.core.regex_filters`.
    """

    # 0.2.1's class-level defaults, kept; ``__init__`` always sets both below (a model Item and
    # a connector, checked by @validation_parameters), so an instance's are never None.
    name: str | None = None
    model: Item = None  # type: ignore[assignment]  # None on the class only, see above
    db_handler: DBConnector = None  # type: ignore[assignment]  # None on the class only, see above

    @validation_parameters
    def __init__(self, name: str, model: Item, db_handler: DBConnector, **kwargs: Any) -> None:
        options = parse_options(kwargs, COLLECTION_OPTIONS, strict=True)
        self.name = name
        self.db_handler = db_handler
        self.backoffice: Registry | None = None
        self.refuse_filter = options["refuse_filter"]
        if options["regex_engine"] not in REGEX_ENGINES:
            raise SSyntaxError('Collection {0}: regex_engine must be "re2" or "python"', name)
        #: what runs the ``$reg`` patterns of the filters it matches (see backo.core.regex_filters)
        self.regex_engine: str = options["regex_engine"]
        if options["count"] not in COUNT_STRATEGIES:
            raise SSyntaxError('Collection {0}: count must be "exact", "estimated" or "none"', name)
        #: how its lists count their matches (see backo.core.counts)
        self.count_strategy: str = options["count"]
        #: REST opt-ins (docs/rest-api-extensions.md): PUT/PATCH/DELETE/actions need If-Match
        #: (428 without), the bulk routes exist, query values are typed by the model, list
        #: rows honour ``_view``
        self.require_if_match: bool = options["require_if_match"]
        self.bulk_routes: bool = options["bulk_routes"]
        self.typed_query_values: bool = options["typed_query_values"]
        self.list_views: bool = options["list_views"]
        self.migration = None
        #: told of every write of this collection's documents (see backo.core.write_journal):
        #: the version history and the change events' outbox register here
        self.write_observers: list[WriteObserver] = []
        self._permissions = Permissions(
            read=options["can_read"],
            create=options["can_create"],
            delete=options["can_delete"],
            modify=options["can_modify"],
        )
        self._permissions.enable()
        self.actions: dict[str, Action] = {}
        self.selections: dict[str, Selection] = {}
        #: the views declared with :meth:`define_view`: name -> selectors, in order
        self._declared_views: dict[str, list[str]] = {}
        self.model = model.copy()
        self.model._collection = self
        self.model.db_handler = db_handler
        #: what is derived from the model, with the model's shape it was derived from
        self._compiled: _Compiled | None = None
        self.register_selection(ALL_SELECTION, Selection())
        #: the declared indexes, checked against the model, as given: ``["category", "-price"]``
        self.indexes: list[str] = declared_indexes(self, options["indexes"])
        ensure_indexes = getattr(db_handler, "ensure_indexes", None)
        if self.indexes and callable(ensure_indexes):
            ensure_indexes(list(self.indexes))

    def __copy__(self) -> "BaseCollection":
        # A collection is a registry: Items and their copies share it.
        return self

    def __repr__(self) -> str:
        return f"<Collection {self.name!r}>"

    # --- 0.2.1's private names (published 0.2.1 code reads them): read-only aliases ----

    @property
    def _selections(self) -> dict[str, Selection]:
        """0.2.1's name of :attr:`selections` (name -> Selection, ``"_all"`` included)."""
        return self.selections

    @property
    def _actions(self) -> dict[str, Action]:
        """0.2.1's name of :attr:`actions` (name -> Action)."""
        return self.actions

    @property
    def _views(self) -> dict[str, list[str]]:
        """The views declared with :meth:`define_view` (name -> selectors), under 0.2.1's name."""
        return self._declared_views

    # --- rights -----------------------------------------------------------------------

    def is_allowed_to(self, right_name: str, o: Any = None) -> bool | None:
        """Evaluate the collection right ``right_name`` ("read", "create"...) for ``o``."""
        return self._permissions.is_allowed_to(right_name, o)

    def is_strictly_allowed_to(self, right_name: str) -> bool | None:
        """The right if it is a plain bool, None if it is a callable."""
        return self._permissions.is_strictly_allowed_to(right_name)

    def handled_events(self) -> set[str] | None:
        """The events some field of the model listens to (None: unknown, trigger them all).

        Handlers are declared in the model (``on=[...]`` on the Item or its fields), which
        is how backo documents them; recomputed whenever the model changes (see
        :meth:`plain_model`).
        """
        return self._current().handled_events

    def plain_model(self) -> PlainModel | None:
        """The model compiled for reads and creates without Items; None if it is not plain.

        See :mod:`backo.core.plain_model`. Compiled on first use, and again whenever the
        model is no longer the one compiled: fields added or removed with
        ``model.add_to_model`` / ``remove_model`` (at any level), a field replaced, a view
        or an event handler added (see :class:`~backo.core.plain_model.ModelShape`). When
        that cannot be told, it recompiles: a stale compiled model never answers.
        """
        return self._current().plain

    def _current(self) -> "_Compiled":
        """What is derived from the model, recomputed if the model changed since."""
        compiled = self._compiled
        if compiled is None or not compiled.shape.matches(self.model):
            compiled = self._compiled = _Compiled(
                ModelShape(self.model),
                PlainModel.compile(self.model, ITEM_OWN_HANDLERS) if self._builds_items_as_backo_does() else None,
                handled_events(self.model),
            )
        return compiled

    def _builds_items_as_backo_does(self) -> bool:
        """False when a subclass (of Item or of the collection) changes how Items are built or created.

        The fast path would bypass the override, so such collections always build Items.
        """
        own = type(self)
        return type(self.model) is Item and all(
            getattr(own, name) is getattr(BaseCollection, name)
            for name in ("new_item", "item_from_document", "create", "get_by_id")
        )

    # --- items ------------------------------------------------------------------------

    def new_item(self) -> Item:
        """A new, empty (UNSET) Item of this collection, permissions not yet enforced."""
        item = self.model.copy()
        item.disable_permissions()
        return item

    new = new_item

    def item_from_document(self, document: dict, validate: bool = True) -> Item:
        """An Item (SAVED, permissions enforced) holding a document read from storage.

        With ``validate=False`` the document is assigned without stricto's validation pass
        (defaults and computed fields still apply): selections use it, since what they
        read was validated when it was written. Loading one Item always validates, so a
        document that no longer fits the model is reported there (see migrations).
        """
        if "_id" in document and not isinstance(document["_id"], str):
            document = {**document, "_id": str(document["_id"])}
        item = self.new_item()
        item._fill(document, validate=validate)
        return item

    def create(self, obj: dict, **kwargs: Any) -> Item:
        """Create, store and return a new Item from ``obj`` (see :meth:`Item.create`)."""
        item = self.new_item()
        item.create(obj, **kwargs)
        item.enable_permissions()
        return item

    def get_by_id(self, _id: Any) -> Item:
        """Return the stored Item ``_id``.

        :raises NotFoundError: no such Item.
        :raises SRightError: no read right.
        """
        if self.is_allowed_to("read", None) is not True:
            # 0.2.1's message, kept for compatibility (it is the read right that failed).
            raise SRightError("No permission to create in collection {0}", self.name)
        item = self.new_item()
        item.load(as_id(_id))
        return item

    @typing.overload
    def set(self, datas: dict) -> Item: ...

    @typing.overload
    def set(self, datas: list) -> list[Item]: ...

    def set(self, datas: dict | list) -> Item | list[Item]:
        """New (unsaved) Items filled with ``datas``: one for a dict, a list for a list."""
        if isinstance(datas, list):
            return [self.set(data) for data in datas]
        item = self.new_item()
        item.set(datas)
        return item

    def select(self, filter_for_selection: Any = None) -> list[Item]:
        """Every readable Item matching a stricto match filter (``{"a": {"b": 1}}``, ``("$gt", 3)``)."""
        return self.selections[ALL_SELECTION].select(filter_for_selection)["result"]

    def select_one(self, filter_for_selection: Any = None) -> Item | None:
        """The Item matching the filter if exactly one does, else None."""
        found = self.select(filter_for_selection)
        return found[0] if len(found) == 1 else None

    def drop(self) -> None:
        """Delete every stored Item of this collection (no events, no rights: for tests)."""
        self.db_handler.drop()

    @validation_parameters
    def migrate(
        self,
        migration_function: Callable | None,
        _ids: list[str | String] | None = None,
        dry_run: bool = True,
        progress_every: int = DEFAULT_PROGRESS_EVERY,
        *,
        on_error: str = RAISE,
    ) -> MigrationReport:
        """Pass the stored objects (all, or ``_ids``) through ``migration_function``, validate
        them against the model as it is now and, unless ``dry_run``, write back the changed ones.

        ``migration_function(o: dict) -> dict`` may change ``o`` in place; None only
        validates. The first object that cannot be migrated raises its error (stricto's
        ``SConstraintError``, ``SAttributeError``... for an object that does not fit the
        model; ``NotFoundError`` for an unknown id), as in 0.2.1; with
        ``on_error="report"`` it is listed in ``report.failures`` and the others go on
        (see :mod:`backo.core.migration`). Ids may be Items' ``_id`` values. No rights,
        events or metadata updates apply.

        .. versionadded:: 0.3.0 ``progress_every`` (log every N objects; default 1000),
           ``on_error``.
        """
        if _ids is not None:
            _ids = [as_id(_id) for _id in _ids]
            if not all(isinstance(_id, str) for _id in _ids):
                raise SSyntaxError(
                    'In function "{0}", the parameter "{1}" must be type {2}', "migrate", "_ids", "list[str] | None"
                )
        return migrate_collection(self, migration_function, _ids, dry_run, progress_every, on_error)

    # --- structure --------------------------------------------------------------------

    def define_view(self, name: str, list_of_selector: list[str]) -> None:
        """Add the view ``name`` to the fields designated by the selectors (unknown ones are ignored)."""
        for selector in list_of_selector:
            field = self.model.select(selector)
            if field is not None and name not in field._views:
                field._views.append(name)
        selectors = self._declared_views.setdefault(name, [])
        selectors.extend(selector for selector in dict.fromkeys(list_of_selector) if selector not in selectors)
        self._compiled = None

    def get_other_collection(self, name: str) -> "BaseCollection | None":
        """Another collection of the same backoffice, or None if it has none of that name."""
        if self.backoffice is None:
            raise SSyntaxError("Collection {0} not registered into an backoffice", self.name)
        return self.backoffice.collections.get(name)

    @validation_parameters
    def register_action(self, name: str, action: Action) -> None:
        """Register ``action`` under ``name`` (served at ``_actions/<name>/<_id>``)."""
        if name in self.actions:
            raise SSyntaxError('Collection {0} register_action : action "{1}" already registered', self.name, name)
        action.attach(name, self, self.backoffice)
        self.actions[name] = action

    add_action = register_action

    @validation_parameters
    def register_selection(self, selection_name: str, selection: Selection) -> None:
        """Register ``selection`` under ``selection_name``; only ``_all`` may be replaced."""
        if selection_name in self.selections and selection_name != ALL_SELECTION:
            raise SSyntaxError(
                'Collection {0} register_selection : selection "{1}" already registered', self.name, selection_name
            )
        selection.backoffice = self.backoffice
        selection.name = selection_name
        selection.collection = self
        self.selections[selection_name] = selection

    def attach_to(self, backoffice: Registry) -> None:
        """Record the backoffice this collection (and its actions and selections) belongs to."""
        self.backoffice = backoffice
        for name, action in self.actions.items():
            action.attach(name, self, backoffice)
        for selection in self.selections.values():
            selection.backoffice = backoffice

    def get_meta(self) -> dict:
        """The collection as a generic front end needs it: schema, rights, actions, selections."""
        actions = []
        for name, action in self.actions.items():
            schema = action.get_schema()
            schema["name"] = name
            actions.append(schema)
        selections = []
        for name, selection in self.selections.items():
            schema = selection.get_schema()
            schema["name"] = name
            selections.append(schema)
        return {
            "name": self.name,
            "item": self.model.get_schema(),
            "rights": self._permissions.get_as_dict_of_strings(),
            "actions": actions,
            "selections": selections,
        }
