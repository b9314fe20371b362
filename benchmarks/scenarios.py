"""The scenarios: what is measured, each against its floor, in the order they run.

Each scenario turns a :class:`~benchmarks.context.Bench` (a store of one kind holding N
items) into a :class:`~benchmarks.context.Plan`. Per-operation scenarios, list requests
included, time ``Settings.ops`` operations on random items; selects (full scans building
N/10 Items) time ``Settings.rounds`` rounds. Writes are undone afterwards where they would
change N (the creates), so every scenario sees N items. See docs/benchmarks.md for the
table of them.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from .context import BOOKS_URL, FLOOR_URL, Bench, Plan, expect, once
from .floors import meta_stamp, yaml_dump, yaml_load
from .measure import peak_bytes_of, retained_bytes
from .migrations import migrate_dry, migrate_real
from .references import cascade_delete, ref_create, ref_create_many_authors
from .stores import book_values


@dataclass(frozen=True)
class Scenario:
    """A named measurement."""

    name: str
    #: "op": cost per operation should not depend on N; "scan": one unit reads all N
    #: items; "raw": a library call without backo (a floor of its own)
    kind: str
    #: one line for ``--help`` and the documentation
    summary: str
    #: the plan for a Bench, or None when the scenario does not apply there
    build: Callable[[Bench], Plan | None]


# -- creates -----------------------------------------------------------------------------


def _creates(bench: Bench, backo: Callable[[int], str], floor: Callable[[int], str], unit: str) -> Plan:
    """A plan creating books on both sides, then deleting them again (through the stores)."""
    made: list[str] = []
    floor_made: list[str] = []

    def finish() -> None:
        bench.remove(made)
        bench.floor.delete_many(floor_made)

    return Plan(
        unit=unit,
        count=bench.settings.ops,
        backo=once(lambda i: made.append(backo(i))),
        floor=once(lambda i: floor_made.append(floor(i))),
        connectors=bench.connectors,
        finish=finish,
    )


def create(bench: Bench) -> Plan:
    """``collection.create(values)``; floor: the store's insert of the same document."""
    first = bench.size  # values after the seeded ones
    return _creates(
        bench,
        lambda i: bench.shelf.books.create(book_values(first + i))._id.get_value(),
        lambda i: bench.floor.insert({**book_values(first + i), "_meta": meta_stamp()}),
        "call",
    )


def create_route(bench: Bench) -> Plan:
    """``POST /bench/books``; floor: a Flask handler inserting the body."""
    first = bench.size
    return _creates(
        bench,
        lambda i: expect(bench.client.post(BOOKS_URL, json=book_values(first + i))).get_json()["_id"],
        lambda i: expect(bench.floor_client.post(FLOOR_URL, json=book_values(first + i))).get_json()["_id"],
        "request",
    )


# -- reads -------------------------------------------------------------------------------


def get(bench: Bench) -> Plan:
    """``collection.get_by_id(_id)``; floor: the store's read of one document."""
    ids = [bench.ids[n] for n in bench.picks(bench.settings.ops + 1)]
    books, floor = bench.shelf.books, bench.floor
    return Plan(
        unit="call",
        count=bench.settings.ops,
        backo=once(lambda i: books.get_by_id(ids[i])),
        floor=once(lambda i: floor.get(ids[i])),
        connectors=bench.connectors,
    )


def get_route(bench: Bench) -> Plan:
    """``GET /bench/books/<_id>``; floor: a Flask handler reading the document."""
    ids = [bench.ids[n] for n in bench.picks(bench.settings.ops + 1)]
    client, floor_client = bench.client, bench.floor_client
    return Plan(
        unit="request",
        count=bench.settings.ops,
        backo=once(lambda i: expect(client.get(f"{BOOKS_URL}/{ids[i]}"))),
        floor=once(lambda i: expect(floor_client.get(f"{FLOOR_URL}/{ids[i]}"))),
        connectors=bench.connectors,
    )


