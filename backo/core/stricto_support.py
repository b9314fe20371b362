"""Fixes to stricto's process-wide event registry, needed by a long-running server.

* stricto draws event ids from a plain counter (``uniq_id += 1``, not thread-safe: two
  threads copying Items could draw the same id, and stricto then refuses the copy):
  backo draws them from an atomic counter.
* When stricto copies a ``Dict`` it registers the copy's handlers under a new id, then
  gives the copy back the *original's* id: the new entry is orphaned, and the copy
  shares its registrations with the original. :func:`copy_with_own_events` gives
  every copied node the id stricto registered for it.
* Registrations were never released (one orphan per Item built for a request: an
  unbounded leak): backo releases an Item copy's registrations when it is collected.
"""

import itertools
import threading
import weakref
from collections.abc import Callable
from typing import Any

from stricto import EVENT_MANAGER, Dict


def _install_atomic_event_ids() -> None:
    """Make ``EVENT_MANAGER.generate_uniq_id`` thread-safe (``next`` on a count is atomic)."""
    if getattr(EVENT_MANAGER, "_backo_atomic_ids", False):
        return
    counter = itertools.count(getattr(EVENT_MANAGER, "uniq_id", 0) + 1_000_000)
    EVENT_MANAGER.generate_uniq_id = lambda: next(counter)
    EVENT_MANAGER._backo_atomic_ids = True


_recording = threading.local()


def _install_copy_recorder() -> None:
    """Let :func:`copy_with_own_events` see which id stricto registered for each copied node."""
    if getattr(EVENT_MANAGER, "_backo_copy_recorder", False):
        return
    original: Callable[[int, int], None] = EVENT_MANAGER.copy_object_id

    def recording_copy_object_id(src_id: int, dst_id: int) -> None:
        original(src_id, dst_id)
        copies = getattr(_recording, "copies", None)
        if copies is not None and src_id in EVENT_MANAGER._events_per_object:
            copies[src_id] = dst_id

    EVENT_MANAGER.copy_object_id = recording_copy_object_id
    EVENT_MANAGER._backo_copy_recorder = True


#: A node's attributes without stricto's ``Dict.__getattribute__`` (it runs Python code
#: for every attribute read, rights included): tree walks read them this way.
_attributes_of = object.__getattribute__


def _children(attributes: dict[str, Any]) -> list[Any]:
    """The sub-fields of a node (a Dict's fields, a List's elements), from its attributes."""
    children = [attributes[key] for key in attributes.get("_keys", ())]
    values = attributes.get("_value")
    if isinstance(values, list):
        children.extend(element for element in values if hasattr(element, "_event_id"))
    return children


def _adopt_own_ids(field: Any, copies: dict[int, int]) -> None:
    """Give each node of a fresh copy the id stricto registered for it (not the original's)."""
    attributes = _attributes_of(field, "__dict__")
    own_id = copies.get(attributes["_event_id"])
    if own_id is not None:
        attributes["_event_id"] = own_id
    for child in _children(attributes):
        _adopt_own_ids(child, copies)


def copy_with_own_events(original: Any, copier: Callable[[Any], Any]) -> Any:
    """``copier(original)`` whose nodes hold registrations of their own, released with the copy."""
    outer = getattr(_recording, "copies", None)
    _recording.copies = {}
    try:
        twin = copier(original)
        copies = _recording.copies
    finally:
        _recording.copies = outer
    if outer is not None:
        outer.update(copies)
    if copies:
        _adopt_own_ids(twin, copies)
    release_events_when_collected(twin)
    return twin


def _registered_event_ids(field: Any, registry: dict) -> list[int]:
    """The event ids in ``field``'s tree that hold registrations."""
    attributes = _attributes_of(field, "__dict__")
    found = [attributes["_event_id"]] if attributes["_event_id"] in registry else []
    for child in _children(attributes):
        found.extend(_registered_event_ids(child, registry))
    return found


def _free(registry: dict, event_ids: list[int]) -> None:
    for event_id in event_ids:
        registry.pop(event_id, None)


def release_events_when_collected(item: Any) -> None:
    """Drop ``item``'s event registrations from stricto's registry once ``item`` is garbage."""
    registry = getattr(EVENT_MANAGER, "_events_per_object", None)
    if not isinstance(registry, dict):
        return
    event_ids = _registered_event_ids(item, registry)
    if event_ids:
        weakref.finalize(item, _free, registry, event_ids)


_install_atomic_event_ids()
_install_copy_recorder()


def model_children(field: Any) -> list[Any]:
    """The sub-fields of a schema node: a Dict's fields, a List's element type."""
    children = [field.__dict__[key] for key in field._keys] if isinstance(field, Dict) else []
    element_type = field.__dict__.get("_type")
    if element_type is not None and hasattr(element_type, "_event_id"):
        children.append(element_type)
    return children


def handled_events(field: Any) -> set[str] | None:
    """The event names some handler listens to in ``field``'s tree (None if unknown).

    Walking stricto's registry is much cheaper than triggering an event nobody listens
    to: stricto visits every field and evaluates its rights on the way.
    """
    registry = getattr(EVENT_MANAGER, "_events_per_object", None)
    if not isinstance(registry, dict):
        return None
    names = set(registry.get(field._event_id, {}))
    for child in model_children(field):
        child_names = handled_events(child)
        if child_names is None:
            return None
        names |= child_names
    return names


def mentions_view(field: Any, view_name: str) -> bool:
    """Tell whether ``field`` or a field under it names ``view_name`` in its views."""
    if any(view.lstrip("!+") == view_name for view in field._views):
        return True
    return any(mentions_view(child, view_name) for child in model_children(field))
