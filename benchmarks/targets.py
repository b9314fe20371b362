"""The issue's six performance targets, judged from the records of a run.

Each target gets PASS or MISS with the figure it was judged on, or n/a when the run did
not measure what it needs (``--only``, a single size, a missing store, ``--no-probe``).
The limits are the issue's; how each is measured is documented on its function and in
docs/benchmarks.md.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from .report import Record
from .scenarios import BY_NAME
from .settings import TARGET_STORES, Settings

PASS, MISS, NOT_MEASURED = "PASS", "MISS", "n/a"

#: Target 1: a generated route's cost / the bare Flask handler's, at most.
ROUTE_LIMIT = 1.5
#: Target 2: a scan on YAML (warm cache) / the same on memory, at most.
YAML_LIMIT = 3.0
#: Target 4: cost at the largest N / cost at the smallest (per item for scans), at most.
FLAT_LIMIT = 1.5
#: Target 5: a reference update with 10x more authors / with the default authors, at most.
AUTHORS_LIMIT = 1.5
#: Target 6: on top of the store's cache, a list request may hold this many pages.
PAGE_FACTOR = 3

#: The full scans of the shelf (one unit reads all N items).
SCANS = ("select_eq", "select_range", "list_first", "list_last")


@dataclass
class Target:
    """One target's verdict."""

    number: int
    title: str
    status: str
    figure: str
    details: dict[str, Any] = field(default_factory=dict)


class Results:
    """The records of a run, looked up by (scenario, store, size)."""

    def __init__(self, records: Iterable[Record], settings: Settings) -> None:
        self.records = list(records)
        self.settings = settings
        self._by_key = {record.key: record for record in self.records}
        sizes = sorted({record.size for record in self.records if record.kind != "raw"})
        #: the smallest and largest N measured
        self.low = sizes[0] if sizes else 0
        self.high = sizes[-1] if sizes else 0

    def get(self, scenario: str, store: str, size: int) -> Record | None:
        return self._by_key.get((scenario, store, size))

    def stores(self, judged_only: bool = True) -> list[str]:
        present = {record.store for record in self.records}
        return [
            store for store in self.settings.stores if store in present and (not judged_only or store in TARGET_STORES)
        ]


def _growth(results: Results, scenario: str, store: str, per_item_for_scans: bool = True) -> float | None:
    """cost(largest N) / cost(smallest N) on ``store``; per stored item (cost / N) for scans, unless told not to.

    The sizes are those measured on ``store`` (mongo may stop before the largest N).
    """
    sizes = sorted(r.size for r in results.records if r.scenario == scenario and r.store == store)
    if len(sizes) < 2:
        return None
    low, high = results.get(scenario, store, sizes[0]), results.get(scenario, store, sizes[-1])
    if low is None or high is None:
        return None
    growth = high.cost / low.cost
    scan = BY_NAME[scenario].kind == "scan"
    return growth * sizes[0] / sizes[-1] if scan and per_item_for_scans else growth


def route_overhead(results: Results) -> Target:
    """Target 1: ``get_route`` and ``create_route`` cost at most 1.5x their Flask floor (YAML, memory), at every N."""
    title = f"a generated route costs <= {ROUTE_LIMIT}x the bare Flask floor (get, create; YAML, memory)"
    rows = [
        record
        for record in results.records
        if record.scenario in ("get_route", "create_route") and record.store in TARGET_STORES and record.ratio
    ]
    if not rows:
        return Target(1, title, NOT_MEASURED, "needs get_route or create_route on memory or yml")
    worst: dict[str, Record] = {}
    for record in rows:
        name = f"{record.scenario} {record.store}"
        if name not in worst or (record.ratio or 0) > (worst[name].ratio or 0):
            worst[name] = record
    top = max(rows, key=lambda record: record.ratio or 0)
    figure = f"worst {top.ratio:.2f}x ({top.scenario}, {top.store}, N={top.size}); " + ", ".join(
        f"{name} {record.ratio:.2f}x" for name, record in worst.items()
    )
    details = {name: record.ratio for name, record in worst.items()}
    return Target(1, title, PASS if (top.ratio or 0) <= ROUTE_LIMIT else MISS, figure, details)


def yaml_versus_memory(results: Results) -> Target:
    """Target 2: each scan on YAML, caches warm (nothing changed on disk), costs at most 3x the same on memory."""
    title = f"select/list on YAML (nothing changed on disk) costs <= {YAML_LIMIT:g}x the same on memory"
    ratios: dict[str, float] = {}
    for record in results.records:
        memory = results.get(record.scenario, "memory", record.size)
        if record.store == "yml" and record.scenario in SCANS and memory is not None:
            ratios[f"{record.scenario} N={record.size}"] = record.cost / memory.cost
    if not ratios:
        return Target(2, title, NOT_MEASURED, "needs select or list scenarios on both yml and memory")
    worst = max(ratios, key=ratios.__getitem__)
    at_high = [f"{name.split()[0]} {ratio:.2f}x" for name, ratio in ratios.items() if name.endswith(f"={results.high}")]
    figure = f"worst {ratios[worst]:.2f}x ({worst}); at N={results.high}: " + ", ".join(at_high)
    return Target(2, title, PASS if ratios[worst] <= YAML_LIMIT else MISS, figure, ratios)


