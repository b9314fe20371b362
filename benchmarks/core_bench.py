"""The Python-API scenarios of ``benchmarks.run``, under the name older command lines use.

``python -m benchmarks.core_bench [options]`` runs ``python -m benchmarks.run --only``
:data:`SCENARIOS` with the same options (an ``--only`` given here wins). The README's
``--sizes 1000 10000`` works unchanged; everything else is ``benchmarks.run``'s.
"""

import sys

from . import run

#: create, get_by_id, select, references and migrations through the Python API.
SCENARIOS = (
    "create",
    "get",
    "select_eq",
    "select_range",
    "ref_create",
    "cascade_delete",
    "migrate_dry",
    "migrate_real",
)


def main(argv: list[str] | None = None) -> None:
    options = sys.argv[1:] if argv is None else argv
    run.main(["--only", *SCENARIOS, "--file-megabytes", "0", *options])


if __name__ == "__main__":
    main()
