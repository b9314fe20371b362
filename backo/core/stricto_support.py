"""Two fixes to stricto's process-wide event registry, needed by a long-running server.

stricto gives every field an event id from a plain counter (``uniq_id += 1``, not
thread-safe: two threads copying Items can draw the same id, and stricto then refuses
the copy) and keeps the handlers of every copied object in a dict that is never
cleaned (every Item built for a request stayed there forever). backo draws ids from
an atomic counter and releases an Item's registrations when the Item is collected.
"""

import itertools
import weakref
from typing import Any

from stricto import EVENT_MANAGER, Dict


def _install_atomic_event_ids() -> None:
    """Make ``EVENT_MANAGER.generate_uniq_id`` thread-safe (``next`` on a count is atomic)."""
    if getattr(EVENT_MANAGER, "_backo_atomic_ids", False):
        return
    counter = itertools.count(getattr(EVENT_MANAGER, "uniq_id", 0) + 1_000_000)
    EVENT_MANAGER.generate_uniq_id = lambda: next(counter)
    EVENT_MANAGER._backo_atomic_ids = True


def _registered_event_ids(field: Any, registry: dict) -> list[int]:
    """The event ids in ``field``'s tree that hold registrations."""
    found = [field._event_id] if field._event_id in registry else []
    if isinstance(field, Dict):
        for key in field._keys:
            found.extend(_registered_event_ids(field.__dict__[key], registry))
    values = field.__dict__.get("_value")
    if isinstance(values, list):
        for element in values:
            if hasattr(element, "_event_id"):
                found.extend(_registered_event_ids(element, registry))
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
