"""backo's benchmarks: ``make bench`` runs :mod:`benchmarks.run` (see docs/benchmarks.md).

Also here: :mod:`benchmarks.fuzz` (schemathesis against the served quickstart) and
:mod:`benchmarks.hardening` (load, faults and hostile input), each with its own command.
"""
