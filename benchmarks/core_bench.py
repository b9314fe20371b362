"""Domain-core benchmark: create, get_by_id, select (10% match) and save, on memory and YAML.

Run: ``python -m benchmarks.core_bench [--sizes 1000 10000] [--stores memory yml]``.
Prints one line per (store, size, operation) with operations per second; the timed
loops use the public API only, as a script would.
"""

import argparse
import tempfile
import time
from collections.abc import Callable

from backo import Backoffice, Collection, DBMemoryConnector, DBYmlConnector, Int, Item, String, current_user


def build(store: str, folder: str) -> Collection:
    """A backoffice with one "books" collection on ``store``."""
    connector = DBMemoryConnector() if store == "memory" else DBYmlConnector(path=folder)
    bo = Backoffice("bench")
    bo.register_collection(Collection("books", Item({"title": String(), "group": Int(), "pages": Int()}), connector))
    return bo.books


def timed(label: str, count: int, action: Callable[[], None]) -> float:
    """Run ``action`` once, print and return operations per second for ``count`` operations."""
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    rate = count / elapsed if elapsed else float("inf")
    print(f"{label:<32} {count:>7} ops  {elapsed:8.2f} s  {rate:10.0f} ops/s", flush=True)
    return rate


def run(store: str, size: int) -> None:
    """Measure the four operations on ``size`` items."""
    with tempfile.TemporaryDirectory() as folder:
        books = build(store, folder)
        ids: list[str] = []

        def create_all() -> None:
            for n in range(size):
                ids.append(books.create({"title": f"book {n}", "group": n % 10, "pages": n})._id.get_value())

        timed(f"{store}/{size} create", size, create_all)
        sample = ids[:: max(1, size // 1000)]
        timed(f"{store}/{size} get_by_id", len(sample), lambda: [books.get_by_id(_id) for _id in sample])
        rounds = 3
        timed(f"{store}/{size} select 10%", rounds, lambda: [books.select({"group": 3}) for _ in range(rounds)])

        def save_sample() -> None:
            for _id in sample:
                item = books.get_by_id(_id)
                item.pages = 1
                item.save()

        timed(f"{store}/{size} get+save", len(sample), save_sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--stores", nargs="+", default=["memory", "yml"], choices=["memory", "yml"])
    args = parser.parse_args()
    current_user.standalone = True
    for store in args.stores:
        for size in args.sizes:
            run(store, size)


if __name__ == "__main__":
    main()
