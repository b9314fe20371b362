"""Runs the scenarios: for each size and store, seed a Bench, measure each wanted scenario, report it.

Every scenario is measured the same way (:func:`execute`): its preparation (waiting for
a YAML folder to be quiet before a scan), one untimed probe operation (peak memory,
Items built, connector calls; it also warms caches up), one untimed floor operation (so
both sides are warm), then the timed loop of backo's operations, then the floor's, then
the scenario's clean-up and checks.
"""

import gc
import time
from collections.abc import Callable

from .context import Bench, Plan
from .measure import probe, time_loop
from .report import Record, Table
from .scenarios import SCENARIOS, Scenario
from .settings import MONGO_LIMIT_REASON, Settings
from .stores import StoreSet

#: The scenarios that use the default library (seeded with the shelf, so its time shows there).
LIBRARY_SCENARIOS = frozenset({"ref_create", "cascade_delete"})


def execute(scenario: Scenario, plan: Plan, bench: Bench) -> Record:
    """Measure ``plan`` (see the module docstring) and return its record."""
    settings = bench.settings
    start = time.perf_counter()
    if plan.before is not None:
        plan.before()
    first: Callable[[], int] = plan.probe or (lambda: plan.backo(0))
    probed = probe(first, plan.connectors) if settings.probe else None
    if probed is None:
        first()
    if plan.floor is not None and plan.floor_warmup:
        plan.floor(0)  # both sides warm before either is timed
    min_calls = plan.min_calls or settings.min_ops
    timing = time_loop(plan.backo, plan.count, settings.max_seconds, min_calls)
    floor_timing = None
    if plan.floor is not None:
        floor_timing = time_loop(plan.floor, plan.count, settings.max_seconds, min_calls)
    warning = plan.finish() if plan.finish is not None else None
    notes = [plan.note] + ([f"WARNING: {warning}"] if warning else [])
    return Record(
        scenario=scenario.name,
        store=bench.store,
        size=bench.size,
        kind=scenario.kind,
        unit=plan.unit,
        ops=timing.units,
        seconds=timing.seconds,
        floor_ops=None if floor_timing is None else floor_timing.units,
        floor_seconds=None if floor_timing is None else floor_timing.seconds,
        peak_bytes=None if probed is None else probed.peak_bytes,
        probe=None if probed is None else probed.per_unit(),
        elapsed=time.perf_counter() - start,
        capped=timing.capped or bool(floor_timing and floor_timing.capped),
        note="; ".join(note for note in notes if note),
        extra={**plan.extra, "calls": timing.calls, "floor_calls": floor_timing and floor_timing.calls},
    )


def run_bench(settings: Settings, store: str, size: int, table: Table) -> list[Record]:
    """Seed the stores of ``store`` with ``size`` items and measure every wanted scenario."""
    scenarios = [scenario for scenario in SCENARIOS if settings.wants(scenario.name)]
    records = []
    with StoreSet(store) as stores:
        bench = Bench(settings, store, size, stores)
        seeding = f"shelf seeded in {bench.seconds:.1f} s"
        if any(scenario.name in LIBRARY_SCENARIOS for scenario in scenarios):
            seeding += f", library in {bench.library().seconds:.1f} s"
        table.section(f"{store}, N={size}: {seeding}")
        for scenario in scenarios:
            start = time.perf_counter()
            plan = scenario.build(bench)
            if plan is None:
                continue
            setup = time.perf_counter() - start
            record = execute(scenario, plan, bench)
            record.elapsed += setup
            record.extra["setup_s"] = round(setup, 3)
            table.row(record)
            records.append(record)
        del bench
    gc.collect()
    return records


def run_all(settings: Settings, table: Table) -> list[Record]:
    """Every (size, store) pair, smallest sizes first (an interrupted run still covers every store)."""
    records: list[Record] = []
    if not any(settings.wants(scenario.name) for scenario in SCENARIOS):
        return records
    table.header()
    for size in sorted(settings.sizes):
        for store in settings.stores:
            if settings.measures(store, size):
                records.extend(run_bench(settings, store, size, table))
            else:
                table.section(
                    f"{store}, N={size}: skipped (--mongo-max-size {settings.mongo_max_size}): {MONGO_LIMIT_REASON}"
                )
    return records