def paginated_list(results: Results) -> Target:
    """Target 3: a paginated list builds Items only for the page it returns.

    Judged two ways, both required: the Items built by one list request (counted by the
    probe) never exceed the page size, at any N, first or last page; and, at the largest
    N, a list request costs less than a 10% select on the same store (which builds N/10
    Items: a list building an Item per stored document would cost several times more).
    The growth of both from the smallest to the largest N is reported.
    """
    page = results.settings.page
    title = "a paginated list builds Items only for the page it returns"
    lists = [record for record in results.records if record.scenario in ("list_first", "list_last")]
    if not lists:
        return Target(3, title, NOT_MEASURED, "needs list_first or list_last")
    counted = [record.probe["items"] for record in lists if record.probe]
    most = max(counted) if counted else None
    versus: dict[str, float] = {}
    growth: dict[str, str] = {}
    for store in results.stores(judged_only=False):
        listing, select = results.get("list_first", store, results.high), results.get("select_eq", store, results.high)
        if listing is not None and select is not None:
            versus[store] = listing.cost / select.cost
        list_growth, select_growth = (
            _growth(results, "list_first", store, False),
            _growth(results, "select_eq", store, False),
        )
        if list_growth is not None and select_growth is not None:
            growth[store] = f"list x{list_growth:.1f} vs select x{select_growth:.1f}"
    if most is None and not versus:
        return Target(3, title, NOT_MEASURED, "needs the probe (Items counted) or list_first and select_eq")
    passed = (most is None or most <= page) and all(ratio < 1 for ratio in versus.values())
    parts = [] if most is None else [f"<= {most:g} Items built per request (page of {page})"]
    if versus:
        costs = ", ".join(f"{store} {ratio:.2f}" for store, ratio in versus.items())
        parts.append(f"list page 1 at N={results.high} costs {costs} of a 10% select")
    if growth:
        parts.append(f"N {results.low}->{results.high}: " + "; ".join(f"{s} {g}" for s, g in growth.items()))
    details = {"items_per_request": most, "list_over_select": versus, "growth": growth}
    return Target(3, title, PASS if passed else MISS, "; ".join(parts), details)


def flat_costs(results: Results) -> Target:
    """Target 4: per-operation cost stays flat (<= 1.5x) from the smallest to the largest N; full scans linear.

    For each operation, cost(largest N) / cost(smallest N); for full scans, the same per
    stored item (divided by N), which stays <= 1.5 when a scan grows linearly. Judged
    on memory and YAML; mongo's growth is in the details (mongomock scans per lookup).
    """
    title = f"per-item cost flat (<= {FLAT_LIMIT}x) from N={results.low} to N={results.high}; scans linear"
    if results.low == results.high:
        return Target(4, title, NOT_MEASURED, "needs two sizes or more")
    judged: dict[str, float] = {}
    other: dict[str, float] = {}
    for store in results.stores(judged_only=False):
        for scenario, definition in BY_NAME.items():
            growth = _growth(results, scenario, store) if definition.kind != "raw" else None
            if growth is not None:
                (judged if store in TARGET_STORES else other)[f"{scenario} {store}"] = growth
    if not judged:
        return Target(4, title, NOT_MEASURED, "needs the same scenario at two sizes on memory or yml")
    ops = {name: value for name, value in judged.items() if BY_NAME[name.split()[0]].kind == "op"}
    scans = {name: value for name, value in judged.items() if name not in ops}
    parts = []
    for label, group in (("operations", ops), ("scans per item", scans)):
        if group:
            worst = max(group, key=group.__getitem__)
            misses = sum(value > FLAT_LIMIT for value in group.values())
            parts.append(f"{label}: worst x{group[worst]:.2f} ({worst}), {misses}/{len(group)} over")
    status = PASS if all(value <= FLAT_LIMIT for value in judged.values()) else MISS
    return Target(4, title, status, "; ".join(parts), {"judged": judged, "not judged (mongomock)": other})


