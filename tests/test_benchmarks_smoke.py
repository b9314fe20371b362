"""``python -m benchmarks.run`` runs end to end at a tiny size and writes a complete JSON file.

Nothing is timed or judged here: the checks are that every scenario ran on every store
against its floor, that the six targets were evaluated, and that ``--compare`` reads the
file back. The real runs are ``make bench`` (see docs/benchmarks.md).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: The project's folder: ``python -m benchmarks.run`` runs from there, as ``make bench`` does.
PROJECT = Path(__file__).resolve().parents[1]

#: Two tiny sizes (so that every target has what it needs), few operations, small libraries.
#: 30 items is above --migrate-cap: both migration modes run.
TINY = [
    *("--sizes", "6", "30", "--ops", "3", "--rounds", "1", "--page", "5"),
    *("--authors", "3", "--authors-scaled", "6", "--cascade-books", "2", "--migrate-cap", "10"),
    *("--file-megabytes", "1", "--quiet-seconds", "0"),
]
STORES = ("memory", "yml", "mongo")


def bench(*arguments: str) -> str:
    """The output of ``python -m benchmarks.run ARGUMENTS``, which must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", *arguments],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("bench") / "run.json"
    bench(*TINY, "--json", str(path))
    return json.loads(path.read_text(encoding="utf-8"))


def listed_scenarios() -> list[tuple[str, str]]:
    """(name, kind) of every scenario, as ``--list`` prints them."""
    return [tuple(line.split()[:2]) for line in bench("--list").splitlines() if line.strip()]  # type: ignore[misc]


def test_every_scenario_ran_on_every_store_against_its_floor(run: dict) -> None:
    records = run["records"]
    scenarios = listed_scenarios()
    assert len(scenarios) > 10
    for name, kind in scenarios:
        stores = ("yml",) if kind == "raw" else STORES
        for store in stores:
            found = [record for record in records if (record["scenario"], record["store"]) == (name, store)]
            assert found, f"no record for {name} on {store}"
            for record in found:
                assert record["ops"] > 0 and record["seconds"] > 0 and record["ops_per_s"] > 0
                assert record["peak_bytes"] is not None and record["probe"] is not None
                if kind != "raw":
                    assert record["floor_ops_per_s"] > 0 and record["ratio"] > 0
                assert "WARNING" not in record["note"], record


def test_both_sizes_and_both_migration_modes_are_measured(run: dict) -> None:
    assert {record["size"] for record in run["records"]} == {6, 30}
    modes = {record["extra"]["mode"] for record in run["records"] if record["scenario"] == "migrate_real"}
    assert modes == {"all", "sample"}


def test_the_probe_sees_what_the_operations_touch(run: dict) -> None:
    by_key = {(r["scenario"], r["store"], r["size"]): r for r in run["records"]}
    for store in STORES:
        ref_create = by_key[("ref_create", store, 30)]["probe"]
        assert ref_create["db_calls"]["books"] == {"create": 1}
        assert ref_create["db_calls"]["authors"].get("save") == 1
        assert by_key[("select_eq", store, 30)]["probe"]["db_calls_total"] >= 1
    assert by_key[("list_first", "yml", 30)]["extra"]["cache_bytes"] > 0


def test_the_six_targets_are_judged_and_the_context_recorded(run: dict) -> None:
    targets = run["targets"]
    assert [target["number"] for target in targets] == [1, 2, 3, 4, 5, 6]
    assert all(target["status"] in ("PASS", "MISS") and target["figure"] for target in targets)
    environment = run["environment"]
    assert environment["python"] and environment["stricto"]
    assert run["settings"]["sizes"] == [6, 30] and run["max_rss_bytes"] > 0
    assert "file" in run["extras"]


def test_compare_reads_an_earlier_file(run: dict, tmp_path: Path) -> None:
    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps(run), encoding="utf-8")
    options = ["--sizes", "6", "--stores", "memory", "--only", "get_route", "--ops", "3", "--file-megabytes", "0"]
    again = tmp_path / "again.json"
    output = bench(*options, "--compare", str(earlier), "--json", str(again))
    assert json.loads(again.read_text(encoding="utf-8"))["compared_with"] == str(earlier)
    assert "vs old" in output and "compared with" in output and "1 lines" in output
