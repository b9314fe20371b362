"""What the tests and the benchmarks both drive: hostile inputs, load and fault scenarios, the fuzz harness.

The tests (``tests/``) run these with small counts in ``make test``; the benchmarks
(``benchmarks/``) run them with the full counts. Neither imports the other: both import
this package. It is not shipped in the wheel.
"""
