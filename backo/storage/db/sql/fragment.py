"""A piece of SQL and the values bound to its placeholders, in order: :class:`Fragment`.

The translator (:mod:`.translate`) and the dialects (:mod:`.dialect`) build every clause
out of fragments, so that a value never enters the SQL text: it travels next to it, bound
to the placeholder written where it goes, and joining fragments keeps text and values in
the same order.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fragment:
    """SQL text with placeholders, and the values bound to them (in the order they appear)."""

    sql: str
    params: tuple[Any, ...] = ()

    def __add__(self, other: "Fragment | str") -> "Fragment":
        if isinstance(other, str):
            return Fragment(self.sql + other, self.params)
        return Fragment(self.sql + other.sql, self.params + other.params)

    def __radd__(self, other: str) -> "Fragment":
        return Fragment(other + self.sql, self.params)

    def wrapped(self, before: str, after: str) -> "Fragment":
        """``before + self + after``."""
        return Fragment(before + self.sql + after, self.params)


def join(separator: str, fragments: Iterable[Fragment]) -> Fragment:
    """The fragments joined by ``separator`` (text and values in order)."""
    parts = list(fragments)
    return Fragment(separator.join(part.sql for part in parts), tuple(value for part in parts for value in part.params))
