"""``make bench``: backo against its floors, at several sizes, on every store, and the issue's targets.

Run ``python -m benchmarks.run`` (``make bench``; ``make bench BENCH_ARGS="--sizes 1000"``
for a quick run). For each N of ``--sizes`` and each store of ``--stores`` it seeds a
store with N items and measures every scenario (``--list`` shows them) against its
floor, printing one line per measurement as it goes; then it judges the six targets,
runs the 10 MB file benchmark, and writes everything to a JSON file
(``benchmarks/results/<time>.json`` and ``latest.json`` by default).
``--compare OLD.json`` adds the ratio new/old of each line. See docs/benchmarks.md.
"""

import argparse
import contextlib
import dataclasses
import datetime
import io
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

from backo import current_user

from . import file_bench
from .report import FORMAT, Record, Table, environment, load_costs, max_rss_bytes, write_json
from .runner import run_all
from .scenarios import SCENARIOS
from .settings import MONGO_LIMIT_REASON, STORES, Settings
from .targets import evaluate, print_targets

#: Where results go unless ``--json`` says otherwise (git-ignored).
RESULTS = Path(__file__).resolve().parent / "results"

#: ``--only`` names that are not scenarios: the file upload/download benchmark.
EXTRAS = ("file",)


def parser() -> argparse.ArgumentParser:
    """The command line (every count of :class:`~benchmarks.settings.Settings` is an option)."""
    defaults = Settings()
    names = [scenario.name for scenario in SCENARIOS] + list(EXTRAS)
    cli = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    cli.add_argument("--sizes", type=int, nargs="+", default=list(defaults.sizes), metavar="N", help="stored items")
    cli.add_argument("--stores", nargs="+", default=list(STORES), choices=STORES, help="stores (mongo: on mongomock)")
    cli.add_argument("--only", nargs="+", default=[], choices=names, metavar="NAME", help="run only these (see --list)")
    cli.add_argument("--json", type=Path, metavar="PATH", help="results file (default: benchmarks/results/<time>.json)")
    cli.add_argument("--compare", type=Path, metavar="OLD.json", help="print new/old cost per line against OLD.json")
    cli.add_argument("--list", action="store_true", help="list the scenarios and exit")
    cli.add_argument(
        "--mongo-max-size", type=int, default=defaults.mongo_max_size, metavar="N", help="largest N on mongo (0: all)"
    )
    counts = cli.add_argument_group("counts (defaults fit `make bench` in under 10 minutes on 2 cores)")
    counts.add_argument("--ops", type=int, default=defaults.ops, help="timed operations per measurement")
    counts.add_argument("--rounds", type=int, default=defaults.rounds, help="timed rounds of each select")
    counts.add_argument(
        "--max-seconds", type=float, default=defaults.max_seconds, help="stop a measurement after this long (0: never)"
    )
    counts.add_argument("--min-ops", type=int, default=defaults.min_ops, help="fewest operations under the time cap")
    counts.add_argument(
        "--migrate-cap", type=int, default=defaults.migrate_cap, help="migrate all items up to this N, else a sample"
    )
    counts.add_argument("--authors", type=int, default=defaults.authors, help="authors of the library")
    counts.add_argument("--authors-scaled", type=int, default=defaults.authors_scaled, help="authors for target 5")
    counts.add_argument("--cascade-books", type=int, default=defaults.cascade_books, help="books per deleted author")
    counts.add_argument("--page", type=int, default=defaults.page, help="page size of the list scenarios")
    counts.add_argument(
        "--quiet-seconds", type=float, default=defaults.quiet_seconds, help="YAML folder quiet this long before scans"
    )
    counts.add_argument("--file-megabytes", type=int, default=defaults.file_megabytes, help="file benchmark (0: skip)")
    counts.add_argument("--seed", type=int, default=defaults.seed, help="seed of the random choice of ids")
    counts.add_argument(
        "--no-probe", dest="probe", action="store_false", help="skip peak memory / Items / db call counts"
    )
    return cli


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        sizes=tuple(args.sizes),
        stores=tuple(args.stores),
        mongo_max_size=args.mongo_max_size,
        only=tuple(args.only),
        ops=args.ops,
        rounds=args.rounds,
        max_seconds=args.max_seconds,
        min_ops=args.min_ops,
        migrate_cap=args.migrate_cap,
        authors=args.authors,
        authors_scaled=args.authors_scaled,
        cascade_books=args.cascade_books,
        page=args.page,
        quiet_seconds=args.quiet_seconds,
        probe=args.probe,
        seed=args.seed,
        file_megabytes=args.file_megabytes,
    )


