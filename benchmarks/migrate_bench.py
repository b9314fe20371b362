"""Migration benchmark: ``Backoffice.migrate`` over YAML items, in items per second.

Run: ``python -m benchmarks.migrate_bench [--size 10000]``. Stores ``size`` books with
the README's old model, then times the README's "add a required note field" migration
three ways and prints one line: a check without function (every book fails validation),
the dry run, and the real run (``dry_run=False``, one file written per book).
"""

import argparse
import tempfile
import time
from collections.abc import Callable

from backo import Backoffice, Collection, DBYmlConnector, Float, Int, Item, String
from backo.core.migration import MigrationReport


def update_with_note(o: dict) -> dict:
    """The README's migration function."""
    if "note" not in o:
        o["note"] = 10.0
    return o


def fill(store: DBYmlConnector, size: int) -> None:
    """Store ``size`` books as the old model wrote them (straight through the connector)."""
    meta = {
        "ctime": "2026-01-01T00:00:00",
        "mtime": "2026-01-01T00:00:00",
        "created_by": {"_id": "000", "login": "ANONYMOUS"},
        "modified_by": {"_id": "000", "login": "ANONYMOUS"},
    }
    for n in range(size):
        store.create(
            {"_id": store.generate_id(None), "_meta": meta, "title": f"book {n}", "pages": n}
        )


def rate(size: int, run: Callable[[], MigrationReport]) -> float:
    """Items per second of one migration run."""
    start = time.perf_counter()
    run()
    return size / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000, help="number of stored items")
    size = parser.parse_args().size
    with tempfile.TemporaryDirectory() as folder:
        store = DBYmlConnector(path=folder)
        fill(store, size)
        bo = Backoffice("media_library")
        model = Item({"title": String(), "pages": Int(), "note": Float(required=True)})
        bo.register_collection(Collection("books", model, store))
        check = rate(size, lambda: bo.migrate("books"))
        dry = rate(size, lambda: bo.migrate("books", update_with_note))
        write = rate(size, lambda: bo.migrate("books", update_with_note, dry_run=False))
    print(
        f"migrate {size} YAML items: check {check:.0f} items/s, "
        f"dry run {dry:.0f} items/s, dry_run=False {write:.0f} items/s",
        flush=True,
    )


if __name__ == "__main__":
    main()
