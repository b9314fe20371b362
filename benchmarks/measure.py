"""Timing loops, and the untimed probe pass that looks inside one operation.

Timing and looking are kept apart: tracemalloc slows every allocation down several times,
and counting wrappers add calls, so :func:`probe` runs one operation with both installed
(it doubles as the warm-up of the measurement) and :func:`time_loop` then times the
following operations with nothing installed.

What the probe counts, and why:

* ``peak_bytes``: tracemalloc's peak during the operation, i.e. the most memory the
  operation held at once beyond what existed before it (a warm store cache is not
  counted: it was allocated before tracing started);
* ``items``: Items built, i.e. calls of ``Item.__copy__``: every Item backo builds is a
  copy of its collection's model (``new_item``), so this is the count a paginated list
  or a reference update must keep small;
* ``fills``: documents loaded into Items (``Item._fill``);
* ``db_calls``: calls of each connector method (``get_by_id``, ``select``, ``save``...),
  per collection, to see which stored documents an operation touches.

The wrappers are installed on the classes and connector instances of this process only,
for the duration of the probe, and removed afterwards.
"""

import contextlib
import functools
import gc
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from backo import DBConnector, Item

#: The connector methods whose calls a probe counts (those a backend may not have are skipped).
CONNECTOR_METHODS: tuple[str, ...] = (
    "get_by_id",
    "select",
    "select_page",
    "select_for_reading",
    "create",
    "save",
    "delete_by_id",
)

#: ``gc.collect(YOUNG_GENERATIONS)`` collects generations 0 and 1, not the old one holding the stores.
YOUNG_GENERATIONS = 1

#: The Item methods a probe counts, under the name it reports them by.
ITEM_COUNTERS: dict[str, str] = {"__copy__": "items", "_fill": "fills"}


@dataclass
class Timing:
    """What a timed loop did."""

    #: calls of the operation
    calls: int
    #: units of work they did (items for a cascade or a migration, else one per call)
    units: int
    #: wall-clock seconds of the loop
    seconds: float
    #: True if the time cap stopped the loop before its full count
    capped: bool


def time_loop(operation: Callable[[int], int], count: int, max_seconds: float, min_calls: int) -> Timing:
    """Call ``operation(i)`` for i = 1..count (0 is the probe's) and time the whole loop.

    ``operation`` returns the units of work it did. The loop stops early once it has run
    ``max_seconds`` (0: never) and made at least ``min_calls`` calls. The young garbage
    collector generations are emptied first, so that the setup's garbage is not collected
    inside (a full collection would walk the whole store: 0.1 s and more at 50,000 items).
    """
    gc.collect(YOUNG_GENERATIONS)
    units = calls = 0
    start = time.perf_counter()
    elapsed = 0.0
    for index in range(1, count + 1):
        units += operation(index)
        calls += 1
        elapsed = time.perf_counter() - start
        if max_seconds and elapsed >= max_seconds and calls >= min_calls and calls < count:
            return Timing(calls, units, elapsed, True)
    return Timing(calls, units, elapsed, False)


@dataclass
class Probe:
    """What one instrumented operation did (see the module docstring)."""

    units: int = 0
    peak_bytes: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    db_calls: dict[str, Counter[str]] = field(default_factory=dict)

    def per_unit(self) -> dict[str, Any]:
        """The counts divided by the units of work of the operation (one, or the items it handled)."""
        units = max(self.units, 1)
        calls = {
            name: {method: round(count / units, 2) for method, count in sorted(counter.items())}
            for name, counter in self.db_calls.items()
        }
        return {
            "items": round(self.counts["items"] / units, 2),
            "fills": round(self.counts["fills"] / units, 2),
            "db_calls": calls,
            "db_calls_total": round(sum(sum(counter.values()) for counter in self.db_calls.values()) / units, 2),
        }


def _counting(counter: Counter[str], key: str, function: Callable[..., Any], depth: list[int] | None = None) -> Any:
    """``function``, counting its calls in ``counter[key]``.

    With ``depth`` (shared by the wrappers of one connector), only outermost calls count:
    a connector method implemented with another one (``select_page`` calling ``select``)
    is one call made by backo.
    """

    @functools.wraps(function)
    def counted(*args: Any, **kwargs: Any) -> Any:
        if depth is None:
            counter[key] += 1
            return function(*args, **kwargs)
        if depth[0] == 0:
            counter[key] += 1
        depth[0] += 1
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1

    return counted


@contextlib.contextmanager
def _patched(target: Any, name: str, replacement: Any) -> Iterator[None]:
    """``target.name = replacement`` within the block; the attribute is restored (or removed) after."""
    had_own = name in vars(target)
    original = vars(target).get(name)
    setattr(target, name, replacement)
    try:
        yield
    finally:
        if had_own:
            setattr(target, name, original)
        else:
            delattr(target, name)


@contextlib.contextmanager
def _traced() -> Iterator[Callable[[], int]]:
    """tracemalloc around the block; yields a function returning the peak so far."""
    already = tracemalloc.is_tracing()
    if already:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
    else:
        tracemalloc.start()
        base = 0
    try:
        yield lambda: tracemalloc.get_traced_memory()[1] - base
    finally:
        if not already:
            tracemalloc.stop()


def probe(operation: Callable[[], int], connectors: dict[str, DBConnector]) -> Probe:
    """Run ``operation`` once with tracemalloc and the counters installed; see the module docstring."""
    result = Probe(db_calls={name: Counter() for name in connectors})
    with contextlib.ExitStack() as stack:
        for method, key in ITEM_COUNTERS.items():
            if hasattr(Item, method):
                stack.enter_context(_patched(Item, method, _counting(result.counts, key, getattr(Item, method))))
        for name, connector in connectors.items():
            depth = [0]
            for method in CONNECTOR_METHODS:
                if hasattr(connector, method):
                    counted = _counting(result.db_calls[name], method, getattr(connector, method), depth)
                    stack.enter_context(_patched(connector, method, counted))
        gc.collect(YOUNG_GENERATIONS)
        peak = stack.enter_context(_traced())
        result.units = operation()
        result.peak_bytes = peak()
    return result


def peak_bytes_of(operation: Callable[[], object]) -> int:
    """tracemalloc's peak during one call of ``operation``, with no counter installed."""
    gc.collect(YOUNG_GENERATIONS)
    with _traced() as peak:
        operation()
        return peak()


def retained_bytes(build: Callable[[], object]) -> int:
    """The memory the value returned by ``build()`` holds (tracemalloc, while the value is alive).

    Used for sizes that are estimates by nature: a decoded page, a sample of parsed
    documents.
    """
    gc.collect(YOUNG_GENERATIONS)
    already = tracemalloc.is_tracing()
    if not already:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        value = build()
        size = tracemalloc.get_traced_memory()[0] - before
        del value
    finally:
        if not already:
            tracemalloc.stop()
    return size
