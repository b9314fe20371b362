"""Ref: a field holding the ``_id`` of one Item of another collection."""

from typing import Any

from stricto import String

from backo.options import parse_options

from . import sync
from .sync import DEFAULT_ID

REF_OPTIONS: dict[str, Any] = {
    "collection|coll*": str,
    "reverse|rev|field": str,
    "require|required": {"type": bool, "default": False},
    "on": list,
}


def _on_created(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    sync.ref_created(me, root, kwargs)


def _on_before_save(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    sync.ref_before_save(me, root, kwargs)


def _on_before_delete(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    sync.ref_before_delete(me, root, kwargs)


def _on_check_syntax(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    sync.check_syntax(me, root)


#: The handlers every Ref registers: reference synchronisation on create, save and delete
#: (none runs when an Item is loaded).
REF_HANDLERS = frozenset({_on_created, _on_before_save, _on_before_delete, _on_check_syntax})


def load_target(field: Any, collection_name: str, target_id: Any) -> Any:
    """The Item ``target_id`` of the referenced collection, or an empty Item if it cannot be read.

    Used by selectors that continue past a reference (``$.addr.city``).
    """
    owner = sync.owner_collection(field.get_root())
    backoffice = None if owner is None else owner.backoffice
    collection = None if backoffice is None else backoffice.collections.get(collection_name)
    if collection is None:
        return None
    target = collection.new_item()
    if target_id is None:
        return target
    try:
        target.load(target_id)
    except Exception:  # noqa: BLE001 - an unreadable target reads as empty
        return collection.new_item()
    return target


class ReferenceAttributes:
    """0.2.1's attribute names of a reference field, read and written per field instance.

    ``item.owner._collection = "people"`` re-points that Item's field only (the model and
    other Items keep their declaration), and the synchronisation then uses it. Without
    these properties stricto would answer None for the unknown names and ignore the
    assignments.
    """

    target_name: str
    reverse: str | None

    @property
    def _collection(self) -> str:
        """The target collection's name (``collection=`` / ``coll=``)."""
        return self.target_name

    @_collection.setter
    def _collection(self, name: str) -> None:
        self.target_name = name

    @property
    def _reverse(self) -> str | None:
        """The selector of the reverse field in the target collection (``reverse=``), or None."""
        return self.reverse

    @_reverse.setter
    def _reverse(self, selector: str | None) -> None:
        self.reverse = selector


class Ref(ReferenceAttributes, String):
    """A reference to one Item of another collection (its ``_id``), kept in sync both ways.

    Example::

        users = Item({"addr": Ref(coll="addrs", field="$.users", required=True)})

    ``collection`` (alias ``coll``) names the target collection; ``reverse`` (aliases
    ``rev``, ``field``) the selector of the field pointing back, a Ref or a RefsList,
    updated by backo on every create, change and delete. ``required`` makes the Ref
    mandatory. Other keywords are stricto ``String`` options.
    """

    #: how reference synchronisation recognises this field
    reference_kind = "one"

    def __init__(self, **kwargs: Any) -> None:
        options = parse_options(kwargs, REF_OPTIONS, strict=False)
        self.target_name: str = options["collection"]
        self.reverse: str | None = options["reverse"]
        required = bool(options["require"])
        handlers = list(options["on"] or []) + [
            ("created", _on_created),
            ("before_save", _on_before_save),
            ("before_delete", _on_before_delete),
            ("check_syntax", _on_check_syntax),
        ]
        String.__init__(self, required=required, default=DEFAULT_ID if required else None, on=handlers, **kwargs)

    def get_schema(self) -> dict:
        """The String schema plus ``collection`` and ``reverse``."""
        schema = String.get_schema(self)
        schema["collection"] = self.target_name
        schema["reverse"] = self.reverse
        return schema

    def check_syntax(self, event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
        """Log a warning or an error if the target collection or reverse field is wrong."""
        sync.check_syntax(me, root)

    def get_selectors(self, index_or_slice: Any, sel: Any) -> Any:
        """Selectors continue into the referenced Item: ``$.addr.city``."""
        if index_or_slice:
            return None
        if sel is None or sel.empty():
            return self
        target = load_target(self, self.target_name, self.get_value())
        return None if target is None else target.get_selectors(None, sel)
