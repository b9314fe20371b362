"""RefsList: a field holding the ``_id`` s of Items of another collection."""

from typing import Any

from stricto import List, String

from backo.options import parse_options

from . import sync
from .ref import ReferenceAttributes, load_target
from .strategies import DeleteStrategy, FillStrategy
from .sync import DEFAULT_ID

REFSLIST_OPTIONS: dict[str, Any] = {
    "collection|coll*": str,
    "reverse|rev|field": str,
    "require|required": {"type": bool, "default": False},
    "on_delete|ods": {"type": DeleteStrategy, "default": DeleteStrategy.MUST_BE_EMPTY},
    "on_fill|ofs": {"type": FillStrategy, "default": FillStrategy.FILL},
    "on": list,
}


def _on_created(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    sync.refslist_created(me, root, kwargs)


def _on_before_save(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    sync.refslist_before_save(me, root, kwargs)


def _on_before_delete(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    sync.refslist_before_delete(me, root, kwargs)


def _on_check_syntax(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    sync.check_syntax(me, root)


#: The handlers every RefsList registers: reference synchronisation on create, save and
#: delete (none runs when an Item is loaded).
REFSLIST_HANDLERS = frozenset({_on_created, _on_before_save, _on_before_delete, _on_check_syntax})


class RefsList(ReferenceAttributes, List):
    """References to several Items of another collection, kept in sync both ways.

    Example::

        addrs = Item({"users": RefsList(coll="users", field="$.addr",
                                        ods=DeleteStrategy.MUST_BE_EMPTY)})

    ``collection``/``coll`` and ``reverse``/``rev``/``field`` as for :class:`Ref`;
    ``on_delete``/``ods`` (:class:`DeleteStrategy`) says what deleting the owner does to
    the referenced Items, ``on_fill``/``ofs`` (:class:`FillStrategy`) whether Refs
    pointing here fill this list. ``required`` is recorded but, as in 0.2.1, an empty
    list is accepted. Other keywords are stricto ``List`` options.
    """

    #: how reference synchronisation recognises this field
    reference_kind = "many"

    def __init__(self, **kwargs: Any) -> None:
        options = parse_options(kwargs, REFSLIST_OPTIONS, strict=False)
        self.target_name: str = options["collection"]
        self.reverse: str | None = options["reverse"]
        self._require = bool(options["require"])
        self.on_delete: DeleteStrategy = options["on_delete"]
        self.on_fill: FillStrategy = options["on_fill"]
        handlers = list(options["on"] or []) + [
            ("created", _on_created),
            ("before_save", _on_before_save),
            ("before_delete", _on_before_delete),
            ("check_syntax", _on_check_syntax),
        ]
        List.__init__(self, String(default=DEFAULT_ID, required=True), default=[], on=handlers, **kwargs)

    @property
    def _fill_strategy(self) -> FillStrategy:
        """The :class:`FillStrategy` (``on_fill=`` / ``ofs=``), 0.2.1's name, writable per field."""
        return self.on_fill

    @_fill_strategy.setter
    def _fill_strategy(self, strategy: FillStrategy) -> None:
        self.on_fill = strategy

    def get_schema(self) -> dict:
        """The List schema plus ``collection`` and ``reverse``."""
        schema = List.get_schema(self)
        schema["collection"] = self.target_name
        schema["reverse"] = self.reverse
        return schema

    def check_syntax(self, event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
        """Log a warning or an error if the target collection or reverse field is wrong."""
        sync.check_syntax(me, root)

    def get_other_with_a_select(self, root_id: str) -> list:
        """The Items of the target collection pointing at ``root_id`` (used with NOT_FILL)."""
        return sync.referrers(self, self.get_root(), root_id)

    def get_selectors(self, index_or_slice: Any, sel: Any) -> Any:
        """Selectors continue into the referenced Items.

        ``$.users.name`` and a slice ``$.users[0:2].name`` give the list of results of the
        Items that load (the others are skipped); an index ``$.users[0].name`` the result
        of that one Item, or None. What stricto cannot read as an index or a slice
        (``[1:]``) gives None.
        """
        if sel is None or sel.empty():
            return List.get_selectors(self, index_or_slice, sel)
        ids = self.get_value()
        if ids is None:
            return None
        one = False
        if index_or_slice is not None:
            picked = List.get_selectors(self, index_or_slice, sel.__class__(None))
            if picked is None:
                return None
            one = not isinstance(picked, list)
            ids = [picked.get_value()] if one else [element.get_value() for element in picked]
        results = []
        for target_id in ids:
            target = load_target(self, self.target_name, target_id)
            if target is None or target._id.get_value() is None:
                continue
            found = target.get_selectors(None, sel.copy())
            if found is not None:
                results.append(found)
        if one:
            return results[0] if results else None
        return results
