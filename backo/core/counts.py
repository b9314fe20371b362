"""How a collection's lists count their matches: ``Collection(..., count="exact"|"estimated"|"none")``.

A list answer holds ``total``, the number of matching Items. On a database, that is one
more query per page, and on a large table not a cheap one. A collection chooses:

* ``"exact"`` (the default, as in 0.2.1): ``total`` counts every match;
* ``"estimated"``: an unfiltered list takes the store's estimate of its size
  (:meth:`DBConnector.estimated_count`: MongoDB's ``estimated_document_count``,
  PostgreSQL's planner statistics) when it has one; filtered lists, and stores without an
  estimate, count exactly;
* ``"none"``: no count at all; ``total`` is None, and a list matched in Python stops
  reading at the end of the page.

The answer says which when it is not exact: ``"_count": "estimated"`` or
``"_count": "none"`` (an exact total adds no key, so 0.2.1's answers are unchanged).
"""

from typing import Any

#: Every match counted (the default).
EXACT = "exact"
#: The store's estimate for unfiltered lists, an exact count otherwise.
ESTIMATED = "estimated"
#: No count: ``total`` is None.
NONE = "none"
#: The accepted values of ``Collection(..., count=...)``.
COUNT_STRATEGIES = (EXACT, ESTIMATED, NONE)
#: The key of a list answer that says how ``total`` was obtained, when not exactly.
COUNT_KEY = "_count"


def count_strategy_of(collection: Any) -> str:
    """The count strategy of ``collection`` (``Collection(..., count=...)``; default exact)."""
    strategy = getattr(collection, "count_strategy", EXACT)
    return strategy if strategy in COUNT_STRATEGIES else EXACT


def list_answer(result: list, total: int | None, skip: int, page_size: int, counted: str = EXACT) -> dict:
    """A selection's answer: ``{"result", "total", "_skip", "_page"}``, and ``"_count"``
    when ``total`` is not an exact count (``counted``: how it was obtained)."""
    answer: dict[str, Any] = {"result": result, "total": total, "_skip": skip, "_page": page_size}
    if counted != EXACT:
        answer[COUNT_KEY] = counted
    return answer
