"""The route scenarios of ``benchmarks.run`` (backo's routes against a bare Flask floor), under their old name.

``python -m benchmarks.http_bench [options]`` runs ``python -m benchmarks.run --only``
:data:`SCENARIOS` with the same options (an ``--only`` given here wins).
"""

import sys

from . import run

#: Every scenario served through a generated route.
SCENARIOS = ("create_route", "get_route", "list_first", "list_last", "put_route", "patch_route")


def main(argv: list[str] | None = None) -> None:
    options = sys.argv[1:] if argv is None else argv
    run.main(["--only", *SCENARIOS, "--file-megabytes", "0", *options])


if __name__ == "__main__":
    main()