def reference_updates(results: Results) -> Target:
    """Target 5: creating a book touches only its author, whatever N and the number of authors.

    Judged on the probe's connector calls during one ``ref_create``: no select of any
    collection, and the same calls at every N and with 10x more authors; and on time: a
    create among ``authors_scaled`` authors costs at most 1.5x one among ``authors``
    (smallest N, memory and YAML).
    """
    settings = results.settings
    title = (
        f"a reference update touches only the items it must ({settings.authors_scaled} vs {settings.authors} authors)"
    )
    refs = [r for r in results.records if r.scenario in ("ref_create", "ref_create_many_authors") and r.probe]
    calls_by_store: dict[str, set[str]] = {}
    scans = False
    for record in refs:
        calls = record.probe["db_calls"] if record.probe else {}
        calls_by_store.setdefault(record.store, set()).add(json.dumps(calls, sort_keys=True))
        scans |= any(method.startswith("select") for methods in calls.values() for method in methods)
    timing = {}
    for store in results.stores():
        few, many = (results.get(name, store, results.low) for name in ("ref_create", "ref_create_many_authors"))
        if few is not None and many is not None:
            timing[store] = many.cost / few.cost
    if not refs and not timing:
        return Target(5, title, NOT_MEASURED, "needs ref_create and ref_create_many_authors")
    same = all(len(signatures) == 1 for signatures in calls_by_store.values())
    passed = not scans and same and all(ratio <= AUTHORS_LIMIT for ratio in timing.values())
    parts = []
    if refs:
        calls = refs[0].probe["db_calls"] if refs[0].probe else {}
        listed = ", ".join(
            f"{name}.{method} {count:g}" for name, methods in calls.items() for method, count in methods.items()
        )
        parts.append(
            f"per create: {listed}" + ("" if same else " (varies with N or authors)") + (", SELECT" if scans else "")
        )
    if timing:
        parts.append(
            f"{settings.authors_scaled}/{settings.authors} authors: "
            + ", ".join(f"{s} x{r:.2f}" for s, r in timing.items())
        )
    details = {"calls": {store: sorted(signatures) for store, signatures in calls_by_store.items()}, "timing": timing}
    return Target(5, title, PASS if passed else MISS, "; ".join(parts), details)


def list_memory(results: Results) -> Target:
    """Target 6: the peak memory of listing page 1 of N YAML items stays under 3x the page plus the store's cache.

    The peak is the process's: the store's cache (the N parsed documents) is held anyway,
    so a list request may add at most three times the page on top of it. Listing one page
    must take memory of the page's order, not of N.

    * request: tracemalloc's peak during one ``GET ?_page=50`` (the probe), the store's
      caches warm (parsed files, the folder's snapshot and its sorted order, allocated
      before, so not counted): what the request adds while nothing changes;
    * cold: the same for the first request after the folder changed, which reads the
      folder again and sorts it (reported, not judged: it is the cost of a change);
    * page: the decoded answer, as Python objects (``json.loads`` of the body, measured);
    * cache: the YAML connector's cache of N parsed documents, estimated from a sample of
      200 documents parsed and kept the same way (tracemalloc), scaled to N. The verdict
      does not depend on this estimate (peak <= 3 x page + cache is request <= 3 x page);
      it gives the size of the process's peak.
    """
    high = results.high
    title = f"peak memory of listing page 1 of {high:,} YAML items < {PAGE_FACTOR} x page + the store's cache"
    record = results.get("list_first", "yml", high)
    if record is None or record.peak_bytes is None or "cache_bytes" not in record.extra:
        return Target(6, title, NOT_MEASURED, "needs list_first on yml with the probe")
    request, page, cache = record.peak_bytes, record.extra["page_memory"], record.extra["cache_bytes"]
    mib = 2**20
    figure = (
        f"peak ~{(cache + request) / mib:.1f} MiB (cache ~{cache / mib:.1f} MiB + request {request / mib:.2f} MiB)"
        f" vs limit {(PAGE_FACTOR * page + cache) / mib:.1f} MiB; the request adds {request / page:.1f}x the page"
        f" ({page / 1024:.0f} KiB)"
    )
    cold = record.extra.get("cold_peak_bytes")
    if cold is not None:
        figure += f"; the first request after a change adds {cold / mib:.2f} MiB (re-read and sort)"
    details = {
        "request_peak_bytes": request,
        "page_memory": page,
        "page_json_bytes": record.extra.get("page_bytes"),
        "cache_bytes": cache,
        "cold_peak_bytes": cold,
    }
    return Target(6, title, PASS if request <= PAGE_FACTOR * page else MISS, figure, details)


def evaluate(records: Iterable[Record], settings: Settings) -> list[Target]:
    """The six targets, in the issue's order."""
    results = Results(records, settings)
    judges = (route_overhead, yaml_versus_memory, paginated_list, flat_costs, reference_updates, list_memory)
    return [judge(results) for judge in judges]


def print_targets(targets: list[Target], stream: TextIO) -> None:
    """The summary: one line per target, its status and the figure it was judged on."""
    print("\n== targets", file=stream)
    for target in targets:
        print(f"{target.number}. [{target.status:<4}] {target.title}", file=stream)
        print(f"           {target.figure}", file=stream)
    stream.flush()
