"""The shape of a model: what a compiled model depends on that can change after it is built.

A collection compiles its model once (see :meth:`BaseCollection.plain_model`), but the
model may change later, while the collection serves requests:
``collection.model.add_to_model("legs", Int(default=4))``, ``remove_model("legs")``, on
the root or on any sub-Dict. A compiled form kept across such a change would answer
with the old model (a GET without the new field, a check that a removed field is still
fine). :class:`ModelShape` records, at compile time, everything such a change touches,
and :meth:`ModelShape.matches` tells whether the model still has that shape: callers
recompile when it does not.

The shape is, for each schema node of the tree (in depth-first order): the node object
itself, its keys (a Dict's), its views and the event handlers registered on it. Any
node added, removed or replaced, any key added or removed, any view or handler added
changes it. It is compared by identity, never by value (stricto fields compare their
values), and the check is cheap: one walk of the model, a few microseconds for a dozen
fields, next to the millisecond an Item costs.
"""

from collections.abc import Iterator
from typing import Any

from stricto import EVENT_MANAGER, Dict


def _registry() -> dict | None:
    """stricto's handlers per object id, or None if this stricto keeps them elsewhere."""
    registry = getattr(EVENT_MANAGER, "_events_per_object", None)
    return registry if isinstance(registry, dict) else None


def _handlers(registry: dict, event_id: Any) -> tuple | None:
    """The handlers registered on one node (None: none), as a comparable snapshot."""
    handlers = registry.get(event_id)
    return None if not handlers else tuple((name, tuple(functions)) for name, functions in handlers.items())


class _Node:
    """One schema node as it was: its attribute dict and what hangs from it."""

    __slots__ = ("own", "keys", "children", "element", "views", "event_id", "handlers")

    def __init__(self, node: Any, registry: dict) -> None:
        own = node.__dict__
        #: the node's attribute dict: the same object for the node's whole life
        self.own: dict = own
        self.keys: list | None = list(own["_keys"]) if isinstance(node, Dict) else None
        self.children: tuple = () if self.keys is None else tuple(own[key] for key in self.keys)
        element = own.get("_type")
        self.element: Any = element if element is not None and "_event_id" in getattr(element, "__dict__", ()) else None
        self.views: list = list(own["_views"])
        self.event_id: Any = own["_event_id"]
        self.handlers: tuple | None = _handlers(registry, self.event_id)

    def unchanged(self, registry: dict) -> bool:
        own = self.own
        if self.keys is not None:
            if own["_keys"] != self.keys:
                return False
            for key, child in zip(self.keys, self.children, strict=True):
                if own[key] is not child:
                    return False
        if self.element is not None and own.get("_type") is not self.element:
            return False
        if own["_views"] != self.views or own["_event_id"] != self.event_id:
            return False
        return (self.handlers is None and self.event_id not in registry) or _handlers(
            registry, self.event_id
        ) == self.handlers


class ModelShape:
    """A snapshot of a model's structure, to tell later whether it changed.

    Example::

        shape = ModelShape(collection.model)
        collection.model.add_to_model("legs", Int())
        shape.matches(collection.model)   # False: recompile
    """

    __slots__ = ("_root", "_nodes")

    def __init__(self, model: Any) -> None:
        registry = _registry()
        self._root = model
        #: every schema node, depth first; empty when the shape cannot be known
        self._nodes: tuple[_Node, ...] = () if registry is None else tuple(_snapshot(model, registry))

    def matches(self, model: Any) -> bool:
        """Tell whether ``model`` still has this shape (False whenever that cannot be known).

        Each node's children are checked by identity, so the nodes recorded are the
        whole tree as it is now. Fails closed: a stricto whose handler registry is not
        where backo looks, or anything unexpected in the model, answers False.
        """
        registry = _registry()
        if registry is None or model is not self._root or not self._nodes:
            return False
        try:
            for node in self._nodes:
                if not node.unchanged(registry):
                    return False
            return True
        except Exception:  # noqa: BLE001 - an unknown model layout: not sure, so no
            return False


def _snapshot(model: Any, registry: dict) -> Iterator[_Node]:
    """A :class:`_Node` for each schema node of ``model``: a Dict's fields, a List's element type."""
    stack = [model]
    while stack:
        node = _Node(stack.pop(), registry)
        yield node
        if node.element is not None:
            stack.append(node.element)
        stack.extend(reversed(node.children))