def file_benchmark(megabytes: int) -> str:
    """Run :mod:`benchmarks.file_bench` (10 MB upload, streamed download) and return its line."""
    output = io.StringIO()
    argv = ["benchmarks.file_bench", "--megabytes", str(megabytes)]
    with mock.patch.object(sys, "argv", argv), contextlib.redirect_stdout(output):
        file_bench.main()
    return output.getvalue().strip()


def compare_summary(records: list[Record], old: dict[tuple[str, str, int], float], path: Path) -> str:
    """One line: how the compared lines moved (median and range of new cost / old cost)."""
    ratios = [record.cost / old[record.key] for record in records if old.get(record.key)]
    if not ratios:
        return f"== compared with {path}: no line in common"
    return (
        f"== compared with {path}: {len(ratios)} lines, new/old cost median {statistics.median(ratios):.2f}x "
        f"(from {min(ratios):.2f}x to {max(ratios):.2f}x; below 1 is faster)"
    )


def main(argv: list[str] | None = None) -> Path | None:
    """Run the benchmark; return the JSON file written (None with ``--list``)."""
    args = parser().parse_args(argv)
    if args.list:
        for scenario in SCENARIOS:
            print(f"{scenario.name:<24} {scenario.kind:<5} {scenario.summary}")
        return None
    settings = settings_from(args)
    current_user.standalone = True
    old = load_costs(args.compare) if args.compare else None
    started = datetime.datetime.now()
    start = time.perf_counter()
    print(
        f"backo benchmark: sizes {' '.join(map(str, settings.sizes))}, stores {' '.join(settings.stores)}, "
        f"{settings.ops} ops, {settings.rounds} rounds, cap {settings.max_seconds:g} s per measurement "
        f"(* = capped); costs per op, ×floor = backo cost / floor cost",
        flush=True,
    )
    records = run_all(settings, Table(sys.stdout, old))
    extras: dict[str, Any] = {}
    if settings.file_megabytes and settings.wants("file"):
        extras["file"] = file_benchmark(settings.file_megabytes)
        print(f"-- {extras['file']}", flush=True)
    targets = evaluate(records, settings)
    print_targets(targets, sys.stdout)
    elapsed = time.perf_counter() - start
    document = {
        "format": FORMAT,
        "started": started.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "argv": sys.argv[1:] if argv is None else argv,
        "environment": environment(),
        "settings": dataclasses.asdict(settings),
        "max_rss_bytes": max_rss_bytes(),
        "records": [record.to_json() for record in records],
        "skipped": [
            {"store": store, "size": size, "reason": MONGO_LIMIT_REASON}
            for size in settings.sizes
            for store in settings.stores
            if not settings.measures(store, size)
        ],
        "targets": [dataclasses.asdict(target) for target in targets],
        "extras": extras,
        "compared_with": None if args.compare is None else str(args.compare),
    }
    path = args.json or RESULTS / f"{started:%Y%m%d-%H%M%S}.json"
    write_json(path, document)
    if args.json is None:
        write_json(RESULTS / "latest.json", document)
    if old is not None:
        print(compare_summary(records, old, args.compare), flush=True)
    print(f"== done in {elapsed:.0f} s (max RSS {max_rss_bytes() / 2**20:.0f} MiB); results in {path}", flush=True)
    return path


if __name__ == "__main__":
    main()
