"""Several creates or deletes in one request: each in its own transaction, or all in one.

Each Item is created or deleted by the same operation a single request runs
(:mod:`backo.core.operations`), so rights (per Item), validation, references and
metadata are checked exactly as one by one. Two modes, chosen per request:

* **independent** (the default): each Item in its own transaction; one that fails
  leaves the others done. The report says which.
* **atomic**: all in one transaction; the first failure undoes every write already
  made (and nothing after it is tried).

Why independent by default: a bulk import usually wants every valid row in and the bad
rows reported, and one long transaction holds the write lock for the whole request.

.. versionadded:: 0.3.0
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .collection import BaseCollection
from .operations import Seen, create, delete
from .transaction import transaction

#: The most Items one bulk request may create or delete.
MAX_BULK_ITEMS = 1000

DONE = "done"
FAILED = "failed"
ROLLED_BACK = "rolled_back"
NOT_TRIED = "not_tried"


@dataclass
class Outcome:
    """What became of one element of a bulk request."""

    #: its position in the request
    index: int
    #: ``done``, ``failed``, ``rolled_back`` (atomic: undone by a later failure) or ``not_tried``
    state: str
    #: what the client sees of the created Item (creates), or the deleted ``_id`` (deletes)
    value: Any = None
    #: the error it raised (``failed``)
    error: BaseException | None = None


def _run(steps: list[Callable[[int | None], Any]], collection: BaseCollection, atomic: bool) -> list[Outcome]:
    outcomes = [Outcome(index, NOT_TRIED) for index in range(len(steps))]
    if not atomic:
        for outcome, step in zip(outcomes, steps, strict=True):
            try:
                outcome.value, outcome.state = step(None), DONE
            except Exception as error:  # noqa: BLE001 - reported per item
                outcome.error, outcome.state = error, FAILED
        return outcomes
    try:
        with transaction(collection.backoffice) as transaction_id:
            for outcome, step in zip(outcomes, steps, strict=True):
                try:
                    outcome.value, outcome.state = step(transaction_id), DONE
                except Exception as error:
                    outcome.error, outcome.state = error, FAILED
                    raise
    except Exception:  # noqa: BLE001 - rolled back; reported per item
        for outcome in outcomes:
            if outcome.state == DONE:
                outcome.state = ROLLED_BACK
    return outcomes


def create_many(collection: BaseCollection, bodies: list[Any], view: str, atomic: bool = False) -> list[Outcome]:
    """Create an Item from each of ``bodies`` (see the module docstring); the values are as seen in ``view``."""

    def step(body: Any) -> Callable[[int | None], Seen]:
        return lambda transaction_id: create(collection, body, view, transaction_id)

    return _run([step(body) for body in bodies], collection, atomic)


def delete_many(collection: BaseCollection, ids: Iterable[str], atomic: bool = False) -> list[Outcome]:
    """Delete each Item of ``ids`` (see the module docstring); the values are the ids."""

    def step(_id: str) -> Callable[[int | None], str]:
        def run(transaction_id: int | None) -> str:
            delete(collection, _id, transaction_id=transaction_id)
            return _id

        return run

    return _run([step(_id) for _id in ids], collection, atomic)
