"""The knobs of a benchmark run, in one frozen value passed everywhere.

Every count is a parameter: the defaults fit ``make bench`` (sizes 1,000 / 10,000 / 50,000
on three stores) in under ten minutes on a 2-core machine with backo as it was when the
benchmark was written. As backo gets faster, the time cap (``max_seconds``) stops binding
and each measurement runs its full ``ops`` count, which makes the figures steadier.
"""

from dataclasses import dataclass

#: The stores a run can use: backo's in-memory, YAML and MongoDB (on mongomock) connectors,
#: SQLite, and PostgreSQL (BACKO_BENCH_POSTGRES_URL, else a throwaway cluster: testkit/postgres.py).
STORES: tuple[str, ...] = ("memory", "yml", "mongo", "sqlite", "postgres")

#: The stores the issue's targets 1, 2 and 4 are about. mongomock scans its whole
#: collection for every lookup (it has no index), so its per-operation cost grows with N
#: by construction: the mongo rows compare backo with its floor, not across sizes.
TARGET_STORES: tuple[str, ...] = ("memory", "yml")


#: Why mongo stops at ``mongo_max_size`` by default (printed when it skips a size).
MONGO_LIMIT_REASON = (
    "mongomock scans its whole collection for every lookup (no index), and backo's selects fetch every "
    "document from the connector: at 50,000 items one 10% select takes ~20 s, one get ~0.1 s"
)


@dataclass(frozen=True)
class Settings:
    """What to measure and how many times."""

    #: numbers of stored items N; each (store, N) pair gets freshly seeded stores
    sizes: tuple[int, ...] = (1000, 10_000, 50_000)
    #: store kinds, among :data:`STORES`
    stores: tuple[str, ...] = STORES
    #: the largest N measured on mongo (0: no limit); see :data:`MONGO_LIMIT_REASON`
    mongo_max_size: int = 10_000
    #: scenario names to run (empty: all of them)
    only: tuple[str, ...] = ()
    #: timed operations per measurement for the per-operation scenarios (per item for
    #: cascade deletes and migrations), run against a store already holding N items
    ops: int = 200
    #: timed rounds of each select (a full scan building N/10 Items); lists time ``ops`` requests
    rounds: int = 3
    #: a measurement stops early once it has run this long (and done ``min_ops``);
    #: 0 disables the cap
    max_seconds: float = 2.0
    #: the fewest timed operations a capped measurement keeps (1 for full scans)
    min_ops: int = 3
    #: migrate every item when N <= this, else a sample of this many ids (in chunks)
    migrate_cap: int = 2000
    #: the authors of the reference library (each holds N / authors books)
    authors: int = 200
    #: the authors of the second library of target 5 (built at the smallest size only)
    authors_scaled: int = 2000
    #: the books of each author deleted by the cascade scenario
    cascade_books: int = 5
    #: the page size of the list scenarios (``?_page=``)
    page: int = 50
    #: before a scan, wait until the YAML folder has been unchanged this long (seconds):
    #: file timestamps are coarse, so a store may distrust a folder written within the
    #: last second and read it again; scans are measured when nothing changed on disk
    quiet_seconds: float = 1.5
    #: measure peak memory, Items built and connector calls on one untimed operation
    probe: bool = True
    #: seed of the random choice of ids
    seed: int = 20260
    #: MB of the file upload/download benchmark (benchmarks.file_bench); 0 skips it
    file_megabytes: int = 10

    def measures(self, store: str, size: int) -> bool:
        """Whether the (store, N) pair is measured (mongo stops at ``mongo_max_size``)."""
        return store != "mongo" or not self.mongo_max_size or size <= self.mongo_max_size

    def wants(self, scenario: str) -> bool:
        """Whether ``scenario`` is part of this run (``--only``)."""
        return not self.only or scenario in self.only
