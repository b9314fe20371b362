"""``make bench``: every benchmark of the project, one after the other.

Run: ``python -m benchmarks.run [--sizes 1000 10000] [--stores memory yml]``
(``make bench BENCH_ARGS="--sizes 1000"``). Each benchmark prints its own table:
core operations per second, routes against a bare Flask floor, migration items/s.
"""

import argparse
import sys
import time

from backo import current_user

from . import core_bench, file_bench, http_bench, migrate_bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--stores", nargs="+", default=["memory", "yml"], choices=["memory", "yml"])
    args = parser.parse_args()
    current_user.standalone = True
    start = time.perf_counter()
    print("== core: operations per second", flush=True)
    for store in args.stores:
        for size in args.sizes:
            core_bench.run(store, size)
    print("== http: generated routes against a bare Flask handler", flush=True)
    for store in args.stores:
        for size in args.sizes:
            http_bench.run(store, size)
    print("== files", flush=True)
    sys.argv = [sys.argv[0]]
    file_bench.main()
    print("== migration", flush=True)
    sys.argv = [sys.argv[0], "--size", str(max(args.sizes))]
    migrate_bench.main()
    print(f"== done in {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
