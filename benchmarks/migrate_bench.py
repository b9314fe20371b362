"""The migration scenarios of ``benchmarks.run``, under their old name.

``python -m benchmarks.migrate_bench [--size N] [options]`` runs
``python -m benchmarks.run --only migrate_dry migrate_real --sizes N`` with the same
options (``--size`` is the old spelling of ``--sizes``).
"""

import sys

from . import run

SCENARIOS = ("migrate_dry", "migrate_real")


def main(argv: list[str] | None = None) -> None:
    options = ["--sizes" if option == "--size" else option for option in (sys.argv[1:] if argv is None else argv)]
    run.main(["--only", *SCENARIOS, "--file-megabytes", "0", *options])


if __name__ == "__main__":
    main()
