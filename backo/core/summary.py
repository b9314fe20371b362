"""Summaries of many findings: how many of each kind, and the first few of each.

A migration over 10,000 objects, or an integrity check, may find the same problem
thousands of times: one line per finding hides the picture. :func:`summarise` groups the
findings by kind, most frequent first, and keeps a few examples of each; the migration's
final log line and the ``flask backo`` commands print it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

#: Examples kept per kind, unless told otherwise.
DEFAULT_EXAMPLES = 3


@dataclass(frozen=True)
class KindSummary:
    """One kind of finding: its name, how many there are, and the first few."""

    kind: str
    count: int
    examples: tuple[str, ...]


def summarise(findings: Iterable[tuple[str, str]], examples: int = DEFAULT_EXAMPLES) -> list[KindSummary]:
    """Group ``(kind, text)`` pairs by kind: most frequent first, ties in order of first appearance.

    Each group keeps its first ``examples`` texts (every one if ``examples`` < 0).
    """
    counts: dict[str, int] = {}
    kept: dict[str, list[str]] = {}
    for kind, text in findings:
        counts[kind] = counts.get(kind, 0) + 1
        texts = kept.setdefault(kind, [])
        if examples < 0 or len(texts) < examples:
            texts.append(text)
    order = sorted(counts, key=lambda kind: -counts[kind])  # stable: first seen first among equals
    return [KindSummary(kind, counts[kind], tuple(kept[kind])) for kind in order]


def one_line(groups: list[KindSummary]) -> str:
    """``3 ConstraintsError, 1 TypeError``: the counts of :func:`summarise`, for a log line."""
    return ", ".join(f"{group.count} {group.kind}" for group in groups)
