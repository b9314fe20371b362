"""Records, the table printed as the run goes, the JSON file, and the comparison with an older run.

One :class:`Record` per measurement: a scenario, on one store, at one size N. Costs are
compared as *cost per unit* (seconds per operation, per round or per item), so
``ratio`` = backo's cost / the floor's cost (2.0: backo takes twice the floor's time),
and ``--compare`` prints new cost / old cost (0.5: twice as fast as before).
"""

import json
import os
import platform
import resource
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

#: The version of the JSON layout (bump it when a field changes meaning).
FORMAT = 1


@dataclass
class Record:
    """One measurement (see the module docstring and docs/benchmarks.md)."""

    scenario: str
    store: str
    size: int
    #: "op" (per operation), "scan" (one full pass over the N items per unit) or "raw"
    kind: str
    #: what one of ``ops`` is: "call", "request", "round", "item", "document"
    unit: str
    #: units timed, and their wall-clock seconds
    ops: int
    seconds: float
    #: the same for the floor, if the scenario has one
    floor_ops: int | None = None
    floor_seconds: float | None = None
    #: tracemalloc peak of one untimed operation (see benchmarks.measure), bytes
    peak_bytes: int | None = None
    #: Items built, documents filled and connector calls per unit, in the probed operation
    probe: dict[str, Any] | None = None
    #: wall-clock seconds of the whole scenario: probe, timing, floor and clean-up
    elapsed: float = 0.0
    #: True if the time cap stopped backo's or the floor's loop before the full count
    capped: bool = False
    note: str = ""
    #: scenario-specific facts (page size in bytes, result counts...)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        """Seconds per unit."""
        return self.seconds / self.ops

    @property
    def ops_per_s(self) -> float:
        return self.ops / self.seconds if self.seconds else float("inf")

    @property
    def floor_cost(self) -> float | None:
        return None if not self.floor_ops or self.floor_seconds is None else self.floor_seconds / self.floor_ops

    @property
    def floor_ops_per_s(self) -> float | None:
        cost = self.floor_cost
        return None if cost is None else (1 / cost if cost else float("inf"))

    @property
    def ratio(self) -> float | None:
        """backo's cost / the floor's cost."""
        floor = self.floor_cost
        return None if not floor else self.cost / floor

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.scenario, self.store, self.size)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            ops_per_s=self.ops_per_s,
            ms_per_op=self.cost * 1000,
            floor_ops_per_s=self.floor_ops_per_s,
            ratio=self.ratio,
        )
        return data


def _number(value: float | None, digits: int = 0, suffix: str = "") -> str:
    if value is None:
        return "-"
    if value >= 100_000 and digits == 0:
        return f"{value:,.0f}{suffix}"
    return f"{value:.{digits}f}{suffix}"


class Table:
    """Prints one line per record as soon as it is measured, with an optional "vs old" column."""

    COLUMNS = (
        ("scenario", 24, "<"),
        ("store", 6, "<"),
        ("N", 6, ">"),
        ("ops", 6, ">"),
        ("ops/s", 9, ">"),
        ("ms/op", 9, ">"),
        ("floor/s", 9, ">"),
        ("×floor", 7, ">"),
        ("peak KiB", 9, ">"),
        ("items", 7, ">"),
        ("db", 6, ">"),
        ("time s", 7, ">"),
    )

    def __init__(self, stream: TextIO, old: dict[tuple[str, str, int], float] | None = None) -> None:
        self.stream = stream
        self.old = old or {}

    def _line(self, cells: list[str]) -> str:
        columns = list(self.COLUMNS) + ([("vs old", 7, ">")] if self.old else [])
        return "  ".join(f"{cell:{align}{width}}" for cell, (_, width, align) in zip(cells, columns, strict=True))

    def header(self) -> None:
        names = [name for name, _, _ in self.COLUMNS] + (["vs old"] if self.old else [])
        print(self._line(names), file=self.stream, flush=True)

    def section(self, text: str) -> None:
        print(f"-- {text}", file=self.stream, flush=True)

    def row(self, record: Record) -> None:
        probe = record.probe or {}
        cells = [
            record.scenario + ("*" if record.capped else ""),
            record.store,
            str(record.size),
            str(record.ops),
            _number(record.ops_per_s),
            _number(record.cost * 1000, 3),
            _number(record.floor_ops_per_s),
            _number(record.ratio, 2, "×"),
            _number(None if record.peak_bytes is None else record.peak_bytes / 1024),
            _number(probe.get("items"), 1),
            _number(probe.get("db_calls_total"), 1),
            _number(record.elapsed, 1),
        ]
        if self.old:
            old_cost = self.old.get(record.key)
            cells.append("-" if not old_cost else f"{record.cost / old_cost:.2f}×")
        print(self._line(cells), file=self.stream, flush=True)


def _git(*arguments: str) -> str | None:
    """The output of ``git <arguments>`` in this checkout, or None (no git, not a repository...)."""
    try:
        done = subprocess.run(
            ["git", *arguments],  # noqa: S607 - the git of the PATH, like a developer's
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def git_commit() -> str | None:
    """``git rev-parse HEAD`` of the checkout, or None."""
    output = _git("rev-parse", "HEAD")
    return (output or "").strip() or None


def git_dirty() -> bool | None:
    """Whether the checkout has uncommitted changes (the measured code is not HEAD), or None."""
    output = _git("status", "--porcelain", "--untracked-files=no")
    return None if output is None else bool(output.strip())


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def max_rss_bytes() -> int:
    """The largest resident set of this process so far (``getrusage``; kilobytes on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(rss if sys.platform == "darwin" else rss * 1024)


def environment() -> dict[str, Any]:
    """Where the figures come from: commit, versions, machine."""
    return {
        "git_commit": git_commit(),
        "git_dirty": git_dirty(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "backo": _version("backo"),
        "stricto": _version("stricto"),
        "flask": _version("flask"),
        "pyyaml": _version("pyyaml"),
        "libyaml": _libyaml(),
        "mongomock": _version("mongomock"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def _libyaml() -> bool:
    import yaml

    return bool(yaml.__with_libyaml__)


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` to ``path`` (folders created), through a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(document, indent=1, default=str) + "\n", encoding="utf-8")
    temporary.replace(path)


def load_costs(path: Path) -> dict[tuple[str, str, int], float]:
    """The cost per unit (seconds) of each (scenario, store, size) of an earlier JSON file."""
    document = json.loads(path.read_text(encoding="utf-8"))
    costs = {}
    for record in document.get("records", []):
        if record.get("ops") and record.get("seconds"):
            costs[(record["scenario"], record["store"], int(record["size"]))] = record["seconds"] / record["ops"]
    return costs
