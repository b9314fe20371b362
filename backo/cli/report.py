"""The reports of ``flask backo``, as lines of text: counts per kind, then a few examples.

A run over 10,000 objects may find one problem 10,000 times: these functions print how
many of each kind (:func:`backo.core.summary.summarise`) and the first ``examples`` of
each, never one line per object.
"""

from collections.abc import Iterator
from typing import Any

from backo.core.migration import failure_kind
from backo.core.summary import KindSummary, summarise

__all__ = ["change_findings", "integrity_lines", "kind_lines", "migration_lines"]


def kind_lines(groups: list[KindSummary], examples: int) -> Iterator[str]:
    """``  30  ConstraintsError`` then its examples, indented, for each kind."""
    width = len(str(max((group.count for group in groups), default=0)))
    for group in groups:
        yield f"  {group.count:>{width}}  {group.kind}"
        for text in group.examples:
            yield f"  {'':>{width}}    {text}"
        hidden = group.count - len(group.examples)
        if hidden > 0 and examples >= 0:
            yield f"  {'':>{width}}    ... and {hidden} more"


def change_findings(ids: list[str], diffs: list[dict]) -> Iterator[tuple[str, str]]:
    """``(kind, _id)`` for each change of each changed object: ``values_changed root['price']``."""
    for _id, diff in zip(ids, diffs, strict=True):
        for change, paths in diff.items():
            for path in paths if isinstance(paths, list | dict) else [paths]:
                yield f"{change} {path}", _id


def migration_lines(name: str, report: Any, applied: bool, examples: int) -> Iterator[str]:
    """The summary of a :class:`~backo.MigrationReport`: totals, changes by kind, failures by kind."""
    value = report.get_value()
    changes, unchanged, failures = value["changes"], value["no_changes"], value["failures"]
    total = changes["total"] + unchanged["total"] + len(failures)
    verb = "changed" if applied else "to change"
    yield f"{name}: {total} objects, {changes['total']} {verb}, {unchanged['total']} unchanged, {len(failures)} failed"
    if changes["total"]:
        yield "Changes:" if applied else "Changes (dry run: nothing written; --apply writes them):"
        yield from kind_lines(summarise(change_findings(changes["_ids"], changes["diff"]), examples), examples)
    if failures:
        yield "Objects that cannot be migrated (nothing written for them):"
        found = ((failure_kind(f["error"]), f"_id {f['_id']}: {f['error']}") for f in failures)
        yield from kind_lines(summarise(found, examples), examples)


def integrity_kind(problem: str) -> tuple[str, str]:
    """``(kind, where)`` of one text of :meth:`~backo.Backoffice.check_integrity`:
    ``"books/1 $.author -> authors/9: not found"`` is ``("not found", "books/1 $.author -> authors/9")``."""
    where, _, kind = problem.rpartition(": ")
    return (kind, where) if where else (problem, problem)


def integrity_lines(name: str, problems: list[str], examples: int) -> Iterator[str]:
    """The summary of an integrity check: how many problems of each kind, and where."""
    if not problems:
        yield f"{name}: every reference is consistent (no problem found)"
        return
    yield f"{name}: {len(problems)} reference problems"
    yield from kind_lines(summarise((integrity_kind(problem) for problem in problems), examples), examples)
