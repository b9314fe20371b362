"""Fuzz the served quickstart with schemathesis against its own OpenAPI document: the full run.

    python -m benchmarks.fuzz [--examples 60] [--seed 20260] [--mode positive|negative|both]

The harness is :mod:`testkit.fuzz` (what it sends, what it counts, the 500s kept by design);
``tests/fuzz`` runs it with about 200 requests in ``make test``.
"""

import argparse
import tempfile
from pathlib import Path

from testkit.fuzz import MODES, fuzz_quickstart


def main(argv: list[str] | None = None) -> int:
    """Run the full fuzz and print its totals; exit 1 on any 5xx or violation."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=60, help="requests per operation and mode (default 60)")
    parser.add_argument("--seed", type=int, default=20260, help="hypothesis seed (default 20260)")
    parser.add_argument("--mode", choices=sorted(MODES), default="both", help="data generation mode (default both)")
    parser.add_argument("--verbose", action="store_true", help="also print the statuses of each operation")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        report = fuzz_quickstart(Path(folder) / "data", args.examples, args.seed, MODES[args.mode])
    if args.verbose:
        print(report.details())
    print(report.summary())
    return 1 if report.server_errors or report.violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