def _select(bench: Bench, match_filter: dict, key: str, comparison: str, value: int) -> Plan:
    """A full-scan plan: ``collection.select(match_filter)`` against the floor's scan of ``key``."""
    found: dict[str, int] = {}

    def backo(i: int) -> int:
        count = len(bench.shelf.books.select(match_filter))
        found.setdefault("backo", count)
        return 1

    def floor(i: int) -> int:
        count = len(bench.floor.find(key, comparison, value))
        found.setdefault("floor", count)
        return 1

    def finish() -> str | None:
        if found.get("backo") == found.get("floor"):
            return None
        return f"backo found {found.get('backo')}, the floor {found.get('floor')}"

    return Plan(
        unit="round",
        count=bench.settings.rounds,
        backo=backo,
        floor=floor,
        connectors=bench.connectors,
        min_calls=1,
        before=bench.quiet,
        finish=finish,
        extra=found,
    )


def select_eq(bench: Bench) -> Plan:
    """``collection.select({"group": 3})``: 10% of the items match; floor: scan for group == 3."""
    return _select(bench, {"group": 3}, "group", "eq", 3)


def select_range(bench: Bench) -> Plan:
    """``collection.select({"pages": ("$lt", N // 10)})``: 10% match; floor: scan for pages < N // 10."""
    return _select(bench, {"pages": ("$lt", bench.size // 10)}, "pages", "lt", bench.size // 10)


#: Documents parsed to estimate the memory of the YAML connector's cache.
CACHE_SAMPLE = 200


def yaml_cache_bytes(bench: Bench) -> int:
    """An estimate of the memory the YAML connector's cache holds for the N documents.

    The connector keeps every parsed document with its file's signature (three ints):
    a sample of the stored documents is parsed and kept the same way, and what it retains
    (tracemalloc) is scaled to N.
    """
    db = bench.shelf.books.db_handler
    texts = [yaml_dump(db.get_by_id(bench.ids[n])) for n in bench.picks(min(CACHE_SAMPLE, bench.size))]

    def parsed() -> dict:
        return {f"{n}.yml": ((10**9 + n, 10**18 + n, 1000 + n), yaml_load(text)) for n, text in enumerate(texts)}

    return retained_bytes(parsed) * bench.size // len(texts)


def _list(bench: Bench, skip: int) -> Plan:
    """``GET ?_page=<page>&_skip=<skip>`` on backo's route and on the floor's handler.

    A list request reads all N documents but is cheap when it builds only its page, so
    ``Settings.ops`` requests are timed (under the time cap), like the other requests.
    The probed request's answer is kept, to report the page's size: ``page_bytes`` (JSON
    text) and ``page_memory`` (the decoded answer's Python objects); on the YAML store,
    ``cache_bytes`` estimates the connector's cache (target 6).

    Once the folder is quiet, the first request reads it again and sorts it (what follows
    any change): its peak is reported as ``cold_peak_bytes``. The probe is the next
    request, the store's caches in place: what listing costs while nothing changes.
    """
    page = bench.settings.page
    query = f"?_page={page}" + (f"&_skip={skip}" if skip else "")
    facts: dict[str, int] = {"skip": skip}
    answers: list[bytes] = []

    def backo(i: int) -> int:
        response = expect(bench.client.get(BOOKS_URL + query))
        if i == 0:
            answers.append(response.data)
        return 1

    def quiet_then_cold_request() -> None:
        bench.quiet()
        facts["cold_peak_bytes"] = peak_bytes_of(lambda: expect(bench.client.get(BOOKS_URL + query)))

    def finish() -> str | None:
        body = answers[0]
        returned = len(json.loads(body)["result"])
        facts.update(page_bytes=len(body), returned=returned, page_memory=retained_bytes(lambda: json.loads(body)))
        if bench.store == "yml":
            facts["cache_bytes"] = yaml_cache_bytes(bench)
        expected = min(page, max(bench.size - skip, 0))
        return None if returned == expected else f"returned {returned} items, not {expected}"

    return Plan(
        unit="request",
        count=bench.settings.ops,
        backo=backo,
        floor=once(lambda i: expect(bench.floor_client.get(FLOOR_URL + query))),
        connectors=bench.connectors,
        min_calls=1,
        before=quiet_then_cold_request,
        finish=finish,
        extra=facts,
    )


def list_first(bench: Bench) -> Plan:
    """``GET /bench/books?_page=50``; floor: read all, sort by _id, slice, dump JSON."""
    return _list(bench, 0)


def list_last(bench: Bench) -> Plan:
    """``GET /bench/books?_page=50&_skip=N-50``: the last page; same floor."""
    return _list(bench, max(bench.size - bench.settings.page, 0))


# -- writes ------------------------------------------------------------------------------


def _updates(bench: Bench, method: str, body: Callable[[int], object]) -> Plan:
    """PUT or PATCH on random distinct books, backo and the floor on different ones.

    ``body(n)`` is the request body for the n-th seeded book; it keeps ``pages`` and
    ``group`` as they are, so the selects of other scenarios still match 10%.
    """
    count = bench.settings.ops + 1
    picks = bench.picks(2 * count)
    backo_picks, floor_picks = picks[:count], picks[count:]

    def backo(i: int) -> int:
        n = backo_picks[i]
        expect(bench.client.open(f"{BOOKS_URL}/{bench.ids[n]}", method=method, json=body(n)))
        return 1

    def floor(i: int) -> int:
        n = floor_picks[i]
        expect(bench.floor_client.open(f"{FLOOR_URL}/{bench.ids[n]}", method=method, json=body(n)))
        return 1

    return Plan(unit="request", count=bench.settings.ops, backo=backo, floor=floor, connectors=bench.connectors)


def put_route(bench: Bench) -> Plan:
    """``PUT /bench/books/<_id>`` with a JSON body; floor: read, merge, write."""
    return _updates(bench, "PUT", lambda n: {"title": f"put {n}", "pages": n})


def patch_route(bench: Bench) -> Plan:
    """``PATCH /bench/books/<_id>`` with ``[{"op": "replace", "path": "$.title", ...}]``; floor: read, set, write.

    The path is ``$.title``, a String: backo's patch values are strings, and an Int field
    such as ``$.pages`` cannot be patched (400, see docs/routes.rst).
    """
    return _updates(bench, "PATCH", lambda n: [{"op": "replace", "path": "$.title", "value": f"patched {n}"}])


# -- PyYAML alone ------------------------------------------------------------------------


def _pyyaml(bench: Bench, make: Callable[[dict], Callable[[], object]]) -> Plan | None:
    """A plan timing ``make(document)()`` on a stored document, on the YAML store only."""
    if bench.store != "yml":
        return None
    operation = make(bench.shelf.books.db_handler.get_by_id(bench.ids[0]))
    return Plan(unit="document", count=10 * bench.settings.ops, backo=once(lambda i: operation()))


def pyyaml_load(bench: Bench) -> Plan | None:
    """PyYAML's safe load of one stored document (YAML store only): the parsing floor."""

    def make(document: dict) -> Callable[[], object]:
        text = yaml_dump(document)
        return lambda: yaml_load(text)

    return _pyyaml(bench, make)


def pyyaml_dump(bench: Bench) -> Plan | None:
    """PyYAML's safe dump of one stored document (YAML store only): the writing floor."""
    return _pyyaml(bench, lambda document: lambda: yaml_dump(document))


def _scenario(build: Callable[[Bench], Plan | None], kind: str = "op") -> Scenario:
    summary = (build.__doc__ or "").strip().splitlines()[0]
    return Scenario(build.__name__, kind, summary, build)


#: Every scenario, in the order a run measures them (migrations last: they change every item).
SCENARIOS: tuple[Scenario, ...] = (
    _scenario(create),
    _scenario(create_route),
    _scenario(get),
    _scenario(get_route),
    _scenario(select_eq, "scan"),
    _scenario(select_range, "scan"),
    _scenario(list_first, "scan"),
    _scenario(list_last, "scan"),
    _scenario(put_route),
    _scenario(patch_route),
    _scenario(pyyaml_load, "raw"),
    _scenario(pyyaml_dump, "raw"),
    _scenario(ref_create),
    _scenario(ref_create_many_authors),
    _scenario(cascade_delete),
    _scenario(migrate_dry),
    _scenario(migrate_real),
)

#: The scenarios by name.
BY_NAME: dict[str, Scenario] = {scenario.name: scenario for scenario in SCENARIOS}
